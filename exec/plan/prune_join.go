package plan

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/lang/ast"
)

// neededAfter reports, per column of out (the output of op), whether the
// operators after op in its pipe can read it; nil means every column. The
// rule is prune.go's: the rest of the pipe must limit the columns (project,
// summarize, ...) before any operator that could need columns it does not
// name, and a column is kept when its name occurs in the rest or anywhere
// else in the query (let-bound function bodies included). A join emits
// the columns nothing reads as nulls instead of gathering them.
func (b *Builder) neededAfter(op ast.Op, out *arrow.Schema) []bool {
	return b.needed(op, out, b.names)
}

// neededAfterOwn is neededAfter keeping, besides the rest's names, only
// the names of the query's let statements (function bodies) instead of
// every name of the query: a column op itself reads (mv-expand's
// RawEventData.Parameters) is dropped from op's output when nothing after
// op names it.
func (b *Builder) neededAfterOwn(op ast.Op, out *arrow.Schema) []bool {
	return b.needed(op, out, b.letNames)
}

func (b *Builder) needed(op ast.Op, out *arrow.Schema, also map[string]bool) []bool {
	if b.names == nil || also == nil {
		return nil // the query names columns indirectly
	}
	v, ok := b.rest.Load(op)
	if !ok {
		return nil
	}
	rest := v.([]ast.Op)
	limited := false
	for _, op := range rest {
		if limitsColumns(op) {
			limited = true
			break
		}
		if !passesColumns(op) {
			return nil
		}
	}
	if !limited {
		return nil
	}
	names, ok := queryNames(&ast.Query{Stmts: []ast.Stmt{&ast.ExprStmt{X: &ast.Pipe{Ops: rest}}}})
	if !ok {
		return nil
	}
	needed := make([]bool, out.NumFields())
	for i, f := range out.Fields() {
		// the rest's own names (it may be built from synthetic operators)
		// and every name of the query (function bodies included)
		needed[i] = names[f.Name] || also[f.Name]
	}
	return needed
}
