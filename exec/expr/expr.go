// Package expr compiles checked scalar expressions into evaluators that run
// kernels over whole Arrow record batches.
//
//	ev, err := expr.Compile(e, rec.Schema(), env)
//	d, err := ev.Eval(ctx, rec) // caller releases d
//
// Columns are bound by name at compile time. Constants (Info().Const) are
// materialised as scalar Datums. Calls and operators bind
// kernels.Scalar(Info().Overload). Dynamic member access (d.x, d["x"],
// d[0]) is implemented here. User-function calls are inlined (the checker
// gives each call site its own checked copy of the body); let-bound names
// are compiled from their definition unless Env.Lets holds a precomputed
// value (toscalar).
package expr

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/funcs"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Value is a KQL scalar value with its kind.
type Value struct {
	Kind types.Kind
	V    any
}

// Env is what compiled expressions may use besides the record.
type Env struct {
	// Lets holds precomputed values of let statements (non-constant scalar
	// lets such as toscalar(...)). Other lets compile from their definition.
	Lets map[*ast.LetStmt]Value
	// Bound maps expression nodes to input column names: the node evaluates
	// to that column (summarize binds aggregate calls to their results).
	Bound map[ast.Expr]string
	// Tabular runs a tabular expression once (toscalar(), `in (subquery)`)
	// and returns its records; Compile releases them.
	Tabular func(e ast.Expr) (*arrow.Schema, []arrow.Record, error)
}

// Evaluator evaluates a compiled expression over a record.
type Evaluator interface {
	// Eval returns a Datum of rec.NumRows() rows or a scalar; the caller
	// releases it.
	Eval(ctx *kernels.Ctx, rec arrow.Record) (kernels.Datum, error)
	// Kind is the KQL kind of the result.
	Kind() types.Kind
}

