package kernels

import (
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/funcs"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func TestEverySeriesFuncHasKernel(t *testing.T) {
	n := 0
	for _, f := range funcs.All() {
		if !strings.HasPrefix(f.Name, "series_") {
			continue
		}
		for _, o := range f.Overloads {
			n++
			if !HasKernel(o.ID) {
				t.Errorf("%s: no kernel for overload %s", f.Name, o.ID)
			}
		}
	}
	if n < 50 {
		t.Errorf("only %d series overloads", n)
	}
}

// srtD is a dynamic argument written as JSON.
type srtD string

// srtRun calls kernel id on scalar arguments (srtD → dynamic, int64 →
// long, float64 → real, string, bool, nil → null dynamic) and returns the
// boxed result (dynamic results decoded).
func srtRun(t *testing.T, id string, args ...any) any {
	t.Helper()
	k, err := Scalar(id)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	ds := make([]Datum, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case srtD:
			d, err := types.ParseDynamic(string(v))
			if err != nil {
				t.Fatalf("bad test JSON %s: %v", v, err)
			}
			ds[i] = ScalarOf(mem, types.Dynamic, d)
		case int64:
			ds[i] = ScalarOf(mem, types.Long, v)
		case float64:
			ds[i] = ScalarOf(mem, types.Real, v)
		case string:
			ds[i] = ScalarOf(mem, types.String, v)
		case bool:
			ds[i] = ScalarOf(mem, types.Bool, v)
		case nil:
			ds[i] = ScalarOf(mem, types.Dynamic, nil)
		default:
			t.Fatalf("bad test arg %T", a)
		}
	}
	out, err := k(&Ctx{Mem: mem}, ds, 1)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	if !out.Scalar {
		t.Fatalf("%s: scalar arguments gave a column", id)
	}
	v := ValueAt(out, 0)
	if s, ok := v.(string); ok && out.Kind == types.Dynamic {
		v, _ = types.ParseDynamic(s)
	}
	out.Release()
	for _, d := range ds {
		d.Release()
	}
	mem.AssertSize(t, 0)
	return v
}

// srtNear reports whether got matches want (JSON) with numbers equal
// within tol (relative to max(1, |want|)) and integer/real kinds equal
// when exact is set.
func srtNear(got, want any, tol float64, exact bool) bool {
	switch w := want.(type) {
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !srtNear(g[i], w[i], tol, exact) {
				return false
			}
		}
		return true
	case *types.Bag:
		g, ok := got.(*types.Bag)
		if !ok || g.Len() != w.Len() {
			return false
		}
		for i := 0; i < w.Len(); i++ {
			k, wv := w.At(i)
			gk, gv := g.At(i)
			if k != gk || !srtNear(gv, wv, tol, exact) {
				return false
			}
		}
		return true
	case int64, float64:
		if exact {
			if _, wi := w.(int64); wi {
				if _, gi := got.(int64); !gi {
					return false
				}
			} else if _, gf := got.(float64); !gf {
				return false
			}
		}
		wf, _ := srNum(w)
		gf, ok := srNum(got)
		if !ok {
			return false
		}
		return math.Abs(gf-wf) <= tol*math.Max(1, math.Abs(wf))
	}
	return types.EqualDynamic(got, want)
}

type srtCase struct {
	name  string
	id    string
	args  []any
	want  string // JSON of the expected value
	tol   float64
	exact bool // int/real kinds of numbers must match (output formatting)
}

func srtCheck(t *testing.T, cases []srtCase) {
	t.Helper()
	for _, c := range cases {
		got := srtRun(t, c.id, c.args...)
		var want any
		if c.want != "null" {
			w, err := types.ParseDynamic(c.want)
			if err != nil {
				t.Fatalf("%s: bad want %s", c.name, c.want)
			}
			want = w
		}
		tol := c.tol
		if tol == 0 {
			tol = 1e-12
		}
		if want == nil {
			if got != nil {
				t.Errorf("%s: got %s, want null", c.name, types.FormatDynamic(got))
			}
			continue
		}
		if !srtNear(got, want, tol, c.exact) {
			t.Errorf("%s: got %s, want %s", c.name, types.FormatDynamic(got), c.want)
		}
	}
}

