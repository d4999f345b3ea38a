package ops

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/compute"

	"github.com/kqlhunt/kqlhunt/exec/expr"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
)

// NewFilter returns the `where` operator: rows for which pred is true (null
// and false rows are dropped). Batches are filtered in parallel, in order.
func NewFilter(kctx *kernels.Ctx, in Operator, pred expr.Evaluator) Operator {
	return newParallelMap(in, in.Schema(), func(rec arrow.Record) (arrow.Record, error) {
		d, err := pred.Eval(kctx, rec)
		if err != nil {
			return nil, err
		}
		defer d.Release()
		mask, ok := d.Array.(*array.Boolean)
		if !ok {
			return nil, &expr.Error{Msg: "where predicate is not bool"}
		}
		if d.Scalar {
			if mask.IsValid(0) && mask.Value(0) {
				rec.Retain()
				return rec, nil
			}
			return nil, nil
		}
		n := mask.Len()
		set := 0
		for i := 0; i < n; i++ {
			if mask.IsValid(i) && mask.Value(i) {
				set++
			}
		}
		if set == n {
			rec.Retain()
			return rec, nil
		}
		if set == 0 {
			return nil, nil
		}
		return filterRecord(kctx, rec, mask, set)
	})
}

// filterRecord keeps the rows where mask is true. String columns are
// gathered into pre-sized buffers (arrow's generic take grows them
// repeatedly); other columns use arrow's filter kernel.
func filterRecord(kctx *kernels.Ctx, rec arrow.Record, mask *array.Boolean, set int) (arrow.Record, error) {
	ctx := compute.WithAllocator(kctx.Context, kctx.Mem)
	cols := make([]arrow.Array, rec.NumCols())
	release := func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}
	n := mask.Len()
	for i := range cols {
		col := rec.Column(i)
		if str, ok := col.(*array.String); ok {
			size := 0
			for r := 0; r < n; r++ {
				if mask.IsValid(r) && mask.Value(r) {
					size += str.ValueLen(r)
				}
			}
			b := array.NewStringBuilder(kctx.Mem)
			b.Reserve(set)
			b.ReserveData(size)
			for r := 0; r < n; r++ {
				if !mask.IsValid(r) || !mask.Value(r) {
					continue
				}
				if str.IsNull(r) {
					b.AppendNull()
				} else {
					b.Append(str.Value(r))
				}
			}
			cols[i] = b.NewArray()
			b.Release()
			continue
		}
		if d, ok := col.(*array.Dictionary); ok {
			// filter the indices; the dictionary is shared
			idx, err := compute.FilterArray(ctx, d.Indices(), mask, *compute.DefaultFilterOptions())
			if err != nil {
				release()
				return nil, err
			}
			cols[i] = array.NewDictionaryArray(d.DataType(), idx, d.Dictionary())
			idx.Release()
			continue
		}
		a, err := compute.FilterArray(ctx, col, mask, *compute.DefaultFilterOptions())
		if err != nil {
			release()
			return nil, err
		}
		cols[i] = a
	}
	out := array.NewRecord(rec.Schema(), cols, int64(set))
	release()
	return out, nil
}
