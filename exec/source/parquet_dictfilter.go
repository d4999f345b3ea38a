package source

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Dictionary-index filtering (issue 12, filter_count): when a scan's
// columns are all filter columns read from their dictionary pages and
// the filter is a conjunction of single-column terms (ScanFilter.Terms),
// each term is evaluated once per dictionary entry and the rows are
// tested on their indices without building index arrays: the first
// column's RLE runs are tested once per run, the next columns' indices
// are decoded only at the rows the earlier columns kept (bit-packed runs
// are indexed, not unpacked), and only the kept rows' indices become the
// output record. Row groups whose filter columns may hold nulls take the
// generic path.

// dictTerm is the per-entry evaluation of a column's terms.
type dictTerm struct {
	col   *dictCol
	evals []func(rec arrow.Record) ([]int32, error)
	dict  arrow.Array // the dictionary ok was computed for
	ok    []bool
	buf   []uint32 // the batch's indices (at the rows tested)
}

func (t *dictTerm) table() error {
	d := t.col.dict
	if d == t.dict {
		return nil
	}
	n := d.Len()
	ok := make([]bool, n)
	for i := range ok {
		ok[i] = true
	}
	rec := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.BinaryTypes.String, Nullable: true}}, nil), []arrow.Array{d}, int64(n))
	defer rec.Release()
	for _, ev := range t.evals {
		sel, err := ev(rec)
		if err != nil {
			return err
		}
		keep := make([]bool, n)
		for _, i := range sel {
			keep[i] = true
		}
		for i := range ok {
			ok[i] = ok[i] && keep[i]
		}
	}
	t.dict, t.ok = d, ok
	return nil
}

// filter reads the next n rows of t's column and returns the rows kept:
// of every row when all, else of the rows sel.
func (t *dictTerm) filter(mem memory.Allocator, n int, sel []int32, all bool) ([]int32, error) {
	c := t.col
	if cap(t.buf) < n {
		t.buf = make([]uint32, n)
	}
	buf := t.buf[:n]
	var out []int32
	if all {
		out = make([]int32, 0, n/8)
	} else {
		out = make([]int32, 0, len(sel))
	}
	got, k := 0, 0
	for got < n {
		if c.left == 0 {
			if err := c.nextPage(mem); err != nil {
				return nil, err
			}
			continue
		}
		m := min(n-got, c.left)
		if c.maxDef > 0 {
			if cap(c.lv) < m {
				c.lv = make([]uint32, m)
			}
			lv := c.lv[:m]
			if err := c.defs.decode(lv); err != nil {
				return nil, fmt.Errorf("parquet: column %d: %w", c.leaf, err)
			}
			for _, l := range lv {
				if l != uint32(c.maxDef) {
					return nil, fmt.Errorf("parquet: column %d: null in a row group without nulls", c.leaf)
				}
			}
		}
		if err := t.table(); err != nil {
			return nil, err
		}
		var err error
		if all {
			out, err = c.idx.scanRuns(m, got, t.ok, buf, out)
		} else {
			e := k
			for e < len(sel) && int(sel[e]) < got+m {
				e++
			}
			err = c.idx.gather(m, got, sel[k:e], buf)
			if err == nil {
				for _, p := range sel[k:e] {
					v := buf[p]
					if int(v) >= len(t.ok) {
						return nil, fmt.Errorf("parquet: column %d: dictionary index %d out of range", c.leaf, v)
					}
					if t.ok[v] {
						out = append(out, p)
					}
				}
			}
			k = e
		}
		if err != nil {
			return nil, fmt.Errorf("parquet: column %d: %w", c.leaf, err)
		}
		got += m
		c.left -= m
	}
	return out, nil
}

// indices is t's column at the rows sel as a dictionary array.
func (t *dictTerm) indices(mem memory.Allocator, sel []int32) arrow.Array {
	idxBuf := memory.NewResizableBuffer(mem)
	idxBuf.Resize(len(sel) * 4)
	out := arrow.Int32Traits.CastFromBytes(idxBuf.Bytes())
	for i, p := range sel {
		out[i] = int32(t.buf[p])
	}
	d := array.NewData(arrow.PrimitiveTypes.Int32, len(sel), []*memory.Buffer{nil, idxBuf}, nil, 0, 0)
	idxBuf.Release()
	ind := array.MakeFromData(d)
	d.Release()
	defer ind.Release()
	return array.NewDictionaryArray(t.col.typ, ind, t.col.dict)
}

