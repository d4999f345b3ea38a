package syntax

import (
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
)

// Graph operators. The grammar keeps them as raw text (cstGeneric, so that
// their arrows and patterns never disturb the expression grammar); this file
// parses that text into ast.MakeGraph, ast.GraphMatch and ast.GraphToTable.
// Embedded expressions (where, project, node tables, the partitioned-by
// subquery) go through the ordinary participle grammar on the same tokens,
// so their spans are offsets into the whole query.

var (
	orParser      = participle.MustBuild[cstOr](buildOpts...)
	subPipeParser = participle.MustBuild[cstSubPipe](buildOpts...)
)

// graphOp lowers a raw graph operator; nil when g is not one (or on a
// syntax error, which is reported).
func (l *lowerer) graphOp(g *cstGeneric) ast.Op {
	switch g.Name {
	case "make-graph", "graph-match", "graph-shortest-paths", "graph-to-table":
	default:
		return nil
	}
	p := &gparser{l: l, opStart: g.Start, end: g.ArgEnd}
	if !p.lex(g.ArgStart, g.ArgEnd) {
		return nil
	}
	sp := lang.Span{Start: g.Start, End: g.End}
	var op ast.Op
	switch g.Name {
	case "make-graph":
		op = p.makeGraph(sp)
	case "graph-to-table":
		op = p.graphToTable(sp)
	default:
		op = p.graphMatch(sp, g.Name == "graph-shortest-paths")
	}
	if p.failed {
		return nil
	}
	return op
}

type gparser struct {
	l       *lowerer
	toks    []lexer.Token
	i       int
	opStart int
	end     int
	failed  bool
}

func (p *gparser) lex(start, end int) bool {
	if start >= end {
		return true
	}
	lx, err := kqlLexer.LexString(p.l.src.Name, p.l.src.Text[start:end])
	if err != nil {
		p.l.errorf(lang.Span{Start: start, End: end}, "%v", err)
		return false
	}
	for {
		t, err := lx.Next()
		if err != nil {
			p.l.errorf(lang.Span{Start: start, End: end}, "%v", err)
			return false
		}
		if t.EOF() {
			return true
		}
		if t.Type == tokWhitespace || t.Type == tokComment {
			continue
		}
		t.Pos.Offset += start
		p.toks = append(p.toks, t)
	}
}

func (p *gparser) errorf(at int, format string, args ...any) {
	if p.failed {
		return
	}
	p.failed = true
	sp := lang.Span{Start: p.end, End: p.end}
	if at < len(p.toks) {
		sp = lang.Span{Start: p.toks[at].Pos.Offset, End: tokEnd(&p.toks[at])}
	}
	p.l.errorf(sp, format, args...)
}

func (p *gparser) done() bool { return p.failed || p.i >= len(p.toks) }

func (p *gparser) peek(k int) *lexer.Token {
	if p.i+k < len(p.toks) {
		return &p.toks[p.i+k]
	}
	return nil
}

// punct reports whether the token k ahead is the punctuation v.
func (p *gparser) punct(k int, v string) bool {
	t := p.peek(k)
	return t != nil && t.Type == tokPunct && t.Value == v
}

// word reports whether the token k ahead is the identifier w (any case).
func (p *gparser) word(k int, w string) bool {
	t := p.peek(k)
	return t != nil && (t.Type == tokIdent || t.Type == tokOpKw) && strings.EqualFold(t.Value, w)
}

func (p *gparser) expectPunct(v string) bool {
	if p.punct(0, v) {
		p.i++
		return true
	}
	p.errorf(p.i, "expected '%s' here, found %s", v, p.describe())
	return false
}

func (p *gparser) describe() string {
	if t := p.peek(0); t != nil {
		return describe(t)
	}
	return "end of operator"
}

func (p *gparser) ident(what string) *ast.Ident {
	t := p.peek(0)
	if t == nil || t.Type != tokIdent {
		p.errorf(p.i, "expected %s, found %s", what, p.describe())
		return nil
	}
	p.i++
	return &ast.Ident{Pos: ast.Pos{Sp: lang.Span{Start: t.Pos.Offset, End: tokEnd(t)}}, Name: t.Value}
}

