package syntax

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// lowerer turns the participle CST into lang/ast. It is nil-tolerant so that
// the partial CST participle returns with an error can be lowered too.
type lowerer struct {
	src   *lang.Source
	diags lang.List
}

func (l *lowerer) sp(s span) lang.Span {
	return lang.Span{Start: s.Pos.Offset, End: s.EndPos.Offset}
}

func (l *lowerer) errorf(sp lang.Span, format string, args ...any) {
	l.diags.Errorf(sp, "syntax", format, args...)
}

func (l *lowerer) text(sp lang.Span) string {
	if sp.Start < 0 || sp.End > len(l.src.Text) || sp.Start > sp.End {
		return ""
	}
	return l.src.Text[sp.Start:sp.End]
}

// ---------------------------------------------------------------------------
// Statements

func (l *lowerer) query(q *cstQuery) *ast.Query {
	out := &ast.Query{Pos: ast.Pos{Sp: lang.Span{Start: 0, End: len(l.src.Text)}}}
	if q == nil {
		return out
	}
	out.Stmts = l.stmts(q.Stmts)
	return out
}

func (l *lowerer) stmts(in []*cstStmt) []ast.Stmt {
	var out []ast.Stmt
	for _, s := range in {
		if st := l.stmt(s); st != nil {
			out = append(out, st)
		}
	}
	return out
}

func (l *lowerer) stmt(s *cstStmt) ast.Stmt {
	if s == nil {
		return nil
	}
	sp := l.sp(s.span)
	switch {
	case s.Let != nil:
		return l.let(s.Let)
	case s.Set != nil:
		return &ast.SetStmt{Pos: ast.Pos{Sp: sp}, Name: s.Set.Name, Value: l.or(s.Set.Value)}
	case s.Declare != nil:
		return &ast.DeclareParamsStmt{Pos: ast.Pos{Sp: sp}, Params: l.params(s.Declare.Params)}
	case s.Pattern != nil:
		p := s.Pattern
		sp := lang.Span{Start: p.Start, End: p.End}
		st := &ast.DeclarePatternStmt{Pos: ast.Pos{Sp: sp}, Name: &ast.Ident{Pos: ast.Pos{Sp: lang.Span{Start: p.NameStart, End: p.NameStart + len(p.Name)}}, Name: p.Name}, Text: l.text(sp)}
		l.pattern(st) // pattern.go
		return st
	case s.Alias != nil:
		return &ast.AliasStmt{Pos: ast.Pos{Sp: sp}, Name: l.name(s.Alias.Name), Value: l.or(s.Alias.Value)}
	case s.Expr != nil:
		x := l.pipe(s.Expr)
		if x == nil {
			return nil
		}
		return &ast.ExprStmt{Pos: ast.Pos{Sp: sp}, X: x}
	}
	return nil
}

func (l *lowerer) let(c *cstLet) *ast.LetStmt {
	st := &ast.LetStmt{Pos: ast.Pos{Sp: l.sp(c.span)}, Name: l.name(c.Name)}
	switch {
	case c.View:
		st.View = true
		st.Func = l.funcDef(c.VFunc)
	case c.Func != nil:
		st.Func = l.funcDef(c.Func)
	default:
		st.Value = l.pipe(c.Value)
	}
	return st
}

func (l *lowerer) funcDef(f *cstFuncDef) *ast.FuncDef {
	if f == nil {
		return &ast.FuncDef{Body: &ast.Block{}}
	}
	out := &ast.FuncDef{Pos: ast.Pos{Sp: l.sp(f.span)}, Params: l.params(f.Params), Body: &ast.Block{}}
	if f.Body != nil {
		out.Body = &ast.Block{Pos: ast.Pos{Sp: l.sp(f.Body.span)}, Stmts: l.stmts(f.Body.Stmts)}
	}
	return out
}

func (l *lowerer) params(in []*cstParam) []*ast.Param {
	var out []*ast.Param
	for _, p := range in {
		if p == nil {
			continue
		}
		out = append(out, &ast.Param{Pos: ast.Pos{Sp: l.sp(p.span)}, Name: l.name(p.Name), Type: l.typeRef(p.Type), Default: l.or(p.Default)})
	}
	return out
}

func (l *lowerer) typeRef(t *cstTypeRef) *ast.TypeRef {
	if t == nil {
		return &ast.TypeRef{}
	}
	out := &ast.TypeRef{Pos: ast.Pos{Sp: l.sp(t.span)}}
	if !t.Tabular {
		out.Scalar = l.kind(t.Scalar, out.Sp)
		return out
	}
	out.Tabular = true
	for _, c := range t.Cols {
		if c == nil {
			continue
		}
		if c.Star {
			out.Star = true
			continue
		}
		out.Columns = append(out.Columns, l.colDecl(c.Col))
	}
	return out
}

func (l *lowerer) kind(name string, sp lang.Span) types.Kind {
	k, ok := types.ParseKind(name)
	if !ok && name != "" {
		l.errorf(sp, "unknown type %q; expected bool, int, long, real, decimal, string, datetime, timespan, guid or dynamic", name)
	}
	return k
}

func (l *lowerer) colDecl(c *cstColDecl) *ast.ColumnDecl {
	if c == nil {
		return &ast.ColumnDecl{Name: &ast.Ident{}}
	}
	sp := l.sp(c.span)
	return &ast.ColumnDecl{Pos: ast.Pos{Sp: sp}, Name: l.name(c.Name), Type: l.kind(c.Type, sp)}
}

