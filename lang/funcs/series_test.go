package funcs

import (
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func TestSeriesDeclarations(t *testing.T) {
	cases := []struct {
		name string
		args []types.Kind
		id   string
		res  types.Kind
		bad  bool
	}{
		{"series_add", []types.Kind{types.Dynamic, types.Dynamic}, "series_add", types.Dynamic, false},
		{"series_greater_equals", []types.Kind{types.Dynamic, types.Real}, "series_greater_equals", types.Dynamic, false},
		{"series_subtract", []types.Kind{types.Long, types.Dynamic}, "series_subtract", types.Dynamic, false},
		{"series_dot_product", []types.Kind{types.Dynamic, types.Long}, "series_dot_product", types.Real, false},
		{"series_abs", []types.Kind{types.Dynamic}, "series_abs", types.Dynamic, false},
		{"series_abs", []types.Kind{types.Dynamic, types.Dynamic}, "", types.Unknown, true},
		{"series_fill_const", []types.Kind{types.Dynamic, types.Real}, "series_fill_const", types.Dynamic, false},
		{"series_fill_const", []types.Kind{types.Dynamic}, "", types.Unknown, true},
		{"series_fill_linear", []types.Kind{types.Dynamic, types.Real, types.Bool, types.Long}, "series_fill_linear", types.Dynamic, false},
		{"series_outliers", []types.Kind{types.Dynamic, types.String, types.Long, types.Real, types.Real}, "series_outliers", types.Dynamic, false},
		{"series_periods_validate", []types.Kind{types.Dynamic, types.Real, types.Real, types.Real}, "series_periods_validate", types.Dynamic, false},
		{"series_periods_validate", []types.Kind{types.Dynamic}, "", types.Unknown, true},
		{"series_decompose_anomalies", []types.Kind{types.Dynamic, types.Real, types.Long, types.String, types.Long, types.String, types.Real}, "series_decompose_anomalies", types.Dynamic, false},
		{"series_magnitude", []types.Kind{types.Dynamic}, "series_magnitude", types.Real, false},
		{"series_fft", []types.Kind{types.Dynamic, types.Dynamic}, "series_fft", types.Dynamic, false},
	}
	for _, c := range cases {
		f := Lookup(c.name)
		if f == nil {
			t.Fatalf("%s not registered", c.name)
		}
		o, res, err := f.Match(c.args)
		if c.bad {
			if err == nil {
				t.Errorf("%s%v: matched %s, want an error", c.name, c.args, o.ID)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s%v: %v", c.name, c.args, err)
			continue
		}
		if o.ID != c.id || res != c.res {
			t.Errorf("%s%v = %s → %v, want %s → %v", c.name, c.args, o.ID, res, c.id, c.res)
		}
	}
}

func TestSeriesTupleColumns(t *testing.T) {
	for name, cols := range SeriesTupleColumns {
		f := Lookup(name)
		if f == nil || f.Name != name {
			t.Errorf("%s: not registered", name)
			continue
		}
		if len(cols) < 2 {
			t.Errorf("%s: %d columns", name, len(cols))
		}
		if !strings.Contains(f.Doc, "expanded to columns") {
			t.Errorf("%s: doc does not mention the expansion: %q", name, f.Doc)
		}
	}
	if got := SeriesTupleColumns["series_fit_line"]; strings.Join(got, ",") != "rsquare,slope,variance,rvariance,interception,line_fit" {
		t.Errorf("series_fit_line columns = %v", got)
	}
}
