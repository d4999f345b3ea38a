package kernels

// Helpers for writing scalar kernels (stable API; other function families
// build on it).
//
// Reading arguments — accessors turn a Datum into a typed row getter
// func(i int) (value, valid). Row i is a logical row: a scalar Datum
// answers the same value for every i. valid=false means null. Accessors
// never fail: they apply the widenings the checker allows (int → long →
// real, any kind → string as tostring(), dynamic → the wanted kind as Kusto
// converts at run time) and fall back to a boxed slow path for unusual
// physical Arrow types (dictionary-encoded strings, other timestamp units,
// narrower integers, ...).
//
//	Bools(d)    func(int) (bool, bool)
//	Int32s(d)   func(int) (int32, bool)    int values; long truncated when it fits
//	Int64s(d)   func(int) (int64, bool)    long, int, datetime (Unix ns), timespan (ns)
//	Float64s(d) func(int) (float64, bool)  real, decimal, int, long
//	Strings(d)  func(int) (string, bool)   string (a null string reads as "", valid:
//	                                       Kusto strings are never null); other kinds
//	                                       read as their tostring() text, null → ("", false)
//	Dynamics(d) func(int) (any, bool)      dynamic values decoded (types.ParseDynamic);
//	                                       other kinds boxed as in a dynamic (no string parsing)
//	Values(d)   func(int) (any, bool)      boxed Go value of d.Kind (lang/types/values.go)
//	ValueAt(d, i) any                      one boxed value (nil = null)
//
// Building results:
//
//	MakeArray(mem, kind, vals, valid)  typed slice ([]bool, []int32, []int64, []float64,
//	                                   []string, []any) → arrow.Array of the kind's type;
//	                                   valid nil = all valid; []any of dynamic values
//	                                   for kind dynamic is written as JSON text
//	FromValues(kind, vals []any)       boxed values → arrow.Array (DefaultAllocator)
//	FromValuesMem(mem, kind, vals)
//	ScalarOf(mem, kind, v) Datum       a scalar Datum holding v (nil = null)
//
// Lifting Go functions to kernels — the element types A, B, C, R are Go
// types among bool, int32, int64, float64, string, or any (dynamic); the
// result kind `out` is given explicitly (int64 serves long, datetime and
// timespan). The lifted kernel reads arguments with the accessors above,
// returns a scalar Datum when every argument is scalar, and a null row when
// fn returns ok=false (for out=string: an empty string, never null).
//
//	Lift1(out, fn func(A) (R, bool))           null in any argument → null out, fn not called
//	Lift2(out, fn func(A, B) (R, bool))
//	Lift3(out, fn func(A, B, C) (R, bool))
//	LiftN(out, fn func([]A) (R, bool))         any number of arguments of one type
//	Lift1N / Lift2N / Lift3N / LiftNN          the same, but fn sees nulls: each value
//	                                           comes with its valid flag and fn decides
//
// For instance:
//
//	RegisterScalar("sqrt_real", Lift1(types.Real, func(x float64) (float64, bool) {
//		return math.Sqrt(x), true
//	}))

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Mem returns the allocator of ctx, or the default allocator when ctx or its Mem is nil.
func Mem(ctx *Ctx) memory.Allocator {
	if ctx == nil || ctx.Mem == nil {
		return memory.DefaultAllocator
	}
	return ctx.Mem
}

// AllScalar reports whether every argument is a scalar Datum.
func AllScalar(args []Datum) bool {
	for _, a := range args {
		if !a.Scalar {
			return false
		}
	}
	return true
}

// OutLen is the number of rows a kernel computes: 1 when every argument is
// scalar (the result is then a scalar), else n.
func OutLen(args []Datum, n int) int {
	if AllScalar(args) {
		return 1
	}
	return n
}

// ---------------------------------------------------------------- accessors

func constant[T any](v T, ok bool) func(int) (T, bool) {
	return func(int) (T, bool) { return v, ok }
}

