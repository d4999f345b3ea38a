package syntax

import (
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
var kqlLexer = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "Whitespace", Pattern: `[\s\x{feff}]+`},
	{Name: "Comment", Pattern: `//[^\n]*`},
	{Name: "MLString", Pattern: "```[\\s\\S]*?```|~~~[\\s\\S]*?~~~"},
	{Name: "String", Pattern: `[hH]?@'[^'\n]*(?:''[^'\n]*)*'|[hH]?@"[^"\n]*(?:""[^"\n]*)*"|[hH]?'(?:\\.|[^'\\\n])*'|[hH]?"(?:\\.|[^"\\\n])*"`},
	{Name: "BadString", Pattern: "[hH]?@?['\"]|```|~~~"},
	{Name: "TypedLit", Pattern: `(?:datetime|timespan|time|guid)[ \t]*\([^()\n]*\)`},
	{Name: "Hint", Pattern: `hint\.[A-Za-z_][A-Za-z0-9_]*`},
	{Name: "Timespan", Pattern: `\d+(?:\.\d+)?(?:microseconds?|milliseconds?|microsec|millisec|seconds?|minutes?|hours?|days?|ticks?|ms|min|sec|d|h|m|s)\b`},
	{Name: "Number", Pattern: `0[xX][0-9a-fA-F]+|\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+`},
	{Name: "OpKw", Pattern: `(?:project-away|project-keep|project-rename|project-reorder|project-smart|mv-expand|mv-apply|make-series|make-graph|parse-where|parse-kv|top-nested|top-hitters|sample-distinct|graph-match|graph-merge|graph-to-table|graph-shortest-paths|granny-asc|granny-desc)\b`},
	{Name: "InCI", Pattern: `in~`},
	{Name: "NotOp", Pattern: `!(?:in~|[A-Za-z_][A-Za-z0-9_]*)`},
	{Name: "Ident", Pattern: `[\p{L}_$][\p{L}\p{N}_]*`},
	{Name: "Punct", Pattern: `==|!=|<>|<=|>=|=~|!~|=>|\.\.|[-+*/%<>=(),.;:\[\]{}|!~@?#^&]`},
	{Name: "Bad", Pattern: `[\s\S]`},
})

// token type ids, resolved once.
var (
	tokWhitespace = kqlLexer.Symbols()["Whitespace"]
	tokComment    = kqlLexer.Symbols()["Comment"]
	tokString     = kqlLexer.Symbols()["String"]
	tokMLString   = kqlLexer.Symbols()["MLString"]
	tokBadString  = kqlLexer.Symbols()["BadString"]
	tokIdent      = kqlLexer.Symbols()["Ident"]
	tokNumber     = kqlLexer.Symbols()["Number"]
	tokTimespan   = kqlLexer.Symbols()["Timespan"]
	tokOpKw       = kqlLexer.Symbols()["OpKw"]
	tokPunct      = kqlLexer.Symbols()["Punct"]
	tokBad        = kqlLexer.Symbols()["Bad"]
	tokHint       = kqlLexer.Symbols()["Hint"]
	tokNotOp      = kqlLexer.Symbols()["NotOp"]
	tokInCI       = kqlLexer.Symbols()["InCI"]
	tokTypedLit   = kqlLexer.Symbols()["TypedLit"]
)
