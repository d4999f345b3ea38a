package funcs

import "github.com/kqlhunt/kqlhunt/lang/types"

// Declarations of the series_* family: functions over numeric dynamic
// arrays as make-series produces them. Kernels are in exec/kernels/series.go
// (bound by the overload IDs below).
//
// Functions that return several series in Kusto (series_stats,
// series_fit_line, series_fit_2lines, series_decompose,
// series_decompose_anomalies, series_periods_detect,
// series_periods_validate, series_fft, series_ifft) are declared returning a
// dynamic array holding the results in Kusto's documented order; the checker
// expands them into named columns (see SeriesTupleColumns).

var (
	srDyn  = types.Set(types.Dynamic)
	srNum  = types.Numeric
	srSer  = types.Set(types.Dynamic, types.Int, types.Long, types.Real, types.Decimal)
	srStr  = types.Set(types.String)
	srBool = types.Set(types.Bool)
	srAny  = types.AnyScalar
)

func srA(name string, ks types.KindSet) Arg   { return Arg{Name: name, Types: ks} }
func srOpt(name string, ks types.KindSet) Arg { return Arg{Name: name, Types: ks, Optional: true} }

func srFn(name, doc string, res types.Kind, args ...Arg) *Func {
	return &Func{Name: name, Kind: Scalar, Doc: doc, Overloads: []*Overload{{ID: name, Args: args, Result: Fixed(res)}}}
}

// SeriesTupleColumns lists, for each series function returning several
// values, the suffixes of the columns Kusto names them with when no names
// are given: `series_fit_line(y)` yields columns series_fit_line_y_rsquare,
// series_fit_line_y_slope, ... (function name, "_", argument column name,
// "_", suffix). The dynamic array the kernel returns holds the values in
// this order.
var SeriesTupleColumns = map[string][]string{
	"series_stats":               {"min", "min_idx", "max", "max_idx", "avg", "stdev", "variance"},
	"series_fit_line":            {"rsquare", "slope", "variance", "rvariance", "interception", "line_fit"},
	"series_fit_2lines":          {"rsquare", "split_idx", "variance", "rvariance", "line_fit", "right_rsquare", "right_slope", "right_interception", "right_variance", "right_rvariance", "left_rsquare", "left_slope", "left_interception", "left_variance", "left_rvariance"},
	"series_decompose":           {"baseline", "seasonal", "trend", "residual"},
	"series_decompose_anomalies": {"ad_flag", "ad_score", "baseline"},
	"series_periods_detect":      {"periods", "scores"},
	"series_periods_validate":    {"periods", "scores"},
	"series_fft":                 {"real", "imag"},
	"series_ifft":                {"real", "imag"},
}