// scalarize evaluates g once when d is scalar.
func scalarize[T any](d Datum, g func(int) (T, bool)) func(int) (T, bool) {
	if d.Scalar {
		v, ok := g(0)
		return constant(v, ok)
	}
	return g
}

// slow is the boxed fallback getter: ValueAt then conversion.
func slow[T any](d Datum, conv func(k types.Kind, v any) (T, bool)) func(int) (T, bool) {
	return scalarize(d, func(i int) (T, bool) {
		v := ValueAt(d, i)
		if v == nil {
			var z T
			return z, false
		}
		return conv(d.Kind, v)
	})
}

func isNull(a arrow.Array) bool { return a == nil || a.DataType().ID() == arrow.NULL }

// Bools reads bool rows; other kinds convert as tobool().
func Bools(d Datum) func(int) (bool, bool) {
	if isNull(d.Array) {
		return constant(false, false)
	}
	if a, ok := d.Array.(*array.Boolean); ok {
		if a.NullN() == 0 {
			return scalarize(d, func(i int) (bool, bool) { return a.Value(i), true })
		}
		return scalarize(d, func(i int) (bool, bool) { return a.Value(i), a.IsValid(i) })
	}
	return slow(d, types.ToBool)
}

// Int64s reads long rows (also int, datetime and timespan as int64 ns);
// reals truncate, other kinds convert as tolong().
func Int64s(d Datum) func(int) (int64, bool) {
	if isNull(d.Array) {
		return constant(int64(0), false)
	}
	switch a := d.Array.(type) {
	case *array.Int64:
		vs := a.Int64Values()
		return int64Getter(d, vs, a)
	case *array.Timestamp:
		if a.DataType().(*arrow.TimestampType).Unit == arrow.Nanosecond {
			return int64Getter(d, timestampsAsInt64(a.TimestampValues()), a)
		}
		mul := unitNanos(a.DataType().(*arrow.TimestampType).Unit)
		return scalarize(d, func(i int) (int64, bool) { return int64(a.Value(i)) * mul, a.IsValid(i) })
	case *array.Duration:
		if a.DataType().(*arrow.DurationType).Unit == arrow.Nanosecond {
			return int64Getter(d, durationsAsInt64(a.DurationValues()), a)
		}
		mul := unitNanos(a.DataType().(*arrow.DurationType).Unit)
		return scalarize(d, func(i int) (int64, bool) { return int64(a.Value(i)) * mul, a.IsValid(i) })
	case *array.Int32:
		vs := a.Int32Values()
		if a.NullN() == 0 {
			return scalarize(d, func(i int) (int64, bool) { return int64(vs[i]), true })
		}
		return scalarize(d, func(i int) (int64, bool) { return int64(vs[i]), a.IsValid(i) })
	case *array.Float64:
		if d.Kind == types.Real || d.Kind == types.Decimal {
			return scalarize(d, func(i int) (int64, bool) {
				if a.IsNull(i) {
					return 0, false
				}
				return types.RealToLong(a.Value(i))
			})
		}
	}
	if d.Kind == types.DateTime || d.Kind == types.TimeSpan {
		return slow(d, func(k types.Kind, v any) (int64, bool) { n, ok := v.(int64); return n, ok })
	}
	return slow(d, types.ToLong)
}

func int64Getter(d Datum, vs []int64, a arrow.Array) func(int) (int64, bool) {
	if a.NullN() == 0 {
		return scalarize(d, func(i int) (int64, bool) { return vs[i], true })
	}
	return scalarize(d, func(i int) (int64, bool) { return vs[i], a.IsValid(i) })
}

func unitNanos(u arrow.TimeUnit) int64 {
	switch u {
	case arrow.Second:
		return 1e9
	case arrow.Millisecond:
		return 1e6
	case arrow.Microsecond:
		return 1e3
	}
	return 1
}

func timestampsAsInt64(v []arrow.Timestamp) []int64 {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*int64)(unsafe.Pointer(&v[0])), len(v))
}

func durationsAsInt64(v []arrow.Duration) []int64 {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*int64)(unsafe.Pointer(&v[0])), len(v))
}

