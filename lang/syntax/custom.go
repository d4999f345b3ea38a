package syntax

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Hand-written grammar pieces that participle's struct grammar cannot say:
// name patterns must be written without spaces (`Device*`, `*Id`), and rare
// operators are kept as raw text.

func tokEnd(t *lexer.Token) int { return t.Pos.Offset + len(t.Value) }

func isStar(t *lexer.Token) bool { return t.Type == tokPunct && t.Value == "*" }

// cstWild is a column name, a quoted name or a name pattern with `*`.
type cstWild struct {
	Start, End int
	Pattern    string // the name or pattern as written (decoded for quoted names)
	Quoted     bool
	Star       bool // the pattern contains `*`
}

// Parse implements participle.Parseable.
func (w *cstWild) Parse(lex *lexer.PeekingLexer) error {
	return w.parse(lex, false)
}

func (w *cstWild) parse(lex *lexer.PeekingLexer, needStar bool) error {
	cp := lex.MakeCheckpoint()
	t := lex.Peek()
	if t.Type == tokPunct && t.Value == "[" {
		lex.Next()
		s := lex.Peek()
		if s.Type != tokString {
			lex.LoadCheckpoint(cp)
			return participle.NextMatch
		}
		lex.Next()
		c := lex.Peek()
		if c.Type != tokPunct || c.Value != "]" {
			lex.LoadCheckpoint(cp)
			return participle.NextMatch
		}
		lex.Next()
		if needStar {
			lex.LoadCheckpoint(cp)
			return participle.NextMatch
		}
		text, _ := unquoteString(s.Value)
		*w = cstWild{Start: t.Pos.Offset, End: tokEnd(c), Pattern: text, Quoted: true}
		return nil
	}
	if t.Type != tokIdent && !isStar(t) {
		return participle.NextMatch
	}
	w.Start = t.Pos.Offset
	end := t.Pos.Offset
	pat := ""
	for {
		t = lex.Peek()
		if t.EOF() || t.Pos.Offset != end && pat != "" {
			break
		}
		if !(t.Type == tokIdent || isStar(t) || t.Type == tokNumber && pat != "") {
			break
		}
		if isStar(t) {
			w.Star = true
		}
		pat += t.Value
		end = tokEnd(t)
		lex.Next()
	}
	if needStar && !w.Star {
		lex.LoadCheckpoint(cp)
		*w = cstWild{}
		return participle.NextMatch
	}
	w.End = end
	w.Pattern = pat
	return nil
}

// cstStarName matches only a name pattern that contains `*` (union T*).
type cstStarName struct {
	cstWild
}

// Parse implements participle.Parseable.
func (w *cstStarName) Parse(lex *lexer.PeekingLexer) error {
	return w.cstWild.parse(lex, true)
}

// genericOps are the rare operators kept as raw text (ast.Generic).
var genericOps = map[string]bool{
	"make-graph": true, "graph-match": true, "graph-merge": true, "graph-to-table": true,
	"graph-shortest-paths": true, "project-by-names": true, "execute": true, "assert-schema": true,
}

// cstGeneric is a rare operator: its keyword and the raw text of its arguments
// up to the next `|`, `;` or closing bracket at nesting depth 0.
type cstGeneric struct {
	Start, End       int
	Name             string
	ArgStart, ArgEnd int
}

// Parse implements participle.Parseable.
func (g *cstGeneric) Parse(lex *lexer.PeekingLexer) error {
	t := lex.Peek()
	if !genericOps[t.Value] || (t.Type != tokIdent && t.Type != tokOpKw) {
		return participle.NextMatch
	}
	lex.Next()
	g.Name = t.Value
	g.Start = t.Pos.Offset
	g.End = tokEnd(t)
	g.ArgStart, g.ArgEnd = g.End, g.End
	depth := 0
	first := true
	for {
		t = lex.Peek()
		if t.EOF() {
			break
		}
		if t.Type == tokPunct {
			switch t.Value {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				if depth == 0 {
					return nil
				}
				depth--
			case "|", ";":
				if depth == 0 {
					return nil
				}
			}
		}
		if first {
			g.ArgStart = t.Pos.Offset
			first = false
		}
		g.End = tokEnd(t)
		g.ArgEnd = g.End
		lex.Next()
	}
	return nil
}

// cstPattern is `declare pattern ...`, kept as raw text up to the next ';' at
// nesting depth 0.
type cstPattern struct {
	Start, End int
	NameStart  int
	Name       string
}

// Parse implements participle.Parseable.
func (d *cstPattern) Parse(lex *lexer.PeekingLexer) error {
	cp := lex.MakeCheckpoint()
	t := lex.Peek()
	if t.Value != "declare" {
		return participle.NextMatch
	}
	lex.Next()
	if lex.Peek().Value != "pattern" {
		lex.LoadCheckpoint(cp)
		return participle.NextMatch
	}
	lex.Next()
	d.Start = t.Pos.Offset
	n := lex.Peek()
	if n.Type != tokIdent {
		return participle.Errorf(n.Pos, "expected a pattern name after 'declare pattern'")
	}
	d.Name, d.NameStart = n.Value, n.Pos.Offset
	depth := 0
	for {
		t = lex.Peek()
		if t.EOF() {
			return nil
		}
		if t.Type == tokPunct {
			switch t.Value {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				if depth == 0 {
					return nil
				}
				depth--
			case ";":
				if depth == 0 {
					return nil
				}
			}
		}
		d.End = tokEnd(t)
		lex.Next()
	}
}