func TestSeriesElementwise(t *testing.T) {
	s1, s2 := srtD(`[1,2,4]`), srtD(`[4,2,1]`)
	srtCheck(t, []srtCase{
		// Documented examples (series-*-function.md).
		{"add", "series_add", []any{s1, s2}, `[5,4,5]`, 0, true},
		{"subtract", "series_subtract", []any{s1, s2}, `[-3,0,3]`, 0, true},
		{"multiply", "series_multiply", []any{srtD(`[2,4,8]`), srtD(`[8,4,2]`)}, `[16,16,16]`, 0, true},
		{"divide", "series_divide", []any{s1, s2}, `[0.25,1.0,4.0]`, 0, true},
		{"pow", "series_pow", []any{srtD(`[1,2,3,4]`), srtD(`[1,2,3,0.5]`)}, `[1.0,4.0,27.0,2.0]`, 0, true},
		{"greater", "series_greater", []any{s1, s2}, `[false,false,true]`, 0, true},
		{"greater_equals", "series_greater_equals", []any{s1, s2}, `[false,true,true]`, 0, true},
		{"less", "series_less", []any{s1, s2}, `[true,false,false]`, 0, true},
		{"less_equals", "series_less_equals", []any{s1, s2}, `[true,true,false]`, 0, true},
		{"equals", "series_equals", []any{s1, s2}, `[false,true,false]`, 0, true},
		{"not_equals", "series_not_equals", []any{s1, s2}, `[true,false,true]`, 0, true},
		{"abs", "series_abs", []any{srtD(`[-6.5,0,8.2]`)}, `[6.5,0,8.2]`, 0, true},
		{"sign", "series_sign", []any{srtD(`[-6,0,8]`)}, `[-1,0,1]`, 0, true},
		{"floor", "series_floor", []any{srtD(`[-1.5,1,2.5]`)}, `[-2.0,1.0,2.0]`, 0, true},
		{"ceiling", "series_ceiling", []any{srtD(`[-1.5,1,2.5]`)}, `[-1.0,1.0,3.0]`, 0, true},
		{"exp", "series_exp", []any{srtD(`[1,2,3]`)}, `[2.7182818284590451,7.38905609893065,20.085536923187668]`, 1e-15, true},
		{"log", "series_log", []any{srtD(`[1,2,3]`)}, `[0.0,0.69314718055994529,1.0986122886681098]`, 1e-15, true},
		{"sqrt", "series_sqrt", []any{srtD(`[4,9]`)}, `[2.0,3.0]`, 0, true},
		{"cos sin", "series_cos", []any{srtD(`[0]`)}, `[1.0]`, 0, true},
		{"atan", "series_atan", []any{srtD(`[1]`)}, `[0.7853981633974483]`, 1e-15, true},
		// Scalar broadcasting, nulls, length mismatch, non-series.
		{"scalar right", "series_greater_equals", []any{srtD(`[1,2,0.5]`), 1.5}, `[false,true,false]`, 0, true},
		{"scalar left", "series_subtract", []any{int64(10), s1}, `[9,8,6]`, 0, true},
		{"mixed kinds", "series_add", []any{srtD(`[1,2.5]`), int64(1)}, `[2,3.5]`, 0, true},
		{"nulls", "series_add", []any{srtD(`[1,null,"x"]`), srtD(`[1,1,1]`)}, `[2,null,null]`, 0, true},
		{"lengths", "series_multiply", []any{srtD(`[1,2,3]`), srtD(`[2]`)}, `[2,null,null]`, 0, true},
		{"no series", "series_add", []any{int64(1), int64(2)}, `null`, 0, false},
		{"unary non-array", "series_abs", []any{srtD(`{"a":1}`)}, `null`, 0, false},
		{"unary nulls", "series_abs", []any{srtD(`[-1,null]`)}, `[1,null]`, 0, true},
	})
}

