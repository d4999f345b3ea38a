package kernels

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/funcs"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// dxtCol builds a column of the given kind from Go values (nil = null):
// strings for string/guid/dynamic, int64 for long, int32 for int, float64,
// bool, int64 nanoseconds for datetime/timespan.
func dxtCol(mem memory.Allocator, kind types.Kind, vals ...any) Datum {
	b := array.NewBuilder(mem, ArrowType(kind))
	defer b.Release()
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
			continue
		}
		switch bb := b.(type) {
		case *array.StringBuilder:
			bb.Append(v.(string))
		case *array.Int64Builder:
			bb.Append(v.(int64))
		case *array.Int32Builder:
			bb.Append(v.(int32))
		case *array.Float64Builder:
			bb.Append(v.(float64))
		case *array.BooleanBuilder:
			bb.Append(v.(bool))
		case *array.TimestampBuilder:
			bb.Append(arrow.Timestamp(v.(int64)))
		case *array.DurationBuilder:
			bb.Append(arrow.Duration(v.(int64)))
		}
	}
	return Datum{Array: b.NewArray(), Kind: kind}
}

// dxtS is a scalar (constant) argument.
func dxtS(mem memory.Allocator, kind types.Kind, v any) Datum {
	d := dxtCol(mem, kind, v)
	d.Scalar = true
	return d
}

// dxtRender renders each row of a result: null as "<null>", strings as is.
func dxtRender(d Datum) []string {
	out := make([]string, d.Array.Len())
	for i := range out {
		if d.Array.IsNull(i) {
			out[i] = "<null>"
			continue
		}
		switch a := d.Array.(type) {
		case *array.String:
			out[i] = a.Value(i)
		case *array.Int64:
			out[i] = strconv.FormatInt(a.Value(i), 10)
		case *array.Float64:
			out[i] = strconv.FormatFloat(a.Value(i), 'g', -1, 64)
		case *array.Boolean:
			out[i] = strconv.FormatBool(a.Value(i))
		case *array.Timestamp:
			out[i] = types.FormatDateTime(int64(a.Value(i)))
		case *array.Duration:
			out[i] = types.FormatTimeSpan(int64(a.Value(i)))
		default:
			out[i] = fmt.Sprint(a)
		}
	}
	return out
}

// dxtRun calls the kernel bound to id with args over n rows, checks the
// result kind against the declaration when possible, and renders the result.
func dxtRun(t *testing.T, mem memory.Allocator, id string, n int, args ...Datum) []string {
	t.Helper()
	k, err := Scalar(id)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	if funcs.OverloadByID(id) == nil {
		t.Fatalf("%s: no declaration", id)
	}
	res, err := k(&Ctx{Mem: mem}, args, n)
	for _, a := range args {
		a.Release()
	}
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	defer res.Release()
	return dxtRender(res)
}

type dxtCase struct {
	name string
	id   string
	n    int
	args func(m memory.Allocator) []Datum
	want []string
}

func dxtCheck(t *testing.T, cases []dxtCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			n := c.n
			if n == 0 {
				n = 1
			}
			got := dxtRun(t, mem, c.id, n, c.args(mem)...)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(c.want, "\n  "))
			}
		})
	}
}

func dxtDyn(m memory.Allocator, vals ...any) Datum { return dxtCol(m, types.Dynamic, vals...) }
func dxtDynS(m memory.Allocator, v any) Datum      { return dxtS(m, types.Dynamic, v) }
func dxtStrS(m memory.Allocator, v string) Datum   { return dxtS(m, types.String, v) }
func dxtLongS(m memory.Allocator, v int64) Datum   { return dxtS(m, types.Long, v) }

func TestMemberIndex(t *testing.T) {
	doc := `{"Operation":"Set-Mailbox","Parameters":[{"Name":"Identity","Value":"bob"},{"Name":"Forward","Value":"x@evil.com"}],"n":1.50,"s":"a\"b","o":{ "k" : [1, 2] }}`
	dxtCheck(t, []dxtCase{
		{"member", "__member", 4, func(m memory.Allocator) []Datum {
			return []Datum{dxtDyn(m, doc, `{"Operation":{"a":1}}`, nil, `[1,2]`), dxtStrS(m, "Operation")}
		}, []string{`"Set-Mailbox"`, `{"a":1}`, "<null>", "<null>"}},
		{"missing key is null", "__member", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, doc), dxtStrS(m, "nope")}
		}, []string{"<null>"}},
		{"escaped string re-encoded", "__member", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, doc), dxtStrS(m, "s")}
		}, []string{`"a\"b"`}},
		{"real canonical", "__member", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, doc), dxtStrS(m, "n")}
		}, []string{`1.5`}},
		{"object compacted", "__member", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, doc), dxtStrS(m, "o")}
		}, []string{`{"k":[1,2]}`}},
		{"index long", "__index_long", 3, func(m memory.Allocator) []Datum {
			return []Datum{dxtDyn(m, `[10,20,30]`, `[10]`, `{"a":1}`), dxtLongS(m, 1)}
		}, []string{"20", "<null>", "<null>"}},
		{"index negative and per-row", "__index_long", 3, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `[10,20,30]`), dxtCol(m, types.Long, int64(-1), int64(-3), int64(-4))}
		}, []string{"30", "10", "<null>"}},
		{"index string", "__index_string", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `{"a b":{"c":true}}`), dxtStrS(m, "a b")}
		}, []string{`{"c":true}`}},
		{"path chain", "__path", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtDyn(m, doc, `{"Parameters":[]}`), dxtStrS(m, "Parameters"), dxtLongS(m, 1), dxtStrS(m, "Value")}
		}, []string{`"x@evil.com"`, "<null>"}},
	})
}