// scanTo returns the index of the first token at or after p.i, at bracket
// depth 0, for which stop is true (len(toks) if none).
func (p *gparser) scanTo(stop func(i int) bool) int {
	depth := 0
	for i := p.i; i < len(p.toks); i++ {
		t := &p.toks[i]
		if t.Type == tokPunct {
			switch t.Value {
			case "(", "[", "{":
				depth++
				continue
			case ")", "]", "}":
				depth--
				continue
			}
		}
		if depth == 0 && stop(i) {
			return i
		}
	}
	return len(p.toks)
}

func (p *gparser) isWordAt(i int, w string) bool {
	t := &p.toks[i]
	return (t.Type == tokIdent || t.Type == tokOpKw) && strings.EqualFold(t.Value, w)
}

func (p *gparser) sub(a, b int) []lexer.Token {
	toks := append([]lexer.Token(nil), p.toks[a:b]...)
	end := p.end
	if b > a {
		end = tokEnd(&p.toks[b-1])
	}
	return append(toks, lexer.EOFToken(lexer.Position{Offset: end}))
}

// scalar parses toks[a:b] as a scalar expression.
func (p *gparser) scalar(a, b int) ast.Expr {
	if p.failed {
		return nil
	}
	if a >= b {
		p.errorf(a, "expected an expression, found %s", p.describeAt(a))
		return nil
	}
	toks := p.sub(a, b)
	cst, err := orParser.ParseFromLexer(peeking(toks))
	if err != nil {
		p.failed = true
		p.l.diags.Add(translate(p.l.src, toks, err))
		return nil
	}
	return p.l.or(cst)
}

// tabular parses toks[a:b] as a tabular expression.
func (p *gparser) tabular(a, b int) ast.Expr {
	if p.failed {
		return nil
	}
	if a >= b {
		p.errorf(a, "expected a table, found %s", p.describeAt(a))
		return nil
	}
	toks := p.sub(a, b)
	cst, err := exprParser.ParseFromLexer(peeking(toks))
	if err != nil {
		p.failed = true
		p.l.diags.Add(translate(p.l.src, toks, err))
		return nil
	}
	return p.l.pipe(cst)
}

func (p *gparser) describeAt(i int) string {
	if i < len(p.toks) {
		return describe(&p.toks[i])
	}
	return "end of operator"
}

// makeGraph: Src --> Dst [with T on K, ...] [with_node_id=N] [partitioned-by C (sub)]
func (p *gparser) makeGraph(sp lang.Span) ast.Op {
	op := &ast.MakeGraph{OpBase: ast.OpBase{Pos: ast.Pos{Sp: sp}}}
	op.Src = p.ident("the source column of make-graph")
	if p.failed {
		return op
	}
	if !(p.punct(0, "-") && p.punct(1, "-") && p.punct(2, ">")) {
		p.errorf(p.i, "expected '-->' between the source and target columns of make-graph, found %s", p.describe())
		return op
	}
	p.i += 3
	op.Dst = p.ident("the target column of make-graph")
	for !p.done() {
		switch {
		case p.word(0, "with"):
			p.i++
			for !p.done() {
				start := p.i
				on := p.scanTo(func(i int) bool { return p.isWordAt(i, "on") })
				tbl := p.tabular(start, on)
				p.i = on
				if !p.word(0, "on") {
					p.errorf(p.i, "expected 'on' after the node table, found %s", p.describe())
					return op
				}
				p.i++
				key := p.ident("the node key column after 'on'")
				if p.failed {
					return op
				}
				op.Nodes = append(op.Nodes, &ast.GraphNodeTable{Pos: ast.Pos{Sp: lang.Span{Start: tbl.Span().Start, End: key.Sp.End}}, Table: tbl, Key: key})
				if !p.punct(0, ",") {
					break
				}
				p.i++
			}
		case p.word(0, "with_node_id"):
			p.i++
			if p.expectPunct("=") {
				op.NodeID = p.ident("a column name after with_node_id=")
			}
		case p.word(0, "partitioned") && p.punct(1, "-") && p.word(2, "by"):
			p.i += 3
			op.PartitionBy = p.ident("a column name after partitioned-by")
			if p.failed || !p.expectPunct("(") {
				return op
			}
			start := p.i
			closeAt := p.closing(start)
			if closeAt < 0 {
				p.errorf(len(p.toks), "expected ')' to close the partitioned-by subquery")
				return op
			}
			toks := p.sub(start, closeAt)
			cst, err := subPipeParser.ParseFromLexer(peeking(toks))
			if err != nil {
				p.failed = true
				p.l.diags.Add(translate(p.l.src, toks, err))
				return op
			}
			op.Partition = p.l.subPipe(cst)
			p.i = closeAt + 1
		default:
			p.errorf(p.i, "unexpected %s in make-graph; expected with, with_node_id= or partitioned-by", p.describe())
		}
	}
	return op
}

