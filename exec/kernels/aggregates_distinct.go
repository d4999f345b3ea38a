package kernels

// dcount, dcountif, count_distinct(if), hll, hll_if, hll_merge and the
// scalar dcount_hll.
//
// Accuracy. Values are hashed to 64 bits (typed: integers, reals, bools
// without boxing; strings/guids/dynamic by their text). Each group keeps the
// exact set of hashes until it holds more than the level's exact limit, then
// switches to a HyperLogLog sketch with 2^p one-byte registers (linear
// counting while registers are empty):
//
//	accuracy  p   registers  exact up to  typical error
//	0         12  4096       256          1.6 %
//	1 (dflt)  14  16384      1000         0.8 %
//	2         16  65536      8000         0.4 %
//	3         17  131072     16000        0.28 %
//	4         18  262144     32000        0.2 %
//
// so small cardinalities are exact (bar 64-bit hash collisions, ~n²/2^65).
// count_distinct never switches to a sketch.
//
// The hll() result is a dynamic array: ["kqlhunt.hll",1,p,[h1,h2,...]]
// while exact (hashes as signed 64-bit integers) or
// ["kqlhunt.hll",1,p,"<base64 registers>"]. hll_merge of sketches with
// different p folds them to the smaller p.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	RegisterAggregate("dcount", newDcount(false, 1))
	RegisterAggregate("dcountif", withIf(newDcount(false, 1), 1))
	RegisterAggregate("count_distinct", newDcount(true, -1))
	RegisterAggregate("count_distinctif", withIf(newDcount(true, -1), 1))
	RegisterAggregate("hll", newHll(false))
	RegisterAggregate("hll_if", withIf(newHll(false), 1))
	RegisterAggregate("hll_merge", newHll(true))
	RegisterScalar("dcount_hll_dynamic", dcountHllKernel)
}

type hllLevel struct {
	p     uint8
	exact int
}

var hllLevels = [...]hllLevel{{12, 256}, {14, 1000}, {16, 8000}, {17, 16000}, {18, 32000}}

func levelOf(acc int64) hllLevel {
	if acc < 0 {
		acc = 0
	}
	if acc >= int64(len(hllLevels)) {
		acc = int64(len(hllLevels)) - 1
	}
	return hllLevels[acc]
}

// ---------------------------------------------------------------------------
// Hashing

func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hashString is mix64 of the FNV-1a hash of s (hash/fnv's New64a, inlined:
// no allocation; hll() sketches keep these values, so they must not change).
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return mix64(h)
}

func hashFloat(f float64) uint64 {
	if f == 0 {
		f = 0 // -0 == 0
	}
	if math.IsNaN(f) {
		return mix64(0x7ff8000000000001)
	}
	return mix64(math.Float64bits(f) ^ 0x5bd1e9955bd1e995)
}

// hashAt hashes row i of r; ok=false for null (and empty dynamic) values.
func (r *reader) hashAt(i int) (uint64, bool) {
	if !r.valid(i) {
		return 0, false
	}
	switch r.ph {
	case phInt, phBool:
		return mix64(uint64(r.int64At(i))), true
	case phFloat:
		return hashFloat(r.floatAt(i)), true
	case phString:
		s := r.stringAt(i)
		if r.kind == types.Dynamic && (s == "" || s == "null") {
			return 0, false
		}
		return hashString(s), true
	}
	return 0, false
}

// ---------------------------------------------------------------------------
// The per-group distinct set / sketch

type distinct struct {
	set  hashSet
	regs []uint8
}

// hashSet is an open-addressing set of (already mixed) 64-bit hashes.
type hashSet struct {
	slots []uint64 // 0 = empty
	n     int
	zero  bool // the hash 0 is present
}

func (h *hashSet) add(x uint64) {
	if x == 0 {
		if !h.zero {
			h.zero = true
			h.n++
		}
		return
	}
	if (h.n+1)*2 > len(h.slots) {
		h.rehash(max(8, 2*len(h.slots)))
	}
	mask := uint64(len(h.slots) - 1)
	for i := x & mask; ; i = (i + 1) & mask {
		switch h.slots[i] {
		case 0:
			h.slots[i] = x
			h.n++
			return
		case x:
			return
		}
	}
}

func (h *hashSet) rehash(size int) {
	old := h.slots
	h.slots = make([]uint64, size)
	mask := uint64(size - 1)
	for _, x := range old {
		if x == 0 {
			continue
		}
		i := x & mask
		for h.slots[i] != 0 {
			i = (i + 1) & mask
		}
		h.slots[i] = x
	}
}

