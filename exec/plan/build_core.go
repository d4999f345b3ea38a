package plan

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/expr"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	RegisterOp("where", buildWhere)
	RegisterOp("project", buildProject)
	RegisterOp("extend", buildExtend)
	RegisterOp("serialize", buildExtend)
	RegisterOp("project-away", buildSelectByName)
	RegisterOp("project-keep", buildSelectByName)
	RegisterOp("project-reorder", buildSelectByName)
	RegisterOp("project-by-names", buildSelectByName)
	RegisterOp("project-rename", buildRename)
	RegisterOp("summarize", buildSummarize)
	RegisterOp("distinct", buildDistinct)
	RegisterOp("count", buildCount)
	RegisterOp("take", buildTake)
	RegisterOp("top", buildTop)
	RegisterOp("sort", buildSort)
	RegisterOp("union", buildUnion)
	RegisterOp("print", buildPrint)
	RegisterOp("range", buildRange)
	RegisterOp("getschema", buildGetSchema)
	RegisterOp("as", buildAs)
	RegisterOp("render", passThrough)
}

func passThrough(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) { return in, nil }

// buildAs materializes its input so that later references to the name
// (check.AsRef) read the same rows.
func buildAs(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	as := op.(*ast.As)
	var ctx context.Context = b.Ctx().Context
	if ctx == nil {
		ctx = context.Background()
	}
	recs, err := ops.Drain(ctx, in)
	in.Close()
	if err != nil {
		return nil, err
	}
	m := &materialized{schema: in.Schema(), recs: recs}
	b.mu.Lock()
	b.asMemo[as] = m
	b.mu.Unlock()
	return ops.NewRecordsSource(m.schema, m.recs), nil
}

func buildWhere(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	w := op.(*ast.Where)
	ev, err := b.Compile(w.Pred, in.Schema())
	if err != nil {
		return nil, err
	}
	if v, ok := expr.IsConst(ev); ok {
		if bv, _ := v.(bool); bv {
			return in, nil
		}
	}
	return ops.NewFilter(b.Ctx(), in, ev), nil
}

func buildProject(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	p := op.(*ast.Project)
	schema := OutSchema(op)
	cols := make([]ops.ColSpec, 0, len(p.Items))
	for _, it := range p.Items {
		if ti := tupleOf(op, it); ti != nil {
			ev, err := b.Compile(it.X, in.Schema())
			if err != nil {
				return nil, err
			}
			for j, tev := range tupleEvals(ev, ti) {
				cols = append(cols, ops.ColSpec{Input: -1, Eval: tev, Kind: ti.Columns[j].Type})
			}
			continue
		}
		spec, err := b.colSpec(it.X, in.Schema())
		if err != nil {
			return nil, err
		}
		cols = append(cols, spec)
	}
	return ops.NewProject(b.Ctx(), in, schema, cols), nil
}

// colSpec passes a plain column through or compiles an expression.
func (b *Builder) colSpec(e ast.Expr, in *arrow.Schema) (ops.ColSpec, error) {
	if id, ok := e.(*ast.Ident); ok {
		if _, isCol := id.Info().Ref.(*check.ColumnRef); isCol {
			if idx := in.FieldIndices(id.Name); len(idx) > 0 {
				return ops.ColSpec{Input: idx[0]}, nil
			}
		}
	}
	ev, err := b.Compile(e, in)
	if err != nil {
		return ops.ColSpec{}, err
	}
	return ops.ColSpec{Input: -1, Eval: ev, Kind: ev.Kind()}, nil
}