func TestParseJSONAndBags(t *testing.T) {
	dxtCheck(t, []dxtCase{
		{"parse_json string", "parse_json", 4, func(m memory.Allocator) []Datum {
			return []Datum{dxtCol(m, types.String, `{"a":123, "b":"{\"c\":456}"}`, "not json", "", " [1, 2.50] ")}
		}, []string{`{"a":123,"b":"{\"c\":456}"}`, `"not json"`, "<null>", `[1,2.5]`}},
		{"parse_json of dynamic is as is", "parse_json", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtDyn(m, `"{\"c\":456}"`, `{ "a" : [1, 2.50] }`)}
		}, []string{`"{\"c\":456}"`, `{"a":[1,2.5]}`}},
		{"parse_json fast path and lenient forms", "parse_json", 4, func(m memory.Allocator) []Datum {
			return []Datum{dxtCol(m, types.String, `{"a":[1,"x\ty"],"b":{}}`, `{'a':1,}`, `[12345678901234567890]`, `{"a":1`)}
		}, []string{`{"a":[1,"x\ty"],"b":{}}`, `{"a":1}`, `[1.2345678901234567E+19]`, `"{\"a\":1"`}},
		{"parse_json of long", "parse_json", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtLongS(m, 7)}
		}, []string{`7`}},
		{"bag_pack", "bag_pack", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrS(m, "Dest"), dxtCol(m, types.Int, int32(100), nil), dxtStrS(m, "Text"), dxtCol(m, types.String, "Hi", "Hey"),
				dxtStrS(m, "When"), dxtCol(m, types.DateTime, int64(1563148800000000000), nil)}
		}, []string{`{"Dest":100,"Text":"Hi","When":"2019-07-15T00:00:00.0000000Z"}`, `{"Dest":null,"Text":"Hey","When":null}`}},
		{"pack_all ignore empty", "pack_all", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtS(m, types.Bool, true), dxtStrS(m, "Source"), dxtCol(m, types.String, "555", ""), dxtStrS(m, "N"), dxtCol(m, types.Long, int64(46), nil)}
		}, []string{`{"Source":"555","N":46}`, `{}`}},
		{"pack_array", "pack_array", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtLongS(m, 1), dxtStrS(m, "2"), dxtS(m, types.TimeSpan, int64(2*types.Second)), dxtDynS(m, `{"a":[1]}`), dxtS(m, types.Real, 0.5)}
		}, []string{`[1,"2","00:00:02",{"a":[1]},0.5]`}},
		{"bag_keys", "bag_keys", 7, func(m memory.Allocator) []Datum {
			return []Datum{dxtDyn(m, `{"a":"b","c":123}`, `{"a":"b","c":{"d":123}}`, nil, `{}`, `"a"`, `[]`, `null`)}
		}, []string{`["a","c"]`, `["a","c"]`, "<null>", `[]`, "<null>", "<null>", "<null>"}},
		{"bag_merge first wins", "bag_merge", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `{"A1":12,"B1":2,"C1":3}`), dxtDynS(m, `{"A2":81,"B2":82,"A1":1}`)}
		}, []string{`{"A1":12,"B1":2,"C1":3,"A2":81,"B2":82}`}},
		{"bag_remove_keys path", "bag_remove_keys", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `{"key1":123,"key2":{"prop1":"abc","prop2":"xyz"},"key3":[100,200]}`), dxtDynS(m, `["$.key2.prop1","key3"]`)}
		}, []string{`{"key1":123,"key2":{"prop2":"xyz"}}`}},
		{"bag_has_key", "bag_has_key", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDyn(m, `{"key1":123,"key2":{"prop1":"abc"}}`), dxtStrS(m, "$.key2.prop1")}
		}, []string{"true"}},
		{"bag_has_key plain and bracket", "bag_has_key", 3, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `{"key1":123,"key2":{"prop1":"abc"}}`), dxtCol(m, types.String, "key1", "$['key2']['nope']", "key2.prop1")}
		}, []string{"true", "false", "false"}},
		{"bag_set_key nested", "bag_set_key", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `{"a":1}`), dxtStrS(m, "$.b.c"), dxtLongS(m, 5)}
		}, []string{`{"a":1,"b":{"c":5}}`}},
		{"bag_zip", "bag_zip", 4, func(m memory.Allocator) []Datum {
			return []Datum{dxtDyn(m, `["a","b","c"]`, `["a","b","c"]`, `["a",8,"b"]`, `["a",8,"b"]`), dxtDyn(m, `[1,"2",3.4]`, `[1,"2"]`, `[1,"2",2.5]`, `1`)}
		}, []string{`{"a":1,"b":"2","c":3.4}`, `{"a":1,"b":"2","c":null}`, `{"a":1,"b":2.5}`, `{"a":null,"b":null}`}},
		{"dynamic_to_json sorts keys", "dynamic_to_json", 1, func(m memory.Allocator) []Datum {
			return []Datum{dxtDynS(m, `{"Y10":{},"X8":{"c3":1,"d8":5,"a4":6},"D1":114,"A1":12,"A14":[15,13,18]}`)}
		}, []string{`{"A1":12,"A14":[15,13,18],"D1":114,"X8":{"a4":6,"c3":1,"d8":5},"Y10":{}}`}},
		{"treepath", "treepath", 3, func(m memory.Allocator) []Datum {
			return []Datum{dxtDyn(m, `{"a":"b", "c":123}`, `{"prop1":[1,2,3,4], "prop2":"value2"}`, `{"listProperty":[100,200,300,"abcde",{"x":"y"}]}`)}
		}, []string{`["['a']","['c']"]`, `["['prop1']","['prop1'][0]","['prop2']"]`, `["['listProperty']","['listProperty'][0]","['listProperty'][0]['x']"]`}},
		{"extract_json string", "extract_json", 3, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrS(m, "$.name"), dxtCol(m, types.String, `{"name": "John", "age": 30}`, `{"x":1}`, `{"name":{"f":"J"}}`)}
		}, []string{"John", "<null>", `{"f":"J"}`}},
		{"extract_json typed", "extract_json", 2, func(m memory.Allocator) []Datum {
			return []Datum{dxtStrS(m, "$['a'][1]"), dxtCol(m, types.String, `{"a":[1,"42"]}`, `{"a":[1,"x"]}`), dxtS(m, types.Long, nil)}
		}, []string{"42", "<null>"}},
	})
}

