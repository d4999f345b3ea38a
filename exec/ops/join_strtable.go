package ops

import (
	"hash/maphash"
	"math"
	"sync/atomic"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow/array"
)

// strTable maps the build side's distinct string keys to their groups for
// probing String arrays: open addressing (at most half full) over slots
// holding a hash tag, the group and the key's place in one byte arena.
// Probing runs in blocks: the hashes of a block of rows first, then the
// slot loads (independent, so their cache misses overlap), then the byte
// comparisons — the Go map's lookup is one serial chain of misses per row.
type strTable struct {
	seed  maphash.Seed
	mask  uint64
	slots []strSlot
	arena []byte
}

type strSlot struct {
	tag   uint32 // high bits of the hash
	group int32  // group+1; 0 = empty
	off   uint32 // key bytes: arena[off : off+n]
	n     uint32
}

// newStrTable builds the table of groups, or returns nil when the keys do
// not fit its 32-bit offsets.
func newStrTable(groups map[string]int32) *strTable {
	total := 0
	for k := range groups {
		total += len(k)
	}
	if total > math.MaxUint32 || len(groups) > math.MaxInt32/4 {
		return nil
	}
	size := 16
	for size < 2*len(groups) {
		size *= 2
	}
	t := &strTable{seed: maphash.MakeSeed(), mask: uint64(size - 1), slots: make([]strSlot, size), arena: make([]byte, 0, total)}
	for k, g := range groups {
		h := maphash.String(t.seed, k)
		i := h & t.mask
		for t.slots[i].group != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = strSlot{tag: uint32(h >> 32), group: g + 1, off: uint32(len(t.arena)), n: uint32(len(k))}
		t.arena = append(t.arena, k...)
	}
	return t
}

const strBlock = 128

// lookup sets gs[i] to the group of a's row i: nullGroup for a null, -1
// for a key the build side does not have.
func (t *strTable) lookup(a *array.String, gs []int32, nullGroup int32) {
	n := len(gs)
	var hs [strBlock]uint64
	var first [strBlock]strSlot
	nulls := a.NullN() > 0
	touched := 0
	for lo := 0; lo < n; lo += strBlock {
		m := min(strBlock, n-lo)
		for k := 0; k < m; k++ {
			hs[k] = maphash.String(t.seed, a.Value(lo+k))
		}
		for k := 0; k < m; k++ {
			first[k] = t.slots[hs[k]&t.mask]
		}
		// Touch each candidate's key bytes so that their misses overlap
		// too (the comparisons below then hit the cache).
		var touch byte
		for k := 0; k < m; k++ {
			if sl := first[k]; sl.n > 0 {
				touch |= t.arena[sl.off]
			}
		}
		touched += int(touch)
		for k := 0; k < m; k++ {
			i := lo + k
			if nulls && a.IsNull(i) {
				gs[i] = nullGroup
				continue
			}
			s := a.Value(i)
			h := hs[k]
			tag := uint32(h >> 32)
			sl := first[k]
			x := h & t.mask
			for {
				if sl.group == 0 {
					gs[i] = -1
					break
				}
				if sl.tag == tag && int(sl.n) == len(s) && keyEq(t.arena[sl.off:sl.off+sl.n], s) {
					gs[i] = sl.group - 1
					break
				}
				x = (x + 1) & t.mask
				sl = t.slots[x]
			}
		}
	}
	strTouched.Add(int64(touched & 1)) // keeps the touching loads
}

var strTouched atomic.Int64

// keyEq reports whether b and s (of equal lengths) hold the same bytes:
// 8-byte words (the last one overlapping) for keys of 8 bytes or more,
// inline, instead of a call to the runtime's memequal per probe row.
func keyEq(b []byte, s string) bool {
	n := len(s)
	if n < 8 {
		return string(b) == s
	}
	p, q := unsafe.Pointer(unsafe.SliceData(b)), unsafe.Pointer(unsafe.StringData(s))
	for i := 0; i < n-8; i += 8 {
		if *(*uint64)(unsafe.Add(p, i)) != *(*uint64)(unsafe.Add(q, i)) {
			return false
		}
	}
	return *(*uint64)(unsafe.Add(p, n-8)) == *(*uint64)(unsafe.Add(q, n-8))
}
