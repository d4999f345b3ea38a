package ops

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// TopNestedLevel is one level of top-nested: In yields the level's
// aggregation by all keys up to this level (key columns 0..L, then the
// aggregate value); N ≤ 0 keeps every group.
type TopNestedLevel struct {
	In   Operator
	N    int64
	Desc bool
}

// NewTopNested combines the per-level aggregations: at each level the top
// N groups (by the level's aggregate) within each surviving parent group
// are kept. The output has, per level, the key and the aggregate; rows are
// ordered by rank, level by level.
func NewTopNested(ctx context.Context, mem memory.Allocator, levels []TopNestedLevel, schema *arrow.Schema) (Operator, error) {
	defer func() {
		for _, l := range levels {
			l.In.Close()
		}
	}()
	if schema.NumFields() != 2*len(levels) {
		return nil, fmt.Errorf("top-nested: unexpected schema")
	}
	tables := make([]arrow.Record, len(levels))
	defer func() {
		for _, t := range tables {
			if t != nil {
				t.Release()
			}
		}
	}()
	for L, l := range levels {
		recs, _, err := drainAll(ctx, l.In)
		if err != nil {
			return nil, err
		}
		t, err := concatRecords(mem, l.In.Schema(), recs)
		releaseAll(recs)
		if err != nil {
			return nil, err
		}
		if int(t.NumCols()) != L+2 {
			t.Release()
			return nil, fmt.Errorf("top-nested: level %d has %d columns", L+1, t.NumCols())
		}
		tables[L] = t
	}
	// survivors[L]: key(E1..EL) → row of tables[L]; rank for ordering
	type surv struct {
		row  int32
		rank []int
	}
	var prev map[string]surv
	var buf []byte
	for L, l := range levels {
		t := tables[L]
		n := int(t.NumRows())
		cols := make([]keyCol, L+1)
		for i := range cols {
			cols[i] = keyCol{arr: t.Column(i)}
		}
		groups := map[string][]int32{}
		var order []string
		for r := 0; r < n; r++ {
			buf = encodeKey(buf[:0], cols[:L], r)
			if L > 0 {
				if _, ok := prev[string(buf)]; !ok {
					continue
				}
			}
			if _, ok := groups[string(buf)]; !ok {
				order = append(order, string(buf))
			}
			groups[string(buf)] = append(groups[string(buf)], int32(r))
		}
		agg := t.Column(L + 1)
		cur := map[string]surv{}
		for _, g := range order {
			rows := groups[g]
			sort.SliceStable(rows, func(a, b int) bool {
				c := compareCells(agg, int(rows[a]), int(rows[b]))
				if l.Desc {
					return c > 0
				}
				return c < 0
			})
			if l.N > 0 && int64(len(rows)) > l.N {
				rows = rows[:l.N]
			}
			var parent []int
			if L > 0 {
				parent = prev[g].rank
			}
			for i, r := range rows {
				buf = encodeKey(buf[:0], cols, int(r))
				cur[string(buf)] = surv{row: r, rank: append(append([]int(nil), parent...), i)}
			}
		}
		prev = cur
	}
	// leaves in rank order
	leaves := make([]surv, 0, len(prev))
	for _, s := range prev {
		leaves = append(leaves, s)
	}
	sort.Slice(leaves, func(a, b int) bool {
		ra, rb := leaves[a].rank, leaves[b].rank
		for i := range ra {
			if ra[i] != rb[i] {
				return ra[i] < rb[i]
			}
		}
		return false
	})
	last := tables[len(levels)-1]
	out := make([]arrow.Array, 0, schema.NumFields())
	for L := range levels {
		// the ancestor row at level L of every leaf
		t := tables[L]
		lcols := make([]keyCol, L+1)
		for i := range lcols {
			lcols[i] = keyCol{arr: last.Column(i)}
		}
		tcols := make([]keyCol, L+1)
		for i := range tcols {
			tcols[i] = keyCol{arr: t.Column(i)}
		}
		index := map[string]int32{}
		for r := 0; r < int(t.NumRows()); r++ {
			buf = encodeKey(buf[:0], tcols, r)
			index[string(buf)] = int32(r)
		}
		idx := make([]int32, len(leaves))
		for i, s := range leaves {
			buf = encodeKey(buf[:0], lcols, int(s.row))
			if r, ok := index[string(buf)]; ok {
				idx[i] = r
			} else {
				idx[i] = -1
			}
		}
		out = append(out, takeArray(mem, t.Column(L), idx), takeArray(mem, t.Column(L+1), idx))
	}
	for i, a := range out {
		if !arrow.TypeEqual(a.DataType(), schema.Field(i).Type) {
			for _, x := range out {
				x.Release()
			}
			return nil, fmt.Errorf("top-nested: column %s has type %s, want %s", schema.Field(i).Name, a.DataType(), schema.Field(i).Type)
		}
	}
	m := &materialized{schema: schema}
	m.recs = append(m.recs, newRecord(schema, out, len(leaves)))
	return m, nil
}

// compareCells orders two cells of one array: nulls first (smallest).
func compareCells(a arrow.Array, i, j int) int {
	ni, nj := a.IsNull(i), a.IsNull(j)
	switch {
	case ni && nj:
		return 0
	case ni:
		return -1
	case nj:
		return 1
	}
	x, y := goValue(a, i), goValue(a, j)
	switch xv := x.(type) {
	case int64:
		yv := y.(int64)
		return cmp3(xv < yv, xv > yv)
	case int32:
		yv := y.(int32)
		return cmp3(xv < yv, xv > yv)
	case float64:
		yv := y.(float64)
		return cmp3(xv < yv, xv > yv)
	case bool:
		yv := y.(bool)
		return cmp3(!xv && yv, xv && !yv)
	case string:
		return strings.Compare(xv, y.(string))
	}
	return 0
}

func cmp3(lt, gt bool) int {
	if lt {
		return -1
	}
	if gt {
		return 1
	}
	return 0
}
