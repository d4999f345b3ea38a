// Package plan turns a checked query (lang/check has annotated every
// expression with Info() and every operator with Out()) into a tree of
// physical operators (exec/ops) and runs nothing itself. exec/engine is the
// entry point that parses, checks, plans and drains a query.
//
// # Building operators: one builder per AST operator type
//
// Each tabular operator is built by an OpBuilder registered under its
// canonical name (ast.Op.OpName(): "where", "join", "mv-expand", ...):
//
//	type OpBuilder func(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error)
//	func RegisterOp(name string, f OpBuilder)   // call from an init function
//
// in is the already built input of the operator (nil for source operators
// such as print, range, union used as a pipe source, evaluate as a source).
// The builder type-asserts op to its AST node (op.(*ast.Join)), compiles the
// expressions it needs and returns the new operator; op.Out().Schema is the
// KQL output schema the checker computed — the physical operator's
// Schema() must agree with kernels.Schema(op.Out().Schema) (same names, same
// kinds, same order).
//
// Ownership: the core operators (where, project*, extend, summarize, count,
// take, top, sort, distinct, union, print, range, datatable, as, serialize,
// getschema) are registered in build_core.go. The engineer writing join,
// lookup, mv-expand, mv-apply, parse, parse-kv, make-series, top-nested,
// facet, sample, evaluate, scan, fork and partition adds one file per
// operator here, exec/plan/build_<op>.go (e.g. build_join.go), holding only
// the init registration and the glue that calls an exec/ops constructor
// (ops.NewHashJoin(...)); the operator itself lives in exec/ops. A package
// cycle is impossible this way: plan imports ops, ops never imports plan.
//
// What an OpBuilder can use from *Builder:
//
//	b.Compile(e ast.Expr, in *arrow.Schema) (expr.Evaluator, error)
//	    compile a checked scalar expression over records of schema in.
//	b.Tabular(e ast.Expr) (ops.Operator, error)
//	    build any checked tabular expression: a table name, a let-bound
//	    tabular value, a parenthesised pipe (join's right side), a
//	    datatable, materialize(x), a user function call...
//	b.Pipe(in ops.Operator, opList []ast.Op) (ops.Operator, error)
//	    apply checked operators to an input you provide (mv-apply's and
//	    facet's sub-pipes, partition's sub-query): build it once per
//	    group with ops.NewRecordsSource(schema, records) as the input.
//	b.Ctx() *kernels.Ctx       allocator (budgeted), now(), context.
//	b.Mem() memory.Allocator   the query's budgeted allocator.
//	b.Workers() int            parallelism for morsel-parallel operators.
//
// A builder that does not support an option returns an error positioned on
// the operator: plan.Errorf(op, "join kind=%s is not supported", k).
// Unregistered operators yield "operator X is not supported yet".
//
// # Expressions (exec/expr)
//
//	expr.Compile(e ast.Expr, in *arrow.Schema, env *expr.Env) (expr.Evaluator, error)
//	type Evaluator interface {
//	    Eval(ctx *kernels.Ctx, rec arrow.Record) (kernels.Datum, error)
//	    Kind() types.Kind
//	}
//
// The result Datum is owned by the caller (Release it). Columns are found
// by name in `in`. Constant sub-expressions (Info().Const != nil) become
// scalar Datums. Calls and operators bind kernels.Scalar(Info().Overload).
// Aggregates are not compiled by Compile: summarize (and make-series,
// top-nested) compile each aggregate call's arguments with Compile and bind
// kernels.Aggregate(call.Info().Overload); see exec/ops/summarize.go for
// the per-worker AggState / Merge protocol.
//
// # Operator conventions for kernels (strings/operators engineer, read this)
//
//   - Binary/Unary operators resolve to funcs named "__eq", "__neq", "__lt",
//     "__le", "__gt", "__ge", "__add", "__sub", "__mul", "__div", "__mod",
//     "__neg", "__pos", "__eq_ci" (=~), "__neq_ci" (!~); string operators by
//     their KQL spelling ("has", "!has", "contains_cs", "matches regex",
//     "startswith", ...). Kernels get args [L, R] (or [X]).
//
//   - "and"/"or" bind the "__and"/"__or" kernels (three-valued logic); if
//     those are not declared exec/expr evaluates them itself.
//
//   - `x in (a, b, c)`, `!in`, `in~`, `!in~`, `has_any`, `has_all` (and _cs
//     forms): funcs "__in", "__notin", "__in_ci", "__notin_ci", "has_any",
//     ...; declare them Variadic. The kernel receives args [x, a, b, c]: one
//     Datum per list element, each usually scalar, with Ctx.Consts[i] the
//     folded constant of arg i (nil when not constant), so the kernel can
//     build its hash set once. A list element may be a dynamic array
//     (`x in (dynamic([1,2]))`, or a subquery: the engine materializes a
//     subquery's first column into ONE dynamic-array scalar arg): kernels
//     must flatten dynamic-array args into their elements.
//
//   - `x between (lo .. hi)` / `!between`: "__between" / "__notbetween"
//     with args [x, lo, hi].
//
//   - bag_pack_columns(a, b) and pack_all([flag]) need column names: the
//     compiler passes name/value pairs: bag_pack_columns gets ["a", a, "b", b],
//     pack_all gets [flag, "Col1", Col1, "Col2", Col2, ...] (flag defaults
//     to false).
//
//   - typeof(T) arguments (extract(..., typeof(long)), extract_json) are
//     checked as kind T (Ref *check.TypeOf) and passed as a null scalar of
//     kind T.
//
//   - A Datum argument may be Kind Null only when the checker could not
//     type it; untyped null literals are passed as a null scalar of the
//     first kind the overload's parameter accepts.
//
// # Aggregates (aggregates engineer, read this)
//
// summarize (exec/ops/summarize.go) evaluates each aggregate call's
// arguments with Compile (constant arguments as scalar Datums; Consts holds
// their values), creates one AggState per worker via the AggKernel, calls
// SetSeq(batch index) before Update when the state is kernels.Sequenced,
// merges worker states into a fresh state with Merge(other, mapping, n) and
// calls Finish once. Multi-output aggregates (arg_max/arg_min, take_any
// with several arguments or `*`, percentiles with several percents) return
// a struct array, one field per output column; `*` is expanded by the
// checker (check.SummarizeInfo.Aggs[i].Args) to the input columns that are
// not group keys (nor, for arg_max/arg_min, named explicitly).
// check.SummarizeInfo (op.Out().Ref of a summarize) lists keys, aggregate
// calls and output columns; make-series/top-nested can reuse
// (*check.Checker).SummarizeAggs for their aggregate lists.
//
// # Let, functions, materialize, toscalar
//
// The checker binds let names; the planner evaluates non-constant scalar
// lets (e.g. toscalar(...)) once before the query and gives their values to
// expr.Env; tabular lets are rebuilt per use (materialize() caches the
// records once). User functions are inlined: the checker records a checked
// copy of the body per call site (check.Inline in Info().Ref).
package plan