func init() {
	bin := func(name, doc string) *Func {
		return srFn(name, doc, types.Dynamic, srA("series1", srSer), srA("series2", srSer))
	}
	un := func(name, doc string) *Func {
		return srFn(name, doc, types.Dynamic, srA("series", srDyn))
	}
	for _, f := range []*Func{
		bin("series_add", "element-wise sum of two numeric series (or a series and a scalar)"),
		bin("series_subtract", "element-wise difference of two numeric series (or a series and a scalar)"),
		bin("series_multiply", "element-wise product of two numeric series (or a series and a scalar)"),
		bin("series_divide", "element-wise division of two numeric series (real results)"),
		bin("series_pow", "element-wise power of two numeric series (real results)"),
		bin("series_greater", "element-wise s1 > s2 (bool series)"),
		bin("series_greater_equals", "element-wise s1 >= s2 (bool series)"),
		bin("series_less", "element-wise s1 < s2 (bool series)"),
		bin("series_less_equals", "element-wise s1 <= s2 (bool series)"),
		bin("series_equals", "element-wise s1 == s2 (bool series)"),
		bin("series_not_equals", "element-wise s1 != s2 (bool series)"),
		un("series_abs", "element-wise absolute value"),
		un("series_acos", "element-wise arc cosine"),
		un("series_asin", "element-wise arc sine"),
		un("series_atan", "element-wise arc tangent"),
		un("series_ceiling", "element-wise ceiling"),
		un("series_cos", "element-wise cosine"),
		un("series_exp", "element-wise e^x"),
		un("series_floor", "element-wise floor"),
		un("series_log", "element-wise natural logarithm"),
		un("series_sign", "element-wise sign (-1, 0, +1)"),
		un("series_sin", "element-wise sine"),
		un("series_sqrt", "element-wise square root"),
		un("series_tan", "element-wise tangent"),

		srFn("series_fill_backward", "replaces missing values by the next valid value", types.Dynamic,
			srA("series", srDyn), srOpt("missing_value_placeholder", srAny)),
		srFn("series_fill_forward", "replaces missing values by the previous valid value", types.Dynamic,
			srA("series", srDyn), srOpt("missing_value_placeholder", srAny)),
		srFn("series_fill_const", "replaces missing values by a constant", types.Dynamic,
			srA("series", srDyn), srA("constant_value", srAny), srOpt("missing_value_placeholder", srAny)),
		srFn("series_fill_linear", "linearly interpolates missing values", types.Dynamic,
			srA("series", srDyn), srOpt("missing_value_placeholder", srAny), srOpt("fill_edges", srBool), srOpt("constant_value", srAny)),

		srFn("series_stats_dynamic", "statistics of a series as a bag {min, min_idx, max, max_idx, avg, stdev, variance}", types.Dynamic,
			srA("series", srDyn), srOpt("ignore_nonfinite", srBool)),
		srFn("series_stats", "statistics of a series: [min, min_idx, max, max_idx, avg, stdev, variance] (expanded to columns)", types.Dynamic,
			srA("series", srDyn), srOpt("ignore_nonfinite", srBool)),
		srFn("series_fit_line_dynamic", "linear regression of a series as a bag {rsquare, slope, variance, rvariance, interception, line_fit}", types.Dynamic,
			srA("series", srDyn)),
		srFn("series_fit_line", "linear regression of a series: [rsquare, slope, variance, rvariance, interception, line_fit] (expanded to columns)", types.Dynamic,
			srA("series", srDyn)),
		srFn("series_fit_2lines_dynamic", "two-segment linear regression of a series as a bag", types.Dynamic,
			srA("series", srDyn)),
		srFn("series_fit_2lines", "two-segment linear regression of a series (expanded to columns)", types.Dynamic,
			srA("series", srDyn)),
		srFn("series_outliers", "anomaly scores of the points of a series (Tukey's test)", types.Dynamic,
			srA("series", srDyn), srOpt("kind", srStr), srOpt("ignore_val", srNum), srOpt("min_percentile", srNum), srOpt("max_percentile", srNum)),
		srFn("series_iir", "applies an infinite impulse response filter", types.Dynamic,
			srA("series", srDyn), srA("numerators", srDyn), srA("denominators", srDyn)),
		srFn("series_fir", "applies a finite impulse response filter", types.Dynamic,
			srA("series", srDyn), srA("filter", srDyn), srOpt("normalize", srBool), srOpt("center", srBool)),
		srFn("series_pearson_correlation", "Pearson correlation coefficient of two series", types.Real,
			srA("series1", srDyn), srA("series2", srDyn)),
		srFn("series_cosine_similarity", "cosine similarity of two series", types.Real,
			srA("series1", srDyn), srA("series2", srDyn), srOpt("magnitude1", srNum), srOpt("magnitude2", srNum)),
		srFn("series_dot_product", "dot product of two series (a scalar is broadcast)", types.Real,
			srA("series1", srSer), srA("series2", srSer)),
		srFn("series_sum", "sum of the elements of a series", types.Real, srA("series", srDyn)),
		srFn("series_product", "product of the elements of a series", types.Real, srA("series", srDyn)),
		srFn("series_magnitude", "Euclidean norm of a series", types.Real, srA("series", srDyn)),
		srFn("series_seasonal", "seasonal component of a series (median per phase; period detected when -1 or omitted)", types.Dynamic,
			srA("series", srDyn), srOpt("period", srNum)),
		srFn("series_periods_detect", "finds the most significant periods of a series: [periods, scores] (expanded to columns)", types.Dynamic,
			srA("series", srDyn), srA("min_period", srNum), srA("max_period", srNum), srA("num_periods", srNum)),
		{Name: "series_periods_validate", Kind: Scalar, Doc: "scores given periods of a series: [periods, scores] (expanded to columns)",
			Overloads: []*Overload{{ID: "series_periods_validate", Args: []Arg{srA("series", srDyn), srA("period", srNum)}, Variadic: true, Result: Fixed(types.Dynamic)}}},
		srFn("series_decompose", "decomposes a series: [baseline, seasonal, trend, residual] (expanded to columns)", types.Dynamic,
			srA("series", srDyn), srOpt("seasonality", srNum), srOpt("trend", srStr), srOpt("test_points", srNum), srOpt("seasonality_threshold", srNum)),
		srFn("series_decompose_anomalies", "anomaly detection by decomposition: [ad_flag, ad_score, baseline] (expanded to columns)", types.Dynamic,
			srA("series", srDyn), srOpt("threshold", srNum), srOpt("seasonality", srNum), srOpt("trend", srStr), srOpt("test_points", srNum), srOpt("ad_method", srStr), srOpt("seasonality_threshold", srNum)),
		srFn("series_decompose_forecast", "forecast by decomposition: the series baseline extended over the last points", types.Dynamic,
			srA("series", srDyn), srA("points", srNum), srOpt("seasonality", srNum), srOpt("trend", srStr), srOpt("seasonality_threshold", srNum)),
		srFn("series_fft", "fast Fourier transform: [real, imag] (expanded to columns)", types.Dynamic,
			srA("x_real", srDyn), srOpt("x_imaginary", srDyn)),
		srFn("series_ifft", "inverse fast Fourier transform: [real, imag] (expanded to columns)", types.Dynamic,
			srA("fft_real", srDyn), srOpt("fft_imaginary", srDyn)),
	} {
		Register(f)
	}
}
