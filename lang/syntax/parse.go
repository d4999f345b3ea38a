package syntax

import (
	"errors"
	"fmt"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
)

// Limits that keep hostile or broken input from exhausting the stack or time.
const (
	MaxQueryBytes = 1 << 20 // longest accepted query text
	MaxNesting    = 100     // deepest nesting of (), [] and {}
	MaxTokens     = 200000  // most tokens in one query
	lookahead     = 32      // participle branch lookahead
)

var buildOpts = []participle.Option{
	participle.Lexer(kqlLexer),
	participle.Elide("Whitespace", "Comment"),
	participle.UseLookahead(lookahead),
}

var (
	queryParser = participle.MustBuild[cstQuery](buildOpts...)
	exprParser  = participle.MustBuild[cstPipe](buildOpts...)
)

// Parse parses a whole KQL text: statements separated by ';' and an optional
// trailing tabular expression. It returns the (possibly partial) tree and the
// syntax errors found, each positioned by byte offsets into src.
func Parse(src *lang.Source) (q *ast.Query, diags lang.List) {
	q = &ast.Query{Pos: ast.Pos{Sp: lang.Span{End: len(src.Text)}}}
	defer func() {
		if r := recover(); r != nil {
			diags.Errorf(lang.Span{}, "internal", "internal parser error: %v", r)
		}
	}()
	toks, all, ok := scan(src, &diags)
	if !ok {
		return q, diags
	}
	cst, err := parseBlocks(src.Text, all)
	l := &lowerer{src: src}
	if err != nil {
		diags.Add(translate(src, toks, err))
		if cst != nil {
			q = l.query(cst)
		}
		return q, diags
	}
	q = l.query(cst)
	diags = append(diags, l.diags...)
	diags.Sort()
	return q, diags
}

// ParseExpr parses a single scalar or tabular expression (the REPL and tests).
func ParseExpr(src *lang.Source) (x ast.Expr, diags lang.List) {
	defer func() {
		if r := recover(); r != nil {
			diags.Errorf(lang.Span{}, "internal", "internal parser error: %v", r)
		}
	}()
	toks, all, ok := scan(src, &diags)
	if !ok {
		return nil, diags
	}
	cst, err := exprParser.ParseFromLexer(peeking(all))
	if err != nil {
		diags.Add(translate(src, toks, err))
		return nil, diags
	}
	l := &lowerer{src: src}
	x = l.pipe(cst)
	diags = append(diags, l.diags...)
	diags.Sort()
	return x, diags
}

type sliceLexer struct {
	toks []lexer.Token
	i    int
}

func (s *sliceLexer) Next() (lexer.Token, error) {
	t := s.toks[s.i]
	if s.i < len(s.toks)-1 {
		s.i++
	}
	return t, nil
}

// peeking hands already-lexed tokens (ending with EOF) to participle.
func peeking(all []lexer.Token) *lexer.PeekingLexer {
	pl, _ := lexer.Upgrade(&sliceLexer{toks: all}, tokWhitespace, tokComment)
	return pl
}

