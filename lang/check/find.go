package check

import (
	"encoding/json"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// FindInfo is the Ref recorded on a find operator: the union of the tables
// searched (its Source column is source_ or the withsource name), the
// predicate rewritten as for search (terms become has/hasprefix/... over
// every column), and the checked operators that shape the output.
type FindInfo struct {
	Union *ast.Union
	Pred  ast.Expr
	Out   []ast.Op
}

func init() { RegisterOp("find", checkFind) }

// checkFind types `find [withsource=C] [in (T, ...)] [where] Predicate
// [project-smart | project Col[:type], ... [, pack_all()]]` as the Kusto
// docs define it. Tables that have none of the columns the predicate names
// are left out. With project-smart (the default) the output is the source
// column, the predicate's columns, the columns common to every table left,
// and pack_: a property bag of the row's other non-empty values. With a
// project list it is the source column, the listed columns (cast to their
// declared types; null where a table lacks them) and, with pack_all(), pack_
// holding the other values.
func checkFind(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
	f := op.(*ast.Find)
	pos := ast.Pos{Sp: f.Span()}
	src := "source_"
	for _, o := range f.Options {
		if strings.EqualFold(o.Name, "withsource") {
			src = optText(o.Value)
		}
	}
	tables := f.In
	if len(tables) == 0 {
		for _, n := range searchableNames(c, sc) {
			tables = append(tables, &ast.Ident{Pos: pos, Name: n})
		}
	}
	u := &ast.Union{OpBase: ast.OpBase{Pos: pos}, Tables: tables}
	c.union(u, nil, sc)
	ui, _ := u.Out().Ref.(*UnionInfo)
	if ui == nil {
		ui = &UnionInfo{}
	}
	// leave out tables that have none of the predicate's columns
	predCols := identNames(f.Pred)
	var kept []ast.Expr
	var schemas []*types.Schema
	for _, t := range ui.Tables {
		s := t.Info().Schema
		if s == nil {
			continue
		}
		has := len(predCols) == 0
		for _, n := range predCols {
			if s.Index(n) >= 0 {
				has = true
				break
			}
		}
		if has {
			kept = append(kept, t)
			schemas = append(schemas, s)
		}
	}
	u.Tables = kept
	u.Out().Ref = &UnionInfo{Tables: kept, Source: src}
	row := UnionSchema(schemas, "outer", src)
	u.Out().Schema = row
	info := &FindInfo{Union: u}
	op.Out().Ref = info
	if f.Pred != nil {
		r := &searchRewriter{c: c, row: row}
		info.Pred = r.rewrite(f.Pred)
		k := c.Scalar(info.Pred, row, sc)
		if k != types.Bool && k != types.Unknown && k != types.Null && k != types.Dynamic {
			c.Errorf(f.Pred, "not-bool", "find needs a bool predicate or a string term, got %s", k)
		}
	}
	col := func(name string) ast.Expr { return &ast.Ident{Pos: pos, Name: name, Quoted: true} }
	named := func(name string, x ast.Expr) *ast.NamedExpr {
		return &ast.NamedExpr{Pos: pos, Names: []*ast.Ident{{Pos: pos, Name: name}}, X: x}
	}
	items := []*ast.NamedExpr{named(src, col(src))}
	shown := map[string]bool{src: true}
	pack := false
	if f.Project != nil || f.PackAll {
		for i, e := range f.Project {
			name := ExprName(e)
			if w, ok := e.(*ast.Wildcard); ok {
				name = w.Pattern
			}
			if name == "" || shown[name] {
				continue
			}
			shown[name] = true
			k := types.Unknown
			if i < len(f.ProjectTypes) {
				k = f.ProjectTypes[i]
			}
			var x ast.Expr
			if row.Index(name) >= 0 {
				x = col(name)
				if k != types.Unknown && row.Columns[row.Index(name)].Type != k {
					x = &ast.Call{Pos: pos, Name: &ast.Ident{Pos: pos, Name: "to" + k.String()}, Args: []ast.Expr{x}}
				}
			} else {
				if k == types.Unknown {
					k = types.String
				}
				x = &ast.Literal{Pos: ast.Pos{Sp: e.Span()}, Kind: k, Null: true, Raw: k.String() + "(null)"}
			}
			items = append(items, named(name, x))
		}
		pack = f.PackAll
	} else {
		for _, n := range predCols {
			if row.Index(n) >= 0 && !shown[n] {
				shown[n] = true
				items = append(items, named(n, col(n)))
			}
		}
		for _, cl := range row.Columns {
			if shown[cl.Name] {
				continue
			}
			common := true
			for _, s := range schemas {
				if s.Index(cl.Name) < 0 {
					common = false
					break
				}
			}
			if common {
				shown[cl.Name] = true
				items = append(items, named(cl.Name, col(cl.Name)))
			}
		}
		for _, cl := range row.Columns {
			if !shown[cl.Name] {
				pack = true
			}
		}
	}
	if pack {
		var drop []string
		for _, it := range items {
			drop = append(drop, it.Names[0].Name)
		}
		js, _ := json.Marshal(drop)
		all := &ast.Call{Pos: pos, Name: &ast.Ident{Pos: pos, Name: "pack_all"}, Args: []ast.Expr{boolLit(f.Span(), true)}}
		keys := &ast.Literal{Pos: pos, Kind: types.Dynamic, Raw: "dynamic(" + string(js) + ")", Value: string(js)}
		items = append(items, named("pack_", &ast.Call{Pos: pos, Name: &ast.Ident{Pos: pos, Name: "bag_remove_keys"}, Args: []ast.Expr{all, keys}}))
	}
	info.Out = []ast.Op{&ast.Project{OpBase: ast.OpBase{Pos: pos}, Items: items}}
	return c.Pipe(row, info.Out, sc)
}

// identNames lists, in order of first appearance, the plain names a
// predicate mentions (candidate column references; function names are not
// included).
func identNames(e ast.Expr) []string {
	if e == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	ast.Inspect(e, func(n any) bool {
		switch x := n.(type) {
		case *ast.Call:
			for _, a := range x.Args {
				for _, s := range identNames(a) {
					if !seen[s] {
						seen[s] = true
						out = append(out, s)
					}
				}
			}
			return false
		case *ast.Member:
			for _, s := range identNames(x.X) {
				if !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
			return false
		case *ast.Ident:
			if !seen[x.Name] {
				seen[x.Name] = true
				out = append(out, x.Name)
			}
		}
		return true
	})
	return out
}
