package funcs

import (
	"testing"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func TestH2FamilyResolution(t *testing.T) {
	L, I, R, S, DT, TS, B, N := types.Long, types.Int, types.Real, types.String, types.DateTime, types.TimeSpan, types.Bool, types.Null
	cases := []struct {
		fn   string
		args []types.Kind
		id   string
		res  types.Kind
	}{
		{"bin", []types.Kind{DT, TS}, "bin_datetime", DT},
		{"floor", []types.Kind{R, L}, "bin_real", R},
		{"bin", []types.Kind{L, L}, "bin_long", L},
		{"bin", []types.Kind{I, L}, "bin_long", L},
		{"bin", []types.Kind{TS, TS}, "bin_timespan", TS},
		{"bin_at", []types.Kind{DT, TS, DT}, "bin_at_datetime", DT},
		{"iif", []types.Kind{B, L, R}, "iif_real", R},
		{"iff", []types.Kind{B, S, N}, "iif_string", S},
		{"iif", []types.Kind{B, I, L}, "iif_long", L},
		{"iif", []types.Kind{B, types.Dynamic, types.Dynamic}, "iif_dynamic", types.Dynamic},
		{"case", []types.Kind{B, S, B, S, S}, "case_string", S},
		{"case", []types.Kind{B, L, R}, "case_real", R},
		// Kusto: the common non-dynamic type; dynamic branches convert
		{"case", []types.Kind{B, types.Dynamic, S}, "case_string", S},
		{"case", []types.Kind{B, types.Dynamic, B, S, B, types.Dynamic, S}, "case_string", S},
		{"case", []types.Kind{B, types.Dynamic, L}, "case_long", L},
		{"case", []types.Kind{B, types.Dynamic, N}, "case_dynamic", types.Dynamic},
		{"iff", []types.Kind{B, types.Dynamic, S}, "iif_string", S},
		{"iff", []types.Kind{B, R, types.Dynamic}, "iif_real", R},
		{"coalesce", []types.Kind{N, L, I}, "coalesce_long", L},
		{"max_of", []types.Kind{L, L, L, L}, "max_of_long", L},
		{"min_of", []types.Kind{I, L}, "min_of_long", L},
		{"max_of", []types.Kind{DT, DT}, "max_of_datetime", DT},
		{"round", []types.Kind{R, L}, "round_real", R},
		{"round", []types.Kind{L}, "round_long", L},
		{"ceiling", []types.Kind{L}, "ceiling_long", L},
		{"abs", []types.Kind{TS}, "abs_timespan", TS},
		{"sqrt", []types.Kind{L}, "sqrt_real", R},
		{"rand", nil, "rand", R},
		{"rand", []types.Kind{L}, "rand_long", L},
		{"now", nil, "now", DT},
		{"datetime_add", []types.Kind{S, L, DT}, "datetime_add_string_long_datetime", DT},
		{"datepart", []types.Kind{S, DT}, "datetime_part_string_datetime", I},
		{"make_datetime", []types.Kind{L, L, L}, "make_datetime_numbers", DT},
		{"make_datetime", []types.Kind{L, L, L, L, L, R}, "make_datetime_numbers", DT},
		{"todouble", []types.Kind{S}, "toreal_any", R},
		{"tostring", []types.Kind{types.Dynamic}, "tostring_any", S},
		{"notempty", []types.Kind{S}, "isnotempty_any", B},
		{"binary_and", []types.Kind{L, I}, "binary_and_long_long", L},
	}
	for _, c := range cases {
		f := Lookup(c.fn)
		if f == nil {
			t.Errorf("%s not registered", c.fn)
			continue
		}
		o, rk, err := f.Match(c.args)
		if err != nil {
			t.Errorf("%s%v: %v", c.fn, c.args, err)
			continue
		}
		if o.ID != c.id || rk != c.res {
			t.Errorf("%s%v = %s -> %s, want %s -> %s", c.fn, c.args, o.ID, rk, c.id, c.res)
		}
	}
	bad := []struct {
		fn   string
		args []types.Kind
	}{
		{"iif", []types.Kind{B, S, L}},
		{"case", []types.Kind{B, S}},
		{"case", []types.Kind{B, S, L}},
		{"case", []types.Kind{S, S, S}},
		{"case", []types.Kind{B, types.Dynamic, B, S, L}},
		{"bin", []types.Kind{DT, L}},
		{"max_of", []types.Kind{L}},
		{"datetime_diff", []types.Kind{S, DT}},
	}
	for _, c := range bad {
		if o, _, err := Lookup(c.fn).Match(c.args); err == nil {
			t.Errorf("%s%v matched %s, want error", c.fn, c.args, o.ID)
		}
	}
}
