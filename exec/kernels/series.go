package kernels

// Kernels of the series_* family (declared in lang/funcs/series.go). A
// series is a dynamic array of numbers; elements that are not numbers
// (null, strings, ...) are missing values. Every kernel reads its arguments
// boxed (dynamic accessors) and returns null for a row whose series argument
// is not an array.
//
// Functions returning several values in Kusto return a dynamic array of
// them in the documented order (see funcs.SeriesTupleColumns).
//
// Best effort (Kusto's exact algorithms are not documented): period
// detection (series_periods_detect/validate and the autodetection of
// series_seasonal/series_decompose*) scores a period by the lag
// correlation of the winsorized series; series_outliers' quantiles are
// interpolated percentiles; series_fit_2lines' split_idx is the first
// index of the right segment.

import (
	"math"
	"sort"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	binArith := func(name string, fi func(a, b int64) (int64, bool), ff func(a, b float64) float64) {
		RegisterScalar(name, srBinary(func(a, b any) any { return srArith(a, b, fi, ff) }))
	}
	binArith("series_add", func(a, b int64) (int64, bool) { return a + b, true }, func(a, b float64) float64 { return a + b })
	binArith("series_subtract", func(a, b int64) (int64, bool) { return a - b, true }, func(a, b float64) float64 { return a - b })
	binArith("series_multiply", func(a, b int64) (int64, bool) { return a * b, true }, func(a, b float64) float64 { return a * b })
	binArith("series_divide", nil, func(a, b float64) float64 { return a / b })
	binArith("series_pow", nil, math.Pow)
	cmp := func(name string, f func(a, b float64) bool) {
		RegisterScalar(name, srBinary(func(a, b any) any {
			x, xok := srNum(a)
			y, yok := srNum(b)
			if !xok || !yok {
				return nil
			}
			return f(x, y)
		}))
	}
	cmp("series_greater", func(a, b float64) bool { return a > b })
	cmp("series_greater_equals", func(a, b float64) bool { return a >= b })
	cmp("series_less", func(a, b float64) bool { return a < b })
	cmp("series_less_equals", func(a, b float64) bool { return a <= b })
	cmp("series_equals", func(a, b float64) bool { return a == b })
	cmp("series_not_equals", func(a, b float64) bool { return a != b })

	un := func(name string, f func(float64) float64) {
		RegisterScalar(name, srUnary(func(v any) any {
			x, ok := srNum(v)
			if !ok {
				return nil
			}
			return f(x)
		}))
	}
	RegisterScalar("series_abs", srUnary(func(v any) any {
		switch x := v.(type) {
		case int64:
			if x < 0 {
				return -x
			}
			return x
		case float64:
			return math.Abs(x)
		}
		return nil
	}))
	RegisterScalar("series_sign", srUnary(func(v any) any {
		switch x := v.(type) {
		case int64:
			switch {
			case x < 0:
				return int64(-1)
			case x > 0:
				return int64(1)
			}
			return int64(0)
		case float64:
			switch {
			case x < 0:
				return -1.0
			case x > 0:
				return 1.0
			}
			return x
		}
		return nil
	}))
	un("series_acos", math.Acos)
	un("series_asin", math.Asin)
	un("series_atan", math.Atan)
	un("series_ceiling", math.Ceil)
	un("series_cos", math.Cos)
	un("series_exp", math.Exp)
	un("series_floor", math.Floor)
	un("series_log", math.Log)
	un("series_sin", math.Sin)
	un("series_sqrt", math.Sqrt)
	un("series_tan", math.Tan)

	RegisterScalar("series_fill_forward", srDyn(func(v []any, ok []bool) (any, bool) { return srFillDir(v, ok, true) }))
	RegisterScalar("series_fill_backward", srDyn(func(v []any, ok []bool) (any, bool) { return srFillDir(v, ok, false) }))
	RegisterScalar("series_fill_const", srDyn(srFillConst))
	RegisterScalar("series_fill_linear", srDyn(srFillLinear))

	RegisterScalar("series_stats_dynamic", srDyn(func(v []any, ok []bool) (any, bool) { return srStatsK(v, ok, true) }))
	RegisterScalar("series_stats", srDyn(func(v []any, ok []bool) (any, bool) { return srStatsK(v, ok, false) }))
	RegisterScalar("series_fit_line_dynamic", srDyn(func(v []any, ok []bool) (any, bool) { return srFitLineK(v, ok, true) }))
	RegisterScalar("series_fit_line", srDyn(func(v []any, ok []bool) (any, bool) { return srFitLineK(v, ok, false) }))
	RegisterScalar("series_fit_2lines_dynamic", srDyn(func(v []any, ok []bool) (any, bool) { return srFit2K(v, ok, true) }))
	RegisterScalar("series_fit_2lines", srDyn(func(v []any, ok []bool) (any, bool) { return srFit2K(v, ok, false) }))
	RegisterScalar("series_outliers", srDyn(srOutliersK))
	RegisterScalar("series_iir", srDyn(srIIRK))
	RegisterScalar("series_fir", srDyn(srFIRK))
	RegisterScalar("series_pearson_correlation", srReal(srPearsonK))
	RegisterScalar("series_cosine_similarity", srReal(srCosineK))
	RegisterScalar("series_dot_product", srReal(srDotK))
	RegisterScalar("series_sum", srReal(srReduce(0, func(acc, x float64) float64 { return acc + x })))
	RegisterScalar("series_product", srReal(srReduce(1, func(acc, x float64) float64 { return acc * x })))
	RegisterScalar("series_magnitude", srReal(func(v []any, ok []bool) (float64, bool) {
		s, good := srReduce(0, func(acc, x float64) float64 { return acc + x*x })(v, ok)
		return math.Sqrt(s), good
	}))
	RegisterScalar("series_seasonal", srDyn(srSeasonalK))
	RegisterScalar("series_periods_detect", srDyn(srPeriodsDetectK))
	RegisterScalar("series_periods_validate", srDyn(srPeriodsValidateK))
	RegisterScalar("series_decompose", srDyn(srDecomposeK))
	RegisterScalar("series_decompose_anomalies", srDyn(srDecomposeAnomaliesK))
	RegisterScalar("series_decompose_forecast", srDyn(srDecomposeForecastK))
	RegisterScalar("series_fft", srDyn(func(v []any, ok []bool) (any, bool) { return srFFTK(v, ok, false) }))
	RegisterScalar("series_ifft", srDyn(func(v []any, ok []bool) (any, bool) { return srFFTK(v, ok, true) }))
}