// buildExtend evaluates items in stages: an item that reads a column made
// by an earlier item of the same extend starts a new stage.
func buildExtend(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	var items []*ast.NamedExpr
	switch x := op.(type) {
	case *ast.Extend:
		items = x.Items
	case *ast.Serialize:
		items = x.Items
	}
	final := op.Out().Schema
	if len(items) == 0 {
		return in, nil
	}
	cur := in
	if hasWindowCall(items) {
		cur = ops.NewSingleBatch(b.Ctx(), in) // window functions see the whole serialized input
	}
	curSchema := kernels.KQLSchema(in.Schema())
	start := 0
	for start < len(items) {
		end := start
		made := map[string]bool{}
		for end < len(items) {
			if end > start && readsAny(items[end].X, made) {
				break
			}
			if ti := tupleOf(op, items[end]); ti != nil {
				for _, col := range ti.Columns {
					made[col.Name] = true
				}
			} else {
				made[itemName(items[end], curSchema, end)] = true
			}
			end++
		}
		stage, outSchema, err := b.extendStage(op, cur, curSchema, items[start:end], final, end == len(items))
		if err != nil {
			return nil, err
		}
		cur, curSchema = stage, outSchema
		start = end
	}
	return cur, nil
}

func itemName(it *ast.NamedExpr, in *types.Schema, i int) string {
	if len(it.Names) > 0 {
		return it.Names[0].Name
	}
	return check.ExprName(it.X)
}

func readsAny(e ast.Expr, names map[string]bool) bool {
	found := false
	check.Walk(e, func(n ast.Expr) bool {
		if id, ok := n.(*ast.Ident); ok {
			if r, ok := id.Info().Ref.(*check.ColumnRef); ok && names[r.Name] {
				found = true
			}
		}
		return !found
	})
	return found
}

func (b *Builder) extendStage(op ast.Op, in ops.Operator, inSchema *types.Schema, items []*ast.NamedExpr, final *types.Schema, last bool) (ops.Operator, *types.Schema, error) {
	out := &types.Schema{Columns: append([]types.Column(nil), inSchema.Columns...)}
	cols := make([]ops.ColSpec, len(out.Columns))
	for i := range cols {
		cols[i] = ops.ColSpec{Input: i}
	}
	col := 0
	for _, it := range items {
		ev, err := b.Compile(it.X, in.Schema())
		if err != nil {
			return nil, nil, err
		}
		if ti := tupleOf(op, it); ti != nil {
			for j, tev := range tupleEvals(ev, ti) {
				c := ti.Columns[j]
				spec := ops.ColSpec{Input: -1, Eval: tev, Kind: c.Type}
				if i := out.Index(c.Name); i >= 0 {
					out.Columns[i].Type = c.Type
					cols[i] = spec
				} else {
					out.Columns = append(out.Columns, c)
					cols = append(cols, spec)
				}
			}
			continue
		}
		name := ""
		if len(it.Names) > 0 {
			name = it.Names[0].Name
		} else {
			name = check.ExprName(it.X)
		}
		k := it.X.Info().Type
		if k == types.Unknown || k == types.Null {
			k = ev.Kind()
		}
		if name == "" {
			// numbered like the checker: find the first ColumnN of the final schema not in out
			for {
				col++
				n := fmt.Sprintf("Column%d", col)
				if out.Index(n) < 0 {
					name = n
					break
				}
			}
		}
		spec := ops.ColSpec{Input: -1, Eval: ev, Kind: k}
		if i := out.Index(name); i >= 0 {
			out.Columns[i].Type = k
			cols[i] = spec
		} else {
			out.Columns = append(out.Columns, types.Column{Name: name, Type: k})
			cols = append(cols, spec)
		}
	}
	if last && final != nil && len(final.Columns) == len(out.Columns) {
		for i := range out.Columns {
			if final.Columns[i].Type != types.Unknown {
				out.Columns[i].Type = final.Columns[i].Type
			}
			out.Columns[i].Name = final.Columns[i].Name
		}
	}
	for i := range out.Columns {
		if out.Columns[i].Type == types.Unknown || out.Columns[i].Type == types.Null {
			out.Columns[i].Type = types.String
		}
	}
	return ops.NewProject(b.Ctx(), in, kernels.Schema(out), cols), out, nil
}

