package check

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/funcs"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// BinaryFuncs maps a Binary/Unary operator spelling to the function name it
// resolves through; string operators resolve by their own spelling.
var BinaryFuncs = map[string]string{
	"==": "__eq", "!=": "__neq", "<>": "__neq", "<": "__lt", "<=": "__le", ">": "__gt", ">=": "__ge",
	"+": "__add", "-": "__sub", "*": "__mul", "/": "__div", "%": "__mod",
	"=~": "__eq_ci", "!~": "__neq_ci",
}

// UnaryFuncs maps unary operators to functions.
var UnaryFuncs = map[string]string{"-": "__neg", "+": "__pos", "not": "not", "!": "not"}

// InFuncs maps InList operators to functions.
var InFuncs = map[string]string{
	"in": "__in", "!in": "__notin", "in~": "__in_ci", "!in~": "__notin_ci",
}

// exprCtx is the context an expression is checked in.
type exprCtx struct {
	row  *types.Schema
	sc   *Scope
	aggs *[]*ast.Call // non-nil: aggregates allowed, collected here
	in   bool         // inside an aggregate's arguments
}

// Scalar checks a scalar expression over rows of schema row (nil when there
// is no row context) and returns its type.
func (c *Checker) Scalar(e ast.Expr, row *types.Schema, sc *Scope) types.Kind {
	return c.expr(e, &exprCtx{row: row, sc: sc})
}

// Aggregate checks an expression of summarize (aggregates allowed) and
// returns its type and the aggregate calls it contains, outermost first.
func (c *Checker) Aggregate(e ast.Expr, row *types.Schema, sc *Scope) (types.Kind, []*ast.Call) {
	var aggs []*ast.Call
	k := c.expr(e, &exprCtx{row: row, sc: sc, aggs: &aggs})
	return k, aggs
}

func (c *Checker) expr(e ast.Expr, x *exprCtx) types.Kind {
	if e == nil {
		return types.Unknown
	}
	k := c.expr1(e, x)
	e.Info().Type = k
	return k
}

func (c *Checker) expr1(e ast.Expr, x *exprCtx) types.Kind {
	switch e := e.(type) {
	case *ast.Literal:
		if !e.Null && e.Kind != types.Null {
			e.Info().Const = e.Value
		}
		return e.Kind
	case *ast.Paren:
		if isTabular(e.X, x.sc) && !c.isRowName(e.X, x) {
			return c.tabularAsScalar(e, x)
		}
		k := c.expr(e.X, x)
		e.Info().Const = e.X.Info().Const
		e.Info().Overload = e.X.Info().Overload
		return k
	case *ast.Ident:
		return c.ident(e, x)
	case *ast.Binary:
		return c.binary(e, x)
	case *ast.Unary:
		return c.unary(e, x)
	case *ast.InList:
		return c.inList(e, x)
	case *ast.Between:
		kx := c.expr(e.X, x)
		kl := c.expr(e.Lo, x)
		kh := c.expr(e.Hi, x)
		name := "__between"
		if e.Not {
			name = "__notbetween"
		}
		return c.resolve(e, name, name, []types.Kind{kx, kl, kh}, []ast.Expr{e.X, e.Lo, e.Hi})
	case *ast.Call:
		return c.call(e, x)
	case *ast.Member:
		if id, ok := e.X.(*ast.Ident); ok && (id.Name == "$left" || id.Name == "$right") {
			c.Errorf(e, "bad-left-right", "%s can only be used in join conditions", id.Name)
			return types.Unknown
		}
		kx := c.expr(e.X, x)
		switch kx {
		case types.Dynamic, types.Unknown:
			return kx
		case types.String:
			// JSON held in a string column: read as dynamic
			return types.Dynamic
		}
		c.Errorf(e, "not-dynamic", "property access .%s needs a dynamic value, got %s", e.Name.Name, kx)
		return types.Unknown
	case *ast.Index:
		kx := c.expr(e.X, x)
		c.expr(e.Index, x)
		if kx == types.String {
			return types.Dynamic
		}
		if kx != types.Dynamic && kx != types.Unknown {
			c.Errorf(e, "not-dynamic", "indexing needs a dynamic value, got %s", kx)
			return types.Unknown
		}
		return kx
	case *ast.NamedArg:
		k := c.expr(e.Value, x)
		e.Info().Const = e.Value.Info().Const
		return k
	case *ast.Star:
		return types.Unknown
	case *ast.Tuple:
		for _, it := range e.Items {
			c.expr(it, x)
		}
		return types.Dynamic
	case *ast.Pipe, *ast.Datatable, *ast.ExternalData:
		c.Errorf(e, "tabular-as-scalar", "a tabular expression cannot be used as a scalar value; use toscalar()")
		return types.Unknown
	case *ast.Wildcard:
		c.Errorf(e, "bad-wildcard", "wildcard %s is not allowed here", e.Pattern)
		return types.Unknown
	}
	c.Errorf(e, "unsupported", "unsupported expression")
	return types.Unknown
}

