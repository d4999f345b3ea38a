package plan

import (
	"github.com/kqlhunt/kqlhunt/exec/expr"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
)

func init() { RegisterOp("search", buildSearch) }

// buildSearch runs `search`: the checker has rewritten the predicate into an
// ordinary where-predicate (check.SearchInfo), so search is a union of the
// searched tables with a $table column (when it is a source) and a filter.
func buildSearch(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	info, _ := op.Out().Ref.(*check.SearchInfo)
	if info == nil {
		return nil, Errorf(op, "search was not type-checked")
	}
	if info.Union != nil {
		u, err := buildUnion(b, info.Union, nil)
		if err != nil {
			return nil, err
		}
		in = u
	}
	if info.Pred == nil {
		return in, nil
	}
	ev, err := b.Compile(info.Pred, in.Schema())
	if err != nil {
		in.Close()
		return nil, err
	}
	if v, ok := expr.IsConst(ev); ok {
		if bv, _ := v.(bool); bv {
			return in, nil
		}
	}
	return ops.NewFilter(b.Ctx(), in, ev), nil
}
