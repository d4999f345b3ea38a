package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// MinorArena is the first protocol minor version with the shared arenas:
// two shared-memory regions created by the host when it starts a plugin
// process and mapped once by both sides for the life of the process, so
// their pages stay allocated and mapped from call to call. The host writes
// input batches into slots of the input arena, the plugin writes output
// batches into slots of the output arena, and a batch frame names a slot
// as "KQLHUNT-SHM1:@<cell>.<gen>:<offset>:<length>" (also inside SHMR and
// SHMX frames) instead of a file. Slots are given back through release
// cells in the arenas' headers, not through messages:
//
//   - The host gives each call a cell of the input arena, passed as the
//     reserved argument ArgArena ("<cell>.<gen>"); every input slot of the
//     call names it. The plugin releases it ("plugin done") when its
//     Evaluate has returned and it reads the call's input no more; the host
//     then reuses the call's input slots. The host releases the cell's
//     second word ("host done") when it stops reading the call's output
//     and no slot of the call is pinned any more.
//   - Each output slot has a cell of the output arena; the host releases it
//     when the last record aliasing the slot is released (a pinned slot,
//     see Pin: output may outlive the call), or as soon as it has copied
//     the slot into its own memory (past the pinning bounds). The plugin
//     reuses an output slot once its cell, or the host-done word of its
//     call, is released.
//
// The plugin offers the arenas (Description.minor >= MinorArena) only when
// it has mapped them; the host passes ArgArena only to such plugins, and a
// plugin writes slots only on calls that got it. When an arena is full the
// batch goes through a file as in minor 2, so nothing waits for space. A
// process that dies takes its arenas with it: they are memory files
// (memfd), sealed against shrinking so neither side can make the other
// fault by truncating them.
const MinorArena = 4

// ArgArena is the reserved argument offering the arenas for one call.
const ArgArena = "$arena"

// EnvArena tells a plugin process the descriptors of its arenas: "<in>,<out>".
const EnvArena = "KQLHUNT_PLUGIN_ARENA"

// Arena layout: a 64-byte header (magic, the size limit), arenaCells cells
// of two 32-bit words, then the data from arenaData on.
const (
	arenaMagic = "KQLARNA1"
	arenaCells = 4096
	arenaData  = 64 << 10
	arenaAlign = 64
)

// ErrArenaFull: no slot (or cell) could be had; the caller sends the batch
// another way.
var ErrArenaFull = errors.New("shared arena full")

// ErrBadArenaRef marks a slot reference that does not fit the arena.
var ErrBadArenaRef = errors.New("bad arena reference")

// Cell is a release cell: an index and the generation it was handed out with.
type Cell struct{ Index, Gen uint32 }

func (c Cell) String() string { return fmt.Sprintf("%d.%d", c.Index, c.Gen) }

// ParseCell reads "<index>.<gen>".
func ParseCell(s string) (Cell, error) {
	a, b, ok := strings.Cut(s, ".")
	i, err1 := strconv.ParseUint(a, 10, 32)
	g, err2 := strconv.ParseUint(b, 10, 32)
	if !ok || err1 != nil || err2 != nil || i >= arenaCells || g == 0 {
		return Cell{}, fmt.Errorf("%w: cell %q", ErrBadArenaRef, s)
	}
	return Cell{uint32(i), uint32(g)}, nil
}

// ArenaRef names a slot: the cell that releases it and its bytes.
type ArenaRef struct {
	Cell     Cell
	Off, Len int64
}

// Name is the slot's name in a frame (where a file name would be).
func (r ArenaRef) Name() string {
	return "@" + r.Cell.String() + ":" + strconv.FormatInt(r.Off, 10) + ":" + strconv.FormatInt(r.Len, 10)
}

// IsArenaName reports whether a shared-memory name is an arena slot.
func IsArenaName(name string) bool { return strings.HasPrefix(name, "@") }

// ParseArenaName reads a name written by ArenaRef.Name.
func ParseArenaName(name string) (ArenaRef, error) {
	parts := strings.Split(strings.TrimPrefix(name, "@"), ":")
	if len(parts) != 3 {
		return ArenaRef{}, fmt.Errorf("%w %q", ErrBadArenaRef, name)
	}
	c, err := ParseCell(parts[0])
	if err != nil {
		return ArenaRef{}, err
	}
	off, err1 := strconv.ParseInt(parts[1], 10, 64)
	n, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return ArenaRef{}, fmt.Errorf("%w %q", ErrBadArenaRef, name)
	}
	return ArenaRef{Cell: c, Off: off, Len: n}, nil
}