// ------------------------------------------------------------------ helpers

func srDyn(fn func(vals []any, valid []bool) (any, bool)) ScalarKernel {
	return LiftNN[any, any](types.Dynamic, fn)
}

func srReal(fn func(vals []any, valid []bool) (float64, bool)) ScalarKernel {
	return LiftNN[any, float64](types.Real, fn)
}

// srNum reads a number element (long or real); other values are missing.
func srNum(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// srArr returns argument i as an array (ok=false when absent, null or not an array).
func srArr(v []any, ok []bool, i int) ([]any, bool) {
	if i >= len(v) || !ok[i] {
		return nil, false
	}
	a, is := v[i].([]any)
	return a, is
}

// srFloats converts a series to float64s with validity flags.
func srFloats(a []any) ([]float64, []bool) {
	xs := make([]float64, len(a))
	ok := make([]bool, len(a))
	for i, v := range a {
		xs[i], ok[i] = srNum(v)
	}
	return xs, ok
}

// srZeroFilled converts a series to float64s, missing values read as 0.
func srZeroFilled(a []any) []float64 {
	xs, _ := srFloats(a)
	return xs
}

func srOptNum(v []any, ok []bool, i int, def float64) float64 {
	if i < len(v) && ok[i] {
		if f, good := srNum(v[i]); good {
			return f
		}
	}
	return def
}

func srOptBool(v []any, ok []bool, i int, def bool) bool {
	if i < len(v) && ok[i] {
		switch x := v[i].(type) {
		case bool:
			return x
		case int64:
			return x != 0
		}
	}
	return def
}

func srOptStr(v []any, ok []bool, i int, def string) string {
	if i < len(v) && ok[i] {
		if s, good := v[i].(string); good && s != "" {
			return strings.ToLower(s)
		}
	}
	return def
}

func srBoxFloats(xs []float64) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// srBinary builds an element-wise kernel over two series or a series and a
// scalar (broadcast). Arrays of different lengths yield the longer length,
// the missing elements null.
func srBinary(op func(a, b any) any) ScalarKernel {
	return srDyn(func(v []any, ok []bool) (any, bool) {
		if len(v) != 2 || !ok[0] || !ok[1] {
			return nil, false
		}
		a, aArr := v[0].([]any)
		b, bArr := v[1].([]any)
		if !aArr && !bArr {
			return nil, false
		}
		n := len(a)
		if len(b) > n {
			n = len(b)
		}
		at := func(xs []any, isArr bool, s any, i int) any {
			if !isArr {
				return s
			}
			if i < len(xs) {
				return xs[i]
			}
			return nil
		}
		out := make([]any, n)
		for i := range out {
			out[i] = op(at(a, aArr, v[0], i), at(b, bArr, v[1], i))
		}
		return out, true
	})
}

func srArith(a, b any, fi func(a, b int64) (int64, bool), ff func(a, b float64) float64) any {
	if fi != nil {
		if x, ok := a.(int64); ok {
			if y, ok := b.(int64); ok {
				if r, ok := fi(x, y); ok {
					return r
				}
				return nil
			}
		}
	}
	x, xok := srNum(a)
	y, yok := srNum(b)
	if !xok || !yok {
		return nil
	}
	return ff(x, y)
}

func srUnary(op func(any) any) ScalarKernel {
	return srDyn(func(v []any, ok []bool) (any, bool) {
		a, is := srArr(v, ok, 0)
		if !is {
			return nil, false
		}
		out := make([]any, len(a))
		for i, x := range a {
			out[i] = op(x)
		}
		return out, true
	})
}

// ------------------------------------------------------------------ fills

// srMissing returns the missing-value test: null, or equal to the placeholder.
func srMissing(v []any, ok []bool, i int) func(any) bool {
	if i < len(v) && ok[i] && v[i] != nil {
		ph := v[i]
		pf, pnum := srNum(ph)
		return func(x any) bool {
			if x == nil {
				return true
			}
			if pnum {
				if f, isNum := srNum(x); isNum {
					return f == pf || (math.IsNaN(f) && math.IsNaN(pf))
				}
				return false
			}
			return types.EqualDynamic(x, ph)
		}
	}
	return func(x any) bool { return x == nil }
}

func srFillDir(v []any, ok []bool, forward bool) (any, bool) {
	a, is := srArr(v, ok, 0)
	if !is {
		return nil, false
	}
	miss := srMissing(v, ok, 1)
	out := make([]any, len(a))
	copy(out, a)
	var last any
	have := false
	for k := range out {
		i := k
		if !forward {
			i = len(out) - 1 - k
		}
		if miss(out[i]) {
			if have {
				out[i] = last
			} else {
				out[i] = nil
			}
			continue
		}
		last, have = out[i], true
	}
	return out, true
}

func srFillConst(v []any, ok []bool) (any, bool) {
	a, is := srArr(v, ok, 0)
	if !is {
		return nil, false
	}
	var c any
	if len(v) > 1 && ok[1] {
		c = v[1]
	}
	miss := srMissing(v, ok, 2)
	out := make([]any, len(a))
	for i, x := range a {
		if miss(x) {
			out[i] = c
		} else {
			out[i] = x
		}
	}
	return out, true
}

// srFillLinear: series_fill_linear(series [, missing_value_placeholder [,
// fill_edges=true [, constant_value=0]]]). Missing values between two
// numbers are interpolated linearly; leading/trailing ones take the nearest
// value when fill_edges, else stay missing; an array with no number at all
// is filled with constant_value.
func srFillLinear(v []any, ok []bool) (any, bool) {
	a, is := srArr(v, ok, 0)
	if !is {
		return nil, false
	}
	miss := srMissing(v, ok, 1)
	edges := srOptBool(v, ok, 2, true)
	var c any = int64(0)
	if len(v) > 3 && ok[3] {
		c = v[3]
	}
	out := make([]any, len(a))
	copy(out, a)
	idx := []int{}
	for i, x := range a {
		if !miss(x) {
			if _, num := srNum(x); num {
				idx = append(idx, i)
				continue
			}
		}
		out[i] = nil
	}
	if len(idx) == 0 {
		for i := range out {
			out[i] = c
		}
		return out, true
	}
	for k := 0; k+1 < len(idx); k++ {
		l, r := idx[k], idx[k+1]
		lv, _ := srNum(a[l])
		rv, _ := srNum(a[r])
		for i := l + 1; i < r; i++ {
			out[i] = lv + (rv-lv)*float64(i-l)/float64(r-l)
		}
	}
	if edges {
		for i := 0; i < idx[0]; i++ {
			out[i] = a[idx[0]]
		}
		for i := idx[len(idx)-1] + 1; i < len(out); i++ {
			out[i] = a[idx[len(idx)-1]]
		}
	}
	return out, true
}

// ------------------------------------------------------------------ stats

type srStats struct {
	min, max, avg, stdev, variance float64
	minIdx, maxIdx                 int64
	ok                             bool
}

func srComputeStats(a []any, ignoreNonFinite bool) srStats {
	var s srStats
	n := 0
	var sum float64
	for i, v := range a {
		x, num := srNum(v)
		if !num || math.IsNaN(x) || math.IsInf(x, 0) {
			if !ignoreNonFinite {
				return srStats{}
			}
			continue
		}
		if n == 0 || x < s.min {
			s.min, s.minIdx = x, int64(i)
		}
		if n == 0 || x > s.max {
			s.max, s.maxIdx = x, int64(i)
		}
		sum += x
		n++
	}
	if n == 0 {
		return srStats{}
	}
	s.avg = sum / float64(n)
	var ss float64
	for _, v := range a {
		if x, num := srNum(v); num && !math.IsNaN(x) && !math.IsInf(x, 0) {
			ss += (x - s.avg) * (x - s.avg)
		}
	}
	if n > 1 {
		s.variance = ss / float64(n-1)
	}
	s.stdev = math.Sqrt(s.variance)
	s.ok = true
	return s
}

func srStatsK(v []any, ok []bool, bag bool) (any, bool) {
	a, is := srArr(v, ok, 0)
	if !is {
		return nil, false
	}
	s := srComputeStats(a, srOptBool(v, ok, 1, false))
	vals := []any{nil, nil, nil, nil, nil, nil, nil}
	if s.ok {
		vals = []any{s.min, s.minIdx, s.max, s.maxIdx, s.avg, s.stdev, s.variance}
	}
	if !bag {
		return vals, true
	}
	b := types.NewBag(7)
	for i, k := range []string{"min", "min_idx", "max", "max_idx", "avg", "stdev", "variance"} {
		b.Set(k, vals[i])
	}
	return b, true
}

// srLine is a least-squares line fitted to points (x, y[i]) with x = i+1.
type srLine struct {
	slope, icept float64
	rsquare      float64
	variance     float64 // sample variance of y
	rvariance    float64 // sample variance of the residuals
}

// srFit fits y[lo:hi] (x = index+1), skipping missing points.
func srFit(y []float64, ok []bool, lo, hi int) srLine {
	var n, sx, sy, sxx, sxy float64
	for i := lo; i < hi; i++ {
		if ok != nil && !ok[i] {
			continue
		}
		x := float64(i + 1)
		n++
		sx += x
		sy += y[i]
		sxx += x * x
		sxy += x * y[i]
	}
	var l srLine
	if n == 0 {
		return l
	}
	den := n*sxx - sx*sx
	if den != 0 {
		l.slope = (n*sxy - sx*sy) / den
	}
	l.icept = (sy - l.slope*sx) / n
	mean := sy / n
	var sst, sse float64
	for i := lo; i < hi; i++ {
		if ok != nil && !ok[i] {
			continue
		}
		d := y[i] - mean
		sst += d * d
		r := y[i] - (l.slope*float64(i+1) + l.icept)
		sse += r * r
	}
	if n > 1 {
		l.variance = sst / (n - 1)
		l.rvariance = sse / (n - 1)
	}
	if sst > 0 {
		l.rsquare = 1 - sse/sst
	} else {
		l.rsquare = 1
	}
	return l
}

func (l srLine) at(i int) float64 { return l.slope*float64(i+1) + l.icept }

func srFitLineK(v []any, ok []bool, bag bool) (any, bool) {
	a, is := srArr(v, ok, 0)
	if !is {
		return nil, false
	}
	y, yok := srFloats(a)
	l := srFit(y, yok, 0, len(y))
	fit := make([]any, len(y))
	for i := range fit {
		fit[i] = l.at(i)
	}
	vals := []any{l.rsquare, l.slope, l.variance, l.rvariance, l.icept, fit}
	if !bag {
		return vals, true
	}
	return srBag([]string{"rsquare", "slope", "variance", "rvariance", "interception", "line_fit"}, vals), true
}

func srBag(keys []string, vals []any) *types.Bag {
	b := types.NewBag(len(keys))
	for i, k := range keys {
		b.Set(k, vals[i])
	}
	return b
}

// srFit2K fits two lines: every split k (left = [0,k), right = [k,n),
// each at least 2 points) is fitted with series_fit_line on each part (x
// restarts at 1 in the right part) and the split with the least total
// squared residual (the greatest total r-square) wins. split_idx is k, the
// zero-based index of the right segment's first point.
func srFit2K(v []any, ok []bool, bag bool) (any, bool) {
	a, is := srArr(v, ok, 0)
	if !is {
		return nil, false
	}
	y, yok := srFloats(a)
	n := len(y)
	all := srFit(y, yok, 0, n)
	sse := func(l srLine, ys []float64, oks []bool) float64 {
		var s float64
		for i := range ys {
			if oks[i] {
				r := ys[i] - l.at(i)
				s += r * r
			}
		}
		return s
	}
	best, bestSSE := -1, math.Inf(1)
	var bl, br srLine
	for k := 2; k <= n-2; k++ {
		l, r := srFit(y[:k], yok[:k], 0, k), srFit(y[k:], yok[k:], 0, n-k)
		if s := sse(l, y[:k], yok[:k]) + sse(r, y[k:], yok[k:]); s < bestSSE {
			best, bestSSE, bl, br = k, s, l, r
		}
	}
	fit := make([]any, n)
	rsq, rvar := all.rsquare, all.rvariance
	if best < 0 {
		best, bl, br = n, all, all
		for i := range fit {
			fit[i] = all.at(i)
		}
	} else {
		for i := range fit {
			if i < best {
				fit[i] = bl.at(i)
			} else {
				fit[i] = br.at(i - best)
			}
		}
		cnt := 0
		for _, o := range yok {
			if o {
				cnt++
			}
		}
		rsq, rvar = 1, 0
		if all.variance > 0 {
			rsq = 1 - bestSSE/(all.variance*float64(cnt-1))
		}
		if cnt > 1 {
			rvar = bestSSE / float64(cnt-1)
		}
	}
	side := func(l srLine) []any { return []any{l.rsquare, l.slope, l.icept, l.variance, l.rvariance} }
	if !bag {
		return append(append([]any{rsq, int64(best), all.variance, rvar, fit}, side(br)...), side(bl)...), true
	}
	sk := []string{"rsquare", "slope", "interception", "variance", "rvariance"}
	return srBag([]string{"rsquare", "split_idx", "variance", "rvariance", "line_fit", "right", "left"},
		[]any{rsq, int64(best), all.variance, rvar, fit, srBag(sk, side(br)), srBag(sk, side(bl))}), true
}

// ------------------------------------------------------------------ outliers

// srPercentile is the p-th percentile (0..100) of sorted xs by linear
// interpolation between closest ranks.
func srPercentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	r := p / 100 * float64(len(sorted)-1)
	lo := int(math.Floor(r))
	hi := int(math.Ceil(r))
	if hi >= len(sorted) {
		hi = len(sorted) - 1
	}
	return sorted[lo] + (sorted[hi]-sorted[lo])*(r-float64(lo))
}

