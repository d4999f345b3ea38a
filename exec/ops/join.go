package ops

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
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
// side is read only up to the right side's size to decide).
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
	buildLeft bool
	build     arrow.Record
	groups    map[string]int32
	head      []int32 // per group: first build row
	next      []int32 // per build row: next row in its group (-1 end)
	matched   []bool  // per build row

	// probe side
	probeBuf []arrow.Record // buffered probe records (read while deciding)
	probeOp  Operator       // remaining probe stream (nil once exhausted)

	pending []arrow.Record
	keybuf  []byte

	intKeys   bool            // single integer key: igroups instead of groups
	igroups   map[int64]int32 // int key → group
	nullGroup int32           // group of the null key (-1 none)
	seenGroup []bool          // innerunique probing the left side: groups already used

	rightCols  []int // right columns in the output (lookup drops its keys)
	buildRight bool  // always build on the right side (lookup)
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

// Schema implements Operator.
func (j *HashJoin) Schema() *arrow.Schema { return j.schema }

// Close implements Operator.
func (j *HashJoin) Close() {
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
	}
	if j.right != nil {
		j.right.Close()
	}
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
		b, err := concatRecords(j.mem, j.left.Schema(), j.probeBuf)
		if err != nil {
			return err
		}
		releaseAll(j.probeBuf)
		j.probeBuf = rrecs
		rrecs = nil
		j.build = b
		j.probeOp = nil
	} else {
		b, err := concatRecords(j.mem, j.right.Schema(), rrecs)
		if err != nil {
			return err
		}
		j.build = b
		if !leftDone {
			j.probeOp = j.left
		}
	}
	j.buildTable()
	return nil
}

