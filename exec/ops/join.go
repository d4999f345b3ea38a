package ops

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// JoinKind is a join flavor.
type JoinKind int

const (
	JoinInnerUnique JoinKind = iota
	JoinInner
	JoinLeftOuter
	JoinRightOuter
	JoinFullOuter
	JoinLeftAnti
	JoinRightAnti
	JoinLeftSemi
	JoinRightSemi
)

var joinKindNames = map[string]JoinKind{
	"innerunique": JoinInnerUnique, "inner": JoinInner, "leftouter": JoinLeftOuter,
	"rightouter": JoinRightOuter, "fullouter": JoinFullOuter, "leftanti": JoinLeftAnti,
	"anti": JoinLeftAnti, "leftantisemi": JoinLeftAnti, "rightanti": JoinRightAnti,
	"rightantisemi": JoinRightAnti, "leftsemi": JoinLeftSemi, "rightsemi": JoinRightSemi,
}

// ParseJoinKind maps a kind= value (case-insensitive) to a JoinKind; "" is innerunique.
func ParseJoinKind(s string) (JoinKind, bool) {
	if s == "" {
		return JoinInnerUnique, true
	}
	k, ok := joinKindNames[strings.ToLower(s)]
	return k, ok
}

// Columns reports which sides' columns a join kind outputs.
func (k JoinKind) Columns() (left, right bool) {
	switch k {
	case JoinLeftAnti, JoinLeftSemi:
		return true, false
	case JoinRightAnti, JoinRightSemi:
		return false, true
	}
	return true, true
}

// JoinSchema is the output schema of a join: left columns then right
// columns, a right column whose name is taken getting the first free
// suffix 1, 2, ... (Key → Key1), as Kusto does.
func JoinSchema(left, right *arrow.Schema, kind JoinKind) *arrow.Schema {
	lo, ro := kind.Columns()
	var fs []arrow.Field
	used := map[string]bool{}
	if lo {
		for _, f := range left.Fields() {
			fs = append(fs, f)
			used[f.Name] = true
		}
	}
	if ro {
		for _, f := range right.Fields() {
			n := uniqueName(f.Name, used)
			used[n] = true
			fs = append(fs, renamed(f, n))
		}
	}
	return arrow.NewSchema(fs, nil)
}

// HashJoin is an equi-join on key columns. It materialises the right side,
// and builds its hash table on whichever side turns out smaller (the left
// side is read only up to the right side's size to decide). The table maps
// each distinct key once to a group of build rows. Probe batches are
// matched in one pass per batch (group per row, then row-index lists) and
// the output columns are gathered in bulk per column; a probe column whose
// rows come out once each, in order, is passed on without a copy. Probing
// runs in a pipeline: one goroutine reads the probe side while Workers
// goroutines match batches, and the results come out in input order.
// Build rows are marked matched atomically; innerunique on the left side
// has the workers find each batch's first row per key and decides in input
// order (in Next) which rows are the first of their key overall.
type HashJoin struct {
	mem         memory.Allocator
	left, right Operator
	kind        JoinKind
	lkeys       []int
	rkeys       []int
	schema      *arrow.Schema
	asFloat     []bool

	started bool
	done    bool

	// build side
	buildLeft  bool
	dictBuild  bool
	buildDicts map[int]*buildDictCol // under cacheMu
	build      arrow.Record
	groups     map[string]int32
	stab       *strTable     // keyString: groups for probing String arrays (nil: use groups)
	head       []int32       // per group: first build row
	next       []int32       // per build row: next row in its group (-1 end)
	matched    []atomic.Bool // per build row (set by the probe workers)

	// probe side
	probeBuf []arrow.Record // buffered probe records (read while deciding)
	probeOp  Operator       // remaining probe stream (nil once exhausted)

	pending []arrow.Record

	keyMode   int             // keyGeneric, keyInt or keyString
	igroups   map[int64]int32 // int key → group
	nullGroup int32           // group of the null key (-1 none)
	seenGroup []atomic.Bool   // innerunique probing the left side: groups already used (set in order by Next)

	rightCols  []int  // right columns in the output (lookup drops its keys)
	buildRight bool   // always build on the right side (lookup)
	needed     []bool // per output column: false → emitted as nulls (nil: all needed)

	// shared by the probe workers (cacheMu)
	cacheMu   sync.Mutex
	nullCols  map[int]arrow.Array // per output column: an all-null array to slice
	dictData  arrow.ArrayData     // the dictionary dictGroups was computed for
	dictGroup []int32             // per entry of dictData: its build group

	// probe pipeline
	cancel  context.CancelFunc
	results chan chan probeResult
	wg      sync.WaitGroup
}

