// Package syntax parses KQL text into lang/ast.
//
// The lexer (lexer.go) and grammar (grammar.go) are participle definitions
// forming a private concrete syntax tree, one struct per construct; a few
// pieces participle cannot express are hand-written Parseable types
// (custom.go). lower.go turns the CST into lang/ast at once, decoding literal
// values (literal.go) and canonicalising operator names. parse.go holds the
// entry points, the size/token/nesting limits and the translation of
// participle errors into positioned diagnostics a hunter can read.
//
// Entry points:
//
//	Parse(src)     a whole query: statements separated by ';'
//	ParseExpr(src) one scalar or tabular expression (REPL, tests)
//
// Both return the diagnostics found; Parse also returns a partial tree when
// there are errors. Neither panics on any input.
package syntax
