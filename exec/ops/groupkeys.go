package ops

import (
	"bytes"
	"hash/maphash"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Group keys of summarize (issue 12). Every key column gets its own
// interner that gives each distinct value a dense id in order of first
// appearance; a row's group is then found from its per-column ids with
// integer tables only (one key: the column id is the group; several keys:
// ids are paired column by column through open-addressing tables on
// uint64 pairs, the last pair id being the group). No Go map, no string
// per row: plain strings are hashed in place (maphash) and dictionary
// columns are looked up once per dictionary entry, the entry → id mapping
// being kept across batches while the dictionary stays the same or grows
// (the Parquet reader hands out one growing dictionary per row group).
//
// Column values are interned by their summarize key encoding
// (keyEncoder.append: typed, nulls apart, -0 = 0, one NaN) except that
// strings (and values grouped by their text) are interned as their raw
// bytes, flagged as text, so that a string key costs no encoding.

var groupSeed = maphash.MakeSeed()

// internTable gives dense ids to byte strings (flagged text or encoded).
type internTable struct {
	slots  []uint32 // id+1; 0 = empty
	hashes []uint64 // per id
	ends   []uint32 // per id: end of its bytes in arena (start: previous end)
	text   []bool   // per id: raw text (else an encoded value)
	arena  []byte
}

func (t *internTable) len() int { return len(t.hashes) }

func (t *internTable) key(id uint32) ([]byte, bool) {
	start := uint32(0)
	if id > 0 {
		start = t.ends[id-1]
	}
	return t.arena[start:t.ends[id]], t.text[id]
}

func hashKey(b []byte, text bool) uint64 {
	h := maphash.Bytes(groupSeed, b)
	if !text {
		h = ^h
	}
	return h
}

// intern returns the id of b (text or an encoded value), adding it.
func (t *internTable) intern(b []byte, text bool) uint32 {
	h := hashKey(b, text)
	if (len(t.hashes)+1)*2 > len(t.slots) {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			id := uint32(len(t.hashes))
			t.slots[i] = id + 1
			t.hashes = append(t.hashes, h)
			t.arena = append(t.arena, b...)
			t.ends = append(t.ends, uint32(len(t.arena)))
			t.text = append(t.text, text)
			return id
		}
		id := s - 1
		if t.hashes[id] == h && t.text[id] == text {
			if k, _ := t.key(id); bytes.Equal(k, b) {
				return id
			}
		}
	}
}

func (t *internTable) internString(s string) uint32 {
	return t.intern(unsafe.Slice(unsafe.StringData(s), len(s)), true)
}

func (t *internTable) grow() {
	size := max(16, 2*len(t.slots))
	t.slots = make([]uint32, size)
	mask := uint64(size - 1)
	for id, h := range t.hashes {
		i := h & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = uint32(id) + 1
	}
}

// pairTable gives dense ids to pairs (a, b) of 32-bit ids. While the
// pairs are dense enough it is a direct table indexed a*stride+b (stride a
// power of two above every b seen: one key column of few values, such as
// ActionType, after one of many); then it switches to open addressing with
// the keys in the slots (one cache line per probe).
type pairTable struct {
	dense  []uint32 // id+1 per a*stride+b; 0 = none
	shift  uint     // stride = 1<<shift
	hashed bool
	slots  []pairSlot
	n      int
}

type pairSlot struct {
	key uint64
	id  uint32 // id+1; 0 = empty
}

// maxDensePairs bounds the direct table (entries; 4 bytes each).
const maxDensePairs = 1 << 22

func pairHash(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	return k
}

func (t *pairTable) len() int { return t.n }

func (t *pairTable) intern(a, b uint32) uint32 {
	if !t.hashed {
		if b>>t.shift == 0 || t.widen(b) {
			idx := uint64(a)<<t.shift | uint64(b)
			if idx < uint64(len(t.dense)) || t.lengthen(idx) {
				if v := t.dense[idx]; v != 0 {
					return v - 1
				}
				id := uint32(t.n)
				t.n++
				t.dense[idx] = id + 1
				return id
			}
		}
	}
	return t.internHashed(uint64(a)<<32 | uint64(b))
}