func TestJSONPath(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"$", "", true},
		{"$.a.b", "a|b", true},
		{"$['a b'][2].c", "a b|#2|c", true},
		{`$["x"]`, "x", true},
		{"$.", "", false},
		{"a.b", "", false},
		{"$[abc]", "", false},
	} {
		steps, ok := dxParseJSONPath(c.in)
		var parts []string
		for _, s := range steps {
			if s.isIdx {
				parts = append(parts, "#"+strconv.FormatInt(s.index, 10))
			} else {
				parts = append(parts, s.key)
			}
		}
		if ok != c.ok || (ok && strings.Join(parts, "|") != c.want) {
			t.Errorf("%q: got %v %q, want %v %q", c.in, ok, strings.Join(parts, "|"), c.ok, c.want)
		}
	}
}

// TestDynamicFamilyKernelsBound checks that every overload of the dynamic,
// array, set and IP families has a kernel.
func TestDynamicFamilyKernelsBound(t *testing.T) {
	names := []string{"__member", "__index", "__path", "parse_json", "bag_pack", "pack_all", "bag_pack_columns", "pack_array",
		"bag_keys", "bag_merge", "bag_remove_keys", "bag_set_key", "bag_has_key", "bag_zip", "dynamic_to_json", "treepath",
		"extract_json", "array_length", "array_concat", "array_slice", "array_index_of", "array_reverse", "array_rotate_left",
		"array_rotate_right", "array_shift_left", "array_shift_right", "array_sort_asc", "array_sort_desc", "array_split",
		"array_sum", "array_iff", "set_has_element", "set_union", "set_intersect", "set_difference", "jaccard_index", "zip",
		"repeat", "range", "ipv4_is_private", "ipv4_is_in_range", "ipv4_is_in_any_range", "ipv4_is_match", "ipv4_compare",
		"parse_ipv4", "parse_ipv4_mask", "format_ipv4", "format_ipv4_mask", "ipv4_netmask_suffix", "ipv4_range_to_cidr_list",
		"ipv6_compare", "ipv6_is_match", "parse_ipv6", "parse_ipv6_mask", "ipv6_is_in_range", "ipv6_is_in_any_range",
		"has_ipv4", "has_ipv4_prefix", "has_any_ipv4", "has_any_ipv4_prefix"}
	for _, n := range names {
		f := funcs.Lookup(n)
		if f == nil {
			t.Errorf("%s: not declared", n)
			continue
		}
		for _, o := range f.Overloads {
			if !HasKernel(o.ID) {
				t.Errorf("%s: no kernel for overload %s", n, o.ID)
			}
		}
	}
}

