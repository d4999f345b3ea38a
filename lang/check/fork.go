package check

import (
	"strconv"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Operators with several result tables: fork and facet.
//
// Both must end the query's result statement (Kusto: no operator can follow
// them, and their tables cannot be referenced). The checker types every
// result table and names it; the planner (exec/plan/build_fork.go) runs
// them over one materialized input.

// DefaultResultName is the name of an unnamed fork branch's table; the
// next unnamed ones are GenericResult_2, GenericResult_3, ... (Kusto docs).
const DefaultResultName = "GenericResult"

// ResultTable is one checked result table of a fork or facet.
type ResultTable struct {
	Name   string
	Schema *types.Schema
	// Ops are the operators applied to the operator's input to produce
	// the table (a fork branch, facet's with clause, or the synthesized
	// `summarize count_C = count() by C` of a facet column), checked.
	Ops []ast.Op
}

// MultiInfo is the Out().Ref of a checked fork or facet: its result tables
// in output order. The operator's Out().Schema is Tables[0]'s schema.
type MultiInfo struct {
	Tables []ResultTable
}

// IsMultiResult reports whether op returns several tables (fork, facet).
func IsMultiResult(op ast.Op) bool {
	switch op.(type) {
	case *ast.Fork, *ast.Facet:
		return true
	}
	return false
}

func init() {
	RegisterOp("fork", checkFork)
	RegisterOp("facet", checkFacet)
}

// resultNamer gives result tables unique names: explicit names are kept
// (a repeated explicit name is an error), unnamed tables are numbered.
type resultNamer struct {
	used    map[string]bool
	unnamed int
}

func (n *resultNamer) unique(name string) string {
	if !n.used[name] {
		n.used[name] = true
		return name
	}
	for i := 2; ; i++ {
		c := name + "_" + strconv.Itoa(i)
		if !n.used[c] {
			n.used[c] = true
			return c
		}
	}
}

// generic returns GenericResult, GenericResult_2, ... skipping used names.
func (n *resultNamer) generic() string {
	for {
		n.unnamed++
		c := DefaultResultName
		if n.unnamed > 1 {
			c += "_" + strconv.Itoa(n.unnamed)
		}
		if !n.used[c] {
			n.used[c] = true
			return c
		}
	}
}

// trailingAs returns the name given by the last `as` of a sub-pipe.
func trailingAs(ops []ast.Op) *ast.Ident {
	for i := len(ops) - 1; i >= 0; i-- {
		if a, ok := ops[i].(*ast.As); ok && a.Name != nil {
			return a.Name
		}
	}
	return nil
}

func checkFork(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
	f := op.(*ast.Fork)
	info := &MultiInfo{}
	op.Out().Ref = info
	if len(f.Branches) == 0 {
		c.Errorf(op, "bad-fork", "fork needs at least one (subquery)")
		return &types.Schema{Open: true}
	}
	names := make([]*ast.Ident, len(f.Branches))
	rn := &resultNamer{used: map[string]bool{}}
	for i, br := range f.Branches {
		var ops []ast.Op
		if br.Ops != nil {
			ops = br.Ops.Ops
		}
		names[i] = br.Name
		if names[i] == nil {
			names[i] = trailingAs(ops)
		}
		if n := names[i]; n != nil {
			if rn.used[n.Name] {
				c.Errorf(n, "duplicate-result", "fork returns two tables called %s", n.Name)
			}
			rn.used[n.Name] = true
		}
	}
	for i, br := range f.Branches {
		var ops []ast.Op
		if br.Ops != nil {
			ops = br.Ops.Ops
		}
		s := c.Pipe(in, ops, newScope(sc))
		if br.Ops != nil {
			br.Ops.Info().Schema = s
		}
		name := ""
		if names[i] != nil {
			name = names[i].Name
		} else {
			name = rn.generic()
		}
		info.Tables = append(info.Tables, ResultTable{Name: name, Schema: s, Ops: ops})
	}
	return info.Tables[0].Schema
}

func checkFacet(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
	f := op.(*ast.Facet)
	info := &MultiInfo{}
	op.Out().Ref = info
	rn := &resultNamer{used: map[string]bool{}}
	var withName *ast.Ident
	if f.With != nil {
		withName = trailingAs(f.With.Ops)
		if withName != nil {
			rn.used[withName.Name] = true
		}
	}
	var tables []ResultTable
	for _, col := range f.Columns {
		if col == nil {
			continue
		}
		sum := facetSummarize(col)
		s := c.Op(sum, in, sc)
		if s == nil {
			s = &types.Schema{Open: true}
		}
		sum.Out().Schema = s
		tables = append(tables, ResultTable{Name: rn.unique(col.Name), Schema: s, Ops: []ast.Op{sum}})
	}
	if f.With != nil {
		s := c.Pipe(in, f.With.Ops, newScope(sc))
		f.With.Info().Schema = s
		name := ""
		if withName != nil {
			name = withName.Name
		} else {
			name = rn.generic()
		}
		info.Tables = append(info.Tables, ResultTable{Name: name, Schema: s, Ops: f.With.Ops})
	}
	info.Tables = append(info.Tables, tables...)
	if len(info.Tables) == 0 {
		c.Errorf(op, "bad-facet", "facet needs at least one column")
		return &types.Schema{Open: true}
	}
	return info.Tables[0].Schema
}

// facetSummarize is the `summarize count_C = count() by C` a facet column
// stands for, positioned on the column so that errors point at it.
func facetSummarize(col *ast.Ident) *ast.Summarize {
	pos := col.Pos
	key := &ast.Ident{Pos: pos, Name: col.Name, Quoted: col.Quoted}
	count := &ast.Call{Pos: pos, Name: &ast.Ident{Pos: pos, Name: "count"}}
	return &ast.Summarize{
		OpBase: ast.OpBase{Pos: pos},
		Aggs:   []*ast.NamedExpr{{Pos: pos, Names: []*ast.Ident{{Pos: pos, Name: "count_" + col.Name}}, X: count}},
		By:     []*ast.NamedExpr{{Pos: pos, X: key}},
	}
}

// multiResults reports fork and facet operators that do not end the
// query's result statement: an operator after them, or their use inside a
// let, a function body, a sub-query or an earlier statement.
func (c *Checker) multiResults(q *ast.Query) {
	var final ast.Op
	for i := len(q.Stmts) - 1; i >= 0; i-- {
		if es, ok := q.Stmts[i].(*ast.ExprStmt); ok {
			if p := ResultPipe(es.X); p != nil && len(p.Ops) > 0 {
				final = p.Ops[len(p.Ops)-1]
			}
			break
		}
	}
	flagged := map[ast.Op]bool{}
	ast.Inspect(q, func(n any) bool {
		p, ok := n.(*ast.Pipe)
		if !ok {
			return true
		}
		for i, op := range p.Ops {
			if !IsMultiResult(op) || flagged[op] {
				continue
			}
			if i < len(p.Ops)-1 {
				flagged[op] = true
				next := p.Ops[i+1]
				c.Errorf(next, "after-"+op.OpName(), "%s cannot follow %s: %s returns several tables and must be the last operator of the query", next.OpName(), op.OpName(), op.OpName())
				continue
			}
			if op != final {
				flagged[op] = true
				c.Errorf(op, "nested-"+op.OpName(), "%s returns several tables: it can only be the last operator of the query's result, not part of a sub-query, let or function", op.OpName())
			}
		}
		return true
	})
}

// ResultPipe returns the pipe of a result expression (through parentheses),
// or nil when e is not a pipe.
func ResultPipe(e ast.Expr) *ast.Pipe {
	for {
		switch x := e.(type) {
		case *ast.Paren:
			e = x.X
		case *ast.Pipe:
			return x
		default:
			return nil
		}
	}
}

// Multi returns the result tables of a query whose result statement ends in
// fork or facet (nil otherwise), after Check.
func Multi(q *ast.Query) (ast.Op, *MultiInfo) {
	for i := len(q.Stmts) - 1; i >= 0; i-- {
		es, ok := q.Stmts[i].(*ast.ExprStmt)
		if !ok {
			continue
		}
		p := ResultPipe(es.X)
		if p == nil || len(p.Ops) == 0 {
			return nil, nil
		}
		op := p.Ops[len(p.Ops)-1]
		if mi, ok := op.Out().Ref.(*MultiInfo); ok && IsMultiResult(op) {
			return op, mi
		}
		return nil, nil
	}
	return nil, nil
}
