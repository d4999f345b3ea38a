package kernels

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/funcs"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// col describes a test column: kind and values (nil = null).
type col struct {
	kind types.Kind
	vals []any
}

func longs(vs ...any) col         { return col{types.Long, vs} }
func ints(vs ...any) col          { return col{types.Int, vs} }
func reals(vs ...any) col         { return col{types.Real, vs} }
func strs(vs ...any) col          { return col{types.String, vs} }
func bools(vs ...any) col         { return col{types.Bool, vs} }
func dyns(vs ...any) col          { return col{types.Dynamic, vs} }
func dts(vs ...any) col           { return col{types.DateTime, vs} }
func spans(vs ...any) col         { return col{types.TimeSpan, vs} }
func slice(c col, lo, hi int) col { return col{c.kind, c.vals[lo:hi]} }

func (c col) datum(mem memory.Allocator) Datum {
	b := array.NewBuilder(mem, ArrowType(c.kind))
	defer b.Release()
	for _, v := range c.vals {
		appendValue(b, v)
	}
	return Datum{Array: b.NewArray(), Kind: c.kind}
}

func render(a arrow.Array) []string {
	out := make([]string, a.Len())
	for i := range out {
		if a.IsNull(i) {
			out[i] = "null"
			continue
		}
		switch x := a.(type) {
		case *array.String:
			out[i] = x.Value(i)
		case *array.Timestamp:
			out[i] = types.FormatDateTime(int64(x.Value(i)))
		case *array.Duration:
			out[i] = types.FormatTimeSpan(int64(x.Value(i)))
		default:
			out[i] = a.ValueStr(i)
		}
	}
	return out
}

type aggCase struct {
	id     string
	kinds  []types.Kind // defaults to the columns' kinds
	consts []any
	args   []col
	groups []uint32
	ngroup int
	want   []string   // Finish
	cols   [][]string // FinishColumns, when set
}

// runAgg runs the case three ways: one state; two states split at every
// possible row merged (in both orders, with morsel sequences); and checks
// they all give want. The allocator is checked for leaks.
func runAgg(t *testing.T, c aggCase) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	kinds := c.kinds
	if kinds == nil {
		for _, a := range c.args {
			kinds = append(kinds, a.kind)
		}
	}
	ov := funcs.OverloadByID(c.id)
	if ov == nil {
		t.Fatalf("%s: no such overload", c.id)
	}
	result := ov.Result(kinds)
	k, err := Aggregate(c.id)
	if err != nil {
		t.Fatal(err)
	}
	ctx := &Ctx{Context: context.Background(), Mem: mem}
	n := len(c.groups)
	newState := func() AggState {
		st, err := k(ctx, kinds, c.consts, result)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	update := func(st AggState, seq int64, lo, hi int) {
		if q, ok := st.(Sequenced); ok {
			q.SetSeq(seq)
		}
		args := make([]Datum, len(c.args))
		for i, a := range c.args {
			args[i] = slice(a, lo, hi).datum(mem)
		}
		defer func() {
			for _, a := range args {
				a.Release()
			}
		}()
		if err := st.Update(args, c.groups[lo:hi], c.ngroup); err != nil {
			t.Fatalf("%s: Update: %v", c.id, err)
		}
	}
	check := func(how string, st AggState) {
		t.Helper()
		if c.cols != nil {
			ms, ok := st.(MultiAggState)
			if !ok {
				t.Fatalf("%s: not a MultiAggState", c.id)
			}
			arrs, err := ms.FinishColumns(mem, c.ngroup)
			if err != nil {
				t.Fatalf("%s: %v", c.id, err)
			}
			for i, a := range arrs {
				got := render(a)
				a.Release()
				if i >= len(c.cols) || strings.Join(got, "|") != strings.Join(c.cols[i], "|") {
					t.Errorf("%s (%s): column %d = %q, want %q", c.id, how, i, got, c.cols)
				}
			}
			return
		}
		a, err := st.Finish(mem, c.ngroup)
		if err != nil {
			t.Fatalf("%s: Finish: %v", c.id, err)
		}
		got := render(a)
		a.Release()
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s (%s): got %q, want %q", c.id, how, got, c.want)
		}
	}
	one := newState()
	update(one, 0, 0, n)
	check("single", one)
	identity := make([]uint32, c.ngroup)
	for i := range identity {
		identity[i] = uint32(i)
	}
	for split := 0; split <= n; split++ {
		a, b := newState(), newState()
		update(a, 0, 0, split)
		update(b, 1, split, n)
		if err := a.Merge(b, identity, c.ngroup); err != nil {
			t.Fatal(err)
		}
		check(fmt.Sprintf("split %d a<-b", split), a)
		a, b = newState(), newState()
		update(a, 0, 0, split)
		update(b, 1, split, n)
		if err := b.Merge(a, identity, c.ngroup); err != nil {
			t.Fatal(err)
		}
		check(fmt.Sprintf("split %d b<-a", split), b)
	}
}

