package syntax

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/kqlhunt/kqlhunt/lang/ast"
)

// The statement scanner (cstPattern) keeps `declare pattern` as raw text so
// that a malformed pattern never derails the rest of the query; its
// definition is parsed here with a grammar of its own.

type cstPatternDecl struct {
	span
	Name   *cstName     `parser:"'declare' 'pattern' @@"`
	Params []*cstParam  `parser:"( '=' '(' @@ ( ',' @@ )* ')'"`
	Path   *cstParam    `parser:"  ( '[' @@ ']' )?"`
	Maps   []*cstPatMap `parser:"  '{' ';'* ( @@ ';'+ )* '}' )? ';'?"`
}

type cstPatMap struct {
	span
	Args []string  `parser:"'(' @String ( ',' @String )* ')'"`
	Path []string  `parser:"( '.' '[' @String ']' )?"`
	Body *cstBlock `parser:"'=' @@"`
}

var patternParser = participle.MustBuild[cstPatternDecl](buildOpts...)

// pattern parses the text of a declare pattern statement into its
// parameters and mappings.
func (l *lowerer) pattern(st *ast.DeclarePatternStmt) {
	sp := st.Span()
	lx, err := kqlLexer.LexString(l.src.Name, l.src.Text[sp.Start:sp.End])
	if err != nil {
		l.errorf(sp, "%v", err)
		return
	}
	var toks []lexer.Token
	for {
		t, err := lx.Next()
		if err != nil {
			l.errorf(sp, "%v", err)
			return
		}
		if t.EOF() {
			toks = append(toks, lexer.EOFToken(lexer.Position{Offset: sp.End}))
			break
		}
		if t.Type == tokWhitespace || t.Type == tokComment {
			continue
		}
		t.Pos.Offset += sp.Start
		toks = append(toks, t)
	}
	cst, err := patternParser.ParseFromLexer(peeking(toks))
	if err != nil {
		l.diags.Add(translate(l.src, toks, err))
		return
	}
	st.Params = l.params(cst.Params)
	if cst.Path != nil {
		st.Path = l.params([]*cstParam{cst.Path})[0]
	}
	st.Defined = cst.Params != nil
	for _, m := range cst.Maps {
		msp := l.sp(m.span)
		pm := &ast.PatternMap{Pos: ast.Pos{Sp: msp}}
		for _, a := range m.Args {
			if lit := l.stringLit([]string{a}, msp); lit != nil {
				s, _ := lit.Value.(string)
				pm.Args = append(pm.Args, s)
			}
		}
		if len(m.Path) > 0 {
			if lit := l.stringLit(m.Path, msp); lit != nil {
				pm.Path, _ = lit.Value.(string)
				pm.HasPath = true
			}
		}
		pm.Body = &ast.Block{}
		if m.Body != nil {
			pm.Body = &ast.Block{Pos: ast.Pos{Sp: l.sp(m.Body.span)}, Stmts: l.stmts(m.Body.Stmts)}
		}
		st.Maps = append(st.Maps, pm)
	}
}
