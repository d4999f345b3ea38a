package ops

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/expr"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// SeriesAxis is the bucket layout of make-series: N buckets of Step
// starting at From. Datetime, timespan, int and long axes use the integer
// fields (nanoseconds for time); real and decimal the float fields.
type SeriesAxis struct {
	Kind         types.Kind
	From, Step   int64
	FromF, StepF float64
	N            int
}

// IsFloat reports whether the axis uses the float fields.
func (a SeriesAxis) IsFloat() bool { return a.Kind == types.Real || a.Kind == types.Decimal }

// AlignDown returns the start of the step-wide bin holding v (as bin():
// datetimes bin relative to 0001-01-01, Kusto's tick origin).
func (a SeriesAxis) AlignDown(v int64) int64 {
	origin := int64(0)
	if a.Kind == types.DateTime {
		// 0001-01-01 in Unix nanoseconds does not fit int64: use it modulo step
		o := new(big.Int).Mul(big.NewInt(-62135596800), big.NewInt(1e9))
		origin = o.Mod(o, big.NewInt(a.Step)).Int64()
	}
	d := v - origin
	m := d % a.Step
	if m < 0 {
		m += a.Step
	}
	return v - m
}

// MakeSeriesBucketName is the column the bucket operator adds.
const MakeSeriesBucketName = "__ms_bucket"

// SeriesBucket adds the bucket index (long) of each row's axis value and
// drops rows whose value is null or outside the axis.
type SeriesBucket struct {
	kctx   *kernels.Ctx
	in     Operator
	on     ValueEval
	axis   SeriesAxis
	schema *arrow.Schema
}

// NewSeriesBucket returns the bucketing operator.
func NewSeriesBucket(kctx *kernels.Ctx, in Operator, on ValueEval, axis SeriesAxis) *SeriesBucket {
	fs := append(append([]arrow.Field(nil), in.Schema().Fields()...), kernels.Field(MakeSeriesBucketName, types.Long))
	return &SeriesBucket{kctx: kctx, in: in, on: on, axis: axis, schema: arrow.NewSchema(fs, nil)}
}

// Schema implements Operator.
func (s *SeriesBucket) Schema() *arrow.Schema { return s.schema }

// Close implements Operator.
func (s *SeriesBucket) Close() { s.in.Close() }

// Next implements Operator.
func (s *SeriesBucket) Next(ctx context.Context) (arrow.Record, error) {
	for {
		rec, err := s.in.Next(ctx)
		if err != nil || rec == nil {
			return nil, err
		}
		out, err := s.bucket(rec)
		rec.Release()
		if err != nil {
			return nil, err
		}
		if out.NumRows() == 0 {
			out.Release()
			continue
		}
		return out, nil
	}
}

func (s *SeriesBucket) bucket(rec arrow.Record) (arrow.Record, error) {
	n := int(rec.NumRows())
	mem := s.kctx.Mem
	kc := *s.kctx
	d, err := s.on.Eval(&kc, rec)
	if err != nil {
		return nil, err
	}
	arr := datumArray(mem, d, n)
	d.Release()
	defer arr.Release()
	keep := make([]int32, 0, n)
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.Reserve(n)
	for i := 0; i < n; i++ {
		if arr.IsNull(i) {
			continue
		}
		idx := int64(-1)
		if s.axis.IsFloat() {
			if f, ok := axisFloat(arr, i); ok && s.axis.StepF > 0 {
				q := math.Floor((f - s.axis.FromF) / s.axis.StepF)
				if q >= 0 && q < float64(s.axis.N) {
					idx = int64(q)
				}
			}
		} else if v, ok := axisInt(arr, i); ok && s.axis.Step > 0 && v >= s.axis.From {
			q := (v - s.axis.From) / s.axis.Step
			if q < int64(s.axis.N) {
				idx = q
			}
		}
		if idx < 0 {
			continue
		}
		keep = append(keep, int32(i))
		b.UnsafeAppend(idx)
	}
	cols := make([]arrow.Array, 0, s.schema.NumFields())
	for c := 0; c < int(rec.NumCols()); c++ {
		if len(keep) == n {
			// every row falls in the range: no copy
			col := rec.Column(c)
			col.Retain()
			cols = append(cols, col)
			continue
		}
		cols = append(cols, takeArray(mem, rec.Column(c), keep))
	}
	cols = append(cols, b.NewArray())
	return newRecord(s.schema, cols, len(keep)), nil
}

