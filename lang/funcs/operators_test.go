package funcs

import (
	"testing"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

func TestOperatorDeclarations(t *testing.T) {
	cases := []struct {
		name string
		args []types.Kind
		id   string
		res  types.Kind
	}{
		{"__add", []types.Kind{types.Int, types.Int}, "__add_int", types.Int},
		{"__add", []types.Kind{types.Int, types.Long}, "__add_long", types.Long},
		{"__add", []types.Kind{types.Long, types.Decimal}, "__add_decimal", types.Decimal},
		{"__add", []types.Kind{types.Decimal, types.Real}, "__add_real", types.Real},
		{"__add", []types.Kind{types.TimeSpan, types.DateTime}, "__add_timespan_datetime", types.DateTime},
		{"__sub", []types.Kind{types.DateTime, types.TimeSpan}, "__sub_datetime_timespan", types.DateTime},
		{"__div", []types.Kind{types.TimeSpan, types.Real}, "__div_timespan_number", types.TimeSpan},
		{"__mod", []types.Kind{types.Long, types.Int}, "__mod_long", types.Long},
		{"__neg", []types.Kind{types.TimeSpan}, "__neg_timespan", types.TimeSpan},
		{"__ge", []types.Kind{types.Long, types.Real}, "__ge_number", types.Bool},
		{"__eq", []types.Kind{types.Guid, types.String}, "__eq_guid", types.Bool},
		{"__neq", []types.Kind{types.Dynamic, types.Long}, "__neq_dynamic", types.Bool},
		{"__eq_ci", []types.Kind{types.String, types.Dynamic}, "__eq_ci_string", types.Bool},
		{"__notin_ci", []types.Kind{types.String, types.String, types.Dynamic}, "__notin_ci_any", types.Bool},
		{"has_all", []types.Kind{types.String, types.String, types.String}, "has_all_any", types.Bool},
		{"!hasprefix_cs", []types.Kind{types.String, types.String}, "nothasprefix_cs_string", types.Bool},
		{"notcontains", []types.Kind{types.String, types.String}, "notcontains_string", types.Bool},
		{"__notbetween", []types.Kind{types.Int, types.Long, types.Real}, "__notbetween_number", types.Bool},
		{"extract", []types.Kind{types.String, types.Long, types.String}, "extract_string", types.String},
		{"extract", []types.Kind{types.String, types.Long, types.String, types.Int}, "extract_string", types.Int},
		{"strcat", []types.Kind{types.String, types.Long, types.DateTime}, "strcat_variadic", types.String},
		{"split", []types.Kind{types.String, types.String, types.Int}, "split_string", types.Dynamic},
		{"hash", []types.Kind{types.Guid}, "hash_any", types.Long},
		{"tohex", []types.Kind{types.Int, types.Int}, "tohex_long", types.String},
		{"extractall", []types.Kind{types.String, types.String}, "extract_all_string", types.Dynamic},
	}
	for _, c := range cases {
		f := Lookup(c.name)
		if f == nil {
			t.Errorf("%s is not declared", c.name)
			continue
		}
		o, res, err := f.Match(c.args)
		if err != nil {
			t.Errorf("%s%v: %v", c.name, c.args, err)
			continue
		}
		if o.ID != c.id || res != c.res {
			t.Errorf("%s%v → %s:%s, want %s:%s", c.name, c.args, o.ID, res, c.id, c.res)
		}
	}
	for _, bad := range []struct {
		name string
		args []types.Kind
	}{
		{"__add", []types.Kind{types.String, types.String}},
		{"__sub", []types.Kind{types.TimeSpan, types.DateTime}},
		{"strlen", []types.Kind{types.String, types.String}},
		{"strcat_delim", []types.Kind{types.String}},
	} {
		if o, _, err := Lookup(bad.name).Match(bad.args); err == nil {
			t.Errorf("%s%v should not type, got %s", bad.name, bad.args, o.ID)
		}
	}
	for op, want := range map[string]string{"==": OpEq, "<>": OpNeq, "=~": OpEqCI, "has_cs": "has_cs", "matches regex": "matches regex", "notcontains": "!contains", "foo": ""} {
		if got := BinaryOperatorName(op); got != want {
			t.Errorf("BinaryOperatorName(%q) = %q, want %q", op, got, want)
		}
	}
	for op, want := range map[string]string{"in": OpIn, "!in~": OpNotInCI, "has_any": "has_any"} {
		if got := ListOperatorName(op); got != want {
			t.Errorf("ListOperatorName(%q) = %q, want %q", op, got, want)
		}
	}
}
