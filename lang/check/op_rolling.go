package check

import (
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// rollingPercentile types `evaluate rolling_percentile(ValueColumn,
// Percentile, IndexColumn, BinSize, BinsWindow [, dim1, ...])`: the
// output is IndexColumn (binned), the dimensions, then
// rolling_<window>_percentile_<value>_<percentile> of the value's type.
func (c *Checker) rollingPercentile(op ast.Op, call *ast.Call, in *types.Schema, sc *Scope) *types.Schema {
	op.Out().Ref = &EvaluateInfo{Plugin: "rolling_percentile"}
	for _, a := range call.Args {
		c.pluginArg(a, in, sc)
	}
	if len(call.Args) < 5 {
		c.Errorf(call, "bad-args", "rolling_percentile(ValueColumn, Percentile, IndexColumn, BinSize, BinsWindow [, dimensions...]) needs at least 5 arguments")
		return &types.Schema{Open: true}
	}
	col := func(e ast.Expr) (types.Column, bool) {
		id, ok := e.(*ast.Ident)
		if !ok || in.Index(id.Name) < 0 {
			c.Errorf(e, "not-column", "rolling_percentile needs a column here")
			return types.Column{}, false
		}
		return in.Columns[in.Index(id.Name)], true
	}
	val, ok1 := col(call.Args[0])
	idx, ok2 := col(call.Args[2])
	if !ok1 || !ok2 {
		return &types.Schema{Open: true}
	}
	out := &types.Schema{Columns: []types.Column{idx}}
	for _, d := range call.Args[5:] {
		if dc, ok := col(d); ok {
			out.Columns = append(out.Columns, dc)
		}
	}
	pct := strings.ReplaceAll(constTextOf(call.Args[1]), ".", "_")
	win := constTextOf(call.Args[4])
	out.Columns = append(out.Columns, types.Column{Name: "rolling_" + win + "_percentile_" + val.Name + "_" + pct, Type: val.Type})
	return out
}

func constTextOf(e ast.Expr) string {
	if lit, ok := e.(*ast.Literal); ok {
		if lit.Raw != "" {
			return lit.Raw
		}
	}
	return ExprName(e)
}

// dcountIntersect types `evaluate dcount_intersect(hll1, hll2, ...)`: the
// input columns and s0, s1, ... (long), the distinct counts of the
// intersections hll1, hll1∩hll2, ...
func (c *Checker) dcountIntersect(op ast.Op, call *ast.Call, in *types.Schema, sc *Scope) *types.Schema {
	op.Out().Ref = &EvaluateInfo{Plugin: "dcount_intersect"}
	for _, a := range call.Args {
		c.pluginArg(a, in, sc)
	}
	if len(call.Args) < 2 || len(call.Args) > 16 {
		c.Errorf(call, "bad-args", "dcount_intersect takes 2 to 16 hll values")
	}
	out := &types.Schema{Open: in.Open, OpenType: in.OpenType, Columns: append([]types.Column(nil), in.Columns...)}
	for i := range call.Args {
		out.Columns = append(out.Columns, types.Column{Name: "s" + itoa(i), Type: types.Long})
	}
	return out
}

// activityCountsMetrics types `evaluate activity_counts_metrics(IdColumn,
// TimelineColumn, Start, End, Step [, dim1, ...])`: the timeline column,
// the dimensions, count, dcount, new_dcount and aggregated_dcount (long).
func (c *Checker) activityCountsMetrics(op ast.Op, call *ast.Call, in *types.Schema, sc *Scope) *types.Schema {
	op.Out().Ref = &EvaluateInfo{Plugin: "activity_counts_metrics"}
	for _, a := range call.Args {
		c.pluginArg(a, in, sc)
	}
	if len(call.Args) < 5 {
		c.Errorf(call, "bad-args", "activity_counts_metrics(IdColumn, TimelineColumn, Start, End, Step [, dimensions...]) needs at least 5 arguments")
		return &types.Schema{Open: true}
	}
	out := &types.Schema{}
	cols := append([]ast.Expr{call.Args[1]}, call.Args[5:]...)
	for _, e := range append(cols, call.Args[0]) {
		id, ok := e.(*ast.Ident)
		if !ok || in.Index(id.Name) < 0 {
			c.Errorf(e, "not-column", "activity_counts_metrics needs a column here")
			return &types.Schema{Open: true}
		}
		if e != call.Args[0] {
			out.Columns = append(out.Columns, in.Columns[in.Index(id.Name)])
		}
	}
	for _, n := range []string{"count", "dcount", "new_dcount", "aggregated_dcount"} {
		out.Columns = append(out.Columns, types.Column{Name: n, Type: types.Long})
	}
	return out
}

// activeUsersCount types `evaluate active_users_count(IdColumn,
// TimelineColumn, Start, End, LookbackWindow, Period, ActivePeriodsCount,
// Bin [, dim1, ...])`: the timeline column, the dimensions and dcount.
func (c *Checker) activeUsersCount(op ast.Op, call *ast.Call, in *types.Schema, sc *Scope) *types.Schema {
	op.Out().Ref = &EvaluateInfo{Plugin: "active_users_count"}
	for _, a := range call.Args {
		c.pluginArg(a, in, sc)
	}
	if len(call.Args) < 8 {
		c.Errorf(call, "bad-args", "active_users_count(IdColumn, TimelineColumn, Start, End, LookbackWindow, Period, ActivePeriodsCount, Bin [, dimensions...]) needs at least 8 arguments")
		return &types.Schema{Open: true}
	}
	out := &types.Schema{}
	for _, e := range append([]ast.Expr{call.Args[0], call.Args[1]}, call.Args[8:]...) {
		id, ok := e.(*ast.Ident)
		if !ok || in.Index(id.Name) < 0 {
			c.Errorf(e, "not-column", "active_users_count needs a column here")
			return &types.Schema{Open: true}
		}
		if e != call.Args[0] {
			out.Columns = append(out.Columns, in.Columns[in.Index(id.Name)])
		}
	}
	out.Columns = append(out.Columns, types.Column{Name: "dcount", Type: types.Long})
	return out
}
