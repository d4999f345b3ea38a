package kernels

import (
	"encoding/base64"
	"fmt"
	"math/rand"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// refDistinct is the former per-group implementation (a set per group up
// to the exact limit, then the sketch), as the reference of the shared
// exact table.
type refDistinct struct {
	lvl  hllLevel
	sets []map[uint64]bool
	regs [][]uint8
}

func (r *refDistinct) add(g int, h uint64) {
	if r.regs[g] != nil {
		hllInsert(r.regs[g], r.lvl.p, h)
		return
	}
	r.sets[g][h] = true
	if len(r.sets[g]) > r.lvl.exact {
		r.regs[g] = make([]uint8, 1<<r.lvl.p)
		for x := range r.sets[g] {
			hllInsert(r.regs[g], r.lvl.p, x)
		}
		r.sets[g] = map[uint64]bool{}
	}
}

func (r *refDistinct) out(g int) (int64, string) {
	p := strconv.Itoa(int(r.lvl.p))
	if r.regs[g] != nil {
		return int64(round(hllEstimate(r.regs[g]))), `["kqlhunt.hll",1,` + p + `,"` + base64.StdEncoding.EncodeToString(r.regs[g]) + `"]`
	}
	if len(r.sets[g]) == 0 {
		return 0, "null"
	}
	hs := make([]uint64, 0, len(r.sets[g]))
	for h := range r.sets[g] {
		hs = append(hs, h)
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i] < hs[j] })
	parts := make([]string, len(hs))
	for i, h := range hs {
		parts[i] = strconv.FormatInt(int64(h), 10)
	}
	return int64(len(hs)), `["kqlhunt.hll",1,` + p + `,[` + strings.Join(parts, ",") + `]]`
}

func round(f float64) float64 { return float64(int64(f + 0.5)) }