func axisInt(a arrow.Array, i int) (int64, bool) {
	switch x := a.(type) {
	case *array.Timestamp:
		return int64(x.Value(i)), true
	case *array.Duration:
		return int64(x.Value(i)), true
	case *array.Int64:
		return x.Value(i), true
	case *array.Int32:
		return int64(x.Value(i)), true
	case *array.Float64:
		return int64(math.Floor(x.Value(i))), true
	}
	return 0, false
}

func axisFloat(a arrow.Array, i int) (float64, bool) {
	switch x := a.(type) {
	case *array.Float64:
		return x.Value(i), true
	case *array.Int64:
		return float64(x.Value(i)), true
	case *array.Int32:
		return float64(x.Value(i)), true
	}
	return 0, false
}

// AxisRange scans the axis values of recs and returns their minimum and
// maximum (ok=false when all are null).
func AxisRange(kctx *kernels.Ctx, recs []arrow.Record, on ValueEval, float bool) (minI, maxI int64, minF, maxF float64, ok bool, err error) {
	for _, rec := range recs {
		kc := *kctx
		d, e := on.Eval(&kc, rec)
		if e != nil {
			return 0, 0, 0, 0, false, e
		}
		arr := datumArray(kctx.Mem, d, int(rec.NumRows()))
		d.Release()
		for i := 0; i < arr.Len(); i++ {
			if arr.IsNull(i) {
				continue
			}
			if float {
				f, good := axisFloat(arr, i)
				if !good {
					continue
				}
				if !ok || f < minF {
					minF = f
				}
				if !ok || f > maxF {
					maxF = f
				}
			} else {
				v, good := axisInt(arr, i)
				if !good {
					continue
				}
				if !ok || v < minI {
					minI = v
				}
				if !ok || v > maxI {
					maxI = v
				}
			}
			ok = true
		}
		arr.Release()
	}
	return minI, maxI, minF, maxF, ok, nil
}

// SeriesAssemble turns the output of summarize by (keys..., bucket) into
// one row per key tuple with one dynamic array per aggregate (absent
// buckets get the default) and the axis array.
type SeriesAssemble struct {
	mem      memory.Allocator
	in       Operator
	nkeys    int
	defaults []any
	axis     SeriesAxis
	nonEmpty bool
	schema   *arrow.Schema
	done     bool
}

// NewSeriesAssemble returns the assembling operator. in has nkeys key
// columns, the bucket column, then one column per aggregate output; schema
// is the make-series output (keys, one dynamic per aggregate, the axis).
func NewSeriesAssemble(mem memory.Allocator, in Operator, nkeys int, defaults []any, axis SeriesAxis, nonEmpty bool, schema *arrow.Schema) (*SeriesAssemble, error) {
	if in.Schema().NumFields() != nkeys+1+len(defaults) || schema.NumFields() != nkeys+len(defaults)+1 {
		return nil, fmt.Errorf("make-series: unexpected schema")
	}
	return &SeriesAssemble{mem: mem, in: in, nkeys: nkeys, defaults: defaults, axis: axis, nonEmpty: nonEmpty, schema: schema}, nil
}

// Schema implements Operator.
func (s *SeriesAssemble) Schema() *arrow.Schema { return s.schema }

// Close implements Operator.
func (s *SeriesAssemble) Close() { s.in.Close() }

