package wire

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// ArenaWriter groups records into an Arrow IPC stream in one slot of an
// arena, like ShmWriter does in a file: the same group bounds, the same
// stream, read by the same code.
type ArenaWriter struct {
	a   *Arena
	mem memory.Allocator
	// alloc hands out a slot of n bytes for the next group.
	alloc func(n int64) (*Slot, error)

	slot   *Slot
	sw     *slotWriter
	w      *ipc.Writer
	schema *arrow.Schema
	rows   int64
	size   int64
	// last is the slot of the last Flush, until the next (for Discard).
	last *Slot
}

// NewInputWriter writes a call's input into the input arena (host side).
// Its slots name the call's cell and are reused once the plugin has
// released that cell's first word.
func NewInputWriter(in *Arena, call Cell, mem memory.Allocator) *ArenaWriter {
	released := func() bool { return !in.holds(call, 0) }
	return &ArenaWriter{a: in, mem: mem, alloc: func(n int64) (*Slot, error) {
		return in.Alloc(n, call, released)
	}}
}

// NewOutputWriter writes a call's output into the output arena (plugin
// side). Each slot gets a cell of its own, which the host releases once it
// has copied the slot; the host-done word of the call's cell in the input
// arena releases whatever the host will no longer read.
func NewOutputWriter(out, in *Arena, call Cell, mem memory.Allocator) *ArenaWriter {
	return &ArenaWriter{a: out, mem: mem, alloc: func(n int64) (*Slot, error) {
		c, ok := out.AllocCell()
		if !ok {
			return nil, ErrArenaFull
		}
		s, err := out.Alloc(n, c, func() bool { return !out.holds(c, 0) || !in.holds(call, 1) })
		if err != nil {
			out.FreeCell(c)
			return nil, err
		}
		s.onFree = func() { out.freeCellLocked(c) }
		return s, nil
	}}
}

// FreeCell frees a cell at once (owner side: nobody was told about it).
func (a *Arena) FreeCell(c Cell) {
	if !a.open() {
		return
	}
	defer a.use.RUnlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.freeCellLocked(c)
}

// Pending reports whether records have been written since the last Flush.
func (w *ArenaWriter) Pending() bool { return w.slot != nil }

// Full reports whether the current group has reached the group bounds.
func (w *ArenaWriter) Full() bool { return w.rows >= GroupRows || w.size >= GroupBytes }

// Fits reports whether rec can join the current group.
func (w *ArenaWriter) Fits(rec arrow.Record) bool {
	return w.slot == nil || (rec.Schema().Equal(w.schema) && w.sw.pos+recordBound(rec)+eosBytes <= w.slot.Ref.Len)
}

const eosBytes = 8

// Write appends rec to the current group, taking a slot if needed:
// ErrArenaFull when there is none (nothing is pending then).
func (w *ArenaWriter) Write(rec arrow.Record) error {
	if w.slot == nil {
		// A group's slot: the group bound, less in a small arena.
		n := max(min(int64(GroupBytes), w.a.max/8), recordBound(rec)) + schemaBound(rec.Schema()) + eosBytes
		s, err := w.alloc(n)
		if err != nil {
			return err
		}
		w.slot, w.sw, w.schema = s, &slotWriter{a: w.a, s: s}, rec.Schema()
		w.w = ipc.NewWriter(w.sw, ipc.WithSchema(rec.Schema()), ipc.WithAllocator(w.mem))
	}
	if err := w.w.Write(rec); err != nil {
		w.Abort()
		return fmt.Errorf("shared arena: %w", err)
	}
	w.rows += rec.NumRows()
	w.size += RecordBytes(rec)
	return nil
}

// Flush ends the current group and returns the frame that names its slot.
func (w *ArenaWriter) Flush() ([]byte, error) {
	if w.slot == nil {
		return nil, errors.New("shared arena: nothing to flush")
	}
	s, sw, iw := w.slot, w.sw, w.w
	w.slot, w.sw, w.w, w.schema, w.rows, w.size = nil, nil, nil, nil, 0, 0
	if err := iw.Close(); err != nil {
		w.a.Free(s)
		return nil, fmt.Errorf("shared arena: %w", err)
	}
	w.a.Shrink(s, sw.pos)
	w.last = s
	return []byte(shmMagic + s.Ref.Name()), nil
}

// Abort drops the current group.
func (w *ArenaWriter) Abort() {
	if w.slot == nil {
		return
	}
	w.a.Free(w.slot)
	w.slot, w.sw, w.w, w.schema, w.rows, w.size = nil, nil, nil, nil, 0, 0
}

// Discard frees the slot of the last Flush when its frame could not be
// sent (a failed Send delivers nothing), so the reader never saw it.
func (w *ArenaWriter) Discard(ref []byte) {
	if w.last != nil && string(ref) == shmMagic+w.last.Ref.Name() {
		w.a.Free(w.last)
		w.last = nil
	}
}

