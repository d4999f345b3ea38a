package ops

import (
	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/expr"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// ColSpec is one output column of a projection: either an input column
// (Input >= 0, passed through) or a computed one (Eval).
type ColSpec struct {
	Input int
	Eval  expr.Evaluator
	Kind  types.Kind
}

// NewProject returns a projection (project, extend, serialize, project-away,
// -keep, -rename, -reorder) producing schema from cols. Computed columns
// are converted to the physical type of schema's fields.
func NewProject(kctx *kernels.Ctx, in Operator, schema *arrow.Schema, cols []ColSpec) Operator {
	return newParallelMap(in, schema, func(rec arrow.Record) (arrow.Record, error) {
		n := int(rec.NumRows())
		out := make([]arrow.Array, len(cols))
		release := func() {
			for _, a := range out {
				if a != nil {
					a.Release()
				}
			}
		}
		for i, c := range cols {
			if c.Eval == nil {
				col := rec.Column(c.Input)
				want := schema.Field(i).Type
				if arrow.TypeEqual(col.DataType(), want) || keepDict(col, schema.Field(i)) {
					col.Retain()
					out[i] = col
				} else {
					a, err := ConformArray(kctx.Mem, col, kernels.KindOf(rec.Schema().Field(c.Input)), kernels.KindOf(schema.Field(i)))
					if err != nil {
						release()
						return nil, err
					}
					out[i] = a
				}
				continue
			}
			d, err := c.Eval.Eval(kctx, rec)
			if err != nil {
				release()
				return nil, err
			}
			if !d.Scalar && keepDict(d.Array, schema.Field(i)) {
				out[i] = d.Array // the Datum's reference
				continue
			}
			a, err := DatumArray(kctx.Mem, d, n, kernels.KindOf(schema.Field(i)))
			d.Release()
			if err != nil {
				release()
				return nil, err
			}
			out[i] = a
		}
		r := array.NewRecord(dictSchema(schema, out), out, int64(n))
		release()
		return r, nil
	})
}