// Next implements Operator.
func (s *SeriesAssemble) Next(ctx context.Context) (arrow.Record, error) {
	if s.done {
		return nil, nil
	}
	s.done = true
	recs, _, err := drainAll(ctx, s.in)
	if err != nil {
		return nil, err
	}
	defer releaseAll(recs)
	ins := s.in.Schema()
	all, err := concatRecords(s.mem, ins, recs)
	if err != nil {
		return nil, err
	}
	defer all.Release()
	n := int(all.NumRows())
	nagg := len(s.defaults)
	keyCols := make([]keyCol, s.nkeys)
	for i := range keyCols {
		keyCols[i] = keyCol{arr: all.Column(i)}
	}
	groups := map[string]int{}
	var first []int32
	var series [][][]any // [group][agg][bucket]
	var buf []byte
	buckets, _ := all.Column(s.nkeys).(*array.Int64)
	aggKinds := make([]types.Kind, nagg)
	for a := range aggKinds {
		aggKinds[a] = kernels.KindOf(ins.Field(s.nkeys + 1 + a))
	}
	newSeries := func() [][]any {
		ser := make([][]any, nagg)
		for a := range ser {
			ser[a] = make([]any, s.axis.N)
			for i := range ser[a] {
				ser[a][i] = s.defaults[a]
			}
		}
		return ser
	}
	for r := 0; r < n; r++ {
		buf = encodeKey(buf[:0], keyCols, r)
		g, ok := groups[string(buf)]
		if !ok {
			g = len(first)
			groups[string(buf)] = g
			first = append(first, int32(r))
			series = append(series, newSeries())
		}
		if buckets == nil || buckets.IsNull(r) {
			continue
		}
		b := int(buckets.Value(r))
		if b < 0 || b >= s.axis.N {
			continue
		}
		for a := 0; a < nagg; a++ {
			series[g][a][b] = dynValueAt(all.Column(s.nkeys+1+a), r, aggKinds[a])
		}
	}
	if len(first) == 0 {
		if !s.nonEmpty || s.nkeys > 0 {
			return nil, nil
		}
		series = append(series, newSeries())
	}
	ng := len(series)
	cols := make([]arrow.Array, 0, s.schema.NumFields())
	for c := 0; c < s.nkeys; c++ {
		if len(first) == 0 {
			cols = append(cols, array.MakeArrayOfNull(s.mem, s.schema.Field(c).Type, ng))
			continue
		}
		cols = append(cols, takeArray(s.mem, all.Column(c), first))
	}
	for a := 0; a < nagg; a++ {
		b := array.NewStringBuilder(s.mem)
		for g := 0; g < ng; g++ {
			b.Append(types.FormatDynamic(series[g][a]))
		}
		cols = append(cols, b.NewArray())
		b.Release()
	}
	at := types.FormatDynamic(s.axis.values())
	b := array.NewStringBuilder(s.mem)
	for g := 0; g < ng; g++ {
		b.Append(at)
	}
	cols = append(cols, b.NewArray())
	b.Release()
	return newRecord(s.schema, cols, ng), nil
}

// dynValueAt returns row i of a as a dynamic value (datetimes and
// timespans as their text, dynamic parsed).
func dynValueAt(a arrow.Array, i int, k types.Kind) any {
	if a.IsNull(i) {
		return nil
	}
	switch x := a.(type) {
	case *array.Int64:
		return x.Value(i)
	case *array.Int32:
		return int64(x.Value(i))
	case *array.Float64:
		return x.Value(i)
	case *array.Boolean:
		return x.Value(i)
	case *array.Timestamp:
		return types.FormatDateTime(int64(x.Value(i)))
	case *array.Duration:
		return types.FormatTimeSpan(int64(x.Value(i)))
	case *array.String:
		if k == types.Dynamic {
			v, err := types.ParseDynamic(x.Value(i))
			if err == nil {
				return v
			}
		}
		return x.Value(i)
	}
	return a.ValueStr(i)
}

// MakeSeriesSpec describes the one-pass make-series aggregation: every
// output is one single-field aggregate.
type MakeSeriesSpec struct {
	Keys     []expr.Evaluator
	KeyKinds []types.Kind // kinds of the key evaluators
	On       ValueEval    // the axis expression
	Axis     SeriesAxis
	Aggs     []AggSpec
	Outputs  []int        // per output series: its aggregate (index into Aggs)
	OutKinds []types.Kind // per output: the kind its values are conformed to
	Defaults []any        // per output: the value of an empty bucket
	NonEmpty bool
	Schema   *arrow.Schema // keys, one dynamic per output, the axis
}

// MakeSeries is make-series as one dedicated hash aggregation. A row's
// group id is 1 + keyGroup×N + bucket (0 collects the rows outside the
// axis), so the aggregate states are flat per (key, bucket) and no table is
// keyed by the pair. Workers aggregate shares of the input, their states
// are merged once, and the series arrays are written straight from the
// finished states.
type MakeSeries struct {
	kctx *kernels.Ctx
	in   Operator
	spec MakeSeriesSpec
	done bool
}

