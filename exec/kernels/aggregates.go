package kernels

// Aggregate kernels: shared machinery (column readers, result builders, the
// *if wrapper) and the contract with summarize / make-series.
//
// Contract with the operators that drive aggregates:
//
//   - Update gets every argument of the call as a column, constant arguments
//     included (a scalar Datum is fine); consts (the AggKernel argument)
//     holds their folded values. Rows whose group id is skipGroup are ignored.
//   - count(*) is called with no argument. For arg_max(x, *), arg_min(x, *)
//     and take_any(*) the operator expands `*` to the input columns and passes
//     each as one more argument; those aggregates yield several columns:
//     their state implements MultiAggState, whose FinishColumns returns one
//     array per result column; Finish then returns them as the fields
//     f0, f1, ... of a struct array (a plain array when there is only one).
//   - Order: make_list*, make_set*, make_bag*, take_any, arg_max/arg_min
//     ties and the *if variants of those follow input order. States of these
//     aggregates implement Sequenced: call SetSeq(n) before Update with the
//     position n of the morsel in the input (increasing within one worker).
//     Each state keeps per group the morsel sequence its values came from,
//     Merge keeps both sides' sequences, and Finish orders by sequence, so
//     partial states may be merged in any order. Without SetSeq all rows
//     count as one sequence in Update/Merge order.
//   - Groups never updated (summarize without by over an empty input) finish
//     as Kusto does: count/dcount/sum 0, avg NaN, stdev/variance 0,
//     make_list/make_set [], make_bag {}, everything else null.

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// skipGroup as a row's group id means "ignore this row".
const skipGroup = ^uint32(0)

// MultiAggState is an aggregate state yielding several columns
// (arg_max/arg_min: the extremum then the returned columns; take_any with
// several arguments; percentiles: one per percentile).
type MultiAggState interface {
	AggState
	FinishColumns(mem memory.Allocator, ngroups int) ([]arrow.Array, error)
}

// Sequenced is implemented by order-sensitive aggregate states: SetSeq sets
// the input position of the morsel the next Update calls come from.
type Sequenced interface {
	SetSeq(seq int64)
}

// ---------------------------------------------------------------------------
// Column access

type phys uint8

const (
	phNone phys = iota
	phInt       // int32 / int64 / timestamp / duration: read as int64
	phFloat
	phBool
	phString // string, guid, dynamic (JSON text)
)

// reader gives typed access to a Datum's values by logical row.
type reader struct {
	kind   types.Kind
	ph     phys
	arr    arrow.Array
	stride int // 0 for a scalar datum
	nulls  bool
	bitmap []byte // validity bitmap (nil: no nulls)
	off    int    // array offset into bitmap
	i64    []int64
	i32    []int32
	f64    []float64
	b      *array.Boolean
	s      *array.String
	ls     *array.LargeString
	dict   *array.Dictionary
	dictS  *array.String
}

func newReader(d Datum) reader {
	r := reader{kind: d.Kind, arr: d.Array, stride: 1}
	if d.Scalar {
		r.stride = 0
	}
	if d.Array == nil {
		return r
	}
	r.nulls = d.Array.NullN() > 0
	if r.nulls {
		r.bitmap = d.Array.NullBitmapBytes()
		r.off = d.Array.Data().Offset()
		if r.bitmap == nil {
			r.nulls = false // NullN>0 without a bitmap: a null-type array
		}
	}
	switch a := d.Array.(type) {
	case *array.Int64:
		r.ph, r.i64 = phInt, a.Int64Values()
	case *array.Int32:
		r.ph, r.i32 = phInt, a.Int32Values()
	case *array.Timestamp, *array.Duration:
		r.ph = phInt
		data := a.Data()
		if len(data.Buffers()) > 1 && data.Buffers()[1] != nil {
			vals := arrow.Int64Traits.CastFromBytes(data.Buffers()[1].Bytes())
			r.i64 = vals[data.Offset() : data.Offset()+data.Len()]
		}
	case *array.Float64:
		r.ph, r.f64 = phFloat, a.Float64Values()
	case *array.Boolean:
		r.ph, r.b = phBool, a
	case *array.String:
		r.ph, r.s = phString, a
	case *array.LargeString:
		r.ph, r.ls = phString, a
	case *array.Dictionary:
		if s, ok := a.Dictionary().(*array.String); ok {
			r.ph, r.dict, r.dictS = phString, a, s
		}
	}
	if r.kind == types.Unknown || r.kind == types.Null {
		r.kind = KindOfArrow(d.Array.DataType())
	}
	return r
}

func (r *reader) valid(i int) bool {
	return r.bitmap == nil || bitutil.BitIsSet(r.bitmap, r.off+i*r.stride)
}

func (r *reader) int64At(i int) int64 {
	j := i * r.stride
	switch {
	case r.i64 != nil:
		return r.i64[j]
	case r.i32 != nil:
		return int64(r.i32[j])
	case r.b != nil:
		if r.b.Value(j) {
			return 1
		}
		return 0
	case r.f64 != nil:
		return int64(r.f64[j])
	}
	if r.ph == phString {
		v, _ := dynNumber(r.stringAt(i))
		return int64(v)
	}
	return 0
}

