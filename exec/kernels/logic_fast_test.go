package kernels

import (
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// TestLogicBitmapsMatchesRows: the bitmap and/or gives the row-by-row
// three-valued result (the row path runs on sliced arrays, which the
// bitmap path leaves to it).
func TestLogicBitmapsMatchesRows(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := &Ctx{Mem: mem}
	for _, n := range []int{1, 7, 8, 9, 64, 100, 1000} {
		for _, nulls := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			mk := func(withNulls bool) (*array.Boolean, *array.Boolean) {
				b := array.NewBooleanBuilder(mem)
				defer b.Release()
				b.Append(true) // dropped by the slice
				for i := 0; i < n; i++ {
					if withNulls && rng.Intn(3) == 0 {
						b.AppendNull()
					} else {
						b.Append(rng.Intn(2) == 0)
					}
				}
				full := b.NewBooleanArray()
				defer full.Release()
				sl := array.NewSlice(full, 1, int64(n+1)).(*array.Boolean)
				// an unsliced copy
				c := array.NewBooleanBuilder(mem)
				defer c.Release()
				for i := 0; i < n; i++ {
					if sl.IsNull(i) {
						c.AppendNull()
					} else {
						c.Append(sl.Value(i))
					}
				}
				return c.NewBooleanArray(), sl
			}
			a, as := mk(nulls[0])
			b, bs := mk(nulls[1])
			for _, and := range []bool{true, false} {
				k := sxLogic(and)
				fast, err := k(ctx, []Datum{{Array: a, Kind: types.Bool}, {Array: b, Kind: types.Bool}}, n)
				if err != nil {
					t.Fatal(err)
				}
				slow, err := k(ctx, []Datum{{Array: as, Kind: types.Bool}, {Array: bs, Kind: types.Bool}}, n)
				if err != nil {
					t.Fatal(err)
				}
				fa, sa := fast.Array.(*array.Boolean), slow.Array.(*array.Boolean)
				for i := 0; i < n; i++ {
					if fa.IsNull(i) != sa.IsNull(i) || (fa.IsValid(i) && fa.Value(i) != sa.Value(i)) {
						t.Fatalf("n %d nulls %v and %v row %d: fast %v/%v slow %v/%v", n, nulls, and, i, fa.IsValid(i), fa.Value(i), sa.IsValid(i), sa.Value(i))
					}
				}
				if fa.NullN() != sa.NullN() {
					t.Fatalf("null counts %d %d", fa.NullN(), sa.NullN())
				}
				fast.Release()
				slow.Release()
			}
			a.Release()
			as.Release()
			b.Release()
			bs.Release()
		}
	}
}

func TestGatherBools(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewSource(5))
	for _, withNull := range []bool{false, true} {
		b := array.NewBooleanBuilder(mem)
		for j := 0; j < 5; j++ {
			if withNull && j == 3 {
				b.AppendNull()
			} else {
				b.Append(j%2 == 0)
			}
		}
		ents := b.NewBooleanArray()
		b.Release()
		for _, n := range []int{0, 1, 8, 13, 1000} {
			idx := make([]int32, n)
			for i := range idx {
				idx[i] = int32(rng.Intn(5))
			}
			out := gatherBools(mem, ents, idx).(*array.Boolean)
			nulls := 0
			for i, j := range idx {
				if out.IsNull(i) != ents.IsNull(int(j)) || (out.IsValid(i) && out.Value(i) != ents.Value(int(j))) {
					t.Fatalf("row %d entry %d", i, j)
				}
				if ents.IsNull(int(j)) {
					nulls++
				}
			}
			if out.NullN() != nulls || out.Len() != n {
				t.Fatalf("nulls %d want %d", out.NullN(), nulls)
			}
			out.Release()
		}
		ents.Release()
	}
}