// Int32s reads int rows; longs and other kinds convert as toint().
func Int32s(d Datum) func(int) (int32, bool) {
	if isNull(d.Array) {
		return constant(int32(0), false)
	}
	if a, ok := d.Array.(*array.Int32); ok {
		vs := a.Int32Values()
		if a.NullN() == 0 {
			return scalarize(d, func(i int) (int32, bool) { return vs[i], true })
		}
		return scalarize(d, func(i int) (int32, bool) { return vs[i], a.IsValid(i) })
	}
	g := Int64s(d)
	return func(i int) (int32, bool) {
		v, ok := g(i)
		if !ok || v < math.MinInt32 || v > math.MaxInt32 {
			return 0, false
		}
		return int32(v), true
	}
}

// Float64s reads real rows (also decimal, int, long); other kinds convert as toreal().
func Float64s(d Datum) func(int) (float64, bool) {
	if isNull(d.Array) {
		return constant(0.0, false)
	}
	switch a := d.Array.(type) {
	case *array.Float64:
		vs := a.Float64Values()
		if a.NullN() == 0 {
			return scalarize(d, func(i int) (float64, bool) { return vs[i], true })
		}
		return scalarize(d, func(i int) (float64, bool) { return vs[i], a.IsValid(i) })
	case *array.Int64:
		if d.Kind == types.Long || d.Kind == types.Int || d.Kind == types.Unknown {
			vs := a.Int64Values()
			return scalarize(d, func(i int) (float64, bool) { return float64(vs[i]), a.IsValid(i) })
		}
	case *array.Int32:
		vs := a.Int32Values()
		return scalarize(d, func(i int) (float64, bool) { return float64(vs[i]), a.IsValid(i) })
	}
	return slow(d, types.ToReal)
}

// rawStrings returns a getter over a physical string-like array, or nil.
func rawStrings(arr arrow.Array) func(int) (string, bool) {
	switch a := arr.(type) {
	case *array.String:
		if a.NullN() == 0 {
			return func(i int) (string, bool) { return a.Value(i), true }
		}
		return func(i int) (string, bool) { return a.Value(i), a.IsValid(i) }
	case *array.LargeString:
		return func(i int) (string, bool) { return a.Value(i), a.IsValid(i) }
	case *array.Binary:
		return func(i int) (string, bool) { return string(a.Value(i)), a.IsValid(i) }
	case *array.Dictionary:
		inner := rawStrings(a.Dictionary())
		if inner == nil {
			return nil
		}
		return func(i int) (string, bool) {
			if a.IsNull(i) {
				return "", false
			}
			return inner(a.GetValueIndex(i))
		}
	}
	return nil
}

// Strings reads string rows. For kind string a null reads as ("", true);
// guid reads its text; dynamic reads a JSON string's text, other JSON as
// compact JSON; other kinds read as tostring() would print them.
func Strings(d Datum) func(int) (string, bool) {
	if isNull(d.Array) {
		return constant("", d.Kind == types.String)
	}
	raw := rawStrings(d.Array)
	switch {
	case raw != nil && (d.Kind == types.String || d.Kind == types.Unknown):
		return scalarize(d, func(i int) (string, bool) {
			s, _ := raw(i)
			return s, true
		})
	case raw != nil && d.Kind == types.Guid:
		return scalarize(d, raw)
	case raw != nil && d.Kind == types.Dynamic:
		return scalarize(d, func(i int) (string, bool) {
			s, ok := raw(i)
			if !ok {
				return "", false
			}
			if t, ok := plainJSONString(s); ok {
				return t, true
			}
			v, isNull := dynamicText(s)
			if isNull {
				return "", false
			}
			return types.FormatValue(types.Dynamic, v), true
		})
	}
	return slow(d, func(k types.Kind, v any) (string, bool) { return types.FormatValue(k, v), true })
}