// srOutliers scores each point with Tukey's test: (x-Q3)/(Q3-Q1) above the
// upper quantile, (x-Q1)/(Q3-Q1) below the lower one, 0 between and for
// missing/ignored points. kind "tukey" uses the 25/75 percentiles, "ctukey"
// (default) lo/hi (default 10/90). When the quantile range is 0 the mean
// absolute deviation from the median stands in (then 1).
func srOutliers(y []float64, ok []bool, kind string, lo, hi float64) []float64 {
	if kind == "tukey" {
		lo, hi = 25, 75
	}
	var vals []float64
	for i, x := range y {
		if ok[i] && !math.IsNaN(x) {
			vals = append(vals, x)
		}
	}
	out := make([]float64, len(y))
	if len(vals) == 0 {
		return out
	}
	sort.Float64s(vals)
	q1, q3 := srPercentile(vals, lo), srPercentile(vals, hi)
	iqr := q3 - q1
	if iqr <= 0 {
		med := srPercentile(vals, 50)
		var s float64
		for _, x := range vals {
			s += math.Abs(x - med)
		}
		iqr = s / float64(len(vals))
		if iqr <= 0 {
			iqr = 1
		}
	}
	for i, x := range y {
		if !ok[i] || math.IsNaN(x) {
			continue
		}
		switch {
		case x > q3:
			out[i] = (x - q3) / iqr
		case x < q1:
			out[i] = (x - q1) / iqr
		}
	}
	return out
}