// NewMakeSeries returns the make-series aggregation over in.
func NewMakeSeries(kctx *kernels.Ctx, in Operator, spec MakeSeriesSpec) (*MakeSeries, error) {
	nk, no := len(spec.Keys), len(spec.Outputs)
	if len(spec.KeyKinds) != nk || len(spec.OutKinds) != no || len(spec.Defaults) != no || spec.Schema.NumFields() != nk+no+1 {
		return nil, fmt.Errorf("make-series: inconsistent spec")
	}
	for _, a := range spec.Outputs {
		if a < 0 || a >= len(spec.Aggs) {
			return nil, fmt.Errorf("make-series: output of unknown aggregate %d", a)
		}
	}
	return &MakeSeries{kctx: kctx, in: in, spec: spec}, nil
}

// Schema implements Operator.
func (m *MakeSeries) Schema() *arrow.Schema { return m.spec.Schema }

// Close implements Operator.
func (m *MakeSeries) Close() {
	if m.in != nil {
		m.in.Close()
		m.in = nil
	}
}

// Next implements Operator.
func (m *MakeSeries) Next(ctx context.Context) (arrow.Record, error) {
	if m.done {
		return nil, nil
	}
	m.done = true
	workers, err := m.aggregate(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, w := range workers {
			w.gk.release()
		}
	}()
	var out arrow.Record
	err = guard(func() error {
		var e error
		out, e = m.finish(workers)
		return e
	})
	return out, err
}

// msWorker is one worker's share: key groups and flat aggregate states.
type msWorker struct {
	m *MakeSeries
	// Key groups: the keys' group tables (groupKeys, as summarize's) give
	// every distinct key a group id over all rows; a key group is made
	// for it at its first row inside the axis (so key groups, their order
	// and their key values are those of the rows inside the axis).
	gk      *groupKeys
	kgOf    []int32  // per gk group: its key group (-1: no row inside the axis yet)
	gkOf    []uint32 // per key group: its gk group
	nkg     int      // key groups
	keys    [][]any  // per key group: the key values
	states  []kernels.AggState
	present []bool // per group id: some row fell in it
	ids     []uint32
	kids    []uint32
	bucket  []int32
}

func (m *MakeSeries) newWorker() (*msWorker, error) {
	w := &msWorker{m: m, gk: newGroupKeys(len(m.spec.Keys))}
	for _, a := range m.spec.Aggs {
		st, err := a.Kernel(m.kctx, a.ArgKinds, a.Consts, a.Result)
		if err != nil {
			return nil, err
		}
		w.states = append(w.states, st)
	}
	return w, nil
}

func (w *msWorker) ngroups() int { return 1 + w.nkg*w.m.spec.Axis.N }

func (m *MakeSeries) aggregate(ctx context.Context) ([]*msWorker, error) {
	nw := max(Workers, 1)
	workers := make([]*msWorker, nw)
	for i := range workers {
		w, err := m.newWorker()
		if err != nil {
			return nil, err
		}
		workers[i] = w
	}
	adders := make([]func(arrow.Record, int64) error, len(workers))
	for i, w := range workers {
		adders[i] = w.add
	}
	if err := fanOut(ctx, m.in, adders); err != nil {
		for _, w := range workers {
			w.gk.release()
		}
		return nil, err
	}
	return workers, nil
}

// buckets writes each row's bucket (-1: null or outside the axis) and
// returns how many rows are inside.
func (a SeriesAxis) buckets(d kernels.Datum, n int, out []int32) int {
	if d.Scalar {
		b := int32(-1)
		if d.Array.Len() > 0 {
			var tmp [1]int32
			a.bucketsOf(d.Array, 1, tmp[:])
			b = tmp[0]
		}
		for i := range out[:n] {
			out[i] = b
		}
		if b < 0 {
			return 0
		}
		return n
	}
	return a.bucketsOf(d.Array, n, out)
}