// widen makes the stride exceed b, or switches to hashing (false).
func (t *pairTable) widen(b uint32) bool {
	shift := t.shift
	for b>>shift != 0 {
		shift++
	}
	rows := uint64(len(t.dense)) >> t.shift
	if rows<<shift > maxDensePairs || rows<<shift > 32*uint64(t.n)+1<<16 {
		t.toHashed()
		return false
	}
	dense := make([]uint32, rows<<shift)
	for r := uint64(0); r < rows; r++ {
		copy(dense[r<<shift:], t.dense[r<<t.shift:(r+1)<<t.shift])
	}
	t.dense, t.shift = dense, shift
	return true
}

// lengthen makes the direct table hold index idx, or switches to hashing.
func (t *pairTable) lengthen(idx uint64) bool {
	size := max(uint64(len(t.dense))*2, idx+1, 1024)
	stride := uint64(1) << t.shift
	size = (size + stride - 1) &^ (stride - 1)
	if size > maxDensePairs || size > 32*uint64(t.n)+1<<16 {
		if idx+1 > maxDensePairs || idx+1 > 32*uint64(t.n)+1<<16 {
			t.toHashed()
			return false
		}
		size = (idx + stride) &^ (stride - 1)
	}
	dense := make([]uint32, size)
	copy(dense, t.dense)
	t.dense = dense
	return true
}

func (t *pairTable) toHashed() {
	t.hashed = true
	n := t.n
	t.n = 0
	t.slots = make([]pairSlot, max(16, pow2(2*n+2)))
	keys := make([]uint64, n)
	for idx, v := range t.dense {
		if v != 0 {
			keys[v-1] = uint64(idx>>t.shift)<<32 | uint64(idx&(1<<t.shift-1))
		}
	}
	t.dense = nil
	for _, k := range keys {
		t.internHashed(k) // ids come back in order
	}
}

func pow2(n int) int {
	p := 1
	for p < n {
		p <<= 1
	}
	return p
}

func (t *pairTable) internHashed(k uint64) uint32 {
	if (t.n+1)*2 > len(t.slots) {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	for i := pairHash(k) & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.id == 0 {
			id := uint32(t.n)
			t.n++
			s.key, s.id = k, id+1
			return id
		}
		if s.key == k {
			return s.id - 1
		}
	}
}

func (t *pairTable) grow() {
	old := t.slots
	size := max(16, 2*len(old))
	t.slots = make([]pairSlot, size)
	mask := uint64(size - 1)
	for _, s := range old {
		if s.id == 0 {
			continue
		}
		i := pairHash(s.key) & mask
		for t.slots[i].id != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}

// dictCache maps the entries of the last dictionary seen by a key column
// to column ids (-1: not looked up yet).
type dictCache struct {
	dict *array.String // retained
	ids  []int32
}

func (c *dictCache) release() {
	if c.dict != nil {
		c.dict.Release()
		c.dict = nil
	}
	c.ids = nil
}

// extends reports whether dictionary values b begin with those of a.
func extendsDict(a, b *array.String) bool {
	n := a.Len()
	if b.Len() < n {
		return false
	}
	ao, bo := a.ValueOffsets(), b.ValueOffsets()
	if len(ao) < n+1 || len(bo) < n+1 {
		return false
	}
	if n == 0 {
		return true
	}
	// offsets relative to their first
	if ao[0] == bo[0] {
		if !bytes.Equal(int32Bytes(ao[:n+1]), int32Bytes(bo[:n+1])) {
			return false
		}
	} else {
		d := bo[0] - ao[0]
		for i := 0; i <= n; i++ {
			if bo[i] != ao[i]+d {
				return false
			}
		}
	}
	ab, bb := a.ValueBytes(), b.ValueBytes()
	size := int(ao[n] - ao[0])
	if len(ab) < size || len(bb) < size {
		return false
	}
	return bytes.Equal(ab[:size], bb[:size])
}

func int32Bytes(x []int32) []byte {
	if len(x) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&x[0])), 4*len(x))
}