func (h *hashSet) each(f func(uint64)) {
	if h.zero {
		f(0)
	}
	for _, x := range h.slots {
		if x != 0 {
			f(x)
		}
	}
}

func (h *hashSet) reset() { *h = hashSet{} }

type distinctState struct {
	dict               dictHashes               // hashes of the entries of a dictionary argument
	parts              [][]pendingAdd           // adds not applied yet, by group partition
	seen               *[1 << seenBits]seenPair // pairs pushed last (push drops repeats)
	seenHits, seenMiss int
	seenOff            bool // few repeats: push no longer looks
	npend              int
	lvl                hllLevel
	exact              bool // count_distinct: never sketch
	groups             []distinct
	asHll              bool // Finish yields the hll dynamic instead of a count
	merge              bool // hll_merge: the input is hll dynamics
	accSet             bool
	consts             []any
	accArg             int
}

func newDcount(exact bool, accArg int) AggKernel {
	return func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (AggState, error) {
		s := &distinctState{lvl: hllLevels[1], exact: exact, consts: consts, accArg: accArg}
		return s, nil
	}
}

func newHll(merge bool) AggKernel {
	return func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (AggState, error) {
		acc := 1
		if merge {
			acc = -1
		}
		return &distinctState{lvl: hllLevels[1], asHll: true, merge: merge, consts: consts, accArg: acc}, nil
	}
}

// Adds from Update are buffered and applied partition by partition
// (groups g with the same g mod pendingParts): a partition's group sets
// are a small part of all of them, so applying its adds together stays in
// cache, where applying them in row order misses cache on almost every row
// once the sets outgrow it. Sets and sketches do not depend on the order
// of the adds; within a group the order is kept anyway. Everything that
// reads the groups (Merge, Finish, hll_merge input) flushes first.
const pendingParts = 256

var pendingMax = 1 << 18 // pending adds flushed at this many (a var for tests)

type pendingAdd struct {
	h uint64
	g uint32
}

// Repeats are frequent (an account's events mostly come from the same
// address), and adding a (group, hash) pair again changes nothing (sets
// and sketches are idempotent), so push first looks the pair up in a
// small direct-mapped table of the pairs pushed last and drops it on a
// match: exact matches only (g and h both), so nothing a group would
// contain is lost. seenBits: log2 of its entries (16 bytes each: 64 KiB,
// in L2).
const seenBits = 12

// seenTrial: after this many pairs not dropped, push stops looking if it
// dropped fewer than one in 16.
const seenTrial = 1 << 16

type seenPair struct {
	h  uint64
	g1 uint32 // group+1; 0 = empty
}

var seenDrop = true // push drops repeats (a var for tests)

func (s *distinctState) push(g uint32, h uint64) {
	if !seenDrop || s.seenOff {
		s.pushPending(g, h)
		return
	}
	if s.seen == nil {
		s.seen = new([1 << seenBits]seenPair)
	}
	e := &s.seen[(h^uint64(g)*0x9e3779b97f4a7c15)>>(64-seenBits)]
	if e.h == h && e.g1 == g+1 {
		s.seenHits++
		return
	}
	*e = seenPair{h, g + 1}
	s.seenMiss++
	if s.seenMiss == seenTrial && s.seenHits < seenTrial/16 {
		// (almost) no repeats: stop looking
		s.seenOff, s.seen = true, nil
	}
	s.pushPending(g, h)
}

func (s *distinctState) pushPending(g uint32, h uint64) {
	if s.parts == nil {
		s.parts = make([][]pendingAdd, pendingParts)
	}
	p := &s.parts[g%pendingParts]
	*p = append(*p, pendingAdd{h, g})
	s.npend++
	if s.npend >= pendingMax {
		s.flush()
	}
}

func (s *distinctState) flush() {
	if s.npend == 0 {
		return
	}
	for i, part := range s.parts {
		for _, a := range part {
			s.add(a.g, a.h)
		}
		s.parts[i] = part[:0]
	}
	s.npend = 0
}

func (s *distinctState) add(g uint32, h uint64) {
	d := &s.groups[g]
	if d.regs != nil {
		hllInsert(d.regs, s.lvl.p, h)
		return
	}
	d.set.add(h)
	if !s.exact && d.set.n > s.lvl.exact {
		s.toSketch(d)
	}
}

func (s *distinctState) toSketch(d *distinct) {
	d.regs = make([]uint8, 1<<s.lvl.p)
	d.set.each(func(h uint64) { hllInsert(d.regs, s.lvl.p, h) })
	d.set.reset()
}

func hllInsert(regs []uint8, p uint8, h uint64) {
	idx := h >> (64 - p)
	w := h<<p | 1<<(p-1)
	rho := uint8(bits.LeadingZeros64(w) + 1)
	if rho > regs[idx] {
		regs[idx] = rho
	}
}