// dynamicText decodes stored dynamic JSON text; text that is not valid JSON
// is taken as a string value.
// plainJSONString returns the text of a dynamic holding a JSON string
// without escapes ("abc": the bytes between the quotes), as parsing it
// and formatting the string would, without the parse. Anything else
// (escapes, surrounding whitespace, other values) reports false.
func plainJSONString(s string) (string, bool) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", false
	}
	in := s[1 : len(s)-1]
	for i := 0; i < len(in); i++ {
		if c := in[i]; c == '"' || c == '\\' {
			return "", false
		}
	}
	return in, true
}

func dynamicText(s string) (v any, null bool) {
	if s == "" || s == "null" {
		return nil, true
	}
	v, err := types.ParseDynamic(s)
	if err != nil {
		return s, false
	}
	return v, v == nil
}

// Dynamics reads dynamic rows as decoded values (nil|bool|int64|float64|
// string|[]any|*types.Bag). A JSON null reads as (nil, false). Values of
// other kinds are boxed as a dynamic holds them: int as int64, datetime and
// timespan as their tostring() text, strings as strings (not parsed).
func Dynamics(d Datum) func(int) (any, bool) {
	if isNull(d.Array) {
		return constant[any](nil, false)
	}
	if d.Kind == types.Dynamic {
		if raw := rawStrings(d.Array); raw != nil {
			return scalarize(d, func(i int) (any, bool) {
				s, ok := raw(i)
				if !ok {
					return nil, false
				}
				v, null := dynamicText(s)
				return v, !null
			})
		}
	}
	return scalarize(d, func(i int) (any, bool) {
		v := ValueAt(d, i)
		if v == nil {
			return nil, false
		}
		if d.Kind == types.Dynamic {
			return v, true
		}
		if s, ok := v.(string); ok {
			return s, true
		}
		return types.ToDynamic(d.Kind, v), true
	})
}

// Values reads rows as boxed Go values of d.Kind (see ValueAt).
func Values(d Datum) func(int) (any, bool) {
	return scalarize(d, func(i int) (any, bool) {
		v := ValueAt(d, i)
		return v, v != nil
	})
}

// ValueAt returns logical row i of d as a boxed Go value of d.Kind
// (lang/types/values.go: int → int32, long/datetime/timespan → int64, real
// and decimal → float64, string/guid → string, dynamic → decoded value);
// nil when null. A null string of kind string reads as "".
func ValueAt(d Datum, i int) any {
	if d.Array == nil {
		return nil
	}
	r := d.Row(i)
	v := rawAt(d.Array, r)
	if v == nil {
		if d.Kind == types.String && !isNull(d.Array) {
			return ""
		}
		return nil
	}
	return coerce(d.Kind, v)
}

// rawAt returns a physical value: bool, int64 (all integers, timestamps and
// durations in ns), float64, string; nil when null or unsupported.
func rawAt(arr arrow.Array, i int) any {
	if i < 0 || i >= arr.Len() || arr.IsNull(i) {
		return nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return a.Value(i)
	case *array.Int8:
		return int64(a.Value(i))
	case *array.Int16:
		return int64(a.Value(i))
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Int64:
		return a.Value(i)
	case *array.Uint8:
		return int64(a.Value(i))
	case *array.Uint16:
		return int64(a.Value(i))
	case *array.Uint32:
		return int64(a.Value(i))
	case *array.Uint64:
		return int64(a.Value(i))
	case *array.Float32:
		return float64(a.Value(i))
	case *array.Float64:
		return a.Value(i)
	case *array.Timestamp:
		return int64(a.Value(i)) * unitNanos(a.DataType().(*arrow.TimestampType).Unit)
	case *array.Duration:
		return int64(a.Value(i)) * unitNanos(a.DataType().(*arrow.DurationType).Unit)
	case *array.Date32:
		return int64(a.Value(i)) * types.Day
	case *array.Date64:
		return int64(a.Value(i)) * int64(1e6)
	case *array.String:
		return a.Value(i)
	case *array.LargeString:
		return a.Value(i)
	case *array.Binary:
		return string(a.Value(i))
	case *array.Dictionary:
		return rawAt(a.Dictionary(), a.GetValueIndex(i))
	case *array.Decimal128:
		dt := a.DataType().(*arrow.Decimal128Type)
		return a.Value(i).ToFloat64(dt.Scale)
	}
	return nil
}

