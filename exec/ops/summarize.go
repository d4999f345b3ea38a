package ops

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/expr"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// AggSpec is one aggregate of a hash aggregation.
type AggSpec struct {
	Kernel   kernels.AggKernel
	Args     []expr.Evaluator
	ArgKinds []types.Kind
	Consts   []any
	Result   types.Kind   // the overload's result kind
	Fields   []types.Kind // output kinds; len > 1: Finish returns a struct array
}

// SummarizeSpec describes a hash aggregation. The output schema is the key
// columns followed by each aggregate's output fields, in order.
type SummarizeSpec struct {
	Keys     []expr.Evaluator
	KeyKinds []types.Kind
	Aggs     []AggSpec
	Schema   *arrow.Schema
}

// Summarize is a parallel hash aggregation: every worker aggregates a share
// of the input batches into its own hash table and aggregate states; the
// partial states are merged (AggState.Merge) at the end. Groups come out in
// order of first appearance (deterministic: batch i goes to worker i%W).
type Summarize struct {
	kctx *kernels.Ctx
	in   Operator
	spec SummarizeSpec
	out  []arrow.Record
	ran  bool
}

// NewSummarize returns a hash aggregation over in.
func NewSummarize(kctx *kernels.Ctx, in Operator, spec SummarizeSpec) *Summarize {
	return &Summarize{kctx: kctx, in: in, spec: spec}
}

// Schema implements Operator.
func (s *Summarize) Schema() *arrow.Schema { return s.spec.Schema }

// Close implements Operator.
func (s *Summarize) Close() {
	ReleaseRecords(s.out)
	s.out = nil
	if s.in != nil {
		s.in.Close()
		s.in = nil
	}
}

// Next implements Operator.
func (s *Summarize) Next(ctx context.Context) (arrow.Record, error) {
	if !s.ran {
		s.ran = true
		rec, err := s.run(ctx)
		if err != nil {
			return nil, err
		}
		if rec != nil {
			s.out = append(s.out, rec)
		}
	}
	if len(s.out) == 0 {
		return nil, nil
	}
	r := s.out[0]
	s.out = s.out[1:]
	return r, nil
}

type aggWorker struct {
	s      *Summarize
	gk     *groupKeys
	ngroup int
	keys   []any // per group, its key values (len(spec.Keys) each; textKey: the interned text)
	states []kernels.AggState
	ids    []uint32
}

func (s *Summarize) newWorker() (*aggWorker, error) {
	w := &aggWorker{s: s, gk: newGroupKeys(len(s.spec.Keys))}
	for _, a := range s.spec.Aggs {
		st, err := a.Kernel(s.kctx, a.ArgKinds, a.Consts, a.Result)
		if err != nil {
			return nil, err
		}
		w.states = append(w.states, st)
	}
	return w, nil
}

func (s *Summarize) run(ctx context.Context) (arrow.Record, error) {
	nw := Workers
	if nw < 1 {
		nw = 1
	}
	workers := make([]*aggWorker, nw)
	for i := range workers {
		w, err := s.newWorker()
		if err != nil {
			return nil, err
		}
		workers[i] = w
	}
	adders := make([]func(arrow.Record, int64) error, len(workers))
	for i, w := range workers {
		adders[i] = w.add
	}
	defer func() {
		for _, w := range workers {
			w.gk.release()
		}
	}()
	if err := fanOut(ctx, s.in, adders); err != nil {
		return nil, err
	}

	var out arrow.Record
	err := guard(func() error {
		r, err := s.merge(workers)
		out = r
		return err
	})
	return out, err
}

// seqRecord is a batch with its input position, passed to order-sensitive
// aggregates (make_list, arg_max ties, ...) through kernels.Sequenced so
// that merging partial states keeps input order.
type seqRecord struct {
	rec arrow.Record
	seq int64
}

