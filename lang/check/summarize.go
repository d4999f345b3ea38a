package check

import (
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/funcs"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// SummarizeInfo is the Ref the checker records on a summarize operator.
type SummarizeInfo struct {
	Keys    []Key       // group keys, in output order (first columns)
	Aggs    []*AggCall  // aggregate calls to evaluate
	Outputs []AggOutput // the output columns after the keys
}

// Key is one group-by key.
type Key struct {
	Name string
	X    ast.Expr
	Type types.Kind
}

// AggCall is one aggregate call. Multi-output aggregates (arg_max, arg_min,
// percentiles with several percents) have len(Kinds) > 1 and their kernel's
// Finish returns a struct array with one field per output.
type AggCall struct {
	Call  *ast.Call
	Args  []ast.Expr   // arguments; `*` is expanded to column identifiers
	Kinds []types.Kind // output field kinds
}

// AggOutput is one output column of the aggregates part.
type AggOutput struct {
	Name  string
	Type  types.Kind
	Agg   int      // index into Aggs (direct outputs)
	Field int      // field of a multi-output aggregate
	X     ast.Expr // non-nil: an expression over aggregate results (the
	// calls in it are the Aggs' Call nodes; their value is field 0)
}

func (c *Checker) summarize(op *ast.Summarize, in *types.Schema, sc *Scope) *types.Schema {
	info := &SummarizeInfo{}
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
		info.Keys = append(info.Keys, Key{Name: name, X: b.X, Type: k})
		out.Columns = append(out.Columns, types.Column{Name: name, Type: k})
	}
	c.SummarizeAggs(op.Aggs, in, sc, nm, info)
	for _, o := range info.Outputs {
		out.Columns = append(out.Columns, types.Column{Name: o.Name, Type: o.Type})
	}
	op.Out().Ref = info
	return out
}

// SummarizeAggs checks aggregate expressions (of summarize, make-series,
// top-nested...) over rows of schema in and appends their calls and output
// columns to info; nm holds names already used by key columns (may be nil).
func (c *Checker) SummarizeAggs(items []*ast.NamedExpr, in *types.Schema, sc *Scope, nm *namer, info *SummarizeInfo) {
	if nm == nil {
		nm = newNamer()
		for _, k := range info.Keys {
			nm.used[k.Name] = true
		}
	}
	keyNames := map[string]bool{}
	for _, k := range info.Keys {
		keyNames[k.Name] = true
	}
	for _, it := range items {
		k, calls := c.Aggregate(it.X, in, sc)
		if len(calls) == 0 {
			if k != types.Unknown {
				c.Errorf(it.X, "not-aggregate", "summarize needs an aggregate function such as count() or sum(x)")
			}
			name := ""
			if len(it.Names) > 0 {
				name = nm.take(it.Names[0].Name)
			} else {
				name = nm.column()
			}
			info.Outputs = append(info.Outputs, AggOutput{Name: name, Type: k, Agg: -1, X: it.X})
			continue
		}
		direct := false
		if call, ok := unparen(it.X).(*ast.Call); ok && len(calls) == 1 && calls[0] == call {
			direct = true
		}
		first := len(info.Aggs)
		for _, call := range calls {
			info.Aggs = append(info.Aggs, c.aggCall(call, in, keyNames))
		}
		if !direct {
			name := ""
			if len(it.Names) > 0 {
				name = nm.take(it.Names[0].Name)
			} else if n := ExprName(it.X); n != "" {
				name = nm.take(n)
			} else {
				name = nm.column()
			}
			info.Outputs = append(info.Outputs, AggOutput{Name: name, Type: k, Agg: first, X: it.X})
			continue
		}
		ac := info.Aggs[first]
		names := aggOutNames(ac, in)
		for i := range ac.Kinds {
			name := ""
			if i < len(it.Names) {
				name = it.Names[i].Name
			} else if i < len(names) {
				name = names[i]
			}
			if name == "" {
				name = nm.column()
			} else {
				name = nm.take(name)
			}
			info.Outputs = append(info.Outputs, AggOutput{Name: name, Type: ac.Kinds[i], Agg: first, Field: i})
		}
		if len(it.Names) > len(ac.Kinds) {
			c.Errorf(it, "bad-names", "%d names given for %d aggregate results", len(it.Names), len(ac.Kinds))
		}
	}
}