// buildSelectByName maps output columns to input columns by name
// (project-away, project-keep, project-reorder).
func buildSelectByName(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	schema := OutSchema(op)
	cols := make([]ops.ColSpec, schema.NumFields())
	for i, f := range schema.Fields() {
		idx := in.Schema().FieldIndices(f.Name)
		if len(idx) == 0 {
			return nil, Errorf(op, "column %s not found", f.Name)
		}
		cols[i] = ops.ColSpec{Input: idx[0]}
	}
	return ops.NewProject(b.Ctx(), in, schema, cols), nil
}

func buildRename(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	schema := OutSchema(op)
	if schema.NumFields() != in.Schema().NumFields() {
		return nil, Errorf(op, "project-rename: schema mismatch")
	}
	cols := make([]ops.ColSpec, schema.NumFields())
	for i := range cols {
		cols[i] = ops.ColSpec{Input: i}
	}
	return ops.NewProject(b.Ctx(), in, schema, cols), nil
}

func buildCount(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	return ops.NewCount(b.Mem(), in, OutSchema(op)), nil
}

func (b *Builder) rowCount(e ast.Expr) (int64, error) {
	v, _, err := b.EvalConst(e)
	if err != nil {
		return 0, err
	}
	switch x := v.(type) {
	case int64:
		return x, nil
	case int32:
		return int64(x), nil
	case float64:
		return int64(x), nil
	case nil:
		return 0, nil
	}
	return 0, Errorf(e, "expected a number of rows")
}

func buildTake(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	n, err := b.rowCount(op.(*ast.Take).N)
	if err != nil {
		return nil, err
	}
	return ops.NewTake(in, n), nil
}

func (b *Builder) sortKeys(keys []*ast.SortKey, in *arrow.Schema) ([]ops.SortKey, error) {
	var out []ops.SortKey
	for _, k := range keys {
		ev, err := b.Compile(k.X, in)
		if err != nil {
			return nil, err
		}
		desc := strings.ToLower(k.Order) != "asc"
		nf := !desc // Kusto: asc → nulls first, desc → nulls last
		switch strings.ToLower(k.Nulls) {
		case "first":
			nf = true
		case "last":
			nf = false
		}
		out = append(out, ops.SortKey{Eval: ev, Desc: desc, NullsFirst: nf})
	}
	return out, nil
}

func buildSort(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	keys, err := b.sortKeys(op.(*ast.Sort).Keys, in.Schema())
	if err != nil {
		return nil, err
	}
	return ops.NewSort(b.Ctx(), in, keys, -1), nil
}

func buildTop(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	t := op.(*ast.Top)
	n, err := b.rowCount(t.N)
	if err != nil {
		return nil, err
	}
	keys, err := b.sortKeys(t.By, in.Schema())
	if err != nil {
		return nil, err
	}
	return ops.NewSort(b.Ctx(), in, keys, n), nil
}

func buildDistinct(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	d := op.(*ast.Distinct)
	schema := OutSchema(op)
	spec := ops.SummarizeSpec{Schema: schema}
	var exprs []ast.Expr
	for _, c := range d.Columns {
		if _, ok := c.(*ast.Star); ok {
			exprs = nil
			for i, f := range in.Schema().Fields() {
				spec.Keys = append(spec.Keys, colEval(i, kernels.KindOf(f)))
				spec.KeyKinds = append(spec.KeyKinds, kernels.KindOf(f))
			}
			return ops.NewSummarize(b.Ctx(), in, spec), nil
		}
		exprs = append(exprs, c)
	}
	for _, e := range exprs {
		ev, err := b.Compile(e, in.Schema())
		if err != nil {
			return nil, err
		}
		spec.Keys = append(spec.Keys, ev)
		spec.KeyKinds = append(spec.KeyKinds, ev.Kind())
	}
	return ops.NewSummarize(b.Ctx(), in, spec), nil
}

// colEval compiles a reference to input column i.
func colEval(i int, k types.Kind) expr.Evaluator { return &inputCol{idx: i, kind: k} }