// Arena is one shared region as one side sees it. The side that creates
// slots (the owner: the host for input, the plugin for output) allocates
// and grows it; the other reads slots and releases cells.
type Arena struct {
	f   *os.File
	mem []byte // a mapping of max bytes; only the file's size is backed
	max int64

	// use keeps mem mapped while data is copied in or out; Close takes it
	// exclusively.
	use    sync.RWMutex
	closed bool

	// pins counts the slots whose bytes the reader's records alias (host
	// side, output arena; see Pin), pinnedBytes their size; a Close while
	// any is pinned leaves the mapping and the file to the last Unpin.
	pinMu       sync.Mutex
	pins        int
	pinnedBytes int64
	unmapLater  []byte

	size atomic.Int64 // the file size, as last seen (it never shrinks)

	mu     sync.Mutex // the owner's allocator
	free   []span     // free spans of [arenaData, size), by offset
	slots  map[*Slot]struct{}
	cells  []uint32 // free cell indices
	gens   []uint32 // last generation of each cell
	inUse  []bool
	retire []retired // cells to free once their readers are done
}

type span struct{ off, n int64 }

type retired struct {
	c     Cell
	ready func() bool
}

// Slot is a region handed out by the owner.
type Slot struct {
	// Ref names the slot; Ref.Len is its length in use.
	Ref ArenaRef
	n   int64 // its length allocated
	// released reports whether the reader is done with the slot.
	released func() bool
	// onFree runs when the slot is freed (the owner's bookkeeping).
	onFree func()
}

// newArena wraps a mapped arena file. init writes the header (creator).
func newArena(f *os.File, mem []byte, max int64, init bool) (*Arena, error) {
	if init {
		copy(mem, arenaMagic)
		binary.LittleEndian.PutUint64(mem[8:], uint64(max))
	} else if string(mem[:8]) != arenaMagic || int64(binary.LittleEndian.Uint64(mem[8:])) != max {
		return nil, errors.New("not a kqlhunt arena")
	}
	a := &Arena{f: f, mem: mem, max: max, slots: map[*Slot]struct{}{}, gens: make([]uint32, arenaCells), inUse: make([]bool, arenaCells)}
	for i := arenaCells - 1; i >= 0; i-- {
		a.cells = append(a.cells, uint32(i))
	}
	if err := a.refreshSize(); err != nil {
		return nil, err
	}
	if size := a.size.Load(); size < arenaData || size > max {
		return nil, errors.New("not a kqlhunt arena")
	} else if size > arenaData {
		a.giveLocked(arenaData, size-arenaData)
	}
	return a, nil
}

// Max is the arena's size limit.
func (a *Arena) Max() int64 { return a.max }

// Size is the arena's current (backed) size.
func (a *Arena) Size() int64 { return a.size.Load() }

// Used is the bytes of slots outstanding (owner side).
func (a *Arena) Used() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	free := int64(0)
	for _, s := range a.free {
		free += s.n
	}
	return a.size.Load() - arenaData - free
}

func (a *Arena) refreshSize() error {
	st, err := a.f.Stat()
	if err != nil {
		return err
	}
	if st.Size() > a.size.Load() {
		a.size.Store(st.Size())
	}
	return nil
}

// word is word w (0 or 1) of cell i in the header.
func (a *Arena) word(i uint32, w int) *uint32 {
	return (*uint32)(unsafe.Pointer(&a.mem[64+8*int(i)+4*w]))
}

// holds reports whether word w of cell c still holds c (not released);
// the caller keeps the arena open.
func (a *Arena) holds(c Cell, w int) bool {
	if c.Index >= arenaCells {
		return false
	}
	return atomic.LoadUint32(a.word(c.Index, w)) == c.Gen
}

// Holds is holds for callers outside the allocator.
func (a *Arena) Holds(c Cell, w int) bool {
	a.use.RLock()
	defer a.use.RUnlock()
	return !a.closed && a.holds(c, w)
}

// Release gives back word w of cell c (reader side). A stale cell (whose
// index was handed out again since) is left alone.
func (a *Arena) Release(c Cell, w int) {
	a.use.RLock()
	defer a.use.RUnlock()
	if !a.closed {
		a.release(c, w)
	}
}

func (a *Arena) release(c Cell, w int) {
	if c.Index < arenaCells {
		atomic.CompareAndSwapUint32(a.word(c.Index, w), c.Gen, 0)
	}
}

// open takes the arena for an allocator call; false when it is closed.
func (a *Arena) open() bool {
	a.use.RLock()
	if a.closed {
		a.use.RUnlock()
		return false
	}
	return true
}