// isRowName reports whether e is a name that resolves in a scalar context
// (a column of the row, or a scalar let), or is not a known table at all.
func (c *Checker) isRowName(e ast.Expr, x *exprCtx) bool {
	for {
		p, ok := e.(*ast.Paren)
		if !ok {
			break
		}
		e = p.X
	}
	id, ok := e.(*ast.Ident)
	if !ok {
		return false
	}
	if x.row != nil && x.row.Index(id.Name) >= 0 {
		return true
	}
	if b := x.sc.lookup(id.Name); b != nil {
		return !b.tabular
	}
	_, isTable := c.env.Tables.Table(id.Name)
	return !isTable
}

// ColumnNamesOf is the Ref of a column_names_of(T) call, folded to its
// constant (Info().Const, a []any of names).
type ColumnNamesOf struct{}

// TypeOf is the Ref of a `typeof(T)` argument: a null value of kind T.
type TypeOf struct{ Kind types.Kind }

func (c *Checker) tabularAsScalar(e ast.Expr, x *exprCtx) types.Kind {
	c.Tabular(e, x.sc)
	c.Errorf(e, "tabular-as-scalar", "a tabular expression cannot be used as a scalar value; use toscalar()")
	return types.Unknown
}

func (c *Checker) ident(e *ast.Ident, x *exprCtx) types.Kind {
	if x.row != nil {
		if i := x.row.Index(e.Name); i >= 0 {
			e.Info().Ref = &ColumnRef{Name: e.Name}
			return x.row.Columns[i].Type
		}
	}
	if b := x.sc.lookup(e.Name); b != nil {
		switch {
		case b.tabular:
			c.Errorf(e, "tabular-as-scalar", "%s is a table; use toscalar(%s) for a scalar value", e.Name, e.Name)
			return types.Unknown
		case b.fn != nil && zeroArgFn(b.fn):
			// invoked by its name (Kusto: a user function needs no
			// argument list when it takes no arguments)
			call := &ast.Call{Pos: e.Pos, Name: e}
			k := c.call(call, x)
			e.Info().Ref = call.Info().Ref
			e.Info().Const = call.Info().Const
			return k
		case b.fn != nil:
			c.Errorf(e, "function-as-value", "%s is a function; call it as %s()", e.Name, e.Name)
			return types.Unknown
		case b.param != nil:
			e.Info().Ref = &ParamRef{Param: b.param, Arg: b.arg}
			if b.arg != nil {
				e.Info().Const = b.arg.Info().Const
			}
			return b.typ
		case b.let != nil:
			e.Info().Ref = &LetRef{Stmt: b.let}
			e.Info().Const = b.konst
			return b.typ
		}
	}
	if x.row != nil && x.row.Open {
		e.Info().Ref = &ColumnRef{Name: e.Name, Open: true}
		if x.row.OpenType != types.Unknown {
			return x.row.OpenType
		}
		return types.Dynamic
	}
	var cands []string
	if x.row != nil {
		cands = append(cands, x.row.Names()...)
	}
	for _, n := range x.sc.allNames() {
		if b := x.sc.lookup(n); b != nil && !b.tabular && b.fn == nil {
			cands = append(cands, n)
		}
	}
	if x.row == nil {
		c.ErrorHint(e, "unknown-name", suggest(e.Name, cands), "unknown name %s", e.Name)
	} else {
		c.ErrorHint(e, "unknown-column", suggest(e.Name, cands), "unknown column %s", e.Name)
	}
	return types.Unknown
}

