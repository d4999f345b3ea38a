package kernels

import (
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// col builds an array Datum of kind k from boxed values.
func lkCol(mem memory.Allocator, k types.Kind, vals ...any) Datum {
	return Datum{Array: FromValuesMem(mem, k, vals), Kind: k}
}

func lkSc(mem memory.Allocator, k types.Kind, v any) Datum { return ScalarOf(mem, k, v) }

// rows renders every logical row of d as text ("null" for null).
func lkRows(d Datum, n int) []string {
	out := make([]string, d.Len(n))
	for i := range out {
		v := ValueAt(d, i)
		if v == nil {
			out[i] = "null"
		} else {
			out[i] = types.FormatValue(d.Kind, v)
		}
	}
	return out
}

func lkCheck(t *testing.T, what string, d Datum, n int, want string) {
	t.Helper()
	if got := strings.Join(lkRows(d, n), ","); got != want {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func lkCtx(t *testing.T) (*Ctx, *memory.CheckedAllocator) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	return &Ctx{Mem: mem}, mem
}

func TestLift1NullsAndScalars(t *testing.T) {
	ctx, mem := lkCtx(t)
	defer mem.AssertSize(t, 0)
	sqrt := Lift1(types.Real, func(x float64) (float64, bool) {
		if x < 0 {
			return 0, false
		}
		return math.Sqrt(x), true
	})
	in := lkCol(mem, types.Real, 4.0, nil, 2.25, -1.0)
	defer in.Release()
	r, err := sqrt(ctx, []Datum{in}, 4)
	if err != nil {
		t.Fatal(err)
	}
	lkCheck(t, "sqrt", r, 4, "2,null,1.5,null")
	if r.Scalar || r.Kind != types.Real {
		t.Errorf("result scalar=%v kind=%s", r.Scalar, r.Kind)
	}
	r.Release()

	s := lkSc(mem, types.Long, int64(9)) // long widens to real
	defer s.Release()
	r, err = sqrt(ctx, []Datum{s}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Scalar || r.Array.Len() != 1 {
		t.Errorf("scalar in should give scalar out, got scalar=%v len=%d", r.Scalar, r.Array.Len())
	}
	lkCheck(t, "sqrt(scalar)", r, 3, "3,3,3")
	r.Release()
}

func TestLift2WideningAndBroadcast(t *testing.T) {
	ctx, mem := lkCtx(t)
	defer mem.AssertSize(t, 0)
	add := Lift2(types.Long, func(a, b int64) (int64, bool) { return a + b, true })
	ints := lkCol(mem, types.Int, int32(1), int32(2), nil)
	ten := lkSc(mem, types.Long, int64(10))
	defer ints.Release()
	defer ten.Release()
	r, err := add(ctx, []Datum{ints, ten}, 3)
	if err != nil {
		t.Fatal(err)
	}
	lkCheck(t, "int+long", r, 3, "11,12,null")
	r.Release()
	// the other way round
	r, err = add(ctx, []Datum{ten, ints}, 3)
	if err != nil {
		t.Fatal(err)
	}
	lkCheck(t, "long+int", r, 3, "11,12,null")
	r.Release()
	if _, err := add(ctx, []Datum{ten}, 3); err == nil {
		t.Error("wrong argument count accepted")
	}
}

func TestLiftNullAware(t *testing.T) {
	ctx, mem := lkCtx(t)
	defer mem.AssertSize(t, 0)
	isnull := Lift1N(types.Bool, func(_ int64, ok bool) (bool, bool) { return !ok, true })
	in := lkCol(mem, types.DateTime, int64(0), nil)
	defer in.Release()
	r, err := isnull(ctx, []Datum{in}, 2)
	if err != nil {
		t.Fatal(err)
	}
	lkCheck(t, "isnull", r, 2, "false,true")
	r.Release()

	coalesce := LiftNN(types.Long, func(vs []int64, ok []bool) (int64, bool) {
		for i := range vs {
			if ok[i] {
				return vs[i], true
			}
		}
		return 0, false
	})
	a := lkCol(mem, types.Long, nil, int64(2), nil)
	b := lkCol(mem, types.Long, int64(7), int64(8), nil)
	defer a.Release()
	defer b.Release()
	r, err = coalesce(ctx, []Datum{a, b}, 3)
	if err != nil {
		t.Fatal(err)
	}
	lkCheck(t, "coalesce", r, 3, "7,2,null")
	r.Release()

	cat := LiftN(types.String, func(ss []string) (string, bool) { return strings.Join(ss, "|"), true })
	x := lkCol(mem, types.String, "a", nil)
	y := lkCol(mem, types.Long, int64(5), nil) // long reads as tostring; null long is null
	defer x.Release()
	defer y.Release()
	r, err = cat(ctx, []Datum{x, y}, 2)
	if err != nil {
		t.Fatal(err)
	}
	// a null long makes the row null, but a string result is never null: ""
	if got := strings.Join(lkRows(r, 2), ","); got != "a|5," {
		t.Errorf("strcat = %q", got)
	}
	if r.Array.NullN() != 0 {
		t.Errorf("string result has %d nulls", r.Array.NullN())
	}
	r.Release()
}

func TestStringsAccessor(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// dictionary-encoded strings
	bld := array.NewDictionaryBuilder(mem, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String})
	db := bld.(*array.BinaryDictionaryBuilder)
	db.AppendString("x")
	db.AppendString("y")
	db.AppendNull()
	db.AppendString("x")
	dict := db.NewArray()
	bld.Release()
	d := Datum{Array: dict, Kind: types.String}
	g := Strings(d)
	var parts []string
	for i := 0; i < 4; i++ {
		s, ok := g(i)
		if !ok {
			t.Errorf("string row %d null", i)
		}
		parts = append(parts, s)
	}
	if strings.Join(parts, ",") != "x,y,,x" {
		t.Errorf("dictionary strings = %v", parts)
	}
	dict.Release()

	cases := []struct {
		d    Datum
		want []string
	}{
		{lkCol(mem, types.Real, 1.0, 0.5, nil), []string{"1", "0.5", "<null>"}},
		{lkCol(mem, types.DateTime, int64(0)), []string{"1970-01-01T00:00:00.0000000Z"}},
		{lkCol(mem, types.TimeSpan, types.Hour), []string{"01:00:00"}},
		{lkCol(mem, types.Bool, true, nil), []string{"true", "<null>"}},
		{lkCol(mem, types.Dynamic, "x", []any{int64(1), "b"}, nil), []string{"x", `[1,"b"]`, "<null>"}},
		{lkCol(mem, types.Guid, "74be27de-1e4e-49d9-b579-fe0b331d3642", nil), []string{"74be27de-1e4e-49d9-b579-fe0b331d3642", "<null>"}},
	}
	for _, c := range cases {
		g := Strings(c.d)
		for i, w := range c.want {
			s, ok := g(i)
			if !ok {
				s = "<null>"
			}
			if s != w {
				t.Errorf("Strings(%s)[%d] = %q, want %q", c.d.Kind, i, s, w)
			}
		}
		c.d.Release()
	}
}

func TestDynamicAccessors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// stored JSON text, including text that is not JSON (taken as a string)
	b := array.NewStringBuilder(mem)
	b.AppendValues([]string{`{"a":5}`, `12`, `1.5`, `"7"`, `null`, `not json`}, nil)
	b.AppendNull()
	arr := b.NewArray()
	b.Release()
	d := Datum{Array: arr, Kind: types.Dynamic}
	defer d.Release()
	gd := Dynamics(d)
	var got []string
	for i := 0; i < 7; i++ {
		v, ok := gd(i)
		if !ok {
			got = append(got, "null")
			continue
		}
		got = append(got, types.FormatDynamic(v))
	}
	if s := strings.Join(got, " "); s != `{"a":5} 12 1.5 "7" null "not json" null` {
		t.Errorf("Dynamics = %s", s)
	}
	gl := Int64s(d)
	var longs []string
	for i := 0; i < 7; i++ {
		v, ok := gl(i)
		if !ok {
			longs = append(longs, "null")
			continue
		}
		longs = append(longs, types.FormatValue(types.Long, v))
	}
	if s := strings.Join(longs, " "); s != "null 12 1 7 null null null" {
		t.Errorf("Int64s(dynamic) = %s", s)
	}
}

func TestFromValuesRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	bag := &types.Bag{}
	bag.Set("k", "v")
	cases := []struct {
		k    types.Kind
		vals []any
		want string
	}{
		{types.Bool, []any{true, nil, false}, "true,null,false"},
		{types.Int, []any{int32(-3), nil, int64(4)}, "-3,null,4"},
		{types.Long, []any{int64(1) << 40, nil}, "1099511627776,null"},
		{types.Real, []any{math.Inf(-1), nil, 2.5, int64(3)}, "-Infinity,null,2.5,3"},
		{types.String, []any{"a", nil}, "a,"},
		{types.DateTime, []any{int64(86400e9), nil}, "1970-01-02T00:00:00.0000000Z,null"},
		{types.TimeSpan, []any{int64(-90e9)}, "-00:01:30"},
		{types.Guid, []any{"74be27de-1e4e-49d9-b579-fe0b331d3642", nil}, "74be27de-1e4e-49d9-b579-fe0b331d3642,null"},
		{types.Dynamic, []any{bag, nil, []any{1.0}}, `{"k":"v"},null,[1.0]`},
	}
	for _, c := range cases {
		d := Datum{Array: FromValuesMem(mem, c.k, c.vals), Kind: c.k}
		if !arrow.TypeEqual(d.Array.DataType(), ArrowType(c.k)) {
			t.Errorf("%s: arrow type %s", c.k, d.Array.DataType())
		}
		lkCheck(t, "FromValues "+c.k.String(), d, len(c.vals), c.want)
		d.Release()
	}
	if v := ValueAt(Datum{Array: FromValues(types.Int, []any{int32(5)}), Kind: types.Int}, 0); v != int32(5) {
		t.Errorf("ValueAt(int) = %T %v", v, v)
	}
}

func TestInt64sOtherUnits(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"})
	b.Append(1500)
	b.AppendNull()
	arr := b.NewArray()
	b.Release()
	defer arr.Release()
	g := Int64s(Datum{Array: arr, Kind: types.DateTime})
	if v, ok := g(0); !ok || v != 1500*1e6 {
		t.Errorf("ms timestamp = %d %v", v, ok)
	}
	if _, ok := g(1); ok {
		t.Error("null timestamp read as valid")
	}
}

func BenchmarkLift1Float(b *testing.B) {
	const n = 65536
	vals := make([]any, n)
	for i := range vals {
		vals[i] = float64(i)
	}
	in := Datum{Array: FromValues(types.Real, vals), Kind: types.Real}
	defer in.Release()
	k := Lift1(types.Real, func(x float64) (float64, bool) { return math.Sqrt(x), true })
	ctx := &Ctx{Mem: memory.DefaultAllocator}
	b.SetBytes(n * 8)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r, _ := k(ctx, []Datum{in}, n)
		r.Release()
	}
}
