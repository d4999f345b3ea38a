package kernels

// Conversion (to*) and conditional (iif, case, coalesce, isnull, ...)
// kernels (declarations in lang/funcs/conv.go). Conversion semantics are
// those of lang/types/convert.go; common source kinds have typed fast paths.

import (
	"fmt"
	"math"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// ckSame returns d re-labelled as kind to, sharing its array.
func ckSame(d Datum, to types.Kind) Datum {
	d.Array.Retain()
	return Datum{Array: d.Array, Scalar: d.Scalar, Kind: to}
}

// ckSlow converts through boxed values (types.Convert).
func ckSlow(to types.Kind) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		d := args[0]
		m := OutLen(args, n)
		out := make([]any, m)
		for i := range out {
			if v := ValueAt(d, i); v != nil {
				out[i] = types.Convert(d.Kind, to, v)
			}
		}
		return Datum{Array: FromValuesMem(Mem(ctx), to, out), Scalar: AllScalar(args), Kind: to}, nil
	}
}

func ckDynTo[R any](to types.Kind, conv func(types.Kind, any) (R, bool)) ScalarKernel {
	return Lift1(to, func(v any) (R, bool) { return conv(types.Dynamic, v) })
}

// ckConvert is the kernel of the to*() function for kind to.
func ckConvert(to types.Kind) ScalarKernel {
	fromString := map[types.Kind]ScalarKernel{
		types.Bool:     Lift1(types.Bool, func(s string) (bool, bool) { return types.ParseBool(s) }),
		types.Int:      Lift1(types.Int, func(s string) (int32, bool) { return types.ToInt(types.String, s) }),
		types.Long:     Lift1(types.Long, func(s string) (int64, bool) { return types.ParseLong(s) }),
		types.Real:     Lift1(types.Real, func(s string) (float64, bool) { return types.ParseReal(s) }),
		types.Decimal:  Lift1(types.Decimal, func(s string) (float64, bool) { return types.ParseReal(s) }),
		types.DateTime: Lift1(types.DateTime, func(s string) (int64, bool) { return types.ToDateTime(types.String, s) }),
		types.TimeSpan: Lift1(types.TimeSpan, func(s string) (int64, bool) { return types.ToTimeSpan(types.String, s) }),
		types.Guid:     Lift1(types.Guid, func(s string) (string, bool) { return types.ToGuid(types.String, s) }),
	}
	fromDynamic := map[types.Kind]ScalarKernel{
		types.Bool:     ckDynTo(types.Bool, types.ToBool),
		types.Int:      ckDynTo(types.Int, types.ToInt),
		types.Long:     ckDynTo(types.Long, types.ToLong),
		types.Real:     ckDynTo(types.Real, types.ToReal),
		types.Decimal:  ckDynTo(types.Decimal, types.ToReal),
		types.DateTime: ckDynTo(types.DateTime, types.ToDateTime),
		types.TimeSpan: ckDynTo(types.TimeSpan, types.ToTimeSpan),
		types.Guid:     ckDynTo(types.Guid, types.ToGuid),
	}
	toString := Lift1N(types.String, func(s string, _ bool) (string, bool) { return s, true })
	realToLong := Lift1(types.Long, types.RealToLong)
	realToInt := Lift1(types.Int, func(f float64) (int32, bool) { return types.ToInt(types.Real, f) })
	intToLong := Lift1(types.Long, func(v int64) (int64, bool) { return v, true })
	toReal := Lift1(to, func(v float64) (float64, bool) { return v, true })
	longToInt := Lift1(types.Int, func(v int64) (int32, bool) { return types.ToInt(types.Long, v) })
	slow := ckSlow(to)
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		if err := argCount(args, 1); err != nil {
			return Datum{}, err
		}
		d := args[0]
		from := d.Kind
		switch {
		case to == types.String:
			return toString(ctx, args, n)
		case from == to && d.Array != nil && from != types.Unknown && from != types.Null:
			return ckSame(d, to), nil
		case from == types.String:
			if k, ok := fromString[to]; ok {
				return k(ctx, args, n)
			}
		case from == types.Dynamic:
			if k, ok := fromDynamic[to]; ok {
				return k(ctx, args, n)
			}
		case from == types.Real || from == types.Decimal:
			switch to {
			case types.Long:
				return realToLong(ctx, args, n)
			case types.Int:
				return realToInt(ctx, args, n)
			case types.Real, types.Decimal:
				return toReal(ctx, args, n)
			}
		case from == types.Int || from == types.Long:
			switch to {
			case types.Long:
				return intToLong(ctx, args, n)
			case types.Int:
				return longToInt(ctx, args, n)
			case types.Real, types.Decimal:
				return toReal(ctx, args, n)
			}
		}
		return slow(ctx, args, n)
	}
}