// scan lexes src, reporting stray characters, unterminated strings,
// unbalanced brackets and the size and nesting limits before parsing. It
// returns the significant tokens and all tokens (with whitespace and comments).
func scan(src *lang.Source, diags *lang.List) (toks, all []lexer.Token, ok bool) {
	if len(src.Text) > MaxQueryBytes {
		diags.Errorf(lang.Span{}, "limit", "query is too long (%d bytes; the limit is %d)", len(src.Text), MaxQueryBytes)
		return nil, nil, false
	}
	lx, err := kqlLexer.LexString(src.Name, src.Text)
	if err != nil {
		diags.Errorf(lang.Span{}, "syntax", "%v", err)
		return nil, nil, false
	}
	type open struct {
		tok lexer.Token
	}
	var stack []open
	closer := map[string]string{"(": ")", "[": "]", "{": "}"}
	ok = true
	for {
		t, err := lx.Next()
		if err != nil {
			diags.Errorf(lang.Span{}, "syntax", "%v", err)
			return nil, nil, false
		}
		all = append(all, t)
		if t.EOF() {
			toks = append(toks, t)
			break
		}
		if t.Type == tokWhitespace || t.Type == tokComment {
			continue
		}
		toks = append(toks, t)
		if len(toks) > MaxTokens {
			diags.Errorf(lang.Span{}, "limit", "query has too many tokens (the limit is %d)", MaxTokens)
			return nil, nil, false
		}
		sp := lang.Span{Start: t.Pos.Offset, End: tokEnd(&t)}
		switch t.Type {
		case tokBadString:
			diags.Errorf(sp, "syntax", "unterminated string")
			return toks, all, false
		case tokBad:
			diags.Errorf(sp, "syntax", "unexpected character %q", t.Value)
			ok = false
		case tokPunct:
			switch t.Value {
			case "(", "[", "{":
				stack = append(stack, open{t})
				if len(stack) > MaxNesting {
					diags.Errorf(sp, "limit", "brackets are nested too deeply (the limit is %d)", MaxNesting)
					return toks, all, false
				}
			case ")", "]", "}":
				if len(stack) == 0 {
					diags.Errorf(sp, "syntax", "unexpected '%s' with no matching '%s'", t.Value, opener(t.Value))
					return toks, all, false
				}
				top := stack[len(stack)-1].tok
				if closer[top.Value] != t.Value {
					diags.Errorf(sp, "syntax", "expected '%s' to close '%s' opened at %d:%d, found '%s'", closer[top.Value], top.Value, top.Pos.Line, top.Pos.Column, t.Value)
					return toks, all, false
				}
				stack = stack[:len(stack)-1]
			}
		}
	}
	if len(stack) > 0 {
		top := stack[len(stack)-1].tok
		end := len(src.Text)
		if n := len(toks); n >= 2 {
			end = tokEnd(&toks[n-2]) // just after the last token
		}
		diags.Errorf(lang.Span{Start: end, End: end}, "syntax", "expected '%s' to close '%s' opened at %d:%d", closer[top.Value], top.Value, top.Pos.Line, top.Pos.Column)
		return toks, all, false
	}
	return toks, all, ok
}

func opener(c string) string {
	switch c {
	case ")":
		return "("
	case "]":
		return "["
	}
	return "{"
}

// translate turns a participle error into a diagnostic a hunter can read.
func translate(src *lang.Source, toks []lexer.Token, err error) lang.Diagnostic {
	var perr participle.Error
	if !errors.As(err, &perr) {
		return lang.Diagnostic{Severity: lang.SevError, Code: "syntax", Msg: err.Error()}
	}
	pos := perr.Position()
	off := pos.Offset
	// find the offending token and the one before it
	idx := -1
	for i := range toks {
		if toks[i].Pos.Offset >= off {
			idx = i
			break
		}
	}
	var cur, prev *lexer.Token
	if idx >= 0 {
		cur = &toks[idx]
		if idx > 0 {
			prev = &toks[idx-1]
		}
	}
	sp := lang.Span{Start: off, End: off}
	if cur != nil && !cur.EOF() {
		sp.End = tokEnd(cur)
	}
	var ute *participle.UnexpectedTokenError
	expect := ""
	if errors.As(err, &ute) {
		expect = ute.Expect
	}
	return lang.Diagnostic{Span: sp, Severity: lang.SevError, Code: "syntax", Msg: message(cur, prev, expect, perr.Message())}
}

// words that start a tabular operator after '|'
var operatorWords = map[string]bool{
	"where": true, "filter": true, "project": true, "project-away": true, "project-keep": true, "project-rename": true,
	"project-reorder": true, "extend": true, "summarize": true, "count": true, "take": true, "limit": true, "top": true,
	"top-nested": true, "top-hitters": true, "sort": true, "order": true, "distinct": true, "join": true, "lookup": true,
	"union": true, "mv-expand": true, "mvexpand": true, "mv-apply": true, "parse": true, "parse-where": true, "parse-kv": true,
	"make-series": true, "render": true, "evaluate": true, "invoke": true, "as": true, "serialize": true, "scan": true,
	"sample": true, "sample-distinct": true, "getschema": true, "facet": true, "fork": true, "partition": true,
	"search": true, "find": true, "print": true, "range": true, "consume": true, "reduce": true,
}

