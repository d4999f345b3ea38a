package ops

import (
	"context"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/expr"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// colEv evaluates to column i of the record.
type colEv struct {
	i int
	k types.Kind
}

func (c colEv) Eval(_ *kernels.Ctx, rec arrow.Record) (kernels.Datum, error) {
	a := rec.Column(c.i)
	a.Retain()
	return kernels.Datum{Array: a, Kind: c.k}, nil
}
func (c colEv) Kind() types.Kind { return c.k }

type msAgg struct {
	id     string
	arg    int // input column, -1 none
	argK   types.Kind
	result types.Kind
	def    any
}

func (a msAgg) spec(t *testing.T) AggSpec {
	k, err := kernels.Aggregate(a.id)
	if err != nil {
		t.Fatal(err)
	}
	s := AggSpec{Kernel: k, Result: a.result, Fields: []types.Kind{a.result}}
	if a.arg >= 0 {
		s.Args = []expr.Evaluator{colEv{a.arg, a.argK}}
		s.ArgKinds = []types.Kind{a.argK}
		s.Consts = []any{nil}
	}
	return s
}

// msSchema is the make-series output schema: keys, one dynamic per
// aggregate, the axis.
func msSchema(keys []arrow.Field, naggs int) *arrow.Schema {
	var fs []arrow.Field
	for _, k := range keys {
		fs = append(fs, kernels.Field(k.Name, kernels.KindOf(k)))
	}
	for i := 0; i < naggs; i++ {
		fs = append(fs, kernels.Field(fmt.Sprintf("s%d", i), types.Dynamic))
	}
	return arrow.NewSchema(append(fs, kernels.Field("T", types.Dynamic)), nil)
}

// viaSummarize is the general make-series path the planner keeps for
// outputs that are expressions: bucket, summarize by (keys, bucket),
// assemble.
func viaSummarize(t *testing.T, kctx *kernels.Ctx, in Operator, keyCols []int, on int, axis SeriesAxis, aggs []msAgg, nonEmpty bool) Operator {
	ins := in.Schema()
	b := NewSeriesBucket(kctx, in, colEv{on, kernels.KindOf(ins.Field(on))}, axis)
	spec := SummarizeSpec{}
	var fields, keyFields []arrow.Field
	for _, c := range keyCols {
		k := kernels.KindOf(ins.Field(c))
		spec.Keys = append(spec.Keys, colEv{c, k})
		spec.KeyKinds = append(spec.KeyKinds, k)
		fields = append(fields, ins.Field(c))
		keyFields = append(keyFields, ins.Field(c))
	}
	spec.Keys = append(spec.Keys, colEv{ins.NumFields(), types.Long})
	spec.KeyKinds = append(spec.KeyKinds, types.Long)
	fields = append(fields, kernels.Field(MakeSeriesBucketName, types.Long))
	var defs []any
	for i, a := range aggs {
		spec.Aggs = append(spec.Aggs, a.spec(t))
		fields = append(fields, kernels.Field(fmt.Sprintf("a%d", i), a.result))
		defs = append(defs, a.def)
	}
	spec.Schema = arrow.NewSchema(fields, nil)
	sum := NewSummarize(kctx, b, spec)
	out, err := NewSeriesAssemble(kctx.Mem, sum, len(keyCols), defs, axis, nonEmpty, msSchema(keyFields, len(aggs)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func fused(t *testing.T, kctx *kernels.Ctx, in Operator, keyCols []int, on int, axis SeriesAxis, aggs []msAgg, nonEmpty bool) Operator {
	ins := in.Schema()
	spec := MakeSeriesSpec{On: colEv{on, kernels.KindOf(ins.Field(on))}, Axis: axis, NonEmpty: nonEmpty}
	var keyFields []arrow.Field
	for _, c := range keyCols {
		k := kernels.KindOf(ins.Field(c))
		spec.Keys = append(spec.Keys, colEv{c, k})
		spec.KeyKinds = append(spec.KeyKinds, k)
		keyFields = append(keyFields, ins.Field(c))
	}
	for i, a := range aggs {
		spec.Aggs = append(spec.Aggs, a.spec(t))
		spec.Outputs = append(spec.Outputs, i)
		spec.OutKinds = append(spec.OutKinds, a.result)
		spec.Defaults = append(spec.Defaults, a.def)
	}
	spec.Schema = msSchema(keyFields, len(aggs))
	m, err := NewMakeSeries(kctx, in, spec)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var day = int64(24 * time.Hour)

// randomEvents makes nb batches of rows T (datetime, some null or outside
// [base, base+10d)), K (string, 40 values and null), V (long, some
// null), F (real), I (long key, 7 values).
func randomEvents(t *testing.T, mem memory.Allocator, seed int64, nb, rows int, base int64) (*arrow.Schema, []arrow.Record) {
	s := mkSchema(t, "T:datetime,K:string,V:long,F:real,I:long")
	rnd := rand.New(rand.NewSource(seed))
	var recs []arrow.Record
	for b := 0; b < nb; b++ {
		var rs [][]any
		for i := 0; i < rows; i++ {
			var ts, k, v any
			switch x := rnd.Intn(20); {
			case x == 0:
				ts = nil
			case x == 1:
				ts = base - 1 - rnd.Int63n(day)
			case x == 2:
				ts = base + 10*day + rnd.Int63n(day)
			default:
				ts = base + rnd.Int63n(10*day)
			}
			if x := rnd.Intn(41); x < 40 {
				k = fmt.Sprintf("key%02d", x*x%41)
			}
			if rnd.Intn(10) > 0 {
				v = int64(rnd.Intn(1000) - 300)
			}
			rs = append(rs, []any{ts, k, v, rnd.Float64()*100 - 10, int64(rnd.Intn(7))})
		}
		recs = append(recs, mkRec(t, mem, s, rs...))
	}
	return s, recs
}

func retainRecs(recs []arrow.Record) []arrow.Record {
	for _, r := range recs {
		r.Retain()
	}
	return recs
}

// TestMakeSeriesMatchesSummarizePath runs the dedicated aggregation and the
// summarize-based path on the same random input (several batches, two
// workers, rows outside the axis and null axis values and keys) and
// requires the same series, in the same order.
func TestMakeSeriesMatchesSummarizePath(t *testing.T) {
	mem := checked(t)
	kctx := &kernels.Ctx{Context: context.Background(), Mem: mem}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	s, recs := randomEvents(t, mem, 7, 6, 500, base)
	defer releaseAll(recs)
	aggs := []msAgg{
		{id: "count", arg: -1, result: types.Long, def: int64(0)},
		{id: "sum", arg: 2, argK: types.Long, result: types.Long, def: int64(-1)},
		{id: "avg", arg: 3, argK: types.Real, result: types.Real, def: nil},
		{id: "max", arg: 2, argK: types.Long, result: types.Long, def: int64(0)},
		{id: "min", arg: 3, argK: types.Real, result: types.Real, def: 0.5},
		{id: "dcount", arg: 4, argK: types.Long, result: types.Long, def: int64(0)},
	}
	axes := []SeriesAxis{
		{Kind: types.DateTime, From: base, Step: day, N: 10},
		{Kind: types.DateTime, From: base + 3*day, Step: 7 * 3600e9, N: 5}, // a window inside the data
		{Kind: types.DateTime, From: base, Step: 3 * day, N: 4},            // last bucket partly outside
	}
	defer func(w int) { Workers = w }(Workers)
	for ai, axis := range axes {
		for _, keys := range [][]int{{1}, {1, 4}, {4, 1}, nil} {
			for _, nw := range []int{1, 2, 3} {
				Workers = nw
				name := fmt.Sprintf("axis%d/keys%v/%dw", ai, keys, nw)
				want := collect(t, viaSummarize(t, kctx, &tsrc{schema: s, recs: retainRecs(append([]arrow.Record(nil), recs...))}, keys, 0, axis, aggs, false))
				op := fused(t, kctx, &tsrc{schema: s, recs: retainRecs(append([]arrow.Record(nil), recs...))}, keys, 0, axis, aggs, false)
				got := collect(t, op)
				op.Close()
				if len(want) == 0 {
					t.Fatalf("%s: the summarize path gave no rows", name)
				}
				t.Run(name, func(t *testing.T) { eqRows(t, got, want, true) })
			}
		}
	}
}

// TestMakeSeriesValues checks exact series on a small input: defaults in
// empty buckets, rows outside the axis and with a null axis value dropped,
// a key seen only outside the axis absent, the aggregate of a bucket with
// rows but no values kept (sum 0, avg NaN) rather than the default.
func TestMakeSeriesValues(t *testing.T) {
	mem := checked(t)
	kctx := &kernels.Ctx{Context: context.Background(), Mem: mem}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	in := src(t, mem, "T:datetime,K:string,V:long",
		[]any{base, "a", 1}, []any{base + 3600e9, "a", 2}, []any{base + 2*day, "a", nil},
		[]any{base + day, "b", 5}, []any{nil, "b", 100}, []any{base + 9*day, "b", 100},
		[]any{base - 1, "c", 1}, []any{base + 2*day + 1, "", 4})
	aggs := []msAgg{
		{id: "count", arg: -1, result: types.Long, def: int64(0)},
		{id: "sum", arg: 2, argK: types.Long, result: types.Long, def: int64(-1)},
		{id: "avg", arg: 2, argK: types.Long, result: types.Real, def: nil},
	}
	op := fused(t, kctx, in, []int{1}, 0, SeriesAxis{Kind: types.DateTime, From: base, Step: day, N: 3}, aggs, false)
	defer op.Close()
	axis := `["2024-01-01T00:00:00.0000000Z","2024-01-02T00:00:00.0000000Z","2024-01-03T00:00:00.0000000Z"]`
	eqRows(t, collect(t, op), []string{
		`a|[2,0,1]|[3,-1,0]|[1.5,null,"NaN"]|` + axis,
		`b|[0,1,0]|[-1,5,-1]|[null,5.0,null]|` + axis,
		`|[0,0,1]|[-1,-1,4]|[null,null,4.0]|` + axis,
	}, true)
}

// TestMakeSeriesNoRows: without keys, kind=nonempty gives one series of
// defaults; otherwise no row.
func TestMakeSeriesNoRows(t *testing.T) {
	mem := checked(t)
	kctx := &kernels.Ctx{Context: context.Background(), Mem: mem}
	aggs := []msAgg{{id: "count", arg: -1, result: types.Long, def: int64(0)}}
	axis := SeriesAxis{Kind: types.Long, From: 0, Step: 10, N: 2}
	for _, c := range []struct {
		keys     []int
		nonEmpty bool
		want     []string
	}{
		{nil, true, []string{"[0,0]|[0,10]"}},
		{nil, false, nil},
		{[]int{1}, true, nil},
	} {
		in := src(t, mem, "X:long,K:string", []any{-5, "a"}, []any{nil, "b"}, []any{20, "c"})
		op := fused(t, kctx, in, c.keys, 0, axis, aggs, c.nonEmpty)
		eqRows(t, collect(t, op), c.want, true)
		op.Close()
	}
}

// TestMakeSeriesFloatAxis buckets a real axis with floor((x-from)/step).
func TestMakeSeriesFloatAxis(t *testing.T) {
	mem := checked(t)
	kctx := &kernels.Ctx{Context: context.Background(), Mem: mem}
	in := src(t, mem, "X:real,V:long", []any{0.0, 1}, []any{0.49, 2}, []any{0.5, 4}, []any{1.49, 8}, []any{1.5, 16}, []any{-0.01, 32})
	aggs := []msAgg{{id: "sum", arg: 1, argK: types.Long, result: types.Long, def: int64(0)}}
	op := fused(t, kctx, in, nil, 0, SeriesAxis{Kind: types.Real, FromF: 0, StepF: 0.5, N: 3}, aggs, false)
	defer op.Close()
	eqRows(t, collect(t, op), []string{"[3,4,8]|[0.0,0.5,1.0]"}, true)
}

// TestMakeSeriesDictionaryKey: a dictionary-encoded string key gives the
// same series as the plain one.
func TestMakeSeriesDictionaryKey(t *testing.T) {
	mem := checked(t)
	kctx := &kernels.Ctx{Context: context.Background(), Mem: mem}
	plain := src(t, mem, "X:long,K:string", []any{1, "b"}, []any{2, "a"}, []any{11, "b"}, []any{3, nil}, []any{12, ""})
	dictType := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	db := array.NewDictionaryBuilder(mem, dictType).(*array.BinaryDictionaryBuilder)
	for _, v := range []any{"b", "a", "b", nil, ""} {
		if v == nil {
			db.AppendNull()
		} else if err := db.AppendString(v.(string)); err != nil {
			t.Fatal(err)
		}
	}
	dk := db.NewArray()
	db.Release()
	xs := plain.recs[0].Column(0)
	ds := arrow.NewSchema([]arrow.Field{plain.schema.Field(0), {Name: "K", Type: dictType, Metadata: plain.schema.Field(1).Metadata}}, nil)
	drec := array.NewRecord(ds, []arrow.Array{xs, dk}, 5)
	// two more batches with the same dictionary (as the batches of one
	// Parquet column chunk have); with two workers the third batch reuses
	// the first one's entry groups
	more := func(x int64, idx int32) arrow.Record {
		ib := array.NewInt32Builder(mem)
		ib.Append(idx)
		ind := ib.NewArray()
		ib.Release()
		k := array.NewDictionaryArray(dictType, ind, dk.(*array.Dictionary).Dictionary())
		ind.Release()
		xb := array.NewInt64Builder(mem)
		xb.Append(x)
		xa := xb.NewArray()
		xb.Release()
		return newRecord(ds, []arrow.Array{xa, k}, 1)
	}
	dict := &tsrc{schema: ds, recs: []arrow.Record{drec, more(13, 1), more(14, 1)}}
	dk.Release()
	aggs := []msAgg{{id: "count", arg: -1, result: types.Long, def: int64(0)}}
	axis := SeriesAxis{Kind: types.Long, From: 0, Step: 10, N: 2}
	opP := fused(t, kctx, plain, []int{1}, 0, axis, aggs, false)
	defer opP.Close()
	opD := fused(t, kctx, dict, []int{1}, 0, axis, aggs, false)
	defer opD.Close()
	eqRows(t, collect(t, opP), []string{"b|[1,1]|[0,10]", "a|[1,0]|[0,10]", "|[1,1]|[0,10]"}, true)
	eqRows(t, collect(t, opD), []string{"b|[1,1]|[0,10]", "a|[1,2]|[0,10]", "|[1,1]|[0,10]"}, true)
}
