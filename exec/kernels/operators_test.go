package kernels

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/funcs"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// --- test harness shared by the sx* kernel tests ---------------------------

// sxtCol builds a column Datum of kind k from Go values (nil = null).
func sxtCol(mem memory.Allocator, k types.Kind, vals ...any) Datum {
	b := array.NewBuilder(mem, ArrowType(k))
	defer b.Release()
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
			continue
		}
		switch bb := b.(type) {
		case *array.BooleanBuilder:
			bb.Append(v.(bool))
		case *array.Int32Builder:
			bb.Append(int32(sxtInt(v)))
		case *array.Int64Builder:
			bb.Append(sxtInt(v))
		case *array.Float64Builder:
			bb.Append(v.(float64))
		case *array.TimestampBuilder:
			bb.Append(arrow.Timestamp(sxtInt(v)))
		case *array.DurationBuilder:
			bb.Append(arrow.Duration(sxtInt(v)))
		case *array.StringBuilder:
			bb.Append(v.(string))
		}
	}
	return Datum{Array: b.NewArray(), Kind: k}
}

func sxtInt(v any) int64 {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int64:
		return x
	case int32:
		return int64(x)
	}
	panic(fmt.Sprintf("not an int: %T", v))
}

// sxtSc builds a scalar Datum.
func sxtSc(mem memory.Allocator, k types.Kind, v any) Datum {
	d := sxtCol(mem, k, v)
	d.Scalar = true
	return d
}

// sxtOut decodes a result array into Go values (nil = null).
func sxtOut(d Datum) []any {
	a := d.Array
	out := make([]any, a.Len())
	for i := range out {
		if a.IsNull(i) {
			continue
		}
		switch x := a.(type) {
		case *array.Boolean:
			out[i] = x.Value(i)
		case *array.Int32:
			out[i] = int64(x.Value(i))
		case *array.Int64:
			out[i] = x.Value(i)
		case *array.Float64:
			out[i] = x.Value(i)
		case *array.Timestamp:
			out[i] = int64(x.Value(i))
		case *array.Duration:
			out[i] = int64(x.Value(i))
		case *array.String:
			out[i] = x.Value(i)
		}
	}
	return out
}

// sxtCall runs kernel id over args (released afterwards) with a checked
// allocator and returns the decoded result and its Datum metadata.
func sxtCall(t *testing.T, id string, mk func(mem memory.Allocator) []Datum) ([]any, Datum) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	k, err := Scalar(id)
	if err != nil {
		t.Fatal(err)
	}
	args := mk(mem)
	n := 1
	for _, a := range args {
		if !a.Scalar {
			n = a.Array.Len()
		}
	}
	d, err := k(&Ctx{Mem: mem}, args, n)
	for _, a := range args {
		a.Release()
	}
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	out := sxtOut(d)
	meta := Datum{Scalar: d.Scalar, Kind: d.Kind}
	d.Release()
	return out, meta
}

// sxtOne evaluates a kernel over scalar arguments given as (kind, value) pairs.
func sxtOne(t *testing.T, id string, kv ...any) any {
	t.Helper()
	out, meta := sxtCall(t, id, func(mem memory.Allocator) []Datum {
		var ds []Datum
		for i := 0; i < len(kv); i += 2 {
			ds = append(ds, sxtSc(mem, kv[i].(types.Kind), kv[i+1]))
		}
		return ds
	})
	if !meta.Scalar || len(out) != 1 {
		t.Fatalf("%s: want a scalar result, got %d rows scalar=%v", id, len(out), meta.Scalar)
	}
	return out[0]
}

const (
	tS   = types.String
	tL   = types.Long
	tI   = types.Int
	tR   = types.Real
	tB   = types.Bool
	tDT  = types.DateTime
	tTS  = types.TimeSpan
	tDyn = types.Dynamic
	tG   = types.Guid
)