const (
	keyGeneric = iota // typed byte encoding of every key (encodeKey)
	keyInt            // one integer-like key on both sides
	keyString         // one string key on both sides: the text itself
)

type probeResult struct {
	recs []arrow.Record
	uniq *uniqueBatch // innerunique probing the left side: decided in order by Next
	err  error
}

// uniqueBatch is a probe batch of innerunique on the left side, matched by
// a worker: the first row of each matched key in the batch. Whether a key
// was already used by an earlier batch is decided in input order by Next.
type uniqueBatch struct {
	rec    arrow.Record
	rows   []int32
	groups []int32
}

// NewHashJoin returns a join of left and right on lkeys[i] == rkeys[i].
func NewHashJoin(mem memory.Allocator, left, right Operator, kind JoinKind, lkeys, rkeys []int) (*HashJoin, error) {
	if len(lkeys) != len(rkeys) || len(lkeys) == 0 {
		return nil, fmt.Errorf("join: need the same number (≥1) of left and right keys")
	}
	ls, rs := left.Schema(), right.Schema()
	lt := make([]arrow.DataType, len(lkeys))
	rt := make([]arrow.DataType, len(rkeys))
	for i := range lkeys {
		if lkeys[i] < 0 || lkeys[i] >= ls.NumFields() || rkeys[i] < 0 || rkeys[i] >= rs.NumFields() {
			return nil, fmt.Errorf("join: key column out of range")
		}
		lt[i] = ls.Field(lkeys[i]).Type
		rt[i] = rs.Field(rkeys[i]).Type
	}
	all := make([]int, rs.NumFields())
	for i := range all {
		all[i] = i
	}
	return &HashJoin{
		mem: mem, left: left, right: right, kind: kind, lkeys: lkeys, rkeys: rkeys,
		schema:    JoinSchema(ls, rs, kind),
		asFloat:   keyKindsFloat(lt, rt),
		rightCols: all,
	}, nil
}

// SetNeeded tells the join which of its output columns the rest of the
// query reads (by output position); the others are emitted as nulls
// instead of being gathered. A nil or short slice keeps every column.
func (j *HashJoin) SetNeeded(needed []bool) {
	if len(needed) != j.schema.NumFields() {
		j.needed = nil
		return
	}
	j.needed = needed
}

// Schema implements Operator.
func (j *HashJoin) Schema() *arrow.Schema { return j.schema }

// Close implements Operator.
func (j *HashJoin) Close() {
	j.stopPipeline()
	for _, a := range j.nullCols {
		a.Release()
	}
	j.nullCols = nil
	for _, bd := range j.buildDicts {
		bd.dict.Release()
	}
	j.buildDicts = nil
	if j.build != nil {
		j.build.Release()
		j.build = nil
	}
	releaseAll(j.probeBuf)
	j.probeBuf = nil
	releaseAll(j.pending)
	j.pending = nil
	if j.left != nil {
		j.left.Close()
		j.left = nil
	}
	if j.right != nil {
		j.right.Close()
		j.right = nil
	}
}

// stopPipeline cancels the probe goroutines, waits for them and releases
// what they produced.
func (j *HashJoin) stopPipeline() {
	if j.results == nil {
		return
	}
	j.cancel()
	for res := range j.results {
		r := <-res
		releaseAll(r.recs)
		r.uniq.release()
	}
	j.wg.Wait()
	j.results = nil
}