func srOutliersK(v []any, ok []bool) (any, bool) {
	a, is := srArr(v, ok, 0)
	if !is {
		return nil, false
	}
	y, yok := srFloats(a)
	if len(v) > 2 && ok[2] {
		if ig, num := srNum(v[2]); num {
			for i := range y {
				if yok[i] && y[i] == ig {
					yok[i] = false
				}
			}
		}
	}
	kind := srOptStr(v, ok, 1, "ctukey")
	s := srOutliers(y, yok, kind, srOptNum(v, ok, 3, 10), srOptNum(v, ok, 4, 90))
	return srBoxFloats(s), true
}

// ------------------------------------------------------------------ filters

// srIIRK: y[n] = (Σ b[i]·x[n-i] − Σ_{j≥1} a[j]·y[n-j]) / a[0]; missing input
// values read as 0.
func srIIRK(v []any, ok []bool) (any, bool) {
	a, is := srArr(v, ok, 0)
	bn, bis := srArr(v, ok, 1)
	ad, ais := srArr(v, ok, 2)
	if !is || !bis || !ais || len(ad) == 0 {
		return nil, false
	}
	x, b, den := srZeroFilled(a), srZeroFilled(bn), srZeroFilled(ad)
	if den[0] == 0 {
		return nil, false
	}
	y := make([]float64, len(x))
	for n := range x {
		var s float64
		for i, c := range b {
			if n-i >= 0 {
				s += c * x[n-i]
			}
		}
		for j := 1; j < len(den); j++ {
			if n-j >= 0 {
				s -= den[j] * y[n-j]
			}
		}
		y[n] = s / den[0]
	}
	return srBoxFloats(y), true
}

