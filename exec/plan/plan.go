package plan

import (
	"context"
	"fmt"
	"github.com/kqlhunt/kqlhunt/plugins/host"
	"strings"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/expr"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// OpBuilder builds the physical operator of one AST operator over its
// built input (nil for source operators).
type OpBuilder func(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error)

var (
	regMu    sync.RWMutex
	builders = map[string]OpBuilder{}
)

// RegisterOp registers the builder of an operator by canonical name
// (ast.Op.OpName()). Call it from init functions.
func RegisterOp(name string, f OpBuilder) {
	regMu.Lock()
	defer regMu.Unlock()
	builders[name] = f
}

func builderFor(name string) OpBuilder {
	regMu.RLock()
	defer regMu.RUnlock()
	return builders[name]
}

// Env is the planner's environment.
type Env struct {
	Catalog *catalog.Catalog
	Ctx     *kernels.Ctx // context, budgeted allocator, now()
	Workers int
	Plugins *host.Host // out-of-process detector plugins; nil = none
}

// Builder builds operators for one query.
type Builder struct {
	env      *Env
	exprEnv  *expr.Env
	mu       sync.Mutex
	memo     map[ast.Expr]*materialized
	asMemo   map[*ast.As]*materialized
	built    []ops.Operator  // operators built for subqueries, closed at the end
	names    map[string]bool // every name in the query; nil disables projection pruning (prune.go)
	letNames map[string]bool // every name in the query's let statements (neededAfterOwn)
	rest     sync.Map        // ast.Op → the operators after it in its pipe (prune_join.go)
}

type materialized struct {
	schema *arrow.Schema
	recs   []arrow.Record
}

// Error is a planning error positioned on a node.
type Error struct {
	Span lang.Span
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Errorf returns an error positioned on n.
func Errorf(n ast.Node, format string, args ...any) error {
	var sp lang.Span
	if n != nil {
		sp = n.Span()
	}
	return &Error{Span: sp, Msg: fmt.Sprintf(format, args...)}
}

// NewBuilder returns a builder.
func NewBuilder(env *Env) *Builder {
	b := &Builder{env: env, memo: map[ast.Expr]*materialized{}, asMemo: map[*ast.As]*materialized{}}
	if env.Workers > 0 {
		ops.Workers = env.Workers
	}
	b.exprEnv = &expr.Env{Tabular: b.runTabular}
	return b
}

// Ctx returns the kernel context.
func (b *Builder) Ctx() *kernels.Ctx { return b.env.Ctx }

// Mem returns the query's allocator.
func (b *Builder) Mem() memory.Allocator { return b.env.Ctx.Mem }

// Workers returns the parallelism.
func (b *Builder) Workers() int {
	if b.env.Workers > 0 {
		return b.env.Workers
	}
	return ops.Workers
}

// ExprEnv returns the expression environment (for binding extra columns,
// copy it and set Bound).
func (b *Builder) ExprEnv() *expr.Env { return b.exprEnv }

// Compile compiles a checked scalar expression over records of schema in.
func (b *Builder) Compile(e ast.Expr, in *arrow.Schema) (expr.Evaluator, error) {
	return expr.Compile(e, in, b.exprEnv)
}

// CompileBound compiles e with extra node → column bindings.
func (b *Builder) CompileBound(e ast.Expr, in *arrow.Schema, bound map[ast.Expr]string) (expr.Evaluator, error) {
	env := *b.exprEnv
	env.Bound = bound
	return expr.Compile(e, in, &env)
}

// Close releases what the builder cached (materialized results).
func (b *Builder) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.memo {
		ops.ReleaseRecords(m.recs)
	}
	for _, m := range b.asMemo {
		ops.ReleaseRecords(m.recs)
	}
	b.memo = map[ast.Expr]*materialized{}
	b.asMemo = map[*ast.As]*materialized{}
}

// runTabular runs a tabular expression once and caches its records.
func (b *Builder) runTabular(e ast.Expr) (*arrow.Schema, []arrow.Record, error) {
	m, err := b.materialize(e)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range m.recs {
		r.Retain()
	}
	return m.schema, m.recs, nil
}

func (b *Builder) materialize(e ast.Expr) (*materialized, error) {
	b.mu.Lock()
	m, ok := b.memo[e]
	b.mu.Unlock()
	if ok {
		return m, nil
	}
	op, err := b.Tabular(e)
	if err != nil {
		return nil, err
	}
	defer op.Close()
	ctx := b.env.Ctx.Context
	if ctx == nil {
		ctx = context.Background()
	}
	recs, err := ops.Drain(ctx, op)
	if err != nil {
		return nil, err
	}
	m = &materialized{schema: op.Schema(), recs: recs}
	b.mu.Lock()
	b.memo[e] = m
	b.mu.Unlock()
	return m, nil
}

// Build builds the operator of the query's result statement. A query
// without a tabular result returns (nil, nil).
func (b *Builder) Build(q *ast.Query) (ops.Operator, error) {
	if names, ok := queryNames(q); ok {
		b.names = names
		var lets []ast.Stmt
		for _, s := range q.Stmts {
			if _, ok := s.(*ast.LetStmt); ok {
				lets = append(lets, s)
			}
		}
		if ln, ok := queryNames(&ast.Query{Stmts: lets}); ok {
			b.letNames = ln
		}
	}
	var last ast.Expr
	for _, s := range q.Stmts {
		if es, ok := s.(*ast.ExprStmt); ok {
			last = es.X
		}
	}
	if last == nil {
		return nil, nil
	}
	if last.Info().Schema == nil {
		// a scalar statement: one row, one column print_0
		return b.scalarTable(last)
	}
	return b.Tabular(last)
}

func (b *Builder) scalarTable(e ast.Expr) (ops.Operator, error) {
	k := e.Info().Type
	if k == types.Unknown || k == types.Null {
		k = types.String
	}
	schema := arrow.NewSchema([]arrow.Field{kernels.Field("print_0", k)}, nil)
	v, _, err := b.EvalConst(e)
	if err != nil {
		return nil, err
	}
	arr, err := expr.MakeArray(b.Mem(), k, []any{v})
	if err != nil {
		return nil, err
	}
	rec := array.NewRecord(schema, []arrow.Array{arr}, 1)
	arr.Release()
	src := ops.NewRecordsSource(schema, []arrow.Record{rec})
	rec.Release()
	return src, nil
}

// EvalConst evaluates an expression without a row (print, range bounds,
// take counts) and returns its Go value.
func (b *Builder) EvalConst(e ast.Expr) (any, types.Kind, error) {
	ev, err := b.Compile(e, arrow.NewSchema(nil, nil))
	if err != nil {
		return nil, types.Unknown, err
	}
	if v, ok := expr.IsConst(ev); ok {
		return v, ev.Kind(), nil
	}
	rec := array.NewRecord(arrow.NewSchema(nil, nil), nil, 1)
	defer rec.Release()
	d, err := ev.Eval(b.Ctx(), rec)
	if err != nil {
		return nil, types.Unknown, err
	}
	defer d.Release()
	return expr.DatumValue(d, 0), d.Kind, nil
}

// Tabular builds the operator of a checked tabular expression.
func (b *Builder) Tabular(e ast.Expr) (ops.Operator, error) {
	switch e := e.(type) {
	case *ast.Paren:
		return b.Tabular(e.X)
	case *ast.Pipe:
		var in ops.Operator
		if e.Source != nil {
			var err error
			in, err = b.source(e.Source, e.Ops)
			if err != nil {
				return nil, err
			}
		}
		return b.Pipe(in, e.Ops)
	case *ast.Ident:
		return b.name(e)
	case *ast.Call:
		return b.call(e)
	case *ast.Member:
		if e.Name != nil {
			return b.name(e.Name)
		}
	case *ast.Datatable:
		return b.datatable(e)
	case *ast.ExternalData:
		return b.externalData(e) // build_externaldata.go
	}
	return nil, Errorf(e, "cannot run this tabular expression")
}

// source builds a pipe's source; a table scan reads only the columns the
// pipe's operators can use (prune.go).
func (b *Builder) source(src ast.Expr, opList []ast.Op) (ops.Operator, error) {
	if id, ok := src.(*ast.Ident); ok {
		if r, ok := id.Info().Ref.(*check.TableRef); ok && b.env.Catalog != nil {
			if t, ok := b.env.Catalog.Table(r.Name); ok {
				so := b.scanOptions(t, opList, b.pruneColumns(t, opList)) // timerange.go
				so.Filter = b.scanFilter(so.Project(t.Schema()), opList)  // filter_push.go
				if so.Columns != nil || so.TimeColumn != "" || so.Filter != nil {
					so.BatchRows = ops.DefaultBatchRows
					so.Dict = dictSafe(opList) // dict.go
					return ops.NewScan(t, so), nil
				}
			}
		}
	}
	return b.Tabular(src)
}

func (b *Builder) name(e *ast.Ident) (ops.Operator, error) {
	switch r := e.Info().Ref.(type) {
	case *check.TableRef:
		if b.env.Catalog == nil {
			return nil, Errorf(e, "unknown table %s", r.Name)
		}
		t, ok := b.env.Catalog.Table(r.Name)
		if !ok {
			return nil, Errorf(e, "unknown table %s", r.Name)
		}
		return ops.NewScan(t, catalog.ScanOptions{BatchRows: ops.DefaultBatchRows}), nil
	case *check.LetRef:
		if r.Stmt.Value != nil {
			return b.Tabular(r.Stmt.Value)
		}
		if r.Stmt.Func != nil {
			return b.block(r.Stmt.Func.Body, e)
		}
	case *check.ParamRef:
		if r.Arg != nil {
			return b.Tabular(r.Arg)
		}
	case *check.Inline:
		return b.block(r.Body, e)
	case *check.InvokeInput:
		return b.invokeInput(e)
	case *check.AsRef:
		b.mu.Lock()
		m, ok := b.asMemo[r.Op]
		b.mu.Unlock()
		if !ok {
			return nil, Errorf(e, "%s is used before its `as` operator runs", e.Name)
		}
		return ops.NewRecordsSource(m.schema, m.recs), nil
	}
	return nil, Errorf(e, "%s is not a table", e.Name)
}

func (b *Builder) block(bl *ast.Block, at ast.Node) (ops.Operator, error) {
	res := check.BlockResult(bl)
	if res == nil {
		return nil, Errorf(at, "function has no result")
	}
	return b.Tabular(res)
}

func (b *Builder) call(e *ast.Call) (ops.Operator, error) {
	if inl, ok := e.Info().Ref.(*check.Inline); ok {
		return b.block(inl.Body, e)
	}
	name := strings.ToLower(e.Name.Name)
	switch name {
	case "materialize":
		m, err := b.materialize(e.Args[0])
		if err != nil {
			return nil, err
		}
		return ops.NewRecordsSource(m.schema, m.recs), nil
	case "table", "view":
		if r, ok := e.Info().Ref.(*check.TableRef); ok {
			id := &ast.Ident{Pos: e.Pos, Name: r.Name}
			id.Info().Ref = r
			return b.name(id)
		}
		if r, ok := e.Info().Ref.(*check.LetRef); ok {
			id := &ast.Ident{Pos: e.Pos, Name: r.Stmt.Name.Name}
			id.Info().Ref = r
			return b.name(id)
		}
	}
	return nil, Errorf(e, "%s() cannot be used as a table here", e.Name.Name)
}

// Pipe applies checked operators to in (nil when the first is a source).
func (b *Builder) Pipe(in ops.Operator, opList []ast.Op) (ops.Operator, error) {
	for i, op := range opList {
		b.rest.Store(op, opList[i+1:])
		f := builderFor(op.OpName())
		if f == nil {
			if in != nil {
				in.Close()
			}
			return nil, Errorf(op, "operator %s is not supported yet", op.OpName())
		}
		var out ops.Operator
		err := guardErr(func() error {
			var err error
			out, err = f(b, op, in)
			return err
		})
		if err != nil {
			if in != nil {
				in.Close()
			}
			return nil, err
		}
		in = out
	}
	if in == nil {
		return nil, fmt.Errorf("empty pipe")
	}
	return in, nil
}

func guardErr(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &ops.PanicError{Value: r}
		}
	}()
	return f()
}

// OutSchema returns the Arrow schema of an operator's checked output.
func OutSchema(op ast.Op) *arrow.Schema {
	s := op.Out().Schema
	if s == nil {
		return arrow.NewSchema(nil, nil)
	}
	return kernels.Schema(s)
}