// AllocCell hands out a cell with both words holding it (owner side).
func (a *Arena) AllocCell() (Cell, bool) {
	if !a.open() {
		return Cell{}, false
	}
	defer a.use.RUnlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.cells) == 0 {
		a.sweepLocked()
	}
	if len(a.cells) == 0 {
		return Cell{}, false
	}
	i := a.cells[len(a.cells)-1]
	a.cells = a.cells[:len(a.cells)-1]
	a.gens[i]++
	if a.gens[i] == 0 {
		a.gens[i] = 1
	}
	a.inUse[i] = true
	c := Cell{i, a.gens[i]}
	atomic.StoreUint32(a.word(i, 0), c.Gen)
	atomic.StoreUint32(a.word(i, 1), c.Gen)
	return c, true
}

// RetireCell frees cell c once ready reports true (owner side).
func (a *Arena) RetireCell(c Cell, ready func() bool) {
	if !a.open() {
		return
	}
	defer a.use.RUnlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.retire = append(a.retire, retired{c, ready})
	a.sweepLocked()
}

func (a *Arena) freeCellLocked(c Cell) {
	if c.Index < arenaCells && a.inUse[c.Index] && a.gens[c.Index] == c.Gen {
		a.inUse[c.Index] = false
		a.cells = append(a.cells, c.Index)
	}
}

// Alloc hands out a slot of n bytes (owner side); released says when the
// reader is done with it. Space given back by readers is reused before the
// arena grows. ErrArenaFull when it would grow past its limit.
func (a *Arena) Alloc(n int64, cell Cell, released func() bool) (*Slot, error) {
	n = (n + arenaAlign - 1) &^ (arenaAlign - 1)
	if !a.open() {
		return nil, ErrArenaFull
	}
	defer a.use.RUnlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	off, ok := a.takeLocked(n)
	if !ok {
		a.sweepLocked()
		off, ok = a.takeLocked(n)
	}
	if !ok {
		if err := a.growLocked(n); err != nil {
			return nil, err
		}
		if off, ok = a.takeLocked(n); !ok {
			return nil, ErrArenaFull
		}
	}
	s := &Slot{Ref: ArenaRef{Cell: cell, Off: off, Len: n}, n: n, released: released}
	a.slots[s] = struct{}{}
	return s, nil
}

// takeLocked takes n bytes from the first free span that has them.
func (a *Arena) takeLocked(n int64) (int64, bool) {
	for i, s := range a.free {
		if s.n >= n {
			if s.n == n {
				a.free = append(a.free[:i], a.free[i+1:]...)
			} else {
				a.free[i] = span{s.off + n, s.n - n}
			}
			return s.off, true
		}
	}
	return 0, false
}

// giveLocked returns a span to the free list, merging neighbours.
func (a *Arena) giveLocked(off, n int64) {
	if n <= 0 {
		return
	}
	i := sort.Search(len(a.free), func(i int) bool { return a.free[i].off > off })
	a.free = append(a.free, span{})
	copy(a.free[i+1:], a.free[i:])
	a.free[i] = span{off, n}
	if i+1 < len(a.free) && a.free[i].off+a.free[i].n == a.free[i+1].off {
		a.free[i].n += a.free[i+1].n
		a.free = append(a.free[:i+1], a.free[i+2:]...)
	}
	if i > 0 && a.free[i-1].off+a.free[i-1].n == a.free[i].off {
		a.free[i-1].n += a.free[i].n
		a.free = append(a.free[:i], a.free[i+1:]...)
	}
}

// growLocked extends the file so that a span of n bytes is free at its end.
func (a *Arena) growLocked(n int64) error {
	size := a.size.Load()
	tail := int64(0) // free bytes at the end of the file
	if k := len(a.free); k > 0 && a.free[k-1].off+a.free[k-1].n == size {
		tail = a.free[k-1].n
	}
	need := size + n - tail
	if need > a.max {
		return ErrArenaFull
	}
	grown := max(need, min(a.max, size+max(size-arenaData, 4<<20))) // at least double the data, by 4 MiB at least
	grown = (grown + 4095) &^ 4095
	grown = min(grown, a.max)
	if err := a.f.Truncate(grown); err != nil {
		return fmt.Errorf("shared arena: %w", err)
	}
	a.size.Store(grown)
	a.giveLocked(size, grown-size)
	return nil
}

// sweepLocked frees the slots and cells readers are done with.
func (a *Arena) sweepLocked() {
	for s := range a.slots {
		if s.released() {
			a.freeSlotLocked(s)
		}
	}
	keep := a.retire[:0]
	for _, r := range a.retire {
		if r.ready() {
			a.freeCellLocked(r.c)
		} else {
			keep = append(keep, r)
		}
	}
	a.retire = keep
}