// coerce turns a physical value into the Go representation of kind k.
func coerce(k types.Kind, v any) any {
	switch k {
	case types.Int:
		switch x := v.(type) {
		case int64:
			return int32(x)
		case float64:
			return int32(x)
		}
	case types.Long, types.DateTime, types.TimeSpan:
		if x, ok := v.(float64); ok {
			return int64(x)
		}
	case types.Real, types.Decimal:
		if x, ok := v.(int64); ok {
			return float64(x)
		}
	case types.Dynamic:
		if s, ok := v.(string); ok {
			d, _ := dynamicText(s)
			return d
		}
	}
	return v
}

// ----------------------------------------------------------------- building

// MakeArray builds an array of kind k from a typed slice: []bool, []int32,
// []int64 (long, datetime, timespan), []float64 (real, decimal), []string
// (string, guid, and dynamic when the strings are already JSON text) or
// []any (boxed values of kind k; dynamic values are written as JSON).
// valid[i]=false makes row i null; valid nil means all valid.
func MakeArray[T any](mem memory.Allocator, k types.Kind, vals []T, valid []bool) arrow.Array {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	switch vs := any(vals).(type) {
	case []bool:
		if k == types.Bool {
			b := array.NewBooleanBuilder(mem)
			defer b.Release()
			b.AppendValues(vs, valid)
			return b.NewArray()
		}
	case []int32:
		if k == types.Int {
			b := array.NewInt32Builder(mem)
			defer b.Release()
			b.AppendValues(vs, valid)
			return b.NewArray()
		}
	case []int64:
		switch k {
		case types.Long:
			b := array.NewInt64Builder(mem)
			defer b.Release()
			b.AppendValues(vs, valid)
			return b.NewArray()
		case types.DateTime:
			b := array.NewTimestampBuilder(mem, ArrowType(k).(*arrow.TimestampType))
			defer b.Release()
			var ts []arrow.Timestamp
			if len(vs) > 0 {
				ts = unsafe.Slice((*arrow.Timestamp)(unsafe.Pointer(&vs[0])), len(vs))
			}
			b.AppendValues(ts, valid)
			return b.NewArray()
		case types.TimeSpan:
			b := array.NewDurationBuilder(mem, ArrowType(k).(*arrow.DurationType))
			defer b.Release()
			var ds []arrow.Duration
			if len(vs) > 0 {
				ds = unsafe.Slice((*arrow.Duration)(unsafe.Pointer(&vs[0])), len(vs))
			}
			b.AppendValues(ds, valid)
			return b.NewArray()
		}
	case []float64:
		if k == types.Real || k == types.Decimal {
			b := array.NewFloat64Builder(mem)
			defer b.Release()
			b.AppendValues(vs, valid)
			return b.NewArray()
		}
	case []string:
		if k == types.String || k == types.Guid || k == types.Dynamic || k == types.Unknown {
			b := array.NewStringBuilder(mem)
			defer b.Release()
			total := 0
			for _, v := range vs {
				total += len(v)
			}
			b.ReserveData(total) // one sized data buffer, no growth copies
			b.AppendValues(vs, valid)
			return b.NewArray()
		}
	case []any:
		return FromValuesMem(mem, k, vs)
	}
	// Mismatched element type: box and convert.
	boxed := make([]any, len(vals))
	for i := range vals {
		if valid == nil || valid[i] {
			boxed[i] = any(vals[i])
		}
	}
	return FromValuesMem(mem, k, boxed)
}

// FromValues builds an array of kind k from boxed Go values (nil = null)
// with the default allocator. Values of another Go type are converted as
// the to*() function of k would (types.Convert).
func FromValues(k types.Kind, vals []any) arrow.Array {
	return FromValuesMem(memory.DefaultAllocator, k, vals)
}

