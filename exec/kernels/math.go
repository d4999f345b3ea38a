package kernels

// Math and bitwise kernels (declarations in lang/funcs/math.go).

import (
	"math"
	"math/bits"
	"math/rand/v2"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func mkReal(f func(float64) float64) ScalarKernel {
	return Lift1(types.Real, func(x float64) (float64, bool) { return f(x), true })
}

// mkPositive is for logarithms: null for x <= 0 (as Kusto), NaN stays NaN.
func mkPositive(f func(float64) float64) ScalarKernel {
	return Lift1(types.Real, func(x float64) (float64, bool) {
		if x <= 0 {
			return 0, false
		}
		return f(x), true
	})
}

// mkRound rounds half away from zero at a decimal precision, scaling by a
// power of ten first as Kusto does (round(2.15, 1) == 2.2).
func mkRound(x float64, prec int64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	if prec > 308 || prec < -308 {
		if prec > 0 {
			return x
		}
		return 0
	}
	if prec == 0 {
		return math.Round(x)
	}
	if prec > 0 {
		p := math.Pow(10, float64(prec))
		v := x * p
		if math.IsInf(v, 0) {
			return x
		}
		return math.Round(v) / p
	}
	p := math.Pow(10, float64(-prec))
	return math.Round(x/p) * p
}

func mkRoundInt(x, prec int64) (int64, bool) {
	if prec >= 0 {
		return x, true
	}
	if prec < -18 {
		return 0, true
	}
	p := int64(1)
	for i := int64(0); i < -prec; i++ {
		p *= 10
	}
	q, r := x/p, x%p
	if r < 0 {
		r = -r
	}
	if 2*r >= p {
		if x < 0 {
			q--
		} else {
			q++
		}
	}
	return q * p, true
}

// mkCompare is the ordering max_of/min_of use per Go type.
func mkOf[T int32 | int64 | float64 | string](max bool) func([]T, []bool) (T, bool) {
	return func(vs []T, ok []bool) (T, bool) {
		var best T
		found := false
		for i, v := range vs {
			if !ok[i] {
				continue
			}
			if isNaNAny(v) {
				continue
			}
			if !found || (max && v > best) || (!max && v < best) {
				best, found = v, true
			}
		}
		return best, found
	}
}

func isNaNAny[T int32 | int64 | float64 | string](v T) bool {
	if f, ok := any(v).(float64); ok {
		return math.IsNaN(f)
	}
	return false
}

func init() {
	R, I, L, D, TS, B := types.Real, types.Int, types.Long, types.Decimal, types.TimeSpan, types.Bool

	RegisterScalar("abs_int", Lift1(I, func(x int32) (int32, bool) {
		if x < 0 {
			return -x, true
		}
		return x, true
	}))
	absL := Lift1(L, func(x int64) (int64, bool) {
		if x < 0 {
			return -x, true
		}
		return x, true
	})
	RegisterScalar("abs_long", absL)
	RegisterScalar("abs_timespan", Lift1(TS, func(x int64) (int64, bool) {
		if x < 0 {
			return -x, true
		}
		return x, true
	}))
	RegisterScalar("abs_real", mkReal(math.Abs))
	RegisterScalar("abs_decimal", Lift1(D, func(x float64) (float64, bool) { return math.Abs(x), true }))

	RegisterScalar("acos_real", mkReal(math.Acos))
	RegisterScalar("asin_real", mkReal(math.Asin))
	RegisterScalar("atan_real", mkReal(math.Atan))
	RegisterScalar("cos_real", mkReal(math.Cos))
	RegisterScalar("cot_real", mkReal(func(x float64) float64 { return 1 / math.Tan(x) }))
	RegisterScalar("sin_real", mkReal(math.Sin))
	RegisterScalar("tan_real", mkReal(math.Tan))
	RegisterScalar("degrees_real", mkReal(func(x float64) float64 { return x * 180 / math.Pi }))
	RegisterScalar("radians_real", mkReal(func(x float64) float64 { return x * math.Pi / 180 }))
	RegisterScalar("exp_real", mkReal(math.Exp))
	RegisterScalar("exp2_real", mkReal(math.Exp2))
	RegisterScalar("exp10_real", mkReal(func(x float64) float64 { return math.Pow(10, x) }))
	RegisterScalar("log_real", mkPositive(math.Log))
	RegisterScalar("log2_real", mkPositive(math.Log2))
	RegisterScalar("log10_real", mkPositive(math.Log10))
	RegisterScalar("sqrt_real", Lift1(R, func(x float64) (float64, bool) {
		if x < 0 {
			return 0, false
		}
		return math.Sqrt(x), true
	}))
	RegisterScalar("gamma_real", mkReal(math.Gamma))
	RegisterScalar("loggamma_real", mkReal(func(x float64) float64 { v, _ := math.Lgamma(x); return v }))
	RegisterScalar("atan2_real_real", Lift2(R, func(y, x float64) (float64, bool) { return math.Atan2(y, x), true }))

	RegisterScalar("ceiling_int", Lift1(I, func(x int32) (int32, bool) { return x, true }))
	RegisterScalar("ceiling_long", Lift1(L, func(x int64) (int64, bool) { return x, true }))
	RegisterScalar("ceiling_real", mkReal(math.Ceil))
	RegisterScalar("ceiling_decimal", Lift1(D, func(x float64) (float64, bool) { return math.Ceil(x), true }))

	RegisterScalar("isfinite_real", Lift1(B, func(x float64) (bool, bool) { return !math.IsInf(x, 0) && !math.IsNaN(x), true }))
	RegisterScalar("isinf_real", Lift1(B, func(x float64) (bool, bool) { return math.IsInf(x, 0), true }))
	RegisterScalar("isnan_real", Lift1(B, func(x float64) (bool, bool) { return math.IsNaN(x), true }))

	for _, max := range []bool{true, false} {
		name := "min_of_"
		if max {
			name = "max_of_"
		}
		RegisterScalar(name+"int", LiftNN(I, mkOf[int32](max)))
		RegisterScalar(name+"long", LiftNN(L, mkOf[int64](max)))
		RegisterScalar(name+"decimal", LiftNN(D, mkOf[float64](max)))
		RegisterScalar(name+"real", LiftNN(R, mkOf[float64](max)))
		RegisterScalar(name+"datetime", LiftNN(types.DateTime, mkOf[int64](max)))
		RegisterScalar(name+"timespan", LiftNN(TS, mkOf[int64](max)))
		RegisterScalar(name+"string", LiftNN(types.String, mkOf[string](max)))
		RegisterScalar(name+"guid", LiftNN(types.Guid, mkOf[string](max)))
		m := max
		RegisterScalar(name+"bool", LiftNN(B, func(vs []bool, ok []bool) (bool, bool) {
			found, best := false, false
			for i, v := range vs {
				if !ok[i] {
					continue
				}
				if !found || (m && v && !best) || (!m && !v && best) {
					best, found = v, true
				}
			}
			return best, found
		}))
	}

	RegisterScalar("pi", func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		return ScalarOf(Mem(ctx), R, math.Pi), nil
	})
	RegisterScalar("pow_real_real", Lift2(R, func(b, e float64) (float64, bool) { return math.Pow(b, e), true }))
	RegisterScalar("rand", func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = rand.Float64()
		}
		return Datum{Array: MakeArray(Mem(ctx), R, vals, nil), Kind: R}, nil
	})
	RegisterScalar("rand_long", func(ctx *Ctx, args []Datum, n int) (Datum, error) {
		if err := argCount(args, 1); err != nil {
			return Datum{}, err
		}
		g := Int64s(args[0])
		vals := make([]int64, n)
		valid := make([]bool, n)
		for i := range vals {
			if max, ok := g(i); ok && max > 0 {
				vals[i], valid[i] = rand.Int64N(max), true
			}
		}
		return Datum{Array: MakeArray(Mem(ctx), L, vals, valid), Kind: L}, nil
	})

	roundReal := func(out types.Kind) ScalarKernel {
		return dkByArity(
			Lift1(out, func(x float64) (float64, bool) { return mkRound(x, 0), true }),
			Lift2(out, func(x float64, p int64) (float64, bool) { return mkRound(x, p), true }))
	}
	RegisterScalar("round_real", roundReal(R))
	RegisterScalar("round_decimal", roundReal(D))
	RegisterScalar("round_long", dkByArity(
		Lift1(L, func(x int64) (int64, bool) { return x, true }),
		Lift2(L, mkRoundInt)))
	RegisterScalar("round_int", dkByArity(
		Lift1(I, func(x int32) (int32, bool) { return x, true }),
		Lift2(I, func(x int32, p int64) (int32, bool) {
			r, _ := mkRoundInt(int64(x), p)
			if r > math.MaxInt32 || r < math.MinInt32 {
				return 0, false
			}
			return int32(r), true
		})))
	RegisterScalar("sign_real", Lift1(R, func(x float64) (float64, bool) {
		switch {
		case math.IsNaN(x):
			return x, true
		case x > 0:
			return 1, true
		case x < 0:
			return -1, true
		}
		return 0, true
	}))
	RegisterScalar("not_bool", Lift1(B, func(x bool) (bool, bool) { return !x, true }))

	RegisterScalar("binary_and_long_long", Lift2(L, func(a, b int64) (int64, bool) { return a & b, true }))
	RegisterScalar("binary_or_long_long", Lift2(L, func(a, b int64) (int64, bool) { return a | b, true }))
	RegisterScalar("binary_xor_long_long", Lift2(L, func(a, b int64) (int64, bool) { return a ^ b, true }))
	RegisterScalar("binary_not_long", Lift1(L, func(a int64) (int64, bool) { return ^a, true }))
	RegisterScalar("binary_shift_left_long_long", Lift2(L, func(a, s int64) (int64, bool) {
		if s < 0 {
			return 0, false
		}
		if s >= 64 {
			return 0, true
		}
		return a << uint(s), true
	}))
	RegisterScalar("binary_shift_right_long_long", Lift2(L, func(a, s int64) (int64, bool) {
		if s < 0 {
			return 0, false
		}
		if s >= 64 {
			s = 63
		}
		return a >> uint(s), true
	}))
	RegisterScalar("bitset_count_ones_long", Lift1(L, func(a int64) (int64, bool) { return int64(bits.OnesCount64(uint64(a))), true }))
}