func (a *Arena) freeSlotLocked(s *Slot) {
	if _, ok := a.slots[s]; !ok {
		return
	}
	delete(a.slots, s)
	a.giveLocked(s.Ref.Off, s.n)
	if s.onFree != nil {
		s.onFree()
	}
}

// Free gives a slot back at once (owner side: the reader never got it).
func (a *Arena) Free(s *Slot) {
	if !a.open() {
		return
	}
	defer a.use.RUnlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.freeSlotLocked(s)
}

// Shrink trims a slot to its first used bytes, returning the rest (owner side).
func (a *Arena) Shrink(s *Slot, used int64) {
	n := (used + arenaAlign - 1) &^ (arenaAlign - 1)
	if !a.open() {
		return
	}
	defer a.use.RUnlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.slots[s]; !ok || used > s.Ref.Len {
		return
	}
	if n < s.n {
		a.giveLocked(s.Ref.Off+n, s.n-n)
		s.n = n
	}
	s.Ref.Len = used
}

// Sweep frees what readers are done with (owner side).
func (a *Arena) Sweep() {
	if !a.open() {
		return
	}
	defer a.use.RUnlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.sweepLocked()
}

// write copies b into the slot at off, unless the arena is closed.
func (a *Arena) write(s *Slot, off int64, b []byte) error {
	a.use.RLock()
	defer a.use.RUnlock()
	if a.closed {
		return errors.New("shared arena closed")
	}
	copy(a.mem[s.Ref.Off+off:s.Ref.Off+s.n], b)
	return nil
}

// check verifies a slot reference against the arena's bounds.
func (a *Arena) check(r ArenaRef) error {
	if r.Off < arenaData || r.Len <= 0 || r.Off > a.max || r.Len > a.max-r.Off {
		return fmt.Errorf("%w: slot %s is outside the arena (%d bytes)", ErrBadArenaRef, r.Name(), a.max)
	}
	if r.Off+r.Len > a.size.Load() {
		if err := a.refreshSize(); err != nil {
			return err
		}
		if r.Off+r.Len > a.size.Load() {
			return fmt.Errorf("%w: slot %s is past the end of the arena (%d bytes in use)", ErrBadArenaRef, r.Name(), a.size.Load())
		}
	}
	return nil
}

// View is the slot's bytes in the mapping, valid while the slot is held
// (reader side: the plugin, which holds its input until the call ends).
func (a *Arena) View(r ArenaRef) ([]byte, error) {
	if err := a.check(r); err != nil {
		return nil, err
	}
	return a.mem[r.Off : r.Off+r.Len : r.Off+r.Len], nil
}

// Copy copies the slot into Go memory and releases its cell (reader side:
// the host, for a slot it does not pin).
func (a *Arena) Copy(r ArenaRef) ([]byte, error) {
	if err := a.check(r); err != nil {
		return nil, err
	}
	a.use.RLock()
	defer a.use.RUnlock()
	if a.closed {
		return nil, errors.New("shared arena closed")
	}
	b := bytes.Clone(a.mem[r.Off : r.Off+r.Len]) // not zeroed first, unlike make
	a.release(r.Cell, 0)
	return b, nil
}

// Close unmaps the arena and closes its file, once no copy is under way
// and no pinned slot is left (else the last Unpin does): records that alias
// a pinned slot stay readable after the process that wrote them died.
func (a *Arena) Close() {
	a.use.Lock()
	defer a.use.Unlock()
	if a.closed {
		return
	}
	a.closed = true
	a.pinMu.Lock()
	defer a.pinMu.Unlock()
	if a.pins > 0 {
		a.unmapLater = a.mem
	} else {
		unmapArena(a.mem)
		a.f.Close()
	}
	a.mem = nil
}

// Closed reports whether Close has run.
func (a *Arena) Closed() bool {
	a.use.RLock()
	defer a.use.RUnlock()
	return a.closed
}

// File is the arena's memory file (to pass to the plugin process).
func (a *Arena) File() *os.File { return a.f }

// EndCall says the host reads no more of the call's output (the cell's
// second word) and frees the cell once the plugin has released its input
// (the first word) too (host side, input arena).
func (a *Arena) EndCall(c Cell) {
	a.Release(c, 1)
	a.RetireCell(c, func() bool { return !a.holds(c, 0) })
}

// EndInput says the plugin reads no more of the call's input (plugin side).
func (a *Arena) EndInput(c Cell) { a.Release(c, 0) }