func (j *HashJoin) keyCols(rec arrow.Record, isLeft bool) []keyCol {
	keys := j.rkeys
	if isLeft {
		keys = j.lkeys
	}
	out := make([]keyCol, len(keys))
	for i, k := range keys {
		out[i] = keyCol{arr: rec.Column(k), asFloat: j.asFloat[i]}
	}
	return out
}

func (j *HashJoin) start(ctx context.Context) error {
	j.started = true
	rrecs, rn, err := drainAll(ctx, j.right)
	if err != nil {
		return err
	}
	defer func() { releaseAll(rrecs) }()
	// read left up to rn+1 rows to decide which side to build on
	ln := 0
	leftDone := false
	for ln <= rn {
		r, err := j.left.Next(ctx)
		if err != nil {
			return err
		}
		if r == nil {
			leftDone = true
			break
		}
		if r.NumRows() == 0 {
			r.Release()
			continue
		}
		ln += int(r.NumRows())
		j.probeBuf = append(j.probeBuf, r)
	}
	if leftDone && ln < rn && !j.buildRight {
		// build on the (smaller) left side, probe with the right records
		j.buildLeft = true
		b, err := concatRecords(j.mem, j.left.Schema(), decodeDicts(j.mem, j.probeBuf))
		if err != nil {
			return err
		}
		releaseAll(j.probeBuf)
		j.probeBuf = rrecs
		rrecs = nil
		j.build = b
		j.probeOp = nil
	} else {
		b, err := concatRecords(j.mem, j.right.Schema(), decodeDicts(j.mem, rrecs))
		if err != nil {
			return err
		}
		j.build = b
		if !leftDone {
			j.probeOp = j.left
		}
	}
	j.buildTable()
	j.startPipeline(ctx)
	return nil
}

func isIntKey(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT64, arrow.INT32, arrow.TIMESTAMP, arrow.DURATION:
		return true
	}
	return false
}

func isStringKey(t arrow.DataType) bool {
	switch t := t.(type) {
	case *arrow.StringType:
		return true
	case *arrow.DictionaryType:
		return t.ValueType.ID() == arrow.STRING
	}
	return false
}

// intKey returns row i of an integer key column.
func intKey(a arrow.Array, i int) int64 {
	switch x := a.(type) {
	case *array.Int64:
		return x.Value(i)
	case *array.Int32:
		return int64(x.Value(i))
	case *array.Timestamp:
		return int64(x.Value(i))
	case *array.Duration:
		return int64(x.Value(i))
	}
	return 0
}

// keyText reads the text of a string key column, (_, false) for null. It
// goes through the kernels' string accessor (plain and dictionary arrays);
// the guid kind reads the stored text and keeps nulls apart from "".
func keyText(a arrow.Array) func(int) (string, bool) {
	return kernels.Strings(kernels.Datum{Array: a, Kind: types.Guid})
}

// lookupGroups sets gs[i] to the build group of probe row i (-1: none).
func (j *HashJoin) lookupGroups(cols []keyCol, gs []int32) {
	n := len(gs)
	switch j.keyMode {
	case keyInt:
		a := cols[0].arr
		for i := 0; i < n; i++ {
			if a.IsNull(i) {
				gs[i] = j.nullGroup
				continue
			}
			if g, ok := j.igroups[intKey(a, i)]; ok {
				gs[i] = g
			} else {
				gs[i] = -1
			}
		}
	case keyString:
		if d, ok := cols[0].arr.(*array.Dictionary); ok {
			dm := j.dictGroups(d.Dictionary())
			for i := 0; i < n; i++ {
				if d.IsNull(i) {
					gs[i] = j.nullGroup
					continue
				}
				gs[i] = dm[d.GetValueIndex(i)]
			}
			return
		}
		if a, ok := cols[0].arr.(*array.String); ok && j.stab != nil {
			j.stab.lookup(a, gs, j.nullGroup)
			return
		}
		text := keyText(cols[0].arr)
		for i := 0; i < n; i++ {
			s, ok := text(i)
			if !ok {
				gs[i] = j.nullGroup
				continue
			}
			if g, ok := j.groups[s]; ok {
				gs[i] = g
			} else {
				gs[i] = -1
			}
		}
	default:
		var buf []byte
		for i := 0; i < n; i++ {
			buf = encodeKey(buf[:0], cols, i)
			if g, ok := j.groups[string(buf)]; ok {
				gs[i] = g
			} else {
				gs[i] = -1
			}
		}
	}
}