type inputCol struct {
	idx  int
	kind types.Kind
}

func (c *inputCol) Kind() types.Kind { return c.kind }
func (c *inputCol) Eval(ctx *kernels.Ctx, rec arrow.Record) (kernels.Datum, error) {
	a := rec.Column(c.idx)
	a.Retain()
	return kernels.Datum{Array: a, Kind: c.kind}, nil
}

func buildSummarize(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	s := op.(*ast.Summarize)
	info, ok := s.Out().Ref.(*check.SummarizeInfo)
	if !ok {
		return nil, Errorf(op, "summarize was not checked")
	}
	inSchema := in.Schema()
	spec := ops.SummarizeSpec{}
	var fields []arrow.Field
	for _, k := range info.Keys {
		ev, f, err := b.groupKey(k, inSchema)
		if err != nil {
			return nil, err
		}
		spec.Keys = append(spec.Keys, ev)
		spec.KeyKinds = append(spec.KeyKinds, ev.Kind())
		fields = append(fields, f)
	}
	// raw aggregate columns: __agg<i>_<f>
	bound := map[ast.Expr]string{}
	for ai, ac := range info.Aggs {
		as, err := b.aggSpec(ac, inSchema)
		if err != nil {
			return nil, err
		}
		spec.Aggs = append(spec.Aggs, as)
		for f, k := range ac.Kinds {
			if k == types.Unknown || k == types.Null {
				k = types.Dynamic
			}
			name := fmt.Sprintf("__agg%d_%d", ai, f)
			fields = append(fields, kernels.Field(name, k))
		}
		bound[ac.Call] = fmt.Sprintf("__agg%d_0", ai)
	}
	spec.Schema = arrow.NewSchema(fields, nil)
	sum := ops.NewSummarize(b.Ctx(), in, spec)
	// final projection: keys, then outputs
	final := OutSchema(op)
	cols := make([]ops.ColSpec, 0, final.NumFields())
	for i := range info.Keys {
		cols = append(cols, ops.ColSpec{Input: i})
	}
	for _, o := range info.Outputs {
		if o.X == nil {
			name := fmt.Sprintf("__agg%d_%d", o.Agg, o.Field)
			idx := spec.Schema.FieldIndices(name)
			cols = append(cols, ops.ColSpec{Input: idx[0]})
			continue
		}
		ev, err := b.CompileBound(o.X, spec.Schema, bound)
		if err != nil {
			sum.Close()
			return nil, err
		}
		cols = append(cols, ops.ColSpec{Input: -1, Eval: ev, Kind: ev.Kind()})
	}
	return ops.NewProject(b.Ctx(), sum, final, cols), nil
}

func buildUnion(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	u := op.(*ast.Union)
	info, _ := u.Out().Ref.(*check.UnionInfo)
	schema := OutSchema(op)
	out := op.Out().Schema
	var inputs []ops.UnionInput
	closeAll := func() {
		for _, x := range inputs {
			x.Op.Close()
		}
	}
	srcCol := -1
	if info != nil && info.Source != "" {
		srcCol = 0
	}
	add := func(o ops.Operator, name string) {
		m := make([]int, schema.NumFields())
		ks := kernels.KQLSchema(o.Schema())
		for i, c := range out.Columns {
			m[i] = -1
			if i == srcCol {
				continue
			}
			for j, ic := range ks.Columns {
				if ic.Name == c.Name && (ic.Type == c.Type || c.Name != "") {
					if ic.Type == c.Type {
						m[i] = j
						break
					}
				}
				if ic.Name+"_"+ic.Type.String() == c.Name {
					m[i] = j
					break
				}
			}
			if m[i] < 0 {
				for j, ic := range ks.Columns {
					if ic.Name == c.Name {
						m[i] = j
						break
					}
				}
			}
		}
		inputs = append(inputs, ops.UnionInput{Op: o, Map: m, Source: name})
	}
	if in != nil {
		add(in, "")
	}
	if info != nil {
		for _, t := range info.Tables {
			o, err := b.Tabular(t)
			if err != nil {
				closeAll()
				return nil, err
			}
			add(o, check.UnionTableName(t))
		}
	}
	return ops.NewUnion(b.Ctx(), schema, inputs, srcCol), nil
}