var pow2neg = func() (t [64]float64) {
	for i := range t {
		t[i] = math.Ldexp(1, -i)
	}
	return
}()

func hllEstimate(regs []uint8) float64 {
	m := float64(len(regs))
	sum := 0.0
	zeros := 0
	for _, r := range regs {
		sum += pow2neg[r&63]
		if r == 0 {
			zeros++
		}
	}
	e := 0.7213 / (1 + 1.079/m) * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros))
	}
	return e
}

func (d *distinct) count() int64 {
	if d.regs != nil {
		return int64(math.Round(hllEstimate(d.regs)))
	}
	return int64(d.set.n)
}

func (s *distinctState) Update(args []Datum, groups []uint32, ngroups int) error {
	if len(args) == 0 {
		return nil
	}
	if !s.accSet {
		s.accSet = true
		if s.accArg >= 0 {
			if acc, ok := argInt(s.consts, args, s.accArg); ok {
				s.lvl = levelOf(acc)
			}
		}
	}
	s.groups = grow(s.groups, ngroups)
	r := newReader(args[0])
	if s.merge {
		s.flush()
		for i, g := range groups {
			if g == skipGroup || !r.valid(i) {
				continue
			}
			if err := s.mergeText(g, r.stringAt(i)); err != nil {
				return err
			}
		}
		return nil
	}
	if r.dict != nil && r.stride == 1 {
		s.updateDict(&r, groups)
		return nil
	}
	if r.i64 != nil && !r.nulls && r.stride == 1 {
		for i, g := range groups {
			if g != skipGroup {
				s.push(g, mix64(uint64(r.i64[i])))
			}
		}
		return nil
	}
	for i, g := range groups {
		if g == skipGroup {
			continue
		}
		if h, ok := r.hashAt(i); ok {
			s.push(g, h)
		}
	}
	return nil
}

// dictHashes caches the hashes of the entries of the dictionary last seen
// (a copy of its entries, so that the next batch's dictionary can be
// recognised as the same one or one that grew: the Parquet reader hands
// out one growing dictionary per row group). st: 0 not hashed yet,
// 1 hashed, 2 no value (empty dynamic).
type dictHashes struct {
	offs []int32 // len(h)+1 offsets into data
	data []byte
	h    []uint64
	st   []uint8
}

// sync makes the cache describe dictionary values dv.
func (c *dictHashes) sync(dv *array.String) {
	n := len(c.h)
	offs := dv.ValueOffsets()
	vals := dv.ValueBytes()
	if n > 0 && !c.prefixOf(offs, vals) {
		c.offs, c.data, c.h, c.st = c.offs[:0], c.data[:0], c.h[:0], c.st[:0]
		n = 0
	}
	m := dv.Len()
	if m <= n {
		return
	}
	if len(c.offs) == 0 {
		c.offs = append(c.offs, 0)
	}
	base := offs[0]
	for i := n + 1; i <= m; i++ {
		c.offs = append(c.offs, offs[i]-base)
	}
	c.data = append(c.data, vals[offs[n]-base:offs[m]-base]...)
	for i := n; i < m; i++ {
		c.h = append(c.h, 0)
		c.st = append(c.st, 0)
	}
}

// prefixOf reports whether the cached entries are the first ones of the
// dictionary with offsets offs and values vals.
func (c *dictHashes) prefixOf(offs []int32, vals []byte) bool {
	n := len(c.h)
	if len(offs) < n+1 {
		return false
	}
	base := offs[0]
	for i := 0; i <= n; i++ {
		if offs[i]-base != c.offs[i] {
			return false
		}
	}
	size := int(c.offs[n])
	return len(vals) >= size && string(vals[:size]) == string(c.data[:size])
}

// updateDict is Update for a dictionary of strings: each entry is hashed
// once per dictionary.
func (s *distinctState) updateDict(r *reader, groups []uint32) {
	c := &s.dict
	c.sync(r.dictS)
	dyn := r.kind == types.Dynamic
	var codes []int32
	if ix, ok := r.dict.Indices().(*array.Int32); ok {
		codes = ix.Int32Values()
	}
	for i, g := range groups {
		if g == skipGroup || !r.valid(i) {
			continue
		}
		var code int
		if codes != nil {
			code = int(codes[i])
		} else {
			code = r.dict.GetValueIndex(i)
		}
		switch c.st[code] {
		case 0:
			v := r.dictS.Value(code)
			if dyn && (v == "" || v == "null") {
				c.st[code] = 2
				continue
			}
			c.h[code], c.st[code] = hashString(v), 1
		case 2:
			continue
		}
		s.push(g, c.h[code])
	}
}