func (a SeriesAxis) bucketsOf(arr arrow.Array, n int, out []int32) int {
	out = out[:n]
	N := int64(a.N)
	intBucket := func(v int64) int32 {
		if a.Step <= 0 || v < a.From {
			return -1
		}
		if q := (v - a.From) / a.Step; q < N {
			return int32(q)
		}
		return -1
	}
	floatBucket := func(f float64) int32 {
		if a.StepF <= 0 {
			return -1
		}
		q := math.Floor((f - a.FromF) / a.StepF)
		if q >= 0 && q < float64(a.N) {
			return int32(q)
		}
		return -1
	}
	switch x := arr.(type) {
	case *array.Timestamp:
		vs := x.TimestampValues()
		if !a.IsFloat() {
			for i := range out {
				out[i] = intBucket(int64(vs[i]))
			}
			break
		}
		for i := range out {
			out[i] = -1
		}
	case *array.Duration:
		vs := x.DurationValues()
		if !a.IsFloat() {
			for i := range out {
				out[i] = intBucket(int64(vs[i]))
			}
			break
		}
		for i := range out {
			out[i] = -1
		}
	case *array.Int64:
		vs := x.Int64Values()
		for i := range out {
			if a.IsFloat() {
				out[i] = floatBucket(float64(vs[i]))
			} else {
				out[i] = intBucket(vs[i])
			}
		}
	case *array.Int32:
		vs := x.Int32Values()
		for i := range out {
			if a.IsFloat() {
				out[i] = floatBucket(float64(vs[i]))
			} else {
				out[i] = intBucket(int64(vs[i]))
			}
		}
	case *array.Float64:
		vs := x.Float64Values()
		for i := range out {
			if a.IsFloat() {
				out[i] = floatBucket(vs[i])
			} else {
				out[i] = intBucket(int64(math.Floor(vs[i])))
			}
		}
	default:
		for i := range out {
			out[i] = -1
		}
	}
	if arr.NullN() > 0 {
		for i := range out {
			if arr.IsNull(i) {
				out[i] = -1
			}
		}
	}
	valid := 0
	for _, b := range out {
		if b >= 0 {
			valid++
		}
	}
	return valid
}

