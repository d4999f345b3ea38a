package plan

import (
	"context"

	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
)

func init() {
	RegisterOp("partition", func(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
		p := op.(*ast.Partition)
		id, ok := p.By.(*ast.Ident)
		sub, ok2 := p.Sub.(*ast.Pipe)
		if !ok || !ok2 || sub.Source != nil || len(sub.Ops) == 0 {
			return nil, Errorf(op, "only `partition by Col (operators)` is supported")
		}
		idx := in.Schema().FieldIndices(id.Name)
		if len(idx) == 0 {
			return nil, Errorf(p.By, "no column %s", id.Name)
		}
		ctx := context.Context(b.Ctx())
		if b.Ctx().Context == nil {
			ctx = context.Background()
		}
		out, err := ops.NewPartition(ctx, b.Mem(), in, idx[0], func(x ops.Operator) (ops.Operator, error) {
			return b.Pipe(x, sub.Ops)
		}, OutSchema(op))
		if err != nil {
			return nil, Errorf(op, "%v", err)
		}
		return out, nil
	})
}
