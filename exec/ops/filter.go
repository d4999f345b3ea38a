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
		ctx := compute.WithAllocator(kctx.Context, kctx.Mem)
		return compute.FilterRecordBatch(ctx, rec, mask, compute.DefaultFilterOptions())
	})
}
