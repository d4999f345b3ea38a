package check

import (
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	RegisterOp("mv-apply", func(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
		m := op.(*ast.MvApply)
		exp, info := c.mvItems(op, m.Options, m.Items, m.Limit, in, sc)
		op.Out().Ref = info
		if m.On == nil {
			c.Errorf(op, "no-subquery", "mv-apply needs `on (subquery)`")
			return exp
		}
		sub := c.Pipe(exp, m.On.Ops, sc)
		m.On.Info().Schema = sub
		return MvApplySchema(in, sub, info)
	})
}

// MvApplySchema is mv-apply's output schema: the input columns neither
// expanded in place nor produced by the subquery, then the subquery's.
func MvApplySchema(in, sub *types.Schema, info *MvExpandInfo) *types.Schema {
	inPlace := map[string]bool{}
	for _, it := range info.Items {
		if it.Column {
			inPlace[it.Name] = true
		}
	}
	out := &types.Schema{Open: sub.Open, OpenType: sub.OpenType}
	for _, col := range in.Columns {
		if inPlace[col.Name] || sub.Index(col.Name) >= 0 {
			continue
		}
		out.Columns = append(out.Columns, col)
	}
	out.Columns = append(out.Columns, sub.Columns...)
	return out
}
