package wire

import (
	"errors"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Pinned output slots (host side, output arena).
//
// Instead of copying an output slot into Go memory, the host may pin it:
// the records it reads from the slot then alias the arena's mapping, and
// the slot's release cell is released when the last Arrow reference to any
// of those buffers is released (Arrow's reference counting, through the
// buffer's allocator hook), not when the host has read the slot. Until then
// the plugin does not reuse the slot, and the host keeps the arena mapped
// even after Close (a plugin process that died): records outlive their call
// and their process for as long as they are retained, and no longer: like
// any Arrow memory not in Go's heap, a value taken from such a record (a
// []float64 from Float64Values, say) is valid only while the record is.
//
// The plugin can still write the slot's pages after the host checked them.
// So only buffers whose every bit pattern is a valid value are aliased:
// validity bitmaps and fixed-width values (numbers, bools, times), where a
// late write is no worse than a plugin sending other values. String and
// binary columns, whose offsets the host must check before it trusts them,
// are copied and checked in the copy, and so are schemas the zero-copy
// decoder does not build (arrow's reader, which reads the slot piecewise,
// gets a private copy).

// Pin lends the bytes of slot r as an Arrow buffer whose release (the last
// reference to it and to every buffer sliced from it) releases the slot's
// cell and runs done with the slot's length. ok is false, and nothing is
// pinned, when the arena's pinned bytes would pass limit: the caller copies
// instead.
func (a *Arena) Pin(r ArenaRef, limit int64, done func(n int64)) (buf *memory.Buffer, ok bool, err error) {
	if err := a.check(r); err != nil {
		return nil, false, err
	}
	a.use.RLock()
	defer a.use.RUnlock()
	if a.closed {
		return nil, false, errors.New("shared arena closed")
	}
	a.pinMu.Lock()
	defer a.pinMu.Unlock()
	if a.pinnedBytes+r.Len > limit {
		return nil, false, nil
	}
	a.pins++
	a.pinnedBytes += r.Len
	p := &pinnedSlot{a: a, ref: r, done: done}
	return memory.NewBufferWithAllocator(a.mem[r.Off:r.Off+r.Len:r.Off+r.Len], p), true, nil
}

// Pinned reports the slots pinned and their bytes.
func (a *Arena) Pinned() (slots int, bytes int64) {
	a.pinMu.Lock()
	defer a.pinMu.Unlock()
	return a.pins, a.pinnedBytes
}

// unpin gives a pinned slot back: its cell (while the arena is open), and
// the mapping and file when the arena was closed and this was the last.
func (a *Arena) unpin(r ArenaRef) {
	a.Release(r.Cell, 0)
	a.pinMu.Lock()
	defer a.pinMu.Unlock()
	a.pins--
	a.pinnedBytes -= r.Len
	if a.pins == 0 && a.unmapLater != nil {
		unmapArena(a.unmapLater)
		a.unmapLater = nil
		a.f.Close()
	}
}

// pinnedSlot is the allocator of a pinned slot's buffer: it only frees.
type pinnedSlot struct {
	a     *Arena
	ref   ArenaRef
	done  func(n int64)
	freed atomic.Bool
}

func (p *pinnedSlot) Allocate(int) []byte {
	panic("wire: a pinned arena slot allocates nothing")
}

func (p *pinnedSlot) Reallocate(int, []byte) []byte {
	panic("wire: a pinned arena slot allocates nothing")
}

func (p *pinnedSlot) Free([]byte) {
	if p.freed.Swap(true) {
		return
	}
	p.a.unpin(p.ref)
	if p.done != nil {
		p.done(p.ref.Len)
	}
}