// srFIRK: series_fir(x, filter [, normalize=true [, center=false]]).
// y[n] = Σ f[i]·x[n-i+off], off = (len(f)-1)/2 when centered else 0;
// normalize divides the filter by its sum (when non-zero).
func srFIRK(v []any, ok []bool) (any, bool) {
	a, is := srArr(v, ok, 0)
	fl, fis := srArr(v, ok, 1)
	if !is || !fis {
		return nil, false
	}
	x, f := srZeroFilled(a), srZeroFilled(fl)
	norm := 1.0
	if srOptBool(v, ok, 2, true) {
		var s float64
		for _, c := range f {
			s += c
		}
		if s != 0 {
			norm = s
		}
	}
	off := 0
	if srOptBool(v, ok, 3, false) {
		off = (len(f) - 1) / 2
	}
	y := make([]float64, len(x))
	for n := range x {
		var s float64
		for i, c := range f {
			if j := n - i + off; j >= 0 && j < len(x) {
				s += c * x[j]
			}
		}
		y[n] = s / norm
	}
	return srBoxFloats(y), true
}

// ------------------------------------------------------------------ reductions

func srPair(v []any, ok []bool) ([]float64, []float64, bool) {
	a, is := srArr(v, ok, 0)
	b, bis := srArr(v, ok, 1)
	if !is || !bis || len(a) != len(b) {
		return nil, nil, false
	}
	var xs, ys []float64
	for i := range a {
		x, xo := srNum(a[i])
		y, yo := srNum(b[i])
		if xo && yo {
			xs, ys = append(xs, x), append(ys, y)
		}
	}
	return xs, ys, true
}

func srPearsonK(v []any, ok []bool) (float64, bool) {
	xs, ys, good := srPair(v, ok)
	if !good {
		return 0, false
	}
	return srPearson(xs, ys)
}