func (c *Checker) binary(e *ast.Binary, x *exprCtx) types.Kind {
	op := strings.ToLower(e.Op)
	kl := c.expr(e.L, x)
	kr := c.expr(e.R, x)
	switch op {
	case "and", "or":
		for i, k := range []types.Kind{kl, kr} {
			if k != types.Bool && k != types.Unknown && k != types.Null && k != types.Dynamic {
				side := e.L
				if i == 1 {
					side = e.R
				}
				c.Errorf(side, "not-bool", "%s needs bool operands, got %s", op, k)
			}
		}
		if f := funcs.Lookup("__" + op); f != nil {
			if o, _, err := f.Match([]types.Kind{kl, kr}); err == nil {
				e.Info().Overload = o.ID
			}
		}
		return types.Bool
	}
	name := BinaryFuncs[op]
	if name == "" {
		name = op
	}
	return c.resolve(e, name, e.Op, []types.Kind{kl, kr}, []ast.Expr{e.L, e.R})
}

func (c *Checker) unary(e *ast.Unary, x *exprCtx) types.Kind {
	k := c.expr(e.X, x)
	if lit, ok := e.X.(*ast.Literal); ok && e.Op == "-" && !lit.Null {
		switch v := lit.Value.(type) {
		case int64:
			e.Info().Const = -v
		case int32:
			e.Info().Const = -v
		case int:
			e.Info().Const = -v
		case float64:
			e.Info().Const = -v
		}
	}
	name := UnaryFuncs[e.Op]
	if name == "" {
		name = e.Op
	}
	if e.Op == "+" && funcs.Lookup(name) == nil {
		e.Info().Const = e.X.Info().Const
		return k
	}
	return c.resolve(e, name, e.Op, []types.Kind{k}, []ast.Expr{e.X})
}

func (c *Checker) inList(e *ast.InList, x *exprCtx) types.Kind {
	kx := c.expr(e.X, x)
	kinds := []types.Kind{kx}
	args := []ast.Expr{e.X}
	for _, it := range e.List {
		if isTabular(it, x.sc) {
			sch := c.Tabular(it, x.sc)
			it.Info().Schema = sch
			k := types.Dynamic
			kinds = append(kinds, k)
			args = append(args, it)
			continue
		}
		kinds = append(kinds, c.expr(it, x))
		args = append(args, it)
	}
	op := strings.ToLower(e.Op)
	name := InFuncs[op]
	if name == "" {
		name = op
	}
	return c.resolve(e, name, e.Op, kinds, args)
}

// resolve matches an operator or function by name and records the overload.
func (c *Checker) resolve(e ast.Expr, name, shown string, kinds []types.Kind, args []ast.Expr) types.Kind {
	f := funcs.Lookup(name)
	if f == nil {
		c.Errorf(e, "unsupported-operator", "operator %s is not supported", shown)
		return types.Unknown
	}
	allUnknown := len(kinds) > 0
	for _, k := range kinds {
		allUnknown = allUnknown && k == types.Unknown
	}
	if allUnknown {
		// error recovery: nothing to choose an overload by (`a + b` of two
		// unknown names is not an int); no cascading errors
		return types.Unknown
	}
	for _, k := range kinds {
		if k == types.Unknown {
			// error recovery: pick an overload if any matches, else Unknown
			o, rk, err := f.Match(kinds)
			if err != nil {
				return types.Unknown
			}
			e.Info().Overload = o.ID
			return rk
		}
	}
	o, rk, err := f.Match(kinds)
	if err != nil {
		got := make([]string, len(kinds))
		for i, k := range kinds {
			got[i] = k.String()
		}
		if strings.HasPrefix(name, "__") || f.Name != name && !strings.EqualFold(f.Name, name) {
			c.Errorf(e, "bad-types", "operator %s cannot be applied to (%s)", shown, strings.Join(got, ", "))
		} else {
			c.ErrorHint(e, "bad-types", "signatures: "+f.Signatures(), "%s() cannot be applied to (%s)", f.Name, strings.Join(got, ", "))
		}
		return types.Unknown
	}
	e.Info().Overload = o.ID
	if strings.HasPrefix(name, "__") && len(args) == 2 {
		c.checkMixedLiteral(e, shown, o.ID, kinds, args)
	}
	if rk == types.Null {
		rk = types.Unknown
	}
	return rk
}

