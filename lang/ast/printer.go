package ast

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Format prints q in canonical form: statements end with ';' and a newline,
// a top-level pipeline puts each operator on its own line as `| op ...`,
// nested pipelines stay on one line, spacing is fixed, operator names are
// canonical and parentheses appear where the tree has them (or where
// precedence needs them). Literals are printed as written (Raw). Comments are
// not kept. parse(Format(q)) equals q except for spans, and Format is
// idempotent.
func Format(q *Query) string {
	if q == nil {
		return ""
	}
	p := &printer{}
	for i, st := range q.Stmts {
		p.stmt(st, true)
		if _, ok := st.(*ExprStmt); !ok || i < len(q.Stmts)-1 {
			p.WriteString(";")
		}
		p.WriteString("\n")
	}
	return p.String()
}

// FormatExpr prints one expression on a single line.
func FormatExpr(x Expr) string {
	p := &printer{}
	p.expr(x, 0)
	return p.String()
}

// FormatOp prints one tabular operator (without the leading '|').
func FormatOp(o Op) string {
	p := &printer{}
	p.op(o)
	return p.String()
}

type printer struct {
	strings.Builder
}

func (p *printer) stmt(st Stmt, top bool) {
	switch s := st.(type) {
	case *LetStmt:
		p.WriteString("let ")
		p.ident(s.Name)
		p.WriteString(" = ")
		if s.Func != nil {
			if s.View {
				p.WriteString("view ")
			}
			p.funcDef(s.Func)
			return
		}
		p.top(s.Value, top)
	case *SetStmt:
		p.WriteString("set ")
		p.WriteString(s.Name)
		if s.Value != nil {
			p.WriteString(" = ")
			p.expr(s.Value, 0)
		}
	case *DeclareParamsStmt:
		p.WriteString("declare query_parameters(")
		p.params(s.Params)
		p.WriteString(")")
	case *DeclarePatternStmt:
		p.WriteString(s.Text)
	case *AliasStmt:
		p.WriteString("alias database ")
		p.ident(s.Name)
		p.WriteString(" = ")
		p.expr(s.Value, 0)
	case *ExprStmt:
		p.top(s.X, top)
	}
}

// top prints a statement-level expression; pipelines get one operator per line.
func (p *printer) top(x Expr, multiline bool) {
	pp, ok := x.(*Pipe)
	if !ok || !multiline {
		p.expr(x, 0)
		return
	}
	first := true
	if pp.Source != nil {
		p.expr(pp.Source, 0)
		first = false
	}
	for _, o := range pp.Ops {
		if !first {
			p.WriteString("\n| ")
		}
		first = false
		p.op(o)
	}
}

func (p *printer) funcDef(f *FuncDef) {
	p.WriteString("(")
	p.params(f.Params)
	p.WriteString(") { ")
	if f.Body != nil {
		for i, st := range f.Body.Stmts {
			if i > 0 {
				p.WriteString(" ")
			}
			p.stmt(st, false)
			if _, ok := st.(*ExprStmt); !ok {
				p.WriteString(";")
			}
		}
	}
	p.WriteString(" }")
}

func (p *printer) params(ps []*Param) {
	for i, pr := range ps {
		if i > 0 {
			p.WriteString(", ")
		}
		p.ident(pr.Name)
		p.WriteString(":")
		p.typeRef(pr.Type)
		if pr.Default != nil {
			p.WriteString(" = ")
			p.expr(pr.Default, 0)
		}
	}
}

func (p *printer) typeRef(t *TypeRef) {
	if t == nil {
		return
	}
	if !t.Tabular {
		p.WriteString(t.Scalar.String())
		return
	}
	p.WriteString("(")
	p.colDecls(t.Columns)
	if t.Star {
		if len(t.Columns) > 0 {
			p.WriteString(", ")
		}
		p.WriteString("*")
	}
	p.WriteString(")")
}

func (p *printer) colDecls(cs []*ColumnDecl) {
	for i, c := range cs {
		if i > 0 {
			p.WriteString(", ")
		}
		p.ident(c.Name)
		p.WriteString(":")
		p.WriteString(c.Type.String())
	}
}

