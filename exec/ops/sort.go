package ops

import (
	"context"
	"sort"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/compute"

	"github.com/kqlhunt/kqlhunt/exec/expr"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// SortKey is one key of sort/top.
type SortKey struct {
	Eval       expr.Evaluator
	Desc       bool
	NullsFirst bool
}

// Sort is a stable sort (ties keep input order) of all input rows, with an
// optional limit (top N). It materialises its input.
type Sort struct {
	kctx  *kernels.Ctx
	in    Operator
	keys  []SortKey
	limit int64 // < 0: no limit
	out   []arrow.Record
	ran   bool
}

// NewSort returns a sort of in by keys; limit >= 0 keeps the first limit rows.
func NewSort(kctx *kernels.Ctx, in Operator, keys []SortKey, limit int64) *Sort {
	return &Sort{kctx: kctx, in: in, keys: keys, limit: limit}
}

// Schema implements Operator.
func (s *Sort) Schema() *arrow.Schema { return s.in.Schema() }

// Close implements Operator.
func (s *Sort) Close() {
	ReleaseRecords(s.out)
	s.out = nil
	s.in.Close()
}

// Next implements Operator.
func (s *Sort) Next(ctx context.Context) (arrow.Record, error) {
	if !s.ran {
		s.ran = true
		if err := guard(func() error { return s.run(ctx) }); err != nil {
			return nil, err
		}
	}
	if len(s.out) == 0 {
		return nil, nil
	}
	r := s.out[0]
	s.out = s.out[1:]
	return r, nil
}

// Concat concatenates records of one schema into a single record.
func Concat(kctx *kernels.Ctx, schema *arrow.Schema, recs []arrow.Record) (arrow.Record, error) {
	if len(recs) == 1 {
		recs[0].Retain()
		return recs[0], nil
	}
	n := int64(0)
	for _, r := range recs {
		n += r.NumRows()
	}
	cols := make([]arrow.Array, schema.NumFields())
	for i := range cols {
		parts := make([]arrow.Array, len(recs))
		for j, r := range recs {
			parts[j] = r.Column(i)
		}
		if len(parts) == 0 {
			cols[i] = NullArray(kctx.Mem, kernels.KindOf(schema.Field(i)), 0)
			continue
		}
		a, err := array.Concatenate(parts, kctx.Mem)
		if err != nil {
			for _, c := range cols[:i] {
				c.Release()
			}
			return nil, err
		}
		cols[i] = a
	}
	rec := array.NewRecord(schema, cols, n)
	for _, c := range cols {
		c.Release()
	}
	return rec, nil
}

type sortCol struct {
	nulls []bool
	ints  []int64
	flts  []float64
	strs  []string
	desc  bool
	nf    bool
}

func (s *Sort) run(ctx context.Context) error {
	var recs []arrow.Record
	defer func() { ReleaseRecords(recs) }()
	small := s.limit >= 0 && s.limit <= 100000
	for {
		r, err := s.in.Next(ctx)
		if err != nil {
			return err
		}
		if r == nil {
			break
		}
		if r.NumRows() == 0 {
			r.Release()
			continue
		}
		if small && r.NumRows() > s.limit {
			// top N: keep only this batch's best N rows as candidates
			perm, err := s.order(r)
			if err != nil {
				r.Release()
				return err
			}
			c, err := TakeRows(s.kctx, r, perm[:s.limit])
			r.Release()
			if err != nil {
				return err
			}
			r = c
		}
		recs = append(recs, r)
	}
	if len(recs) == 0 {
		return nil
	}
	all, err := Concat(s.kctx, s.in.Schema(), recs)
	if err != nil {
		return err
	}
	defer all.Release()
	ReleaseRecords(recs)
	recs = nil
	perm, err := s.order(all)
	if err != nil {
		return err
	}
	if s.limit >= 0 && int64(len(perm)) > s.limit {
		perm = perm[:s.limit]
	}
	return s.emit(all, perm)
}

// order returns the row order of rec by the sort keys (stable: ties keep
// their input order).
func (s *Sort) order(rec arrow.Record) ([]int, error) {
	n := int(rec.NumRows())
	cols := make([]sortCol, len(s.keys))
	for k, key := range s.keys {
		d, err := key.Eval.Eval(s.kctx, rec)
		if err != nil {
			return nil, err
		}
		cols[k] = extractSortCol(d, n)
		cols[k].desc = key.Desc
		cols[k].nf = key.NullsFirst
		d.Release()
	}
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	sort.Slice(perm, func(a, b int) bool {
		i, j := perm[a], perm[b]
		for k := range cols {
			r := cols[k].compare(i, j)
			if r != 0 {
				return r < 0
			}
		}
		return i < j
	})
	return perm, nil
}

func (s *Sort) emit(all arrow.Record, perm []int) error {
	for start := 0; start < len(perm); start += DefaultBatchRows {
		end := min(start+DefaultBatchRows, len(perm))
		r, err := TakeRows(s.kctx, all, perm[start:end])
		if err != nil {
			return err
		}
		s.out = append(s.out, r)
	}
	return nil
}

// TakeRows returns a record of the given rows of rec.
func TakeRows(kctx *kernels.Ctx, rec arrow.Record, rows []int) (arrow.Record, error) {
	ib := array.NewInt64Builder(kctx.Mem)
	ib.Reserve(len(rows))
	for _, r := range rows {
		ib.UnsafeAppend(int64(r))
	}
	idx := ib.NewArray()
	ib.Release()
	defer idx.Release()
	cctx := compute.WithAllocator(kctx.Context, kctx.Mem)
	cols := make([]arrow.Array, rec.NumCols())
	for i := range cols {
		a, err := compute.TakeArray(cctx, rec.Column(i), idx)
		if err != nil {
			for _, c := range cols[:i] {
				c.Release()
			}
			return nil, err
		}
		cols[i] = a
	}
	out := array.NewRecord(rec.Schema(), cols, int64(len(rows)))
	for _, c := range cols {
		c.Release()
	}
	return out, nil
}

func extractSortCol(d kernels.Datum, n int) sortCol {
	c := sortCol{nulls: make([]bool, n)}
	a := d.Array
	switch arr := a.(type) {
	case *array.Int64, *array.Int32, *array.Timestamp, *array.Duration, *array.Boolean:
		c.ints = make([]int64, n)
		for i := 0; i < n; i++ {
			j := d.Row(i)
			if arr.IsNull(j) {
				c.nulls[i] = true
				continue
			}
			switch x := arr.(type) {
			case *array.Int64:
				c.ints[i] = x.Value(j)
			case *array.Int32:
				c.ints[i] = int64(x.Value(j))
			case *array.Timestamp:
				c.ints[i] = int64(x.Value(j))
			case *array.Duration:
				c.ints[i] = int64(x.Value(j))
			case *array.Boolean:
				if x.Value(j) {
					c.ints[i] = 1
				}
			}
		}
	case *array.Float64:
		c.flts = make([]float64, n)
		for i := 0; i < n; i++ {
			j := d.Row(i)
			if arr.IsNull(j) {
				c.nulls[i] = true
				continue
			}
			c.flts[i] = arr.Value(j)
		}
	default:
		c.strs = make([]string, n)
		for i := 0; i < n; i++ {
			j := d.Row(i)
			if a.IsNull(j) {
				if d.Kind != types.String {
					c.nulls[i] = true
				}
				continue
			}
			if s, ok := a.(*array.String); ok {
				c.strs[i] = s.Value(j)
			} else {
				c.strs[i] = types.FormatValue(d.Kind, expr.ValueAt(a, j, d.Kind))
			}
		}
	}
	return c
}

// compare returns -1 when row i sorts before row j.
func (c *sortCol) compare(i, j int) int {
	ni, nj := c.nulls[i], c.nulls[j]
	if ni || nj {
		if ni && nj {
			return 0
		}
		if ni == c.nf {
			return -1
		}
		return 1
	}
	r := 0
	switch {
	case c.ints != nil:
		a, b := c.ints[i], c.ints[j]
		if a < b {
			r = -1
		} else if a > b {
			r = 1
		}
	case c.flts != nil:
		a, b := c.flts[i], c.flts[j]
		if a < b {
			r = -1
		} else if a > b {
			r = 1
		}
	default:
		a, b := c.strs[i], c.strs[j]
		if a < b {
			r = -1
		} else if a > b {
			r = 1
		}
	}
	if c.desc {
		r = -r
	}
	return r
}