func isIntKey(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT64, arrow.INT32, arrow.TIMESTAMP, arrow.DURATION:
		return true
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

// group finds (or, with insert, adds as newG) the group of row i's key.
func (j *HashJoin) group(cols []keyCol, i int, insert bool, newG int32) (int32, bool) {
	if j.intKeys {
		a := cols[0].arr
		if a.IsNull(i) {
			if j.nullGroup < 0 && insert {
				j.nullGroup = newG
				return newG, false
			}
			return j.nullGroup, j.nullGroup >= 0
		}
		k := intKey(a, i)
		g, ok := j.igroups[k]
		if !ok && insert {
			j.igroups[k] = newG
		}
		return g, ok
	}
	j.keybuf = encodeKey(j.keybuf[:0], cols, i)
	g, ok := j.groups[string(j.keybuf)]
	if !ok && insert {
		j.groups[string(j.keybuf)] = newG
	}
	return g, ok
}

func (j *HashJoin) buildTable() {
	n := int(j.build.NumRows())
	j.nullGroup = -1
	if len(j.lkeys) == 1 && !j.asFloat[0] && isIntKey(j.left.Schema().Field(j.lkeys[0]).Type) && isIntKey(j.right.Schema().Field(j.rkeys[0]).Type) {
		j.intKeys = true
		j.igroups = make(map[int64]int32, n)
	} else {
		j.groups = make(map[string]int32, n)
	}
	j.next = make([]int32, n)
	j.matched = make([]bool, n)
	var tail []int32
	cols := j.keyCols(j.build, j.buildLeft)
	dedup := j.buildLeft && j.kind == JoinInnerUnique
	for i := 0; i < n; i++ {
		j.next[i] = -1
		g, ok := j.group(cols, i, true, int32(len(j.head)))
		if !ok {
			j.head = append(j.head, int32(i))
			tail = append(tail, int32(i))
			continue
		}
		if dedup {
			j.matched[i] = true // never emitted
			continue
		}
		j.next[tail[g]] = int32(i)
		tail[g] = int32(i)
	}
	if j.kind == JoinInnerUnique && !j.buildLeft {
		j.seenGroup = make([]bool, len(j.head))
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
		var rec arrow.Record
		if len(j.probeBuf) > 0 {
			rec = j.probeBuf[0]
			j.probeBuf = j.probeBuf[1:]
		} else if j.probeOp != nil {
			r, err := j.probeOp.Next(ctx)
			if err != nil {
				return nil, err
			}
			if r == nil {
				j.probeOp = nil
				continue
			}
			rec = r
		} else {
			j.done = true
			j.finish()
			continue
		}
		j.probe(rec)
		rec.Release()
	}
	r := j.pending[0]
	j.pending = j.pending[1:]
	return r, nil
}

// probe matches one probe record against the build table.
func (j *HashJoin) probe(rec arrow.Record) {
	probeIsLeft := !j.buildLeft
	cols := j.keyCols(rec, probeIsLeft)
	n := int(rec.NumRows())
	// what to emit for the probe side
	var pairs, probeUnmatched, probeSemi, probeAnti, markBuild bool
	switch j.kind {
	case JoinInner, JoinInnerUnique:
		pairs = true
	case JoinLeftOuter:
		pairs, probeUnmatched = true, probeIsLeft
		markBuild = !probeIsLeft
	case JoinRightOuter:
		pairs, probeUnmatched = true, !probeIsLeft
		markBuild = probeIsLeft
	case JoinFullOuter:
		pairs, probeUnmatched, markBuild = true, true, true
	case JoinLeftSemi:
		probeSemi, markBuild = probeIsLeft, !probeIsLeft
	case JoinRightSemi:
		probeSemi, markBuild = !probeIsLeft, probeIsLeft
	case JoinLeftAnti:
		probeAnti, markBuild = probeIsLeft, !probeIsLeft
	case JoinRightAnti:
		probeAnti, markBuild = !probeIsLeft, probeIsLeft
	}
	var pidx, bidx []int32
	for i := 0; i < n; i++ {
		g, ok := j.group(cols, i, false, 0)
		if ok && j.seenGroup != nil {
			if j.seenGroup[g] {
				continue
			}
			j.seenGroup[g] = true
		}
		if !ok {
			if probeUnmatched || probeAnti {
				pidx = append(pidx, int32(i))
				bidx = append(bidx, -1)
			}
			continue
		}
		if probeSemi {
			pidx = append(pidx, int32(i))
			bidx = append(bidx, -1)
		}
		for b := j.head[g]; b >= 0; b = j.next[b] {
			if markBuild {
				j.matched[b] = true
			}
			if pairs {
				pidx = append(pidx, int32(i))
				bidx = append(bidx, b)
			}
		}
		if len(pidx) >= DefaultBatchRows {
			j.emit(rec, pidx, bidx)
			pidx, bidx = pidx[:0], bidx[:0]
		}
	}
	if len(pidx) > 0 {
		j.emit(rec, pidx, bidx)
	}
}

// emit queues output rows: probe rows pidx of prec (nil → nulls) paired
// with build rows bidx (-1 → nulls).
func (j *HashJoin) emit(prec arrow.Record, pidx, bidx []int32) {
	n := len(pidx)
	lo, ro := j.kind.Columns()
	cols := make([]arrow.Array, 0, j.schema.NumFields())
	var lrec, rrec arrow.Record
	var lidx, ridx []int32
	if j.buildLeft {
		lrec, lidx, rrec, ridx = j.build, bidx, prec, pidx
	} else {
		lrec, lidx, rrec, ridx = prec, pidx, j.build, bidx
	}
	if lo {
		cols = takeRecordCols(j.mem, j.left.Schema(), lrec, lidx, cols)
	}
	if ro {
		rs := j.right.Schema()
		for _, c := range j.rightCols {
			if rrec == nil {
				cols = append(cols, array.MakeArrayOfNull(j.mem, rs.Field(c).Type, len(ridx)))
			} else {
				cols = append(cols, takeArray(j.mem, rrec.Column(c), ridx))
			}
		}
	}
	j.pending = append(j.pending, newRecord(j.schema, cols, n))
}

// finish emits the build rows the kind wants after probing.
func (j *HashJoin) finish() {
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
		return
	}
	var bidx, pidx []int32
	for i, m := range j.matched {
		if want(m) {
			bidx = append(bidx, int32(i))
			pidx = append(pidx, -1)
			if len(bidx) >= DefaultBatchRows {
				j.emit(nil, pidx, bidx)
				bidx, pidx = bidx[:0], pidx[:0]
			}
		}
	}
	if len(bidx) > 0 {
		j.emit(nil, pidx, bidx)
	}
}
