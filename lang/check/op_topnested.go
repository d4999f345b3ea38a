package check

import (
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// TopNestedInfo is the Out().Ref of a checked top-nested.
type TopNestedInfo struct {
	Levels []TopNestedLevelInfo
}

// TopNestedLevelInfo is one checked level: its key, its aggregation (one
// output), the row limit N (nil: all), the order and `with others`.
type TopNestedLevelInfo struct {
	Key    Key
	Sum    *SummarizeInfo
	AggCol string
	N      ast.Expr
	Desc   bool
	Others ast.Expr
}

func init() {
	RegisterOp("top-nested", func(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
		t := op.(*ast.TopNested)
		info := &TopNestedInfo{}
		op.Out().Ref = info
		out := &types.Schema{}
		nm := newNamer()
		for _, lv := range t.Levels {
			li := TopNestedLevelInfo{N: lv.N, Others: lv.Others, Desc: !strings.EqualFold(lv.Order, "asc")}
			if lv.N != nil {
				c.Scalar(lv.N, nil, sc)
			}
			if lv.Others != nil {
				c.Scalar(lv.Others, nil, sc)
			}
			if lv.Of == nil || lv.By == nil {
				c.Errorf(op, "bad-level", "top-nested levels need `of` and `by`")
				continue
			}
			k := c.Scalar(lv.Of.X, in, sc)
			name := ""
			if len(lv.Of.Names) > 0 {
				name = lv.Of.Names[0].Name
			} else {
				name = ExprName(lv.Of.X)
			}
			if name == "" {
				name = nm.column()
			} else {
				name = nm.take(name)
			}
			li.Key = Key{Name: name, X: lv.Of.X, Type: k}
			out.Columns = append(out.Columns, types.Column{Name: name, Type: k})
			by := lv.By
			if len(by.Names) == 0 {
				by = &ast.NamedExpr{Pos: by.Pos, X: by.X, Names: []*ast.Ident{{Pos: by.Pos, Name: "aggregated_" + name}}}
			}
			li.Sum = &SummarizeInfo{}
			c.SummarizeAggs([]*ast.NamedExpr{by}, in, sc, nm, li.Sum)
			if len(li.Sum.Outputs) > 0 {
				o := li.Sum.Outputs[0]
				li.AggCol = o.Name
				out.Columns = append(out.Columns, types.Column{Name: o.Name, Type: o.Type})
			}
			info.Levels = append(info.Levels, li)
		}
		return out
	})
}
