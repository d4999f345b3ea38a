package funcs

import "github.com/kqlhunt/kqlhunt/lang/types"

// Math and bitwise functions. Kernels: exec/kernels/math.go.

func init() {
	num := types.Numeric
	a := func(name string, ks types.KindSet) Arg { return Arg{Name: name, Types: ks} }
	opt := func(name string, ks types.KindSet) Arg { return Arg{Name: name, Types: ks, Optional: true} }
	reg := func(name, doc, example string, ovs ...*Overload) {
		Register(&Func{Name: name, Kind: Scalar, Doc: doc, Example: example, Overloads: ovs})
	}
	ov := func(id string, res types.Kind, args ...Arg) *Overload {
		return &Overload{ID: id, Args: args, Result: Fixed(res)}
	}
	k := types.Set
	I, L, R, D, TS := types.Int, types.Long, types.Real, types.Decimal, types.TimeSpan

	reg("abs", "absolute value", "abs(-5) == 5",
		ov("abs_int", I, a("x", k(I))), ov("abs_long", L, a("x", k(L))), ov("abs_decimal", D, a("x", k(D))),
		ov("abs_real", R, a("x", k(R))), ov("abs_timespan", TS, a("x", k(TS))))
	for _, f := range []struct{ name, doc, ex string }{
		{"acos", "arc cosine in radians (NaN outside [-1, 1])", "acos(1) == 0"},
		{"asin", "arc sine in radians (NaN outside [-1, 1])", "asin(1)"},
		{"atan", "arc tangent in radians", "atan(1)"},
		{"cos", "cosine of an angle in radians", "cos(1)"},
		{"cot", "cotangent of an angle in radians", "cot(1)"},
		{"sin", "sine of an angle in radians", "sin(1)"},
		{"tan", "tangent of an angle in radians", "tan(1)"},
		{"degrees", "radians converted to degrees", "degrees(pi()) == 180"},
		{"radians", "degrees converted to radians", "radians(180) == pi()"},
		{"exp", "e raised to the power x", "exp(2)"},
		{"exp2", "2 raised to the power x", "exp2(3) == 8"},
		{"exp10", "10 raised to the power x", "exp10(2) == 100"},
		{"log", "natural logarithm (null for x <= 0)", "log(5)"},
		{"log2", "base-2 logarithm (null for x <= 0)", "log2(8) == 3"},
		{"log10", "base-10 logarithm (null for x <= 0)", "log10(100) == 2"},
		{"sqrt", "square root (null for x < 0)", "sqrt(4) == 2"},
		{"gamma", "the gamma function", "gamma(5) == 24"},
		{"loggamma", "natural logarithm of the absolute value of the gamma function", "loggamma(5)"},
	} {
		reg(f.name, f.doc, f.ex, ov(f.name+"_real", R, a("x", num)))
	}
	reg("atan2", "angle in radians between the positive x axis and the ray to (x, y)", "atan2(1, 1)",
		ov("atan2_real_real", R, a("y", num), a("x", num)))
	reg("ceiling", "smallest integer greater than or equal to x", "ceiling(-1.1) == -1",
		ov("ceiling_int", I, a("x", k(I))), ov("ceiling_long", L, a("x", k(L))),
		ov("ceiling_decimal", D, a("x", k(D))), ov("ceiling_real", R, a("x", k(R))))
	for _, f := range []string{"isfinite", "isinf", "isnan"} {
		reg(f, "whether a real is finite / infinite / not a number", f+"(1.0/0.0)", ov(f+"_real", types.Bool, a("x", num)))
	}
	for _, f := range []string{"max_of", "min_of"} {
		var ovs []*Overload
		for _, kk := range []types.Kind{I, L, D, R, types.DateTime, TS, types.String, types.Bool, types.Guid} {
			ovs = append(ovs, &Overload{ID: f + "_" + kk.String(), Args: []Arg{a("arg", k(kk)), a("arg", k(kk))}, Variadic: true, Result: Fixed(kk)})
		}
		what := "largest"
		if f == "min_of" {
			what = "smallest"
		}
		reg(f, "the "+what+" of its arguments (all of one type, nulls ignored)", f+"(10, 1, -3, 17)", ovs...)
	}
	reg("pi", "the constant pi", "pi()", ov("pi", R))
	reg("pow", "base raised to the power exponent", "pow(2, 10) == 1024", ov("pow_real_real", R, a("base", num), a("exponent", num)))
	reg("rand", "a random real in [0, 1), or a random long in [0, N) with rand(N)", "rand(10)",
		ov("rand", R), ov("rand_long", L, a("N", types.Integral)))
	reg("round", "rounds to a number of decimal digits (half away from zero; negative precision rounds left of the point)", "round(2.15, 1) == 2.2",
		ov("round_int", I, a("number", k(I)), opt("precision", types.Integral)),
		ov("round_long", L, a("number", k(L)), opt("precision", types.Integral)),
		ov("round_decimal", D, a("number", k(D)), opt("precision", types.Integral)),
		ov("round_real", R, a("number", k(R)), opt("precision", types.Integral)))
	reg("sign", "-1, 0 or +1 as the sign of a number", "sign(-42) == -1", ov("sign_real", R, a("x", num)))
	reg("not", "logical negation", "not(false) == true", ov("not_bool", types.Bool, a("expr", k(types.Bool))))

	lng := k(L, I)
	reg("binary_and", "bitwise and", "binary_and(6, 3) == 2", ov("binary_and_long_long", L, a("value1", lng), a("value2", lng)))
	reg("binary_or", "bitwise or", "binary_or(6, 3) == 7", ov("binary_or_long_long", L, a("value1", lng), a("value2", lng)))
	reg("binary_xor", "bitwise exclusive or", "binary_xor(6, 3) == 5", ov("binary_xor_long_long", L, a("value1", lng), a("value2", lng)))
	reg("binary_not", "bitwise negation", "binary_not(100) == -101", ov("binary_not_long", L, a("value", lng)))
	reg("binary_shift_left", "bits shifted left (null for a negative shift)", "binary_shift_left(1, 2) == 4",
		ov("binary_shift_left_long_long", L, a("value", lng), a("shift", lng)))
	reg("binary_shift_right", "bits shifted right, arithmetic (null for a negative shift)", "binary_shift_right(8, 2) == 2",
		ov("binary_shift_right_long_long", L, a("value", lng), a("shift", lng)))
	reg("bitset_count_ones", "number of set bits", "bitset_count_ones(42) == 3", ov("bitset_count_ones_long", L, a("value", lng)))
}
