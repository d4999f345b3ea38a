package plan

import (
	"context"

	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
)

func init() {
	RegisterOp("top-hitters", buildTopHitters)
	RegisterOp("consume", buildConsume)
}

// buildTopHitters runs the summarize | top pipe the checker derived.
func buildTopHitters(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	info, _ := op.Out().Ref.(*check.TopHittersInfo)
	if info == nil {
		in.Close()
		return nil, Errorf(op, "top-hitters was not type-checked")
	}
	return b.Pipe(in, info.Ops)
}

// buildConsume reads its input to the end and returns no rows.
func buildConsume(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	ctx := context.Context(b.Ctx())
	if b.Ctx().Context == nil {
		ctx = context.Background()
	}
	recs, err := ops.Drain(ctx, in)
	schema := in.Schema()
	in.Close()
	ops.ReleaseRecords(recs)
	if err != nil {
		return nil, err
	}
	return ops.NewRecordsSource(schema, nil), nil
}
