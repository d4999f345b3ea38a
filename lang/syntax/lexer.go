package syntax

import (
	"io"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// Token types of the KQL lexer. Rules are tried in order at each position;
// the first that matches wins, so longer and more specific forms come first.
//
//   - Timespan literals (`1d`, `1.5h`, `10microseconds`) are single tokens.
//   - Typed literals whose contents are not ordinary tokens
//     (`datetime(2024-01-01 10:00)`, `timespan(1.02:03:04)`, `time(2d)`,
//     `guid(...)`) are single tokens, decoded when lowering.
//   - Hyphenated operator keywords (`project-away`, `mv-expand`) are single
//     tokens so that they never read as subtraction.
//   - `!has`, `!in~`, `!contains_cs`... are single NotOp tokens; `in~` is InCI.
//   - BadString and Bad exist only to report unterminated strings and stray
//     characters with a position instead of failing the whole lexer.
var baseLexer = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "Whitespace", Pattern: `[\s\p{Zs}\x{feff}]+`},
	{Name: "Comment", Pattern: `//[^\n]*`},
	{Name: "MLString", Pattern: "```[\\s\\S]*?```|~~~[\\s\\S]*?~~~"},
	{Name: "String", Pattern: `[hH]?@'[^'\n]*(?:''[^'\n]*)*'|[hH]?@"[^"\n]*(?:""[^"\n]*)*"|[hH]?'(?:\\.|[^'\\\n])*'|[hH]?"(?:\\.|[^"\\\n])*"`},
	{Name: "BadString", Pattern: "[hH]?@?['\"]|```|~~~"},
	{Name: "TypedLit", Pattern: `(?:datetime|timespan|time|guid)[ \t]*\([^()\n]*\)`},
	{Name: "Hint", Pattern: `hint\.[A-Za-z_][A-Za-z0-9_]*`},
	{Name: "Timespan", Pattern: `\d+(?:\.\d+)?(?:microseconds?|milliseconds?|microsec|millisec|millis?|seconds?|minutes?|hours?|hrs?|days?|ticks?|ms|min|sec|d|h|m|s)\b`},
	{Name: "Number", Pattern: `0[xX][0-9a-fA-F]+\b|\d+\.\d*(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+\b|\d+\b`},
	{Name: "OpKw", Pattern: `(?:project-away|project-keep|project-rename|project-reorder|project-smart|mv-expand|mv-apply|make-series|make-graph|parse-where|parse-kv|top-nested|top-hitters|sample-distinct|graph-match|graph-merge|graph-to-table|graph-shortest-paths|project-by-names|granny-asc|granny-desc)\b`},
	{Name: "InCI", Pattern: `in~`},
	{Name: "NotOp", Pattern: `!(?:in~|[A-Za-z_][A-Za-z0-9_]*)`},
	{Name: "Ident", Pattern: `[\p{L}_$][\p{L}\p{N}_]*|\d+[\p{L}_][\p{L}\p{N}_]*`},
	{Name: "Punct", Pattern: `==|!=|<>|<=|>=|=~|!~|=>|\.\.|[-+*/%<>=(),.;:\[\]{}|!~@?#^&]`},
	{Name: "Bad", Pattern: `[\s\S]`},
})

// kqlLexer is baseLexer with one repair: a real written with a trailing dot
// (`1000.`) is allowed, but `1..5` must stay 1 '..' 5, so a Number ending in
// '.' that is followed by '.' gives its dot back.
var kqlLexer = fixDef{baseLexer}

type fixDef struct{ *lexer.StatefulDefinition }

func (d fixDef) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return d.LexString(filename, string(b))
}

func (d fixDef) LexString(filename, text string) (lexer.Lexer, error) {
	in, err := d.StatefulDefinition.LexString(filename, text)
	if err != nil {
		return nil, err
	}
	return &fixLexer{in: in}, nil
}

type fixLexer struct {
	in      lexer.Lexer
	pending []lexer.Token
}

func (f *fixLexer) next() (lexer.Token, error) {
	if n := len(f.pending); n > 0 {
		t := f.pending[0]
		f.pending = f.pending[1:]
		return t, nil
	}
	return f.in.Next()
}

func (f *fixLexer) Next() (lexer.Token, error) {
	t, err := f.next()
	if err != nil || t.Type != tokNumber || !strings.HasSuffix(t.Value, ".") {
		return t, err
	}
	n, err := f.next()
	if err != nil {
		return t, err
	}
	if n.Type == tokPunct && (n.Value == "." || n.Value == "..") {
		t.Value = t.Value[:len(t.Value)-1]
		dot := n
		dot.Value = "." + n.Value
		dot.Pos.Offset--
		dot.Pos.Column--
		f.pending = append(f.pending, dot)
		return t, nil
	}
	f.pending = append(f.pending, n)
	return t, nil
}

// token type ids, resolved once.
var (
	tokWhitespace = baseLexer.Symbols()["Whitespace"]
	tokComment    = baseLexer.Symbols()["Comment"]
	tokString     = baseLexer.Symbols()["String"]
	tokMLString   = baseLexer.Symbols()["MLString"]
	tokBadString  = baseLexer.Symbols()["BadString"]
	tokIdent      = baseLexer.Symbols()["Ident"]
	tokNumber     = baseLexer.Symbols()["Number"]
	tokTimespan   = baseLexer.Symbols()["Timespan"]
	tokOpKw       = baseLexer.Symbols()["OpKw"]
	tokPunct      = baseLexer.Symbols()["Punct"]
	tokBad        = baseLexer.Symbols()["Bad"]
	tokHint       = baseLexer.Symbols()["Hint"]
	tokNotOp      = baseLexer.Symbols()["NotOp"]
	tokInCI       = baseLexer.Symbols()["InCI"]
	tokTypedLit   = baseLexer.Symbols()["TypedLit"]
)