func (w *msWorker) add(rec arrow.Record, seq int64) error {
	spec := &w.m.spec
	kctx := w.m.kctx
	n := int(rec.NumRows())
	if n == 0 || spec.Axis.N <= 0 {
		return nil
	}
	on, err := spec.On.Eval(kctx, rec)
	if err != nil {
		return err
	}
	if cap(w.bucket) < n {
		w.bucket = make([]int32, n)
		w.ids = make([]uint32, n)
	}
	bucket, ids := w.bucket[:n], w.ids[:n]
	valid := spec.Axis.buckets(on, n, bucket)
	on.Release()
	if valid == 0 {
		return nil
	}
	keys := make([]kernels.Datum, 0, len(spec.Keys))
	defer func() {
		for _, d := range keys {
			d.Release()
		}
	}()
	for _, k := range spec.Keys {
		d, err := k.Eval(kctx, rec)
		if err != nil {
			return err
		}
		keys = append(keys, d)
	}
	if err := w.groupIDs(keys, bucket, ids); err != nil {
		return err
	}
	if uint64(w.nkg)*uint64(spec.Axis.N) >= math.MaxInt32 {
		return fmt.Errorf("make-series: %d series of %d buckets are too many", w.nkg, spec.Axis.N)
	}
	ng := w.ngroups()
	if len(w.present) < ng {
		w.present = append(w.present, make([]bool, ng-len(w.present))...)
	}
	for _, id := range ids {
		w.present[id] = true
	}
	for ai, a := range spec.Aggs {
		args := make([]kernels.Datum, 0, len(a.Args))
		var err error
		for _, ev := range a.Args {
			var d kernels.Datum
			if d, err = ev.Eval(kctx, rec); err != nil {
				break
			}
			args = append(args, d)
		}
		if err == nil {
			if sq, ok := w.states[ai].(kernels.Sequenced); ok {
				sq.SetSeq(seq)
			}
			err = w.states[ai].Update(args, ids, ng)
		}
		for _, d := range args {
			d.Release()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// groupIDs sets ids[i] to row i's group id: 1 + keyGroup×N + bucket, or 0
// for a row outside the axis.
func (w *msWorker) groupIDs(keys []kernels.Datum, bucket []int32, ids []uint32) error {
	N := uint32(w.m.spec.Axis.N)
	if len(keys) == 0 {
		for i, b := range bucket {
			if b < 0 {
				ids[i] = 0
				continue
			}
			if w.nkg == 0 {
				w.nkg = 1
				w.keys = append(w.keys, nil)
			}
			ids[i] = 1 + uint32(b)
		}
		return nil
	}
	n := len(bucket)
	if cap(w.kids) < n {
		w.kids = make([]uint32, n)
	}
	kids := w.kids[:n]
	w.gk.assign(keys, kids, func(int) { w.kgOf = append(w.kgOf, -1) })
	for i, b := range bucket {
		if b < 0 {
			ids[i] = 0
			continue
		}
		kg := w.kgOf[kids[i]]
		if kg < 0 {
			kg = int32(w.newKeyGroup(keys, i, kids[i]))
		}
		ids[i] = 1 + uint32(kg)*N + uint32(b)
	}
	return nil
}

// newKeyGroup makes the key group of gk group gid from row i.
func (w *msWorker) newKeyGroup(keys []kernels.Datum, row int, gid uint32) uint32 {
	kg := uint32(w.nkg)
	w.nkg++
	w.kgOf[gid] = int32(kg)
	w.gkOf = append(w.gkOf, gid)
	vals := make([]any, len(keys))
	for j, d := range keys {
		if c := &w.gk.cols[j]; c.text {
			// the interned text (a null string reads as "")
			b, _ := c.tab.key(c.ids[row])
			vals[j] = string(b)
		} else {
			v := expr.DatumValue(d, row)
			if str, ok := v.(string); ok {
				v = strings.Clone(str) // do not keep the batch alive
			}
			vals[j] = v
		}
	}
	w.keys = append(w.keys, vals)
	return kg
}

// merge folds the other workers into the first (once, at the end).
func (m *MakeSeries) merge(workers []*msWorker) (*msWorker, error) {
	g := workers[0]
	N := m.spec.Axis.N
	for _, w := range workers[1:] {
		if w.nkg == 0 {
			continue
		}
		var gm []uint32 // w's gk group → g's
		if len(m.spec.Keys) > 0 {
			gm = g.gk.mergeFrom(w.gk, func(int) { g.kgOf = append(g.kgOf, -1) })
		}
		mapping := make([]uint32, w.ngroups())
		for kg := 0; kg < w.nkg; kg++ {
			var G uint32
			if gm != nil {
				gid := gm[w.gkOf[kg]]
				if g.kgOf[gid] < 0 {
					g.kgOf[gid] = int32(g.nkg)
					g.gkOf = append(g.gkOf, gid)
					g.keys = append(g.keys, w.keys[kg])
					g.nkg++
				}
				G = uint32(g.kgOf[gid])
			} else if g.nkg == 0 {
				g.nkg = 1
				g.keys = append(g.keys, nil)
			}
			base, gbase := 1+kg*N, 1+int(G)*N
			for b := 0; b < N; b++ {
				mapping[base+b] = uint32(gbase + b)
			}
		}
		ng := g.ngroups()
		for ai := range m.spec.Aggs {
			if err := g.states[ai].Merge(w.states[ai], mapping, ng); err != nil {
				return nil, err
			}
		}
		if len(g.present) < ng {
			g.present = append(g.present, make([]bool, ng-len(g.present))...)
		}
		for id, p := range w.present {
			if p {
				g.present[mapping[id]] = true
			}
		}
	}
	return g, nil
}

func (m *MakeSeries) finish(workers []*msWorker) (arrow.Record, error) {
	spec := &m.spec
	g, err := m.merge(workers)
	if err != nil {
		return nil, err
	}
	mem := m.kctx.Mem
	nk := len(spec.Keys)
	nkg := g.nkg
	rows := nkg
	if nkg == 0 {
		if !spec.NonEmpty || nk > 0 {
			return nil, nil
		}
		rows = 1 // kind=nonempty without keys: one series of defaults
	}
	N := spec.Axis.N
	ng := g.ngroups()
	cols := make([]arrow.Array, 0, spec.Schema.NumFields())
	release := func() {
		for _, c := range cols {
			c.Release()
		}
	}
	for j := 0; j < nk; j++ {
		pk := kernels.KindOf(spec.Schema.Field(j))
		vals := make([]any, rows)
		for kg := 0; kg < nkg; kg++ {
			vals[kg] = convertValue(g.keys[kg][j], spec.KeyKinds[j], pk)
		}
		arr, err := expr.MakeArray(mem, pk, vals)
		if err != nil {
			release()
			return nil, err
		}
		cols = append(cols, arr)
	}
	finished := make([]arrow.Array, len(spec.Aggs))
	defer func() {
		for _, a := range finished {
			if a != nil {
				a.Release()
			}
		}
	}()
	for o, ai := range spec.Outputs {
		if finished[ai] == nil {
			raw, err := g.states[ai].Finish(mem, ng)
			if err != nil {
				release()
				return nil, err
			}
			if raw.Len() != ng {
				raw.Release()
				release()
				return nil, fmt.Errorf("aggregate returned %d rows for %d groups", raw.Len(), ng)
			}
			finished[ai] = raw
		}
		k := spec.OutKinds[o]
		arr, err := ConformArray(mem, finished[ai], spec.Aggs[ai].Result, k)
		if err != nil {
			release()
			return nil, err
		}
		def := types.AppendDynamic(nil, spec.Defaults[o])
		var data []byte
		offsets := make([]int32, rows+1)
		for kg := 0; kg < rows; kg++ {
			data = append(data, '[')
			for bk := 0; bk < N; bk++ {
				if bk > 0 {
					data = append(data, ',')
				}
				id := 1 + kg*N + bk
				if kg >= nkg || id >= len(g.present) || !g.present[id] {
					data = append(data, def...)
					continue
				}
				data = appendSeriesValue(data, arr, id, k)
			}
			data = append(data, ']')
			if len(data) > math.MaxInt32 {
				arr.Release()
				release()
				return nil, fmt.Errorf("make-series: the series of %q exceed 2 GB", spec.Schema.Field(nk+o).Name)
			}
			offsets[kg+1] = int32(len(data))
		}
		arr.Release()
		cols = append(cols, stringArray(offsets, data))
	}
	// every row has the same axis
	at := types.FormatDynamic(spec.Axis.values())
	if len(at)*rows > math.MaxInt32 {
		release()
		return nil, fmt.Errorf("make-series: the axis column exceeds 2 GB")
	}
	offsets := make([]int32, rows+1)
	for i := range rows {
		offsets[i+1] = int32((i + 1) * len(at))
	}
	cols = append(cols, stringArray(offsets, bytes.Repeat([]byte(at), rows)))
	return newRecord(spec.Schema, cols, rows), nil
}

// stringArray wraps offsets and data (Go memory) as an Arrow String array
// without copying them.
func stringArray(offsets []int32, data []byte) arrow.Array {
	n := len(offsets) - 1
	d := array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{
		nil, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets)), memory.NewBufferBytes(data),
	}, nil, 0, 0)
	defer d.Release()
	return array.NewStringData(d)
}

// appendSeriesValue appends row i of a as a dynamic array element.
func appendSeriesValue(dst []byte, a arrow.Array, i int, k types.Kind) []byte {
	if a.IsNull(i) {
		return append(dst, "null"...)
	}
	switch x := a.(type) {
	case *array.Int64:
		return strconv.AppendInt(dst, x.Value(i), 10)
	case *array.Float64:
		return types.AppendDynamic(dst, x.Value(i))
	}
	return types.AppendDynamic(dst, dynValueAt(a, i, k))
}

// values returns the axis values as dynamic elements (datetimes and
// timespans as their text).
func (a SeriesAxis) values() []any {
	axis := make([]any, a.N)
	for i := range axis {
		switch {
		case a.IsFloat():
			axis[i] = a.FromF + float64(i)*a.StepF
		case a.Kind == types.DateTime:
			axis[i] = types.FormatDateTime(a.From + int64(i)*a.Step)
		case a.Kind == types.TimeSpan:
			axis[i] = types.FormatTimeSpan(a.From + int64(i)*a.Step)
		default:
			axis[i] = a.From + int64(i)*a.Step
		}
	}
	return axis
}