// mergeText folds an hll() dynamic into group g.
func (s *distinctState) mergeText(g uint32, text string) error {
	p, hashes, regs, err := parseHll(text)
	if err != nil {
		return err
	}
	if p == 0 {
		return nil
	}
	for _, h := range hashes {
		s.add(g, h)
	}
	if regs != nil {
		s.mergeRegs(&s.groups[g], p, regs)
	}
	return nil
}

func levelForP(p uint8) hllLevel {
	for _, l := range hllLevels {
		if l.p == p {
			return l
		}
	}
	return hllLevels[1]
}

// mergeRegs folds registers of precision p into d (precision s.lvl.p).
// Registers of a higher precision are folded down; when the incoming sketch
// is coarser, every group of the state is folded down to its precision.
func (s *distinctState) mergeRegs(d *distinct, p uint8, regs []uint8) {
	if p < s.lvl.p {
		from := s.lvl.p
		s.lvl = levelForP(p)
		for gi := range s.groups {
			if gd := &s.groups[gi]; gd.regs != nil {
				gd.regs = foldRegs(gd.regs, from, p)
			}
		}
	}
	if d.regs == nil {
		s.toSketch(d)
	}
	if p > s.lvl.p {
		regs = foldRegs(regs, p, s.lvl.p)
	}
	for i, r := range regs {
		if r > d.regs[i] {
			d.regs[i] = r
		}
	}
}

// foldRegs lowers HyperLogLog registers from precision p to q < p: register
// i maps to i >> (p-q), and the index bits dropped extend the run of zeros.
func foldRegs(regs []uint8, p, q uint8) []uint8 {
	out := make([]uint8, 1<<q)
	shift := p - q
	for i, r := range regs {
		if r == 0 {
			continue
		}
		j := i >> shift
		low := uint64(i) & (1<<shift - 1)
		rr := shift + r
		if low != 0 {
			rr = uint8(bits.LeadingZeros64(low<<(64-shift))) + 1
		}
		if rr > out[j] {
			out[j] = rr
		}
	}
	return out
}

func (s *distinctState) Merge(other AggState, mapping []uint32, ngroups int) error {
	o, ok := other.(*distinctState)
	if !ok {
		return mergeErr("dcount")
	}
	o.flush()
	s.flush()
	s.groups = grow(s.groups, ngroups)
	if !s.accSet {
		s.lvl, s.accSet = o.lvl, o.accSet
	}
	for j := range o.groups {
		od := &o.groups[j]
		g := mapping[j]
		od.set.each(func(h uint64) { s.add(g, h) })
		if od.regs != nil {
			s.mergeRegs(&s.groups[g], o.lvl.p, od.regs)
		}
	}
	return nil
}

func (s *distinctState) Finish(mem memory.Allocator, ngroups int) (arrow.Array, error) {
	s.flush()
	s.parts, s.seen = nil, nil
	s.groups = grow(s.groups, ngroups)
	if s.asHll {
		vals := make([]string, ngroups)
		valid := make([]bool, ngroups)
		for g := 0; g < ngroups; g++ {
			d := &s.groups[g]
			if d.set.n == 0 && d.regs == nil {
				continue
			}
			vals[g], valid[g] = formatHll(s.lvl.p, d), true
		}
		return buildStrings(mem, vals, valid), nil
	}
	vals := make([]int64, ngroups)
	for g := range vals {
		vals[g] = s.groups[g].count()
	}
	return buildInts(mem, types.Long, vals, nil), nil
}

const hllTag = "kqlhunt.hll"

func formatHll(p uint8, d *distinct) string {
	var b strings.Builder
	b.WriteString(`["` + hllTag + `",1,`)
	b.WriteString(strconv.Itoa(int(p)))
	b.WriteByte(',')
	if d.regs != nil {
		b.WriteByte('"')
		b.WriteString(base64.StdEncoding.EncodeToString(d.regs))
		b.WriteString(`"]`)
		return b.String()
	}
	hs := make([]uint64, 0, d.set.n)
	d.set.each(func(h uint64) { hs = append(hs, h) })
	sort.Slice(hs, func(i, j int) bool { return hs[i] < hs[j] })
	b.WriteByte('[')
	for i, h := range hs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(int64(h), 10))
	}
	b.WriteString("]]")
	return b.String()
}