func TestSeriesFill(t *testing.T) {
	arr := srtD(`[111, null, 36, 41, 23, null, 16, 61, 33, null, null]`)
	srtCheck(t, []srtCase{
		{"fill_const 0.0", "series_fill_const", []any{arr, 0.0}, `[111,0.0,36,41,23,0.0,16,61,33,0.0,0.0]`, 0, true},
		{"fill_const -1", "series_fill_const", []any{arr, int64(-1)}, `[111,-1,36,41,23,-1,16,61,33,-1,-1]`, 0, true},
		{"fill_const placeholder", "series_fill_const", []any{srtD(`[1,0,2]`), int64(9), int64(0)}, `[1,9,2]`, 0, true},
		{"fill_forward", "series_fill_forward", []any{srtD(`[null, null, 36, 41, null, null, 16, 61, 33, null, null]`)},
			`[null,null,36,41,41,41,16,61,33,33,33]`, 0, true},
		{"fill_backward", "series_fill_backward", []any{srtD(`[null, null, 36, 41, null, null, 16, 61, 33, null, null]`)},
			`[36,36,36,41,16,16,16,61,33,null,null]`, 0, true},
		{"fill_forward placeholder", "series_fill_forward", []any{srtD(`[1,-1,-1,3]`), int64(-1)}, `[1,1,1,3]`, 0, true},
		// series-fill-linear-function.md: fill_edges true / false.
		{"fill_linear", "series_fill_linear", []any{srtD(`[null, 111.5, null, 36.5, 41.5, null, null, 16.5, 61.5, 33.5, null, null]`)},
			`[111.5,111.5,74.0,36.5,41.5,33.166666666666667,24.833333333333333,16.5,61.5,33.5,33.5,33.5]`, 1e-12, false},
		{"fill_linear no edges", "series_fill_linear", []any{srtD(`[null, 111, null, 36, 41, null, null, 16, 61, 33, null, null]`), nil, false},
			`[null,111,73.5,36,41,32.666666666666664,24.333333333333332,16,61,33,null,null]`, 1e-12, false},
		{"fill_linear all null", "series_fill_linear", []any{srtD(`[null,null]`), nil, true, int64(7)}, `[7,7]`, 0, true},
	})
}

func TestSeriesStatsAndFits(t *testing.T) {
	y := srtD(`[2, 5, 6, 8, 11, 15, 17, 18, 25, 26, 30, 30]`)
	// Documented in series-fit-line-function.md (3 decimals).
	fitWant := `[0.982, 2.730, 98.628, 1.686, -1.666, [1.064, 3.7945, 6.526, 9.256, 11.987, 14.718, 17.449, 20.180, 22.910, 25.641, 28.371, 31.102]]`
	srtCheck(t, []srtCase{
		{"fit_line", "series_fit_line", []any{y}, fitWant, 1e-3, false},
		{"fit_line_dynamic", "series_fit_line_dynamic", []any{y},
			`{"rsquare":0.982,"slope":2.730,"variance":98.628,"rvariance":1.686,"interception":-1.666,"line_fit":[1.064, 3.7945, 6.526, 9.256, 11.987, 14.718, 17.449, 20.180, 22.910, 25.641, 28.371, 31.102]}`, 1e-3, false},
		{"stats_dynamic", "series_stats_dynamic", []any{srtD(`[1,3,null,2]`), true},
			`{"min":1.0,"min_idx":0,"max":3.0,"max_idx":1,"avg":2.0,"stdev":1.0,"variance":1.0}`, 1e-12, true},
		{"stats nonfinite", "series_stats", []any{srtD(`[1,3,null,2]`)}, `[null,null,null,null,null,null,null]`, 0, false},
		{"stats", "series_stats", []any{y}, `[2.0,0,30.0,10,16.083333333333332,9.931202740795692,98.62878787878786]`, 1e-12, true},
		{"sum", "series_sum", []any{srtD(`[1,2,3.5,null]`)}, `6.5`, 0, false},
		{"product", "series_product", []any{srtD(`[1,2,3,4]`)}, `24`, 0, false},
		{"magnitude", "series_magnitude", []any{srtD(`[1,2,3,4]`)}, `5.4772255750516612`, 1e-15, false},
		{"dot", "series_dot_product", []any{srtD(`[1,2,4]`), srtD(`[4,2,1]`)}, `12`, 0, false},
		{"dot scalar", "series_dot_product", []any{srtD(`[3,6,12]`), int64(3)}, `63`, 0, false},
		{"pearson", "series_pearson_correlation", []any{srtD(`[1,2,3,4,5]`), srtD(`[2,4,6,8,10]`)}, `1`, 1e-12, false},
		{"pearson anti", "series_pearson_correlation", []any{srtD(`[1,2,3]`), srtD(`[3,2,1]`)}, `-1`, 1e-12, false},
		{"cosine", "series_cosine_similarity", []any{srtD(`[1,0]`), srtD(`[1,1]`)}, `0.7071067811865475`, 1e-12, false},
	})
	// Two lines: an exact V shape splits at its apex.
	got := srtRun(t, "series_fit_2lines_dynamic", srtD(`[0,1,2,3,4,3,2,1,0]`))
	b, ok := got.(*types.Bag)
	if !ok {
		t.Fatalf("fit_2lines_dynamic: got %v", got)
	}
	if v, _ := b.Get("rsquare"); !srtNear(v, 1.0, 1e-12, false) {
		t.Errorf("fit_2lines rsquare = %v", v)
	}
	if v, _ := b.Get("split_idx"); !srtNear(v, int64(5), 0, true) && !srtNear(v, int64(4), 0, true) {
		t.Errorf("fit_2lines split_idx = %v", v)
	}
	right, _ := b.Get("right")
	if rb, ok := right.(*types.Bag); !ok {
		t.Errorf("fit_2lines right = %v", right)
	} else if s, _ := rb.Get("slope"); !srtNear(s, -1.0, 1e-12, false) {
		t.Errorf("fit_2lines right slope = %v", s)
	}
	tup := srtRun(t, "series_fit_2lines", srtD(`[0,1,2,3,4,3,2,1,0]`)).([]any)
	if len(tup) != 15 || !srtNear(tup[4], mustJSON(t, `[0,1,2,3,4,3,2,1,0]`), 1e-9, false) {
		t.Errorf("fit_2lines = %s", types.FormatDynamic(tup))
	}
}

