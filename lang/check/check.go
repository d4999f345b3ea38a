// Package check binds names and type-checks a parsed query against a
// catalog of table schemas and the function declarations in lang/funcs.
//
// It annotates the AST in place: every expression's Info() gets its Type
// (or Schema for tabular expressions), the resolved Overload for calls and
// operators, folded constants (Const) and what a name refers to (Ref: one of
// *ColumnRef, *LetRef, *ParamRef, *TableRef, *Inline); every operator's
// Out().Schema is its output schema. Errors are positioned diagnostics; the
// checker recovers with types.Unknown so that one error does not cascade.
package check

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Catalog is what the checker needs to know about tables.
type Catalog interface {
	// Table returns the schema of the table called name.
	Table(name string) (*types.Schema, bool)
	// Names lists the known tables (for "did you mean" suggestions).
	Names() []string
}

// MapCatalog is a Catalog over a map.
type MapCatalog map[string]*types.Schema

// Table implements Catalog.
func (m MapCatalog) Table(name string) (*types.Schema, bool) { s, ok := m[name]; return s, ok }

// Names implements Catalog.
func (m MapCatalog) Names() []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// PluginFunc types an `evaluate name(args)` call over its input schema.
type PluginFunc func(c *Checker, call *ast.Call, in *types.Schema) (*types.Schema, error)

// Env is the checker's environment.
type Env struct {
	Tables Catalog
	Now    time.Time
	// Plugin returns the typing function of an evaluate plugin (nil if unknown).
	Plugin func(name string) PluginFunc
	// Watchlist returns the schema of _GetWatchlist(alias) for a watchlist
	// given locally (--watchlist NAME=FILE); nil or false: unknown columns.
	Watchlist func(alias string) (*types.Schema, bool)
}