func buildPrint(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	p := op.(*ast.Print)
	schema := OutSchema(op)
	empty := array.NewRecord(arrow.NewSchema(nil, nil), nil, 1)
	defer empty.Release()
	cols := make([]arrow.Array, len(schema.Fields()))
	release := func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}
	var evs []expr.Evaluator
	for _, it := range p.Items {
		ev, err := b.Compile(it.X, empty.Schema())
		if err != nil {
			release()
			return nil, err
		}
		if ti := tupleOf(op, it); ti != nil {
			evs = append(evs, tupleEvals(ev, ti)...)
			continue
		}
		evs = append(evs, ev)
	}
	if len(evs) != len(cols) {
		release()
		return nil, fmt.Errorf("print: %d values for %d columns", len(evs), len(cols))
	}
	for i, ev := range evs {
		d, err := ev.Eval(b.Ctx(), empty)
		if err != nil {
			release()
			return nil, err
		}
		k := kernels.KindOf(schema.Field(i))
		if k == types.Unknown || k == types.Null {
			k = d.Kind
		}
		a, err := ops.DatumArray(b.Mem(), d, 1, k)
		d.Release()
		if err != nil {
			release()
			return nil, err
		}
		cols[i] = a
	}
	fields := schema.Fields()
	for i := range fields {
		if !arrow.TypeEqual(fields[i].Type, cols[i].DataType()) {
			fields[i] = kernels.Field(fields[i].Name, kernels.KindOfArrow(cols[i].DataType()))
		}
	}
	schema = arrow.NewSchema(fields, nil)
	rec := array.NewRecord(schema, cols, 1)
	release()
	defer rec.Release()
	return ops.NewRecordsSource(schema, []arrow.Record{rec}), nil
}

func buildRange(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	r := op.(*ast.Range)
	from, _, err := b.EvalConst(r.From)
	if err != nil {
		return nil, err
	}
	to, _, err := b.EvalConst(r.To)
	if err != nil {
		return nil, err
	}
	step, _, err := b.EvalConst(r.Step)
	if err != nil {
		return nil, err
	}
	src, err := ops.NewRange(b.Mem(), OutSchema(op), from, to, step)
	if err != nil {
		return nil, Errorf(op, "%v", err)
	}
	if in != nil {
		in.Close()
	}
	return src, nil
}

func (b *Builder) datatable(d *ast.Datatable) (ops.Operator, error) {
	schema := kernels.Schema(d.Info().Schema)
	n := len(d.Columns)
	if n == 0 {
		return ops.NewRecordsSource(schema, nil), nil
	}
	rows := len(d.Values) / n
	vals := make([][]any, n)
	for i, v := range d.Values {
		if i >= rows*n {
			break
		}
		x, k, err := b.EvalConst(v)
		if err != nil {
			return nil, err
		}
		want := d.Columns[i%n].Type
		vals[i%n] = append(vals[i%n], convertConst(x, k, want))
	}
	cols := make([]arrow.Array, n)
	for i := range cols {
		a, err := expr.MakeArray(b.Mem(), d.Columns[i].Type, vals[i])
		if err != nil {
			for _, c := range cols[:i] {
				c.Release()
			}
			return nil, Errorf(d, "datatable column %s: %v", d.Columns[i].Name.Name, err)
		}
		cols[i] = a
	}
	rec := array.NewRecord(schema, cols, int64(rows))
	for _, c := range cols {
		c.Release()
	}
	defer rec.Release()
	return ops.NewRecordsSource(schema, []arrow.Record{rec}), nil
}

