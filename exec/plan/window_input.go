package plan

import (
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/funcs"
)

// hasWindowCall reports whether any item calls a window function (prev,
// next, row_number, row_cumsum, ...): those are evaluated over the whole
// serialized input as one batch (ops.SingleBatch).
func hasWindowCall(items []*ast.NamedExpr) bool {
	found := false
	for _, it := range items {
		check.Walk(it.X, func(n ast.Expr) bool {
			if c, ok := n.(*ast.Call); ok {
				if o := funcs.OverloadByID(c.Info().Overload); o != nil {
					if f := funcs.Lookup(c.Name.Name); f != nil && f.Kind == funcs.Window {
						found = true
					}
				}
			}
			return !found
		})
	}
	return found
}
