package check

import (
	"regexp"
	"sort"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// SearchInfo is the Ref recorded on a search operator. The checker rewrites
// the search predicate into an ordinary where-predicate over the searched
// rows (Pred, already typed), following the documented equivalences:
//
//	"err"      any column has "err"        "err*"  hasprefix
//	"*err"     hassuffix                   "*err*" contains
//	"a*b"      matches regex @"\ba.*b\b"   *       true
//	Col:"err"  Col has "err"               * op x  any column op x
//
// kind=case_sensitive turns every string operator into its _cs form.
type SearchInfo struct {
	// Union reads the searched tables when search is a source (nil when
	// the rows are piped in). Its Ref is a *UnionInfo whose Source column
	// is $table.
	Union *ast.Union
	Pred  ast.Expr
}

// checkSearch types `[T |] search [kind=...] [in (T1, ...)] predicate`. As
// a source its output starts with $table, the name of the table each row
// came from, followed by the union of the searched tables' columns; piped
// rows keep their columns.
func checkSearch(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
	s := op.(*ast.Search)
	info := &SearchInfo{}
	row := in
	if in == nil {
		tables := s.In
		if len(tables) == 0 {
			// every table of the database and every view in scope
			for _, n := range searchableNames(c, sc) {
				tables = append(tables, &ast.Ident{Pos: ast.Pos{Sp: s.Span()}, Name: n})
			}
		}
		info.Union = &ast.Union{OpBase: s.OpBase, Tables: tables,
			Options: []*ast.Option{{Name: "withsource", Value: &ast.Ident{Pos: ast.Pos{Sp: s.Span()}, Name: "$table"}}}}
		row = c.union(info.Union, nil, sc)
		info.Union.Out().Schema = row
		if len(s.In) == 0 && len(tables) == 0 {
			row.Open = true
		}
	}
	cs := false
	for _, o := range s.Options {
		if strings.EqualFold(o.Name, "kind") && strings.EqualFold(optText(o.Value), "case_sensitive") {
			cs = true
		}
	}
	if s.Pred != nil {
		r := &searchRewriter{c: c, row: row, cs: cs}
		info.Pred = r.rewrite(s.Pred)
		k := c.Scalar(info.Pred, row, sc)
		if k != types.Bool && k != types.Unknown && k != types.Null && k != types.Dynamic {
			c.Errorf(s.Pred, "not-bool", "search needs a bool predicate or a string term, got %s", k)
		}
	}
	op.Out().Ref = info
	return row
}

// searchableNames lists the database's tables and the parameterless views
// in scope, sorted.
func searchableNames(c *Checker, sc *Scope) []string {
	names := append([]string(nil), c.env.Tables.Names()...)
	seen := map[string]bool{}
	for _, n := range names {
		seen[n] = true
	}
	for x := sc; x != nil; x = x.parent {
		for n, b := range x.names {
			if b.view && b.viewBody != nil && !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	return names
}

type searchRewriter struct {
	c   *Checker
	row *types.Schema
	cs  bool
}

// csOps maps each case-insensitive string operator to its _cs form.
var csOps = map[string]string{
	"has": "has_cs", "!has": "!has_cs", "hasprefix": "hasprefix_cs", "!hasprefix": "!hasprefix_cs",
	"hassuffix": "hassuffix_cs", "!hassuffix": "!hassuffix_cs", "contains": "contains_cs",
	"!contains": "!contains_cs", "startswith": "startswith_cs", "!startswith": "!startswith_cs",
	"endswith": "endswith_cs", "!endswith": "!endswith_cs", "=~": "==", "!~": "!=",
	"in~": "in", "!in~": "!in",
}

func (r *searchRewriter) op(o string) string {
	if r.cs {
		if x, ok := csOps[strings.ToLower(o)]; ok {
			return x
		}
	}
	return o
}

func (r *searchRewriter) rewrite(e ast.Expr) ast.Expr {
	switch x := e.(type) {
	case *ast.Paren:
		return &ast.Paren{Pos: x.Pos, X: r.rewrite(x.X)}
	case *ast.Star:
		return boolLit(x.Span(), true)
	case *ast.Literal:
		if term, ok := x.Value.(string); ok && x.Kind == types.String {
			return r.term(x, term)
		}
	case *ast.Binary:
		switch strings.ToLower(x.Op) {
		case "and", "or":
			return &ast.Binary{Pos: x.Pos, Op: x.Op, L: r.rewrite(x.L), R: r.rewrite(x.R)}
		case ":":
			return &ast.Binary{Pos: x.Pos, Op: r.op("has"), L: x.L, R: x.R}
		}
		if _, ok := x.L.(*ast.Star); ok {
			return r.anyColumn(x.Span(), r.op(x.Op), x.R)
		}
		return &ast.Binary{Pos: x.Pos, Op: r.op(x.Op), L: x.L, R: x.R}
	case *ast.InList:
		if r.cs {
			if o, ok := csOps[strings.ToLower(x.Op)]; ok {
				cp := *x
				cp.Op = o
				return &cp
			}
		}
	}
	return e
}

// term rewrites a bare string term by where its wildcards are.
func (r *searchRewriter) term(lit *ast.Literal, term string) ast.Expr {
	sp := lit.Span()
	inner := strings.Trim(term, "*")
	switch {
	case inner == "":
		return boolLit(sp, true)
	case strings.Contains(inner, "*"):
		parts := strings.Split(inner, "*")
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		re := strings.Join(parts, ".*")
		if strings.HasPrefix(term, "*") {
			re = ".*" + re
		} else {
			re = `\b` + re
		}
		if strings.HasSuffix(term, "*") {
			re += ".*"
		} else {
			re += `\b`
		}
		if !r.cs {
			re = "(?i)" + re
		}
		return r.anyColumn(sp, "matches regex", strLit(sp, re))
	case strings.HasPrefix(term, "*") && strings.HasSuffix(term, "*"):
		return r.anyColumn(sp, r.op("contains"), strLit(sp, inner))
	case strings.HasPrefix(term, "*"):
		return r.anyColumn(sp, r.op("hassuffix"), strLit(sp, inner))
	case strings.HasSuffix(term, "*"):
		return r.anyColumn(sp, r.op("hasprefix"), strLit(sp, inner))
	}
	return r.anyColumn(sp, r.op("has"), strLit(sp, inner))
}

// anyColumn is `col1 op v or col2 op v or ...` over every column of the
// row but $table; non-string columns are compared as their text.
func (r *searchRewriter) anyColumn(sp lang.Span, op string, v ast.Expr) ast.Expr {
	var out ast.Expr
	for _, col := range r.row.Columns {
		if col.Name == "$table" {
			continue
		}
		var l ast.Expr = &ast.Ident{Pos: ast.Pos{Sp: sp}, Name: col.Name, Quoted: true}
		if col.Type != types.String {
			l = &ast.Call{Pos: ast.Pos{Sp: sp}, Name: &ast.Ident{Pos: ast.Pos{Sp: sp}, Name: "tostring"}, Args: []ast.Expr{l}}
		}
		var b ast.Expr = &ast.Binary{Pos: ast.Pos{Sp: sp}, Op: op, L: l, R: v}
		if out != nil {
			b = &ast.Binary{Pos: ast.Pos{Sp: sp}, Op: "or", L: out, R: b}
		}
		out = b
	}
	if out == nil {
		return boolLit(sp, false)
	}
	return &ast.Paren{Pos: ast.Pos{Sp: sp}, X: out}
}

func strLit(sp lang.Span, s string) *ast.Literal {
	return &ast.Literal{Pos: ast.Pos{Sp: sp}, Kind: types.String, Raw: "@" + `"` + s + `"`, Value: s}
}

func boolLit(sp lang.Span, v bool) *ast.Literal {
	raw := "false"
	if v {
		raw = "true"
	}
	return &ast.Literal{Pos: ast.Pos{Sp: sp}, Kind: types.Bool, Raw: raw, Value: v}
}
