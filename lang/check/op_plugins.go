package check

import (
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Output schemas of Kusto's built-in `evaluate` plugins that the engine
// does not run yet (exec/plan answers "plugin X is not supported yet"), so
// that `check` types the queries that use them. The schemas are the
// documented ones (Kusto plugin reference pages):
//
//	autocluster(...), basket(...)       SegmentId:long, Count:long, Percent:real, then the input columns
//	diffpatterns(Split, "A", "B", ...)  SegmentId, CountA, CountB (long), PercentA, PercentB, PercentDiffAB (real), the input columns
//	sliding_window_counts(Id, Time, Start, End, LookBack, Bin [, dims])  Time, dims, Count:long, Dcount:long
//	session_count(Id, Time, Start, End, Bin, LookBack [, dims])          Time, dims, count_sessions:long
//	activity_metrics(Id, Time, Start, End, Window [, dims])             Time, dims, dcount_values, dcount_newvalues (long), retention_rate, churn_rate (real)
//	activity_engagement(Id, Time, [Start, End,] Inner, Outer [, dims])   Time, dims, dcount_activities_inner, dcount_activities_outer (long), activity_ratio (real)
//	new_activity_metrics(Id, Time, Start, End, Window [, Cohort, dims])  from_Time, to_Time, dims, dcount_new_values, dcount_retained_values, dcount_churn_values (long), retention_rate, churn_rate (real)
//	funnel_sequence(Id, Time, Start, End, MaxStep, Step, State, Seq)    Time, prev, next (State's type), dcount:long, samples:dynamic

// builtinPluginSchema types one of these plugins; ok is false for other names.
func (c *Checker) builtinPluginSchema(name string, op ast.Op, call *ast.Call, in *types.Schema, sc *Scope) (*types.Schema, bool) {
	long := func(names ...string) []types.Column {
		var out []types.Column
		for _, n := range names {
			out = append(out, types.Column{Name: n, Type: types.Long})
		}
		return out
	}
	real := func(names ...string) []types.Column {
		var out []types.Column
		for _, n := range names {
			out = append(out, types.Column{Name: n, Type: types.Real})
		}
		return out
	}
	switch name {
	case "autocluster", "basket", "diffpatterns":
		op.Out().Ref = &EvaluateInfo{Plugin: name}
		for _, a := range call.Args {
			c.pluginArg(a, in, sc)
		}
		out := &types.Schema{}
		if name == "diffpatterns" {
			if len(call.Args) < 3 {
				c.Errorf(call, "bad-args", "diffpatterns(SplitColumn, SplitValueA, SplitValueB [, ...]) needs at least 3 arguments")
			}
			out.Columns = append(long("SegmentId", "CountA", "CountB"), real("PercentA", "PercentB", "PercentDiffAB")...)
		} else {
			out.Columns = append(long("SegmentId", "Count"), real("Percent")...)
		}
		if in != nil {
			out.Columns = append(out.Columns, in.Columns...)
		}
		return out, true
	}
	type shape struct {
		min   int      // arguments before the dimensions
		front []string // extra per-timeline columns (new_activity_metrics)
		tail  []types.Column
	}
	shapes := map[string]shape{
		"sliding_window_counts": {min: 6, tail: long("Count", "Dcount")},
		"session_count":         {min: 6, tail: long("count_sessions")},
		"activity_metrics":      {min: 5, tail: append(long("dcount_values", "dcount_newvalues"), real("retention_rate", "churn_rate")...)},
		"activity_engagement":   {min: 4, tail: append(long("dcount_activities_inner", "dcount_activities_outer"), real("activity_ratio")...)},
		"new_activity_metrics":  {min: 5, front: []string{"from_", "to_"}, tail: append(long("dcount_new_values", "dcount_retained_values", "dcount_churn_values"), real("retention_rate", "churn_rate")...)},
	}
	sh, ok := shapes[name]
	if name == "funnel_sequence" {
		sh, ok = shape{min: 8}, true
	}
	if !ok {
		return nil, false
	}
	op.Out().Ref = &EvaluateInfo{Plugin: name}
	reported := map[ast.Expr]bool{}
	for _, a := range call.Args {
		if _, isID := a.(*ast.Ident); isID {
			// a column (IdColumn, TimelineColumn, dimensions) or a let-bound
			// constant (Start, End, windows): misspellings are unknown columns
			n := len(c.diags)
			c.Scalar(a, in, sc)
			reported[a] = len(c.diags) > n
			continue
		}
		c.pluginArg(a, in, sc)
	}
	if len(call.Args) < sh.min {
		c.Errorf(call, "bad-args", "%s needs at least %d arguments (IdColumn, TimelineColumn, ...)", name, sh.min)
		return &types.Schema{Open: true}, true
	}
	column := func(e ast.Expr) (types.Column, bool) {
		id, isID := e.(*ast.Ident)
		if !isID || in == nil || in.Index(id.Name) < 0 {
			if !reported[e] {
				c.Errorf(e, "not-column", "%s needs a column here", name)
			}
			return types.Column{}, false
		}
		return in.Columns[in.Index(id.Name)], true
	}
	for _, e := range []ast.Expr{call.Args[0], call.Args[1]} {
		if _, ok := column(e); !ok {
			return &types.Schema{Open: true}, true
		}
	}
	tl, _ := column(call.Args[1])
	out := &types.Schema{}
	if len(sh.front) > 0 {
		for _, p := range sh.front {
			out.Columns = append(out.Columns, types.Column{Name: p + tl.Name, Type: tl.Type})
		}
	} else {
		out.Columns = append(out.Columns, tl)
	}
	if name == "funnel_sequence" {
		st, ok := column(call.Args[6])
		if !ok {
			return &types.Schema{Open: true}, true
		}
		out.Columns = append(out.Columns, types.Column{Name: "prev", Type: st.Type}, types.Column{Name: "next", Type: st.Type},
			types.Column{Name: "dcount", Type: types.Long}, types.Column{Name: "samples", Type: types.Dynamic})
		return out, true
	}
	dims := call.Args[sh.min:]
	if name == "new_activity_metrics" {
		// [Cohort, dim1, ..., Lookback]: the cohort name and look-back
		// window are constants; the columns among them are the dimensions
		var cols []ast.Expr
		for _, d := range dims {
			if id, isID := d.(*ast.Ident); isID && in.Index(id.Name) >= 0 {
				cols = append(cols, d)
			}
		}
		dims = cols
	}
	if name == "activity_engagement" && len(call.Args) >= 6 {
		// (Id, Time, Start, End, Inner, Outer, dims...) when the 3rd and
		// 4th arguments are not columns; (Id, Time, Inner, Outer, dims...) otherwise
		if id, isID := call.Args[2].(*ast.Ident); !isID || in.Index(id.Name) < 0 {
			dims = call.Args[6:]
		}
	}
	for _, d := range dims {
		col, ok := column(d)
		if !ok {
			return &types.Schema{Open: true}, true
		}
		out.Columns = append(out.Columns, col)
	}
	out.Columns = append(out.Columns, sh.tail...)
	return out, true
}