func mustJSON(t *testing.T, s string) any {
	t.Helper()
	v, err := types.ParseDynamic(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSeriesFilters(t *testing.T) {
	x := srtD(`[0,1,2,3,4,5,6,7,8,9]`)
	srtCheck(t, []srtCase{
		// series-fir-function.md: moving average and centered moving average, difference.
		{"fir avg", "series_fir", []any{x, srtD(`[1,1,1,1,1]`)}, `[0.0,0.2,0.6,1.2,2.0,3.0,4.0,5.0,6.0,7.0]`, 1e-12, false},
		{"fir centered", "series_fir", []any{x, srtD(`[1,1,1,1,1]`), true, true}, `[0.6,1.2,2.0,3.0,4.0,5.0,6.0,7.0,6.0,4.8]`, 1e-12, false},
		{"fir diff", "series_fir", []any{x, srtD(`[1,-1]`), false}, `[0.0,1.0,1.0,1.0,1.0,1.0,1.0,1.0,1.0,1.0]`, 0, false},
		// series-iir-function.md: cumulative sum filter.
		{"iir cumsum", "series_iir", []any{srtD(`[0,1,2,3,4]`), srtD(`[1]`), srtD(`[1,-1]`)}, `[0.0,1.0,3.0,6.0,10.0]`, 0, true},
		{"iir normalised", "series_iir", []any{srtD(`[2,2]`), srtD(`[1]`), srtD(`[2]`)}, `[1.0,1.0]`, 0, true},
		{"iir bad", "series_iir", []any{srtD(`[2,2]`), srtD(`[1]`), srtD(`[0]`)}, `null`, 0, false},
	})
	fft := srtRun(t, "series_fft", srtD(`[1,2,3,4]`)).([]any)
	if !srtNear(fft, mustJSON(t, `[[10,-2,-2,-2],[0,2,0,-2]]`), 1e-12, false) {
		t.Errorf("fft = %s", types.FormatDynamic(fft))
	}
	fft3 := srtRun(t, "series_fft", srtD(`[1,0,0]`)).([]any)
	if !srtNear(fft3, mustJSON(t, `[[1,1,1],[0,0,0]]`), 1e-12, false) {
		t.Errorf("fft3 = %s", types.FormatDynamic(fft3))
	}
	back := srtRun(t, "series_ifft", srtD(`[10,-2,-2,-2]`), srtD(`[0,2,0,-2]`)).([]any)
	if !srtNear(back, mustJSON(t, `[[1,2,3,4],[0,0,0,0]]`), 1e-12, false) {
		t.Errorf("ifft = %s", types.FormatDynamic(back))
	}
}

func TestSeriesSeasonalAndPeriods(t *testing.T) {
	srtCheck(t, []srtCase{
		// series-seasonal-function.md.
		{"seasonal auto 6", "series_seasonal", []any{srtD(`[2, 5, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1, 2, 3, 4, 3, 2, 1]`)},
			`[1.0,2.0,3.0,4.0,3.0,2.0,1.0,2.0,3.0,4.0,3.0,2.0,1.0,2.0,3.0,4.0,3.0,2.0,1.0,2.0,3.0,4.0,3.0,2.0,1.0]`, 0, true},
		{"seasonal auto 5", "series_seasonal", []any{srtD(`[8, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10]`)},
			`[10.0,12.0,14.0,12.0,10.0,10.0,12.0,14.0,12.0,10.0,10.0,12.0,14.0,12.0,10.0,10.0,12.0,14.0,12.0,10.0]`, 0, true},
		{"seasonal none", "series_seasonal", []any{srtD(`[1, 3, 5, 2, 4, 6, 1, 3, 5, 2, 4, 6]`)},
			`[0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0]`, 0, true},
		{"seasonal 3", "series_seasonal", []any{srtD(`[1, 3, 5, 1, 3, 5, 2, 4, 6]`), int64(3)}, `[1.0,3.0,5.0,1.0,3.0,5.0,1.0,3.0,5.0]`, 0, true},
		{"seasonal 3 median", "series_seasonal", []any{srtD(`[1, 3, 5, 2, 4, 6, 1, 3, 5, 2, 4, 6]`), int64(3)},
			`[1.5,3.5,5.5,1.5,3.5,5.5,1.5,3.5,5.5,1.5,3.5,5.5]`, 0, true},
	})
	y := srtD(`[80, 139, 87, 110, 68, 54, 50, 51, 53, 133, 86, 141, 97, 156, 94, 149, 95, 140, 77, 61, 50, 54, 47, 133, 72, 152, 94, 148, 105, 162, 101, 160, 87, 63, 53, 55, 54, 151, 103, 189, 108, 183, 113, 175, 113, 178, 90, 71, 62, 62, 65, 165, 109, 181, 115, 182, 121, 178, 114, 170]`)
	// Documented: periods 14 and 10 score 0.84 and 0.0 (our score is the
	// lag correlation: the real period scores high, the wrong one low).
	v := srtRun(t, "series_periods_validate", y, 14.0, 10.0).([]any)
	ps, ss := v[0].([]any), v[1].([]any)
	if !srtNear(ps, mustJSON(t, `[14.0,10.0]`), 0, true) {
		t.Errorf("validate periods = %v", ps)
	}
	if s0, _ := srNum(ss[0]); s0 < 0.7 {
		t.Errorf("validate score(14) = %v, want high", s0)
	}
	if s1, _ := srNum(ss[1]); s1 > 0.2 {
		t.Errorf("validate score(10) = %v, want low", s1)
	}
	d := srtRun(t, "series_periods_detect", y, 0.0, 50.0, int64(2)).([]any)
	if dp := d[0].([]any); len(dp) == 0 || !srtNear(dp[0], 14.0, 0, false) {
		t.Errorf("detect = %s", types.FormatDynamic(d))
	}
}

func TestSeriesOutliersAndDecompose(t *testing.T) {
	// Tukey (25/75): quartiles of 1..9 by interpolation are 3 and 7; 30 is (30-7)/4 above.
	srtCheck(t, []srtCase{
		{"tukey", "series_outliers", []any{srtD(`[1,2,3,4,5,6,7,8,30]`), "tukey"}, `[-0.5,-0.25,0,0,0,0,0,0.25,5.75]`, 1e-12, false},
		{"ignore_val", "series_outliers", []any{srtD(`[1,2,3,4,5,6,7,8,30,-1]`), "tukey", int64(-1)}, `[-0.5,-0.25,0,0,0,0,0,0.25,5.75,0]`, 1e-12, false},
	})
	// A weekly pattern with one spike: the spike is flagged, nothing else.
	var ys []any
	for i := 0; i < 7*6; i++ {
		ys = append(ys, float64(10+(i%7)*3))
	}
	ys[20] = 100.0
	arr := srtD(types.FormatDynamic(ys))
	res := srtRun(t, "series_decompose_anomalies", arr).([]any)
	flags := res[0].([]any)
	for i, f := range flags {
		want := int64(0)
		if i == 20 {
			want = 1
		}
		if f != want {
			t.Errorf("ad_flag[%d] = %v, want %d", i, f, want)
		}
	}
	// baseline = seasonal (per-phase median) + average of the deseasoned
	// series (the spike's excess 72 spread over 42 points).
	base := res[2].([]any)
	if b, _ := srNum(base[21]); math.Abs(b-(float64(10+(21%7)*3)+72.0/42)) > 1e-9 {
		t.Errorf("baseline[21] = %v", b)
	}
	dec := srtRun(t, "series_decompose", arr, int64(7), "none").([]any)
	if len(dec) != 4 {
		t.Fatalf("decompose = %v", dec)
	}
	if r, _ := srNum(dec[3].([]any)[20]); math.Abs(r-(100-float64(10+(20%7)*3))) > 1e-9 {
		t.Errorf("residual[20] = %v", r)
	}
	// Forecast of a line continues it.
	var line []any
	for i := 0; i < 30; i++ {
		line = append(line, float64(2*i+1))
	}
	fc := srtRun(t, "series_decompose_forecast", srtD(types.FormatDynamic(line)), int64(5), int64(0)).([]any)
	if f, _ := srNum(fc[29]); math.Abs(f-59) > 1e-9 {
		t.Errorf("forecast[29] = %v, want 59", f)
	}
}

// Odd arguments must not panic: tiny series, huge periods, negative test
// points, empty arrays.
func TestSeriesEdgeCases(t *testing.T) {
	for _, c := range []struct {
		id   string
		args []any
	}{
		{"series_seasonal", []any{srtD(`[1,2]`)}},
		{"series_seasonal", []any{srtD(`[1,2,3]`), int64(1 << 40)}},
		{"series_seasonal", []any{srtD(`[]`), int64(3)}},
		{"series_decompose", []any{srtD(`[1,2,3]`), int64(-1), "linefit", int64(-5)}},
		{"series_decompose", []any{srtD(`[1,2,3]`), int64(2), "avg", int64(10)}},
		{"series_decompose_anomalies", []any{srtD(`[]`)}},
		{"series_decompose_forecast", []any{srtD(`[1]`), int64(3)}},
		{"series_periods_detect", []any{srtD(`[1,2,3]`), 10.0, 2.0, int64(3)}},
		{"series_periods_validate", []any{srtD(`[1,2,3]`), 0.5, -3.0}},
		{"series_fit_2lines", []any{srtD(`[1]`)}},
		{"series_fit_line", []any{srtD(`[]`)}},
		{"series_outliers", []any{srtD(`[5,5,5]`)}},
		{"series_fft", []any{srtD(`[]`)}},
		{"series_fir", []any{srtD(`[1,2]`), srtD(`[]`)}},
		{"series_stats_dynamic", []any{srtD(`[]`)}},
	} {
		srtRun(t, c.id, c.args...)
	}
	if got := srtRun(t, "series_seasonal", srtD(`[1,2,3]`), int64(1<<40)); types.FormatDynamic(got) != `[0.0,0.0,0.0]` {
		t.Errorf("huge period: %s", types.FormatDynamic(got))
	}
}

// Non-power-of-two lengths (Bluestein) agree with the direct DFT sum.
func TestSeriesFFTAnyLength(t *testing.T) {
	for _, n := range []int{3, 5, 7, 12, 100} {
		x := make([]complex128, n)
		for i := range x {
			x[i] = complex(float64((i*7)%11)-3, float64(i%3))
		}
		got := srDFT(x, -1)
		for k := 0; k < n; k++ {
			var s complex128
			for j := 0; j < n; j++ {
				ang := -2 * math.Pi * float64(j*k%n) / float64(n)
				s += x[j] * complex(math.Cos(ang), math.Sin(ang))
			}
			if d := got[k] - s; math.Hypot(real(d), imag(d)) > 1e-9*float64(n) {
				t.Fatalf("n=%d k=%d: got %v want %v", n, k, got[k], s)
			}
		}
	}
}