// TestDistinctTableMatchesReference: dcount and hll over string (plain and
// dictionary, growing and fresh dictionaries) and long inputs with nulls,
// groups below, at and across the exact limit, several workers with their
// own group numbering, merged as summarize merges them; pending adds
// flushed only at Merge/Finish or every 1000 adds.
func TestDistinctTableMatchesReference(t *testing.T) {
	mem := memory.NewGoAllocator()
	ctx := &Ctx{Mem: mem}
	const ngroups, nrows, batch = 400, 300000, 7000
	rng := rand.New(rand.NewSource(7))
	// group g draws from a range whose size varies 1..2600 (the default
	// exact limit is 1000)
	size := func(g int) int {
		if g < 20 { // the hot groups: 500..4300 (about 3000 rows each)
			return 500 + 200*g
		}
		return 1 + (g*37)%2600
	}
	rows := make([]int, nrows)
	vals := make([]int, nrows)
	null := make([]bool, nrows)
	for i := range rows {
		g := rng.Intn(ngroups)
		if g%5 == 0 {
			g = rng.Intn(20) // a few hot groups
		}
		rows[i], vals[i], null[i] = g, rng.Intn(size(g)), rng.Intn(50) == 0
	}
	defer func(m int) { pendingMax = m }(pendingMax)
	for _, input := range []string{"string", "dict", "dictfresh", "long", "long/flush1000"} {
		pendingMax = 1 << 19
		if strings.HasSuffix(input, "/flush1000") {
			input, pendingMax = strings.TrimSuffix(input, "/flush1000"), 1000
		}
		for _, nw := range []int{1, 3} {
			for _, fn := range []string{"dcount", "hll", "count_distinct"} {
				t.Run(fmt.Sprintf("%s/%dw/%s", input, nw, fn), func(t *testing.T) {
					k, _ := Aggregate(fn)
					ref := &refDistinct{lvl: hllLevels[1], sets: make([]map[uint64]bool, ngroups), regs: make([][]uint8, ngroups)}
					if fn == "count_distinct" {
						ref.lvl.exact = 1 << 30
					}
					for g := range ref.sets {
						ref.sets[g] = map[uint64]bool{}
					}
					text := func(v int) string { return "ip-" + strconv.Itoa(v) }
					for i := range rows {
						if null[i] {
							continue
						}
						if input == "long" {
							ref.add(rows[i], mix64(uint64(vals[i])))
						} else {
							ref.add(rows[i], hashString(text(vals[i])))
						}
					}
					type worker struct {
						st    AggState
						local map[int]uint32
						glob  []uint32
					}
					ws := make([]*worker, nw)
					for w := range ws {
						st, err := k(ctx, []types.Kind{types.String}, nil, types.Long)
						if err != nil {
							t.Fatal(err)
						}
						ws[w] = &worker{st: st, local: map[int]uint32{}}
					}
					// a growing dictionary of all values (entries in first-seen order)
					var dictVals []string
					dictIdx := map[string]int{}
					for b := 0; b*batch < nrows; b++ {
						w := ws[b%nw]
						lo, hi := b*batch, min((b+1)*batch, nrows)
						groups := make([]uint32, hi-lo)
						for i := lo; i < hi; i++ {
							g := rows[i]
							id, ok := w.local[g]
							if !ok {
								id = uint32(len(w.glob))
								w.local[g] = id
								w.glob = append(w.glob, uint32(g))
							}
							groups[i-lo] = id
						}
						var d Datum
						switch input {
						case "long":
							bl := array.NewInt64Builder(mem)
							for i := lo; i < hi; i++ {
								if null[i] {
									bl.AppendNull()
								} else {
									bl.Append(int64(vals[i]))
								}
							}
							d = Datum{Array: bl.NewArray(), Kind: types.Long}
							bl.Release()
						case "string":
							bs := array.NewStringBuilder(mem)
							for i := lo; i < hi; i++ {
								if null[i] {
									bs.AppendNull()
								} else {
									bs.Append(text(vals[i]))
								}
							}
							d = Datum{Array: bs.NewArray(), Kind: types.String}
							bs.Release()
						default:
							if input == "dictfresh" {
								dictVals, dictIdx = nil, map[string]int{}
							}
							bi := array.NewInt32Builder(mem)
							for i := lo; i < hi; i++ {
								if null[i] {
									bi.AppendNull()
									continue
								}
								s := text(vals[i])
								c, ok := dictIdx[s]
								if !ok {
									c = len(dictVals)
									dictIdx[s] = c
									dictVals = append(dictVals, s)
								}
								bi.Append(int32(c))
							}
							idx := bi.NewArray()
							bi.Release()
							bs := array.NewStringBuilder(mem)
							bs.AppendValues(dictVals, nil)
							dv := bs.NewArray()
							bs.Release()
							dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
							d = Datum{Array: array.NewDictionaryArray(dt, idx, dv), Kind: types.String}
							idx.Release()
							dv.Release()
						}
						if err := w.st.Update([]Datum{d}, groups, len(w.glob)); err != nil {
							t.Fatal(err)
						}
						d.Release()
					}
					final := ws[0].st
					var mapping []uint32 = ws[0].glob
					if nw > 1 {
						var err error
						final, err = k(ctx, []types.Kind{types.String}, nil, types.Long)
						if err != nil {
							t.Fatal(err)
						}
						for _, w := range ws {
							if err := final.Merge(w.st, w.glob, ngroups); err != nil {
								t.Fatal(err)
							}
						}
						mapping = nil
					}
					arr, err := final.Finish(mem, ngroupsOf(nw, ngroups, len(ws[0].glob)))
					if err != nil {
						t.Fatal(err)
					}
					defer arr.Release()
					got := render(arr)
					crossed := 0
					for i := range got {
						g := i
						if mapping != nil {
							g = int(mapping[i])
						}
						n, h := ref.out(g)
						want := strconv.FormatInt(n, 10)
						if fn == "hll" {
							want = h
						}
						if got[i] != want {
							t.Fatalf("group %d: got %.80s, want %.80s", g, got[i], want)
						}
						if ref.regs[g] != nil {
							crossed++
						}
					}
					if fn != "count_distinct" && crossed == 0 {
						t.Fatal("no group crossed the exact limit")
					}
				})
			}
		}
	}
}

func ngroupsOf(nw, ngroups, local int) int {
	if nw > 1 {
		return ngroups
	}
	return local
}