func (r *reader) floatAt(i int) float64 {
	j := i * r.stride
	switch {
	case r.f64 != nil:
		return r.f64[j]
	case r.i64 != nil:
		return float64(r.i64[j])
	case r.i32 != nil:
		return float64(r.i32[j])
	case r.b != nil:
		if r.b.Value(j) {
			return 1
		}
		return 0
	}
	if r.ph == phString {
		v, _ := dynNumber(r.stringAt(i))
		return v
	}
	return 0
}

func (r *reader) boolAt(i int) bool {
	if r.b != nil {
		return r.b.Value(i * r.stride)
	}
	switch r.ph {
	case phInt, phFloat:
		return r.floatAt(i) != 0
	case phString:
		return r.stringAt(i) == "true"
	}
	return false
}

// stringAt returns the string at row i; it aliases Arrow memory, so clone
// it (strings.Clone) before keeping it.
func (r *reader) stringAt(i int) string {
	j := i * r.stride
	switch {
	case r.s != nil:
		return r.s.Value(j)
	case r.ls != nil:
		return r.ls.Value(j)
	case r.dict != nil:
		return r.dictS.Value(r.dict.GetValueIndex(j))
	}
	return ""
}

// truthy reports whether a predicate column is true (non-null) at row i.
func (r *reader) truthy(i int) bool { return r.valid(i) && r.boolAt(i) }

// value returns the row's value boxed as nil | bool | int64 | float64 | string
// (the string cloned), for the kernels that keep a few values (arg_max, take_any).
func (r *reader) value(i int) any {
	if r.arr == nil || !r.valid(i) {
		return nil
	}
	switch r.ph {
	case phInt:
		return r.int64At(i)
	case phFloat:
		return r.floatAt(i)
	case phBool:
		return r.boolAt(i)
	case phString:
		return strings.Clone(r.stringAt(i))
	}
	return nil
}

// dynNumber reads a JSON number (or a JSON string holding a number).
func dynNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' {
		if u, err := strconv.Unquote(s); err == nil {
			s = u
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

// ---------------------------------------------------------------------------
// Result builders

// finishMulti is Finish for a MultiAggState: one column as is, several as
// the fields of a struct array.
func finishMulti(mem memory.Allocator, cols []arrow.Array, err error) (arrow.Array, error) {
	if err != nil {
		return nil, err
	}
	if len(cols) == 1 {
		return cols[0], nil
	}
	names := make([]string, len(cols))
	for i := range names {
		names[i] = "f" + strconv.Itoa(i)
	}
	st, err := array.NewStructArray(cols, names)
	for _, c := range cols {
		c.Release()
	}
	if err != nil {
		return nil, err
	}
	return st, nil
}

// buildInts builds an array of kind k (int, long, datetime, timespan, bool)
// from int64 values; valid may be nil (all valid).
func buildInts(mem memory.Allocator, k types.Kind, vals []int64, valid []bool) arrow.Array {
	b := array.NewBuilder(mem, ArrowType(k))
	defer b.Release()
	b.Reserve(len(vals))
	for i, v := range vals {
		if valid != nil && !valid[i] {
			b.AppendNull()
			continue
		}
		switch bb := b.(type) {
		case *array.Int64Builder:
			bb.UnsafeAppend(v)
		case *array.Int32Builder:
			bb.UnsafeAppend(int32(v))
		case *array.TimestampBuilder:
			bb.UnsafeAppend(arrow.Timestamp(v))
		case *array.DurationBuilder:
			bb.UnsafeAppend(arrow.Duration(v))
		case *array.BooleanBuilder:
			bb.UnsafeAppend(v != 0)
		case *array.Float64Builder:
			bb.UnsafeAppend(float64(v))
		case *array.StringBuilder:
			bb.Append(strconv.FormatInt(v, 10))
		default:
			b.AppendNull()
		}
	}
	return b.NewArray()
}

func buildFloats(mem memory.Allocator, vals []float64, valid []bool) arrow.Array {
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, valid)
	return b.NewArray()
}

func buildStrings(mem memory.Allocator, vals []string, valid []bool) arrow.Array {
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.AppendValues(vals, valid)
	return b.NewArray()
}

// buildValues builds an array of kind k from boxed values (see reader.value).
func buildValues(mem memory.Allocator, k types.Kind, vals []any) arrow.Array {
	b := array.NewBuilder(mem, ArrowType(k))
	defer b.Release()
	for _, v := range vals {
		appendValue(b, v)
	}
	return b.NewArray()
}

func appendValue(b array.Builder, v any) {
	if v == nil {
		b.AppendNull()
		return
	}
	switch bb := b.(type) {
	case *array.Int64Builder:
		bb.Append(toInt64(v))
	case *array.Int32Builder:
		bb.Append(int32(toInt64(v)))
	case *array.TimestampBuilder:
		bb.Append(arrow.Timestamp(toInt64(v)))
	case *array.DurationBuilder:
		bb.Append(arrow.Duration(toInt64(v)))
	case *array.Float64Builder:
		bb.Append(toFloat64(v))
	case *array.BooleanBuilder:
		x, _ := v.(bool)
		bb.Append(x)
	case *array.StringBuilder:
		switch x := v.(type) {
		case string:
			bb.Append(x)
		default:
			bb.Append(fmt.Sprint(x))
		}
	default:
		b.AppendNull()
	}
}

