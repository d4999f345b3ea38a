package ops

import (
	"context"
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// TopNestedOthersLevel is one level of a top-nested with at least one
// `with others` clause.
type TopNestedOthersLevel struct {
	// Key evaluates the level's key expression over the input rows.
	Key func(rec arrow.Record) (arrow.Array, error)
	// Others is a one-value array holding the `with others` value; nil
	// when the level has no such clause.
	Others arrow.Array
	N      int64 // ≤ 0: all values
	Desc   bool
	// Agg evaluates the level's aggregation over the rows of rec grouped
	// by ids (−1: the row takes no part); it returns, for each group that
	// has rows, its id and its value.
	Agg func(rec arrow.Record, ids []int64) (gids *array.Int64, vals arrow.Array, err error)
}

// tnGroup is one output group of a level.
type tnGroup struct {
	parent  int32
	keyRow  int32 // row of the key array; −1 the others value; −2 null
	rank    int
	nullAgg bool // an others bucket of a level without `with others`
}

// NewTopNestedOthers runs top-nested with `with others`, as the Kusto docs
// define it: at each level the top N values within each parent group are
// kept, and the rows of the other values form one more group whose key is
// the others value and whose aggregate is taken over those rows. Rows
// already in an others group stay in one group at every deeper level: its
// key is that level's others value (or null when the level has none, with a
// null aggregate). Without `with others` rows outside the top N are
// dropped. Rows come out in rank order, others groups after their siblings.
func NewTopNestedOthers(ctx context.Context, mem memory.Allocator, in []arrow.Record, inSchema *arrow.Schema, levels []TopNestedOthersLevel, schema *arrow.Schema) (Operator, error) {
	if schema.NumFields() != 2*len(levels) {
		return nil, fmt.Errorf("top-nested: unexpected schema")
	}
	rec, err := concatRecords(mem, inSchema, in)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	n := int(rec.NumRows())
	parent := make([]int32, n)
	inOthers := make([]bool, n)
	dropped := make([]bool, n)
	type levelOut struct {
		groups []tnGroup
		keys   arrow.Array
		vals   arrow.Array
		valIdx []int32 // group → row of vals (−1: none)
	}
	outs := make([]levelOut, len(levels))
	defer func() {
		for _, o := range outs {
			if o.keys != nil {
				o.keys.Release()
			}
			if o.vals != nil {
				o.vals.Release()
			}
		}
	}()
	var buf []byte
	for L, lv := range levels {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		keys, err := lv.Key(rec)
		if err != nil {
			return nil, err
		}
		outs[L].keys = keys
		kc := []keyCol{{arr: keys}}
		// candidates: (parent, key) of rows still competing
		candID := map[string]int64{}
		cands := make([]int64, n)
		var candParent []int32
		var candRow []int32
		for r := 0; r < n; r++ {
			cands[r] = -1
			if dropped[r] || inOthers[r] {
				continue
			}
			buf = binary.LittleEndian.AppendUint32(buf[:0], uint32(parent[r]))
			buf = encodeKey(buf, kc, r)
			id, ok := candID[string(buf)]
			if !ok {
				id = int64(len(candRow))
				candID[string(buf)] = id
				candParent = append(candParent, parent[r])
				candRow = append(candRow, int32(r))
			}
			cands[r] = id
		}
		candVals, candIdx, err := aggByID(rec, lv, cands, len(candRow))
		if err != nil {
			return nil, err
		}
		// top N candidates per parent
		byParent := map[int32][]int32{}
		var parentOrder []int32
		for c, p := range candParent {
			if _, ok := byParent[p]; !ok {
				parentOrder = append(parentOrder, p)
			}
			byParent[p] = append(byParent[p], int32(c))
		}
		rank := make([]int, len(candRow))
		for i := range rank {
			rank[i] = -1
		}
		for _, p := range parentOrder {
			cs := byParent[p]
			sort.SliceStable(cs, func(a, b int) bool {
				x := compareCells(candVals, int(candIdx[cs[a]]), int(candIdx[cs[b]]))
				if lv.Desc {
					return x > 0
				}
				return x < 0
			})
			if lv.N > 0 && int64(len(cs)) > lv.N {
				cs = cs[:lv.N]
			}
			for i, c := range cs {
				rank[c] = i
			}
		}
		candVals.Release()
		// the level's groups: survivors, and one others group per parent
		gid := map[int64]int32{}
		var groups []tnGroup
		ids := make([]int64, n)
		for r := 0; r < n; r++ {
			ids[r] = -1
			if dropped[r] {
				continue
			}
			var key int64 // candidate id, or −(parent+1) for the parent's others group
			g := tnGroup{parent: parent[r]}
			switch c := cands[r]; {
			case !inOthers[r] && rank[c] >= 0:
				key, g.keyRow, g.rank = c, candRow[c], rank[c]
			case inOthers[r] || lv.Others != nil:
				key, g.keyRow, g.rank = -int64(parent[r])-1, -1, int(lv.N)+1
				if lv.Others == nil {
					g.keyRow, g.nullAgg = -2, true
				}
				inOthers[r] = true
			default:
				dropped[r] = true
				continue
			}
			id, ok := gid[key]
			if !ok {
				id = int32(len(groups))
				gid[key] = id
				groups = append(groups, g)
			}
			ids[r] = int64(id)
		}
		vals, valIdx, err := aggByID(rec, lv, ids, len(groups))
		if err != nil {
			return nil, err
		}
		outs[L].groups, outs[L].vals, outs[L].valIdx = groups, vals, valIdx
		for r := 0; r < n; r++ {
			if !dropped[r] {
				parent[r] = int32(ids[r])
			}
		}
	}
	// leaves in rank order: compare the rank paths from the root
	last := len(levels) - 1
	leaves := make([]int32, len(outs[last].groups))
	paths := make([][]int, len(leaves))
	for i := range leaves {
		leaves[i] = int32(i)
		path := make([]int, len(levels))
		g := int32(i)
		for L := last; L >= 0; L-- {
			grp := outs[L].groups[g]
			path[L] = grp.rank
			g = grp.parent
		}
		paths[i] = path
	}
	sort.SliceStable(leaves, func(a, b int) bool {
		pa, pb := paths[leaves[a]], paths[leaves[b]]
		for i := range pa {
			if pa[i] != pb[i] {
				return pa[i] < pb[i]
			}
		}
		return false
	})
	cols := make([]arrow.Array, 0, schema.NumFields())
	release := func() {
		for _, c := range cols {
			c.Release()
		}
	}
	// the group of each leaf at every level
	at := make([][]int32, len(levels))
	for L := range at {
		at[L] = make([]int32, len(leaves))
	}
	for i, leaf := range leaves {
		g := leaf
		for L := last; L >= 0; L-- {
			at[L][i] = g
			g = outs[L].groups[g].parent
		}
	}
	for L, lv := range levels {
		o := outs[L]
		keySrc := o.keys
		othersRow := int32(-1)
		if lv.Others != nil {
			if !arrow.TypeEqual(lv.Others.DataType(), o.keys.DataType()) {
				release()
				return nil, fmt.Errorf("top-nested: the `with others` value is of type %s, the key of type %s", lv.Others.DataType(), o.keys.DataType())
			}
			c, err := array.Concatenate([]arrow.Array{o.keys, lv.Others}, mem)
			if err != nil {
				release()
				return nil, err
			}
			defer c.Release()
			keySrc, othersRow = c, int32(o.keys.Len())
		}
		kidx := make([]int32, len(leaves))
		vidx := make([]int32, len(leaves))
		for i, g := range at[L] {
			grp := o.groups[g]
			switch grp.keyRow {
			case -1:
				kidx[i] = othersRow
			case -2:
				kidx[i] = -1
			default:
				kidx[i] = grp.keyRow
			}
			vidx[i] = o.valIdx[g]
			if grp.nullAgg {
				vidx[i] = -1
			}
		}
		cols = append(cols, takeArray(mem, keySrc, kidx), takeArray(mem, o.vals, vidx))
	}
	for i, a := range cols {
		if !arrow.TypeEqual(a.DataType(), schema.Field(i).Type) {
			release()
			return nil, fmt.Errorf("top-nested: column %s has type %s, want %s", schema.Field(i).Name, a.DataType(), schema.Field(i).Type)
		}
	}
	m := &materialized{schema: schema}
	m.recs = append(m.recs, newRecord(schema, cols, len(leaves)))
	return m, nil
}

// aggByID runs the level's aggregation grouped by ids and returns the
// values with, for each of the numGroups ids, the row of its value (−1 when
// the group had no rows).
func aggByID(rec arrow.Record, lv TopNestedOthersLevel, ids []int64, numGroups int) (arrow.Array, []int32, error) {
	gids, vals, err := lv.Agg(rec, ids)
	if err != nil {
		return nil, nil, err
	}
	defer gids.Release()
	idx := make([]int32, numGroups)
	for i := range idx {
		idx[i] = -1
	}
	for i := 0; i < gids.Len(); i++ {
		if gids.IsNull(i) {
			continue
		}
		if g := gids.Value(i); g >= 0 && int(g) < numGroups {
			idx[g] = int32(i)
		}
	}
	return vals, idx, nil
}