// FromValuesMem is FromValues with an allocator.
func FromValuesMem(mem memory.Allocator, k types.Kind, vals []any) arrow.Array {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	valid := make([]bool, len(vals))
	switch k {
	case types.Bool:
		out := make([]bool, len(vals))
		for i, v := range vals {
			out[i], valid[i] = asBool(v)
		}
		return MakeArray(mem, k, out, valid)
	case types.Int:
		out := make([]int32, len(vals))
		for i, v := range vals {
			if x, ok := v.(int32); ok {
				out[i], valid[i] = x, true
			} else if v != nil {
				out[i], valid[i] = types.ToInt(kindOfGo(v), v)
			}
		}
		return MakeArray(mem, k, out, valid)
	case types.Long, types.DateTime, types.TimeSpan:
		out := make([]int64, len(vals))
		for i, v := range vals {
			switch x := v.(type) {
			case int64:
				out[i], valid[i] = x, true
			case int32:
				out[i], valid[i] = int64(x), true
			case int:
				out[i], valid[i] = int64(x), true
			case nil:
			default:
				if c := types.Convert(kindOfGo(v), k, v); c != nil {
					out[i], valid[i] = c.(int64), true
				}
			}
		}
		return MakeArray(mem, k, out, valid)
	case types.Real, types.Decimal:
		out := make([]float64, len(vals))
		for i, v := range vals {
			if v != nil {
				out[i], valid[i] = types.ToReal(kindOfGo(v), v)
			}
		}
		return MakeArray(mem, k, out, valid)
	case types.Dynamic:
		out := make([]string, len(vals))
		for i, v := range vals {
			if v != nil {
				out[i], valid[i] = types.FormatDynamic(v), true
			}
		}
		return MakeArray(mem, k, out, valid)
	default: // string, guid, unknown
		out := make([]string, len(vals))
		for i, v := range vals {
			switch x := v.(type) {
			case string:
				out[i], valid[i] = x, true
			case nil:
				valid[i] = k == types.String
			default:
				out[i], valid[i] = types.FormatValue(kindOfGo(v), v), true
			}
		}
		return MakeArray(mem, k, out, valid)
	}
}

func asBool(v any) (bool, bool) {
	if b, ok := v.(bool); ok {
		return b, true
	}
	if v == nil {
		return false, false
	}
	return types.ToBool(kindOfGo(v), v)
}

// kindOfGo guesses the kind of a boxed Go value (int64 → long).
func kindOfGo(v any) types.Kind {
	switch v.(type) {
	case bool:
		return types.Bool
	case int32:
		return types.Int
	case int64, int:
		return types.Long
	case float64:
		return types.Real
	case string:
		return types.String
	}
	return types.Dynamic
}

// ScalarOf returns a scalar Datum of kind k holding v (nil = null). The
// caller owns the Datum and must Release it.
func ScalarOf(mem memory.Allocator, k types.Kind, v any) Datum {
	return Datum{Array: FromValuesMem(mem, k, []any{v}), Scalar: true, Kind: k}
}

// ------------------------------------------------------------------ lifting

// getterFor returns the accessor for Go element type T.
func getterFor[T any](d Datum) (func(int) (T, bool), error) {
	var z T
	var g any
	switch any(z).(type) {
	case bool:
		g = Bools(d)
	case int32:
		g = Int32s(d)
	case int64:
		g = Int64s(d)
	case float64:
		g = Float64s(d)
	case string:
		g = Strings(d)
	case nil: // T is an interface type: dynamic values
		g = Dynamics(d)
	default:
		return nil, fmt.Errorf("kernels: no accessor for Go type %T", z)
	}
	f, ok := g.(func(int) (T, bool))
	if !ok {
		return nil, fmt.Errorf("kernels: no accessor for Go type %T", z)
	}
	return f, nil
}

