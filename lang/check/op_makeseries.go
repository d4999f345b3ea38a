package check

import (
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// MakeSeriesInfo is the Out().Ref of a checked make-series.
type MakeSeriesInfo struct {
	Sum      *SummarizeInfo // Keys: the by keys; Aggs/Outputs: the series
	Defaults []ast.Expr     // per output (nil: 0)
	Axis     string         // name of the axis column
	AxisKind types.Kind     // kind of the on expression
	NonEmpty bool           // kind=nonempty
}

func init() {
	RegisterOp("make-series", func(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
		return c.makeSeries(op.(*ast.MakeSeries), in, sc)
	})
}

func msConstExpr(e ast.Expr) bool {
	ok := true
	Walk(e, func(x ast.Expr) bool {
		switch x.(type) {
		case *ast.Ident, *ast.Call, *ast.Star:
			ok = false
			return false
		}
		return true
	})
	return ok
}

func (c *Checker) makeSeries(op *ast.MakeSeries, in *types.Schema, sc *Scope) *types.Schema {
	info := &MakeSeriesInfo{Sum: &SummarizeInfo{}}
	op.Out().Ref = info
	if o := FindOption(op.Options, "kind"); o != nil {
		switch k := strings.ToLower(OptionText(o.Value)); k {
		case "nonempty":
			info.NonEmpty = true
		default:
			c.Errorf(o, "bad-kind", "make-series kind must be nonempty, not %q", k)
		}
	}
	info.AxisKind = c.Scalar(op.On, in, sc)
	switch info.AxisKind {
	case types.DateTime, types.TimeSpan, types.Int, types.Long, types.Real, types.Decimal, types.Unknown:
	default:
		c.Errorf(op.On, "bad-axis", "make-series needs a datetime, timespan or numeric axis, got %s", info.AxisKind)
	}
	for _, e := range []ast.Expr{op.From, op.To, op.Step} {
		if e != nil {
			c.Scalar(e, nil, sc)
		}
	}
	if op.Step == nil {
		c.Errorf(op, "no-step", "make-series needs a step")
	}
	nm := newNamer()
	out := &types.Schema{}
	for _, b := range op.By {
		k := c.Scalar(b.X, in, sc)
		name := ""
		if len(b.Names) > 0 {
			name = b.Names[0].Name
		} else {
			name = ExprName(b.X)
		}
		if name == "" {
			name = nm.column()
		} else {
			name = nm.take(name)
		}
		info.Sum.Keys = append(info.Sum.Keys, Key{Name: name, X: b.X, Type: k})
		out.Columns = append(out.Columns, types.Column{Name: name, Type: k})
	}
	for _, a := range op.Aggs {
		if a.Agg == nil {
			continue
		}
		if msConstExpr(a.Agg.X) {
			k := c.Scalar(a.Agg.X, nil, sc)
			name := ""
			if len(a.Agg.Names) > 0 {
				name = nm.take(a.Agg.Names[0].Name)
			} else {
				name = nm.column()
			}
			info.Sum.Outputs = append(info.Sum.Outputs, AggOutput{Name: name, Type: k, Agg: -1, X: a.Agg.X})
		} else {
			c.SummarizeAggs([]*ast.NamedExpr{a.Agg}, in, sc, nm, info.Sum)
		}
		if a.Default != nil {
			c.Scalar(a.Default, nil, sc)
		}
		for len(info.Defaults) < len(info.Sum.Outputs) {
			info.Defaults = append(info.Defaults, a.Default)
		}
	}
	for _, o := range info.Sum.Outputs {
		out.Columns = append(out.Columns, types.Column{Name: o.Name, Type: types.Dynamic})
	}
	info.Axis = ExprName(op.On)
	if info.Axis == "" {
		info.Axis = nm.column()
	} else {
		info.Axis = nm.take(info.Axis)
	}
	out.Columns = append(out.Columns, types.Column{Name: info.Axis, Type: types.Dynamic})
	return out
}