// scanRuns decodes the next m values (rows base…base+m-1), storing the
// kept rows' values in buf and appending the rows whose value v has ok[v].
func (h *hybrid) scanRuns(m, base int, ok []bool, buf []uint32, out []int32) ([]int32, error) {
	cur := 0
	for cur < m {
		if h.left == 0 {
			if err := h.nextRun(); err != nil {
				return out, err
			}
		}
		take := min(m-cur, h.left)
		if h.rle {
			v := h.val
			if int(v) >= len(ok) {
				return out, fmt.Errorf("dictionary index %d out of range", v)
			}
			if ok[v] {
				for p := base + cur; p < base+cur+take; p++ {
					buf[p] = v
					out = append(out, int32(p))
				}
			}
		} else {
			vals := buf[base+cur : base+cur+take]
			h.unpack(vals)
			for j, v := range vals {
				if int(v) >= len(ok) {
					return out, fmt.Errorf("dictionary index %d out of range", v)
				}
				if ok[v] {
					out = append(out, int32(base+cur+j))
				}
			}
		}
		h.left -= take
		cur += take
	}
	return out, nil
}

// gather skips the next m values (rows base…base+m-1), storing the values
// of the rows pos (ascending, within the range) in buf.
func (h *hybrid) gather(m, base int, pos []int32, buf []uint32) error {
	cur, k := 0, 0
	for cur < m {
		if h.left == 0 {
			if err := h.nextRun(); err != nil {
				return err
			}
		}
		take := min(m-cur, h.left)
		end := base + cur + take
		if h.rle {
			for k < len(pos) && int(pos[k]) < end {
				buf[pos[k]] = h.val
				k++
			}
		} else {
			for k < len(pos) && int(pos[k]) < end {
				buf[pos[k]] = h.valueAt(h.pidx + int(pos[k]) - base - cur)
				k++
			}
			h.pidx += take
		}
		h.left -= take
		cur += take
	}
	return nil
}

// valueAt is value i of the current bit-packed run.
func (h *hybrid) valueAt(i int) uint32 {
	bw := h.bw
	p := h.packed
	bit := i * bw
	b := bit >> 3
	var w uint64
	if b+8 <= len(p) {
		w = uint64(p[b]) | uint64(p[b+1])<<8 | uint64(p[b+2])<<16 | uint64(p[b+3])<<24 |
			uint64(p[b+4])<<32 | uint64(p[b+5])<<40 | uint64(p[b+6])<<48 | uint64(p[b+7])<<56
	} else {
		for k := 0; b+k < len(p); k++ {
			w |= uint64(p[b+k]) << (8 * k)
		}
	}
	return uint32((w >> (bit & 7)) & (uint64(1)<<bw - 1))
}

// planDictFilter sets r.terms when every early column is a direct
// dictionary column read only by the filter's single-column terms and
// nothing is read late.
func (r *lateReader) planDictFilter() {
	f := r.req.Filter
	if f == nil || len(f.Terms) == 0 || len(r.late) != 0 || r.pq.Schema.NumFields() != 0 {
		return
	}
	byName := map[string]*dictTerm{}
	for _, c := range r.direct {
		byName[r.early.Schema.Field(c.field).Name] = &dictTerm{col: c}
	}
	var terms []*dictTerm
	for _, tm := range f.Terms {
		t := byName[tm.Column]
		if t == nil {
			return
		}
		if t.evals == nil {
			terms = append(terms, t)
		}
		t.evals = append(t.evals, tm.Eval)
	}
	if len(terms) != len(r.direct) {
		return
	}
	r.terms = terms
}

// dictFilterRG reports whether row group rg takes the dictionary-index
// path: its filter columns have no nulls (statistics).
func (r *lateReader) dictFilterRG(rg int) bool {
	if r.terms == nil {
		return false
	}
	md := r.pr.MetaData().RowGroup(rg)
	for _, t := range r.terms {
		if t.col.maxDef == 0 {
			continue
		}
		cc, err := md.ColumnChunk(t.col.leaf)
		if err != nil {
			return false
		}
		st, err := cc.Statistics()
		if err != nil || st == nil || !st.HasNullCount() || st.NullCount() != 0 {
			return false
		}
	}
	return true
}

// dictFilterBatch reads the next n rows of a row group on the
// dictionary-index path: the item holds only the kept rows.
func (r *lateReader) dictFilterBatch(rg, n int) earlyItem {
	var sel []int32
	for i, t := range r.terms {
		var err error
		sel, err = t.filter(r.req.Mem, n, sel, i == 0)
		if err != nil {
			return earlyItem{err: err}
		}
	}
	fs := r.early.Schema.Fields()
	cols := make([]arrow.Array, len(fs))
	for _, t := range r.terms {
		j := t.col.field
		cols[j] = t.indices(r.req.Mem, sel)
		fs[j].Type = cols[j].DataType()
	}
	rec := array.NewRecord(arrow.NewSchema(fs, nil), cols, int64(len(sel)))
	for _, c := range cols {
		c.Release()
	}
	return earlyItem{rg: rg, n: len(sel), early: rec, sel: allRows(len(sel))}
}
