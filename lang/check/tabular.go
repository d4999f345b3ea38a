package check

import (
	"github.com/kqlhunt/kqlhunt/lang"
	"regexp"
	"strings"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Tabular checks a tabular expression and returns its schema (never nil;
// an open schema on error).
func (c *Checker) Tabular(e ast.Expr, sc *Scope) *types.Schema {
	s := c.tabular(e, sc)
	if s == nil {
		s = &types.Schema{Open: true}
	}
	e.Info().Schema = s
	return s
}

func (c *Checker) tabular(e ast.Expr, sc *Scope) *types.Schema {
	switch e := e.(type) {
	case *ast.Paren:
		return c.Tabular(e.X, sc)
	case *ast.Pipe:
		var in *types.Schema
		if e.Source != nil {
			in = c.Tabular(e.Source, sc)
		}
		return c.Pipe(in, e.Ops, sc)
	case *ast.Ident:
		return c.tableName(e, sc)
	case *ast.Datatable:
		return c.datatable(e, sc)
	case *ast.Call:
		return c.tabularCall(e, sc)
	case *ast.Member:
		if call, ok := e.X.(*ast.Call); ok && e.Name != nil {
			if sch, ok := c.patternCall(call, e.Name, sc); ok { // pattern.go
				return sch
			}
		}
		if _, ok := e.X.(*ast.Call); ok && e.Name != nil {
			// database("x").T, cluster(..).database(..).T
			id := e.Name
			return c.tableName(id, sc)
		}
	case *ast.Wildcard:
		c.Errorf(e, "bad-wildcard", "table wildcards are only allowed in union")
		return nil
	case *ast.ExternalData:
		return declsSchema(e.Columns)
	}
	c.Errorf(e, "not-tabular", "expected a tabular expression")
	return nil
}

func declsSchema(cols []*ast.ColumnDecl) *types.Schema {
	s := &types.Schema{}
	for _, cd := range cols {
		s.Columns = append(s.Columns, types.Column{Name: cd.Name.Name, Type: cd.Type})
	}
	return s
}

func (c *Checker) tableName(e *ast.Ident, sc *Scope) *types.Schema {
	if b := sc.lookup(e.Name); b != nil {
		switch {
		case b.tabular && b.param != nil:
			e.Info().Ref = &ParamRef{Param: b.param, Arg: b.arg}
			return b.schema
		case b.tabular && b.asOp != nil:
			e.Info().Ref = &AsRef{Op: b.asOp}
			return b.schema
		case b.tabular && b.let != nil:
			e.Info().Ref = &LetRef{Stmt: b.let}
			return b.schema
		case b.fn != nil && zeroArgFn(b.fn):
			call := &ast.Call{Pos: e.Pos, Name: e}
			inl, sch, _ := c.inlineCall(call, b, nil, sc)
			e.Info().Ref = inl
			return sch
		case b.fn != nil:
			c.Errorf(e, "function-as-table", "%s is a function; call it as %s(...)", e.Name, e.Name)
			return nil
		default:
			c.Errorf(e, "scalar-as-table", "%s is a scalar value, not a table", e.Name)
			return nil
		}
	}
	if s, ok := c.env.Tables.Table(e.Name); ok {
		e.Info().Ref = &TableRef{Name: e.Name}
		return s
	}
	var cands []string
	cands = append(cands, c.env.Tables.Names()...)
	for _, n := range sc.allNames() {
		if b := sc.lookup(n); b != nil && b.tabular {
			cands = append(cands, n)
		}
	}
	c.ErrorHint(e, "unknown-table", suggest(e.Name, cands), "unknown table %s", e.Name)
	return nil
}

func (c *Checker) tabularCall(e *ast.Call, sc *Scope) *types.Schema {
	if sch, ok := c.patternCall(e, nil, sc); ok { // pattern.go
		return sch
	}
	name := ""
	if e.Name != nil {
		name = e.Name.Name
	}
	if b := sc.lookup(name); b != nil && b.fn != nil {
		_, sch, _ := c.inlineCall(e, b, nil, sc)
		if sch == nil {
			c.Errorf(e, "scalar-as-table", "%s() returns a scalar value, not a table", name)
		}
		return sch
	}
	switch strings.ToLower(name) {
	case "materialize":
		if len(e.Args) != 1 {
			c.Errorf(e, "bad-args", "materialize() takes one tabular argument")
			return nil
		}
		return c.Tabular(e.Args[0], sc)
	case "table", "view":
		if len(e.Args) < 1 {
			c.Errorf(e, "bad-args", "table() takes a table name")
			return nil
		}
		s, isStr := "", false
		if lit, ok := e.Args[0].(*ast.Literal); ok {
			s, isStr = lit.Value.(string)
		} else {
			// a constant expression: a let-bound string or a function
			// parameter bound to one (`let f = (t: string) { table(t) }; f("T")`)
			c.Scalar(e.Args[0], nil, sc)
			s, isStr = e.Args[0].Info().Const.(string)
		}
		if !isStr {
			c.Errorf(e.Args[0], "not-constant", "table() needs a constant string")
			return nil
		}
		id := &ast.Ident{Pos: ast.Pos{Sp: e.Args[0].Span()}, Name: s}
		sch := c.tableName(id, sc)
		e.Info().Ref = id.Info().Ref
		return sch
	}
	if sch, ok := c.builtinTabularCall(e, name, sc); ok {
		return sch
	}
	c.Errorf(e, "not-tabular", "%s() is not a tabular function", name)
	return nil
}

func (c *Checker) datatable(e *ast.Datatable, sc *Scope) *types.Schema {
	s := declsSchema(e.Columns)
	n := len(e.Columns)
	for i, v := range e.Values {
		k := c.Scalar(v, nil, sc)
		if n == 0 {
			continue
		}
		want := e.Columns[i%n].Type
		if k != want && k != types.Unknown && k != types.Null && !(want.IsNumeric() && k.IsNumeric()) && want != types.Dynamic {
			c.Errorf(v, "bad-types", "datatable column %s is %s, got a %s value", e.Columns[i%n].Name.Name, want, k)
		}
	}
	if n > 0 && len(e.Values)%n != 0 {
		c.Errorf(e, "datatable-shape", "datatable has %d values, not a multiple of its %d columns", len(e.Values), n)
	}
	return s
}

// Pipe checks operators applied to an input of schema in (nil for a pipe
// that starts with a source operator) and returns the output schema.
func (c *Checker) Pipe(in *types.Schema, ops []ast.Op, sc *Scope) *types.Schema {
	for _, op := range ops {
		in = c.Op(op, in, sc)
		if in == nil {
			in = &types.Schema{Open: true}
		}
		op.Out().Schema = in
	}
	return in
}

// Op checks one operator.
func (c *Checker) Op(op ast.Op, in *types.Schema, sc *Scope) *types.Schema {
	if in == nil && !isSourceOp(op) {
		c.Errorf(op, "no-input", "%s needs an input table", op.OpName())
		in = &types.Schema{Open: true}
	}
	if f := opChecker(op.OpName()); f != nil {
		return f(c, op, in, sc)
	}
	switch op := op.(type) {
	case *ast.Where:
		k := c.Scalar(op.Pred, in, sc)
		if k != types.Bool && k != types.Unknown && k != types.Null && k != types.Dynamic {
			c.Errorf(op.Pred, "not-bool", "where needs a bool predicate, got %s", k)
		}
		return in
	case *ast.Project:
		return c.projectOp(op, op.Items, in, sc, nil, "project")
	case *ast.Extend:
		return c.projectOp(op, op.Items, in, sc, in, "extend")
	case *ast.Serialize:
		return c.projectOp(op, op.Items, in, sc, in, "serialize")
	case *ast.ProjectAway:
		return c.projectAway(op, in)
	case *ast.ProjectKeep:
		return c.projectKeep(op, in)
	case *ast.ProjectRename:
		return c.projectRename(op, in)
	case *ast.ProjectReorder:
		return c.projectReorder(op, in)
	case *ast.Summarize:
		return c.summarize(op, in, sc)
	case *ast.Count:
		name := "Count"
		if op.As != nil {
			name = op.As.Name
		}
		return &types.Schema{Columns: []types.Column{{Name: name, Type: types.Long}}}
	case *ast.Take:
		c.count(op.N, sc)
		return in
	case *ast.Top:
		c.count(op.N, sc)
		c.sortKeys(op.By, in, sc)
		return in
	case *ast.Sort:
		c.sortKeys(op.Keys, in, sc)
		return in
	case *ast.Distinct:
		var items []*ast.NamedExpr
		for _, col := range op.Columns {
			if _, ok := col.(*ast.Star); ok {
				return in
			}
			items = append(items, &ast.NamedExpr{Pos: ast.Pos{Sp: col.Span()}, X: col})
		}
		return c.project(items, in, sc, nil, "distinct")
	case *ast.Union:
		return c.union(op, in, sc)
	case *ast.Print:
		out := &types.Schema{}
		nm := newNamer()
		var tuples TupleItems
		for i, it := range op.Items {
			k := c.Scalar(it.X, nil, sc)
			if ti := c.tupleItem(it, "print"); ti != nil {
				if tuples == nil {
					tuples = TupleItems{}
					op.Out().Ref = tuples
				}
				tuples[it] = ti
				for _, col := range ti.Columns {
					out.Columns = append(out.Columns, types.Column{Name: nm.take(col.Name), Type: col.Type})
				}
				continue
			}
			name := ""
			if len(it.Names) > 0 {
				name = it.Names[0].Name
			} else {
				name = "print_" + itoa(i)
			}
			out.Columns = append(out.Columns, types.Column{Name: nm.take(name), Type: k})
		}
		return out
	case *ast.Range:
		kf := c.Scalar(op.From, nil, sc)
		kt := c.Scalar(op.To, nil, sc)
		ks := c.Scalar(op.Step, nil, sc)
		k := types.Promote(kf, kt)
		if kf == types.DateTime || kt == types.DateTime {
			k = types.DateTime
			if ks != types.TimeSpan && ks != types.Unknown {
				c.Errorf(op.Step, "bad-types", "range over datetime needs a timespan step, got %s", ks)
			}
		} else if k == types.Int {
			k = types.Long
		}
		if k == types.Unknown {
			k = kf
		}
		return &types.Schema{Columns: []types.Column{{Name: op.Column.Name, Type: k}}}
	case *ast.GetSchema:
		return &types.Schema{Columns: []types.Column{
			{Name: "ColumnName", Type: types.String}, {Name: "ColumnOrdinal", Type: types.Int},
			{Name: "DataType", Type: types.String}, {Name: "ColumnType", Type: types.String},
		}}
	case *ast.As:
		if op.Name != nil {
			sc.set(op.Name.Name, &binding{tabular: true, schema: in, asOp: op})
		}
		return in
	case *ast.Consume:
		return in
	case *ast.Generic:
		if op.Name == "project-by-names" {
			return projectByNames(op, in)
		}
	}
	c.Errorf(op, "unsupported-operator", "operator %s is not supported yet", op.OpName())
	return &types.Schema{Open: true}
}

var quotedRE = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'`)

// projectByNames keeps the columns named by string literals (with
// wildcards), in the order given: `project-by-names "A", "B*"`.
func projectByNames(op *ast.Generic, in *types.Schema) *types.Schema {
	out := &types.Schema{}
	used := map[int]bool{}
	for _, m := range quotedRE.FindAllStringSubmatch(op.Text, -1) {
		pat := m[1] + m[2]
		for i, col := range in.Columns {
			if !used[i] && WildcardMatch(pat, col.Name) {
				used[i] = true
				out.Columns = append(out.Columns, col)
			}
		}
	}
	return out
}

func isSourceOp(op ast.Op) bool {
	switch op.(type) {
	case *ast.Print, *ast.Range, *ast.Union, *ast.Evaluate, *ast.Find, *ast.Search:
		return true
	}
	return false
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for i > 0 {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
	}
	return string(b)
}

func (c *Checker) count(n ast.Expr, sc *Scope) {
	if n == nil {
		return
	}
	k := c.Scalar(n, nil, sc)
	if !k.IsNumeric() && k != types.Unknown {
		c.Errorf(n, "bad-types", "expected a number of rows, got %s", k)
	}
}

func (c *Checker) sortKeys(keys []*ast.SortKey, in *types.Schema, sc *Scope) {
	for _, k := range keys {
		c.Scalar(k.X, in, sc)
	}
}

// projectOp checks the items of op and records multi-value items
// (TupleItems) on op.Out().Ref.
func (c *Checker) projectOp(op ast.Op, items []*ast.NamedExpr, in *types.Schema, sc *Scope, base *types.Schema, opName string) *types.Schema {
	var tuples TupleItems
	out := c.projectTuples(items, in, sc, base, opName, &tuples)
	if tuples != nil {
		op.Out().Ref = tuples
	}
	return out
}

// project checks project/extend items. base is the input schema for extend
// (new columns are appended or replace same-named ones), nil for project.
func (c *Checker) project(items []*ast.NamedExpr, in *types.Schema, sc *Scope, base *types.Schema, opName string) *types.Schema {
	return c.projectTuples(items, in, sc, base, opName, nil)
}

func (c *Checker) projectTuples(items []*ast.NamedExpr, in *types.Schema, sc *Scope, base *types.Schema, opName string, tuples *TupleItems) *types.Schema {
	out := &types.Schema{Open: in.Open && base != nil, OpenType: in.OpenType}
	nm := newNamer()
	if base != nil {
		out.Columns = append(out.Columns, base.Columns...)
		for _, col := range base.Columns {
			nm.used[col.Name] = true
		}
	}
	row := in
	for _, it := range items {
		k := c.Scalar(it.X, row, sc)
		if tuples != nil {
			if ti := c.tupleItem(it, opName); ti != nil {
				if *tuples == nil {
					*tuples = TupleItems{}
				}
				(*tuples)[it] = ti
				for _, col := range ti.Columns {
					if base != nil {
						if i := out.Index(col.Name); i >= 0 {
							out.Columns[i].Type = col.Type
						} else {
							nm.used[col.Name] = true
							out.Columns = append(out.Columns, col)
						}
						continue
					}
					name := col.Name
					if nm.used[name] {
						c.Errorf(it, "duplicate-column", "column %s is produced twice by %s", name, opName)
						name = nm.take(name)
					} else {
						nm.used[name] = true
					}
					out.Columns = append(out.Columns, types.Column{Name: name, Type: col.Type})
				}
				if base != nil {
					row = out
				}
				continue
			}
		}
		names := make([]string, 0, 1)
		for _, n := range it.Names {
			names = append(names, n.Name)
		}
		if len(names) > 1 {
			c.Errorf(it, "bad-names", "%s cannot assign one value to %d names", opName, len(names))
			names = names[:1]
		}
		name := ""
		if len(names) == 1 {
			name = names[0]
		} else {
			name = ExprName(it.X)
		}
		if base != nil {
			if name == "" {
				name = nm.column()
			}
			if i := out.Index(name); i >= 0 {
				out.Columns[i].Type = k
			} else {
				nm.used[name] = true
				out.Columns = append(out.Columns, types.Column{Name: name, Type: k})
			}
			// later extend items see earlier ones
			row = out
			continue
		}
		if name == "" {
			name = nm.column()
		} else if nm.used[name] {
			if len(it.Names) > 0 || opName != "distinct" {
				c.Errorf(it, "duplicate-column", "column %s is produced twice by %s", name, opName)
			}
			name = nm.take(name)
		} else {
			nm.used[name] = true
		}
		out.Columns = append(out.Columns, types.Column{Name: name, Type: k})
	}
	return out
}

// MatchColumns returns the indexes of the columns of in that e (an *Ident
// or *Wildcard) names; it reports unknown names.
func (c *Checker) MatchColumns(e ast.Expr, in *types.Schema) []int {
	switch e := e.(type) {
	case *ast.Ident:
		if i := in.Index(e.Name); i >= 0 {
			e.Info().Ref = &ColumnRef{Name: e.Name}
			e.Info().Type = in.Columns[i].Type
			return []int{i}
		}
		if !in.Open {
			c.ErrorHint(e, "unknown-column", suggest(e.Name, in.Names()), "unknown column %s", e.Name)
		}
		return nil
	case *ast.Wildcard:
		var out []int
		for i, col := range in.Columns {
			if WildcardMatch(e.Pattern, col.Name) {
				out = append(out, i)
			}
		}
		return out
	case *ast.Star:
		out := make([]int, len(in.Columns))
		for i := range out {
			out[i] = i
		}
		return out
	}
	c.Errorf(e, "bad-column", "expected a column name or wildcard")
	return nil
}

// WildcardMatch matches Kusto name patterns with '*'.
func WildcardMatch(p, s string) bool {
	parts := strings.Split(p, "*")
	if len(parts) == 1 {
		return p == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, part := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(s, part)
		}
		j := strings.Index(s, part)
		if j < 0 {
			return false
		}
		s = s[j+len(part):]
	}
	return true
}

func (c *Checker) projectAway(op *ast.ProjectAway, in *types.Schema) *types.Schema {
	drop := map[int]bool{}
	for _, e := range op.Columns {
		for _, i := range c.MatchColumns(e, in) {
			drop[i] = true
		}
	}
	out := &types.Schema{Open: in.Open, OpenType: in.OpenType}
	for i, col := range in.Columns {
		if !drop[i] {
			out.Columns = append(out.Columns, col)
		}
	}
	return out
}

func (c *Checker) projectKeep(op *ast.ProjectKeep, in *types.Schema) *types.Schema {
	keep := map[int]bool{}
	for _, e := range op.Columns {
		for _, i := range c.MatchColumns(e, in) {
			keep[i] = true
		}
	}
	out := &types.Schema{}
	for i, col := range in.Columns {
		if keep[i] {
			out.Columns = append(out.Columns, col)
		}
	}
	return out
}

func (c *Checker) projectRename(op *ast.ProjectRename, in *types.Schema) *types.Schema {
	out := &types.Schema{Open: in.Open, OpenType: in.OpenType, Columns: append([]types.Column(nil), in.Columns...)}
	for _, it := range op.Items {
		if len(it.Names) != 1 {
			c.Errorf(it, "bad-names", "project-rename needs NewName = OldName")
			continue
		}
		id, ok := it.X.(*ast.Ident)
		if !ok {
			c.Errorf(it.X, "bad-column", "project-rename needs a column name")
			continue
		}
		idx := c.MatchColumns(id, in)
		if len(idx) == 1 {
			out.Columns[idx[0]].Name = it.Names[0].Name
		}
	}
	return out
}

func (c *Checker) projectReorder(op *ast.ProjectReorder, in *types.Schema) *types.Schema {
	used := map[int]bool{}
	out := &types.Schema{Open: in.Open, OpenType: in.OpenType}
	for _, k := range op.Keys {
		idx := c.MatchColumns(k.X, in)
		var fresh []int
		for _, i := range idx {
			if !used[i] {
				fresh = append(fresh, i)
			}
		}
		if k.Order != "" && len(fresh) > 1 {
			sortIdx(fresh, in, k.Order == "desc")
		}
		for _, i := range fresh {
			used[i] = true
			out.Columns = append(out.Columns, in.Columns[i])
		}
	}
	for i, col := range in.Columns {
		if !used[i] {
			out.Columns = append(out.Columns, col)
		}
	}
	return out
}

func sortIdx(idx []int, in *types.Schema, desc bool) {
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0; j-- {
			a, b := in.Columns[idx[j-1]].Name, in.Columns[idx[j]].Name
			if (!desc && a > b) || (desc && a < b) {
				idx[j-1], idx[j] = idx[j], idx[j-1]
			}
		}
	}
}