func describe(t *lexer.Token) string {
	if t == nil || t.EOF() {
		return "end of query"
	}
	v := t.Value
	if len(v) > 40 {
		v = v[:40] + "..."
	}
	switch t.Type {
	case tokString, tokMLString:
		return "string " + v
	case tokNumber, tokTimespan:
		return "number " + v
	}
	return "'" + v + "'"
}

// message builds the text of a syntax error from the token where parsing
// stopped, the token before it and what participle expected.
func message(cur, prev *lexer.Token, expect, raw string) string {
	got := describe(cur)
	if prev != nil {
		pv := prev.Value
		switch {
		case pv == "|":
			if cur == nil || cur.EOF() {
				return "expected an operator after '|' (where, project, extend, summarize, ...)"
			}
			return fmt.Sprintf("unknown tabular operator %s after '|'; expected where, project, extend, summarize, join, ...", got)
		case (pv == "sort" || pv == "order") && (cur == nil || cur.Value != "by"):
			return fmt.Sprintf("expected 'by' after '%s', found %s", pv, got)
		case (pv == "in" || pv == "in~" || pv == "!in" || pv == "!in~" || pv == "has_any" || pv == "has_all") && (cur == nil || cur.Value != "("):
			return fmt.Sprintf("expected '(' after '%s': write x %s (a, b, ...), found %s", pv, pv, got)
		case pv == "by" || pv == "on":
			return fmt.Sprintf("expected a column name after '%s', found %s", pv, got)
		case pv == "=" || pv == "==" || pv == "!=" || pv == "," && expect == "" || pv == "(" && cur != nil && cur.Value != ")" || isBinaryWord(pv) || pv == "+" || pv == "-" || pv == "*" || pv == "/":
			return fmt.Sprintf("expected an expression after '%s', found %s", pv, got)
		case operatorWords[pv]:
			return fmt.Sprintf("unexpected %s after '%s'", got, pv)
		case pv == "let":
			return fmt.Sprintf("expected a name after 'let', found %s", got)
		}
	}
	if cur != nil && (cur.Value == "let" || cur.Value == "set" || cur.Value == "declare") && prev != nil && prev.Value != ";" {
		return fmt.Sprintf("expected ';' before '%s': statements are separated by ';' (is this a second query?)", cur.Value)
	}
	if cur != nil && cur.Value == "=" {
		return "unexpected '='; use '==' to compare values"
	}
	if cur != nil && prev != nil && endsOperand(prev) && (cur.Type == tokIdent || cur.Type == tokNumber || cur.Type == tokString || cur.Type == tokTimespan) {
		return fmt.Sprintf("unexpected %s: is an operator (and, or, ...), ',', ';' or '|' missing before it?", got)
	}
	if expect != "" {
		return fmt.Sprintf("unexpected %s; expected %s", got, friendlyExpect(expect))
	}
	if cur != nil && !cur.EOF() {
		return fmt.Sprintf("unexpected %s", got)
	}
	if raw != "" && !strings.Contains(raw, "unexpected token") {
		return raw
	}
	return "unexpected end of query"
}

// endsOperand reports whether t can be the last token of an operand.
func endsOperand(t *lexer.Token) bool {
	switch t.Type {
	case tokIdent, tokNumber, tokString, tokMLString, tokTimespan, tokTypedLit:
		return !operatorWords[t.Value] && !isBinaryWord(t.Value)
	case tokPunct:
		return t.Value == ")" || t.Value == "]"
	}
	return false
}

func isBinaryWord(w string) bool {
	switch w {
	case "and", "or", "has", "contains", "startswith", "endswith", "in", "in~", "has_any", "has_all", "matches", "regex", "between":
		return true
	}
	return strings.HasPrefix(w, "!") || strings.HasSuffix(w, "_cs")
}

func friendlyExpect(e string) string {
	e = strings.ReplaceAll(e, "<ident>", "a name")
	e = strings.ReplaceAll(e, "<string>", "a string")
	e = strings.ReplaceAll(e, "<number>", "a number")
	e = strings.ReplaceAll(e, "\"", "'")
	return e
}
