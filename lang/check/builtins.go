package check

import (
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Sentinel and Defender built-in tabular functions that published hunting
// queries call. They are declared here with their documented output
// schemas so that `check` accepts queries using them; the engine reads
// watchlists from local CSV files (--watchlist NAME=FILE) and reports the
// others as not available locally.

// WatchlistColumns are the columns every Sentinel watchlist row carries
// besides the watchlist's own columns (Microsoft Sentinel documentation,
// "Build queries or rules with watchlists").
var WatchlistColumns = []types.Column{
	{Name: "_DTItemId", Type: types.String},
	{Name: "LastUpdatedTimeUTC", Type: types.DateTime},
	{Name: "SearchKey", Type: types.String},
	{Name: "WatchlistItem", Type: types.Dynamic},
}

// WatchlistSchema returns the schema of _GetWatchlist(alias) for a
// watchlist whose own columns are cols: the standard columns followed by
// cols (a column of cols with a standard name replaces it).
func WatchlistSchema(cols []types.Column) *types.Schema {
	s := &types.Schema{}
	own := map[string]bool{}
	for _, c := range cols {
		own[c.Name] = true
	}
	for _, c := range WatchlistColumns {
		if !own[c.Name] {
			s.Columns = append(s.Columns, c)
		}
	}
	s.Columns = append(s.Columns, cols...)
	return s
}

// tabularBuiltins are the built-in functions called like tables.
var tabularBuiltins = map[string]bool{
	"_getwatchlist":       true,
	"assignedipaddresses": true,
}

func isTabularBuiltin(name string) bool { return tabularBuiltins[strings.ToLower(name)] }

// builtinTabularCall types a call of a tabular built-in; ok is false when
// name is not one.
func (c *Checker) builtinTabularCall(e *ast.Call, name string, sc *Scope) (*types.Schema, bool) {
	switch strings.ToLower(name) {
	case "_getwatchlist":
		if len(e.Args) != 1 {
			c.Errorf(e, "bad-args", "_GetWatchlist() takes one argument: the watchlist alias")
			return nil, true
		}
		c.Scalar(e.Args[0], nil, sc)
		alias, isConst := e.Args[0].Info().Const.(string)
		if !isConst {
			if lit, ok := e.Args[0].(*ast.Literal); ok {
				alias, isConst = lit.Value.(string)
			}
		}
		if isConst && c.env.Watchlist != nil {
			if s, ok := c.env.Watchlist(alias); ok {
				return s, true
			}
		}
		// A watchlist's own columns are defined in the workspace, not in
		// the query: statically their names are unknown. The schema is
		// open, so a column the query names is accepted; it is typed
		// string, as every column of a watchlist uploaded from CSV is.
		s := WatchlistSchema(nil)
		s.Open = true
		s.OpenType = types.String
		return s, true
	case "assignedipaddresses":
		if len(e.Args) > 2 {
			c.Errorf(e, "bad-args", "AssignedIPAddresses() takes (device name or id[, timestamp])")
		}
		for _, a := range e.Args {
			c.Scalar(a, nil, sc)
		}
		return &types.Schema{Columns: []types.Column{
			{Name: "Timestamp", Type: types.DateTime},
			{Name: "IPAddress", Type: types.String},
			{Name: "IPType", Type: types.String},
			{Name: "NetworkAdapterType", Type: types.Int},
			{Name: "ConnectedNetworks", Type: types.Int},
		}}, true
	}
	return nil, false
}

// invokeBuiltins are Defender XDR functions used with `invoke`: each
// appends its documented columns to the input rows.
var invokeBuiltins = map[string][]types.Column{
	"fileprofile": {
		{Name: "SHA1", Type: types.String},
		{Name: "SHA256", Type: types.String},
		{Name: "MD5", Type: types.String},
		{Name: "FileSize", Type: types.Long},
		{Name: "GlobalPrevalence", Type: types.Long},
		{Name: "GlobalFirstSeen", Type: types.DateTime},
		{Name: "GlobalLastSeen", Type: types.DateTime},
		{Name: "Signer", Type: types.String},
		{Name: "Issuer", Type: types.String},
		{Name: "SignerHash", Type: types.String},
		{Name: "IsCertificateValid", Type: types.Bool},
		{Name: "IsRootSignerMicrosoft", Type: types.Bool},
		{Name: "SignatureState", Type: types.String},
		{Name: "IsExecutable", Type: types.Bool},
		{Name: "ThreatName", Type: types.String},
		{Name: "Publisher", Type: types.String},
		{Name: "SoftwareName", Type: types.String},
		{Name: "ProfileAvailability", Type: types.String},
	},
	"devicefromip": {
		{Name: "IP", Type: types.String},
		{Name: "DeviceId", Type: types.String},
	},
	"seenby": {
		{Name: "DeviceId", Type: types.String},
		{Name: "SeenBy", Type: types.Dynamic},
	},
}

// InvokeInput is the Ref of the placeholder argument that stands for the
// input rows of `T | invoke f(args)`: the first (tabular) parameter of f
// is bound to it.
type InvokeInput struct{ Op *ast.Invoke }

// InvokeBuiltin is the Out().Ref of an invoke of a Defender built-in.
type InvokeBuiltin struct{ Name string }

// InvokeCall is the Out().Ref of `invoke f(args)` for a let-defined f:
// the checked inline copy of f, whose first parameter is bound to Input
// (an identifier with Ref *InvokeInput standing for the input rows).
type InvokeCall struct {
	Inline *Inline
	Input  *ast.Ident
}

func init() {
	RegisterOp("invoke", checkInvoke)
	RegisterOp("search", checkSearch)
}

func checkInvoke(c *Checker, op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
	inv := op.(*ast.Invoke)
	if inv.Call == nil || inv.Call.Name == nil {
		c.Errorf(op, "bad-invoke", "invoke needs a function call")
		return &types.Schema{Open: true}
	}
	name := inv.Call.Name.Name
	if b := sc.lookup(name); b != nil && b.fn != nil {
		def := b.fn
		if len(def.Params) == 0 || def.Params[0].Type == nil || !def.Params[0].Type.Tabular {
			c.Errorf(inv.Call, "bad-invoke", "invoke needs a function whose first parameter is a table; %s() has none", name)
			return &types.Schema{Open: true}
		}
		ph := &ast.Ident{Pos: inv.Pos, Name: def.Params[0].Name.Name}
		ph.Info().Schema = in
		ph.Info().Ref = &InvokeInput{Op: inv}
		call := &ast.Call{Pos: inv.Call.Pos, Name: inv.Call.Name, Args: append([]ast.Expr{ph}, inv.Call.Args...)}
		prev, prevS := c.invokeArg, c.invokeSchema
		c.invokeArg, c.invokeSchema = ph, in
		inl, sch, _ := c.inlineCall(call, b, nil, sc)
		c.invokeArg, c.invokeSchema = prev, prevS
		inv.Call.Info().Ref = inl
		inv.Out().Ref = &InvokeCall{Inline: inl, Input: ph}
		if sch == nil {
			c.Errorf(inv.Call, "scalar-as-table", "%s() returns a scalar value, not a table", name)
			return &types.Schema{Open: true}
		}
		return sch
	}
	cols, ok := invokeBuiltins[strings.ToLower(name)]
	if !ok {
		var cands []string
		for _, n := range sc.allNames() {
			if b := sc.lookup(n); b != nil && b.fn != nil {
				cands = append(cands, n)
			}
		}
		cands = append(cands, "FileProfile", "DeviceFromIP", "SeenBy")
		c.ErrorHint(inv.Call.Name, "unknown-function", suggest(name, cands), "unknown function %s", name)
		return &types.Schema{Open: true}
	}
	for _, a := range inv.Call.Args {
		c.Scalar(a, in, sc)
	}
	inv.Out().Ref = &InvokeBuiltin{Name: name}
	out := &types.Schema{Columns: append([]types.Column(nil), in.Columns...), Open: in.Open, OpenType: in.OpenType}
	for _, col := range cols {
		if out.Index(col.Name) < 0 {
			out.Columns = append(out.Columns, col)
		}
	}
	return out
}

// ColumnIfExists is the Ref of a column_ifexists(name, default) call: the
// column's name when the row has it, else Exists is false and the call is
// the default argument.
type ColumnIfExists struct {
	Name   string
	Exists bool
}

// columnIfExists types column_ifexists('name', default): the column's type
// when the row has a column of that name, else the default's type.
func (c *Checker) columnIfExists(e *ast.Call, x *exprCtx) types.Kind {
	if len(e.Args) != 2 {
		c.Errorf(e, "bad-args", "column_ifexists() takes (column name, default value)")
		for _, a := range e.Args {
			c.expr(a, x)
		}
		return types.Unknown
	}
	c.expr(e.Args[0], x)
	name, ok := e.Args[0].Info().Const.(string)
	if !ok {
		c.Errorf(e.Args[0], "not-constant", "column_ifexists() needs the column name as a constant string")
	}
	kd := c.expr(e.Args[1], x)
	if ok && x.row != nil {
		if i := x.row.Index(name); i >= 0 {
			e.Info().Ref = &ColumnIfExists{Name: name, Exists: true}
			return x.row.Columns[i].Type
		}
	}
	e.Info().Ref = &ColumnIfExists{Name: name}
	return kd
}