// dictGroups returns the build group of every entry of a probe column's
// dictionary (-1: none). Batches read from one Parquet column chunk share
// their dictionary, so the last one is kept for the next batches.
func (j *HashJoin) dictGroups(dict arrow.Array) []int32 {
	j.cacheMu.Lock()
	if j.dictData == dict.Data() {
		dm := j.dictGroup
		j.cacheMu.Unlock()
		return dm
	}
	j.cacheMu.Unlock()
	entry := keyText(dict)
	dm := make([]int32, dict.Len())
	for x := range dm {
		s, ok := entry(x)
		if !ok {
			dm[x] = j.nullGroup
			continue
		}
		if g, ok := j.groups[s]; ok {
			dm[x] = g
		} else {
			dm[x] = -1
		}
	}
	j.cacheMu.Lock()
	j.dictData, j.dictGroup = dict.Data(), dm
	j.cacheMu.Unlock()
	return dm
}

// nullColumn returns n nulls of output column c's type: a slice of one
// all-null array kept per column.
func (j *HashJoin) nullColumn(c int, t arrow.DataType, n int) arrow.Array {
	j.cacheMu.Lock()
	defer j.cacheMu.Unlock()
	a := j.nullCols[c]
	if a == nil || a.Len() < n {
		if a != nil {
			a.Release()
		}
		a = array.MakeArrayOfNull(j.mem, t, max(n, DefaultBatchRows))
		if j.nullCols == nil {
			j.nullCols = map[int]arrow.Array{}
		}
		j.nullCols[c] = a
	}
	return array.NewSlice(a, 0, int64(n))
}

func (j *HashJoin) buildTable() {
	n := int(j.build.NumRows())
	j.nullGroup = -1
	lt, rt := j.left.Schema().Field(j.lkeys[0]).Type, j.right.Schema().Field(j.rkeys[0]).Type
	switch {
	case len(j.lkeys) == 1 && !j.asFloat[0] && isIntKey(lt) && isIntKey(rt):
		j.keyMode = keyInt
		j.igroups = make(map[int64]int32, n)
	case len(j.lkeys) == 1 && isStringKey(lt) && isStringKey(rt):
		j.keyMode = keyString
		j.groups = make(map[string]int32, n)
	default:
		j.keyMode = keyGeneric
		j.groups = make(map[string]int32, n)
	}
	j.next = make([]int32, n)
	j.matched = make([]atomic.Bool, n)
	var tail []int32
	cols := j.keyCols(j.build, j.buildLeft)
	dedup := j.buildLeft && j.kind == JoinInnerUnique
	var text func(int) (string, bool)
	if j.keyMode == keyString {
		text = keyText(cols[0].arr)
	}
	var buf []byte
	for i := 0; i < n; i++ {
		j.next[i] = -1
		newG := int32(len(j.head))
		var g int32
		var ok bool
		switch j.keyMode {
		case keyInt, keyString:
			a := cols[0].arr
			var s string
			null := a.IsNull(i)
			if j.keyMode == keyString && !null {
				s, _ = text(i)
			}
			switch {
			case null:
				g, ok = j.nullGroup, j.nullGroup >= 0
				if !ok {
					j.nullGroup = newG
				}
			case j.keyMode == keyInt:
				k := intKey(a, i)
				if g, ok = j.igroups[k]; !ok {
					j.igroups[k] = newG
				}
			default:
				if g, ok = j.groups[s]; !ok {
					j.groups[strings.Clone(s)] = newG
				}
			}
		default:
			buf = encodeKey(buf[:0], cols, i)
			if g, ok = j.groups[string(buf)]; !ok {
				j.groups[string(buf)] = newG
			}
		}
		if !ok {
			j.head = append(j.head, int32(i))
			tail = append(tail, int32(i))
			continue
		}
		if dedup {
			j.matched[i].Store(true) // never emitted
			continue
		}
		j.next[tail[g]] = int32(i)
		tail[g] = int32(i)
	}
	if j.kind == JoinInnerUnique && !j.buildLeft {
		j.seenGroup = make([]atomic.Bool, len(j.head))
	}
	if j.keyMode == keyString && !noStrTable {
		j.stab = newStrTable(j.groups)
	}
}