func sxtEq(t *testing.T, name string, got, want any) {
	t.Helper()
	if f, ok := want.(float64); ok {
		g, ok := got.(float64)
		if ok && (g == f || (math.IsNaN(g) && math.IsNaN(f)) || math.Abs(g-f) < 1e-9*math.Max(1, math.Abs(f))) {
			return
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", name, got, want)
	}
}

// --- registry consistency --------------------------------------------------

func TestSxEveryDeclaredOverloadHasKernel(t *testing.T) {
	mine := []string{"__", "has", "!has", "contains", "!contains", "startswith", "!startswith", "endswith", "!endswith",
		"hasprefix", "!hasprefix", "hassuffix", "!hassuffix", "matches regex",
		"strlen", "string_size", "substring", "tolower", "toupper", "strcat", "split", "replace", "extract", "indexof",
		"countof", "reverse", "trim", "strrep", "strcmp", "translate", "unicode_codepoints", "isascii", "isutf8",
		"parse_command_line", "base64", "url_", "parse_url", "parse_path", "hash", "gzip", "zlib", "new_guid", "tohex"}
	n := 0
	for _, f := range funcs.All() {
		ok := false
		for _, p := range mine {
			if strings.HasPrefix(f.Name, p) {
				ok = true
			}
		}
		if !ok {
			continue
		}
		for _, o := range f.Overloads {
			n++
			if !HasKernel(o.ID) {
				t.Errorf("%s: overload %s has no kernel", f.Name, o.ID)
			}
		}
	}
	if n < 100 {
		t.Errorf("only %d overloads checked", n)
	}
}

func TestSxOperatorTyping(t *testing.T) {
	cases := []struct {
		op   string
		args []types.Kind
		id   string
		res  types.Kind
	}{
		{"__add", []types.Kind{tI, tI}, "__add_int", tI},
		{"__add", []types.Kind{tI, tL}, "__add_long", tL},
		{"__add", []types.Kind{tL, tR}, "__add_real", tR},
		{"__add", []types.Kind{tDT, tTS}, "__add_datetime_timespan", tDT},
		{"__sub", []types.Kind{tDT, tDT}, "__sub_datetime_datetime", tTS},
		{"__mul", []types.Kind{tTS, tL}, "__mul_timespan_number", tTS},
		{"__mul", []types.Kind{tL, tTS}, "__mul_number_timespan", tTS},
		{"__div", []types.Kind{tTS, tTS}, "__div_timespan_timespan", tR},
		{"__div", []types.Kind{tTS, tI}, "__div_timespan_number", tTS},
		{"__eq", []types.Kind{tI, tR}, "__eq_number", tB},
		{"__eq", []types.Kind{tS, tS}, "__eq_string", tB},
		{"__eq", []types.Kind{tDyn, tS}, "__eq_dynamic", tB},
		{"__lt", []types.Kind{tDT, tDT}, "__lt_datetime", tB},
		{"has", []types.Kind{tS, tS}, "has_string", tB},
		{"!contains_cs", []types.Kind{tS, tS}, "notcontains_cs_string", tB},
		{"matches regex", []types.Kind{tS, tS}, "matches_regex_string", tB},
		{"__in", []types.Kind{tS, tS, tS, tS}, "__in_any", tB},
		{"__between", []types.Kind{tDT, tDT, tTS}, "__between_datetime_timespan", tB},
	}
	for _, c := range cases {
		f := funcs.Lookup(c.op)
		if f == nil {
			t.Errorf("%s not declared", c.op)
			continue
		}
		o, res, err := f.Match(c.args)
		if err != nil {
			t.Errorf("%s%v: %v", c.op, c.args, err)
			continue
		}
		if o.ID != c.id || res != c.res {
			t.Errorf("%s%v = %s → %s, want %s → %s", c.op, c.args, o.ID, res, c.id, c.res)
		}
	}
	if _, _, err := funcs.Lookup("__add").Match([]types.Kind{tS, tL}); err == nil {
		t.Error("string + long should not type")
	}
	if got := funcs.BinaryOperatorName("!hasprefix_cs"); got != "!hasprefix_cs" {
		t.Errorf("BinaryOperatorName = %q", got)
	}
}

// --- arithmetic ------------------------------------------------------------

func TestSxArithmetic(t *testing.T) {
	const sec = int64(1e9)
	cases := []struct {
		id   string
		args []any
		want any
	}{
		{"__add_long", []any{tL, 2, tL, 3}, int64(5)},
		{"__add_int", []any{tI, math.MaxInt32, tI, 1}, int64(math.MinInt32)},
		{"__sub_long", []any{tL, 2, tL, 3}, int64(-1)},
		{"__mul_long", []any{tL, 6, tL, 7}, int64(42)},
		{"__div_long", []any{tL, 7, tL, 2}, int64(3)},
		{"__div_long", []any{tL, -7, tL, 2}, int64(-3)},
		{"__div_long", []any{tL, 1, tL, 0}, nil},
		{"__div_real", []any{tR, 1.0, tR, 0.0}, math.Inf(1)},
		{"__div_real", []any{tR, 1.0, tR, 2.0}, 0.5},
		{"__mod_long", []any{tL, 14, tL, 12}, int64(2)},
		{"__mod_long", []any{tL, -14, tL, 12}, int64(10)},
		{"__mod_long", []any{tL, 14, tL, -12}, int64(2)},
		{"__mod_long", []any{tL, -14, tL, -12}, int64(10)},
		{"__mod_long", []any{tL, 3, tL, 0}, nil},
		{"__mod_real", []any{tR, -1.5, tR, 1.0}, 0.5},
		{"__add_long", []any{tL, nil, tL, 10}, nil},
		// datetime arithmetic: (dt - epoch) / 1s, epoch + t * 1sec
		{"__div_timespan_timespan", []any{tTS, 1546897531 * sec, tTS, sec}, 1546897531.0},
		{"__mul_number_timespan", []any{tL, 1546897531, tTS, sec}, 1546897531 * sec},
		{"__mul_timespan_number", []any{tTS, sec, tR, 1.5}, 1500 * int64(1e6)},
		{"__div_timespan_number", []any{tTS, 3 * sec, tL, 2}, 1500 * int64(1e6)},
		{"__sub_datetime_datetime", []any{tDT, 10 * sec, tDT, 4 * sec}, 6 * sec},
		{"__add_datetime_timespan", []any{tDT, 10 * sec, tTS, -4 * sec}, 6 * sec},
		{"__neg_long", []any{tL, 5}, int64(-5)},
		{"__neg_real", []any{tR, 2.5}, -2.5},
		{"__neg_timespan", []any{tTS, sec}, -sec},
	}
	for _, c := range cases {
		sxtEq(t, fmt.Sprint(c.id, c.args), sxtOne(t, c.id, c.args...), c.want)
	}
}

func TestSxArithmeticColumns(t *testing.T) {
	// datatable(val:int)[5, int(null)] | extend Add = val + 10, Multiply = val * 10
	out, meta := sxtCall(t, "__add_long", func(mem memory.Allocator) []Datum {
		return []Datum{sxtCol(mem, tI, 5, nil), sxtSc(mem, tL, 10)}
	})
	sxtEq(t, "val+10", out, []any{int64(15), nil})
	if meta.Scalar || meta.Kind != tL {
		t.Errorf("meta = %+v", meta)
	}
	out, _ = sxtCall(t, "__mul_long", func(mem memory.Allocator) []Datum {
		return []Datum{sxtCol(mem, tI, 5, nil), sxtSc(mem, tL, 10)}
	})
	sxtEq(t, "val*10", out, []any{int64(50), nil})
}

// --- comparison and logic --------------------------------------------------

func TestSxComparison(t *testing.T) {
	// datatable(val:int)[5, int(null)]: val > 3, val == int(null), val != int(null)
	out, _ := sxtCall(t, "__gt_number", func(mem memory.Allocator) []Datum {
		return []Datum{sxtCol(mem, tI, 5, nil), sxtSc(mem, tL, 3)}
	})
	sxtEq(t, "val > 3", out, []any{true, nil})
	out, _ = sxtCall(t, "__eq_number", func(mem memory.Allocator) []Datum {
		return []Datum{sxtCol(mem, tI, 5, nil), sxtSc(mem, tI, nil)}
	})
	sxtEq(t, "val == null", out, []any{false, nil})
	out, _ = sxtCall(t, "__neq_number", func(mem memory.Allocator) []Datum {
		return []Datum{sxtCol(mem, tI, 5, nil), sxtSc(mem, tI, nil)}
	})
	sxtEq(t, "val != null", out, []any{true, nil})
	out, _ = sxtCall(t, "__gt_number", func(mem memory.Allocator) []Datum {
		return []Datum{sxtCol(mem, tL, 1, 5, 9), sxtSc(mem, tL, 4)}
	})
	sxtEq(t, "fast path", out, []any{false, true, true})

	cases := []struct {
		id   string
		args []any
		want any
	}{
		{"__eq_number", []any{tI, 1, tR, 1.0}, true},
		{"__lt_number", []any{tL, 2, tR, 2.5}, true},
		{"__ge_number", []any{tR, math.NaN(), tR, 1.0}, false},
		{"__eq_string", []any{tS, "abc", tS, "ABC"}, false},
		{"__eq_ci_string", []any{tS, "abc", tS, "ABC"}, true},
		{"__neq_ci_string", []any{tS, "abc", tS, "ABD"}, true},
		{"__eq_ci_string", []any{tS, "STRASSE", tS, "strasse"}, true},
		{"__eq_ci_string", []any{tS, "ÄBC", tS, "äbc"}, true},
		{"__lt_string", []any{tS, "a", tS, "b"}, true},
		{"__gt_string", []any{tS, "a", tS, "B"}, true},
		{"__eq_string", []any{tS, "", tS, ""}, true},
		{"__lt_datetime", []any{tDT, 1, tDT, 2}, true},
		{"__eq_bool", []any{tB, true, tB, true}, true},
		{"__lt_bool", []any{tB, false, tB, true}, true},
		{"__eq_guid", []any{tG, "ae3133f2-6e22-49ae-b06a-16e6a9b212eb", tS, "AE3133F2-6E22-49AE-B06A-16E6A9B212EB"}, true},
		{"__eq_dynamic", []any{tDyn, `"a"`, tS, "a"}, true},
		{"__eq_dynamic", []any{tDyn, `1`, tR, 1.0}, true},
		{"__neq_dynamic", []any{tDyn, `[1,2]`, tDyn, `[1, 2]`}, false},
		{"__eq_dynamic", []any{tDyn, `null`, tS, "a"}, false},
		{"__eq_dynamic", []any{tDyn, `null`, tDyn, nil}, nil},
		{"__and_bool", []any{tB, nil, tB, false}, false},
		{"__and_bool", []any{tB, nil, tB, true}, nil},
		{"__or_bool", []any{tB, nil, tB, true}, true},
		{"__or_bool", []any{tB, nil, tB, false}, nil},
		{"__or_bool", []any{tB, false, tB, false}, false},
	}
	for _, c := range cases {
		sxtEq(t, fmt.Sprint(c.id, c.args), sxtOne(t, c.id, c.args...), c.want)
	}
}

func TestSxBetweenAndIn(t *testing.T) {
	// range x from 1 to 100 | where x between (50 .. 55)
	var xs []any
	for i := 1; i <= 100; i++ {
		xs = append(xs, i)
	}
	out, _ := sxtCall(t, "__between_number", func(mem memory.Allocator) []Datum {
		return []Datum{sxtCol(mem, tL, xs...), sxtSc(mem, tL, 50), sxtSc(mem, tL, 55)}
	})
	var got []int
	for i, v := range out {
		if v == true {
			got = append(got, i+1)
		}
	}
	sxtEq(t, "between", got, []int{50, 51, 52, 53, 54, 55})
	sxtEq(t, "dt between (lo .. span)", sxtOne(t, "__between_datetime_timespan", tDT, 15, tDT, 10, tTS, 5), true)
	sxtEq(t, "!between", sxtOne(t, "__notbetween_number", tR, 1.5, tL, 1, tL, 2), false)

	out, _ = sxtCall(t, "__in_any", func(mem memory.Allocator) []Datum {
		return []Datum{sxtCol(mem, tS, "a", "B", "c"), sxtSc(mem, tS, "a"), sxtSc(mem, tS, "b"), sxtSc(mem, tDyn, `["c"]`)}
	})
	sxtEq(t, "in", out, []any{true, false, true})
	out, _ = sxtCall(t, "__in_ci_any", func(mem memory.Allocator) []Datum {
		return []Datum{sxtCol(mem, tS, "a", "B", "d"), sxtSc(mem, tS, "A"), sxtSc(mem, tS, "b")}
	})
	sxtEq(t, "in~", out, []any{true, true, false})
	out, _ = sxtCall(t, "__notin_any", func(mem memory.Allocator) []Datum {
		return []Datum{sxtCol(mem, tL, 1, 2, 3, nil), sxtSc(mem, tL, 2), sxtSc(mem, tDyn, `[3.0]`)}
	})
	sxtEq(t, "!in", out, []any{true, false, false, true})
	out, _ = sxtCall(t, "__in_any", func(mem memory.Allocator) []Datum {
		return []Datum{sxtCol(mem, tL, 1, 2), sxtCol(mem, tL, 1, 3)}
	})
	sxtEq(t, "in per row", out, []any{true, false})
}

// --- string operators --------------------------------------------------------

func TestSxStringOperators(t *testing.T) {
	const kusto = "Kusto: ad67d136-c1db-4f9f-88ef-d94f3b6b0b5a;KustoExplorerQueryRun"
	cases := []struct {
		op      string
		s, p    string
		want    bool
		comment string
	}{
		{"has", kusto, "kusto", true, "term, case-insensitive"},
		{"has", kusto, "KustoExplorerQueryRun", true, ""},
		{"has", kusto, "Explorer", false, "not a whole term"},
		{"has", kusto, "c1db-4f9f", true, "phrase with separators"},
		{"has", kusto, "1db-4f9f", false, "phrase must start a term"},
		{"has", "North America", "america", true, ""},
		{"has", "10.0.0.1 login", "10.0.0.1", true, ""},
		{"has", "110.0.0.12", "10.0.0.1", false, ""},
		{"has", "a.b", ".b", true, "non-alnum start needs no boundary"},
		{"has_cs", "North America", "america", false, ""},
		{"has_cs", "North America", "America", true, ""},
		{"!has", "North America", "amer", true, ""},
		{"hasprefix", "North America", "amer", true, ""},
		{"hasprefix", "North America", "rth", false, ""},
		{"hassuffix", "North America", "rth", true, ""},
		{"hassuffix", "North America", "nor", false, ""},
		{"hasprefix_cs", "North America", "Amer", true, ""},
		{"!hassuffix_cs", "North America", "ICA", true, ""},
		{"contains", "FabriKam", "BRIK", true, ""},
		{"contains", "Straße", "STRASSE", false, "no full case folding"},
		{"contains", "ÄÖÜ", "äö", true, "Unicode lower-casing"},
		{"contains_cs", "FabriKam", "BRIK", false, ""},
		{"!contains", "FabriKam", "xyz", true, ""},
		{"!contains_cs", "FabriKam", "Kam", false, ""},
		{"startswith", "Fabrikam", "FAB", true, ""},
		{"startswith_cs", "Fabrikam", "fab", false, ""},
		{"!startswith", "Fabrikam", "kam", true, ""},
		{"endswith", "Fabrikam", "KAM", true, ""},
		{"endswith_cs", "Fabrikam", "Kam", false, ""},
		{"!endswith_cs", "Fabrikam", "kam", false, ""},
		{"contains", "", "", true, ""},
		{"matches regex", "Fabrikam", "b.*k", true, ""},
		{"matches regex", "Fabrikam", "^k", false, ""},
		{"matches regex", "Fabrikam", "(?i)^FAB", true, ""},
	}
	for _, c := range cases {
		id := strings.ReplaceAll(strings.ReplaceAll(c.op, "!", "not"), " ", "_") + "_string"
		got := sxtOne(t, id, tS, c.s, tS, c.p)
		sxtEq(t, fmt.Sprintf("%q %s %q (%s)", c.s, c.op, c.p, c.comment), got, c.want)
	}
	// non-string sources convert with tostring
	sxtEq(t, "long has", sxtOne(t, "has_string", tL, 12345, tS, "12345"), true)
	sxtEq(t, "dynamic has", sxtOne(t, "has_string", tDyn, `{"a":"Hello World"}`, tS, "world"), true)
	sxtEq(t, "dynamic string ==", sxtOne(t, "contains_string", tDyn, `"abc"`, tS, `"`), false)
	sxtEq(t, "dynamic escaped string", sxtOne(t, "__eq_string", tDyn, `"a\"b"`, tS, `a"b`), true)
	sxtEq(t, "dynamic null", sxtOne(t, "__eq_string", tDyn, `null`, tS, ``), true)
	sxtEq(t, "dynamic malformed", sxtOne(t, "has_string", tDyn, `"`, tS, `x`), false)
	if _, err := Scalar("matches_regex_string"); err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	k, _ := Scalar("matches_regex_string")
	l, r := sxtSc(mem, tS, "x"), sxtSc(mem, tS, "(")
	if _, err := k(&Ctx{Mem: mem}, []Datum{l, r}, 1); err == nil {
		t.Error("invalid regex: want an error")
	}
	l.Release()
	r.Release()
	mem.AssertSize(t, 0)
}

func TestSxStringOperatorsColumns(t *testing.T) {
	vals := []any{"Hello World", "hello", nil, "say HELLO!", "helloworld"}
	for _, c := range []struct {
		id   string
		want []any
	}{
		{"has_string", []any{true, true, false, true, false}},
		{"contains_string", []any{true, true, false, true, true}},
		{"__eq_string", []any{false, true, false, false, false}},
		{"__eq_ci_string", []any{false, true, false, false, false}},
		{"startswith_string", []any{true, true, false, false, true}},
	} {
		out, _ := sxtCall(t, c.id, func(mem memory.Allocator) []Datum {
			return []Datum{sxtCol(mem, tS, vals...), sxtSc(mem, tS, "HELLO")}
		})
		if c.id == "__eq_string" {
			c.want = []any{false, false, false, false, false}
		}
		sxtEq(t, c.id, out, c.want)
	}
	// dictionary-encoded column
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	db := array.NewDictionaryBuilder(mem, dt).(*array.BinaryDictionaryBuilder)
	for _, s := range []string{"Login failed", "ok", "login FAILED", "ok"} {
		if err := db.AppendString(s); err != nil {
			t.Fatal(err)
		}
	}
	db.AppendNull()
	col := db.NewArray()
	db.Release()
	pat := sxtSc(mem, tS, "failed")
	k, _ := Scalar("has_string")
	d, err := k(&Ctx{Mem: mem}, []Datum{{Array: col, Kind: tS}, pat}, 5)
	if err != nil {
		t.Fatal(err)
	}
	sxtEq(t, "dictionary has", sxtOut(d), []any{true, false, true, false, false})
	d.Release()
	col.Release()
	pat.Release()
}

func TestSxHasAnyAll(t *testing.T) {
	vals := []any{"User logged in from 10.1.2.3", "New-InboxRule created", "nothing here", "LOGGED"}
	out, _ := sxtCall(t, "has_any_any", func(mem memory.Allocator) []Datum {
		return []Datum{sxtCol(mem, tS, vals...), sxtSc(mem, tDyn, `["logged","inboxrule"]`), sxtSc(mem, tS, "10.1.2.3")}
	})
	sxtEq(t, "has_any", out, []any{true, true, false, true})
	out, _ = sxtCall(t, "has_any_any", func(mem memory.Allocator) []Datum {
		return []Datum{sxtCol(mem, tS, vals...), sxtSc(mem, tS, "new-inboxrule")}
	})
	sxtEq(t, "has_any phrase", out, []any{false, true, false, false})
	out, _ = sxtCall(t, "has_all_any", func(mem memory.Allocator) []Datum {
		return []Datum{sxtCol(mem, tS, vals...), sxtSc(mem, tS, "logged"), sxtSc(mem, tS, "USER"), sxtSc(mem, tS, "10.1.2.3")}
	})
	sxtEq(t, "has_all", out, []any{true, false, false, false})
	out, _ = sxtCall(t, "has_all_any", func(mem memory.Allocator) []Datum {
		return []Datum{sxtCol(mem, tS, vals...), sxtSc(mem, tDyn, `[]`)}
	})
	sxtEq(t, "has_all of nothing", out, []any{true, true, true, true})
}

func TestSxFormatting(t *testing.T) {
	for _, c := range []struct {
		ns   int64
		want string
	}{
		{0, "00:00:00"},
		{3 * 3600e9, "03:00:00"},
		{86400e9 + 1e9 + 500e6, "1.00:00:01.5000000"},
		{-1e9, "-00:00:01"},
	} {
		sxtEq(t, "timespan", sxFormatTimespan(c.ns), c.want)
	}
	sxtEq(t, "real", sxToString(123.45, tR), "123.45")
	sxtEq(t, "real big", sxToString(1e20, tR), "1E+20")
	v, err := sxParseJSON(`{"b":1,"a":[1.5,"x",null,true]}`)
	if err != nil {
		t.Fatal(err)
	}
	sxtEq(t, "json round trip", string(sxFormatJSON(nil, v)), `{"b":1,"a":[1.5,"x",null,true]}`)
}

// --- benchmarks ------------------------------------------------------------

// sxtBenchColumn builds 1M seeded log-like strings.
func sxtBenchColumn(mem memory.Allocator) (Datum, int64) {
	words := []string{"user", "login", "failed", "Success", "mailbox", "InboxRule", "10.0.0.1", "admin@contoso.com", "New-InboxRule", "ExchangeAdmin", "token", "refresh"}
	b := array.NewStringBuilder(mem)
	defer b.Release()
	var size int64
	seed := uint64(42)
	for i := 0; i < 1<<20; i++ {
		var sb strings.Builder
		for w := 0; w < 6; w++ {
			seed = seed*6364136223846793005 + 1442695040888963407
			if w > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(words[(seed>>33)%uint64(len(words))])
		}
		s := sb.String()
		size += int64(len(s))
		b.Append(s)
	}
	return Datum{Array: b.NewArray(), Kind: types.String}, size
}

func benchmarkSxStringOp(b *testing.B, id, pattern string) {
	mem := memory.NewGoAllocator()
	col, size := sxtBenchColumn(mem)
	defer col.Release()
	pat := sxtSc(mem, types.String, pattern)
	defer pat.Release()
	k, err := Scalar(id)
	if err != nil {
		b.Fatal(err)
	}
	ctx := &Ctx{Mem: mem}
	n := col.Array.Len()
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := k(ctx, []Datum{col, pat}, n)
		if err != nil {
			b.Fatal(err)
		}
		d.Release()
	}
}

func BenchmarkSxHas(b *testing.B)        { benchmarkSxStringOp(b, "has_string", "inboxrule") }
func BenchmarkSxHasCS(b *testing.B)      { benchmarkSxStringOp(b, "has_cs_string", "InboxRule") }
func BenchmarkSxHasPhrase(b *testing.B)  { benchmarkSxStringOp(b, "has_string", "10.0.0.1") }
func BenchmarkSxContains(b *testing.B)   { benchmarkSxStringOp(b, "contains_string", "INBOX") }
func BenchmarkSxContainsCS(b *testing.B) { benchmarkSxStringOp(b, "contains_cs_string", "Inbox") }
func BenchmarkSxEq(b *testing.B)         { benchmarkSxStringOp(b, "__eq_string", "user login failed") }
func BenchmarkSxEqCI(b *testing.B)       { benchmarkSxStringOp(b, "__eq_ci_string", "USER login failed") }
func BenchmarkSxStartswith(b *testing.B) { benchmarkSxStringOp(b, "startswith_string", "USER") }
