package funcs

import (
	"testing"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func TestAggregateResultTypes(t *testing.T) {
	L, I, R, D, S, DT, TS, B, Dy := types.Long, types.Int, types.Real, types.Decimal, types.String, types.DateTime, types.TimeSpan, types.Bool, types.Dynamic
	cases := []struct {
		name string
		args []types.Kind
		id   string
		want types.Kind
	}{
		{"count", nil, "count", L},
		{"countif", []types.Kind{B}, "countif", L},
		{"sum", []types.Kind{I}, "sum", L},
		{"sum", []types.Kind{R}, "sum", R},
		{"sum", []types.Kind{TS}, "sum", TS},
		{"sumif", []types.Kind{D, B}, "sumif", D},
		{"avg", []types.Kind{L}, "avg", R},
		{"avg", []types.Kind{DT}, "avg", DT},
		{"min", []types.Kind{S}, "min", S},
		{"max", []types.Kind{DT}, "max", DT},
		{"dcount", []types.Kind{S, I}, "dcount", L},
		{"make_list", []types.Kind{S}, "make_list", Dy},
		{"makeset", []types.Kind{L, L}, "make_set", Dy},
		{"make_bag_if", []types.Kind{Dy, B, I}, "make_bag_if", Dy},
		{"arg_max", []types.Kind{DT, S, L}, "arg_max", DT},
		{"argmin", []types.Kind{L}, "arg_min", L},
		{"take_any", []types.Kind{S, L}, "take_any", S},
		{"percentile", []types.Kind{I, L}, "percentile", L},
		{"percentile", []types.Kind{D, L}, "percentile", R},
		{"percentiles", []types.Kind{TS, L, L}, "percentiles", TS},
		{"percentiles_array", []types.Kind{R, Dy}, "percentiles_array_dynamic", Dy},
		{"stdev", []types.Kind{L}, "stdev", R},
		{"binary_all_xor", []types.Kind{I}, "binary_all_xor", L},
		{"row_cumsum", []types.Kind{I, B}, "row_cumsum", L},
		{"row_number", []types.Kind{L, B}, "row_number", L},
		{"prev", []types.Kind{S, L, S}, "prev", S},
		{"row_window_session", []types.Kind{DT, TS, TS, B}, "row_window_session", DT},
	}
	for _, c := range cases {
		f := Lookup(c.name)
		if f == nil {
			t.Errorf("%s: not declared", c.name)
			continue
		}
		o, k, err := f.Match(c.args)
		if err != nil {
			t.Errorf("%s%v: %v", c.name, c.args, err)
			continue
		}
		if o.ID != c.id || k != c.want {
			t.Errorf("%s%v = %s -> %s, want %s -> %s", c.name, c.args, o.ID, k, c.id, c.want)
		}
	}
	for _, bad := range []struct {
		name string
		args []types.Kind
	}{{"sum", []types.Kind{S}}, {"countif", []types.Kind{S}}, {"make_bag", []types.Kind{L}}, {"row_window_session", []types.Kind{DT}}} {
		if _, _, err := Lookup(bad.name).Match(bad.args); err == nil {
			t.Errorf("%s%v: want a signature error", bad.name, bad.args)
		}
	}
}

func TestMultiResultAndPrefix(t *testing.T) {
	if got := MultiResult("arg_max", []types.Kind{types.Long, types.String}); len(got) != 2 || got[1] != types.String {
		t.Errorf("MultiResult(arg_max) = %v", got)
	}
	if got := MultiResult("percentiles", []types.Kind{types.Int, types.Long, types.Long, types.Long}); len(got) != 3 || got[0] != types.Long {
		t.Errorf("MultiResult(percentiles) = %v", got)
	}
	if got := MultiResult("sum", []types.Kind{types.Long}); got != nil {
		t.Errorf("MultiResult(sum) = %v, want nil", got)
	}
	for name, want := range map[string]string{"make_list": "list", "make_set_if": "set", "sum": "sum", "buildschema": "schema"} {
		if got := AggregateResultPrefix(name); got != want {
			t.Errorf("AggregateResultPrefix(%s) = %s, want %s", name, got, want)
		}
	}
}