// Error is a compile or runtime error positioned on an expression.
type Error struct {
	Span lang.Span
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

func errAt(n ast.Node, format string, args ...any) error {
	var sp lang.Span
	if n != nil {
		sp = n.Span()
	}
	return &Error{Span: sp, Msg: fmt.Sprintf(format, args...)}
}

// Compile compiles a checked scalar expression over records of schema in.
func Compile(e ast.Expr, in *arrow.Schema, env *Env) (Evaluator, error) {
	if env == nil {
		env = &Env{}
	}
	c := &compiler{in: in, env: env}
	return c.compile(e)
}

type compiler struct {
	in  *arrow.Schema
	env *Env
}

func (c *compiler) column(n ast.Node, name string) (Evaluator, error) {
	if c.in != nil {
		if idx := c.in.FieldIndices(name); len(idx) > 0 {
			f := c.in.Field(idx[0])
			return &colEval{idx: idx[0], kind: kernels.KindOf(f)}, nil
		}
	}
	return nil, errAt(n, "unknown column %s", name)
}

func (c *compiler) compile(e ast.Expr) (Evaluator, error) {
	if name, ok := c.env.Bound[e]; ok {
		return c.column(e, name)
	}
	inf := e.Info()
	if inf.Const != nil {
		k := inf.Type
		if k != types.Unknown && k != types.Null {
			if _, isCall := e.(*ast.Call); !isCall || inf.Ref != nil {
				return &constEval{kind: k, v: normConst(k, inf.Const)}, nil
			}
		}
	}
	switch e := e.(type) {
	case *ast.Literal:
		k := e.Kind
		if e.Null || k == types.Null {
			if k == types.Null {
				return &constEval{kind: types.Null, v: nil}, nil
			}
			return &constEval{kind: k, v: nil}, nil
		}
		return &constEval{kind: k, v: normConst(k, e.Value)}, nil
	case *ast.Paren:
		return c.compile(e.X)
	case *ast.NamedArg:
		return c.compile(e.Value)
	case *ast.Ident:
		return c.ident(e)
	case *ast.Binary:
		return c.call(e, []ast.Expr{e.L, e.R})
	case *ast.Unary:
		if e.Info().Overload == "" && e.Op == "+" {
			return c.compile(e.X)
		}
		return c.call(e, []ast.Expr{e.X})
	case *ast.Between:
		return c.call(e, []ast.Expr{e.X, e.Lo, e.Hi})
	case *ast.InList:
		return c.inList(e)
	case *ast.Call:
		return c.callExpr(e)
	case *ast.Member:
		x, err := c.compile(e.X)
		if err != nil {
			return nil, err
		}
		return &memberEval{x: x, key: e.Name.Name, isKey: true}, nil
	case *ast.Index:
		x, err := c.compile(e.X)
		if err != nil {
			return nil, err
		}
		ix, err := c.compile(e.Index)
		if err != nil {
			return nil, err
		}
		return &memberEval{x: x, index: ix}, nil
	case *ast.Tuple:
		return nil, errAt(e, "a parenthesised list is not a scalar value here")
	}
	return nil, errAt(e, "cannot evaluate this expression")
}

// normConst converts checker constants to the Go value model.
func normConst(k types.Kind, v any) any {
	if k == types.Dynamic {
		if s, ok := v.(string); ok {
			if d, err := types.ParseDynamicLiteral(s); err == nil {
				return d
			}
		}
	}
	return v
}

func (c *compiler) ident(e *ast.Ident) (Evaluator, error) {
	switch r := e.Info().Ref.(type) {
	case *check.ColumnRef:
		return c.column(e, r.Name)
	case *check.LetRef:
		if v, ok := c.env.Lets[r.Stmt]; ok {
			return &constEval{kind: v.Kind, v: v.V}, nil
		}
		if r.Stmt.Value == nil {
			return nil, errAt(e, "%s has no value", e.Name)
		}
		return c.compile(r.Stmt.Value)
	case *check.ParamRef:
		if r.Arg == nil {
			return nil, errAt(e, "parameter %s has no value", e.Name)
		}
		return c.compile(r.Arg)
	case *check.Inline:
		// a function without arguments named without `()` (lang/check)
		res := check.BlockResult(r.Body)
		if res == nil {
			return nil, errAt(e, "function %s has no result", e.Name)
		}
		return c.compile(res)
	case nil:
		// unannotated: try a column
		return c.column(e, e.Name)
	}
	return nil, errAt(e, "%s is not a scalar value", e.Name)
}

func (c *compiler) callExpr(e *ast.Call) (Evaluator, error) {
	if t, ok := e.Info().Ref.(*check.TypeOf); ok {
		return &constEval{kind: t.Kind, v: nil}, nil
	}
	if inl, ok := e.Info().Ref.(*check.Inline); ok {
		res := check.BlockResult(inl.Body)
		if res == nil {
			return nil, errAt(e, "function %s has no result", e.Name.Name)
		}
		return c.compile(res)
	}
	name := strings.ToLower(e.Name.Name)
	if name == "toscalar" && len(e.Args) == 1 {
		a := e.Args[0]
		if a.Info().Schema == nil {
			return c.compile(a)
		}
		if c.env.Tabular == nil {
			return nil, errAt(e, "toscalar() is not available here")
		}
		sch, recs, err := c.env.Tabular(a)
		if err != nil {
			return nil, err
		}
		defer releaseAll(recs)
		k := e.Info().Type
		var v any
		for _, r := range recs {
			if r.NumRows() > 0 && r.NumCols() > 0 {
				v = ValueAt(r.Column(0), 0, kernels.KindOf(sch.Field(0)))
				break
			}
		}
		return &constEval{kind: k, v: v}, nil
	}
	if f := funcs.Lookup(name); f != nil && f.Kind == funcs.Aggregate {
		return nil, errAt(e, "aggregate %s() cannot be evaluated here", f.Name)
	}
	switch name {
	case "bag_pack_columns":
		// the kernel takes name/value pairs
		var args []ast.Expr
		for _, a := range e.Args {
			n := check.ExprName(a)
			args = append(args, strLit(a, n), a)
		}
		return c.call(e, args)
	case "pack_all":
		var args []ast.Expr
		if len(e.Args) > 0 {
			args = append(args, e.Args[0])
		} else {
			f := &ast.Literal{Pos: ast.Pos{Sp: e.Span()}, Kind: types.Bool, Value: false}
			f.Info().Type = types.Bool
			f.Info().Const = false
			args = append(args, f)
		}
		if c.in != nil {
			for _, fld := range c.in.Fields() {
				id := &ast.Ident{Pos: ast.Pos{Sp: e.Span()}, Name: fld.Name}
				id.Info().Ref = &check.ColumnRef{Name: fld.Name}
				id.Info().Type = kernels.KindOf(fld)
				args = append(args, strLit(e, fld.Name), id)
			}
		}
		return c.call(e, args)
	}
	return c.call(e, e.Args)
}

// strLit makes a checked string literal at n's position.
func strLit(n ast.Node, s string) ast.Expr {
	l := &ast.Literal{Pos: ast.Pos{Sp: n.Span()}, Kind: types.String, Value: s}
	l.Info().Type = types.String
	l.Info().Const = s
	return l
}

func releaseAll(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

func (c *compiler) call(e ast.Expr, args []ast.Expr) (Evaluator, error) {
	id := e.Info().Overload
	if id == "" {
		if b, ok := e.(*ast.Binary); ok && (b.Op == "and" || b.Op == "or") {
			return c.logic(b)
		}
		return nil, errAt(e, "expression was not resolved to a function")
	}
	k, err := kernels.Scalar(id)
	if err != nil {
		return nil, errAt(e, "%s is not implemented yet (%s)", describe(e), id)
	}
	ce := &callEval{kernel: k, kind: e.Info().Type, id: id, node: e}
	ov := funcs.OverloadByID(id)
	for i, a := range args {
		ev, err := c.compile(a)
		if err != nil {
			return nil, err
		}
		if ce, ok := ev.(*constEval); ok && ce.kind == types.Null && ov != nil {
			ce.kind = nullKind(ov, i)
		}
		ce.args = append(ce.args, ev)
		ce.consts = append(ce.consts, constOf(a, ev))
	}
	return ce, nil
}

func constOf(a ast.Expr, ev Evaluator) any {
	if c, ok := ev.(*constEval); ok {
		return c.v
	}
	return nil
}

// nullKind picks a concrete kind for an untyped null argument.
func nullKind(o *funcs.Overload, i int) types.Kind {
	var set types.KindSet
	if i < len(o.Args) {
		set = o.Args[i].Types
	} else if o.Variadic && len(o.Args) > 0 {
		set = o.Args[len(o.Args)-1].Types
	}
	for _, k := range []types.Kind{types.String, types.Long, types.Real, types.Bool, types.DateTime, types.TimeSpan, types.Int, types.Dynamic, types.Guid, types.Decimal} {
		if set&(1<<k) != 0 {
			return k
		}
	}
	return types.String
}

func describe(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Call:
		return e.Name.Name + "()"
	case *ast.Binary:
		return "operator " + e.Op
	case *ast.Unary:
		return "operator " + e.Op
	case *ast.InList:
		return "operator " + e.Op
	case *ast.Between:
		return "between"
	}
	return "expression"
}

func (c *compiler) inList(e *ast.InList) (Evaluator, error) {
	args := []ast.Expr{e.X}
	var pre []Evaluator
	for _, it := range e.List {
		if it.Info().Schema != nil && c.env.Tabular != nil {
			sch, recs, err := c.env.Tabular(it)
			if err != nil {
				return nil, err
			}
			var vals []any
			for _, r := range recs {
				if r.NumCols() == 0 {
					continue
				}
				k := kernels.KindOf(sch.Field(0))
				col := r.Column(0)
				for i := 0; i < int(r.NumRows()); i++ {
					vals = append(vals, ValueAt(col, i, k))
				}
			}
			releaseAll(recs)
			pre = append(pre, &constEval{kind: types.Dynamic, v: vals})
			args = append(args, nil)
			continue
		}
		args = append(args, it)
		pre = append(pre, nil)
	}
	id := e.Info().Overload
	if id == "" {
		return nil, errAt(e, "operator %s was not resolved", e.Op)
	}
	k, err := kernels.Scalar(id)
	if err != nil {
		return nil, errAt(e, "operator %s is not implemented yet (%s)", e.Op, id)
	}
	ce := &callEval{kernel: k, kind: e.Info().Type, id: id, node: e}
	for i, a := range args {
		var ev Evaluator
		if a == nil {
			ev = pre[i-1]
		} else {
			ev, err = c.compile(a)
			if err != nil {
				return nil, err
			}
		}
		ce.args = append(ce.args, ev)
		ce.consts = append(ce.consts, constOf(a, ev))
	}
	return ce, nil
}

// ---------------------------------------------------------------------------
// evaluators

type colEval struct {
	idx  int
	kind types.Kind
}

func (e *colEval) Kind() types.Kind { return e.kind }
func (e *colEval) Eval(ctx *kernels.Ctx, rec arrow.Record) (kernels.Datum, error) {
	col := rec.Column(e.idx)
	col.Retain()
	return kernels.Datum{Array: col, Kind: e.kind}, nil
}

type constEval struct {
	kind types.Kind
	v    any
}

func (e *constEval) Kind() types.Kind { return e.kind }
func (e *constEval) Eval(ctx *kernels.Ctx, rec arrow.Record) (kernels.Datum, error) {
	return ScalarDatum(ctx.Mem, e.kind, e.v)
}

// IsConst reports whether ev is a constant and returns its value.
func IsConst(ev Evaluator) (any, bool) {
	if c, ok := ev.(*constEval); ok {
		return c.v, true
	}
	return nil, false
}

// Const returns an evaluator of a constant value.
func Const(k types.Kind, v any) Evaluator { return &constEval{kind: k, v: v} }

type callEval struct {
	kernel kernels.ScalarKernel
	args   []Evaluator
	consts []any
	kind   types.Kind
	id     string
	node   ast.Expr
}

func (e *callEval) Kind() types.Kind { return e.kind }
func (e *callEval) Eval(ctx *kernels.Ctx, rec arrow.Record) (d kernels.Datum, err error) {
	args := make([]kernels.Datum, 0, len(e.args))
	defer func() {
		for _, a := range args {
			a.Release()
		}
	}()
	for _, a := range e.args {
		v, err := a.Eval(ctx, rec)
		if err != nil {
			return kernels.Datum{}, err
		}
		args = append(args, v)
	}
	kc := *ctx
	kc.Consts = e.consts
	defer func() {
		if r := recover(); r != nil {
			if re, ok := r.(error); ok {
				if _, rt := re.(runtime.Error); !rt {
					err = re // e.g. the memory budget: keep it unwrapped
					return
				}
			}
			err = errAt(e.node, "%s failed: %v", describe(e.node), r)
		}
	}()
	n := int(rec.NumRows())
	out, err := e.kernel(&kc, args, n)
	if err != nil {
		if _, ok := err.(*Error); ok {
			return kernels.Datum{}, err
		}
		return kernels.Datum{}, errAt(e.node, "%s: %v", describe(e.node), err)
	}
	if out.Array == nil {
		return kernels.Datum{}, errAt(e.node, "%s returned no value", describe(e.node))
	}
	if out.Kind == types.Unknown || out.Kind == types.Null {
		out.Kind = e.kind
	}
	if !out.Scalar && out.Array.Len() != n {
		out.Release()
		return kernels.Datum{}, errAt(e.node, "%s returned %d rows for %d", describe(e.node), out.Array.Len(), n)
	}
	return out, nil
}

// logic evaluates and/or when no kernel is declared (three-valued logic).
func (c *compiler) logic(b *ast.Binary) (Evaluator, error) {
	l, err := c.compile(b.L)
	if err != nil {
		return nil, err
	}
	r, err := c.compile(b.R)
	if err != nil {
		return nil, err
	}
	return &logicEval{and: b.Op == "and", l: l, r: r}, nil
}

type logicEval struct {
	and  bool
	l, r Evaluator
}

func (e *logicEval) Kind() types.Kind { return types.Bool }
func (e *logicEval) Eval(ctx *kernels.Ctx, rec arrow.Record) (kernels.Datum, error) {
	l, err := e.l.Eval(ctx, rec)
	if err != nil {
		return kernels.Datum{}, err
	}
	defer l.Release()
	r, err := e.r.Eval(ctx, rec)
	if err != nil {
		return kernels.Datum{}, err
	}
	defer r.Release()
	n := int(rec.NumRows())
	if l.Scalar && r.Scalar {
		n = 1
	}
	b := array.NewBooleanBuilder(ctx.Mem)
	defer b.Release()
	b.Reserve(n)
	lb, _ := l.Array.(*array.Boolean)
	rb, _ := r.Array.(*array.Boolean)
	get := func(a *array.Boolean, d kernels.Datum, i int) (bool, bool) {
		if a == nil {
			return false, true
		}
		j := d.Row(i)
		if a.IsNull(j) {
			return false, true
		}
		return a.Value(j), false
	}
	for i := 0; i < n; i++ {
		lv, ln := get(lb, l, i)
		rv, rn := get(rb, r, i)
		if e.and {
			switch {
			case (!ln && !lv) || (!rn && !rv):
				b.Append(false)
			case ln || rn:
				b.AppendNull()
			default:
				b.Append(true)
			}
		} else {
			switch {
			case (!ln && lv) || (!rn && rv):
				b.Append(true)
			case ln || rn:
				b.AppendNull()
			default:
				b.Append(false)
			}
		}
	}
	return kernels.Datum{Array: b.NewArray(), Scalar: l.Scalar && r.Scalar, Kind: types.Bool}, nil
}