func (l *lowerer) colDecls(in []*cstColDecl) []*ast.ColumnDecl {
	var out []*ast.ColumnDecl
	for _, c := range in {
		out = append(out, l.colDecl(c))
	}
	return out
}

// ---------------------------------------------------------------------------
// Tabular expressions and operators

func (l *lowerer) pipe(p *cstPipe) ast.Expr {
	if p == nil {
		return nil
	}
	var src ast.Expr
	var ops []ast.Op
	if p.Src != nil {
		if op := l.srcOp(p.Src); op != nil {
			ops = append(ops, op)
		}
	} else {
		src = l.or(p.X)
	}
	for _, o := range p.Ops {
		if op := l.op(o); op != nil {
			ops = append(ops, op)
		}
	}
	if len(ops) == 0 {
		return src
	}
	return &ast.Pipe{Pos: ast.Pos{Sp: l.sp(p.span)}, Source: src, Ops: ops}
}

func (l *lowerer) subPipe(p *cstSubPipe) *ast.Pipe {
	if p == nil {
		return &ast.Pipe{}
	}
	out := &ast.Pipe{Pos: ast.Pos{Sp: l.sp(p.span)}}
	for _, o := range p.Ops {
		if op := l.op(o); op != nil {
			out.Ops = append(out.Ops, op)
		}
	}
	return out
}

func (l *lowerer) srcOp(s *cstSrcOp) ast.Op {
	switch {
	case s.Print != nil:
		return l.print(s.Print)
	case s.Range != nil:
		return l.rangeOp(s.Range)
	case s.Union != nil:
		return l.union(s.Union)
	case s.Evaluate != nil:
		return l.evaluate(s.Evaluate)
	case s.Search != nil:
		return l.search(s.Search)
	case s.Find != nil:
		return l.find(s.Find)
	}
	return nil
}

func base(l *lowerer, s span) ast.OpBase { return ast.OpBase{Pos: ast.Pos{Sp: l.sp(s)}} }