func unparen(e ast.Expr) ast.Expr {
	for {
		p, ok := e.(*ast.Paren)
		if !ok {
			return e
		}
		e = p.X
	}
}

// aggCall expands `*` and computes output kinds.
func (c *Checker) aggCall(call *ast.Call, in *types.Schema, keyNames map[string]bool) *AggCall {
	ac := &AggCall{Call: call}
	name := strings.ToLower(call.Name.Name)
	if f := funcs.Lookup(name); f != nil {
		name = f.Name
	}
	rk := call.Info().Type
	switch name {
	case "arg_max", "arg_min":
		explicit := map[string]bool{}
		for _, a := range call.Args {
			if na, ok := a.(*ast.NamedArg); ok {
				a = na.Value
			}
			if id, ok := a.(*ast.Ident); ok {
				explicit[id.Name] = true
			}
		}
		for i, a := range call.Args {
			if _, ok := a.(*ast.Star); ok && i > 0 {
				if in != nil {
					for _, col := range in.Columns {
						if keyNames[col.Name] || explicit[col.Name] {
							continue
						}
						id := &ast.Ident{Pos: ast.Pos{Sp: a.Span()}, Name: col.Name}
						id.Info().Type = col.Type
						id.Info().Ref = &ColumnRef{Name: col.Name}
						ac.Args = append(ac.Args, id)
						ac.Kinds = append(ac.Kinds, col.Type)
					}
				}
				continue
			}
			ac.Args = append(ac.Args, a)
			ac.Kinds = append(ac.Kinds, a.Info().Type)
		}
		return ac
	case "take_any", "any":
		multi := len(call.Args) > 1
		for _, a := range call.Args {
			if _, ok := a.(*ast.Star); ok {
				multi = true
			}
		}
		if !multi {
			break
		}
		for _, a := range call.Args {
			if _, ok := a.(*ast.Star); ok {
				if in != nil {
					for _, col := range in.Columns {
						if keyNames[col.Name] {
							continue
						}
						id := &ast.Ident{Pos: ast.Pos{Sp: a.Span()}, Name: col.Name}
						id.Info().Type = col.Type
						id.Info().Ref = &ColumnRef{Name: col.Name}
						ac.Args = append(ac.Args, id)
						ac.Kinds = append(ac.Kinds, col.Type)
					}
				}
				continue
			}
			ac.Args = append(ac.Args, a)
			ac.Kinds = append(ac.Kinds, a.Info().Type)
		}
		return ac
	case "percentiles", "percentilesw":
		ac.Args = call.Args
		first := 1
		if name == "percentilesw" {
			first = 2
		}
		n := len(call.Args) - first
		if n < 1 {
			n = 1
		}
		for i := 0; i < n; i++ {
			ac.Kinds = append(ac.Kinds, rk)
		}
		return ac
	}
	ac.Args = call.Args
	ac.Kinds = []types.Kind{rk}
	return ac
}

func aggOutNames(ac *AggCall, in *types.Schema) []string {
	name := strings.ToLower(ac.Call.Name.Name)
	if name == "arg_max" || name == "arg_min" || ((name == "take_any" || name == "any") && len(ac.Kinds) > 1) {
		out := make([]string, len(ac.Args))
		for i, a := range ac.Args {
			out[i] = ExprName(a)
			if i == 0 && out[0] == "" {
				out[0] = strings.TrimPrefix(name, "arg_") + "_"
			}
		}
		return out
	}
	return AggName(ac.Call, in)
}
