package kernels

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

type winCase struct {
	id     string
	consts []any
	args   []col
	scalar []bool // which args are scalars (length-1 columns)
	want   string // rendered values joined by |
}

// runWin evaluates the case as one batch (scalar kernel) and as batches of
// every size through a WindowState, and checks both.
func runWin(t *testing.T, c winCase) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := &Ctx{Context: context.Background(), Mem: mem, Consts: c.consts}
	n := 0
	for i, a := range c.args {
		if i >= len(c.scalar) || !c.scalar[i] {
			n = len(a.vals)
		}
	}
	eval := func(st WindowState, lo, hi int) []string {
		args := make([]Datum, len(c.args))
		for i, a := range c.args {
			if i < len(c.scalar) && c.scalar[i] {
				args[i] = a.datum(mem)
				args[i].Scalar = true
			} else {
				args[i] = slice(a, lo, hi).datum(mem)
			}
		}
		out, err := st.Eval(ctx, args, hi-lo)
		for _, a := range args {
			a.Release()
		}
		if err != nil {
			t.Fatalf("%s: %v", c.id, err)
		}
		defer out.Release()
		return render(out.Array)
	}
	wk, err := Window(c.id)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := wk(ctx, nil, c.consts, types.Unknown)
	if got := strings.Join(eval(st, 0, n), "|"); got != c.want {
		t.Errorf("%s: got %s, want %s", c.id, got, c.want)
	}
	if c.id == "next" {
		return // next needs the whole input in one batch
	}
	for size := 1; size < n; size++ {
		st, _ := wk(ctx, nil, c.consts, types.Unknown)
		var got []string
		for lo := 0; lo < n; lo += size {
			got = append(got, eval(st, lo, min(lo+size, n))...)
		}
		if g := strings.Join(got, "|"); g != c.want {
			t.Errorf("%s in batches of %d: got %s, want %s", c.id, size, g, c.want)
		}
	}
}

func TestWindowFunctions(t *testing.T) {
	restart := bools(false, false, true, false, nil, true)
	h := int64(3600e9)
	m := int64(60e9)
	cases := []winCase{
		{id: "row_number", args: []col{longs(1, 1, 1, 1, 1, 1), restart}, scalar: []bool{true}, consts: []any{int64(1)}, want: "1|2|1|2|3|1"},
		{id: "row_number", args: []col{longs(10), longs(0, 0, 0)}, scalar: []bool{true}, consts: []any{int64(10)}, want: "10|11|12"},
		{id: "row_cumsum", args: []col{longs(2, 4, 6, 8, 10)}, want: "2|6|12|20|30"},
		{id: "row_cumsum", args: []col{longs(1000, 2000, 1400, 1000, 1950, 1450), bools(nil, false, false, true, false, false)},
			want: "1000|3000|4400|1000|2950|4400"},
		{id: "row_cumsum", args: []col{reals(0.5, nil, 1.0)}, want: "0.5|0.5|1.5"},
		{id: "prev", args: []col{strs("a", "b", "c", "d")}, want: "null|a|b|c"},
		{id: "prev", args: []col{longs(1, 2, 3, 4, 5), longs(2), longs(-1)}, scalar: []bool{false, true, true}, consts: []any{nil, int64(2), int64(-1)},
			want: "-1|-1|1|2|3"},
		{id: "next", args: []col{strs("a", "b", "c", "d")}, want: "b|c|d|null"},
		{id: "next", args: []col{longs(1, 2, 3, 4, 5), longs(2), longs(0)}, scalar: []bool{false, true, true}, consts: []any{nil, int64(2), int64(0)},
			want: "3|4|5|0|0"},
		{id: "row_rank_min", args: []col{longs(2, 3, 3, 3, 100)}, want: "1|2|2|2|5"},
		{id: "row_rank_min", args: []col{ints(5, 10, 10, 20, 5, 7), bools(nil, false, false, false, true, false)}, want: "1|2|2|4|1|2"},
		{id: "row_rank_dense", args: []col{longs(2, 3, 3, 3, 100)}, want: "1|2|2|2|3"},
		{id: "row_rank_dense", args: []col{strs("a", "a", "b", "c", "c"), bools(false, false, false, true, false)}, want: "1|1|2|1|1"},
		{id: "row_window_session",
			args: []col{
				dts(10*h, 11*h, 10*h+16*m, 10*h+18*m, 13*h+30*m, 11*h+30*m),
				spans(h), spans(5 * m),
				bools(nil, false, true, false, false, true)},
			scalar: []bool{false, true, true},
			want: strings.Join([]string{types.FormatDateTime(10 * h), types.FormatDateTime(11 * h), types.FormatDateTime(10*h + 16*m),
				types.FormatDateTime(10*h + 16*m), types.FormatDateTime(13*h + 30*m), types.FormatDateTime(11*h + 30*m)}, "|")},
	}
	for _, c := range cases {
		runWin(t, c)
	}
}
