package check

import (
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// EvaluateInfo is the Out().Ref of a checked `evaluate` of a built-in plugin.
type EvaluateInfo struct {
	Plugin string // lower-case plugin name
	// Pivot: the pivot column, the aggregation (Sum.Aggs/Outputs; count()
	// when none was given) and the group-by columns (Sum.Keys).
	PivotCol string
	Sum      *SummarizeInfo
}

func init() {
	RegisterOp("evaluate", func(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
		ev := op.(*ast.Evaluate)
		if ev.Call == nil || ev.Call.Name == nil {
			c.Errorf(op, "no-plugin", "evaluate needs a plugin call")
			return &types.Schema{Open: true}
		}
		name := strings.ToLower(ev.Call.Name.Name)
		switch name {
		case "bag_unpack":
			return c.bagUnpack(op, ev.Call, in, sc)
		case "pivot":
			return c.pivot(op, ev.Call, in, sc)
		case "ipv4_lookup":
			return c.ipv4Lookup(op, ev.Call, in, sc)
		case "rolling_percentile":
			return c.rollingPercentile(op, ev.Call, in, sc)
		case "dcount_intersect":
			return c.dcountIntersect(op, ev.Call, in, sc)
		case "activity_counts_metrics":
			return c.activityCountsMetrics(op, ev.Call, in, sc)
		case "active_users_count":
			return c.activeUsersCount(op, ev.Call, in, sc)
		}
		if c.env.Plugin != nil && c.env.Plugin(name) != nil {
			// an external plugin of this name comes first (below)
		} else if s, ok := c.builtinPluginSchema(name, op, ev.Call, in, sc); ok {
			return s
		}
		if c.env.Plugin != nil {
			if f := c.env.Plugin(name); f != nil {
				for _, a := range ev.Call.Args {
					c.pluginArg(a, in, sc)
				}
				s, err := f(c, ev.Call, in)
				if err != nil {
					c.Errorf(ev.Call, "plugin", "%s: %v", name, err)
					return &types.Schema{Open: true}
				}
				return s
			}
		}
		c.Errorf(ev.Call.Name, "unknown-plugin", "unknown plugin %s", ev.Call.Name.Name)
		return &types.Schema{Open: true}
	})
}

func (c *Checker) pluginArg(a ast.Expr, in *types.Schema, sc *Scope) {
	if na, ok := a.(*ast.NamedArg); ok {
		c.Scalar(na.Value, in, sc)
		return
	}
	if _, ok := a.(*ast.Star); ok {
		return
	}
	// A name of an input column is a column argument, even where a table
	// of that name exists.
	if id, ok := a.(*ast.Ident); ok && in.Index(id.Name) >= 0 {
		c.Scalar(a, in, sc)
		return
	}
	if IsTabular(a, sc) {
		c.Tabular(a, sc)
		return
	}
	c.Scalar(a, in, sc)
}

func (c *Checker) bagUnpack(op ast.Op, call *ast.Call, in *types.Schema, sc *Scope) *types.Schema {
	op.Out().Ref = &EvaluateInfo{Plugin: "bag_unpack"}
	if len(call.Args) == 0 {
		c.Errorf(call, "bad-args", "bag_unpack needs a dynamic column")
		return &types.Schema{Open: true}
	}
	id, ok := call.Args[0].(*ast.Ident)
	if !ok {
		c.Errorf(call.Args[0], "bad-args", "bag_unpack's first argument must be a column")
		return &types.Schema{Open: true}
	}
	c.Scalar(id, in, sc)
	for _, a := range call.Args[1:] {
		c.pluginArg(a, nil, sc)
	}
	out := &types.Schema{Open: true}
	for _, col := range in.Columns {
		if col.Name != id.Name {
			out.Columns = append(out.Columns, col)
		}
	}
	if ev, ok := op.(*ast.Evaluate); ok && ev.Schema != nil && ev.Schema.Tabular {
		// `: (*, Name:string, ...)`: the input's other columns (with *),
		// then the declared ones, in order; nothing else
		s := &types.Schema{}
		if ev.Schema.Star {
			s.Columns = append(s.Columns, out.Columns...)
		}
		for _, d := range ev.Schema.Columns {
			col := types.Column{Name: d.Name.Name, Type: d.Type}
			if i := s.Index(col.Name); i >= 0 {
				s.Columns[i] = col
			} else {
				s.Columns = append(s.Columns, col)
			}
		}
		return s
	}
	return out
}

func (c *Checker) pivot(op ast.Op, call *ast.Call, in *types.Schema, sc *Scope) *types.Schema {
	info := &EvaluateInfo{Plugin: "pivot", Sum: &SummarizeInfo{}}
	op.Out().Ref = info
	if len(call.Args) == 0 {
		c.Errorf(call, "bad-args", "pivot needs a pivot column")
		return &types.Schema{Open: true}
	}
	id, ok := call.Args[0].(*ast.Ident)
	if !ok {
		c.Errorf(call.Args[0], "bad-args", "pivot's first argument must be a column")
		return &types.Schema{Open: true}
	}
	c.Scalar(id, in, sc)
	info.PivotCol = id.Name
	rest := call.Args[1:]
	var agg ast.Expr
	if len(rest) > 0 {
		if _, isCall := rest[0].(*ast.Call); isCall {
			agg, rest = rest[0], rest[1:]
		}
	}
	if agg == nil {
		agg = &ast.Call{Pos: call.Pos, Name: &ast.Ident{Pos: call.Pos, Name: "count"}}
	}
	used := map[string]bool{id.Name: true}
	Walk(agg, func(e ast.Expr) bool {
		if x, ok := e.(*ast.Ident); ok {
			used[x.Name] = true
		}
		return true
	})
	var keys []*ast.Ident
	if len(rest) > 0 {
		for _, a := range rest {
			k, ok := a.(*ast.Ident)
			if !ok {
				c.Errorf(a, "bad-args", "pivot's group-by arguments must be columns")
				continue
			}
			keys = append(keys, k)
		}
	} else {
		for _, col := range in.Columns {
			if !used[col.Name] {
				keys = append(keys, &ast.Ident{Pos: call.Pos, Name: col.Name})
			}
		}
	}
	out := &types.Schema{Open: true}
	for _, k := range keys {
		t := c.Scalar(k, in, sc)
		info.Sum.Keys = append(info.Sum.Keys, Key{Name: k.Name, X: k, Type: t})
		out.Columns = append(out.Columns, types.Column{Name: k.Name, Type: t})
	}
	c.SummarizeAggs([]*ast.NamedExpr{{Pos: ast.Pos{Sp: agg.Span()}, X: agg}}, in, sc, nil, info.Sum)
	return out
}

func (c *Checker) ipv4Lookup(op ast.Op, call *ast.Call, in *types.Schema, sc *Scope) *types.Schema {
	op.Out().Ref = &EvaluateInfo{Plugin: "ipv4_lookup"}
	var pos []ast.Expr
	for _, a := range call.Args {
		if na, ok := a.(*ast.NamedArg); ok {
			c.Scalar(na.Value, nil, sc)
			continue
		}
		pos = append(pos, a)
	}
	if len(pos) < 3 {
		c.Errorf(call, "bad-args", "ipv4_lookup needs (LookupTable, SourceIPv4Key, IPv4LookupKey)")
		return &types.Schema{Open: true}
	}
	ls := c.Tabular(pos[0], sc)
	if ls == nil {
		ls = &types.Schema{Open: true}
	}
	c.Scalar(pos[1], in, sc)
	if id, ok := pos[2].(*ast.Ident); !ok || (ls.Index(id.Name) < 0 && !ls.Open) {
		c.Errorf(pos[2], "bad-args", "ipv4_lookup's third argument must be a column of the lookup table")
	}
	return JoinSchema(in, ls, "leftouter")
}