func (c *Checker) call(e *ast.Call, x *exprCtx) types.Kind {
	if e.Name == nil {
		return types.Unknown
	}
	name := e.Name.Name
	// user functions
	if b := x.sc.lookup(name); b != nil && b.fn != nil {
		return c.userCall(e, b, x)
	}
	switch strings.ToLower(name) {
	case "column_names_of":
		// folded: the names of the tabular argument's columns
		if len(e.Args) == 1 {
			s := c.Tabular(e.Args[0], x.sc)
			names := []any{}
			if s != nil {
				for _, col := range s.Columns {
					names = append(names, col.Name)
				}
			}
			e.Info().Const = names
			e.Info().Ref = &ColumnNamesOf{}
			return types.Dynamic
		}
		c.Errorf(e, "bad-args", "column_names_of() takes one tabular argument")
		return types.Unknown
	case "bin_auto":
		// bin_auto(x) is bin_at(x, query_bin_auto_size, query_bin_auto_at)
		if len(e.Args) == 1 && c.binAutoSize != nil {
			at := c.binAutoAt
			if at == nil {
				at = &ast.Literal{Pos: e.Pos, Kind: types.Long, Value: int64(0), Raw: "0"}
				if k := c.Scalar(e.Args[0], x.row, x.sc); k == types.DateTime {
					at = &ast.Literal{Pos: e.Pos, Kind: types.DateTime, Value: int64(0), Raw: "datetime(1970-01-01)"}
				}
			}
			e.Name = &ast.Ident{Pos: e.Name.Pos, Name: "bin_at"}
			e.Args = append(e.Args, c.binAutoSize, at)
			return c.expr(e, x)
		}
	case "column_ifexists", "columnifexists":
		return c.columnIfExists(e, x)
	case "typeof":
		if len(e.Args) == 1 {
			if id, ok := e.Args[0].(*ast.Ident); ok {
				if k, ok := types.ParseKind(id.Name); ok {
					e.Info().Ref = &TypeOf{Kind: k}
					return k
				}
			}
		}
		c.Errorf(e, "bad-args", "typeof() takes a type name such as typeof(long)")
		return types.Unknown
	case "toscalar":
		if len(e.Args) != 1 {
			c.Errorf(e, "bad-args", "toscalar() takes one argument")
			return types.Unknown
		}
		a := e.Args[0]
		if isTabular(a, x.sc) {
			sch := c.Tabular(a, x.sc)
			if sch != nil && len(sch.Columns) > 0 {
				return sch.Columns[0].Type
			}
			return types.Dynamic
		}
		return c.expr(a, x)
	case "materialize", "table", "view":
		c.Errorf(e, "tabular-as-scalar", "%s() returns a table, not a scalar value", name)
		return types.Unknown
	}
	f := funcs.Lookup(name)
	if f == nil {
		var cands []string
		for _, g := range funcs.All() {
			cands = append(cands, g.Name)
			cands = append(cands, g.Aliases...)
		}
		for _, n := range x.sc.allNames() {
			if b := x.sc.lookup(n); b != nil && b.fn != nil {
				cands = append(cands, n)
			}
		}
		c.ErrorHint(e.Name, "unknown-function", suggest(name, cands), "unknown function %s", name)
		for _, a := range e.Args {
			c.expr(a, x)
		}
		return types.Unknown
	}
	if f.Name != name && !containsStr(f.Aliases, name) {
		c.ErrorHint(e.Name, "function-case", "did you mean "+f.Name+"?", "unknown function %s (function names are case-sensitive)", name)
	}
	switch f.Kind {
	case funcs.Aggregate:
		if x.aggs == nil {
			c.Errorf(e, "aggregate-context", "aggregate function %s() can only be used in summarize, make-series or top-nested", f.Name)
		} else if x.in {
			c.Errorf(e, "nested-aggregate", "aggregate function %s() cannot be nested inside another aggregate", f.Name)
		} else {
			*x.aggs = append(*x.aggs, e)
		}
	case funcs.Plugin, funcs.Tabular:
		c.Errorf(e, "tabular-as-scalar", "%s() is a tabular function, not a scalar one", f.Name)
		return types.Unknown
	}
	inner := *x
	if f.Kind == funcs.Aggregate {
		inner.in = true
	}
	kinds := make([]types.Kind, len(e.Args))
	consts := false
	for i, a := range e.Args {
		kinds[i] = c.expr(a, &inner)
		if a.Info().Const != nil {
			consts = true
		}
	}
	_ = consts
	for _, k := range kinds {
		if k == types.Unknown {
			if o, rk, err := f.Match(kinds); err == nil {
				e.Info().Overload = o.ID
				return rk
			}
			return types.Unknown
		}
	}
	o, rk, err := f.Match(kinds)
	if err != nil {
		got := make([]string, len(kinds))
		for i, k := range kinds {
			got[i] = k.String()
		}
		c.ErrorHint(e, "bad-types", "signatures: "+f.Signatures(), "%s() cannot be applied to (%s)", f.Name, strings.Join(got, ", "))
		return types.Unknown
	}
	for i, a := range e.Args {
		if arg, ok := argAt(o, i); ok && arg.Const && a.Info().Const == nil && !isConstExpr(a) {
			c.Errorf(a, "not-constant", "argument %s of %s() must be a constant", arg.Name, f.Name)
		}
	}
	e.Info().Overload = o.ID
	if rk == types.Null {
		rk = types.Unknown
	}
	return rk
}

