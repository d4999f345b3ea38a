package check

import (
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// MvExpandInfo is the Out().Ref of a checked mv-expand (and mv-apply).
type MvExpandInfo struct {
	Items     []MvItemInfo
	BagArray  bool   // bagexpansion=array / kind=array
	IndexName string // with_itemindex
}

// MvItemInfo describes one expanded item.
type MvItemInfo struct {
	Name   string     // output column name
	Column bool       // the item is a plain column reference (expanded in place)
	To     types.Kind // element type (Dynamic when no `to typeof()`)
}

func init() {
	RegisterOp("mv-expand", func(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
		m := op.(*ast.MvExpand)
		out, info := c.mvItems(op, m.Options, m.Items, m.Limit, in, sc)
		op.Out().Ref = info
		return out
	})
}

// mvItems checks mv-expand/mv-apply items and computes the expanded schema.
func (c *Checker) mvItems(op ast.Op, opts []*ast.Option, items []*ast.MvExpandItem, limit ast.Expr, in *types.Schema, sc *Scope) (*types.Schema, *MvExpandInfo) {
	info := &MvExpandInfo{}
	for _, o := range opts {
		switch strings.ToLower(o.Name) {
		case "bagexpansion", "kind":
			switch v := strings.ToLower(OptionText(o.Value)); v {
			case "bag":
			case "array":
				info.BagArray = true
			default:
				c.Errorf(o, "bad-option", "%s must be bag or array, not %q", o.Name, v)
			}
		case "with_itemindex":
			info.IndexName = OptionText(o.Value)
		}
	}
	out := &types.Schema{Columns: append([]types.Column(nil), in.Columns...), Open: in.Open, OpenType: in.OpenType}
	nm := newNamer()
	for _, col := range in.Columns {
		nm.take(col.Name)
	}
	for _, it := range items {
		k := c.Scalar(it.X, in, sc)
		if k != types.Dynamic && k != types.Unknown && k != types.Null {
			// Kusto expands only dynamic values; other scalars expand to themselves.
			_ = k
		}
		mi := MvItemInfo{To: it.To}
		if mi.To == types.Unknown {
			mi.To = types.Dynamic
		}
		if it.Name != nil {
			mi.Name = it.Name.Name
		} else if id, ok := it.X.(*ast.Ident); ok {
			mi.Name = id.Name
			mi.Column = in.Index(id.Name) >= 0
		} else if n := ExprName(it.X); n != "" {
			mi.Name = n
		} else {
			mi.Name = nm.column()
		}
		if i := out.Index(mi.Name); i >= 0 {
			out.Columns[i].Type = mi.To
		} else {
			out.Columns = append(out.Columns, types.Column{Name: mi.Name, Type: mi.To})
		}
		info.Items = append(info.Items, mi)
	}
	if limit != nil {
		if k := c.Scalar(limit, nil, sc); !k.IsNumeric() && k != types.Unknown {
			c.Errorf(limit, "bad-limit", "%s limit must be a number", op.OpName())
		}
	}
	if info.IndexName != "" {
		out.Columns = append(out.Columns, types.Column{Name: info.IndexName, Type: types.Long})
	}
	return out, info
}