// IsArenaRef reports whether a shared-memory reference names an arena slot.
func IsArenaRef(ref []byte) bool { return IsArenaName(strings.TrimPrefix(string(ref), shmMagic)) }

// slotWriter is the io.Writer of a slot.
type slotWriter struct {
	a   *Arena
	s   *Slot
	pos int64
}

var errSlotOverflow = errors.New("batch larger than its slot")

func (sw *slotWriter) Write(b []byte) (int, error) {
	if sw.pos+int64(len(b)) > sw.s.Ref.Len {
		return 0, errSlotOverflow
	}
	if err := sw.a.write(sw.s, sw.pos, b); err != nil {
		return 0, err
	}
	sw.pos += int64(len(b))
	return len(b), nil
}

// recordBound bounds the bytes of rec's IPC message: arrow's writer writes
// each buffer truncated to the array (or a fresh bitmap when all are null),
// padded to 64 bytes, after a flatbuffer of 16 bytes per node and buffer.
func recordBound(rec arrow.Record) int64 {
	n := int64(512)
	rows := rec.NumRows()
	for _, c := range rec.Columns() {
		n += 64
		for i, b := range c.Data().Buffers() {
			l := int64(0)
			if b != nil {
				l = int64(b.Len())
			}
			if i == 0 {
				l = max(l, bitutil.BytesForBits(rows))
			}
			if i == 1 {
				l = max(l, 4*(rows+1))
			}
			n += l + 64 + 16
		}
	}
	return n
}

// schemaBound bounds the bytes of a schema message.
func schemaBound(s *arrow.Schema) int64 {
	n := int64(512)
	for _, f := range s.Fields() {
		n += 256 + 2*int64(len(f.Name))
		for i := 0; i < f.Metadata.Len(); i++ {
			n += 64 + 2*int64(len(f.Metadata.Keys()[i])+len(f.Metadata.Values()[i]))
		}
	}
	for i := 0; i < s.Metadata().Len(); i++ {
		n += 64 + 2*int64(len(s.Metadata().Keys()[i])+len(s.Metadata().Values()[i]))
	}
	return n
}

// groupWriter is what Writer needs of ShmWriter and ArenaWriter.
type groupWriter interface {
	Pending() bool
	Full() bool
	Fits(rec arrow.Record) bool
	Write(rec arrow.Record) error
	Flush() ([]byte, error)
	Abort()
}

// Writer groups records into arena slots when it has an arena with room,
// else into shared-memory files. Callers flush when a record does not Fit
// the pending group, and when the group is Full.
type Writer struct {
	arena *ArenaWriter // nil: files only
	shm   *ShmWriter
	dir   string
	cur   groupWriter // the one holding the pending group
}

// NewWriter writes into arena slots (arena may be nil), falling back to
// files in dir.
func NewWriter(arena *ArenaWriter, dir string, mem memory.Allocator) *Writer {
	return &Writer{arena: arena, shm: NewShmWriter(dir, mem), dir: dir}
}

// Pending reports whether records have been written since the last Flush.
func (w *Writer) Pending() bool { return w.cur != nil && w.cur.Pending() }

// Full reports whether the pending group has reached the group bounds.
func (w *Writer) Full() bool { return w.Pending() && w.cur.Full() }

// Fits reports whether rec can join the pending group.
func (w *Writer) Fits(rec arrow.Record) bool { return !w.Pending() || w.cur.Fits(rec) }

// Write appends rec to the pending group, starting one if needed: in the
// arena when it has room, else in a file.
func (w *Writer) Write(rec arrow.Record) error {
	if !w.Pending() {
		w.cur = w.shm
		if w.arena != nil {
			err := w.arena.Write(rec)
			if err == nil {
				w.cur = w.arena
				return nil
			}
			if !errors.Is(err, ErrArenaFull) {
				return err
			}
		}
	}
	return w.cur.Write(rec)
}

// Flush ends the pending group and returns the frame naming it; a sender
// that cannot deliver the frame calls Discard with it.
func (w *Writer) Flush() ([]byte, error) {
	if !w.Pending() {
		return nil, errors.New("shared memory: nothing to flush")
	}
	return w.cur.Flush()
}

// Discard frees what a frame from Flush names, when it was not sent.
func (w *Writer) Discard(ref []byte) {
	if IsArenaName(strings.TrimPrefix(string(ref), shmMagic)) {
		if w.arena != nil {
			w.arena.Discard(ref)
		}
		return
	}
	Discard(w.dir, ref)
}

// Abort drops the pending group.
func (w *Writer) Abort() {
	if w.cur != nil {
		w.cur.Abort()
	}
}
