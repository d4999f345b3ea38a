package funcs

import (
	"testing"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func TestDynamicFamilyResolve(t *testing.T) {
	D, S, L, B, I := types.Dynamic, types.String, types.Long, types.Bool, types.Int
	for _, c := range []struct {
		name string
		args []types.Kind
		id   string // "" = error expected
		res  types.Kind
	}{
		{"bag_pack", []types.Kind{S, L, S, D}, "bag_pack", D},
		{"pack", []types.Kind{S, L, S}, "", 0},
		{"bag_pack", []types.Kind{L, L}, "", 0},
		{"pack_dictionary", []types.Kind{S, types.DateTime}, "bag_pack", D},
		{"array_sort_asc", []types.Kind{D}, "array_sort_asc", D},
		{"array_sort_desc", []types.Kind{D, D, B}, "array_sort_desc", D},
		{"array_sort_asc", []types.Kind{B}, "", 0},
		{"array_sort_asc", []types.Kind{D, S}, "", 0},
		{"extract_json", []types.Kind{S, S}, "extract_json", S},
		{"extractjson", []types.Kind{S, S, L}, "extract_json", L},
		{"extract_json", []types.Kind{S}, "", 0},
		{"parse_json", []types.Kind{S}, "parse_json", D},
		{"todynamic", []types.Kind{D}, "parse_json", D},
		{"parsejson", []types.Kind{S}, "parse_json", D},
		{"array_length", []types.Kind{D}, "array_length", L},
		{"array_length", []types.Kind{S}, "", 0},
		{"array_slice", []types.Kind{D, I, L}, "array_slice", D},
		{"array_index_of", []types.Kind{D, S, L, L, L}, "array_index_of", L},
		{"array_iif", []types.Kind{D, D, D}, "array_iff", D},
		{"range", []types.Kind{types.TimeSpan, types.TimeSpan}, "range", D},
		{"range", []types.Kind{types.DateTime, types.DateTime, types.TimeSpan}, "range", D},
		{"pack_all", nil, "pack_all", D},
		{"pack_all", []types.Kind{B}, "pack_all", D},
		{"bag_pack_columns", []types.Kind{S, L}, "bag_pack_columns", D},
		{"pack_array", nil, "pack_array", D},
		{"__index", []types.Kind{D, L}, "__index_long", D},
		{"__index", []types.Kind{D, S}, "__index_string", D},
		{"__member", []types.Kind{D, S}, "__member", D},
		{"__path", []types.Kind{D, S, L, S}, "__path", D},
		{"ipv4_is_in_any_range", []types.Kind{S, S, S}, "ipv4_is_in_any_range", B},
		{"ipv4_is_in_any_range", []types.Kind{S, D}, "ipv4_is_in_any_range", B},
		{"format_ipv4", []types.Kind{L}, "format_ipv4", S},
		{"ipv6_compare", []types.Kind{S, S, I}, "ipv6_compare", L},
		{"has_any_ipv4_prefix", []types.Kind{S, D}, "has_any_ipv4_prefix", B},
		{"parse_ipv4", []types.Kind{L}, "", 0},
	} {
		f := Lookup(c.name)
		if f == nil {
			t.Errorf("%s: not declared", c.name)
			continue
		}
		o, res, err := f.Match(c.args)
		if c.id == "" {
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
			t.Errorf("%s%v: got %s -> %s, want %s -> %s", c.name, c.args, o.ID, res, c.id, c.res)
		}
	}
}