// UnionInfo is the Ref recorded on a union operator: the tables it reads
// (after expanding wildcards), in order.
type UnionInfo struct {
	Tables []ast.Expr // each checked; Info().Schema holds its schema
	Source string     // withsource column name, "" if none
}

func (c *Checker) union(op *ast.Union, in *types.Schema, sc *Scope) *types.Schema {
	info := &UnionInfo{}
	var schemas []*types.Schema
	var names []string
	if in != nil && !(in.Open && len(in.Columns) == 0 && len(op.Tables) > 0 && isPipeStart(op)) {
		schemas = append(schemas, in)
		names = append(names, "")
	}
	kind := "outer"
	fuzzy := false
	for _, o := range op.Options {
		switch strings.ToLower(o.Name) {
		case "kind":
			kind = strings.ToLower(optText(o.Value))
		case "withsource":
			info.Source = optText(o.Value)
		case "isfuzzy":
			fuzzy = strings.EqualFold(optText(o.Value), "true")
		}
	}
	for _, t := range op.Tables {
		if w, ok := t.(*ast.Wildcard); ok {
			matched := 0
			for _, n := range c.env.Tables.Names() {
				if WildcardMatch(w.Pattern, n) {
					id := &ast.Ident{Pos: w.Pos, Name: n}
					schemas = append(schemas, c.Tabular(id, sc))
					names = append(names, n)
					info.Tables = append(info.Tables, id)
					matched++
				}
			}
			_ = matched
			continue
		}
		before := len(c.diags)
		s := c.Tabular(t, sc)
		if fuzzy && hasCode(c.diags[before:], "unknown-table") {
			// isfuzzy=true: a leg whose table cannot be resolved is left
			// out (other mistakes in a leg are still errors)
			c.diags = c.diags[:before]
			continue
		}
		schemas = append(schemas, s)
		info.Tables = append(info.Tables, t)
		names = append(names, UnionTableName(t))
	}
	op.Out().Ref = info
	return UnionSchema(schemas, kind, info.Source)
}