// groupCol is the interner of one key column of a worker.
type groupCol struct {
	tab   internTable
	dict  dictCache
	ids   []uint32 // per row of the current batch
	empty int64    // id of "" (-1 until seen)
	text  bool     // the current batch's values are strings interned as text (kind string, String or dictionary array)
}

// rowIDs sets c.ids to the column id of every row of the key datum d.
func (c *groupCol) rowIDs(d kernels.Datum, n int, buf []byte) []byte {
	if cap(c.ids) < n {
		c.ids = make([]uint32, n)
	}
	ids := c.ids[:n]
	e := newKeyEncoder(d)
	c.text = d.Kind == types.String && (e.str != nil || e.dict != nil)
	if e.scalar {
		id, b := c.encodeRow(&e, 0, buf)
		buf = b
		for i := range ids {
			ids[i] = id
		}
		return buf
	}
	switch {
	case e.dict != nil:
		c.dictIDs(&e, ids)
	case e.str != nil && d.Kind != types.Dynamic:
		s := e.str
		if s.NullN() == 0 {
			for i := range ids {
				ids[i] = c.tab.internString(s.Value(i))
			}
		} else {
			for i := range ids {
				if s.IsNull(i) {
					ids[i] = c.emptyID()
				} else {
					ids[i] = c.tab.internString(s.Value(i))
				}
			}
		}
	default:
		for i := range ids {
			ids[i], buf = c.encodeRow(&e, i, buf)
		}
	}
	return buf
}

func (c *groupCol) emptyID() uint32 {
	if c.empty < 0 {
		c.empty = int64(c.tab.intern(nil, true))
	}
	return uint32(c.empty)
}

// encodeRow interns row i through the key encoding (strings and values
// encoded by their text as raw text).
func (c *groupCol) encodeRow(e *keyEncoder, i int, buf []byte) (uint32, []byte) {
	buf = e.append(buf[:0], i)
	if len(buf) >= 2 && buf[0] == 1 && e.textual() {
		// [1, uvarint len, bytes]
		_, k := uvarintLen(buf[1:])
		return c.tab.intern(buf[1+k:], true), buf
	}
	return c.tab.intern(buf, false), buf
}

func uvarintLen(b []byte) (uint64, int) {
	var x uint64
	var s uint
	for i, c := range b {
		if c < 0x80 {
			return x | uint64(c)<<s, i + 1
		}
		x |= uint64(c&0x7f) << s
		s += 7
	}
	return 0, len(b)
}

// dictIDs looks every dictionary entry used by the batch up once, keeping
// the entry → id mapping for the next batches of the same dictionary.
func (c *groupCol) dictIDs(e *keyEncoder, ids []uint32) {
	dv := e.dstr
	dc := &c.dict
	if dc.dict != dv {
		if dc.dict != nil && extendsDict(dc.dict, dv) {
			for len(dc.ids) < dv.Len() {
				dc.ids = append(dc.ids, -1)
			}
		} else {
			if cap(dc.ids) >= dv.Len() {
				dc.ids = dc.ids[:dv.Len()]
			} else {
				dc.ids = make([]int32, dv.Len())
			}
			for i := range dc.ids {
				dc.ids[i] = -1
			}
		}
		if dc.dict != nil {
			dc.dict.Release()
		}
		dv.Retain()
		dc.dict = dv
	}
	m := dc.ids
	d := e.dict
	nulls := d.NullN() > 0
	if ix, ok := d.Indices().(*array.Int32); ok {
		codes := ix.Int32Values()
		for i, code := range codes {
			if nulls && d.IsNull(i) {
				ids[i] = c.emptyID()
				continue
			}
			id := m[code]
			if id < 0 {
				id = int32(c.tab.internString(dv.Value(int(code))))
				m[code] = id
			}
			ids[i] = uint32(id)
		}
		return
	}
	for i := range ids {
		if nulls && d.IsNull(i) {
			ids[i] = c.emptyID()
			continue
		}
		code := d.GetValueIndex(i)
		id := m[code]
		if id < 0 {
			id = int32(c.tab.internString(dv.Value(code)))
			m[code] = id
		}
		ids[i] = uint32(id)
	}
}

