package check

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// RenderInfo is the Op.Out().Ref of a render operator: the chart the query
// asks for, with its properties resolved (exec/chart draws it).
type RenderInfo struct {
	Kind           string   // timechart, linechart, ..., lower-case
	Title          string   // title=
	XTitle, YTitle string   // xtitle=, ytitle=
	XColumn        string   // xcolumn= ("" = Kusto's default)
	YColumns       []string // ycolumns=
	Series         []string // series=
	AnomalyColumns []string // anomalycolumns=
	Mode           string   // kind=: default, stacked, stacked100, unstacked, map
	YSplit         string   // ysplit=: none, axes, panels
	Legend         string   // legend=: visible, hidden
	XAxis, YAxis   string   // xaxis=, yaxis=: linear, log
	Accumulate     bool     // accumulate=
	YMin, YMax     *float64 // ymin=, ymax=
}

// RenderKinds lists the visualizations of `render`.
var RenderKinds = []string{"anomalychart", "areachart", "barchart", "card", "columnchart", "ladderchart",
	"linechart", "piechart", "pivotchart", "scatterchart", "stackedareachart", "table", "timechart",
	"timepivot", "treemap", "3dchart"}

func init() {
	RegisterOp("render", func(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
		r := op.(*ast.Render)
		op.Out().Ref = c.renderInfo(r, in)
		return in
	})
}

func (c *Checker) renderInfo(r *ast.Render, in *types.Schema) *RenderInfo {
	ri := &RenderInfo{Kind: strings.ToLower(r.Kind), Mode: "default", Legend: "visible", YSplit: "none", XAxis: "linear", YAxis: "linear"}
	known := false
	for _, k := range RenderKinds {
		known = known || k == ri.Kind
	}
	if !known {
		c.ErrorHint(r, "bad-render", Suggest(ri.Kind, RenderKinds), "unknown visualization %s", r.Kind)
	}
	cols := func(o *ast.Option) []string {
		var out []string
		items := []ast.Expr{o.Value}
		if t, ok := o.Value.(*ast.Tuple); ok {
			items = t.Items
		}
		for _, it := range items {
			name := renderText(it)
			if in != nil && !in.Open && in.Index(name) < 0 {
				c.ErrorHint(it, "unknown-column", Suggest(name, in.Names()), "render %s: unknown column %s", o.Name, name)
			}
			out = append(out, name)
		}
		return out
	}
	oneOf := func(o *ast.Option, vals ...string) string {
		v := strings.ToLower(renderText(o.Value))
		for _, w := range vals {
			if v == w {
				return v
			}
		}
		c.Errorf(o, "bad-render", "render %s must be one of %s, got %s", o.Name, strings.Join(vals, ", "), renderText(o.Value))
		return vals[0]
	}
	num := func(o *ast.Option) *float64 {
		f, err := strconv.ParseFloat(renderText(o.Value), 64)
		if err != nil {
			c.Errorf(o, "bad-render", "render %s needs a number", o.Name)
			return nil
		}
		return &f
	}
	for _, o := range r.With {
		switch strings.ToLower(o.Name) {
		case "title":
			ri.Title = renderText(o.Value)
		case "xtitle":
			ri.XTitle = renderText(o.Value)
		case "ytitle":
			ri.YTitle = renderText(o.Value)
		case "xcolumn":
			if cs := cols(o); len(cs) > 0 {
				ri.XColumn = cs[0]
			}
		case "ycolumns":
			ri.YColumns = cols(o)
		case "series":
			ri.Series = cols(o)
		case "anomalycolumns":
			ri.AnomalyColumns = cols(o)
		case "kind":
			ri.Mode = oneOf(o, "default", "stacked", "stacked100", "unstacked", "map")
		case "ysplit":
			ri.YSplit = oneOf(o, "none", "axes", "panels")
		case "legend":
			ri.Legend = oneOf(o, "visible", "hidden")
		case "xaxis":
			ri.XAxis = oneOf(o, "linear", "log")
		case "yaxis":
			ri.YAxis = oneOf(o, "linear", "log")
		case "accumulate":
			ri.Accumulate = strings.EqualFold(renderText(o.Value), "true")
		case "ymin":
			ri.YMin = num(o)
		case "ymax":
			ri.YMax = num(o)
		case "xmin", "xmax":
			// accepted, not used by kqlhunt's charts
		default:
			c.Errorf(o, "bad-render", "unknown render property %s", o.Name)
		}
	}
	return ri
}

// renderText is the text of a render property value: a name, a string or a
// number.
func renderText(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.Literal:
		if s, ok := e.Value.(string); ok {
			return s
		}
		if e.Raw != "" {
			return e.Raw
		}
		return fmt.Sprint(e.Value)
	case *ast.Unary:
		return "-" + renderText(e.X)
	}
	return ""
}
