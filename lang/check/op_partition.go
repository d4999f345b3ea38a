package check

import (
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	RegisterOp("partition", func(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
		p := op.(*ast.Partition)
		if id, ok := p.By.(*ast.Ident); ok {
			c.Scalar(id, in, sc)
		} else {
			c.Errorf(op, "bad-partition", "partition needs `by Column`")
		}
		sub, ok := p.Sub.(*ast.Pipe)
		if !ok || sub.Source != nil {
			c.Errorf(op, "unsupported", "only `partition by Col (operators)` is supported")
			return &types.Schema{Open: true}
		}
		out := c.Pipe(in, sub.Ops, sc)
		sub.Info().Schema = out
		return out
	})
}
