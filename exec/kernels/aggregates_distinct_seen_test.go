package kernels

import (
	"math/rand"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Dropping repeated (group, hash) pairs in push changes no output:
// dcount, hll and count_distinct over inputs full of repeats (runs of the
// same pair, a home value per group, pairs colliding in the seen table,
// groups crossing the exact limit), two workers merged, give exactly what
// they give with every pair pushed; also when a long run of distinct
// pairs comes first (push stops looking after seenTrial).
func TestDistinctSeenDropSameOutput(t *testing.T) {
	for _, unique := range []int{0, 300000} {
		t.Run(strconv.Itoa(unique), func(t *testing.T) { testSeenDrop(t, unique) })
	}
}

func testSeenDrop(t *testing.T, unique int) {
	mem := memory.NewGoAllocator()
	ctx := &Ctx{Mem: mem}
	const ngroups, batch = 3000, 9000
	nrows := 400000 + unique
	rng := rand.New(rand.NewSource(3))
	groups := make([]uint32, nrows)
	vals := make([]string, nrows)
	null := make([]bool, nrows)
	for i := range groups {
		g := rng.Intn(ngroups)
		if rng.Intn(3) == 0 {
			g = rng.Intn(8) // hot groups, past the exact limit
		}
		v := "home-" + strconv.Itoa(g)
		switch r := rng.Intn(10); {
		case r < 2:
			v = "x-" + strconv.Itoa(rng.Intn(20000))
		case r < 3 && i > 0:
			g, v = int(groups[i-1]), vals[i-1] // a run
		}
		if i < unique {
			v = "u-" + strconv.Itoa(i)
		}
		groups[i], vals[i], null[i] = uint32(g), v, rng.Intn(100) == 0
	}
	var off [2]bool
	run := func(fn string, drop bool) []string {
		defer func(d bool) { seenDrop = d }(seenDrop)
		seenDrop = drop
		k, _ := Aggregate(fn)
		var ws [2]AggState
		for w := range ws {
			ws[w], _ = k(ctx, []types.Kind{types.String}, nil, types.Long)
		}
		for b := 0; b*batch < nrows; b++ {
			lo, hi := b*batch, min((b+1)*batch, nrows)
			bs := array.NewStringBuilder(mem)
			for i := lo; i < hi; i++ {
				if null[i] {
					bs.AppendNull()
				} else {
					bs.Append(vals[i])
				}
			}
			d := Datum{Array: bs.NewArray(), Kind: types.String}
			bs.Release()
			if err := ws[b%2].Update([]Datum{d}, groups[lo:hi], ngroups); err != nil {
				t.Fatal(err)
			}
			d.Release()
		}
		ident := make([]uint32, ngroups)
		for g := range ident {
			ident[g] = uint32(g)
		}
		for w := range ws {
			off[w] = ws[w].(*distinctState).seenOff
		}
		if err := ws[0].Merge(ws[1], ident, ngroups); err != nil {
			t.Fatal(err)
		}
		arr, err := ws[0].Finish(mem, ngroups)
		if err != nil {
			t.Fatal(err)
		}
		defer arr.Release()
		return render(arr)
	}
	for _, fn := range []string{"dcount", "hll", "count_distinct"} {
		got := run(fn, true)
		if off[0] != (unique > 0) || off[1] != (unique > 0) {
			t.Fatalf("%s: push stopped looking: %v, want %v", fn, off, unique > 0)
		}
		want := run(fn, false)
		for g := range want {
			if got[g] != want[g] {
				t.Fatalf("%s group %d: %.80s, every pair pushed: %.80s", fn, g, got[g], want[g])
			}
		}
		if fn == "dcount" {
			if n, _ := strconv.Atoi(got[0]); n <= 1000 {
				t.Fatalf("hot group: dcount %s, want past the exact limit", got[0])
			}
		}
	}
}
