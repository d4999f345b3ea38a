// Package engine is the entry point that runs a KQL query: parse, check
// against the catalog's schemas, plan, and stream the result.
//
//	q, err := engine.Prepare(ctx, src, engine.Options{Catalog: cat, Now: now})
//	if err != nil { ... }          // *lang.Error (positioned) or *engine.Error
//	defer q.Close()
//	for { rec, err := q.Next(ctx); ... } // or output.Write(ctx, w, "json", q, ...)
//
// Run is the same, collecting the records. Every panic inside the engine
// (including the memory budget being exceeded) becomes an error here.
package engine

import (
	"context"
	"errors"
	"fmt"
	"github.com/kqlhunt/kqlhunt/plugins/host"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/expr"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/exec/plan"
	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/syntax"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Options configure a query run.
type Options struct {
	Catalog   *catalog.Catalog
	Now       time.Time        // now(); zero = time.Now()
	MaxMemory int64            // bytes; 0 = unlimited
	Timeout   time.Duration    // 0 = none
	Workers   int              // 0 = ops.Workers
	Mem       memory.Allocator // base allocator; nil = memory.DefaultAllocator
	Plugins   *host.Host       // detector plugins for `evaluate`; nil = none
	// SingleTable rejects queries with several result tables (fork,
	// facet) with an error, for callers that read one table (hunts).
	SingleTable bool
}

// Error is a runtime error of a query, optionally positioned.
type Error struct {
	Src  *lang.Source
	Span lang.Span
	Msg  string
	Pos  bool // Span is meaningful
}

func (e *Error) Error() string {
	if e.Pos && e.Src != nil {
		d := lang.Diagnostic{Span: e.Span, Msg: e.Msg}
		return trimNL(d.Render(e.Src))
	}
	return e.Msg
}

func trimNL(s string) string {
	for len(s) > 0 && s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
	}
	return s
}

// ErrMemory is returned (wrapped) when a query exceeds its memory budget.
var ErrMemory = errors.New("query exceeded its memory budget")

// BudgetAllocator wraps an allocator and fails (by panicking with an error
// wrapping ErrMemory, recovered by the engine) when more than Limit bytes
// are held at once.
type BudgetAllocator struct {
	memory.Allocator
	Limit int64
	used  atomic.Int64
	peak  atomic.Int64
	err   atomic.Pointer[error]
}

func (a *BudgetAllocator) fail() {
	err := fmt.Errorf("%w (%s): use --max-memory to raise it, or narrow the query (where/project early)", ErrMemory, FormatBytes(a.Limit))
	a.err.CompareAndSwap(nil, &err)
	panic(err)
}

// Exceeded returns the budget error once an allocation was refused (nil before).
func (a *BudgetAllocator) Exceeded() error {
	if p := a.err.Load(); p != nil {
		return *p
	}
	return nil
}

// Allocate implements memory.Allocator.
func (a *BudgetAllocator) Allocate(size int) []byte {
	n := a.used.Add(int64(size))
	if a.Limit > 0 && n > a.Limit {
		a.used.Add(-int64(size))
		a.fail()
	}
	for {
		p := a.peak.Load()
		if n <= p || a.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return a.Allocator.Allocate(size)
}

// Reallocate implements memory.Allocator.
func (a *BudgetAllocator) Reallocate(size int, b []byte) []byte {
	diff := int64(size - len(b))
	n := a.used.Add(diff)
	if a.Limit > 0 && diff > 0 && n > a.Limit {
		a.used.Add(-diff)
		a.fail()
	}
	return a.Allocator.Reallocate(size, b)
}

// Free implements memory.Allocator.
func (a *BudgetAllocator) Free(b []byte) {
	a.used.Add(-int64(len(b)))
	a.Allocator.Free(b)
}

// Peak returns the highest number of bytes held at once.
func (a *BudgetAllocator) Peak() int64 { return a.peak.Load() }

// FormatBytes renders a byte count (1.5GiB).
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f%ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// Query is a prepared, running query: a stream of result records.
type Query struct {
	src     *lang.Source
	op      ops.Operator
	b       *plan.Builder
	cancel  context.CancelFunc
	timeout time.Duration
	ctx     context.Context
	budget  *BudgetAllocator
	tables  []*Table // every result table; tables[0].op == op (tables.go)
	// Diags holds the checker's warnings.
	Diags lang.List
}

// Schema returns the result schema.
func (q *Query) Schema() *arrow.Schema {
	if q.op == nil {
		return arrow.NewSchema(nil, nil)
	}
	return q.op.Schema()
}

// Next returns the next result record (nil at the end); the caller releases it.
func (q *Query) Next(ctx context.Context) (rec arrow.Record, err error) {
	return q.pull(ctx, q.op)
}

// pull reads the next record of op, one of the query's tables, turning
// panics and errors into the engine's errors.
func (q *Query) pull(ctx context.Context, op ops.Operator) (rec arrow.Record, err error) {
	if op == nil {
		return nil, nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = q.panicErr(r)
		}
	}()
	if q.ctx != nil {
		ctx = q.ctx
	}
	rec, err = op.Next(ctx)
	if err != nil {
		return nil, q.wrap(err)
	}
	return rec, nil
}

// Close releases everything the query holds.
func (q *Query) Close() {
	if q.op != nil {
		q.op.Close()
		q.op = nil
	}
	q.closeTables() // tables.go
	if q.b != nil {
		q.b.Close()
		q.b = nil
	}
	if q.cancel != nil {
		q.cancel()
	}
}