// produce runs row for every output row and builds the result Datum.
func produce[R any](ctx *Ctx, out types.Kind, args []Datum, n int, row func(i int) (R, bool)) (Datum, error) {
	m := OutLen(args, n)
	scalar := AllScalar(args)
	if m > 0 && fixedWidthOK[R](out) {
		return Datum{Array: produceFixed(Mem(ctx), out, m, row), Scalar: scalar, Kind: out}, nil
	}
	vals := make([]R, m)
	var valid []bool // allocated at the first null
	for i := 0; i < m; i++ {
		v, ok := row(i)
		if ok {
			vals[i] = v
		} else if out == types.String {
			ok = true // Kusto strings are never null: the zero value "" stands
		}
		if !ok && valid == nil {
			valid = make([]bool, m)
			for j := 0; j < i; j++ {
				valid[j] = true
			}
		}
		if valid != nil {
			valid[i] = ok
		}
	}
	return Datum{Array: MakeArray(Mem(ctx), out, vals, valid), Scalar: scalar, Kind: out}, nil
}

// fixedWidthOK reports whether results of Go type R can be written straight
// into the Arrow buffer of kind out.
func fixedWidthOK[R any](out types.Kind) bool {
	var z R
	switch any(z).(type) {
	case int32:
		return out == types.Int
	case int64:
		return out == types.Long || out == types.DateTime || out == types.TimeSpan
	case float64:
		return out == types.Real || out == types.Decimal
	}
	return false
}

// produceFixed writes 4- or 8-byte results directly into an Arrow buffer.
func produceFixed[R any](mem memory.Allocator, out types.Kind, m int, row func(i int) (R, bool)) arrow.Array {
	var z R
	size := int(unsafe.Sizeof(z))
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(m * size)
	vals := unsafe.Slice((*R)(unsafe.Pointer(&buf.Bytes()[0])), m)
	var bitmap *memory.Buffer
	var bits []byte
	nulls := 0
	for i := 0; i < m; i++ {
		v, ok := row(i)
		vals[i] = v
		if ok {
			if bits != nil {
				bitutil.SetBit(bits, i)
			}
			continue
		}
		vals[i] = z
		if bits == nil {
			bitmap = memory.NewResizableBuffer(mem)
			bitmap.Resize(int(bitutil.BytesForBits(int64(m))))
			bits = bitmap.Bytes()
			for j := range bits {
				bits[j] = 0
			}
			for j := 0; j < i; j++ {
				bitutil.SetBit(bits, j)
			}
		}
		nulls++
	}
	data := array.NewData(ArrowType(out), m, []*memory.Buffer{bitmap, buf}, nil, nulls, 0)
	arr := array.MakeFromData(data)
	data.Release()
	buf.Release()
	if bitmap != nil {
		bitmap.Release()
	}
	return arr
}

// Lift1 makes a kernel of one argument; a null argument gives a null result.
func Lift1[A, R any](out types.Kind, fn func(A) (R, bool)) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		if err := argCount(args, 1); err != nil {
			return Datum{}, err
		}
		ga, err := getterFor[A](args[0])
		if err != nil {
			return Datum{}, err
		}
		return produce(ctx, out, args, n, func(i int) (R, bool) {
			a, ok := ga(i)
			if !ok {
				var z R
				return z, false
			}
			return fn(a)
		})
	}
}

// Lift2 makes a kernel of two arguments; a null argument gives a null result.
func Lift2[A, B, R any](out types.Kind, fn func(A, B) (R, bool)) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		if err := argCount(args, 2); err != nil {
			return Datum{}, err
		}
		ga, err := getterFor[A](args[0])
		if err != nil {
			return Datum{}, err
		}
		gb, err := getterFor[B](args[1])
		if err != nil {
			return Datum{}, err
		}
		return produce(ctx, out, args, n, func(i int) (R, bool) {
			a, ok := ga(i)
			if !ok {
				var z R
				return z, false
			}
			b, ok := gb(i)
			if !ok {
				var z R
				return z, false
			}
			return fn(a, b)
		})
	}
}