// noStrTable disables the strTable probe (tests compare both paths).
var noStrTable bool

// probeFlags says what a kind emits while probing.
type probeFlags struct {
	pairs, probeUnmatched, probeSemi, probeAnti, markBuild bool
}

func (j *HashJoin) flags() probeFlags {
	probeIsLeft := !j.buildLeft
	var f probeFlags
	switch j.kind {
	case JoinInner, JoinInnerUnique:
		f.pairs = true
	case JoinLeftOuter:
		f.pairs, f.probeUnmatched = true, probeIsLeft
		f.markBuild = !probeIsLeft
	case JoinRightOuter:
		f.pairs, f.probeUnmatched = true, !probeIsLeft
		f.markBuild = probeIsLeft
	case JoinFullOuter:
		f.pairs, f.probeUnmatched, f.markBuild = true, true, true
	case JoinLeftSemi:
		f.probeSemi, f.markBuild = probeIsLeft, !probeIsLeft
	case JoinRightSemi:
		f.probeSemi, f.markBuild = !probeIsLeft, probeIsLeft
	case JoinLeftAnti:
		f.probeAnti, f.markBuild = probeIsLeft, !probeIsLeft
	case JoinRightAnti:
		f.probeAnti, f.markBuild = !probeIsLeft, probeIsLeft
	}
	return f
}

// startPipeline starts the probe reader and the matching workers.
func (j *HashJoin) startPipeline(ctx context.Context) {
	f := j.flags()
	nw := max(Workers, 1)
	pctx, cancel := context.WithCancel(ctx)
	j.cancel = cancel
	type job struct {
		rec arrow.Record
		out chan probeResult
	}
	jobs := make(chan job, nw)
	results := make(chan chan probeResult, 2*nw)
	j.results = results
	buf, op := j.probeBuf, j.probeOp
	j.probeBuf, j.probeOp = nil, nil
	j.wg.Add(1 + nw)
	go func() { // reader: in order
		defer j.wg.Done()
		defer close(results)
		defer close(jobs)
		defer func() { releaseAll(buf) }() // the records not handed out
		for {
			var rec arrow.Record
			var err error
			switch {
			case len(buf) > 0:
				rec, buf = buf[0], buf[1:]
			case op != nil:
				rec, err = op.Next(pctx)
			}
			if err == nil && rec == nil {
				return
			}
			if err == nil {
				err = pctx.Err()
			}
			out := make(chan probeResult, 1)
			if err != nil {
				if rec != nil {
					rec.Release()
				}
				out <- probeResult{err: err}
				results <- out
				return
			}
			results <- out
			jobs <- job{rec: rec, out: out}
		}
	}()
	for w := 0; w < nw; w++ {
		go func() {
			defer j.wg.Done()
			for jb := range jobs {
				var recs []arrow.Record
				var uniq *uniqueBatch
				err := guard(func() error {
					if pctx.Err() != nil {
						return pctx.Err()
					}
					if j.seenGroup != nil {
						uniq = j.probeUnique(jb.rec)
						return nil
					}
					recs = j.probe(jb.rec, f)
					return nil
				})
				jb.rec.Release()
				if err != nil {
					releaseAll(recs)
					recs = nil
					uniq.release()
					uniq = nil
				}
				jb.out <- probeResult{recs: recs, uniq: uniq, err: err}
			}
		}()
	}
}

