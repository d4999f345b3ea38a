package check

import (
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	RegisterOp("parse-kv", func(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
		p := op.(*ast.ParseKV)
		c.Scalar(p.X, in, sc)
		for _, o := range p.With {
			switch strings.ToLower(o.Name) {
			case "pair_delimiter", "kv_delimiter", "quote", "escape", "greedy", "regex":
				c.Scalar(o.Value, nil, sc)
			default:
				c.Errorf(o, "bad-option", "unknown parse-kv property %s", o.Name)
			}
		}
		out := &types.Schema{Columns: append([]types.Column(nil), in.Columns...), Open: in.Open, OpenType: in.OpenType}
		for _, col := range p.Columns {
			if col.Name == nil {
				continue
			}
			k := col.Type
			if k == types.Unknown {
				k = types.String
			}
			if i := out.Index(col.Name.Name); i >= 0 {
				out.Columns[i].Type = k
			} else {
				out.Columns = append(out.Columns, types.Column{Name: col.Name.Name, Type: k})
			}
		}
		return out
	})
}