func TestAggregates(t *testing.T) {
	g := []uint32{0, 1, 0, 1, 0}
	cases := []aggCase{
		{id: "count", groups: g, ngroup: 3, want: []string{"3", "2", "0"}},
		{id: "count_expr", args: []col{longs(1, nil, 3, 4, nil)}, groups: g, ngroup: 2, want: []string{"2", "1"}},
		{id: "count_expr", args: []col{bools(true, false, nil, false, true)}, groups: g, ngroup: 2, want: []string{"2", "0"}},
		{id: "countif", args: []col{bools(true, true, nil, false, true)}, groups: g, ngroup: 2, want: []string{"2", "1"}},
		{id: "sum", args: []col{longs(1, 2, nil, 4, 5)}, groups: g, ngroup: 3, want: []string{"6", "6", "0"}},
		{id: "sum", args: []col{ints(1, 2, nil, 4, 5)}, groups: g, ngroup: 2, want: []string{"6", "6"}},
		{id: "sum", args: []col{reals(1.5, 2.0, nil, 4.0, 5.0)}, groups: g, ngroup: 2, want: []string{"6.5", "6"}},
		{id: "sum", args: []col{spans(int64(1e9), int64(2e9), nil, nil, int64(3e9))}, groups: g, ngroup: 2, want: []string{"00:00:04", "00:00:02"}},
		{id: "sumif", args: []col{longs(1, 2, 3, 4, 5), bools(true, false, true, true, nil)}, groups: g, ngroup: 2, want: []string{"4", "4"}},
		{id: "avg", args: []col{longs(1, 2, nil, 4, 6)}, groups: g, ngroup: 3, want: []string{"3.5", "3", "NaN"}},
		{id: "avg", args: []col{dts(int64(1e18), nil, int64(1e18)+4, nil, nil)}, groups: g, ngroup: 2,
			want: []string{types.FormatDateTime(int64(1e18) + 2), "null"}},
		{id: "avgif", args: []col{reals(1.0, 2.0, 3.0, 4.0, 5.0), bools(true, true, false, false, true)}, groups: g, ngroup: 2, want: []string{"3", "2"}},
		{id: "min", args: []col{longs(5, nil, 3, 7, 9)}, groups: g, ngroup: 3, want: []string{"3", "7", "null"}},
		{id: "max", args: []col{longs(5, nil, 3, 7, 9)}, groups: g, ngroup: 2, want: []string{"9", "7"}},
		{id: "max", args: []col{strs("b", "x", "c", "a", "a")}, groups: g, ngroup: 2, want: []string{"c", "x"}},
		{id: "min", args: []col{reals(2.5, 1.0, -1.0, nil, 3.0)}, groups: g, ngroup: 2, want: []string{"-1", "1"}},
		{id: "max", args: []col{dts(int64(5), int64(1), int64(9), nil, int64(3))}, groups: g, ngroup: 2,
			want: []string{types.FormatDateTime(9), types.FormatDateTime(1)}},
		{id: "minif", args: []col{longs(5, 2, 3, 7, 9), bools(false, true, false, true, true)}, groups: g, ngroup: 2, want: []string{"9", "2"}},
		{id: "maxif", args: []col{longs(5, 2, 3, 7, 9), bools(false, true, false, false, false)}, groups: g, ngroup: 2, want: []string{"null", "2"}},
		{id: "binary_all_and", args: []col{longs(int64(0xFFFFFFFF), int64(0xFFFFF00F), int64(0xCFFFFFFD), int64(0xFAFEFFFF))},
			groups: []uint32{0, 0, 0, 0}, ngroup: 1, want: []string{fmt.Sprint(0xCAFEF00D)}},
		{id: "binary_all_or", args: []col{longs(int64(0x88888008), int64(0x42000000), int64(0x00767000), int64(0x00000005))},
			groups: []uint32{0, 0, 0, 0}, ngroup: 2, want: []string{fmt.Sprint(0xCAFEF00D), "null"}},
		{id: "binary_all_xor", args: []col{longs(int64(0x44404440), int64(0x1E1E1E1E), int64(0x90ABBA09), int64(0x000B105A))},
			groups: []uint32{0, 0, 0, 0}, ngroup: 1, want: []string{fmt.Sprint(0xCAFEF00D)}},
		{id: "variance", args: []col{longs(1, 2, 3, 4, 5)}, groups: []uint32{0, 0, 0, 0, 0}, ngroup: 2, want: []string{"2.5", "0"}},
		{id: "variancep", args: []col{longs(1, 2, 3, 4, 5)}, groups: []uint32{0, 0, 0, 0, 0}, ngroup: 1, want: []string{"2"}},
		{id: "stdevp", args: []col{longs(1, 2, 3, 4, 5)}, groups: []uint32{0, 0, 0, 0, 0}, ngroup: 1, want: []string{"1.4142135623730951"}},
		{id: "stdev", args: []col{longs(1, 2, 3, 4, nil)}, groups: []uint32{0, 0, 0, 0, 0}, ngroup: 1, want: []string{"1.2909944487358056"}},
		{id: "stdevif", args: []col{longs(1, 2, 3, 4, 5), bools(true, false, true, false, true)}, groups: []uint32{0, 0, 0, 0, 0}, ngroup: 1, want: []string{"2"}},
		{id: "dcount", args: []col{strs("a", "b", "a", "b", "c")}, groups: g, ngroup: 3, want: []string{"2", "1", "0"}},
		{id: "dcount", args: []col{longs(1, nil, 1, 2, 3)}, groups: g, ngroup: 2, want: []string{"2", "1"}},
		{id: "dcountif", args: []col{longs(1, 2, 3, 4, 5), bools(true, true, false, true, true)}, groups: g, ngroup: 2, want: []string{"2", "2"}},
		{id: "count_distinct", args: []col{reals(1.0, 1.0, 1.0, 2.0, 2.0)}, groups: g, ngroup: 2, want: []string{"2", "2"}},
		{id: "make_list", args: []col{strs("a", "b", "c", "d", "e")}, groups: g, ngroup: 3, want: []string{`["a","c","e"]`, `["b","d"]`, `[]`}},
		{id: "make_list", args: []col{longs(1, nil, 3, 4, 5), longs(2, 2, 2, 2, 2)}, consts: []any{nil, int64(2)}, groups: g, ngroup: 2,
			want: []string{`[1,3]`, `[4]`}},
		{id: "make_list_with_nulls", args: []col{longs(1, nil, 3, 4, nil)}, groups: g, ngroup: 2, want: []string{`[1,3,null]`, `[null,4]`}},
		{id: "make_list_if", args: []col{strs("John", "Paul", "George", "Ringo", "x"), bools(false, false, true, true, false)},
			groups: []uint32{0, 0, 0, 0, 0}, ngroup: 1, want: []string{`["George","Ringo"]`}},
		{id: "make_list", args: []col{dyns(`{"a":1}`, `[1, 2]`, nil, `"s"`, `null`)}, groups: []uint32{0, 0, 0, 0, 0}, ngroup: 1,
			want: []string{`[{"a":1},[1,2],"s"]`}},
		{id: "make_list", args: []col{dts(int64(0), nil)}, groups: []uint32{0, 0}, ngroup: 1, want: []string{`["1970-01-01T00:00:00.0000000Z"]`}},
		{id: "make_set", args: []col{longs(1, 5, 7, 5, 1)}, groups: []uint32{0, 0, 0, 0, 0}, ngroup: 1, want: []string{`[1,5,7]`}},
		{id: "make_set", args: []col{longs(3, 1, 3, 2, 1)}, groups: []uint32{0, 0, 0, 0, 0}, ngroup: 1, want: []string{`[3,1,2]`}},
		{id: "make_set", args: []col{dyns(`["A1","A2","A3"]`, `["A2","C1"]`, `["C2","A3"]`, `["C2","A1"]`)}, groups: []uint32{0, 0, 0, 0}, ngroup: 1,
			want: []string{`["A1","A2","A3","C1","C2"]`}},
		{id: "make_set_if", args: []col{strs("a", "b", "a", "c"), bools(true, true, true, false)}, groups: []uint32{0, 0, 0, 0}, ngroup: 1,
			want: []string{`["a","b"]`}},
		{id: "make_set", args: []col{longs(1, 2, 3, 4, 5), longs(2, 2, 2, 2, 2)}, consts: []any{nil, int64(2)}, groups: []uint32{0, 0, 0, 0, 0}, ngroup: 1,
			want: []string{`[1,2]`}},
		{id: "make_bag", args: []col{dyns(`{"prop01":"val_a"}`, `{"prop02": "val_b"}`, `{"prop01":"other","prop03":"val_c"}`, `[1]`, nil)},
			groups: []uint32{0, 0, 0, 0, 0}, ngroup: 2, want: []string{`{"prop01":"val_a","prop02":"val_b","prop03":"val_c"}`, `{}`}},
		{id: "make_bag_if", args: []col{dyns(`{"a":1}`, `{"b":2}`, `{"c":3}`), bools(true, false, true)},
			groups: []uint32{0, 0, 0}, ngroup: 1, want: []string{`{"a":1,"c":3}`}},
		{id: "take_any", args: []col{strs("", "x", "y", "z", "w")}, groups: g, ngroup: 3, want: []string{"y", "x", "null"}},
		{id: "take_anyif", args: []col{longs(1, 2, 3, 4, 5), bools(false, false, true, true, true)}, groups: g, ngroup: 2, want: []string{"3", "4"}},
		{id: "percentile", args: []col{longs(5, 1, 4, 2, 3), longs(50, 50, 50, 50, 50)}, consts: []any{nil, int64(50)},
			groups: []uint32{0, 0, 0, 0, 0}, ngroup: 2, want: []string{"3", "null"}},
		{id: "percentile", args: []col{reals(1.0, 2.0, 3.0, 4.0), reals(25.0, 25.0, 25.0, 25.0)}, consts: []any{nil, 25.0},
			groups: []uint32{0, 0, 0, 0}, ngroup: 1, want: []string{"1"}},
		{id: "percentilew", args: []col{reals(1.0, 2.0), longs(1, 2), longs(50, 50)}, consts: []any{nil, nil, int64(50)},
			groups: []uint32{0, 0}, ngroup: 1, want: []string{"2"}},
		{id: "percentiles_array", args: []col{longs(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)}, consts: []any{nil, int64(0), int64(50), int64(100)},
			kinds:  []types.Kind{types.Long, types.Long, types.Long, types.Long},
			groups: []uint32{0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, ngroup: 1, want: []string{`[1,5,10]`}},
		{id: "buildschema", args: []col{dyns(`{"x":1,"y":3.5}`, `{"x":"somevalue","z":[1,2,3]}`, `{"y":{"w":"zzz"},"t":["aa","bb"],"z":["foo"]}`)},
			groups: []uint32{0, 0, 0}, ngroup: 1,
			want: []string{`{"x":["long","string"],"y":["double",{"w":"string"}],"z":{"indexer":["long","string"]},"t":{"indexer":"string"}}`}},
	}
	for _, c := range cases {
		runAgg(t, c)
	}
}

func TestArgMaxMin(t *testing.T) {
	// datatable(Fruit, Color, Version) grouped by Fruit (Apple=0, Banana=1, Pear=2).
	groups := []uint32{0, 0, 1, 1, 2, 2}
	version := ints(1, nil, nil, nil, 1, 2)
	color := strs("Red", "Green", "Yellow", "Green", "Brown", "Green")
	runAgg(t, aggCase{id: "arg_max", args: []col{version, color}, groups: groups, ngroup: 3,
		cols: [][]string{{"1", "null", "2"}, {"Red", "Yellow", "Green"}}})
	runAgg(t, aggCase{id: "arg_min", args: []col{version, color}, groups: groups, ngroup: 3,
		cols: [][]string{{"1", "null", "1"}, {"Red", "Yellow", "Brown"}}})
	// ties keep the first row in input order
	runAgg(t, aggCase{id: "arg_max", args: []col{longs(3, 3, 1), strs("a", "b", "c")}, groups: []uint32{0, 0, 0}, ngroup: 2,
		cols: [][]string{{"3", "null"}, {"a", "null"}}})
	runAgg(t, aggCase{id: "take_any", args: []col{longs(nil, 2, 3), strs("a", "b", "c")}, groups: []uint32{0, 0, 0}, ngroup: 1,
		cols: [][]string{{"null"}, {"a"}}})
	runAgg(t, aggCase{id: "percentiles", args: []col{longs(1, 2, 3, 4), longs(50, 50, 50, 50), longs(100, 100, 100, 100)},
		consts: []any{nil, int64(50), int64(100)}, groups: []uint32{0, 0, 1, 1}, ngroup: 2,
		cols: [][]string{{"1", "3"}, {"2", "4"}}})
}

// TestEmptyInput: summarize without by over no rows finishes one group.
func TestEmptyInput(t *testing.T) {
	want := map[string]string{
		"count": "0", "sum": "0", "avg": "NaN", "min": "null", "max": "null", "stdev": "0", "variance": "0",
		"dcount": "0", "make_list": "[]", "make_set": "[]", "make_bag": "{}", "take_any": "null", "hll": "null",
		"tdigest": "null", "buildschema": "null", "sumif": "0",
	}
	for id, w := range want {
		k := types.Long
		if id == "make_bag" || id == "buildschema" {
			k = types.Dynamic
		}
		kinds := []types.Kind{k}
		if id == "count" {
			kinds = nil
		}
		if id == "sumif" {
			kinds = append(kinds, types.Bool)
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		ag, err := Aggregate(id)
		if err != nil {
			t.Fatal(err)
		}
		st, err := ag(&Ctx{Mem: mem}, kinds, nil, funcs.OverloadByID(id).Result(kinds))
		if err != nil {
			t.Fatal(err)
		}
		a, err := st.Finish(mem, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := render(a)[0]; got != w {
			t.Errorf("%s over no rows = %s, want %s", id, got, w)
		}
		a.Release()
		mem.AssertSize(t, 0)
	}
}

func TestDcountLarge(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const n = 200000
	b := array.NewInt64Builder(mem)
	for i := 0; i < n; i++ {
		b.Append(int64(i % 50000))
	}
	arr := b.NewArray()
	b.Release()
	defer arr.Release()
	groups := make([]uint32, n)
	for acc := int64(0); acc <= 4; acc++ {
		k, _ := Aggregate("dcount")
		st, _ := k(&Ctx{Mem: mem}, []types.Kind{types.Long, types.Long}, []any{nil, acc}, types.Long)
		// two partial states merged
		half := n / 2
		st2, _ := k(&Ctx{Mem: mem}, []types.Kind{types.Long, types.Long}, []any{nil, acc}, types.Long)
		s1 := array.NewSlice(arr, 0, int64(half))
		s2 := array.NewSlice(arr, int64(half), n)
		if err := st.Update([]Datum{{Array: s1, Kind: types.Long}}, groups[:half], 1); err != nil {
			t.Fatal(err)
		}
		if err := st2.Update([]Datum{{Array: s2, Kind: types.Long}}, groups[half:], 1); err != nil {
			t.Fatal(err)
		}
		s1.Release()
		s2.Release()
		if err := st.Merge(st2, []uint32{0}, 1); err != nil {
			t.Fatal(err)
		}
		out, _ := st.Finish(mem, 1)
		got := out.(*array.Int64).Value(0)
		out.Release()
		errPct := 100 * float64(got-50000) / 50000
		if errPct < -4*[]float64{1.6, 0.8, 0.4, 0.28, 0.2}[acc] || errPct > 4*[]float64{1.6, 0.8, 0.4, 0.28, 0.2}[acc] {
			t.Errorf("accuracy %d: dcount = %d, want 50000 ± 4σ", acc, got)
		}
	}
}

func TestHllRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := &Ctx{Mem: mem}
	mk := func(lo, hi int64) string {
		k, _ := Aggregate("hll")
		st, _ := k(ctx, []types.Kind{types.Long}, nil, types.Dynamic)
		b := array.NewInt64Builder(mem)
		for i := lo; i < hi; i++ {
			b.Append(i)
		}
		arr := b.NewArray()
		b.Release()
		groups := make([]uint32, hi-lo)
		if err := st.Update([]Datum{{Array: arr, Kind: types.Long}}, groups, 1); err != nil {
			t.Fatal(err)
		}
		arr.Release()
		out, _ := st.Finish(mem, 1)
		defer out.Release()
		return out.(*array.String).Value(0)
	}
	for _, tc := range []struct {
		a, b   [2]int64
		lo, hi int64
	}{{[2]int64{0, 100}, [2]int64{50, 150}, 150, 150}, {[2]int64{0, 30000}, [2]int64{20000, 60000}, 59000, 61000}} {
		h1, h2 := mk(tc.a[0], tc.a[1]), mk(tc.b[0], tc.b[1])
		k, _ := Aggregate("hll_merge")
		st, _ := k(ctx, []types.Kind{types.Dynamic}, nil, types.Dynamic)
		in := strs(h1, h2).datum(mem)
		in.Kind = types.Dynamic
		if err := st.Update([]Datum{in}, []uint32{0, 0}, 1); err != nil {
			t.Fatal(err)
		}
		in.Release()
		merged, _ := st.Finish(mem, 1)
		cnt, err := dcountHllKernel(ctx, []Datum{{Array: merged, Kind: types.Dynamic}}, 1)
		merged.Release()
		if err != nil {
			t.Fatal(err)
		}
		got := cnt.Array.(*array.Int64).Value(0)
		cnt.Release()
		if got < tc.lo || got > tc.hi {
			t.Errorf("dcount_hll(hll_merge) = %d, want in [%d, %d]", got, tc.lo, tc.hi)
		}
	}
}

func TestTdigest(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := &Ctx{Mem: mem}
	digestOf := func(c col, w *col) string {
		k, _ := Aggregate("tdigest")
		kinds := []types.Kind{c.kind}
		args := []Datum{c.datum(mem)}
		if w != nil {
			kinds = append(kinds, w.kind)
			args = append(args, w.datum(mem))
		}
		st, _ := k(ctx, kinds, nil, types.Dynamic)
		if err := st.Update(args, make([]uint32, len(c.vals)), 1); err != nil {
			t.Fatal(err)
		}
		for _, a := range args {
			a.Release()
		}
		out, _ := st.Finish(mem, 1)
		defer out.Release()
		return out.(*array.String).Value(0)
	}
	pct := func(d string, p float64) string {
		in := strs(d).datum(mem)
		in.Kind, in.Scalar = types.Dynamic, true
		pd := reals(p).datum(mem)
		pd.Scalar = true
		out, err := percentileTdigestKernel(ctx, []Datum{in, pd}, 1)
		in.Release()
		pd.Release()
		if err != nil {
			t.Fatal(err)
		}
		defer out.Release()
		return out.Array.(*array.String).Value(0)
	}
	w := longs(1, 2)
	if got := pct(digestOf(reals(1.0, 2.0), &w), 50); got != "2.0" {
		t.Errorf("weighted P50 = %s, want 2.0", got)
	}
	var xs, ys []any
	for i := int64(1); i <= 10; i++ {
		xs, ys = append(xs, i), append(ys, i+10)
	}
	k, _ := Aggregate("tdigest_merge")
	st, _ := k(ctx, []types.Kind{types.Dynamic}, nil, types.Dynamic)
	in := strs(digestOf(longs(xs...), nil), digestOf(longs(ys...), nil)).datum(mem)
	in.Kind = types.Dynamic
	if err := st.Update([]Datum{in}, []uint32{0, 0}, 1); err != nil {
		t.Fatal(err)
	}
	in.Release()
	merged, _ := st.Finish(mem, 1)
	m := merged.(*array.String).Value(0)
	merged.Release()
	if got := pct(m, 100); got != "20" {
		t.Errorf("P100 of merged = %s, want 20", got)
	}
	if got := pct(m, 50); got != "10" {
		t.Errorf("P50 of merged = %s, want 10", got)
	}
	// large digests are bounded and stay close
	var big []any
	for i := int64(0); i < 100000; i++ {
		big = append(big, i)
	}
	d := digestOf(longs(big...), nil)
	if len(d) > 200000 {
		t.Errorf("digest of 100000 distinct values is %d bytes", len(d))
	}
	if got := pct(d, 50); got < "49970" || got > "50030" || len(got) != 5 {
		t.Errorf("P50 of 0..99999 from digest = %s", got)
	}
}

func TestEveryAggregateHasKernel(t *testing.T) {
	for _, f := range funcs.All() {
		if f.Kind != funcs.Aggregate && f.Kind != funcs.Window {
			continue
		}
		for _, o := range f.Overloads {
			if !HasKernel(o.ID) {
				t.Errorf("%s: no kernel for overload %s", f.Name, o.ID)
			}
		}
	}
}

// TestMultiFinishStruct: Finish of a several-column aggregate is a struct
// array with one field per column, as summarize expects.
func TestMultiFinishStruct(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	k, _ := Aggregate("arg_max")
	kinds := []types.Kind{types.Long, types.String, types.Real}
	st, _ := k(&Ctx{Mem: mem}, kinds, nil, types.Long)
	args := []Datum{longs(1, 9, 4).datum(mem), strs("a", "b", "c").datum(mem), reals(0.5, nil, 2.5).datum(mem)}
	if err := st.Update(args, []uint32{0, 0, 1}, 2); err != nil {
		t.Fatal(err)
	}
	for _, a := range args {
		a.Release()
	}
	out, err := st.Finish(mem, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	s, ok := out.(*array.Struct)
	if !ok || s.NumField() != 3 {
		t.Fatalf("Finish = %s, want a struct of 3 fields", out.DataType())
	}
	got := []string{strings.Join(render(s.Field(0)), ","), strings.Join(render(s.Field(1)), ","), strings.Join(render(s.Field(2)), ",")}
	if want := []string{"9,4", "b,c", "null,2.5"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("fields = %q, want %q", got, want)
	}
}

func TestHllIntersect(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sketch := func(pred func(int64) bool) string {
		k, _ := Aggregate("hll")
		st, _ := k(&Ctx{Mem: mem}, []types.Kind{types.Long}, nil, types.Dynamic)
		var vals []any
		for x := int64(1); x <= 100; x++ {
			if pred(x) {
				vals = append(vals, x)
			} else {
				vals = append(vals, int64(0))
			}
		}
		d := longs(vals...).datum(mem)
		if err := st.Update([]Datum{d}, make([]uint32, len(vals)), 1); err != nil {
			t.Fatal(err)
		}
		d.Release()
		out, _ := st.Finish(mem, 1)
		defer out.Release()
		return out.(*array.String).Value(0)
	}
	even := sketch(func(x int64) bool { return x%2 == 0 })
	mod3 := sketch(func(x int64) bool { return x%3 == 0 })
	mod5 := sketch(func(x int64) bool { return x%5 == 0 })
	for _, c := range []struct {
		in   []string
		want int64
	}{{[]string{even}, 51}, {[]string{even, mod3}, 17}, {[]string{even, mod3, mod5}, 4}} {
		got, err := HllIntersectCount(c.in...)
		if err != nil || got != c.want {
			t.Errorf("HllIntersectCount(%d sketches) = %d, %v; want %d", len(c.in), got, err, c.want)
		}
	}
	if got, _ := HllUnionCount(even, mod3); got != 68 { // 50 + 33 - 16 + the shared 0
		t.Errorf("HllUnionCount(even, mod3) = %d, want 68", got)
	}
}