func (q *Query) panicErr(r any) error {
	if err, ok := r.(error); ok {
		return q.wrap(err)
	}
	if q.budget != nil && q.budget.Exceeded() != nil {
		return q.budget.Exceeded()
	}
	return &Error{Msg: fmt.Sprintf("internal error: %v\n%s", r, debug.Stack())}
}

func (q *Query) wrap(err error) error {
	if q.budget != nil {
		if be := q.budget.Exceeded(); be != nil {
			// whatever shape a kernel gave the failure, report the budget
			return be
		}
	}
	var pe *ops.PanicError
	if errors.As(err, &pe) {
		if inner, ok := pe.Value.(error); ok {
			err = inner
		} else {
			return &Error{Msg: fmt.Sprintf("internal error: %v", pe.Value)}
		}
	}
	if q.timeout > 0 && (errors.Is(err, context.DeadlineExceeded) || (q.ctx != nil && errors.Is(q.ctx.Err(), context.DeadlineExceeded))) {
		return &Error{Msg: fmt.Sprintf("query timed out after %s (use --timeout to allow more)", q.timeout)}
	}
	var ee *expr.Error
	if errors.As(err, &ee) {
		return &Error{Src: q.src, Span: ee.Span, Msg: ee.Msg, Pos: ee.Span != (lang.Span{})}
	}
	var ple *plan.Error
	if errors.As(err, &ple) {
		return &Error{Src: q.src, Span: ple.Span, Msg: ple.Msg, Pos: ple.Span != (lang.Span{})}
	}
	return err
}

// catalogSchemas adapts a catalog to the checker.
type catalogSchemas struct{ c *catalog.Catalog }

func (s catalogSchemas) Table(name string) (*types.Schema, bool) {
	if s.c == nil {
		return nil, false
	}
	t, ok := s.c.Table(name)
	if !ok {
		return nil, false
	}
	return kernels.KQLSchema(t.Schema()), true
}

func (s catalogSchemas) Names() []string {
	if s.c == nil {
		return nil
	}
	return s.c.Names()
}

// CheckEnv returns the checker environment for a catalog.
func CheckEnv(cat *catalog.Catalog, now time.Time) *check.Env {
	return &check.Env{Tables: catalogSchemas{cat}, Now: now}
}

// Prepare parses, checks and plans the query in src.
func Prepare(ctx context.Context, src *lang.Source, opts Options) (*Query, error) {
	tree, diags := syntax.Parse(src)
	if diags.HasErrors() {
		return nil, diags.Err(src)
	}
	return PrepareAST(ctx, src, tree, opts)
}

// PrepareAST checks and plans a parsed query.
func PrepareAST(ctx context.Context, src *lang.Source, tree *ast.Query, opts Options) (q *Query, err error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	cenv := CheckEnv(opts.Catalog, now)
	if opts.Plugins != nil {
		cenv.Plugin = PluginTyper(ctx, opts.Plugins)
	}
	cdiags := check.Check(tree, cenv)
	if cdiags.HasErrors() {
		return nil, cdiags.Err(src)
	}
	mem := opts.Mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	var budget *BudgetAllocator
	if opts.MaxMemory > 0 {
		budget = &BudgetAllocator{Allocator: mem, Limit: opts.MaxMemory}
		mem = budget
	}
	q = &Query{src: src, Diags: cdiags, timeout: opts.Timeout, budget: budget}
	if opts.Timeout > 0 {
		q.ctx, q.cancel = context.WithTimeout(ctx, opts.Timeout)
	} else {
		q.ctx, q.cancel = context.WithCancel(ctx)
	}
	kctx := &kernels.Ctx{Context: q.ctx, Mem: mem, Now: now}
	q.b = plan.NewBuilder(&plan.Env{Catalog: opts.Catalog, Ctx: kctx, Workers: opts.Workers, Plugins: opts.Plugins})
	defer func() {
		if r := recover(); r != nil {
			err = q.panicErr(r)
			q.Close()
			q = nil
		}
	}()
	tabs, err := q.b.BuildTables(tree)
	if err != nil {
		err = q.wrap(err)
		q.Close()
		return nil, err
	}
	if err := q.setTables(tree, tabs, opts.SingleTable); err != nil { // tables.go
		q.Close()
		return nil, err
	}
	return q, nil
}

// Result is a fully read query result. Schema and Records are the first
// (for most queries the only) result table. Tables lists every result
// table of a fork or facet query, in order; Tables[0].Records is the same
// slice as Records (not an extra reference). For an ordinary query Tables
// holds the one table, with an empty Name.
type Result struct {
	Schema  *arrow.Schema
	Records []arrow.Record
	Tables  []ResultTable
}

// ResultTable is one fully read, named result table.
type ResultTable struct {
	Name    string
	Schema  *arrow.Schema
	Records []arrow.Record
}

// Release releases the records of every table.
func (r *Result) Release() {
	ops.ReleaseRecords(r.Records)
	r.Records = nil
	for i := range r.Tables {
		if i > 0 {
			ops.ReleaseRecords(r.Tables[i].Records)
		}
		r.Tables[i].Records = nil
	}
}

// NumRows is the total row count.
func (r *Result) NumRows() int64 {
	var n int64
	for _, rec := range r.Records {
		n += rec.NumRows()
	}
	return n
}

// Run prepares and drains a query.
func Run(ctx context.Context, src *lang.Source, opts Options) (*Result, error) {
	q, err := Prepare(ctx, src, opts)
	if err != nil {
		return nil, err
	}
	defer q.Close()
	return q.ReadAll(ctx) // tables.go
}