// OpChecker computes the output schema of one tabular operator given its
// input schema (nil for source operators). It reports errors through c.
type OpChecker func(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema

var (
	opMu     sync.RWMutex
	opChecks = map[string]OpChecker{}
)

// RegisterOp registers the checker of an operator by its canonical name
// (ast.Op.OpName()). Later registrations replace earlier ones.
func RegisterOp(name string, f OpChecker) {
	opMu.Lock()
	defer opMu.Unlock()
	opChecks[name] = f
}

func opChecker(name string) OpChecker {
	opMu.RLock()
	defer opMu.RUnlock()
	return opChecks[name]
}

// Checker holds the state of one Check call.
type Checker struct {
	env   *Env
	diags lang.List
	// Last is the schema of the query's result statement (nil if none).
	Last *types.Schema
	// binAuto holds the `set query_bin_auto_size` / `query_bin_auto_at` values.
	binAutoSize, binAutoAt ast.Expr
	// invokeArg stands for the input rows of the invoke being checked.
	invokeArg    *ast.Ident
	invokeSchema *types.Schema
}

// ColumnRef is the Ref of an identifier naming a column of the row.
type ColumnRef struct {
	Name string
	// Open is set when the name is not a known column but is accepted
	// because the row's schema is open (its type is then a guess).
	Open bool
}

// LetRef is the Ref of a name bound by a let statement (scalar or tabular).
type LetRef struct{ Stmt *ast.LetStmt }

// ParamRef is the Ref of a name bound to a user-function parameter: the
// planner evaluates Arg (already checked) in place of the name.
type ParamRef struct {
	Param *ast.Param
	Arg   ast.Expr
}

// AsRef is the Ref of a name bound by the `as` operator.
type AsRef struct{ Op *ast.As }

// TableRef is the Ref of a name (or table("x") call) naming a catalog table.
type TableRef struct{ Name string }

// Inline is the Ref of a call to a user-defined function: a checked copy of
// the function body for this call site; names of parameters in Body carry
// ParamRef refs to the call's arguments.
type Inline struct {
	Def  *ast.FuncDef
	Body *ast.Block
}

// Check checks q and annotates it. It returns the diagnostics.
func Check(q *ast.Query, env *Env) lang.List {
	c := &Checker{env: env}
	if c.env == nil {
		c.env = &Env{}
	}
	if c.env.Tables == nil {
		c.env.Tables = MapCatalog{}
	}
	sc := newScope(nil)
	c.stmts(q.Stmts, sc)
	c.multiResults(q) // fork.go
	c.warnings(q)
	c.diags.Sort()
	return c.diags
}

// CheckWith is Check returning the Checker (for its Last schema).
func CheckWith(q *ast.Query, env *Env) (*Checker, lang.List) {
	c := &Checker{env: env}
	if c.env == nil {
		c.env = &Env{}
	}
	if c.env.Tables == nil {
		c.env.Tables = MapCatalog{}
	}
	sc := newScope(nil)
	c.stmts(q.Stmts, sc)
	c.multiResults(q) // fork.go
	c.warnings(q)
	c.diags.Sort()
	return c, c.diags
}

// Errorf reports an error at n's span.
func (c *Checker) Errorf(n ast.Node, code, format string, args ...any) {
	c.diags.Errorf(n.Span(), code, format, args...)
}

// ErrorHint reports an error with a hint.
func (c *Checker) ErrorHint(n ast.Node, code, hint, format string, args ...any) {
	c.diags.Errorf(n.Span(), code, format, args...)
	c.diags[len(c.diags)-1].Hint = hint
}

// Env returns the environment.
func (c *Checker) Env() *Env { return c.env }

func (c *Checker) stmts(stmts []ast.Stmt, sc *Scope) {
	for _, s := range stmts {
		switch s := s.(type) {
		case *ast.LetStmt:
			c.let(s, sc)
		case *ast.ExprStmt:
			if isTabular(s.X, sc) {
				c.Last = c.Tabular(s.X, sc)
			} else {
				k := c.Scalar(s.X, nil, sc)
				// a scalar statement prints as a one-column table
				c.Last = &types.Schema{Columns: []types.Column{{Name: "print_0", Type: k}}}
			}
		case *ast.DeclareParamsStmt:
			for _, p := range s.Params {
				b := &binding{param: p}
				if p.Type != nil && p.Type.Tabular {
					b.tabular = true
					b.schema = &types.Schema{Open: true}
				} else if p.Type != nil {
					b.typ = p.Type.Scalar
				}
				if p.Default != nil {
					b.typ = c.Scalar(p.Default, nil, sc)
					b.arg = p.Default
				}
				sc.set(p.Name.Name, b)
			}
		case *ast.SetStmt:
			switch strings.ToLower(s.Name) {
			case "query_bin_auto_size":
				c.binAutoSize = s.Value
			case "query_bin_auto_at":
				c.binAutoAt = s.Value
			}
		case *ast.DeclarePatternStmt:
			if s.Name != nil {
				sc.set(s.Name.Name, &binding{pattern: s, tabular: true}) // pattern.go
			}
		case *ast.AliasStmt:
			// no effect on typing
		}
	}
}

func (c *Checker) let(s *ast.LetStmt, sc *Scope) {
	if s.Name == nil {
		return
	}
	b := &binding{let: s}
	switch {
	case s.Func != nil:
		b.fn = s.Func
		b.fnScope = sc
		b.view = s.View
		if s.View && len(s.Func.Params) == 0 {
			// views are tables by name; check body now
			inner := newScope(sc)
			schema := c.block(s.Func.Body, nil, inner)
			b.tabular = true
			b.schema = schema
			b.fn = nil
			b.viewBody = s.Func.Body
		}
	case s.Value != nil:
		if isTabular(s.Value, sc) {
			b.tabular = true
			b.schema = c.Tabular(s.Value, sc)
		} else {
			b.typ = c.Scalar(s.Value, nil, sc)
			b.konst = s.Value.Info().Const
		}
	}
	s.Name.Info().Ref = &LetRef{Stmt: s}
	sc.set(s.Name.Name, b)
}

// block checks a function body; it returns the schema if its result is
// tabular, else nil (and the scalar type through Info of the result expr).
func (c *Checker) block(bl *ast.Block, row *types.Schema, sc *Scope) *types.Schema {
	if bl == nil {
		return nil
	}
	var res ast.Expr
	for _, s := range bl.Stmts {
		switch s := s.(type) {
		case *ast.LetStmt:
			c.let(s, sc)
		case *ast.ExprStmt:
			res = s.X
		}
	}
	if res == nil {
		return nil
	}
	if isTabular(res, sc) {
		sch := c.Tabular(res, sc)
		if sch == nil {
			sch = &types.Schema{Open: true}
		}
		return sch
	}
	c.Scalar(res, row, sc)
	return nil
}

// BlockResult returns the result expression of a block.
func BlockResult(bl *ast.Block) ast.Expr {
	if bl == nil {
		return nil
	}
	for i := len(bl.Stmts) - 1; i >= 0; i-- {
		if s, ok := bl.Stmts[i].(*ast.ExprStmt); ok {
			return s.X
		}
	}
	return nil
}

// Scope is a lexical scope of let-bound names and function parameters.
type Scope struct {
	parent *Scope
	names  map[string]*binding
}

type binding struct {
	let      *ast.LetStmt
	param    *ast.Param
	arg      ast.Expr // for params: the argument expression
	tabular  bool
	schema   *types.Schema
	typ      types.Kind
	konst    any
	fn       *ast.FuncDef
	fnScope  *Scope
	view     bool
	viewBody *ast.Block
	asOp     *ast.As
	pattern  *ast.DeclarePatternStmt // pattern.go
}

func newScope(parent *Scope) *Scope { return &Scope{parent: parent, names: map[string]*binding{}} }

// NewScope returns a child scope of sc (sc may be nil).
func NewScope(sc *Scope) *Scope { return newScope(sc) }

func (s *Scope) set(name string, b *binding) { s.names[name] = b }

func (s *Scope) lookup(name string) *binding {
	for x := s; x != nil; x = x.parent {
		if b, ok := x.names[name]; ok {
			return b
		}
	}
	return nil
}

func (s *Scope) allNames() []string {
	var out []string
	for x := s; x != nil; x = x.parent {
		for n := range x.names {
			out = append(out, n)
		}
	}
	return out
}

// isTabular guesses syntactically whether e is a tabular expression.
func isTabular(e ast.Expr, sc *Scope) bool {
	switch e := e.(type) {
	case *ast.Pipe, *ast.Datatable, *ast.ExternalData:
		return true
	case *ast.Paren:
		return isTabular(e.X, sc)
	case *ast.Ident:
		if b := sc.lookup(e.Name); b != nil {
			if b.fn != nil && zeroArgFn(b.fn) {
				// a function callable without arguments is invoked by its name
				return isTabular(&ast.Call{Pos: e.Pos, Name: e}, sc)
			}
			return b.tabular
		}
		return true // a table name
	case *ast.Wildcard:
		return true
	case *ast.Call:
		if e.Name == nil {
			return false
		}
		if b := sc.lookup(e.Name.Name); b != nil && b.pattern != nil {
			return true
		}
		switch strings.ToLower(e.Name.Name) {
		case "table", "materialize", "view", "database", "cluster", "external_table", "materialized_view":
			return true
		}
		if isTabularBuiltin(e.Name.Name) && sc.lookup(e.Name.Name) == nil {
			return true
		}
		if b := sc.lookup(e.Name.Name); b != nil && b.fn != nil {
			res := BlockResult(b.fn.Body)
			if res == nil {
				return false
			}
			inner := newScope(b.fnScope)
			for _, p := range b.fn.Params {
				pb := &binding{param: p}
				if p.Type != nil && p.Type.Tabular {
					pb.tabular = true
				}
				inner.set(p.Name.Name, pb)
			}
			for _, s := range b.fn.Body.Stmts {
				if l, ok := s.(*ast.LetStmt); ok && l.Name != nil {
					lb := &binding{}
					if l.Value != nil {
						lb.tabular = isTabular(l.Value, inner)
					}
					if l.Func != nil {
						lb.fn = l.Func
						lb.fnScope = inner
					}
					inner.set(l.Name.Name, lb)
				}
			}
			return isTabular(res, inner)
		}
	case *ast.Member:
		// database("x").Table
		if call, ok := e.X.(*ast.Call); ok && call.Name != nil && strings.EqualFold(call.Name.Name, "database") {
			return true
		}
		// pattern("a").path
		if call, ok := e.X.(*ast.Call); ok && call.Name != nil {
			if b := sc.lookup(call.Name.Name); b != nil && b.pattern != nil {
				return true
			}
		}
	}
	return false
}

// IsTabular reports whether e is a tabular expression in scope sc.
func IsTabular(e ast.Expr, sc *Scope) bool { return isTabular(e, sc) }

// zeroArgFn reports whether a let-defined function can be called without
// arguments (every parameter has a default): Kusto then also invokes it when
// it is named without an argument list (`let f = () { T }; f`).
func zeroArgFn(fn *ast.FuncDef) bool {
	for _, p := range fn.Params {
		if p.Default == nil {
			return false
		}
	}
	return true
}
