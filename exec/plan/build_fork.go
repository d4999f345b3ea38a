package plan

import (
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
)

// fork and facet return several tables, so they are built by BuildTables
// at the end of the result statement, never inside a pipe. The checker
// rejects them anywhere else; these builders only guard the planner.
func init() {
	for _, name := range []string{"fork", "facet"} {
		RegisterOp(name, func(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
			return nil, Errorf(op, "%s returns several tables: it can only be the last operator of the query", op.OpName())
		})
	}
}

// NamedOp is one result table of a query: its name ("" for the single
// unnamed result of an ordinary query) and its operator.
type NamedOp struct {
	Name string
	Op   ops.Operator
}

// BuildTables builds the result tables of a query: one unnamed table for
// an ordinary query (what Build returns), or one table per fork branch or
// facet table, in the order lang/check.MultiInfo lists them. The input of
// fork/facet is computed once (ops.Shared) and read by every table.
// Nothing is returned for a query without a tabular result.
func (b *Builder) BuildTables(q *ast.Query) ([]NamedOp, error) {
	op, info := check.Multi(q)
	if op == nil {
		o, err := b.Build(q)
		if err != nil || o == nil {
			return nil, err
		}
		return []NamedOp{{Op: o}}, nil
	}
	if names, ok := queryNames(q); ok {
		b.names = names
	}
	var pipe *ast.Pipe
	for i := len(q.Stmts) - 1; i >= 0 && pipe == nil; i-- {
		if es, ok := q.Stmts[i].(*ast.ExprStmt); ok {
			pipe = check.ResultPipe(es.X)
		}
	}
	if pipe == nil {
		return nil, Errorf(op, "cannot run %s here", op.OpName())
	}
	before := pipe.Ops[:len(pipe.Ops)-1]
	var in ops.Operator
	if pipe.Source != nil {
		var err error
		in, err = b.source(pipe.Source, before)
		if err != nil {
			return nil, err
		}
	}
	if len(before) > 0 {
		var err error
		in, err = b.Pipe(in, before)
		if err != nil {
			return nil, err
		}
	}
	if in == nil {
		return nil, Errorf(op, "%s needs an input table", op.OpName())
	}
	shared := ops.NewShared(in)
	defer shared.Close() // the readers keep the records alive
	out := make([]NamedOp, 0, len(info.Tables))
	for _, t := range info.Tables {
		var o ops.Operator = shared.Reader()
		if len(t.Ops) > 0 {
			var err error
			o, err = b.Pipe(o, t.Ops)
			if err != nil {
				for _, x := range out {
					x.Op.Close()
				}
				return nil, err
			}
		}
		out = append(out, NamedOp{Name: t.Name, Op: o})
	}
	return out, nil
}