// srPearson is the Pearson correlation of xs and ys (equal lengths);
// ok=false when a side is constant or empty.
func srPearson(xs, ys []float64) (float64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	n := float64(len(xs))
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx, my = mx/n, my/n
	var sxy, sxx, syy float64
	for i := range xs {
		dx, dy := xs[i]-mx, ys[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0, false
	}
	return sxy / math.Sqrt(sxx*syy), true
}

func srCosineK(v []any, ok []bool) (float64, bool) {
	xs, ys, good := srPair(v, ok)
	if !good {
		return 0, false
	}
	var d, m1, m2 float64
	for i := range xs {
		d += xs[i] * ys[i]
		m1 += xs[i] * xs[i]
		m2 += ys[i] * ys[i]
	}
	m1, m2 = math.Sqrt(m1), math.Sqrt(m2)
	m1 = srOptNum(v, ok, 2, m1)
	m2 = srOptNum(v, ok, 3, m2)
	if m1 == 0 || m2 == 0 {
		return 0, false
	}
	return d / (m1 * m2), true
}

// srDotK: a scalar argument is broadcast to the other series' length;
// arrays of different lengths use the shorter length; missing elements
// count 0.
func srDotK(v []any, ok []bool) (float64, bool) {
	if len(v) != 2 || !ok[0] || !ok[1] {
		return 0, false
	}
	a, aArr := v[0].([]any)
	b, bArr := v[1].([]any)
	switch {
	case aArr && bArr:
		if len(b) < len(a) {
			a = a[:len(b)]
		}
	case aArr:
		b = make([]any, len(a))
		for i := range b {
			b[i] = v[1]
		}
	case bArr:
		a = make([]any, len(b))
		for i := range a {
			a[i] = v[0]
		}
	default:
		return 0, false
	}
	var s float64
	for i := range a {
		x, xo := srNum(a[i])
		y, yo := srNum(b[i])
		if xo && yo {
			s += x * y
		}
	}
	return s, true
}

func srReduce(init float64, f func(acc, x float64) float64) func(v []any, ok []bool) (float64, bool) {
	return func(v []any, ok []bool) (float64, bool) {
		a, is := srArr(v, ok, 0)
		if !is {
			return 0, false
		}
		acc := init
		for _, e := range a {
			if x, num := srNum(e); num {
				acc = f(acc, x)
			}
		}
		return acc, true
	}
}

// ------------------------------------------------------------------ periods

// srPeriodScore scores a candidate period p in [0,1]: the Pearson
// correlation of y[0:n-p] with y[p:n] (negative values clamp to 0),
// required to span at least 2 full cycles and 4 pairs.
func srPeriodScore(y []float64, p int) float64 {
	if p < 2 || 2*p > len(y) || len(y)-p < 4 {
		return 0
	}
	r, ok := srPearson(y[:len(y)-p], y[p:])
	if !ok || r < 0 {
		return 0
	}
	return r
}

// srDetect returns up to k periods in [minP, maxP] with their scores, best
// first: local maxima of the score (an integer multiple of an already
// chosen period is dropped unless it scores clearly better).
//
// Scores are computed on y winsorized at Tukey's fences (quartiles ± 1.5
// IQR) so that a few spikes do not hide a period.
func srDetect(y []float64, minP, maxP float64, k int) ([]float64, []float64) {
	y = srWinsorize(y)
	lo, hi := int(math.Ceil(minP)), int(math.Floor(maxP))
	if lo < 2 {
		lo = 2
	}
	if hi > len(y)/2 {
		hi = len(y) / 2
	}
	if hi < lo {
		return nil, nil
	}
	type cand struct {
		p int
		s float64
	}
	var cs []cand
	// Scores of lo-1..hi+1 (the neighbours decide local maxima).
	sc := make([]float64, 0, hi-lo+3)
	for p := lo - 1; p <= hi+1; p++ {
		s := 0.0
		if p >= 2 && p <= len(y)/2 {
			s = srPeriodScore(y, p)
		}
		sc = append(sc, s)
	}
	for p := lo; p <= hi; p++ {
		s := sc[p-lo+1]
		if s > 0 && s >= sc[p-lo] && s >= sc[p-lo+2] {
			cs = append(cs, cand{p, s})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].s != cs[j].s {
			return cs[i].s > cs[j].s
		}
		return cs[i].p < cs[j].p
	})
	// Prefer a fundamental over its multiples scoring about the same.
	var ps, ss []float64
	for _, c := range cs {
		if len(ps) >= k {
			break
		}
		dup := false
		for _, q := range ps {
			if c.p%int(q) == 0 {
				dup = true
			}
		}
		if !dup {
			for _, d := range cs {
				if d.p < c.p && c.p%d.p == 0 && d.s >= 0.9*c.s {
					dup = true
				}
			}
		}
		if dup {
			continue
		}
		ps, ss = append(ps, float64(c.p)), append(ss, c.s)
	}
	return ps, ss
}