func (w *aggWorker) add(rec arrow.Record, seq int64) error {
	kctx := w.s.kctx
	n := int(rec.NumRows())
	if n == 0 {
		return nil
	}
	keys := make([]kernels.Datum, 0, len(w.s.spec.Keys))
	defer func() {
		for _, d := range keys {
			d.Release()
		}
	}()
	for _, k := range w.s.spec.Keys {
		d, err := k.Eval(kctx, rec)
		if err != nil {
			return err
		}
		keys = append(keys, d)
	}
	if cap(w.ids) < n {
		w.ids = make([]uint32, n)
	}
	ids := w.ids[:n]
	if len(keys) == 0 {
		if w.ngroup == 0 {
			w.newGroup(nil, 0)
		}
		for i := range ids {
			ids[i] = 0
		}
	} else {
		w.gk.assign(keys, ids, func(row int) { w.newGroup(keys, row) })
	}
	ng := w.ngroup
	for ai, a := range w.s.spec.Aggs {
		args := make([]kernels.Datum, 0, len(a.Args))
		var err error
		for _, ev := range a.Args {
			var d kernels.Datum
			d, err = ev.Eval(kctx, rec)
			if err != nil {
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

func (w *aggWorker) newGroup(keys []kernels.Datum, row int) uint32 {
	id := uint32(w.ngroup)
	w.ngroup++
	for j, d := range keys {
		if w.gk.cols[j].text {
			w.keys = append(w.keys, textKey{})
		} else {
			w.keys = append(w.keys, expr.DatumValue(d, row))
		}
	}
	return id
}

// textKey as a group's key value: the value is the text its column
// interned (string keys read from String or dictionary arrays, whose
// DatumValue is that text: null strings read as ""), built at output
// without a Go string per group.
type textKey struct{}

func (s *Summarize) merge(workers []*aggWorker) (arrow.Record, error) {
	g, err := s.mergeWorkers(workers)
	if err != nil {
		return nil, err
	}
	return s.output(g)
}

// mergeWorkers folds the groups and states of the other workers into
// workers[0] and returns it. Group order is as if every worker were merged
// in turn into an empty one (worker 0's groups first, in their order, then
// each other worker's new groups), without re-inserting worker 0's groups.
func (s *Summarize) mergeWorkers(workers []*aggWorker) (*aggWorker, error) {
	g := workers[0]
	if len(workers) > 1 {
		if len(s.spec.Keys) == 0 && g.ngroup == 0 {
			g.newGroup(nil, 0)
		}
		for _, w := range workers[1:] {
			var mapping []uint32
			if len(s.spec.Keys) == 0 {
				mapping = make([]uint32, w.ngroup)
			} else {
				mapping = g.gk.mergeFrom(w.gk, func(og int) {
					g.keys = append(g.keys, w.keys[og*len(s.spec.Keys):(og+1)*len(s.spec.Keys)]...)
					g.ngroup++
				})
			}
			for ai := range s.spec.Aggs {
				if err := g.states[ai].Merge(w.states[ai], mapping, g.ngroup); err != nil {
					return nil, err
				}
			}
		}
	}
	if len(s.spec.Keys) == 0 && g.ngroup == 0 {
		g.newGroup(nil, 0)
	}
	return g, nil
}

// output builds the result record of the merged worker g.
func (s *Summarize) output(g *aggWorker) (arrow.Record, error) {
	ng := g.ngroup
	mem := s.kctx.Mem
	cols := make([]arrow.Array, 0, s.spec.Schema.NumFields())
	release := func() {
		for _, c := range cols {
			c.Release()
		}
	}
	for j := range s.spec.KeyKinds {
		arr, err := s.keyColumn(g, nil, j, s.spec.Schema.Field(j))
		if err != nil {
			release()
			return nil, err
		}
		cols = append(cols, arr)
	}
	for ai, a := range s.spec.Aggs {
		arr, err := g.states[ai].Finish(mem, ng)
		if err != nil {
			release()
			return nil, err
		}
		if len(a.Fields) > 1 {
			st, ok := arr.(*array.Struct)
			if !ok || st.NumField() < len(a.Fields) {
				arr.Release()
				release()
				return nil, fmt.Errorf("aggregate %d returned %s, want a struct of %d fields", ai, arr.DataType(), len(a.Fields))
			}
			for f := range a.Fields {
				fa := st.Field(f)
				idx := len(cols)
				c, err := ConformArray(mem, fa, kernels.KindOfArrow(fa.DataType()), kernels.KindOf(s.spec.Schema.Field(idx)))
				if err != nil {
					arr.Release()
					release()
					return nil, err
				}
				cols = append(cols, c)
			}
			arr.Release()
			continue
		}
		idx := len(cols)
		want := kernels.KindOf(s.spec.Schema.Field(idx))
		c, err := ConformArray(mem, arr, a.Result, want)
		arr.Release()
		if err != nil {
			release()
			return nil, err
		}
		cols = append(cols, c)
	}
	for _, c := range cols {
		if c.Len() != ng {
			release()
			return nil, fmt.Errorf("aggregate returned %d rows for %d groups", c.Len(), ng)
		}
	}
	rec := array.NewRecord(s.spec.Schema, cols, int64(ng))
	release()
	return rec, nil
}

// keyColumn builds output column f from key j of the groups of g given
// (nil: all, in order).
func (s *Summarize) keyColumn(g *aggWorker, groups []int, j int, f arrow.Field) (arrow.Array, error) {
	k := len(s.spec.Keys)
	n := g.ngroup
	if groups != nil {
		n = len(groups)
	}
	group := func(i int) int {
		if groups != nil {
			return groups[i]
		}
		return i
	}
	pk := kernels.KindOf(f)
	tab := &g.gk.cols[j].tab
	text := func(gi int) []byte {
		b, _ := tab.key(g.gk.gcols[gi*k+j])
		return b
	}
	allText := pk == types.String && s.spec.KeyKinds[j] == types.String
	for i := 0; i < n && allText; i++ {
		_, allText = g.keys[group(i)*k+j].(textKey)
	}
	if allText {
		b := array.NewStringBuilder(s.kctx.Mem)
		defer b.Release()
		size := 0
		for i := 0; i < n; i++ {
			size += len(text(group(i)))
		}
		b.Reserve(n)
		b.ReserveData(size)
		for i := 0; i < n; i++ {
			t := text(group(i))
			b.Append(unsafe.String(unsafe.SliceData(t), len(t)))
		}
		return b.NewArray(), nil
	}
	vals := make([]any, n)
	for i := range vals {
		gi := group(i)
		v := g.keys[gi*k+j]
		if _, ok := v.(textKey); ok {
			v = string(text(gi))
		}
		vals[i] = convertValue(v, s.spec.KeyKinds[j], pk)
	}
	return expr.MakeArray(s.kctx.Mem, pk, vals)
}

// keyEncoder appends a typed, self-delimiting encoding of row i of a key
// column to a byte buffer (no boxing).
type keyEncoder struct {
	d      kernels.Datum
	i64    []int64
	i32    []int32
	f64    []float64
	ts     []arrow.Timestamp
	dur    []arrow.Duration
	str    *array.String
	boolA  *array.Boolean
	arr    arrow.Array
	scalar bool
	// dictionary of strings (kind string): rows read through dstr
	dict *array.Dictionary
	dstr *array.String
}

func newKeyEncoder(d kernels.Datum) keyEncoder {
	e := keyEncoder{d: d, arr: d.Array, scalar: d.Scalar}
	switch a := d.Array.(type) {
	case *array.Int64:
		e.i64 = a.Int64Values()
	case *array.Int32:
		e.i32 = a.Int32Values()
	case *array.Float64:
		e.f64 = a.Float64Values()
	case *array.Timestamp:
		e.ts = a.TimestampValues()
	case *array.Duration:
		e.dur = a.DurationValues()
	case *array.String:
		e.str = a
	case *array.Boolean:
		e.boolA = a
	case *array.Dictionary:
		if d.Kind != types.Dynamic {
			e.dict, e.dstr = kernels.StringDict(a)
		}
	}
	return e
}

func (e *keyEncoder) append(buf []byte, i int) []byte {
	if e.scalar {
		i = 0
	}
	if e.arr.IsNull(i) {
		if (e.str != nil || e.dict != nil) && e.d.Kind != types.Dynamic {
			// Kusto strings are never null: null reads as ""
			return append(buf, 1, 0)
		}
		return append(buf, 0)
	}
	switch {
	case e.i64 != nil:
		return binary.LittleEndian.AppendUint64(append(buf, 1), uint64(e.i64[i]))
	case e.i32 != nil:
		return binary.LittleEndian.AppendUint32(append(buf, 1), uint32(e.i32[i]))
	case e.f64 != nil:
		f := e.f64[i]
		if f == 0 {
			f = 0 // fold -0
		}
		if math.IsNaN(f) {
			f = math.NaN()
		}
		return binary.LittleEndian.AppendUint64(append(buf, 1), math.Float64bits(f))
	case e.ts != nil:
		return binary.LittleEndian.AppendUint64(append(buf, 1), uint64(e.ts[i]))
	case e.dur != nil:
		return binary.LittleEndian.AppendUint64(append(buf, 1), uint64(e.dur[i]))
	case e.str != nil || e.dict != nil:
		var s string
		if e.str != nil {
			s = e.str.Value(i)
		} else {
			s = e.dstr.Value(e.dict.GetValueIndex(i))
		}
		buf = append(buf, 1)
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		return append(buf, s...)
	case e.boolA != nil:
		if e.boolA.Value(i) {
			return append(buf, 1, 1)
		}
		return append(buf, 1, 0)
	}
	s := types.FormatValue(e.d.Kind, expr.ValueAt(e.arr, i, e.d.Kind))
	buf = append(buf, 1)
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}
