package ops

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
)

// UnionInput is one input of a union with how its columns map to the
// output: Map[i] is the input column for output column i, or -1 (nulls).
// Source, when not "", fills the withsource column (output column SourceCol).
type UnionInput struct {
	Op     Operator
	Map    []int
	Source string
}

// Union concatenates its inputs one after another, aligning columns.
type Union struct {
	kctx      *kernels.Ctx
	schema    *arrow.Schema
	inputs    []UnionInput
	sourceCol int
	cur       int
}

// NewUnion returns a union; sourceCol is the index of the withsource column or -1.
func NewUnion(kctx *kernels.Ctx, schema *arrow.Schema, inputs []UnionInput, sourceCol int) *Union {
	return &Union{kctx: kctx, schema: schema, inputs: inputs, sourceCol: sourceCol}
}

// Schema implements Operator.
func (u *Union) Schema() *arrow.Schema { return u.schema }

// Close implements Operator.
func (u *Union) Close() {
	for _, in := range u.inputs {
		in.Op.Close()
	}
}

// Next implements Operator.
func (u *Union) Next(ctx context.Context) (arrow.Record, error) {
	for u.cur < len(u.inputs) {
		in := u.inputs[u.cur]
		r, err := in.Op.Next(ctx)
		if err != nil {
			return nil, err
		}
		if r == nil {
			u.cur++
			continue
		}
		out, err := u.align(in, r)
		r.Release()
		return out, err
	}
	return nil, nil
}

func (u *Union) align(in UnionInput, r arrow.Record) (arrow.Record, error) {
	n := int(r.NumRows())
	cols := make([]arrow.Array, u.schema.NumFields())
	release := func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}
	for i := range cols {
		want := kernels.KindOf(u.schema.Field(i))
		if i == u.sourceCol {
			b := array.NewStringBuilder(u.kctx.Mem)
			for j := 0; j < n; j++ {
				b.Append(in.Source)
			}
			cols[i] = b.NewArray()
			b.Release()
			continue
		}
		src := -1
		if i < len(in.Map) {
			src = in.Map[i]
		}
		if src < 0 {
			cols[i] = NullArray(u.kctx.Mem, want, n)
			continue
		}
		a, err := ConformArray(u.kctx.Mem, r.Column(src), kernels.KindOf(r.Schema().Field(src)), want)
		if err != nil {
			release()
			return nil, err
		}
		cols[i] = a
	}
	rec := array.NewRecord(u.schema, cols, int64(n))
	release()
	return rec, nil
}