func (l *lowerer) op(o *cstOp) ast.Op {
	if o == nil {
		return nil
	}
	switch {
	case o.Where != nil:
		return &ast.Where{OpBase: base(l, o.Where.span), Pred: l.or(o.Where.Pred)}
	case o.Project != nil:
		return &ast.Project{OpBase: base(l, o.Project.span), Items: l.nameds(o.Project.Items)}
	case o.ProjectAway != nil:
		return &ast.ProjectAway{OpBase: base(l, o.ProjectAway.span), Columns: l.wilds(o.ProjectAway.Cols)}
	case o.ProjectKeep != nil:
		return &ast.ProjectKeep{OpBase: base(l, o.ProjectKeep.span), Columns: l.wilds(o.ProjectKeep.Cols)}
	case o.ProjectRename != nil:
		return &ast.ProjectRename{OpBase: base(l, o.ProjectRename.span), Items: l.nameds(o.ProjectRename.Items)}
	case o.ProjectReorder != nil:
		c := o.ProjectReorder
		out := &ast.ProjectReorder{OpBase: base(l, c.span)}
		for _, k := range c.Keys {
			if k == nil {
				continue
			}
			out.Keys = append(out.Keys, &ast.SortKey{Pos: ast.Pos{Sp: l.sp(k.span)}, X: l.wild(k.Col), Order: k.Order})
		}
		return out
	case o.Extend != nil:
		return &ast.Extend{OpBase: base(l, o.Extend.span), Items: l.nameds(o.Extend.Items)}
	case o.Summarize != nil:
		c := o.Summarize
		out := &ast.Summarize{OpBase: base(l, c.span), Options: l.hintOpts(c.Opts), Aggs: l.nameds(c.Aggs), By: l.nameds(c.By)}
		if len(c.ByOnly) > 0 {
			out.By = l.nameds(c.ByOnly)
		}
		return out
	case o.Count != nil:
		out := &ast.Count{OpBase: base(l, o.Count.span)}
		if o.Count.As != nil {
			out.As = l.name(o.Count.As)
		}
		return out
	case o.Take != nil:
		return &ast.Take{OpBase: base(l, o.Take.span), N: l.or(o.Take.N)}
	case o.Top != nil:
		return &ast.Top{OpBase: base(l, o.Top.span), N: l.or(o.Top.N), By: l.sortKeys(o.Top.By)}
	case o.Sort != nil:
		return &ast.Sort{OpBase: base(l, o.Sort.span), Options: l.hintOpts(o.Sort.Opts), Keys: l.sortKeys(o.Sort.Keys)}
	case o.Distinct != nil:
		c := o.Distinct
		out := &ast.Distinct{OpBase: base(l, c.span), Options: l.hintOpts(c.Opts)}
		if c.Star {
			out.Columns = []ast.Expr{&ast.Star{}}
		}
		for _, n := range l.nameds(c.Cols) {
			if len(n.Names) == 1 {
				out.Columns = append(out.Columns, &ast.NamedArg{Pos: n.Pos, Name: n.Names[0], Value: n.X})
			} else {
				out.Columns = append(out.Columns, n.X)
			}
		}
		return out
	case o.Join != nil:
		c := o.Join
		return &ast.Join{OpBase: base(l, c.span), Options: l.opts(c.Opts), Right: l.or(c.Right), On: l.ors(c.On)}
	case o.Lookup != nil:
		c := o.Lookup
		return &ast.Lookup{OpBase: base(l, c.span), Options: l.opts(c.Opts), Right: l.or(c.Right), On: l.ors(c.On)}
	case o.Union != nil:
		return l.union(o.Union)
	case o.MvExpand != nil:
		c := o.MvExpand
		return &ast.MvExpand{OpBase: base(l, c.span), Options: l.opts(c.Opts), Items: l.mvItems(c.Items), Limit: l.or(c.Limit)}
	case o.MvApply != nil:
		c := o.MvApply
		return &ast.MvApply{OpBase: base(l, c.span), Options: l.opts(c.Opts), Items: l.mvItems(c.Items), Limit: l.or(c.Limit), On: l.subPipe(c.On)}
	case o.Parse != nil:
		return l.parseOp(o.Parse)
	case o.ParseKV != nil:
		c := o.ParseKV
		return &ast.ParseKV{OpBase: base(l, c.span), X: l.or(c.X), Columns: l.colDecls(c.Cols), With: l.withOpts(c.With)}
	case o.MakeSeries != nil:
		return l.makeSeries(o.MakeSeries)
	case o.Render != nil:
		return &ast.Render{OpBase: base(l, o.Render.span), Kind: o.Render.Kind, With: l.withOpts(o.Render.With)}
	case o.Evaluate != nil:
		return l.evaluate(o.Evaluate)
	case o.Invoke != nil:
		return &ast.Invoke{OpBase: base(l, o.Invoke.span), Call: l.call(o.Invoke.Call)}
	case o.As != nil:
		return &ast.As{OpBase: base(l, o.As.span), Options: l.opts(o.As.Opts), Name: l.name(o.As.Name)}
	case o.Serialize != nil:
		return &ast.Serialize{OpBase: base(l, o.Serialize.span), Items: l.nameds(o.Serialize.Items)}
	case o.Scan != nil:
		c := o.Scan
		out := &ast.Scan{OpBase: base(l, c.span), Options: l.opts(c.Opts), Declare: l.params(c.Declare)}
		for _, s := range c.Steps {
			if s == nil {
				continue
			}
			out.Steps = append(out.Steps, &ast.ScanStep{Pos: ast.Pos{Sp: l.sp(s.span)}, Name: l.name(s.Name), Output: s.Output, Pred: l.or(s.Pred), Assigns: l.nameds(s.Assigns)})
		}
		return out
	case o.SampleDistinct != nil:
		return &ast.SampleDistinct{OpBase: base(l, o.SampleDistinct.span), N: l.or(o.SampleDistinct.N), Of: l.or(o.SampleDistinct.Of)}
	case o.Sample != nil:
		return &ast.Sample{OpBase: base(l, o.Sample.span), N: l.or(o.Sample.N)}
	case o.GetSchema != nil:
		return &ast.GetSchema{OpBase: base(l, o.GetSchema.span)}
	case o.Facet != nil:
		c := o.Facet
		out := &ast.Facet{OpBase: base(l, c.span)}
		for _, n := range c.Cols {
			out.Columns = append(out.Columns, l.name(n))
		}
		if c.With != nil {
			out.With = l.subPipe(c.With)
		}
		return out
	case o.Fork != nil:
		out := &ast.Fork{OpBase: base(l, o.Fork.span)}
		for _, b := range o.Fork.Branches {
			if b == nil {
				continue
			}
			fb := &ast.ForkBranch{Pos: ast.Pos{Sp: l.sp(b.span)}, Ops: l.subPipe(b.Ops)}
			if b.Name != nil {
				fb.Name = l.name(b.Name)
			}
			out.Branches = append(out.Branches, fb)
		}
		return out
	case o.Partition != nil:
		c := o.Partition
		out := &ast.Partition{OpBase: base(l, c.span), Options: l.opts(c.Opts), By: l.name(c.By)}
		if c.Sub != nil {
			out.Sub = l.subPipe(c.Sub)
		} else {
			out.Sub = l.pipe(c.Brace)
		}
		return out
	case o.TopNested != nil:
		out := &ast.TopNested{OpBase: base(l, o.TopNested.span)}
		for _, v := range o.TopNested.Levels {
			if v == nil {
				continue
			}
			out.Levels = append(out.Levels, &ast.TopNestedLevel{Pos: ast.Pos{Sp: l.sp(v.span)}, N: l.or(v.N), Of: l.named(v.Of), Others: l.or(v.Others), By: l.named(v.By), Order: v.Order})
		}
		return out
	case o.TopHitters != nil:
		c := o.TopHitters
		return &ast.TopHitters{OpBase: base(l, c.span), N: l.or(c.N), Of: l.or(c.Of), By: l.or(c.By)}
	case o.Search != nil:
		return l.search(o.Search)
	case o.Find != nil:
		return l.find(o.Find)
	case o.Print != nil:
		return l.print(o.Print)
	case o.Range != nil:
		return l.rangeOp(o.Range)
	case o.Consume != nil:
		return &ast.Consume{OpBase: base(l, o.Consume.span), Options: l.opts(o.Consume.Opts)}
	case o.Reduce != nil:
		c := o.Reduce
		return &ast.Reduce{OpBase: base(l, c.span), Options: l.opts(c.Opts), By: l.or(c.By), With: l.withOpts(c.With)}
	case o.Generic != nil:
		g := o.Generic
		if op := l.graphOp(g); op != nil { // graph.go
			return op
		}
		return &ast.Generic{OpBase: ast.OpBase{Pos: ast.Pos{Sp: lang.Span{Start: g.Start, End: g.End}}}, Name: g.Name, Text: l.text(lang.Span{Start: g.ArgStart, End: g.ArgEnd})}
	}
	return nil
}

func (l *lowerer) print(c *cstPrint) ast.Op {
	return &ast.Print{OpBase: base(l, c.span), Items: l.nameds(c.Items)}
}