// Next implements Operator.
func (j *HashJoin) Next(ctx context.Context) (arrow.Record, error) {
	if !j.started {
		if err := j.start(ctx); err != nil {
			return nil, err
		}
	}
	for len(j.pending) == 0 {
		if j.done {
			return nil, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res, ok := <-j.results
		if !ok {
			j.wg.Wait()
			j.results = nil
			j.done = true
			j.pending = j.finish()
			continue
		}
		r := <-res
		if r.err != nil {
			return nil, r.err
		}
		j.pending = append(j.pending, r.recs...)
		if r.uniq != nil {
			j.pending = append(j.pending, j.emitUnique(r.uniq)...)
			r.uniq.release()
		}
	}
	r := j.pending[0]
	j.pending = j.pending[1:]
	return r, nil
}

// probe matches one probe record against the build table and returns the
// output records.
func (j *HashJoin) probe(rec arrow.Record, f probeFlags) []arrow.Record {
	cols := j.keyCols(rec, !j.buildLeft)
	n := int(rec.NumRows())
	gs := make([]int32, n)
	j.lookupGroups(cols, gs)
	var out []arrow.Record
	pidx := make([]int32, 0, n)
	var bidx []int32
	if f.pairs {
		bidx = make([]int32, 0, n)
	}
	for i, g := range gs {
		if g < 0 {
			if f.probeUnmatched || f.probeAnti {
				pidx = append(pidx, int32(i))
				if f.pairs {
					bidx = append(bidx, -1)
				}
			}
			continue
		}
		if f.probeSemi {
			pidx = append(pidx, int32(i))
		}
		for b := j.head[g]; b >= 0; b = j.next[b] {
			if f.markBuild && !j.matched[b].Load() {
				j.matched[b].Store(true)
			}
			if f.pairs {
				pidx = append(pidx, int32(i))
				bidx = append(bidx, b)
			}
		}
		if len(pidx) >= DefaultBatchRows {
			out = append(out, j.emit(rec, pidx, bidx))
			pidx, bidx = pidx[:0], bidx[:0]
		}
	}
	if len(pidx) > 0 {
		out = append(out, j.emit(rec, pidx, bidx))
	}
	return out
}

// probeUnique finds, for innerunique probing the left side, the first row
// of each matched key in rec (rec is retained in the result).
func (j *HashJoin) probeUnique(rec arrow.Record) *uniqueBatch {
	n := int(rec.NumRows())
	gs := make([]int32, n)
	j.lookupGroups(j.keyCols(rec, true), gs)
	u := &uniqueBatch{rec: rec}
	// a key an earlier batch used is skipped here already: Next marks keys
	// in input order, so a mark seen now comes from an earlier batch
	var inBatch []bool
	var inBatchMap map[int32]bool
	if len(j.head) <= 4*n {
		inBatch = make([]bool, len(j.head))
	} else {
		inBatchMap = map[int32]bool{}
	}
	for i, g := range gs {
		if g < 0 || j.seenGroup[g].Load() {
			continue
		}
		if inBatch != nil {
			if inBatch[g] {
				continue
			}
			inBatch[g] = true
		} else {
			if inBatchMap[g] {
				continue
			}
			inBatchMap[g] = true
		}
		u.rows = append(u.rows, int32(i))
		u.groups = append(u.groups, g)
	}
	rec.Retain()
	return u
}

func (u *uniqueBatch) release() {
	if u != nil && u.rec != nil {
		u.rec.Release()
		u.rec = nil
	}
}

// emitUnique keeps the rows of u whose key no earlier row used and pairs
// them with their build rows (called in input order).
func (j *HashJoin) emitUnique(u *uniqueBatch) []arrow.Record {
	var out []arrow.Record
	var pidx, bidx []int32
	for k, i := range u.rows {
		g := u.groups[k]
		if j.seenGroup[g].Load() {
			continue
		}
		j.seenGroup[g].Store(true)
		for b := j.head[g]; b >= 0; b = j.next[b] {
			pidx = append(pidx, i)
			bidx = append(bidx, b)
		}
		if len(pidx) >= DefaultBatchRows {
			out = append(out, j.emit(u.rec, pidx, bidx))
			pidx, bidx = pidx[:0], bidx[:0]
		}
	}
	if len(pidx) > 0 {
		out = append(out, j.emit(u.rec, pidx, bidx))
	}
	return out
}

// emit builds output rows: probe rows pidx of prec (nil → nulls) paired
// with build rows bidx (nil or -1 → nulls).
func (j *HashJoin) emit(prec arrow.Record, pidx, bidx []int32) arrow.Record {
	n := len(pidx)
	if prec == nil {
		n = len(bidx)
	}
	lo, ro := j.kind.Columns()
	cols := make([]arrow.Array, 0, j.schema.NumFields())
	var lrec, rrec arrow.Record
	var lidx, ridx []int32
	if j.buildLeft {
		lrec, lidx, rrec, ridx = j.build, bidx, prec, pidx
	} else {
		lrec, lidx, rrec, ridx = prec, pidx, j.build, bidx
	}
	gather := func(rec arrow.Record, c int, t arrow.DataType, idx []int32) arrow.Array {
		if (j.needed != nil && !j.needed[len(cols)]) || rec == nil || idx == nil {
			return j.nullColumn(len(cols), t, n)
		}
		if j.dictBuild && rec == j.build {
			if str, ok := rec.Column(c).(*array.String); ok && kernels.KindOf(j.schema.Field(len(cols))) == types.String {
				return j.buildDict(c, str, idx)
			}
		}
		return takeColumn(j.mem, rec.Column(c), idx)
	}
	if lo {
		ls := j.left.Schema()
		for c := 0; c < ls.NumFields(); c++ {
			cols = append(cols, gather(lrec, c, ls.Field(c).Type, lidx))
		}
	}
	if ro {
		rs := j.right.Schema()
		for _, c := range j.rightCols {
			cols = append(cols, gather(rrec, c, rs.Field(c).Type, ridx))
		}
	}
	return newRecord(dictSchema(j.schema, cols), cols, n)
}

// SetDictBuild lets the join emit the build side's string columns as
// dictionary arrays over the build column (indices = build rows) instead
// of copying the strings, for pipes whose rest accepts dictionary arrays
// (exec/plan: dictSafe).
func (j *HashJoin) SetDictBuild(on bool) { j.dictBuild = on }

// buildDict is rows idx (-1 → null) of build string column c as a
// dictionary array over the column's distinct values (computed once per
// column: a department column of 50k identities has a handful).
func (j *HashJoin) buildDict(c int, str *array.String, idx []int32) arrow.Array {
	j.cacheMu.Lock()
	bd := j.buildDicts[c]
	if bd == nil {
		bd = distinctCodes(j.mem, str)
		if j.buildDicts == nil {
			j.buildDicts = map[int]*buildDictCol{}
		}
		j.buildDicts[c] = bd
	}
	j.cacheMu.Unlock()
	b := array.NewInt32Builder(j.mem)
	defer b.Release()
	b.Reserve(len(idx))
	for _, i := range idx {
		if i < 0 || bd.codes[i] < 0 {
			b.AppendNull()
		} else {
			b.Append(bd.codes[i])
		}
	}
	ind := b.NewArray()
	defer ind.Release()
	return array.NewDictionaryArray(bd.typ, ind, bd.dict)
}

// buildDictCol is a build column as codes into its distinct values.
type buildDictCol struct {
	codes []int32 // per build row; -1 = null
	dict  arrow.Array
	typ   *arrow.DictionaryType
}

func distinctCodes(mem memory.Allocator, str *array.String) *buildDictCol {
	codes := make([]int32, str.Len())
	seen := map[string]int32{}
	b := array.NewStringBuilder(mem)
	defer b.Release()
	for i := range codes {
		if str.IsNull(i) {
			codes[i] = -1
			continue
		}
		v := str.Value(i)
		code, ok := seen[v]
		if !ok {
			code = int32(len(seen))
			seen[v] = code
			b.Append(v)
		}
		codes[i] = code
	}
	return &buildDictCol{codes: codes, dict: b.NewArray(),
		typ: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}}
}

