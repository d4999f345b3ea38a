package check

import (
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	f := func(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
		p := op.(*ast.Parse)
		c.Scalar(p.X, in, sc)
		if o := FindOption(p.Options, "kind"); o != nil {
			switch k := strings.ToLower(OptionText(o.Value)); k {
			case "simple", "regex", "relaxed":
			default:
				c.Errorf(o, "bad-kind", "parse kind must be simple, regex or relaxed, not %q", k)
			}
		}
		out := &types.Schema{Columns: append([]types.Column(nil), in.Columns...), Open: in.Open, OpenType: in.OpenType}
		hasCol := false
		for _, part := range p.Pattern {
			if part.Column == nil || part.Column.Name == nil {
				continue
			}
			hasCol = true
			k := part.Column.Type
			if k == types.Unknown {
				k = types.String
			}
			if i := out.Index(part.Column.Name.Name); i >= 0 {
				out.Columns[i].Type = k
			} else {
				out.Columns = append(out.Columns, types.Column{Name: part.Column.Name.Name, Type: k})
			}
		}
		if !hasCol && len(p.Pattern) == 0 {
			c.Errorf(op, "empty-pattern", "%s needs a pattern", op.OpName())
		}
		return out
	}
	RegisterOp("parse", f)
	RegisterOp("parse-where", f)
}