// Lift3 makes a kernel of three arguments; a null argument gives a null result.
func Lift3[A, B, C, R any](out types.Kind, fn func(A, B, C) (R, bool)) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		if err := argCount(args, 3); err != nil {
			return Datum{}, err
		}
		ga, err := getterFor[A](args[0])
		if err != nil {
			return Datum{}, err
		}
		gb, err := getterFor[B](args[1])
		if err != nil {
			return Datum{}, err
		}
		gc, err := getterFor[C](args[2])
		if err != nil {
			return Datum{}, err
		}
		return produce(ctx, out, args, n, func(i int) (R, bool) {
			var z R
			a, ok := ga(i)
			if !ok {
				return z, false
			}
			b, ok := gb(i)
			if !ok {
				return z, false
			}
			c, ok := gc(i)
			if !ok {
				return z, false
			}
			return fn(a, b, c)
		})
	}
}

// LiftN makes a kernel of any number of arguments of one Go type; a null
// argument gives a null result. The slice passed to fn is reused between rows.
func LiftN[A, R any](out types.Kind, fn func([]A) (R, bool)) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		gs := make([]func(int) (A, bool), len(args))
		for j, a := range args {
			g, err := getterFor[A](a)
			if err != nil {
				return Datum{}, err
			}
			gs[j] = g
		}
		buf := make([]A, len(args))
		return produce(ctx, out, args, n, func(i int) (R, bool) {
			for j, g := range gs {
				v, ok := g(i)
				if !ok {
					var z R
					return z, false
				}
				buf[j] = v
			}
			return fn(buf)
		})
	}
}

// Lift1N is Lift1 for functions that handle nulls: fn gets the value and its valid flag.
func Lift1N[A, R any](out types.Kind, fn func(a A, aok bool) (R, bool)) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		if err := argCount(args, 1); err != nil {
			return Datum{}, err
		}
		ga, err := getterFor[A](args[0])
		if err != nil {
			return Datum{}, err
		}
		return produce(ctx, out, args, n, func(i int) (R, bool) {
			a, aok := ga(i)
			return fn(a, aok)
		})
	}
}

// Lift2N is Lift2 for functions that handle nulls.
func Lift2N[A, B, R any](out types.Kind, fn func(a A, aok bool, b B, bok bool) (R, bool)) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		if err := argCount(args, 2); err != nil {
			return Datum{}, err
		}
		ga, err := getterFor[A](args[0])
		if err != nil {
			return Datum{}, err
		}
		gb, err := getterFor[B](args[1])
		if err != nil {
			return Datum{}, err
		}
		return produce(ctx, out, args, n, func(i int) (R, bool) {
			a, aok := ga(i)
			b, bok := gb(i)
			return fn(a, aok, b, bok)
		})
	}
}

// Lift3N is Lift3 for functions that handle nulls.
func Lift3N[A, B, C, R any](out types.Kind, fn func(a A, aok bool, b B, bok bool, c C, cok bool) (R, bool)) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		if err := argCount(args, 3); err != nil {
			return Datum{}, err
		}
		ga, err := getterFor[A](args[0])
		if err != nil {
			return Datum{}, err
		}
		gb, err := getterFor[B](args[1])
		if err != nil {
			return Datum{}, err
		}
		gc, err := getterFor[C](args[2])
		if err != nil {
			return Datum{}, err
		}
		return produce(ctx, out, args, n, func(i int) (R, bool) {
			a, aok := ga(i)
			b, bok := gb(i)
			c, cok := gc(i)
			return fn(a, aok, b, bok, c, cok)
		})
	}
}

// LiftNN is LiftN for functions that handle nulls: fn gets the values and
// their valid flags (both slices are reused between rows).
func LiftNN[A, R any](out types.Kind, fn func(vals []A, valid []bool) (R, bool)) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		gs := make([]func(int) (A, bool), len(args))
		for j, a := range args {
			g, err := getterFor[A](a)
			if err != nil {
				return Datum{}, err
			}
			gs[j] = g
		}
		buf := make([]A, len(args))
		ok := make([]bool, len(args))
		return produce(ctx, out, args, n, func(i int) (R, bool) {
			for j, g := range gs {
				buf[j], ok[j] = g(i)
			}
			return fn(buf, ok)
		})
	}
}

func argCount(args []Datum, want int) error {
	if len(args) != want {
		return fmt.Errorf("kernels: got %d arguments, want %d", len(args), want)
	}
	return nil
}