func convertConst(v any, from, to types.Kind) any {
	if v == nil {
		if to == types.String {
			return ""
		}
		return nil
	}
	switch to {
	case types.Real, types.Decimal:
		switch x := v.(type) {
		case int64:
			return float64(x)
		case int32:
			return float64(x)
		}
	case types.Long:
		if x, ok := v.(int32); ok {
			return int64(x)
		}
	case types.Int:
		if x, ok := v.(int64); ok {
			return int32(x)
		}
	case types.Dynamic:
		if from != types.Dynamic {
			return v
		}
	case types.String:
		if _, ok := v.(string); !ok {
			return types.FormatValue(from, v)
		}
	}
	return v
}

// dataTypeNames are getschema's DataType column (.NET type names).
var dataTypeNames = map[types.Kind]string{
	types.Bool: "System.Boolean", types.Int: "System.Int32", types.Long: "System.Int64",
	types.Real: "System.Double", types.Decimal: "System.Data.SqlTypes.SqlDecimal",
	types.String: "System.String", types.DateTime: "System.DateTime", types.TimeSpan: "System.TimeSpan",
	types.Guid: "System.Guid", types.Dynamic: "System.Object",
}

func buildGetSchema(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	schema := OutSchema(op)
	ks := kernels.KQLSchema(in.Schema())
	in.Close()
	var names, dts, cts []any
	var ords []any
	for i, c := range ks.Columns {
		names = append(names, c.Name)
		ords = append(ords, int32(i))
		dts = append(dts, dataTypeNames[c.Type])
		cts = append(cts, c.Type.String())
	}
	kinds := []types.Kind{types.String, types.Int, types.String, types.String}
	data := [][]any{names, ords, dts, cts}
	cols := make([]arrow.Array, 4)
	for i := range cols {
		a, err := expr.MakeArray(b.Mem(), kinds[i], data[i])
		if err != nil {
			return nil, err
		}
		cols[i] = a
	}
	rec := array.NewRecord(schema, cols, int64(len(names)))
	for _, c := range cols {
		c.Release()
	}
	defer rec.Release()
	return ops.NewRecordsSource(schema, []arrow.Record{rec}), nil
}

// aggSpec compiles one aggregate call of a summarize-like operator
// (summarize, the fused make-series and top-nested): its kernel by overload
// ID and its arguments against the input schema (`*` arguments dropped).
func (b *Builder) aggSpec(ac *check.AggCall, inSchema *arrow.Schema) (ops.AggSpec, error) {
	id := ac.Call.Info().Overload
	kern, err := kernels.Aggregate(id)
	if err != nil {
		return ops.AggSpec{}, Errorf(ac.Call, "aggregate %s() is not implemented yet (%s)", ac.Call.Name.Name, id)
	}
	as := ops.AggSpec{Kernel: kern, Result: ac.Call.Info().Type, Fields: ac.Kinds}
	for _, a := range ac.Args {
		if _, star := a.(*ast.Star); star {
			continue
		}
		ev, err := b.Compile(a, inSchema)
		if err != nil {
			return ops.AggSpec{}, err
		}
		as.Args = append(as.Args, ev)
		as.ArgKinds = append(as.ArgKinds, ev.Kind())
		c, _ := expr.IsConst(ev)
		as.Consts = append(as.Consts, c)
	}
	return as, nil
}

// groupKey compiles a group key of a summarize-like operator and gives its
// output field: the checker's type, else the compiled expression's, else
// string (a key of unknown type).
func (b *Builder) groupKey(k check.Key, inSchema *arrow.Schema) (expr.Evaluator, arrow.Field, error) {
	ev, err := b.Compile(k.X, inSchema)
	if err != nil {
		return nil, arrow.Field{}, err
	}
	kind := k.Type
	if kind == types.Unknown || kind == types.Null {
		kind = ev.Kind()
	}
	if kind == types.Unknown || kind == types.Null {
		kind = types.String
	}
	return ev, kernels.Field(k.Name, kind), nil
}
