package funcs

import "github.com/kqlhunt/kqlhunt/lang/types"

// Unit conversions, statistical distributions, around(), format_bytes()
// and parse_version(). Kernels: exec/kernels/units.go.

func init() {
	a := func(name string, ks types.KindSet) Arg { return Arg{Name: name, Types: ks} }
	opt := func(name string, ks types.KindSet) Arg { return Arg{Name: name, Types: ks, Optional: true} }
	reg := func(name, doc, example string, ovs ...*Overload) {
		Register(&Func{Name: name, Kind: Scalar, Doc: doc, Example: example, Overloads: ovs})
	}
	ov := func(id string, res types.Kind, args ...Arg) *Overload {
		return &Overload{ID: id, Args: args, Result: Fixed(res)}
	}
	num := types.Numeric
	str := types.Set(types.String)
	R := types.Real
	for _, q := range []string{"energy", "force", "length", "mass", "speed", "temperature", "volume", "angle"} {
		reg("convert_"+q, "converts a "+q+" value from one unit to another (null for an unknown unit)",
			"convert_"+q+"(1.2, 'from', 'to')",
			ov("convert_"+q, R, a("value", num), a("from", str), a("to", str)))
	}
	reg("beta_cdf", "cumulative beta distribution function (NaN outside 0 <= x <= 1 or for alpha, beta <= 0)", "beta_cdf(0.2, 10.0, 50.0)",
		ov("beta_cdf", R, a("x", num), a("alpha", num), a("beta", num)))
	reg("beta_pdf", "probability density of the beta distribution (NaN outside 0 <= x <= 1 or for alpha, beta <= 0)", "beta_pdf(0.2, 10.0, 50.0)",
		ov("beta_pdf", R, a("x", num), a("alpha", num), a("beta", num)))
	reg("beta_inv", "inverse of the cumulative beta distribution", "beta_inv(0.1, 10.0, 50.0)",
		ov("beta_inv", R, a("probability", num), a("alpha", num), a("beta", num)))
	reg("erf", "the error function", "erf(1)", ov("erf_real", R, a("x", num)))
	reg("erfc", "the complementary error function", "erfc(1)", ov("erfc_real", R, a("x", num)))
	DT, TS := types.DateTime, types.TimeSpan
	reg("around", "whether value is within center ± delta (inclusive)", "around(Timestamp, datetime(2021-01-01), 1h)",
		ov("around_real", types.Bool, a("value", num), a("center", num), a("delta", num)),
		ov("around_datetime", types.Bool, a("value", types.Set(DT)), a("center", types.Set(DT)), a("delta", types.Set(TS))),
		ov("around_timespan", types.Bool, a("value", types.Set(TS)), a("center", types.Set(TS)), a("delta", types.Set(TS))))
	reg("format_bytes", "formats a byte count with a unit: 564 Bytes, 10.1 KB, 19 MB", "format_bytes(20010332, 2)",
		ov("format_bytes", types.String, a("size", num), opt("precision", num), opt("units", str), opt("base", num)))
	reg("parse_version", "a version string (up to four parts of up to 8 digits) as a comparable decimal; null when invalid", `parse_version("1.2.3.4")`,
		ov("parse_version", types.Decimal, a("version", str)))
}
