// Package ast is the typed syntax tree of KQL that every phase after parsing
// uses: the checker annotates it (expression types, resolved overloads, output
// schemas), the planner reads it, and printer.go prints it in canonical form
// (`kqlhunt fmt`).
//
// Every node records its byte-offset span in the source. Operator and option
// names are stored in canonical form (`filter` → where, `order` → sort,
// `limit` → take, `mvexpand` → mv-expand) so that parse(fmt(q)) equals parse(q).
package ast

import (
	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Node is implemented by every syntax tree node.
type Node interface {
	Span() lang.Span
}

// Pos is embedded in every node to carry its span.
type Pos struct {
	Sp lang.Span
}

// Span returns the node's source span.
func (p Pos) Span() lang.Span { return p.Sp }

// ---------------------------------------------------------------------------
// Queries and statements

// Query is a whole KQL text: statements separated by ';'. The last ExprStmt
// is the query's result; queries made only of let/set statements are valid.
type Query struct {
	Pos
	Stmts []Stmt
}

// Stmt is a statement.
type Stmt interface {
	Node
	stmtNode()
}

// LetStmt binds a name to a scalar or tabular expression, or to a function
// (Func != nil; a view when View is true).
type LetStmt struct {
	Pos
	Name  *Ident
	Value Expr     // nil when Func is set
	Func  *FuncDef // user-defined function or view
	View  bool
}

// FuncDef is the definition of a user function: `(a:string, t:(*), n:long=10) { body }`.
type FuncDef struct {
	Pos
	Params []*Param
	Body   *Block
}

// Block is a function body: let statements followed by a result expression.
type Block struct {
	Pos
	Stmts []Stmt // zero or more LetStmt, then one ExprStmt
}

// Param is a function or query parameter.
type Param struct {
	Pos
	Name    *Ident
	Type    *TypeRef
	Default Expr // optional
}

// TypeRef is a scalar type (`string`) or a tabular type (`(*)`, `(a:string, b:long)`, `(a:string, *)`).
type TypeRef struct {
	Pos
	Scalar  types.Kind // for scalar types
	Tabular bool
	Columns []*ColumnDecl // tabular columns
	Star    bool          // tabular type includes `*`
}

// ColumnDecl declares a column `Name:type`.
type ColumnDecl struct {
	Pos
	Name *Ident
	Type types.Kind
}

// SetStmt is `set name [= value]`.
type SetStmt struct {
	Pos
	Name  string // may be dotted: query_datascope, notruncation, hint.x
	Value Expr   // optional
}

// DeclareParamsStmt is `declare query_parameters(name:type [= default], ...)`.
type DeclareParamsStmt struct {
	Pos
	Params []*Param
}

// DeclarePatternStmt is `declare pattern name [= (args) [[path]] { mappings }];`.
// Text is the statement as written; Defined is false for a bare
// declaration (an empty pattern).
type DeclarePatternStmt struct {
	Pos
	Name    *Ident
	Text    string
	Params  []*Param
	Path    *Param // nil when the pattern has no path argument
	Maps    []*PatternMap
	Defined bool
}

// PatternMap is one mapping `("a", "b").["path"] = { expression }`.
type PatternMap struct {
	Pos
	Args    []string
	Path    string
	HasPath bool
	Body    *Block
}

// AliasStmt is `alias database x = cluster(...).database(...)`.
type AliasStmt struct {
	Pos
	Name  *Ident
	Value Expr
}

// ExprStmt is a query expression statement (usually tabular).
type ExprStmt struct {
	Pos
	X Expr
}

func (*LetStmt) stmtNode()            {}
func (*SetStmt) stmtNode()            {}
func (*DeclareParamsStmt) stmtNode()  {}
func (*DeclarePatternStmt) stmtNode() {}
func (*AliasStmt) stmtNode()          {}
func (*ExprStmt) stmtNode()           {}

// ---------------------------------------------------------------------------
// Expressions

// Expr is a scalar or tabular expression. Info is filled by the checker.
type Expr interface {
	Node
	exprNode()
	Info() *Info
}

// Info is what the checker records on every expression.
type Info struct {
	Type     types.Kind    // scalar result type (Unknown for tabular expressions)
	Schema   *types.Schema // output schema of a tabular expression
	Overload string        // resolved overload ID for calls and operators (e.g. "strlen_string")
	Const    any           // folded constant value when known (types package values)
	Ref      any           // what a name resolved to (checker-defined)
}

// Typed is embedded in every expression to hold its Info.
type Typed struct {
	inf Info
}

// Info returns the checker annotations of the expression.
func (t *Typed) Info() *Info { return &t.inf }

// Ident is a name: a column, let-bound name, table, or function. Quoted is
// set for `['Column Name']` / `["x"]` forms. `$left` and `$right` are Idents.
type Ident struct {
	Pos
	Typed
	Name   string
	Quoted bool
}

// Wildcard is a name pattern with `*`, used by union, project-away, find, etc.: `Device*`.
type Wildcard struct {
	Pos
	Typed
	Pattern string
}

// LitKind tells the source form of a literal.
type Literal struct {
	Pos
	Typed
	Kind  types.Kind // bool, int, long, real, decimal, string, datetime, timespan, guid, dynamic; Null for bare null
	Null  bool       // typed null such as long(null), datetime(null)
	Raw   string     // source text as written
	Value any        // parsed value; see types.Value* docs (string: decoded text, dynamic: JSON text)
}

// Binary is a binary operator: arithmetic (+ - * / %), comparison (== != < <= > >=
// =~ !~), string operators (has, !has, has_cs, !has_cs, hasprefix, hassuffix,
// contains, startswith, endswith, matches regex, and their _cs / negated forms),
// logical and/or. Op is the operator in its canonical lower-case spelling.
type Binary struct {
	Pos
	Typed
	Op   string
	L, R Expr
}

// Unary is `-x`, `+x`.
type Unary struct {
	Pos
	Typed
	Op string
	X  Expr
}

// InList is `x in (a, b)`, `x !in (...)`, `in~`, `!in~`, `has_any`, `has_all`,
// `has_any_cs`... The list may contain a single tabular expression (subquery)
// or a dynamic array expression.
type InList struct {
	Pos
	Typed
	Op   string
	X    Expr
	List []Expr
}

// Between is `x between (lo .. hi)` or `!between`.
type Between struct {
	Pos
	Typed
	Not    bool
	X      Expr
	Lo, Hi Expr
}

// Call is a function call `name(args)`. Args may contain *Star and *NamedArg.
// Aggregates, scalar functions, user functions and tabular functions
// (table(), materialize(), toscalar(), database()) are all Calls.
type Call struct {
	Pos
	Typed
	Recv Expr // receiver of a dotted call: `cluster("c").database("d")` has Recv cluster("c"); nil otherwise
	Name *Ident
	Args []Expr
}

// Star is `*` as a function argument: count(*), arg_max(x, *).
type Star struct {
	Pos
	Typed
}

// NamedArg is `name = value` inside a call's argument list.
type NamedArg struct {
	Pos
	Typed
	Name  *Ident
	Value Expr
}

// Member is `x.name` (dynamic property access, `$left.col`, `database("d").T`).
type Member struct {
	Pos
	Typed
	X    Expr
	Name *Ident
}

// Index is `x[i]` / `x['key']`.
type Index struct {
	Pos
	Typed
	X     Expr
	Index Expr
}

// Paren is a parenthesised expression (kept so fmt round-trips). X may be tabular.
type Paren struct {
	Pos
	Typed
	X Expr
}

// Tuple is a parenthesised list `(a, b)` such as dynamic arrays in `in` lists or
// the right side of `summarize (a, b) = arg_max(...)`.
type Tuple struct {
	Pos
	Typed
	Items []Expr
}

// Pipe is a tabular pipeline: an optional source expression followed by
// operators. Source is nil when the pipeline starts with a source operator
// (print, range, datatable, union, find, search, externaldata, evaluate).
type Pipe struct {
	Pos
	Typed
	Source Expr
	Ops    []Op
}

// Datatable is `datatable (a:string, b:long) [ values... ]`.
type Datatable struct {
	Pos
	Typed
	Columns []*ColumnDecl
	Values  []Expr
}

// ExternalData is `externaldata (cols) [ "uri", ... ] with (format="csv", ...)`.
type ExternalData struct {
	Pos
	Typed
	Columns []*ColumnDecl
	URIs    []Expr
	With    []*Option
}

// FuncLit is a lambda-style function value used by some plugins.
// (Reserved: parsed where Kusto accepts it.)

func (*Ident) exprNode()        {}
func (*Wildcard) exprNode()     {}
func (*Literal) exprNode()      {}
func (*Binary) exprNode()       {}
func (*Unary) exprNode()        {}
func (*InList) exprNode()       {}
func (*Between) exprNode()      {}
func (*Call) exprNode()         {}
func (*Star) exprNode()         {}
func (*NamedArg) exprNode()     {}
func (*Member) exprNode()       {}
func (*Index) exprNode()        {}
func (*Paren) exprNode()        {}
func (*Tuple) exprNode()        {}
func (*Pipe) exprNode()         {}
func (*Datatable) exprNode()    {}
func (*ExternalData) exprNode() {}

// ---------------------------------------------------------------------------
// Shared pieces of operators

// Option is an operator parameter `name=value` such as kind=inner,
// hint.strategy=shuffle, withsource=T, bagexpansion=array, with_itemindex=i,
// isfuzzy=true, and the properties in render/parse-kv `with (...)`.
// Name is lower-cased canonical unless the language is case sensitive there.
type Option struct {
	Pos
	Name  string
	Value Expr // Ident for bare words (kind=inner), Literal, or expression
}

// NamedExpr is an expression with optional output names: `x`, `Name = x`,
// `(A, B) = f(x)`.
type NamedExpr struct {
	Pos
	Names []*Ident // empty when no name is given
	X     Expr
}

// SortKey is an order-by key `x [asc|desc] [nulls first|last]`.
type SortKey struct {
	Pos
	X     Expr
	Order string // "", "asc", "desc"
	Nulls string // "", "first", "last"
}

// ---------------------------------------------------------------------------
// Tabular operators

// Op is a tabular operator in a pipe. Out is filled by the checker with the
// operator's output schema.
type Op interface {
	Node
	opNode()
	OpName() string // canonical operator name, e.g. "where", "mv-expand"
	Out() *OpInfo
}

// OpInfo is what the checker records on an operator.
type OpInfo struct {
	Schema *types.Schema // output schema
	Ref    any           // checker-defined extra (e.g. resolved plugin)
}

// OpBase is embedded in every operator.
type OpBase struct {
	Pos
	out OpInfo
}

// Out returns the checker annotations of the operator.
func (o *OpBase) Out() *OpInfo { return &o.out }

// Where filters rows (`where`, `filter`).
type Where struct {
	OpBase
	Pred Expr
}

// Project selects and computes columns.
type Project struct {
	OpBase
	Items []*NamedExpr
}

// ProjectAway removes columns (names or wildcards).
type ProjectAway struct {
	OpBase
	Columns []Expr // *Ident or *Wildcard
}

// ProjectKeep keeps columns (names or wildcards).
type ProjectKeep struct {
	OpBase
	Columns []Expr
}

// ProjectRename renames columns: `New = Old`.
type ProjectRename struct {
	OpBase
	Items []*NamedExpr // Names[0] new name, X the old *Ident
}

// ProjectReorder moves columns to the front: `B, A*` with optional asc/desc/granny-*.
type ProjectReorder struct {
	OpBase
	Keys []*SortKey // X is *Ident or *Wildcard
}

// Extend adds computed columns.
type Extend struct {
	OpBase
	Items []*NamedExpr
}

// Summarize aggregates: `summarize [hints] aggs [by keys]`.
type Summarize struct {
	OpBase
	Options []*Option
	Aggs    []*NamedExpr
	By      []*NamedExpr
}

// Count is the `count` operator.
type Count struct {
	OpBase
	As *Ident // `count as Name` (rarely used)
}

// Take is `take N` / `limit N`.
type Take struct {
	OpBase
	N Expr
}

// Top is `top N by key [asc|desc] [nulls first|last]`.
type Top struct {
	OpBase
	N  Expr
	By []*SortKey
}

// Sort is `sort by` / `order by`.
type Sort struct {
	OpBase
	Options []*Option
	Keys    []*SortKey
}

// Distinct is `distinct a, b` or `distinct *`. A column computed and named in
// place (`distinct Name = expr`) is a *NamedArg.
type Distinct struct {
	OpBase
	Options []*Option
	Columns []Expr // *Star for `*`
}

// Join is `join [kind=..] [hints] (right) on keys`. On holds either plain
// column names (*Ident), or `$left.a == $right.b` comparisons (*Binary),
// possibly combined with `and` for where-style conditions.
type Join struct {
	OpBase
	Options []*Option
	Right   Expr
	On      []Expr
}

// Lookup is `lookup [kind=leftouter|inner] (right) on keys`.
type Lookup struct {
	OpBase
	Options []*Option
	Right   Expr
	On      []Expr
}

// Union is `union [kind=inner|outer] [withsource=Col] [isfuzzy=true] T1, T2, ...`.
// As a pipe operator the piped input is the first table.
type Union struct {
	OpBase
	Options []*Option
	Tables  []Expr // *Ident, *Wildcard, *Paren(*Pipe), *Call (table('x'))
}

// MvExpandItem is one `Name = expr to typeof(type)` of mv-expand / mv-apply.
type MvExpandItem struct {
	Pos
	Name *Ident // optional
	X    Expr
	To   types.Kind // types.Unknown when no `to typeof()`
}

// MvExpand is `mv-expand [bagexpansion=..] [with_itemindex=..] items [limit N]`.
type MvExpand struct {
	OpBase
	Options []*Option
	Items   []*MvExpandItem
	Limit   Expr
}

// MvApply is `mv-apply [options] items [limit N] on (subquery)`; the subquery
// is a Pipe with nil Source that applies to each row's expanded values.
type MvApply struct {
	OpBase
	Options []*Option
	Items   []*MvExpandItem
	Limit   Expr
	On      *Pipe
}

// ParsePart is one element of a parse pattern: a string literal, a column
// (with optional type), or `*`.
type ParsePart struct {
	Pos
	Literal *Literal    // a string constant to match
	Column  *ColumnDecl // a column to extract (Type Unknown = string)
	Star    bool
}

// Parse is `parse` or `parse-where` (Where=true) `[kind=simple|regex|relaxed] [flags=..] X with pattern`.
type Parse struct {
	OpBase
	Where   bool
	Options []*Option
	X       Expr
	Pattern []*ParsePart
}

// ParseKV is `parse-kv X as (cols) with (pair_delimiter=..., kv_delimiter=..., quote=..., greedy=..., regex=...)`.
type ParseKV struct {
	OpBase
	X       Expr
	Columns []*ColumnDecl
	With    []*Option
}

// MakeSeries is `make-series [kind=nonempty] aggs [default=v] on X [from A] [to B] step S | in range(A,B,S) [by keys]`.
type MakeSeries struct {
	OpBase
	Options  []*Option
	Aggs     []*MakeSeriesAgg
	On       Expr
	OnName   *Ident // optional `on Name = X` is not Kusto; reserved
	From, To Expr   // optional
	Step     Expr
	InRange  bool // the `in range(from, to, step)` form was used
	By       []*NamedExpr
}

// MakeSeriesAgg is one aggregate of make-series with its optional default.
type MakeSeriesAgg struct {
	Pos
	Agg     *NamedExpr
	Default Expr
}

// Render is `render kind [with (name=value, ...)]`.
type Render struct {
	OpBase
	Kind string
	With []*Option
}

// Evaluate is `evaluate [hints] plugin(args) [: (schema)]`. Also a pipe source.
type Evaluate struct {
	OpBase
	Options []*Option
	Call    *Call
	Schema  *TypeRef // optional output schema `: (a:string, ...)`
}

// Invoke is `invoke func(args)`.
type Invoke struct {
	OpBase
	Call *Call
}

// As is `as [hint.materialized=true] Name`.
type As struct {
	OpBase
	Options []*Option
	Name    *Ident
}

// Serialize is `serialize [Name = expr, ...]`.
type Serialize struct {
	OpBase
	Items []*NamedExpr
}

// ScanStep is one `step name [output=all|last|none]: predicate => assignments;`.
type ScanStep struct {
	Pos
	Name    *Ident
	Output  string
	Pred    Expr
	Assigns []*NamedExpr
}

// Scan is `scan [with_match_id=Id] [declare (cols)] with (steps)`.
type Scan struct {
	OpBase
	Options []*Option
	Declare []*Param // columns with optional defaults
	Steps   []*ScanStep
}

// Sample is `sample N`.
type Sample struct {
	OpBase
	N Expr
}

// SampleDistinct is `sample-distinct N of X`.
type SampleDistinct struct {
	OpBase
	N  Expr
	Of Expr
}

// GetSchema is `getschema`.
type GetSchema struct {
	OpBase
}

// Facet is `facet by a, b [with (ops)]`.
type Facet struct {
	OpBase
	Columns []*Ident
	With    *Pipe // optional
}

// ForkBranch is one `(ops) [as name]`-style branch; Name is from a trailing `| as X` or `name=(...)`.
type ForkBranch struct {
	Pos
	Name *Ident
	Ops  *Pipe
}

// Fork is `fork (ops) (ops) ...`.
type Fork struct {
	OpBase
	Branches []*ForkBranch
}

// Partition is `partition [hints] by Col (subquery)` or `{ subquery }`.
type Partition struct {
	OpBase
	Options []*Option
	By      Expr
	Sub     Expr // *Pipe (ops applied to each partition) or a braced tabular expression
}

// TopNestedLevel is `N of Expr [with others = V] by Agg [asc|desc]`.
type TopNestedLevel struct {
	Pos
	N      Expr // optional
	Of     *NamedExpr
	Others Expr // optional
	By     *NamedExpr
	Order  string
}

// TopNested is `top-nested level, level, ...`.
type TopNested struct {
	OpBase
	Levels []*TopNestedLevel
}

// TopHitters is `top-hitters N of X [by Y]`.
type TopHitters struct {
	OpBase
	N  Expr
	Of Expr
	By Expr
}

// Search is `search [kind=case_sensitive] [in (T1, T2)] predicate`. Also a pipe source.
type Search struct {
	OpBase
	Options []*Option
	In      []Expr
	Pred    Expr
}

// Find is `find [withsource=X] [in (tables)] where pred [project cols | project-smart]`.
type Find struct {
	OpBase
	Options []*Option
	In      []Expr
	Pred    Expr
	Project []Expr // nil when absent; *Star-less column names
	Smart   bool
	// ProjectTypes has the declared type of each Project column
	// (types.Unknown when none); PackAll is a trailing pack_all().
	ProjectTypes []types.Kind
	PackAll      bool
}

// Print is `print [Name =] expr, ...` (a pipe source).
type Print struct {
	OpBase
	Items []*NamedExpr
}

// Range is `range Col from A to B step S` (a pipe source).
type Range struct {
	OpBase
	Column         *Ident
	From, To, Step Expr
}

// Source wraps a source expression used as the first element of a pipe when it
// is a datatable or externaldata (so that Pipe.Source stays nil for source ops).
// Prefer Pipe.Source for ordinary table references.

// Consume is `consume`.
type Consume struct {
	OpBase
	Options []*Option
}

// Reduce is `reduce [kind=source] by X [with threshold=..., characters=...]`.
type Reduce struct {
	OpBase
	Options []*Option
	By      Expr
	With    []*Option
}

// Generic keeps rare operators (graph-merge, project-by-names) as raw text
// so that queries using them still parse; the checker reports the ones it
// does not know as unsupported.
type Generic struct {
	OpBase
	Name string // operator keyword
	Text string // raw text of the operator's arguments
}

func (*Where) opNode()          {}
func (*Project) opNode()        {}
func (*ProjectAway) opNode()    {}
func (*ProjectKeep) opNode()    {}
func (*ProjectRename) opNode()  {}
func (*ProjectReorder) opNode() {}
func (*Extend) opNode()         {}
func (*Summarize) opNode()      {}
func (*Count) opNode()          {}
func (*Take) opNode()           {}
func (*Top) opNode()            {}
func (*Sort) opNode()           {}
func (*Distinct) opNode()       {}
func (*Join) opNode()           {}
func (*Lookup) opNode()         {}
func (*Union) opNode()          {}
func (*MvExpand) opNode()       {}
func (*MvApply) opNode()        {}
func (*Parse) opNode()          {}
func (*ParseKV) opNode()        {}
func (*MakeSeries) opNode()     {}
func (*Render) opNode()         {}
func (*Evaluate) opNode()       {}
func (*Invoke) opNode()         {}
func (*As) opNode()             {}
func (*Serialize) opNode()      {}
func (*Scan) opNode()           {}
func (*Sample) opNode()         {}
func (*SampleDistinct) opNode() {}
func (*GetSchema) opNode()      {}
func (*Facet) opNode()          {}
func (*Fork) opNode()           {}
func (*Partition) opNode()      {}
func (*TopNested) opNode()      {}
func (*TopHitters) opNode()     {}
func (*Search) opNode()         {}
func (*Find) opNode()           {}
func (*Print) opNode()          {}
func (*Range) opNode()          {}
func (*Consume) opNode()        {}
func (*Reduce) opNode()         {}
func (*Generic) opNode()        {}

func (*Where) OpName() string          { return "where" }
func (*Project) OpName() string        { return "project" }
func (*ProjectAway) OpName() string    { return "project-away" }
func (*ProjectKeep) OpName() string    { return "project-keep" }
func (*ProjectRename) OpName() string  { return "project-rename" }
func (*ProjectReorder) OpName() string { return "project-reorder" }
func (*Extend) OpName() string         { return "extend" }
func (*Summarize) OpName() string      { return "summarize" }
func (*Count) OpName() string          { return "count" }
func (*Take) OpName() string           { return "take" }
func (*Top) OpName() string            { return "top" }
func (*Sort) OpName() string           { return "sort" }
func (*Distinct) OpName() string       { return "distinct" }
func (*Join) OpName() string           { return "join" }
func (*Lookup) OpName() string         { return "lookup" }
func (*Union) OpName() string          { return "union" }
func (*MvExpand) OpName() string       { return "mv-expand" }
func (*MvApply) OpName() string        { return "mv-apply" }
func (p *Parse) OpName() string {
	if p.Where {
		return "parse-where"
	}
	return "parse"
}
func (*ParseKV) OpName() string        { return "parse-kv" }
func (*MakeSeries) OpName() string     { return "make-series" }
func (*Render) OpName() string         { return "render" }
func (*Evaluate) OpName() string       { return "evaluate" }
func (*Invoke) OpName() string         { return "invoke" }
func (*As) OpName() string             { return "as" }
func (*Serialize) OpName() string      { return "serialize" }
func (*Scan) OpName() string           { return "scan" }
func (*Sample) OpName() string         { return "sample" }
func (*SampleDistinct) OpName() string { return "sample-distinct" }
func (*GetSchema) OpName() string      { return "getschema" }
func (*Facet) OpName() string          { return "facet" }
func (*Fork) OpName() string           { return "fork" }
func (*Partition) OpName() string      { return "partition" }
func (*TopNested) OpName() string      { return "top-nested" }
func (*TopHitters) OpName() string     { return "top-hitters" }
func (*Search) OpName() string         { return "search" }
func (*Find) OpName() string           { return "find" }
func (*Print) OpName() string          { return "print" }
func (*Range) OpName() string          { return "range" }
func (*Consume) OpName() string        { return "consume" }
func (*Reduce) OpName() string         { return "reduce" }
func (g *Generic) OpName() string      { return g.Name }