// takeColumn gathers rows idx of arr (-1 → null). Rows 0..len-1 in order
// are the column itself; a dictionary column keeps its dictionary.
func takeColumn(mem memory.Allocator, arr arrow.Array, idx []int32) arrow.Array {
	if len(idx) == arr.Len() {
		same := true
		for i, x := range idx {
			if int(x) != i {
				same = false
				break
			}
		}
		if same {
			arr.Retain()
			return arr
		}
	}
	switch a := arr.(type) {
	case *array.Dictionary:
		ind := takeArray(mem, a.Indices(), idx)
		defer ind.Release()
		return array.NewDictionaryArray(a.DataType(), ind, a.Dictionary())
	case *array.String:
		if out := takeStrings(mem, a, idx); out != nil {
			return out
		}
	}
	return takeArray(mem, arr, idx)
}

// takeStrings gathers rows idx of a string array (-1 → null) into buffers
// sized once, copying the bytes straight from a's data; nil when the
// result would not fit 32-bit offsets.
func takeStrings(mem memory.Allocator, a *array.String, idx []int32) arrow.Array {
	offs := a.ValueOffsets()
	var vals []byte
	if b := a.Data().Buffers()[2]; b != nil {
		vals = b.Bytes()
	}
	hasNulls := a.NullN() > 0
	n := len(idx)
	total, nulls := 0, 0
	for _, i := range idx {
		if i < 0 || (hasNulls && a.IsNull(int(i))) {
			nulls++
			continue
		}
		total += int(offs[i+1] - offs[i])
	}
	if total > math.MaxInt32 {
		return nil
	}
	offBuf := memory.NewResizableBuffer(mem)
	offBuf.Resize((n + 1) * arrow.Int32SizeBytes)
	dataBuf := memory.NewResizableBuffer(mem)
	dataBuf.Resize(total)
	var validBuf *memory.Buffer
	var valid []byte
	if nulls > 0 {
		validBuf = memory.NewResizableBuffer(mem)
		validBuf.Resize(int(bitutil.BytesForBits(int64(n))))
		valid = validBuf.Bytes()
		clear(valid)
	}
	o := arrow.Int32Traits.CastFromBytes(offBuf.Bytes())
	d := dataBuf.Bytes()
	pos := 0
	for k, i := range idx {
		o[k] = int32(pos)
		if i < 0 || (hasNulls && a.IsNull(int(i))) {
			continue
		}
		pos += copy(d[pos:], vals[offs[i]:offs[i+1]])
		if valid != nil {
			bitutil.SetBit(valid, k)
		}
	}
	o[n] = int32(pos)
	data := array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{validBuf, offBuf, dataBuf}, nil, nulls, 0)
	offBuf.Release()
	dataBuf.Release()
	if validBuf != nil {
		validBuf.Release()
	}
	defer data.Release()
	return array.NewStringData(data)
}

