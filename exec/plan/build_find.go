package plan

import (
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
)

func init() { RegisterOp("find", buildFind) }

// buildFind runs find as the checker shaped it (check.FindInfo): a union
// of the tables with the source column, the rewritten predicate, and the
// output projection.
func buildFind(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	info, _ := op.Out().Ref.(*check.FindInfo)
	if info == nil {
		return nil, Errorf(op, "find was not type-checked")
	}
	out, err := buildUnion(b, info.Union, nil)
	if err != nil {
		return nil, err
	}
	if info.Pred != nil {
		w := &ast.Where{OpBase: ast.OpBase{Pos: ast.Pos{Sp: op.Span()}}, Pred: info.Pred}
		w.Out().Schema = info.Union.Out().Schema
		if out, err = buildWhere(b, w, out); err != nil {
			return nil, err
		}
	}
	return b.Pipe(out, info.Out)
}