// closing returns the index of the ')' that closes a '(' just before start.
func (p *gparser) closing(start int) int {
	depth := 0
	for i := start; i < len(p.toks); i++ {
		t := &p.toks[i]
		if t.Type != tokPunct {
			continue
		}
		switch t.Value {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}

// graphMatch: [cycles=C | output=O] Path {, Path} [where P] project items
func (p *gparser) graphMatch(sp lang.Span, shortest bool) ast.Op {
	op := &ast.GraphMatch{OpBase: ast.OpBase{Pos: ast.Pos{Sp: sp}}, Shortest: shortest}
	for (p.word(0, "cycles") || p.word(0, "output")) && p.punct(1, "=") {
		t := p.peek(0)
		p.i += 2
		v := p.ident("an option value")
		if p.failed {
			return op
		}
		op.Options = append(op.Options, &ast.Option{Pos: ast.Pos{Sp: lang.Span{Start: t.Pos.Offset, End: v.Sp.End}}, Name: strings.ToLower(t.Value), Value: v})
	}
	for !p.done() {
		path := p.path()
		if p.failed {
			return op
		}
		op.Paths = append(op.Paths, path)
		if !p.punct(0, ",") {
			break
		}
		p.i++
	}
	if !p.done() && p.word(0, "where") {
		p.i++
		start := p.i
		end := p.scanTo(func(i int) bool { return p.isWordAt(i, "project") })
		op.Where = p.scalar(start, end)
		p.i = end
	}
	if !p.done() && p.word(0, "project") {
		p.i++
		for !p.done() {
			start := p.i
			end := p.scanTo(func(i int) bool { return p.toks[i].Type == tokPunct && p.toks[i].Value == "," })
			item := &ast.NamedExpr{}
			if end-start > 2 && p.toks[start].Type == tokIdent && p.toks[start+1].Type == tokPunct && p.toks[start+1].Value == "=" {
				t := &p.toks[start]
				item.Names = []*ast.Ident{{Pos: ast.Pos{Sp: lang.Span{Start: t.Pos.Offset, End: tokEnd(t)}}, Name: t.Value}}
				start += 2
			}
			item.X = p.scalar(start, end)
			if p.failed {
				return op
			}
			item.Sp = lang.Span{Start: p.toks[p.i].Pos.Offset, End: item.X.Span().End}
			op.Project = append(op.Project, item)
			p.i = end
			if p.punct(0, ",") {
				p.i++
				if p.done() {
					p.errorf(p.i, "expected a project expression after ','")
				}
			}
		}
	} else if !p.done() {
		p.errorf(p.i, "unexpected %s in %s; expected a pattern, where or project", p.describe(), op.OpName())
	}
	if len(op.Paths) == 0 {
		p.errorf(len(p.toks), "%s needs a pattern such as (a)-[e]->(b)", op.OpName())
	}
	if len(op.Project) == 0 && !p.failed {
		p.errorf(len(p.toks), "%s needs a project clause", op.OpName())
	}
	return op
}

// path: Node {Edge Node}
func (p *gparser) path() *ast.GraphPath {
	out := &ast.GraphPath{}
	start := p.i
	out.Nodes = append(out.Nodes, p.node())
	for !p.failed && (p.punct(0, "-") || p.punct(0, "<")) {
		out.Edges = append(out.Edges, p.edge())
		if p.failed {
			return out
		}
		out.Nodes = append(out.Nodes, p.node())
	}
	if !p.failed {
		out.Sp = lang.Span{Start: p.toks[start].Pos.Offset, End: tokEnd(&p.toks[p.i-1])}
	}
	return out
}

func (p *gparser) node() *ast.GraphNode {
	n := &ast.GraphNode{}
	t := p.peek(0)
	if !p.expectPunct("(") {
		return n
	}
	if !p.punct(0, ")") {
		n.Name = p.ident("a node variable name or ')'")
	}
	if p.expectPunct(")") {
		n.Sp = lang.Span{Start: t.Pos.Offset, End: tokEnd(&p.toks[p.i-1])}
	}
	return n
}

func (p *gparser) edge() *ast.GraphEdge {
	e := &ast.GraphEdge{Min: 1, Max: 1}
	start := p.peek(0).Pos.Offset
	defer func() {
		if !p.failed {
			e.Sp = lang.Span{Start: start, End: tokEnd(&p.toks[p.i-1])}
		}
	}()
	left := p.punct(0, "<")
	if left {
		p.i++
	}
	if !p.expectPunct("-") {
		return e
	}
	if p.punct(0, "-") { // anonymous: --, -->, <--
		p.i++
	} else if p.punct(0, "[") {
		p.i++
		p.bracket(e)
		if p.failed || !p.expectPunct("-") {
			return e
		}
	} else {
		p.errorf(p.i, "expected '-' or '[' in an edge, found %s", p.describe())
		return e
	}
	right := p.punct(0, ">")
	if right {
		p.i++
	}
	switch {
	case left && right:
		p.errorf(p.i-1, "an edge cannot point both ways; write -[e]- for any direction")
	case left:
		e.Dir = "<-"
	case right:
		e.Dir = "->"
	default:
		e.Dir = "-"
	}
	return e
}

// bracket parses `[name] [*min..max]]` after '['.
func (p *gparser) bracket(e *ast.GraphEdge) {
	if t := p.peek(0); t != nil && t.Type == tokIdent {
		e.Name = p.ident("an edge variable name")
	}
	if p.punct(0, "*") {
		p.i++
		e.VarLen = true
		lo, ok := p.number()
		if !ok {
			return
		}
		e.Min, e.Max = lo, lo
		if p.punct(0, "..") {
			p.i++
			hi, ok := p.number()
			if !ok {
				return
			}
			e.Max = hi
		}
		if e.Min < 0 || e.Max < e.Min {
			p.errorf(p.i-1, "bad edge length range %d..%d: write *min..max with 0 <= min <= max", e.Min, e.Max)
			return
		}
	}
	p.expectPunct("]")
}

func (p *gparser) number() (int, bool) {
	t := p.peek(0)
	if t == nil || t.Type != tokNumber {
		p.errorf(p.i, "expected a number in the edge length range, found %s", p.describe())
		return 0, false
	}
	n, err := strconv.Atoi(t.Value)
	if err != nil || n > 1<<20 {
		p.errorf(p.i, "bad edge length %s", t.Value)
		return 0, false
	}
	p.i++
	return n, true
}

// graphToTable: nodes [as N] [with_node_id=C] [, edges [as E] [with_source_id=C] [with_target_id=C]]
func (p *gparser) graphToTable(sp lang.Span) ast.Op {
	op := &ast.GraphToTable{OpBase: ast.OpBase{Pos: ast.Pos{Sp: sp}}}
	for !p.done() {
		t := p.peek(0)
		part := &ast.GraphTablePart{}
		switch {
		case p.word(0, "nodes"):
		case p.word(0, "edges"):
			part.Edges = true
		default:
			p.errorf(p.i, "expected nodes or edges after graph-to-table, found %s", p.describe())
			return op
		}
		p.i++
		for !p.done() && !p.punct(0, ",") {
			switch {
			case p.word(0, "as"):
				p.i++
				part.As = p.ident("a table name after 'as'")
			case (p.word(0, "with_node_id") && !part.Edges || (p.word(0, "with_source_id") || p.word(0, "with_target_id")) && part.Edges) && p.punct(1, "="):
				w := strings.ToLower(p.peek(0).Value)
				p.i += 2
				id := p.ident("a column name")
				switch w {
				case "with_node_id":
					part.NodeID = id
				case "with_source_id":
					part.SourceID = id
				default:
					part.TargetID = id
				}
			default:
				p.errorf(p.i, "unexpected %s in graph-to-table", p.describe())
				return op
			}
		}
		part.Sp = lang.Span{Start: t.Pos.Offset, End: tokEnd(&p.toks[p.i-1])}
		op.Parts = append(op.Parts, part)
		if p.punct(0, ",") {
			p.i++
		}
	}
	if len(op.Parts) == 0 {
		p.errorf(0, "graph-to-table needs nodes or edges")
	}
	return op
}