// srWinsorize clips y to Tukey's fences [Q1 − 1.5·IQR, Q3 + 1.5·IQR].
func srWinsorize(y []float64) []float64 {
	if len(y) < 4 {
		return y
	}
	s := append([]float64(nil), y...)
	sort.Float64s(s)
	q1, q3 := srPercentile(s, 25), srPercentile(s, 75)
	lo, hi := q1-1.5*(q3-q1), q3+1.5*(q3-q1)
	out := make([]float64, len(y))
	for i, x := range y {
		out[i] = math.Min(math.Max(x, lo), hi)
	}
	return out
}

// srAutoPeriod detects the dominant period of y (0 if none scores at least
// threshold); candidates span 4..n/4 (periods of at least 4 points seen at
// least 4 times: this matches Kusto's documented series_seasonal results,
// where [1,3,5,2,4,6,1,3,5,2,4,6] has no detected period).
func srAutoPeriod(y []float64, threshold float64) int {
	ps, ss := srDetect(y, 4, float64(len(y)/4), 1)
	if len(ps) == 0 || ss[0] < threshold {
		return 0
	}
	return int(ps[0])
}

func srPeriodsDetectK(v []any, ok []bool) (any, bool) {
	a, is := srArr(v, ok, 0)
	if !is {
		return nil, false
	}
	y := srZeroFilled(a)
	ps, ss := srDetect(y, srOptNum(v, ok, 1, 2), srOptNum(v, ok, 2, float64(len(y)/2)), int(srOptNum(v, ok, 3, 1)))
	return []any{srBoxFloats(ps), srBoxFloats(ss)}, true
}

func srPeriodsValidateK(v []any, ok []bool) (any, bool) {
	a, is := srArr(v, ok, 0)
	if !is {
		return nil, false
	}
	y := srZeroFilled(a)
	var ps, ss []float64
	for i := 1; i < len(v); i++ {
		p := srOptNum(v, ok, i, 0)
		ps = append(ps, p)
		s := 0.0
		if p == math.Floor(p) && p > 0 && p < float64(len(y)) {
			s = srPeriodScore(y, int(p))
		}
		ss = append(ss, s)
	}
	return []any{srBoxFloats(ps), srBoxFloats(ss)}, true
}

// ------------------------------------------------------------------ decomposition