// finish returns the build rows the kind wants after probing.
func (j *HashJoin) finish() []arrow.Record {
	var want func(matched bool) bool
	buildIsLeft := j.buildLeft
	switch j.kind {
	case JoinLeftOuter:
		if buildIsLeft {
			want = func(m bool) bool { return !m }
		}
	case JoinRightOuter:
		if !buildIsLeft {
			want = func(m bool) bool { return !m }
		}
	case JoinFullOuter:
		want = func(m bool) bool { return !m }
	case JoinLeftSemi:
		if buildIsLeft {
			want = func(m bool) bool { return m }
		}
	case JoinRightSemi:
		if !buildIsLeft {
			want = func(m bool) bool { return m }
		}
	case JoinLeftAnti:
		if buildIsLeft {
			want = func(m bool) bool { return !m }
		}
	case JoinRightAnti:
		if !buildIsLeft {
			want = func(m bool) bool { return !m }
		}
	}
	if want == nil {
		return nil
	}
	var out []arrow.Record
	var bidx []int32
	for i := range j.matched {
		if want(j.matched[i].Load()) {
			bidx = append(bidx, int32(i))
			if len(bidx) >= DefaultBatchRows {
				out = append(out, j.emit(nil, nil, bidx))
				bidx = bidx[:0]
			}
		}
	}
	if len(bidx) > 0 {
		out = append(out, j.emit(nil, nil, bidx))
	}
	return out
}