// parseHll reads an hll() dynamic. p=0 with no error means "not a sketch" (null, empty).
func parseHll(text string) (p uint8, hashes []uint64, regs []uint8, err error) {
	text = strings.TrimSpace(text)
	if text == "" || text == "null" {
		return 0, nil, nil, nil
	}
	var parts []json.RawMessage
	if json.Unmarshal([]byte(text), &parts) != nil || len(parts) != 4 {
		return 0, nil, nil, fmt.Errorf("hll: value is not an hll sketch")
	}
	var tag string
	var pp int
	if json.Unmarshal(parts[0], &tag) != nil || tag != hllTag || json.Unmarshal(parts[2], &pp) != nil || pp < 4 || pp > 18 {
		return 0, nil, nil, fmt.Errorf("hll: value is not an hll sketch")
	}
	p = uint8(pp)
	var enc string
	if json.Unmarshal(parts[3], &enc) == nil {
		regs, err = base64.StdEncoding.DecodeString(enc)
		if err != nil || len(regs) != 1<<p {
			return 0, nil, nil, fmt.Errorf("hll: corrupt sketch")
		}
		return p, nil, regs, nil
	}
	var hs []int64
	if err := json.Unmarshal(parts[3], &hs); err != nil {
		return 0, nil, nil, fmt.Errorf("hll: corrupt sketch")
	}
	hashes = make([]uint64, len(hs))
	for i, h := range hs {
		hashes[i] = uint64(h)
	}
	return p, hashes, nil, nil
}

// dcountHllKernel is dcount_hll(hll): the distinct count of a sketch.
func dcountHllKernel(ctx *Ctx, args []Datum, n int) (Datum, error) {
	if len(args) != 1 {
		return Datum{}, fmt.Errorf("dcount_hll: want 1 argument")
	}
	r := newReader(args[0])
	rows := args[0].Len(n)
	if args[0].Scalar {
		rows = 1
	}
	b := array.NewInt64Builder(ctx.Mem)
	defer b.Release()
	for i := 0; i < rows; i++ {
		if !r.valid(i) {
			b.AppendNull()
			continue
		}
		p, hashes, regs, err := parseHll(r.stringAt(i))
		if err != nil {
			return Datum{}, err
		}
		switch {
		case p == 0:
			b.AppendNull()
		case regs != nil:
			b.Append(int64(math.Round(hllEstimate(regs))))
		default:
			b.Append(int64(len(hashes)))
		}
	}
	return Datum{Array: b.NewArray(), Scalar: args[0].Scalar, Kind: types.Long}, nil
}

// HllUnionCount returns the distinct count of the union of hll() sketches
// (nulls are skipped), for plugins such as dcount_intersect.
func HllUnionCount(sketches ...string) (int64, error) {
	s := &distinctState{lvl: hllLevels[4], groups: make([]distinct, 1)}
	for _, t := range sketches {
		if err := s.mergeText(0, t); err != nil {
			return 0, err
		}
	}
	return s.groups[0].count(), nil
}

// HllIntersectCount estimates the distinct count of the intersection of
// hll() sketches: exact when every sketch still holds its exact hash set,
// else by inclusion–exclusion over union counts (clamped at 0).
func HllIntersectCount(sketches ...string) (int64, error) {
	if len(sketches) == 0 {
		return 0, nil
	}
	sets := make([]map[uint64]bool, 0, len(sketches))
	exact := true
	for _, t := range sketches {
		p, hashes, regs, err := parseHll(t)
		if err != nil {
			return 0, err
		}
		if p == 0 {
			return 0, nil // a null sketch: empty set
		}
		if regs != nil {
			exact = false
			break
		}
		m := make(map[uint64]bool, len(hashes))
		for _, h := range hashes {
			m[h] = true
		}
		sets = append(sets, m)
	}
	if exact {
		var n int64
		for h := range sets[0] {
			in := true
			for _, o := range sets[1:] {
				if !o[h] {
					in = false
					break
				}
			}
			if in {
				n++
			}
		}
		return n, nil
	}
	// |A1 ∩ ... ∩ Ak| = Σ over non-empty subsets S of (-1)^(|S|+1) |∪S|
	k := len(sketches)
	if k > 16 {
		return 0, fmt.Errorf("dcount intersection of more than 16 sketches")
	}
	var total float64
	for mask := 1; mask < 1<<k; mask++ {
		var sub []string
		for i := 0; i < k; i++ {
			if mask&(1<<i) != 0 {
				sub = append(sub, sketches[i])
			}
		}
		c, err := HllUnionCount(sub...)
		if err != nil {
			return 0, err
		}
		if bits.OnesCount(uint(mask))%2 == 1 {
			total += float64(c)
		} else {
			total -= float64(c)
		}
	}
	if total < 0 {
		total = 0
	}
	return int64(math.Round(total)), nil
}