func isPipeStart(op *ast.Union) bool { return false }

// UnionTableName is the withsource value of a union leg: the table name, or
// the name given by a final `as` operator.
func UnionTableName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.Paren:
		return UnionTableName(e.X)
	case *ast.Pipe:
		if len(e.Ops) > 0 {
			if as, ok := e.Ops[len(e.Ops)-1].(*ast.As); ok && as.Name != nil {
				return as.Name.Name
			}
		}
		if len(e.Ops) == 0 && e.Source != nil {
			return UnionTableName(e.Source)
		}
	case *ast.Call:
		if len(e.Args) == 1 {
			if lit, ok := e.Args[0].(*ast.Literal); ok {
				if s, ok := lit.Value.(string); ok {
					return s
				}
			}
		}
	}
	return ""
}

func optText(e ast.Expr) string {
	switch v := e.(type) {
	case *ast.Ident:
		return v.Name
	case *ast.Literal:
		if s, ok := v.Value.(string); ok {
			return s
		}
		return v.Raw
	}
	return ""
}

// UnionSchema computes the schema of a union of schemas: kind "outer"
// keeps every column (same name, different types → name_type), "inner"
// only columns common to all.
func UnionSchema(schemas []*types.Schema, kind, source string) *types.Schema {
	out := &types.Schema{}
	if source != "" {
		out.Columns = append(out.Columns, types.Column{Name: source, Type: types.String})
	}
	type key struct {
		name string
		k    types.Kind
	}
	var order []key
	seen := map[key]bool{}
	kinds := map[string]map[types.Kind]bool{}
	count := map[key]int{}
	for _, s := range schemas {
		for _, col := range s.Columns {
			k := key{col.Name, col.Type}
			count[k]++
			if !seen[k] {
				seen[k] = true
				order = append(order, k)
				if kinds[col.Name] == nil {
					kinds[col.Name] = map[types.Kind]bool{}
				}
				kinds[col.Name][col.Type] = true
			}
		}
	}
	for _, k := range order {
		if kind == "inner" && count[k] < len(schemas) {
			continue
		}
		name := k.name
		if len(kinds[k.name]) > 1 {
			name = k.name + "_" + k.k.String()
		}
		out.Columns = append(out.Columns, types.Column{Name: name, Type: k.k})
	}
	for _, s := range schemas {
		if s.Open {
			out.Open = true
		}
	}
	return out
}

func hasCode(l lang.List, code string) bool {
	for _, d := range l {
		if d.Code == code {
			return true
		}
	}
	return false
}