// textual reports whether the encoder encodes non-null values by their
// text ([1, uvarint len, text]).
func (e *keyEncoder) textual() bool {
	return e.i64 == nil && e.i32 == nil && e.f64 == nil && e.ts == nil && e.dur == nil && e.boolA == nil
}

// groupKeys assigns group ids from the key columns of a worker.
type groupKeys struct {
	cols  []groupCol
	pairs []pairTable // pairs[j-1] pairs the id so far with column j
	gcols []uint32    // per group: its column ids (len(cols) per group)
	buf   []byte
}

func newGroupKeys(n int) *groupKeys {
	g := &groupKeys{cols: make([]groupCol, n)}
	for i := range g.cols {
		g.cols[i].empty = -1
	}
	if n > 1 {
		g.pairs = make([]pairTable, n-1)
	}
	return g
}

func (g *groupKeys) release() {
	for i := range g.cols {
		g.cols[i].dict.release()
	}
}

func (g *groupKeys) ngroups() int { return len(g.gcols) / max(1, len(g.cols)) }

// assign sets ids[i] to the group of row i; newGroup is called with the
// row of every group seen for the first time (group ids are dense, in
// order of first appearance).
func (g *groupKeys) assign(keys []kernels.Datum, ids []uint32, newGroup func(row int)) {
	n := len(ids)
	for j := range g.cols {
		g.buf = g.cols[j].rowIDs(keys[j], n, g.buf)
	}
	k := len(g.cols)
	if k == 1 {
		c := g.cols[0].ids[:n]
		for i, id := range c {
			if int(id) >= len(g.gcols) {
				g.gcols = append(g.gcols, id)
				newGroup(i)
			}
			ids[i] = id
		}
		return
	}
	copy(ids, g.cols[0].ids[:n])
	for j := 1; j < k; j++ {
		p := &g.pairs[j-1]
		c := g.cols[j].ids[:n]
		for i, id := range c {
			ids[i] = p.intern(ids[i], id)
		}
	}
	ng := g.ngroups()
	for i, id := range ids {
		if int(id) >= ng {
			for j := range g.cols {
				g.gcols = append(g.gcols, g.cols[j].ids[i])
			}
			ng++
			newGroup(i)
		}
	}
}

// mergeFrom maps the groups of o into g (adding those g lacks) and returns
// the mapping o group → g group; added is called for each added group
// with its group in o.
func (g *groupKeys) mergeFrom(o *groupKeys, added func(og int)) []uint32 {
	k := len(g.cols)
	colMap := make([][]uint32, k)
	for j := range g.cols {
		ot := &o.cols[j].tab
		m := make([]uint32, ot.len())
		for id := range m {
			b, text := ot.key(uint32(id))
			m[id] = g.cols[j].tab.intern(b, text)
		}
		colMap[j] = m
	}
	on := o.ngroups()
	out := make([]uint32, on)
	for og := 0; og < on; og++ {
		oc := o.gcols[og*k : og*k+k]
		id := colMap[0][oc[0]]
		for j := 1; j < k; j++ {
			id = g.pairs[j-1].intern(id, colMap[j][oc[j]])
		}
		if int(id) >= g.ngroups() {
			for j := 0; j < k; j++ {
				g.gcols = append(g.gcols, colMap[j][oc[j]])
			}
			added(og)
		}
		out[og] = id
	}
	return out
}