func (l *lowerer) rangeOp(c *cstRange) ast.Op {
	return &ast.Range{OpBase: base(l, c.span), Column: l.name(c.Col), From: l.or(c.From), To: l.or(c.To), Step: l.or(c.Step)}
}

func (l *lowerer) union(c *cstUnion) ast.Op {
	return &ast.Union{OpBase: base(l, c.span), Options: l.opts(c.Opts), Tables: l.unionItems(c.Tables)}
}

func (l *lowerer) evaluate(c *cstEvaluate) ast.Op {
	out := &ast.Evaluate{OpBase: base(l, c.span), Options: l.opts(c.Opts), Call: l.call(c.Call)}
	if c.Schema != nil {
		out.Schema = l.typeRef(c.Schema)
	}
	return out
}

func (l *lowerer) search(c *cstSearch) ast.Op {
	return &ast.Search{OpBase: base(l, c.span), Options: l.opts(c.Opts), In: l.unionItems(c.In), Pred: l.or(c.Pred)}
}

func (l *lowerer) find(c *cstFind) ast.Op {
	out := &ast.Find{OpBase: base(l, c.span), Options: l.opts(c.Opts), In: l.unionItems(c.In), Pred: l.or(c.Pred), Smart: c.Smart}
	for _, pc := range c.Project {
		if pc == nil {
			continue
		}
		if pc.PackAll {
			out.PackAll = true
			continue
		}
		out.Project = append(out.Project, l.wild(pc.Col))
		k := types.Unknown
		if pc.Type != "" {
			k = l.kind(pc.Type, l.sp(pc.span))
		}
		out.ProjectTypes = append(out.ProjectTypes, k)
	}
	if len(c.Project) > 0 && out.Project == nil {
		out.Project = []ast.Expr{}
	}
	return out
}

func (l *lowerer) parseOp(c *cstParse) ast.Op {
	out := &ast.Parse{OpBase: base(l, c.span), Where: c.Kw == "parse-where", Options: l.opts(c.Opts), X: l.or(c.X)}
	for _, p := range c.Parts {
		if p == nil {
			continue
		}
		sp := l.sp(p.span)
		part := &ast.ParsePart{Pos: ast.Pos{Sp: sp}}
		switch {
		case len(p.Strs) > 0:
			part.Literal = l.stringLit(p.Strs, sp)
		case p.Star:
			part.Star = true
		default:
			cd := &ast.ColumnDecl{Pos: ast.Pos{Sp: sp}, Name: l.name(p.Col)}
			if p.Type != "" {
				cd.Type = l.kind(p.Type, sp)
			}
			part.Column = cd
		}
		out.Pattern = append(out.Pattern, part)
	}
	return out
}

func (l *lowerer) makeSeries(c *cstMakeSeries) ast.Op {
	out := &ast.MakeSeries{OpBase: base(l, c.span), Options: l.opts(c.Opts), On: l.or(c.On), By: l.nameds(c.By)}
	for _, a := range c.Aggs {
		if a == nil {
			continue
		}
		out.Aggs = append(out.Aggs, &ast.MakeSeriesAgg{Pos: ast.Pos{Sp: l.sp(a.span)}, Agg: l.named(a.Agg), Default: l.or(a.Default)})
	}
	if len(c.InRange) == 3 {
		out.InRange = true
		out.From, out.To, out.Step = l.or(c.InRange[0]), l.or(c.InRange[1]), l.or(c.InRange[2])
	} else {
		out.From, out.To, out.Step = l.or(c.From), l.or(c.To), l.or(c.Step)
	}
	return out
}

func (l *lowerer) mvItems(in []*cstMvItem) []*ast.MvExpandItem {
	var out []*ast.MvExpandItem
	for _, it := range in {
		if it == nil {
			continue
		}
		sp := l.sp(it.span)
		m := &ast.MvExpandItem{Pos: ast.Pos{Sp: sp}, X: l.or(it.X)}
		if it.Name != nil {
			m.Name = l.name(it.Name)
		}
		if it.To != "" {
			m.To = l.kind(it.To, sp)
		}
		out = append(out, m)
	}
	return out
}

func (l *lowerer) unionItems(in []*cstUnionItem) []ast.Expr {
	var out []ast.Expr
	for _, it := range in {
		if it == nil {
			continue
		}
		if it.Wild != nil {
			out = append(out, l.wild(&it.Wild.cstWild))
		} else {
			out = append(out, l.or(it.X))
		}
	}
	return out
}

func (l *lowerer) wild(w *cstWild) ast.Expr {
	if w == nil {
		return &ast.Ident{}
	}
	sp := lang.Span{Start: w.Start, End: w.End}
	if w.Star {
		return &ast.Wildcard{Pos: ast.Pos{Sp: sp}, Pattern: w.Pattern}
	}
	return &ast.Ident{Pos: ast.Pos{Sp: sp}, Name: w.Pattern, Quoted: w.Quoted}
}

func (l *lowerer) wilds(in []*cstWild) []ast.Expr {
	var out []ast.Expr
	for _, w := range in {
		out = append(out, l.wild(w))
	}
	return out
}

func (l *lowerer) sortKeys(in []*cstSortKey) []*ast.SortKey {
	var out []*ast.SortKey
	for _, k := range in {
		if k == nil {
			continue
		}
		out = append(out, &ast.SortKey{Pos: ast.Pos{Sp: l.sp(k.span)}, X: l.or(k.X), Order: k.Order, Nulls: k.Nulls})
	}
	return out
}