func toInt64(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case float64:
		return int64(x)
	case bool:
		if x {
			return 1
		}
	}
	return 0
}

func toFloat64(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	case int:
		return float64(x)
	case int32:
		return float64(x)
	}
	return math.NaN()
}

// constInt reads a folded constant argument as an integer.
func constInt(consts []any, i int) (int64, bool) {
	if i >= len(consts) || consts[i] == nil {
		return 0, false
	}
	switch x := consts[i].(type) {
	case int64, int, int32, float64:
		return toInt64(x), true
	}
	return 0, false
}

// constFloat reads a folded constant argument as a number.
func constFloat(consts []any, i int) (float64, bool) {
	if i >= len(consts) || consts[i] == nil {
		return 0, false
	}
	switch x := consts[i].(type) {
	case int64, int, int32, float64:
		return toFloat64(x), true
	}
	return 0, false
}

// argInt reads integer argument i from the folded constants or, failing
// that, from the first row of its column.
func argInt(consts []any, args []Datum, i int) (int64, bool) {
	if v, ok := constInt(consts, i); ok {
		return v, true
	}
	if i < len(args) && args[i].Array != nil && args[i].Array.Len() > 0 {
		r := newReader(args[i])
		if r.valid(0) && (r.ph == phInt || r.ph == phFloat) {
			return r.int64At(0), true
		}
	}
	return 0, false
}

func argFloat(consts []any, args []Datum, i int) (float64, bool) {
	if v, ok := constFloat(consts, i); ok {
		return v, true
	}
	if i < len(args) && args[i].Array != nil && args[i].Array.Len() > 0 {
		r := newReader(args[i])
		if r.valid(0) && (r.ph == phInt || r.ph == phFloat) {
			return r.floatAt(0), true
		}
	}
	return 0, false
}

func grow[T any](s []T, n int) []T {
	if len(s) >= n {
		return s
	}
	if cap(s) >= n {
		return s[:n]
	}
	out := make([]T, n, max(n, 2*cap(s)))
	copy(out, s)
	return out
}

func growFill[T any](s []T, n int, fill T) []T {
	old := len(s)
	s = grow(s, n)
	for i := old; i < n; i++ {
		s[i] = fill
	}
	return s
}

// ---------------------------------------------------------------------------
// The *if wrapper: rows where the predicate is not true are skipped.

type ifState struct {
	inner AggState
	pred  int // index of the predicate argument
	buf   []uint32
}

func (s *ifState) Update(args []Datum, groups []uint32, ngroups int) error {
	if s.pred >= len(args) {
		return fmt.Errorf("missing predicate argument")
	}
	p := newReader(args[s.pred])
	s.buf = grow(s.buf[:0], len(groups))
	for i, g := range groups {
		if p.truthy(i) {
			s.buf[i] = g
		} else {
			s.buf[i] = skipGroup
		}
	}
	rest := make([]Datum, 0, len(args)-1)
	rest = append(rest, args[:s.pred]...)
	rest = append(rest, args[s.pred+1:]...)
	return s.inner.Update(rest, s.buf, ngroups)
}

func (s *ifState) Merge(other AggState, mapping []uint32, ngroups int) error {
	o, ok := other.(*ifState)
	if !ok {
		return fmt.Errorf("merge of mismatched aggregate states")
	}
	return s.inner.Merge(o.inner, mapping, ngroups)
}

func (s *ifState) Finish(mem memory.Allocator, ngroups int) (arrow.Array, error) {
	return s.inner.Finish(mem, ngroups)
}

func (s *ifState) SetSeq(seq int64) {
	if q, ok := s.inner.(Sequenced); ok {
		q.SetSeq(seq)
	}
}

// withIf makes the kernel of an *if aggregate from the plain kernel: the
// predicate is argument pred; the inner kernel sees the other arguments.
func withIf(k AggKernel, pred int) AggKernel {
	return func(ctx *Ctx, argKinds []types.Kind, consts []any, result types.Kind) (AggState, error) {
		ik := dropIndex(argKinds, pred)
		ic := consts
		if len(consts) > pred {
			ic = dropIndex(consts, pred)
		}
		inner, err := k(ctx, ik, ic, result)
		if err != nil {
			return nil, err
		}
		return &ifState{inner: inner, pred: pred}, nil
	}
}

func dropIndex[T any](s []T, i int) []T {
	if i >= len(s) {
		return s
	}
	out := make([]T, 0, len(s)-1)
	out = append(out, s[:i]...)
	return append(out, s[i+1:]...)
}

func kindAt(ks []types.Kind, i int) types.Kind {
	if i < len(ks) {
		return ks[i]
	}
	return types.Unknown
}

func mergeErr(name string) error {
	return fmt.Errorf("%s: merge of mismatched aggregate states", name)
}
