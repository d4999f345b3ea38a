package engine

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/exec/plan"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
)

// Several result tables.
//
// A query ending in fork or facet returns several named tables. Query.Next
// and Query.Schema read the first one, so single-table callers work
// unchanged; Query.Tables lists them all:
//
//	for _, t := range q.Tables() {   // t.Name: "GenericResult", "State", ...
//		output.WriteStream(ctx, w, t) // t is an output.Stream (Schema, Next)
//	}
//
// An ordinary query has one table whose Name is "". The tables share one
// materialized input; read them one after another, in any order.
// output.WriteTables writes them all in one document.

// Table is one result table of a query. Reading Query.Next and the first
// table's Next reads the same stream.
type Table struct {
	// Name is the result name: a fork branch's `name=` or `| as name`,
	// GenericResult, GenericResult_2, ... for unnamed branches; a facet's
	// column name for its count table. "" for an ordinary query.
	Name string
	op   ops.Operator
	q    *Query
}

// Schema returns the table's schema.
func (t *Table) Schema() *arrow.Schema {
	if t.op == nil {
		return arrow.NewSchema(nil, nil)
	}
	return t.op.Schema()
}

// Next returns the table's next record (nil at the end); the caller
// releases it.
func (t *Table) Next(ctx context.Context) (arrow.Record, error) {
	return t.q.pull(ctx, t.op)
}

// Tables returns the query's result tables (none for a query without a
// tabular result).
func (q *Query) Tables() []*Table { return q.tables }

// Multi reports whether the query returns several named tables (it ends in
// fork or facet), even when it happens to have only one (a one-branch fork).
func (q *Query) Multi() bool {
	return len(q.tables) > 1 || (len(q.tables) == 1 && q.tables[0].Name != "")
}

func (q *Query) setTables(tree *ast.Query, tabs []plan.NamedOp, single bool) error {
	if len(tabs) == 0 {
		return nil
	}
	q.op = tabs[0].Op
	for _, t := range tabs {
		q.tables = append(q.tables, &Table{Name: t.Name, op: t.Op, q: q})
	}
	if single && q.Multi() {
		err := &Error{Src: q.src, Msg: "the query returns named result tables (fork/facet); a hunt must return one ordinary table"}
		if op, _ := check.Multi(tree); op != nil {
			err.Span, err.Pos = op.Span(), true
			err.Msg = fmt.Sprintf("%s returns named result tables (%d here); a hunt must return one ordinary table", op.OpName(), len(tabs))
		}
		return err
	}
	return nil
}

func (q *Query) closeTables() {
	for i, t := range q.tables {
		if i > 0 && t.op != nil {
			t.op.Close()
		}
		t.op = nil
	}
}

// ReadAll drains every result table of q (see Result).
func (q *Query) ReadAll(ctx context.Context) (*Result, error) {
	res := &Result{Schema: q.Schema()}
	if len(q.tables) == 0 {
		return res, nil
	}
	for i, t := range q.tables {
		rt := ResultTable{Name: t.Name, Schema: t.Schema()}
		for {
			rec, err := t.Next(ctx)
			if err != nil {
				ops.ReleaseRecords(rt.Records) // not yet in res
				res.Release()
				return nil, err
			}
			if rec == nil {
				break
			}
			rt.Records = append(rt.Records, rec)
		}
		if i == 0 {
			res.Schema, res.Records = rt.Schema, rt.Records
		}
		res.Tables = append(res.Tables, rt)
	}
	return res, nil
}

// Multi reports whether the result has several named tables (fork, facet).
func (r *Result) Multi() bool {
	return len(r.Tables) > 1 || (len(r.Tables) == 1 && r.Tables[0].Name != "")
}

// AllTables returns the result's tables: Tables, or one unnamed table of
// Schema and Records for a Result built by hand.
func (r *Result) AllTables() []ResultTable {
	if len(r.Tables) > 0 {
		return r.Tables
	}
	return []ResultTable{{Schema: r.Schema, Records: r.Records}}
}