func (l *lowerer) named(n *cstNamed) *ast.NamedExpr {
	if n == nil {
		return nil
	}
	out := &ast.NamedExpr{Pos: ast.Pos{Sp: l.sp(n.span)}, X: l.or(n.X)}
	for _, nm := range n.Names {
		out.Names = append(out.Names, l.name(nm))
	}
	return out
}

func (l *lowerer) nameds(in []*cstNamed) []*ast.NamedExpr {
	var out []*ast.NamedExpr
	for _, n := range in {
		if x := l.named(n); x != nil {
			out = append(out, x)
		}
	}
	return out
}

func (l *lowerer) ors(in []*cstOr) []ast.Expr {
	var out []ast.Expr
	for _, x := range in {
		if e := l.or(x); e != nil {
			out = append(out, e)
		}
	}
	return out
}

func (l *lowerer) optVal(v *cstOptVal) ast.Expr {
	if v == nil {
		return nil
	}
	sp := l.sp(v.span)
	var x ast.Expr
	if v.Name != nil {
		x = l.name(v.Name)
		x = l.wordLiteral(x.(*ast.Ident))
	} else {
		x = l.tokenLit(v.Lit, lang.Span{Start: sp.End - len(v.Lit), End: sp.End})
	}
	if v.Neg {
		x = l.negate(x, sp)
	}
	return x
}

func (l *lowerer) mkOpt(s span, name string, v *cstOptVal) *ast.Option {
	return &ast.Option{Pos: ast.Pos{Sp: l.sp(s)}, Name: strings.ToLower(name), Value: l.optVal(v)}
}

func (l *lowerer) opts(in []*cstOpt) []*ast.Option {
	var out []*ast.Option
	for _, o := range in {
		if o != nil {
			out = append(out, l.mkOpt(o.span, o.Name, o.Value))
		}
	}
	return out
}

func (l *lowerer) hintOpts(in []*cstHintOpt) []*ast.Option {
	var out []*ast.Option
	for _, o := range in {
		if o != nil {
			out = append(out, l.mkOpt(o.span, o.Name, o.Value))
		}
	}
	return out
}

