package ops

import (
	"context"
	"fmt"
	"math"
	"math/big"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

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
	axis := make([]any, s.axis.N)
	for i := range axis {
		switch {
		case s.axis.IsFloat():
			axis[i] = s.axis.FromF + float64(i)*s.axis.StepF
		case s.axis.Kind == types.DateTime:
			axis[i] = types.FormatDateTime(s.axis.From + int64(i)*s.axis.Step)
		case s.axis.Kind == types.TimeSpan:
			axis[i] = types.FormatTimeSpan(s.axis.From + int64(i)*s.axis.Step)
		default:
			axis[i] = s.axis.From + int64(i)*s.axis.Step
		}
	}
	at := types.FormatDynamic(axis)
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
