package check

import (
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// reduce [kind=source] by Expr [with threshold=R, characters=S]: groups
// strings by similarity into (Pattern, Count, Representative); with
// kind=source each input row gets its Pattern instead.
func init() {
	RegisterOp("reduce", func(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
		r := op.(*ast.Reduce)
		if k := c.Scalar(r.By, in, sc); k != types.String && k != types.Unknown && k != types.Dynamic {
			c.Errorf(r.By, "bad-types", "reduce by needs a string, got %s", k)
		}
		source := false
		for _, o := range r.Options {
			if !strings.EqualFold(o.Name, "kind") {
				c.Errorf(o, "bad-option", "reduce has no option %s (kind=source)", o.Name)
				continue
			}
			if id, ok := o.Value.(*ast.Ident); ok && strings.EqualFold(id.Name, "source") {
				source = true
			} else {
				c.Errorf(o, "bad-option", "reduce kind must be source")
			}
		}
		for _, o := range r.With {
			switch strings.ToLower(o.Name) {
			case "threshold":
				if k := c.Scalar(o.Value, in, sc); k != types.Real && k != types.Long && k != types.Int && k != types.Decimal {
					c.Errorf(o.Value, "bad-types", "reduce threshold must be a real between 0 and 1, got %s", k)
				}
			case "characters":
				if k := c.Scalar(o.Value, in, sc); k != types.String {
					c.Errorf(o.Value, "bad-types", "reduce characters must be a string, got %s", k)
				}
			default:
				c.Errorf(o, "bad-option", "reduce has no option %s (threshold, characters)", o.Name)
			}
		}
		if source {
			out := &types.Schema{Columns: append(append([]types.Column{}, in.Columns...), types.Column{Name: "Pattern", Type: types.String})}
			return out
		}
		return &types.Schema{Columns: []types.Column{
			{Name: "Pattern", Type: types.String}, {Name: "Count", Type: types.Long}, {Name: "Representative", Type: types.String},
		}}
	})
}