var plainIdent = regexp.MustCompile(`^(?:[\p{L}_$][\p{L}\p{N}_]*|\d+[\p{L}_][\p{L}\p{N}_]*)$`)

func (p *printer) ident(id *Ident) {
	if id == nil {
		return
	}
	if id.Quoted || !plainIdent.MatchString(id.Name) {
		p.WriteString("[")
		p.WriteString(quote(id.Name))
		p.WriteString("]")
		return
	}
	p.WriteString(id.Name)
}

// quote writes s as a KQL string literal.
func quote(s string) string {
	if !strings.ContainsAny(s, "'\\\n\r\t") {
		return "'" + s + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// ---------------------------------------------------------------------------
// Expressions

const (
	precOr = iota + 1
	precAnd
	precCmp
	precAdd
	precMul
	precUnary
	precPostfix
)

func binaryPrec(op string) int {
	switch op {
	case "or":
		return precOr
	case "and":
		return precAnd
	case "+", "-":
		return precAdd
	case "*", "/", "%":
		return precMul
	}
	return precCmp
}

func prec(x Expr) int {
	switch e := x.(type) {
	case *Binary:
		return binaryPrec(e.Op)
	case *InList, *Between:
		return precCmp
	case *Unary:
		return precUnary
	case *Pipe:
		return 0
	case *Literal:
		if strings.HasPrefix(e.Raw, "-") {
			return precUnary
		}
	}
	return precPostfix
}

// expr prints x, parenthesised when its precedence is below min.
func (p *printer) expr(x Expr, min int) {
	if x == nil {
		return
	}
	if prec(x) < min {
		p.WriteString("(")
		p.expr(x, 0)
		p.WriteString(")")
		return
	}
	switch e := x.(type) {
	case *Ident:
		p.ident(e)
	case *Wildcard:
		p.WriteString(e.Pattern)
	case *Literal:
		p.literal(e)
	case *Binary:
		bp := binaryPrec(e.Op)
		p.expr(e.L, bp)
		p.WriteString(" ")
		p.WriteString(e.Op)
		p.WriteString(" ")
		p.expr(e.R, bp+1)
	case *Unary:
		p.WriteString(e.Op)
		var sub printer
		sub.expr(e.X, precUnary)
		s := sub.String()
		if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
			p.WriteString(" ")
		}
		p.WriteString(s)
	case *InList:
		p.expr(e.X, precCmp)
		p.WriteString(" ")
		p.WriteString(e.Op)
		p.WriteString(" (")
		p.exprs(e.List)
		p.WriteString(")")
	case *Between:
		p.expr(e.X, precCmp)
		if e.Not {
			p.WriteString(" !between (")
		} else {
			p.WriteString(" between (")
		}
		p.expr(e.Lo, precAdd)
		p.WriteString(" .. ")
		p.expr(e.Hi, precAdd)
		p.WriteString(")")
	case *Call:
		if e.Recv != nil {
			p.expr(e.Recv, precPostfix)
			p.WriteString(".")
		}
		p.ident(e.Name)
		p.WriteString("(")
		p.exprs(e.Args)
		p.WriteString(")")
	case *Star:
		p.WriteString("*")
	case *NamedArg:
		p.ident(e.Name)
		p.WriteString(" = ")
		p.expr(e.Value, 0)
	case *Member:
		p.expr(e.X, precPostfix)
		p.WriteString(".")
		p.ident(e.Name)
	case *Index:
		p.expr(e.X, precPostfix)
		p.WriteString("[")
		p.expr(e.Index, 0)
		p.WriteString("]")
	case *Paren:
		p.WriteString("(")
		p.expr(e.X, 0)
		p.WriteString(")")
	case *Tuple:
		p.WriteString("(")
		p.exprs(e.Items)
		p.WriteString(")")
	case *Pipe:
		if e.Source != nil {
			p.expr(e.Source, 0)
		}
		for i, o := range e.Ops {
			if i > 0 || e.Source != nil {
				p.WriteString(" | ")
			}
			p.op(o)
		}
	case *Datatable:
		p.WriteString("datatable(")
		p.colDecls(e.Columns)
		p.WriteString(") [")
		p.exprs(e.Values)
		p.WriteString("]")
	case *ExternalData:
		p.WriteString("externaldata(")
		p.colDecls(e.Columns)
		p.WriteString(") [")
		p.exprs(e.URIs)
		p.WriteString("]")
		if len(e.With) > 0 {
			p.WriteString(" with (")
			p.options(e.With, ", ")
			p.WriteString(")")
		}
	default:
		fmt.Fprintf(p, "<%T>", x)
	}
}

func (p *printer) exprs(xs []Expr) {
	for i, x := range xs {
		if i > 0 {
			p.WriteString(", ")
		}
		p.expr(x, 0)
	}
}

func (p *printer) literal(l *Literal) {
	if l.Raw != "" {
		p.WriteString(l.Raw)
		return
	}
	// a literal built by a later phase: print it from its value
	if l.Null {
		if l.Kind == types.Null {
			p.WriteString("null")
		} else {
			p.WriteString(l.Kind.String() + "(null)")
		}
		return
	}
	switch v := l.Value.(type) {
	case bool:
		p.WriteString(strconv.FormatBool(v))
	case int32:
		fmt.Fprintf(p, "int(%d)", v)
	case int64:
		switch l.Kind {
		case types.DateTime:
			p.WriteString("datetime(" + formatDateTime(v) + ")")
		case types.TimeSpan:
			p.WriteString(formatTimeSpan(v))
		default:
			p.WriteString(strconv.FormatInt(v, 10))
		}
	case float64:
		switch {
		case math.IsNaN(v):
			p.WriteString("real(nan)")
		case math.IsInf(v, 1):
			p.WriteString("real(+inf)")
		case math.IsInf(v, -1):
			p.WriteString("real(-inf)")
		default:
			s := strconv.FormatFloat(v, 'g', -1, 64)
			if !strings.ContainsAny(s, ".e") {
				s += ".0"
			}
			if l.Kind == types.Decimal {
				s = "decimal(" + s + ")"
			}
			p.WriteString(s)
		}
	case string:
		switch l.Kind {
		case types.Guid:
			p.WriteString("guid(" + v + ")")
		case types.Dynamic:
			p.WriteString("dynamic(" + v + ")")
		default:
			p.WriteString(quote(v))
		}
	default:
		p.WriteString("null")
	}
}

func formatDateTime(ns int64) string {
	sec, frac := ns/1e9, ns%1e9
	if frac < 0 {
		sec--
		frac += 1e9
	}
	return time.Unix(sec, frac).UTC().Format("2006-01-02T15:04:05.9999999Z")
}

func formatTimeSpan(ns int64) string {
	neg := ns < 0
	if neg {
		ns = -ns
	}
	s := ""
	switch {
	case ns%(24*3600e9) == 0:
		s = strconv.FormatInt(ns/(24*3600e9), 10) + "d"
	case ns%3600e9 == 0:
		s = strconv.FormatInt(ns/3600e9, 10) + "h"
	case ns%60e9 == 0:
		s = strconv.FormatInt(ns/60e9, 10) + "m"
	case ns%1e9 == 0:
		s = strconv.FormatInt(ns/1e9, 10) + "s"
	case ns%1e6 == 0:
		s = strconv.FormatInt(ns/1e6, 10) + "ms"
	case ns%1e3 == 0:
		s = strconv.FormatInt(ns/1e3, 10) + "microsecond"
	default:
		s = strconv.FormatInt(ns/100, 10) + "tick"
	}
	if neg {
		return "-" + s
	}
	return s
}

// ---------------------------------------------------------------------------
// Operators

func (p *printer) options(os []*Option, sep string) {
	for i, o := range os {
		if i > 0 {
			p.WriteString(sep)
		}
		p.WriteString(o.Name)
		p.WriteString("=")
		if t, ok := o.Value.(*Tuple); ok {
			// render ycolumns=a, b
			p.exprs(t.Items)
			continue
		}
		p.expr(o.Value, precPostfix)
	}
}

// opts prints operator options, each preceded by a space.
func (p *printer) opts(os []*Option) {
	if len(os) > 0 {
		p.WriteString(" ")
		p.options(os, " ")
	}
}

func (p *printer) named(n *NamedExpr) {
	switch len(n.Names) {
	case 0:
	case 1:
		p.ident(n.Names[0])
		p.WriteString(" = ")
	default:
		p.WriteString("(")
		for i, id := range n.Names {
			if i > 0 {
				p.WriteString(", ")
			}
			p.ident(id)
		}
		p.WriteString(") = ")
	}
	p.expr(n.X, 0)
}

func (p *printer) nameds(ns []*NamedExpr) {
	for i, n := range ns {
		if i > 0 {
			p.WriteString(", ")
		}
		p.named(n)
	}
}

func (p *printer) sortKeys(ks []*SortKey) {
	for i, k := range ks {
		if i > 0 {
			p.WriteString(", ")
		}
		p.expr(k.X, 0)
		if k.Order != "" {
			p.WriteString(" " + k.Order)
		}
		if k.Nulls != "" {
			p.WriteString(" nulls " + k.Nulls)
		}
	}
}

func (p *printer) subPipe(pp *Pipe) {
	if pp == nil {
		return
	}
	if pp.Source != nil {
		p.expr(pp, 0)
		return
	}
	for i, o := range pp.Ops {
		if i > 0 {
			p.WriteString(" | ")
		}
		p.op(o)
	}
}

func (p *printer) mvItems(items []*MvExpandItem) {
	for i, it := range items {
		if i > 0 {
			p.WriteString(", ")
		}
		if it.Name != nil {
			p.ident(it.Name)
			p.WriteString(" = ")
		}
		p.expr(it.X, 0)
		if it.To != types.Unknown {
			p.WriteString(" to typeof(" + it.To.String() + ")")
		}
	}
}

func (p *printer) op(o Op) {
	switch x := o.(type) {
	case *Where:
		p.WriteString("where ")
		p.expr(x.Pred, 0)
	case *Project:
		p.WriteString("project ")
		p.nameds(x.Items)
	case *ProjectAway:
		p.WriteString("project-away ")
		p.exprs(x.Columns)
	case *ProjectKeep:
		p.WriteString("project-keep ")
		p.exprs(x.Columns)
	case *ProjectRename:
		p.WriteString("project-rename ")
		p.nameds(x.Items)
	case *ProjectReorder:
		p.WriteString("project-reorder ")
		p.sortKeys(x.Keys)
	case *Extend:
		p.WriteString("extend ")
		p.nameds(x.Items)
	case *Summarize:
		p.WriteString("summarize")
		p.opts(x.Options)
		if len(x.Aggs) > 0 {
			p.WriteString(" ")
			p.nameds(x.Aggs)
		}
		if len(x.By) > 0 {
			p.WriteString(" by ")
			p.nameds(x.By)
		}
	case *Count:
		p.WriteString("count")
		if x.As != nil {
			p.WriteString(" as ")
			p.ident(x.As)
		}
	case *Take:
		p.WriteString("take ")
		p.expr(x.N, 0)
	case *Top:
		p.WriteString("top ")
		p.expr(x.N, 0)
		p.WriteString(" by ")
		p.sortKeys(x.By)
	case *Sort:
		p.WriteString("sort")
		p.opts(x.Options)
		p.WriteString(" by ")
		p.sortKeys(x.Keys)
	case *Distinct:
		p.WriteString("distinct")
		p.opts(x.Options)
		p.WriteString(" ")
		p.exprs(x.Columns)
	case *Join:
		p.WriteString("join")
		p.opts(x.Options)
		p.WriteString(" ")
		p.expr(x.Right, 0)
		if len(x.On) > 0 {
			p.WriteString(" on ")
			p.exprs(x.On)
		}
	case *Lookup:
		p.WriteString("lookup")
		p.opts(x.Options)
		p.WriteString(" ")
		p.expr(x.Right, 0)
		if len(x.On) > 0 {
			p.WriteString(" on ")
			p.exprs(x.On)
		}
	case *Union:
		p.WriteString("union")
		p.opts(x.Options)
		p.WriteString(" ")
		p.exprs(x.Tables)
	case *MvExpand:
		p.WriteString("mv-expand")
		p.opts(x.Options)
		p.WriteString(" ")
		p.mvItems(x.Items)
		if x.Limit != nil {
			p.WriteString(" limit ")
			p.expr(x.Limit, 0)
		}
	case *MvApply:
		p.WriteString("mv-apply")
		p.opts(x.Options)
		p.WriteString(" ")
		p.mvItems(x.Items)
		if x.Limit != nil {
			p.WriteString(" limit ")
			p.expr(x.Limit, 0)
		}
		p.WriteString(" on (")
		p.subPipe(x.On)
		p.WriteString(")")
	case *Parse:
		p.WriteString(x.OpName())
		p.opts(x.Options)
		p.WriteString(" ")
		p.expr(x.X, 0)
		p.WriteString(" with")
		for _, part := range x.Pattern {
			p.WriteString(" ")
			switch {
			case part.Star:
				p.WriteString("*")
			case part.Literal != nil:
				p.literal(part.Literal)
			case part.Column != nil:
				p.ident(part.Column.Name)
				if part.Column.Type != types.Unknown {
					p.WriteString(":" + part.Column.Type.String())
				}
			}
		}
	case *ParseKV:
		p.WriteString("parse-kv ")
		p.expr(x.X, 0)
		p.WriteString(" as (")
		p.colDecls(x.Columns)
		p.WriteString(")")
		if len(x.With) > 0 {
			p.WriteString(" with (")
			p.options(x.With, ", ")
			p.WriteString(")")
		}
	case *MakeSeries:
		p.WriteString("make-series")
		p.opts(x.Options)
		for i, a := range x.Aggs {
			if i > 0 {
				p.WriteString(",")
			}
			p.WriteString(" ")
			p.named(a.Agg)
			if a.Default != nil {
				p.WriteString(" default = ")
				p.expr(a.Default, 0)
			}
		}
		p.WriteString(" on ")
		p.expr(x.On, 0)
		if x.InRange {
			p.WriteString(" in range(")
			p.exprs([]Expr{x.From, x.To, x.Step})
			p.WriteString(")")
		} else {
			if x.From != nil {
				p.WriteString(" from ")
				p.expr(x.From, 0)
			}
			if x.To != nil {
				p.WriteString(" to ")
				p.expr(x.To, 0)
			}
			p.WriteString(" step ")
			p.expr(x.Step, 0)
		}
		if len(x.By) > 0 {
			p.WriteString(" by ")
			p.nameds(x.By)
		}
	case *Render:
		p.WriteString("render " + x.Kind)
		if len(x.With) > 0 {
			p.WriteString(" with (")
			p.options(x.With, ", ")
			p.WriteString(")")
		}
	case *Evaluate:
		p.WriteString("evaluate")
		p.opts(x.Options)
		p.WriteString(" ")
		p.expr(x.Call, 0)
		if x.Schema != nil {
			p.WriteString(" : ")
			p.typeRef(x.Schema)
		}
	case *Invoke:
		p.WriteString("invoke ")
		p.expr(x.Call, 0)
	case *As:
		p.WriteString("as")
		p.opts(x.Options)
		p.WriteString(" ")
		p.ident(x.Name)
	case *Serialize:
		p.WriteString("serialize")
		if len(x.Items) > 0 {
			p.WriteString(" ")
			p.nameds(x.Items)
		}
	case *Scan:
		p.WriteString("scan")
		p.opts(x.Options)
		if len(x.Declare) > 0 {
			p.WriteString(" declare (")
			p.params(x.Declare)
			p.WriteString(")")
		}
		p.WriteString(" with (")
		for i, s := range x.Steps {
			if i > 0 {
				p.WriteString(" ")
			}
			p.WriteString("step ")
			p.ident(s.Name)
			if s.Output != "" {
				p.WriteString(" output=" + s.Output)
			}
			p.WriteString(": ")
			p.expr(s.Pred, 0)
			if len(s.Assigns) > 0 {
				p.WriteString(" => ")
				p.nameds(s.Assigns)
			}
			p.WriteString(";")
		}
		p.WriteString(")")
	case *Sample:
		p.WriteString("sample ")
		p.expr(x.N, 0)
	case *SampleDistinct:
		p.WriteString("sample-distinct ")
		p.expr(x.N, 0)
		p.WriteString(" of ")
		p.expr(x.Of, 0)
	case *GetSchema:
		p.WriteString("getschema")
	case *Facet:
		p.WriteString("facet by ")
		for i, c := range x.Columns {
			if i > 0 {
				p.WriteString(", ")
			}
			p.ident(c)
		}
		if x.With != nil {
			p.WriteString(" with (")
			p.subPipe(x.With)
			p.WriteString(")")
		}
	case *Fork:
		p.WriteString("fork")
		for _, b := range x.Branches {
			p.WriteString(" ")
			if b.Name != nil {
				p.ident(b.Name)
				p.WriteString(" = ")
			}
			p.WriteString("(")
			p.subPipe(b.Ops)
			p.WriteString(")")
		}
	case *Partition:
		p.WriteString("partition")
		p.opts(x.Options)
		p.WriteString(" by ")
		p.expr(x.By, 0)
		if sp, ok := x.Sub.(*Pipe); ok && sp.Source == nil {
			p.WriteString(" (")
			p.subPipe(sp)
			p.WriteString(")")
		} else {
			p.WriteString(" { ")
			p.expr(x.Sub, 0)
			p.WriteString(" }")
		}
	case *TopNested:
		for i, l := range x.Levels {
			if i > 0 {
				p.WriteString(", ")
			}
			p.WriteString("top-nested ")
			if l.N != nil {
				p.expr(l.N, 0)
				p.WriteString(" ")
			}
			p.WriteString("of ")
			p.named(l.Of)
			if l.Others != nil {
				p.WriteString(" with others = ")
				p.expr(l.Others, 0)
			}
			p.WriteString(" by ")
			p.named(l.By)
			if l.Order != "" {
				p.WriteString(" " + l.Order)
			}
		}
	case *TopHitters:
		p.WriteString("top-hitters ")
		p.expr(x.N, 0)
		p.WriteString(" of ")
		p.expr(x.Of, 0)
		if x.By != nil {
			p.WriteString(" by ")
			p.expr(x.By, 0)
		}
	case *Search:
		p.WriteString("search")
		p.opts(x.Options)
		if len(x.In) > 0 {
			p.WriteString(" in (")
			p.exprs(x.In)
			p.WriteString(")")
		}
		p.WriteString(" ")
		p.expr(x.Pred, 0)
	case *Find:
		p.WriteString("find")
		p.opts(x.Options)
		if len(x.In) > 0 {
			p.WriteString(" in (")
			p.exprs(x.In)
			p.WriteString(")")
		}
		p.WriteString(" where ")
		p.expr(x.Pred, 0)
		if x.Smart {
			p.WriteString(" project-smart")
		} else if x.Project != nil || x.PackAll {
			p.WriteString(" project ")
			for i, e := range x.Project {
				if i > 0 {
					p.WriteString(", ")
				}
				p.expr(e, 0)
				if i < len(x.ProjectTypes) && x.ProjectTypes[i] != types.Unknown {
					p.WriteString(":" + x.ProjectTypes[i].String())
				}
			}
			if x.PackAll {
				if len(x.Project) > 0 {
					p.WriteString(", ")
				}
				p.WriteString("pack_all()")
			}
		}
	case *Print:
		p.WriteString("print")
		if len(x.Items) > 0 {
			p.WriteString(" ")
			p.nameds(x.Items)
		}
	case *Range:
		p.WriteString("range ")
		p.ident(x.Column)
		p.WriteString(" from ")
		p.expr(x.From, 0)
		p.WriteString(" to ")
		p.expr(x.To, 0)
		p.WriteString(" step ")
		p.expr(x.Step, 0)
	case *Consume:
		p.WriteString("consume")
		p.opts(x.Options)
	case *Reduce:
		p.WriteString("reduce")
		p.opts(x.Options)
		p.WriteString(" by ")
		p.expr(x.By, 0)
		if len(x.With) > 0 {
			p.WriteString(" with ")
			p.options(x.With, ", ")
		}
	case *MakeGraph, *GraphMatch, *GraphToTable:
		p.graphOp(x) // graph.go
	case *Generic:
		p.WriteString(x.Name)
		if x.Text != "" {
			p.WriteString(" " + x.Text)
		}
	default:
		fmt.Fprintf(p, "<%T>", o)
	}
}