// TestDynamicFamilyRobust calls every kernel of the families with columns
// mixing nulls, odd shapes and typical values for each declared argument
// kind: kernels must not panic, must return one row per input row, and
// must not leak.
func TestDynamicFamilyRobust(t *testing.T) {
	samples := map[types.Kind][]any{
		types.Dynamic:  {nil, `[1,"a",null,{"k":[2]}]`, `{"a":{"b":1},"c":[1,2]}`, `"s"`, `3.5`, `null`, `[]`},
		types.String:   {nil, "", "10.1.2.3/8", "$.a.b", "::1", "x y 1.2.3.4 z", "not json {"},
		types.Long:     {nil, int64(0), int64(-1), int64(2), int64(33), int64(1000), int64(-7)},
		types.Int:      {nil, int32(0), int32(-1), int32(2), int32(33), int32(5), int32(-7)},
		types.Bool:     {nil, true, false, true, false, true, false},
		types.Real:     {nil, 0.5, -1.5, 2.0, 1e3, 3.25, -0.0},
		types.DateTime: {nil, int64(0), types.Day, int64(-5), types.Hour, types.Day * 3, int64(1)},
		types.TimeSpan: {nil, types.Hour, -types.Hour, int64(0), 6 * types.Hour, types.Day, 12 * types.Hour},
	}
	const n = 7
	for _, name := range []string{"__member", "__index", "__path", "parse_json", "bag_pack", "pack_array",
		"bag_keys", "bag_merge", "bag_remove_keys", "bag_set_key", "bag_has_key", "bag_zip", "dynamic_to_json", "treepath",
		"extract_json", "array_length", "array_concat", "array_slice", "array_index_of", "array_reverse", "array_rotate_left",
		"array_rotate_right", "array_shift_left", "array_shift_right", "array_sort_asc", "array_sort_desc", "array_split",
		"array_sum", "array_iff", "set_has_element", "set_union", "set_intersect", "set_difference", "jaccard_index", "zip",
		"repeat", "range", "ipv4_is_private", "ipv4_is_in_range", "ipv4_is_in_any_range", "ipv4_is_match", "ipv4_compare",
		"parse_ipv4", "parse_ipv4_mask", "format_ipv4", "format_ipv4_mask", "ipv4_netmask_suffix", "ipv4_range_to_cidr_list",
		"ipv6_compare", "ipv6_is_match", "parse_ipv6", "parse_ipv6_mask", "ipv6_is_in_range", "ipv6_is_in_any_range",
		"has_ipv4", "has_ipv4_prefix", "has_any_ipv4", "has_any_ipv4_prefix"} {
		f := funcs.Lookup(name)
		for _, o := range f.Overloads {
			k, err := Scalar(o.ID)
			if err != nil {
				t.Fatal(err)
			}
			// every kind the first parameters accept, in turn
			for _, pick := range []types.Kind{types.Dynamic, types.String, types.Long, types.Int, types.Bool, types.Real, types.DateTime, types.TimeSpan} {
				nargs := len(o.Args)
				if o.Variadic {
					nargs++
				}
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				args := make([]Datum, nargs)
				for j := range args {
					a := o.Args[min(j, len(o.Args)-1)]
					kind := pick
					if !a.Types.Has(kind) {
						for _, alt := range []types.Kind{types.Dynamic, types.String, types.Long, types.Bool, types.Real, types.DateTime} {
							if a.Types.Has(alt) {
								kind = alt
								break
							}
						}
					}
					vals := samples[kind]
					// rotate so that columns do not line up their nulls
					col := make([]any, n)
					for r := range col {
						col[r] = vals[(r+j)%len(vals)]
					}
					args[j] = dxtCol(mem, kind, col...)
				}
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Errorf("%s with %s arguments: panic %v", o.ID, pick, r)
						}
					}()
					res, err := k(&Ctx{Mem: mem}, args, n)
					if err != nil {
						return
					}
					if res.Array.Len() != n {
						t.Errorf("%s: %d rows, want %d", o.ID, res.Array.Len(), n)
					}
					res.Release()
				}()
				for _, a := range args {
					a.Release()
				}
				mem.AssertSize(t, 0)
			}
		}
	}
}
