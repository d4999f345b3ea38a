package check

import (
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	RegisterOp("sample", func(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
		c.count(op.(*ast.Sample).N, sc)
		return in
	})
	RegisterOp("sample-distinct", func(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
		s := op.(*ast.SampleDistinct)
		c.count(s.N, sc)
		k := c.Scalar(s.Of, in, sc)
		name := ExprName(s.Of)
		if _, ok := s.Of.(*ast.Ident); !ok || name == "" {
			c.Errorf(s.Of, "not-column", "sample-distinct needs a column")
			name = "Column1"
		}
		return &types.Schema{Columns: []types.Column{{Name: name, Type: k}}}
	})
}