// ckNulls returns a per-row null test for d: dynamic JSON null counts as
// null; strings are never null.
func ckNulls(d Datum) func(int) bool {
	switch {
	case d.Array == nil || isNull(d.Array):
		return func(int) bool { return d.Kind != types.String }
	case d.Kind == types.String:
		return func(int) bool { return false }
	case d.Kind == types.Dynamic:
		if raw := rawStrings(d.Array); raw != nil {
			return func(i int) bool {
				s, ok := raw(d.Row(i))
				return !ok || s == "null" || s == ""
			}
		}
	}
	return func(i int) bool { return d.Array.IsNull(d.Row(i)) }
}

// ckEmpties returns a per-row isempty test: null, or an empty string.
func ckEmpties(d Datum) func(int) bool {
	switch d.Kind {
	case types.String, types.Guid:
		g := Strings(d)
		return func(i int) bool { s, ok := g(i); return !ok || s == "" }
	case types.Dynamic:
		if raw := rawStrings(d.Array); raw != nil {
			return func(i int) bool {
				s, ok := raw(d.Row(i))
				return !ok || s == "null" || s == "" || s == `""`
			}
		}
	}
	return ckNulls(d)
}

func ckPredicate(test func(Datum) func(int) bool, negate bool) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		if err := argCount(args, 1); err != nil {
			return Datum{}, err
		}
		t := test(args[0])
		m := OutLen(args, n)
		out := make([]bool, m)
		for i := range out {
			out[i] = t(i) != negate
		}
		return Datum{Array: MakeArray(Mem(ctx), types.Bool, out, nil), Scalar: AllScalar(args), Kind: types.Bool}, nil
	}
}

// ckGetType is gettype() of one row.
func ckGetType(d Datum) func(int) string {
	if d.Kind != types.Dynamic {
		name := d.Kind.String()
		if d.Kind == types.Null || d.Kind == types.Unknown {
			name = "null"
		}
		return func(int) string { return name }
	}
	g := Dynamics(d)
	return func(i int) string {
		v, ok := g(i)
		if !ok {
			return "null"
		}
		if x, isInt := v.(int64); isInt && x >= math.MinInt32 && x <= math.MaxInt32 {
			return "int"
		}
		return types.DynamicTypeName(v)
	}
}

// ckDynTexts reads rows as dynamic JSON text (JSON null → not valid),
// without re-encoding stored dynamic values.
func ckDynTexts(d Datum) func(int) (string, bool) {
	if d.Kind == types.Dynamic && d.Array != nil {
		if raw := rawStrings(d.Array); raw != nil {
			return scalarize(d, func(i int) (string, bool) {
				s, ok := raw(i)
				if !ok || s == "null" || s == "" {
					return "", false
				}
				return s, true
			})
		}
	}
	g := Dynamics(d)
	return func(i int) (string, bool) {
		v, ok := g(i)
		if !ok {
			return "", false
		}
		return types.FormatDynamic(v), true
	}
}

// ckAccessor returns the typed accessor family for kind k as a boxed
// function value: func(Datum) func(int) (T, bool) for T per kind.
func ckAccessor(k types.Kind) any {
	switch k {
	case types.Bool:
		return Bools
	case types.Int:
		return Int32s
	case types.Long, types.DateTime, types.TimeSpan:
		return Int64s
	case types.Real, types.Decimal:
		return Float64s
	case types.Dynamic:
		return ckDynTexts
	}
	return Strings
}

func ckIif[T any](out types.Kind, get func(Datum) func(int) (T, bool)) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		if err := argCount(args, 3); err != nil {
			return Datum{}, err
		}
		c, a, b := Bools(args[0]), get(args[1]), get(args[2])
		return produce(ctx, out, args, n, func(i int) (T, bool) {
			if v, ok := c(i); ok && v {
				return a(i)
			}
			return b(i)
		})
	}
}