func (l *lowerer) withOpts(in []*cstWithOpt) []*ast.Option {
	var out []*ast.Option
	for _, o := range in {
		if o != nil {
			v := l.optVal(o.Value)
			if len(o.More) > 0 {
				t := &ast.Tuple{Pos: ast.Pos{Sp: l.sp(o.span)}, Items: []ast.Expr{v}}
				for _, m := range o.More {
					t.Items = append(t.Items, l.optVal(m))
				}
				v = t
			}
			out = append(out, &ast.Option{Pos: ast.Pos{Sp: l.sp(o.span)}, Name: o.Name, Value: v})
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// Scalar expressions

func (l *lowerer) or(c *cstOr) ast.Expr {
	if c == nil {
		return nil
	}
	x := l.and(c.L)
	for _, r := range c.R {
		y := l.and(r)
		x = l.binary("or", x, y)
	}
	return x
}

func (l *lowerer) and(c *cstAnd) ast.Expr {
	if c == nil {
		return nil
	}
	x := l.cmp(c.L)
	for _, r := range c.R {
		x = l.binary("and", x, l.cmp(r))
	}
	return x
}

func spanOf(x ast.Node) lang.Span {
	if x == nil {
		return lang.Span{}
	}
	return x.Span()
}

func (l *lowerer) binary(op string, x, y ast.Expr) ast.Expr {
	if x == nil {
		return y
	}
	if y == nil {
		return x
	}
	return &ast.Binary{Pos: ast.Pos{Sp: spanOf(x).Join(spanOf(y))}, Op: op, L: x, R: y}
}

// negatedOps are the `!`-forms Kusto accepts.
var negatedOps = map[string]bool{
	"!has": true, "!has_cs": true, "!hasprefix": true, "!hasprefix_cs": true, "!hassuffix": true, "!hassuffix_cs": true,
	"!contains": true, "!contains_cs": true, "!startswith": true, "!startswith_cs": true, "!endswith": true, "!endswith_cs": true,
}

func (l *lowerer) cmp(c *cstCmp) ast.Expr {
	if c == nil {
		return nil
	}
	x := l.add(c.L)
	for _, t := range c.Tails {
		if t == nil {
			continue
		}
		sp := spanOf(x).Join(l.sp(t.span))
		switch {
		case t.InOp != "":
			in := &ast.InList{Pos: ast.Pos{Sp: sp}, Op: t.InOp, X: x}
			for _, p := range t.List {
				if e := l.pipe(p); e != nil {
					in.List = append(in.List, e)
				}
			}
			x = in
		case t.Between != "":
			x = &ast.Between{Pos: ast.Pos{Sp: sp}, Not: t.Between == "!between", X: x, Lo: l.add(t.Lo), Hi: l.add(t.Hi)}
		default:
			op := strings.Join(t.Op, " ")
			if op == "=" {
				op = "==" // accepted as a synonym of ==
			}
			if strings.HasPrefix(op, "!") && op != "!=" && op != "!~" && !negatedOps[op] {
				l.errorf(lang.Span{Start: t.Pos.Offset, End: t.Pos.Offset + len(op)}, "unknown operator %q", op)
			}
			y := l.add(t.R)
			if y == nil {
				x = &ast.Binary{Pos: ast.Pos{Sp: sp}, Op: op, L: x}
			} else {
				x = &ast.Binary{Pos: ast.Pos{Sp: sp}, Op: op, L: x, R: y}
			}
		}
	}
	return x
}

func (l *lowerer) add(c *cstAdd) ast.Expr {
	if c == nil {
		return nil
	}
	x := l.mul(c.L)
	for _, t := range c.R {
		if t != nil {
			x = l.binary(t.Op, x, l.mul(t.X))
		}
	}
	return x
}

func (l *lowerer) mul(c *cstMul) ast.Expr {
	if c == nil {
		return nil
	}
	x := l.unary(c.L)
	for _, t := range c.R {
		if t != nil {
			x = l.binary(t.Op, x, l.unary(t.X))
		}
	}
	return x
}

func (l *lowerer) unary(c *cstUnary) ast.Expr {
	if c == nil {
		return nil
	}
	x := l.postfix(c.X)
	start := c.Pos.Offset
	// operators apply right to left; the i-th operator is at the i-th token
	// position, which we recover by scanning the source.
	offs := make([]int, len(c.Ops))
	p := start
	for i := range c.Ops {
		for p < len(l.src.Text) && l.src.Text[p] != '-' && l.src.Text[p] != '+' {
			p++
		}
		offs[i] = p
		p++
	}
	for i := len(c.Ops) - 1; i >= 0; i-- {
		sp := lang.Span{Start: offs[i], End: spanOf(x).End}
		if c.Ops[i] == "-" {
			x = l.negate(x, sp)
		} else {
			x = &ast.Unary{Pos: ast.Pos{Sp: sp}, Op: "+", X: x}
		}
	}
	return x
}

// negate folds `-` into a number or timespan literal (so -9223372036854775808
// and -1d are literals), else builds a Unary.
func (l *lowerer) negate(x ast.Expr, sp lang.Span) ast.Expr {
	if lit, ok := x.(*ast.Literal); ok && !lit.Null && !strings.HasPrefix(lit.Raw, "-") && len(lit.Raw) > 0 && lit.Raw[0] >= '0' && lit.Raw[0] <= '9' {
		raw := "-" + lit.Raw
		if strings.Trim(lit.Raw, "0123456789") == "" {
			if v, err := strconv.ParseInt(raw, 10, 64); err == nil {
				return &ast.Literal{Pos: ast.Pos{Sp: sp}, Kind: types.Long, Raw: raw, Value: v}
			}
		}
		switch lit.Kind {
		case types.Long:
			if v, err := strconv.ParseInt(raw, 0, 64); err == nil {
				return &ast.Literal{Pos: ast.Pos{Sp: sp}, Kind: types.Long, Raw: raw, Value: v}
			}
		case types.Real:
			if f, ok := lit.Value.(float64); ok {
				return &ast.Literal{Pos: ast.Pos{Sp: sp}, Kind: types.Real, Raw: raw, Value: -f}
			}
		case types.TimeSpan:
			if v, ok := lit.Value.(int64); ok {
				return &ast.Literal{Pos: ast.Pos{Sp: sp}, Kind: types.TimeSpan, Raw: raw, Value: -v}
			}
		}
	}
	return &ast.Unary{Pos: ast.Pos{Sp: sp}, Op: "-", X: x}
}

func (l *lowerer) postfix(c *cstPostfix) ast.Expr {
	if c == nil {
		return nil
	}
	x := l.primary(c.X)
	for _, s := range c.Suf {
		if s == nil {
			continue
		}
		sp := spanOf(x).Join(l.sp(s.span))
		switch {
		case s.Member != nil && s.Args != nil:
			x = &ast.Call{Pos: ast.Pos{Sp: sp}, Recv: x, Name: l.name(s.Member), Args: l.args(s.Args)}
		case s.Member != nil:
			x = &ast.Member{Pos: ast.Pos{Sp: sp}, X: x, Name: l.name(s.Member)}
		case s.Index != nil:
			x = &ast.Index{Pos: ast.Pos{Sp: sp}, X: x, Index: l.or(s.Index)}
		}
	}
	return x
}

func (l *lowerer) args(a *cstArgs) []ast.Expr {
	if a == nil {
		return nil
	}
	var out []ast.Expr
	for _, g := range a.Args {
		if g == nil {
			continue
		}
		sp := l.sp(g.span)
		switch {
		case g.Star:
			out = append(out, &ast.Star{Pos: ast.Pos{Sp: sp}})
		case g.Name != nil:
			out = append(out, &ast.NamedArg{Pos: ast.Pos{Sp: sp}, Name: l.name(g.Name), Value: l.pipe(g.X)})
		default:
			if e := l.pipe(g.X); e != nil {
				out = append(out, e)
			}
		}
	}
	return out
}

func (l *lowerer) call(c *cstCall) *ast.Call {
	if c == nil {
		return &ast.Call{Name: &ast.Ident{}}
	}
	return &ast.Call{Pos: ast.Pos{Sp: l.sp(c.span)}, Name: l.name(c.Name), Args: l.args(c.Args)}
}

func (l *lowerer) name(n *cstName) *ast.Ident {
	if n == nil {
		return &ast.Ident{}
	}
	sp := l.sp(n.span)
	if n.Quoted != "" {
		s, err := unquoteString(n.Quoted)
		if err != nil {
			l.errorf(sp, "%v", err)
		}
		return &ast.Ident{Pos: ast.Pos{Sp: sp}, Name: s, Quoted: true}
	}
	return &ast.Ident{Pos: ast.Pos{Sp: sp}, Name: n.Ident}
}

// wordLiteral turns the bare words true/false/null into literals.
func (l *lowerer) wordLiteral(id *ast.Ident) ast.Expr {
	if id.Quoted {
		return id
	}
	switch id.Name {
	case "true", "True", "TRUE":
		return &ast.Literal{Pos: id.Pos, Kind: types.Bool, Raw: id.Name, Value: true}
	case "false", "False", "FALSE":
		return &ast.Literal{Pos: id.Pos, Kind: types.Bool, Raw: id.Name, Value: false}
	case "null":
		return &ast.Literal{Pos: id.Pos, Kind: types.Null, Raw: id.Name, Null: true}
	}
	return id
}

func (l *lowerer) primary(c *cstPrimary) ast.Expr {
	if c == nil {
		return nil
	}
	sp := l.sp(c.span)
	switch {
	case c.TypedLit != "":
		return l.typedLit(c.TypedLit, sp)
	case c.EmptyDyn:
		return &ast.Literal{Pos: ast.Pos{Sp: sp}, Kind: types.Dynamic, Raw: l.text(sp), Value: "null"}
	case c.Dynamic != nil:
		var b strings.Builder
		l.json(&b, c.Dynamic)
		return &ast.Literal{Pos: ast.Pos{Sp: sp}, Kind: types.Dynamic, Raw: l.text(sp), Value: b.String()}
	case c.Datatable != nil:
		return &ast.Datatable{Pos: ast.Pos{Sp: sp}, Columns: l.colDecls(c.Datatable.Cols), Values: l.ors(c.Datatable.Values)}
	case c.External != nil:
		return &ast.ExternalData{Pos: ast.Pos{Sp: sp}, Columns: l.colDecls(c.External.Cols), URIs: l.ors(c.External.URIs), With: l.withOpts(c.External.With)}
	case len(c.Strings) > 0:
		return l.stringLit(c.Strings, sp)
	case c.Number != "":
		return l.tokenLit(c.Number, sp)
	case len(c.Paren) == 1:
		return &ast.Paren{Pos: ast.Pos{Sp: sp}, X: l.pipe(c.Paren[0])}
	case len(c.Paren) > 1:
		t := &ast.Tuple{Pos: ast.Pos{Sp: sp}}
		for _, p := range c.Paren {
			t.Items = append(t.Items, l.pipe(p))
		}
		return t
	case c.Call != nil:
		call := l.call(c.Call)
		if lit := l.typedCall(call, sp); lit != nil {
			return lit
		}
		return call
	case c.Name != nil:
		return l.wordLiteral(l.name(c.Name))
	case c.Star:
		return &ast.Star{Pos: ast.Pos{Sp: sp}}
	}
	return nil
}

func (l *lowerer) stringLit(toks []string, sp lang.Span) *ast.Literal {
	var b strings.Builder
	for _, t := range toks {
		s, err := unquoteString(t)
		if err != nil {
			l.errorf(sp, "%v", err)
		}
		b.WriteString(s)
	}
	return &ast.Literal{Pos: ast.Pos{Sp: sp}, Kind: types.String, Raw: strings.Join(toks, " "), Value: b.String()}
}

// tokenLit decodes a Number, Timespan or String token, or a typed literal.
func (l *lowerer) tokenLit(tok string, sp lang.Span) ast.Expr {
	lit := &ast.Literal{Pos: ast.Pos{Sp: sp}, Raw: tok}
	if tok == "" {
		return lit
	}
	switch c := tok[0]; {
	case c == '\'' || c == '"' || c == '@' || c == 'h' || c == 'H' || c == '`' || c == '~':
		return l.stringLit([]string{tok}, sp)
	case c < '0' || c > '9':
		return l.typedLit(tok, sp)
	}
	lower := strings.ToLower(tok)
	switch {
	case strings.HasPrefix(lower, "0x"):
		v, err := strconv.ParseUint(tok[2:], 16, 64)
		if err != nil {
			l.errorf(sp, "integer literal %s is out of range", tok)
		}
		lit.Kind, lit.Value = types.Long, int64(v)
	case realRe.MatchString(tok):
		f, err := strconv.ParseFloat(tok, 64)
		if err != nil {
			l.errorf(sp, "invalid real literal %s", tok)
		}
		lit.Kind, lit.Value = types.Real, f
	case strings.Trim(tok, "0123456789") == "":
		v, err := strconv.ParseInt(tok, 10, 64)
		if err != nil {
			// too big for a long: Kusto reads it as a real
			f, _ := strconv.ParseFloat(tok, 64)
			lit.Kind, lit.Value = types.Real, f
			return lit
		}
		lit.Kind, lit.Value = types.Long, v
	default:
		ns, ok := parseTimespanUnit(tok)
		if !ok {
			l.errorf(sp, "invalid timespan literal %s", tok)
		}
		lit.Kind, lit.Value = types.TimeSpan, ns
	}
	return lit
}

// typedLit decodes the TypedLit token: datetime(...), timespan(...), time(...), guid(...).
func (l *lowerer) typedLit(tok string, sp lang.Span) ast.Expr {
	lit := &ast.Literal{Pos: ast.Pos{Sp: sp}, Raw: tok}
	i := strings.IndexByte(tok, '(')
	if i < 0 || !strings.HasSuffix(tok, ")") {
		l.errorf(sp, "malformed literal %s", tok)
		return lit
	}
	kw := strings.TrimSpace(tok[:i])
	body := strings.TrimSpace(tok[i+1 : len(tok)-1])
	switch kw {
	case "datetime":
		lit.Kind = types.DateTime
	case "timespan", "time":
		lit.Kind = types.TimeSpan
	case "guid":
		lit.Kind = types.Guid
	}
	if body == "null" {
		lit.Null = true
		return lit
	}
	switch lit.Kind {
	case types.DateTime:
		v, ok := parseDateTimeText(body)
		if !ok {
			l.errorf(sp, "invalid datetime literal %s; write datetime(2024-01-31) or datetime(2024-01-31 13:45:00)", tok)
		}
		lit.Value = v
	case types.TimeSpan:
		v, ok := parseTimespanText(body)
		if !ok {
			l.errorf(sp, "invalid timespan literal %s; write timespan(1.02:03:04) or timespan(2d)", tok)
		}
		lit.Value = v
	case types.Guid:
		g := strings.ToLower(strings.Trim(body, `"'{}`))
		if !validGuid(g) {
			l.errorf(sp, "invalid guid literal %s", tok)
		}
		lit.Value = g
	}
	return lit
}

func validGuid(g string) bool {
	if len(g) != 36 {
		return false
	}
	for i, c := range g {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// typedCall turns bool(..), int(..), long(..), real(..), double(..) and
// decimal(..) applied to a literal (or null, nan, inf) into a typed literal.
func (l *lowerer) typedCall(c *ast.Call, sp lang.Span) ast.Expr {
	if c.Name == nil || c.Name.Quoted || len(c.Args) != 1 {
		return nil
	}
	var k types.Kind
	switch c.Name.Name {
	case "bool", "boolean":
		k = types.Bool
	case "int":
		k = types.Int
	case "long":
		k = types.Long
	case "real", "double":
		k = types.Real
	case "decimal":
		k = types.Decimal
	default:
		return nil
	}
	lit := &ast.Literal{Pos: ast.Pos{Sp: sp}, Kind: k, Raw: l.text(sp)}
	arg := c.Args[0]
	sign := 1.0
	if u, ok := arg.(*ast.Unary); ok {
		if u.Op == "-" {
			sign = -1
		}
		arg = u.X
	}
	switch a := arg.(type) {
	case *ast.Literal:
		if a.Null {
			lit.Null = true
			return lit
		}
		switch v := a.Value.(type) {
		case bool:
			if k != types.Bool {
				return nil
			}
			lit.Value = v
		case int64:
			switch k {
			case types.Bool:
				lit.Value = v != 0
			case types.Int:
				if v*int64(sign) < math.MinInt32 || v*int64(sign) > math.MaxInt32 {
					l.errorf(sp, "int literal %s is out of range", lit.Raw)
				}
				lit.Value = int32(v * int64(sign))
			case types.Long:
				lit.Value = v * int64(sign)
			default:
				lit.Value = float64(v) * sign
			}
		case float64:
			switch k {
			case types.Real, types.Decimal:
				lit.Value = v * sign
			default:
				return nil
			}
		default:
			return nil
		}
		return lit
	case *ast.Ident:
		if a.Quoted {
			return nil
		}
		switch strings.ToLower(a.Name) {
		case "nan":
			if k == types.Real || k == types.Decimal {
				lit.Value = math.NaN()
				return lit
			}
		case "inf", "infinity":
			if k == types.Real || k == types.Decimal {
				lit.Value = math.Inf(int(sign))
				return lit
			}
		}
	}
	return nil
}

// json writes the dynamic literal's value as compact JSON.
func (l *lowerer) json(b *strings.Builder, j *cstJSON) {
	if j == nil {
		b.WriteString("null")
		return
	}
	switch {
	case j.Dyn != nil:
		l.json(b, j.Dyn)
	case j.Obj != nil:
		b.WriteByte('{')
		for i, p := range j.Obj.Pairs {
			if p == nil {
				continue
			}
			if i > 0 {
				b.WriteByte(',')
			}
			key := p.Key
			if key != "" && (key[0] == '\'' || key[0] == '"' || key[0] == '@') {
				key, _ = unquoteString(key)
			}
			writeJSONString(b, key)
			b.WriteByte(':')
			l.json(b, p.Value)
		}
		b.WriteByte('}')
	case j.Arr != nil:
		b.WriteByte('[')
		for i, it := range j.Arr.Items {
			if i > 0 {
				b.WriteByte(',')
			}
			l.json(b, it)
		}
		b.WriteByte(']')
	case len(j.Str) > 0:
		var s strings.Builder
		for _, t := range j.Str {
			v, _ := unquoteString(t)
			s.WriteString(v)
		}
		writeJSONString(b, s.String())
	case j.Num != "":
		sp := l.sp(j.span)
		lit, _ := l.tokenLit(j.Num, sp).(*ast.Literal)
		if j.Neg == "-" {
			b.WriteByte('-')
		}
		switch v := lit.Value.(type) {
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		case float64:
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		default:
			writeJSONString(b, j.Num)
		}
	case j.Word != "":
		switch j.Word {
		case "true", "false", "null":
			b.WriteString(j.Word)
		case "True", "TRUE":
			b.WriteString("true")
		case "False", "FALSE":
			b.WriteString("false")
		default:
			sp := l.sp(j.span)
			if strings.Contains(j.Word, "(") {
				// datetime(...)/timespan(...) inside dynamic: kept as its text
				l.typedLit(j.Word, sp)
				writeJSONString(b, j.Word)
				return
			}
			l.errorf(sp, "unexpected %q in dynamic literal; expected a JSON value", j.Word)
			b.WriteString("null")
		}
	default:
		b.WriteString("null")
	}
}

var realRe = regexp.MustCompile(`^(?:\d+\.\d*(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)$`)

func writeJSONString(b *strings.Builder, s string) {
	enc, _ := json.Marshal(s)
	b.Write(enc)
}