// isConstExpr reports whether e has no column references (so it can be
// evaluated once).
func isConstExpr(e ast.Expr) bool {
	ok := true
	Walk(e, func(n ast.Expr) bool {
		if id, isID := n.(*ast.Ident); isID {
			if _, col := id.Info().Ref.(*ColumnRef); col {
				ok = false
			}
		}
		return ok
	})
	return ok
}

func argAt(o *funcs.Overload, i int) (funcs.Arg, bool) {
	if i < len(o.Args) {
		return o.Args[i], true
	}
	if o.Variadic && len(o.Args) > 0 {
		return o.Args[len(o.Args)-1], true
	}
	return funcs.Arg{}, false
}

func containsStr(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// userCall inlines a call to a user function: the body is cloned, its
// parameters bound to the call's arguments, and checked.
func (c *Checker) userCall(e *ast.Call, b *binding, x *exprCtx) types.Kind {
	inl, sch, k := c.inlineCall(e, b, x.row, x.sc)
	if inl == nil {
		return types.Unknown
	}
	if sch != nil {
		c.Errorf(e, "tabular-as-scalar", "%s() returns a table; use toscalar() for a scalar value", e.Name.Name)
		return types.Unknown
	}
	return k
}

// inlineCall binds and checks a user function call; it returns the inline
// body and either its tabular schema or scalar type.
func (c *Checker) inlineCall(e *ast.Call, b *binding, row *types.Schema, sc *Scope) (*Inline, *types.Schema, types.Kind) {
	def := b.fn
	body := Clone(def.Body).(*ast.Block)
	inner := newScope(b.fnScope)
	args := e.Args
	var named = map[string]ast.Expr{}
	var pos []ast.Expr
	for _, a := range args {
		if na, ok := a.(*ast.NamedArg); ok && na.Name != nil {
			named[na.Name.Name] = na.Value
			continue
		}
		pos = append(pos, a)
	}
	if len(pos) > len(def.Params) {
		c.Errorf(e, "bad-args", "%s() takes %d arguments, got %d", e.Name.Name, len(def.Params), len(args))
	}
	for i, p := range def.Params {
		var a ast.Expr
		if i < len(pos) {
			a = pos[i]
		}
		if v, ok := named[p.Name.Name]; ok {
			a = v
		}
		pb := &binding{param: p}
		tab := p.Type != nil && p.Type.Tabular
		if a == nil {
			if p.Default == nil {
				c.Errorf(e, "bad-args", "%s() is missing argument %s", e.Name.Name, p.Name.Name)
				if tab {
					pb.tabular = true
					pb.schema = &types.Schema{Open: true}
				}
				inner.set(p.Name.Name, pb)
				continue
			}
			a = Clone(p.Default).(ast.Expr)
			c.expr(a, &exprCtx{sc: b.fnScope})
		} else if tab && c.invokeArg != nil && a == ast.Expr(c.invokeArg) {
			pb.schema = c.invokeSchema
		} else if tab {
			pb.schema = c.Tabular(a, sc)
		} else {
			c.expr(a, &exprCtx{row: row, sc: sc})
		}
		pb.arg = a
		if tab {
			pb.tabular = true
			if pb.schema == nil {
				pb.schema = a.Info().Schema
			}
			if pb.schema == nil {
				pb.schema = &types.Schema{Open: true}
			}
		} else {
			pb.typ = a.Info().Type
			if p.Type != nil && p.Type.Scalar != types.Unknown && pb.typ != p.Type.Scalar && pb.typ != types.Unknown && pb.typ != types.Null {
				if !(p.Type.Scalar.IsNumeric() && pb.typ.IsNumeric()) && p.Type.Scalar != types.Dynamic {
					c.Errorf(a, "bad-types", "argument %s of %s() must be %s, got %s", p.Name.Name, e.Name.Name, p.Type.Scalar, pb.typ)
				}
			}
		}
		inner.set(p.Name.Name, pb)
	}
	inl := &Inline{Def: def, Body: body}
	e.Info().Ref = inl
	// check the body: scalar functions see the caller's row
	sch := c.block(body, row, inner)
	if sch != nil {
		e.Info().Schema = sch
		return inl, sch, types.Unknown
	}
	res := BlockResult(body)
	if res == nil {
		return inl, nil, types.Unknown
	}
	e.Info().Const = res.Info().Const
	return inl, nil, res.Info().Type
}

// Walk calls f for e and its sub-expressions (not entering tabular
// sub-queries' operators) while f returns true.
func Walk(e ast.Expr, f func(ast.Expr) bool) {
	if e == nil || !f(e) {
		return
	}
	switch e := e.(type) {
	case *ast.Paren:
		Walk(e.X, f)
	case *ast.Binary:
		Walk(e.L, f)
		Walk(e.R, f)
	case *ast.Unary:
		Walk(e.X, f)
	case *ast.InList:
		Walk(e.X, f)
		for _, it := range e.List {
			Walk(it, f)
		}
	case *ast.Between:
		Walk(e.X, f)
		Walk(e.Lo, f)
		Walk(e.Hi, f)
	case *ast.Call:
		for _, a := range e.Args {
			Walk(a, f)
		}
	case *ast.NamedArg:
		Walk(e.Value, f)
	case *ast.Member:
		Walk(e.X, f)
	case *ast.Index:
		Walk(e.X, f)
		Walk(e.Index, f)
	case *ast.Tuple:
		for _, it := range e.Items {
			Walk(it, f)
		}
	}
}

var _ = fmt.Sprintf

// checkMixedLiteral rejects a comparison between a number or bool and a
// string constant that cannot be read as one (`Bytes > "x"`): the service
// would convert the constant to null and the condition could never hold.
// Comparisons with a string column or a numeric constant written as text
// (`EventID == "4624"`, `ResultType == 0`) are accepted, as the service does.
func (c *Checker) checkMixedLiteral(e ast.Expr, shown, id string, kinds []types.Kind, args []ast.Expr) {
	if !strings.HasSuffix(id, "_string_number") && !strings.HasSuffix(id, "_number_string") &&
		!strings.HasSuffix(id, "_string_bool") && !strings.HasSuffix(id, "_bool_string") {
		return
	}
	for i, a := range args {
		lit, ok := a.(*ast.Literal)
		if !ok || kinds[i] != types.String {
			continue
		}
		text, _ := lit.Value.(string)
		text = strings.TrimSpace(text)
		other := kinds[1-i]
		if other == types.Bool {
			if strings.EqualFold(text, "true") || strings.EqualFold(text, "false") {
				continue
			}
			if _, err := strconv.ParseInt(text, 10, 64); err == nil {
				continue
			}
		} else if _, err := strconv.ParseFloat(text, 64); err == nil {
			continue
		}
		got := []string{kinds[0].String(), kinds[1].String()}
		c.Errorf(e, "bad-types", "operator %s cannot be applied to (%s): %q is not a %s", shown, strings.Join(got, ", "), text, other)
	}
}