func srMedian(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// srSeasonal is the median of the points y[0:train] of each phase i%p,
// repeated over n points (zeros when p <= 0).
func srSeasonal(y []float64, train, p, n int) []float64 {
	out := make([]float64, n)
	if p <= 0 || p > n {
		return out
	}
	med := make([]float64, p)
	for ph := 0; ph < p; ph++ {
		var xs []float64
		for i := ph; i < train; i += p {
			xs = append(xs, y[i])
		}
		med[ph] = srMedian(xs)
	}
	for i := range out {
		out[i] = med[i%p]
	}
	return out
}

func srSeasonalK(v []any, ok []bool) (any, bool) {
	a, is := srArr(v, ok, 0)
	if !is {
		return nil, false
	}
	y := srZeroFilled(a)
	p := int(srOptNum(v, ok, 1, -1))
	if p < 0 {
		p = srAutoPeriod(y, 0.7)
	}
	return srBoxFloats(srSeasonal(y, len(y), p, len(y))), true
}

// srDecompose: seasonal (per-phase median; period detected when < 0),
// trend of the deseasoned series ("avg", "linefit" or "none"), baseline =
// seasonal + trend, residual = y − baseline. The last testPoints points
// are excluded from learning (forecast).
func srDecompose(y []float64, season int, trend string, testPoints int, thr float64) (baseline, seasonal, tr, residual []float64) {
	n := len(y)
	if testPoints < 0 {
		testPoints = 0
	}
	train := n - testPoints
	if train < 0 {
		train = 0
	}
	if season < 0 {
		season = srAutoPeriod(y[:train], thr)
	}
	seasonal = srSeasonal(y, train, season, n)
	de := make([]float64, train)
	for i := range de {
		de[i] = y[i] - seasonal[i]
	}
	tr = make([]float64, n)
	switch trend {
	case "linefit":
		l := srFit(de, nil, 0, train)
		for i := range tr {
			tr[i] = l.at(i)
		}
	case "none":
	default:
		if train > 0 {
			var s float64
			for _, x := range de {
				s += x
			}
			for i := range tr {
				tr[i] = s / float64(train)
			}
		}
	}
	baseline = make([]float64, n)
	residual = make([]float64, n)
	for i := range baseline {
		baseline[i] = seasonal[i] + tr[i]
		residual[i] = y[i] - baseline[i]
	}
	return
}

func srDecomposeK(v []any, ok []bool) (any, bool) {
	a, is := srArr(v, ok, 0)
	if !is {
		return nil, false
	}
	y := srZeroFilled(a)
	b, s, t, r := srDecompose(y, int(srOptNum(v, ok, 1, -1)), srOptStr(v, ok, 2, "avg"), int(srOptNum(v, ok, 3, 0)), srOptNum(v, ok, 4, 0.6))
	return []any{srBoxFloats(b), srBoxFloats(s), srBoxFloats(t), srBoxFloats(r)}, true
}

// srDecomposeAnomaliesK: series_decompose_anomalies(series [, threshold=1.5
// [, seasonality=-1 [, trend="avg" [, test_points=0 [, ad_method="ctukey"
// [, seasonality_threshold=0.6]]]]]]) → [ad_flag, ad_score, baseline]: the
// residuals of the decomposition scored with Tukey's test; ad_flag is +1 /
// -1 where the score is above threshold / below -threshold, else 0.
func srDecomposeAnomaliesK(v []any, ok []bool) (any, bool) {
	a, is := srArr(v, ok, 0)
	if !is {
		return nil, false
	}
	y := srZeroFilled(a)
	thr := srOptNum(v, ok, 1, 1.5)
	base, _, _, res := srDecompose(y, int(srOptNum(v, ok, 2, -1)), srOptStr(v, ok, 3, "avg"), int(srOptNum(v, ok, 4, 0)), srOptNum(v, ok, 6, 0.6))
	resOK := make([]bool, len(res))
	for i := range resOK {
		resOK[i] = true
	}
	score := srOutliers(res, resOK, srOptStr(v, ok, 5, "ctukey"), 10, 90)
	flags := make([]any, len(score))
	for i, s := range score {
		switch {
		case s > thr:
			flags[i] = int64(1)
		case s < -thr:
			flags[i] = int64(-1)
		default:
			flags[i] = int64(0)
		}
	}
	return []any{flags, srBoxFloats(score), srBoxFloats(base)}, true
}

// srDecomposeForecastK: series_decompose_forecast(series, points [,
// seasonality=-1 [, trend="linefit" [, seasonality_threshold=0.6]]]): the
// baseline learnt on all but the last points, over the whole series.
func srDecomposeForecastK(v []any, ok []bool) (any, bool) {
	a, is := srArr(v, ok, 0)
	if !is {
		return nil, false
	}
	y := srZeroFilled(a)
	b, _, _, _ := srDecompose(y, int(srOptNum(v, ok, 2, -1)), srOptStr(v, ok, 3, "linefit"), int(srOptNum(v, ok, 1, 0)), srOptNum(v, ok, 4, 0.6))
	return srBoxFloats(b), true
}

// ------------------------------------------------------------------ fft

// srFFTK computes the discrete Fourier transform (inverse: scaled by 1/n)
// of real + imaginary series; returns [real, imag]. Radix-2 when the
// length is a power of two, else Bluestein's algorithm (O(n log n) too).
func srFFTK(v []any, ok []bool, inverse bool) (any, bool) {
	a, is := srArr(v, ok, 0)
	if !is {
		return nil, false
	}
	re := srZeroFilled(a)
	im := make([]float64, len(re))
	if b, bis := srArr(v, ok, 1); bis {
		if len(b) != len(a) {
			return nil, false
		}
		im = srZeroFilled(b)
	}
	n := len(re)
	x := make([]complex128, n)
	for i := range x {
		x[i] = complex(re[i], im[i])
	}
	sign := -1.0
	if inverse {
		sign = 1
	}
	y := srDFT(x, sign)
	outR, outI := make([]float64, n), make([]float64, n)
	for i, c := range y {
		if inverse {
			c /= complex(float64(n), 0)
		}
		outR[i], outI[i] = real(c), imag(c)
	}
	return []any{srBoxFloats(outR), srBoxFloats(outI)}, true
}

func srDFT(x []complex128, sign float64) []complex128 {
	n := len(x)
	if n <= 1 {
		return append([]complex128(nil), x...)
	}
	if n&(n-1) == 0 {
		even, odd := make([]complex128, n/2), make([]complex128, n/2)
		for i := 0; i < n/2; i++ {
			even[i], odd[i] = x[2*i], x[2*i+1]
		}
		e, o := srDFT(even, sign), srDFT(odd, sign)
		out := make([]complex128, n)
		for k := 0; k < n/2; k++ {
			ang := sign * 2 * math.Pi * float64(k) / float64(n)
			t := complex(math.Cos(ang), math.Sin(ang)) * o[k]
			out[k], out[k+n/2] = e[k]+t, e[k]-t
		}
		return out
	}
	return srBluestein(x, sign)
}

// srBluestein computes a DFT of any length as a convolution of
// power-of-two length (chirp z-transform): jk = (j² + k² − (k−j)²)/2.
func srBluestein(x []complex128, sign float64) []complex128 {
	n := len(x)
	w := make([]complex128, n)
	for k := range w {
		e := float64((k * k) % (2 * n))
		ang := sign * math.Pi * e / float64(n)
		w[k] = complex(math.Cos(ang), math.Sin(ang))
	}
	m := 1
	for m < 2*n-1 {
		m <<= 1
	}
	a, b := make([]complex128, m), make([]complex128, m)
	for k := 0; k < n; k++ {
		a[k] = x[k] * w[k]
		c := complex(real(w[k]), -imag(w[k]))
		b[k] = c
		if k > 0 {
			b[m-k] = c
		}
	}
	fa, fb := srDFT(a, -1), srDFT(b, -1)
	for i := range fa {
		fa[i] *= fb[i]
	}
	conv := srDFT(fa, 1)
	out := make([]complex128, n)
	for k := range out {
		out[k] = w[k] * conv[k] / complex(float64(m), 0)
	}
	return out
}