func ckCase[T any](out types.Kind, get func(Datum) func(int) (T, bool)) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		if len(args) < 3 || len(args)%2 == 0 {
			return Datum{}, fmt.Errorf("case() needs predicate/value pairs and an else value, got %d arguments", len(args))
		}
		np := len(args) / 2
		preds := make([]func(int) (bool, bool), np)
		vals := make([]func(int) (T, bool), np)
		for j := 0; j < np; j++ {
			preds[j] = Bools(args[2*j])
			vals[j] = get(args[2*j+1])
		}
		other := get(args[len(args)-1])
		return produce(ctx, out, args, n, func(i int) (T, bool) {
			for j, p := range preds {
				if v, ok := p(i); ok && v {
					return vals[j](i)
				}
			}
			return other(i)
		})
	}
}

func ckCoalesce[T any](out types.Kind, get func(Datum) func(int) (T, bool), empty func(T) bool) ScalarKernel {
	return func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		gs := make([]func(int) (T, bool), len(args))
		for j, a := range args {
			gs[j] = get(a)
		}
		return produce(ctx, out, args, n, func(i int) (T, bool) {
			var z T
			for _, g := range gs {
				if v, ok := g(i); ok && (empty == nil || !empty(v)) {
					return v, true
				}
			}
			return z, false
		})
	}
}

func ckRegisterConditional(k types.Kind) {
	name := k.String()
	switch get := ckAccessor(k).(type) {
	case func(Datum) func(int) (bool, bool):
		RegisterScalar("iif_"+name, ckIif(k, get))
		RegisterScalar("case_"+name, ckCase(k, get))
		RegisterScalar("coalesce_"+name, ckCoalesce(k, get, nil))
	case func(Datum) func(int) (int32, bool):
		RegisterScalar("iif_"+name, ckIif(k, get))
		RegisterScalar("case_"+name, ckCase(k, get))
		RegisterScalar("coalesce_"+name, ckCoalesce(k, get, nil))
	case func(Datum) func(int) (int64, bool):
		RegisterScalar("iif_"+name, ckIif(k, get))
		RegisterScalar("case_"+name, ckCase(k, get))
		RegisterScalar("coalesce_"+name, ckCoalesce(k, get, nil))
	case func(Datum) func(int) (float64, bool):
		RegisterScalar("iif_"+name, ckIif(k, get))
		RegisterScalar("case_"+name, ckCase(k, get))
		RegisterScalar("coalesce_"+name, ckCoalesce(k, get, nil))
	case func(Datum) func(int) (string, bool):
		var empty func(string) bool
		if k == types.String {
			empty = func(s string) bool { return s == "" }
		}
		RegisterScalar("iif_"+name, ckIif(k, get))
		RegisterScalar("case_"+name, ckCase(k, get))
		RegisterScalar("coalesce_"+name, ckCoalesce(k, get, empty))
	}
}

func init() {
	for _, c := range []struct {
		id string
		to types.Kind
	}{
		{"tostring_any", types.String}, {"toint_any", types.Int}, {"tolong_any", types.Long},
		{"toreal_any", types.Real}, {"todecimal_any", types.Decimal}, {"tobool_any", types.Bool},
		{"toguid_any", types.Guid}, {"todatetime_any", types.DateTime}, {"totimespan_any", types.TimeSpan},
	} {
		RegisterScalar(c.id, ckConvert(c.to))
	}
	RegisterScalar("isnull_any", ckPredicate(ckNulls, false))
	RegisterScalar("isnotnull_any", ckPredicate(ckNulls, true))
	RegisterScalar("isempty_any", ckPredicate(ckEmpties, false))
	RegisterScalar("isnotempty_any", ckPredicate(ckEmpties, true))
	RegisterScalar("gettype_any", func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		if err := argCount(args, 1); err != nil {
			return Datum{}, err
		}
		g := ckGetType(args[0])
		return produce(ctx, types.String, args, n, func(i int) (string, bool) { return g(i), true })
	})
	for _, k := range []types.Kind{types.Bool, types.Int, types.Long, types.Decimal, types.Real, types.String,
		types.DateTime, types.TimeSpan, types.Guid, types.Dynamic} {
		ckRegisterConditional(k)
	}
}
