package plan

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	RegisterOp("evaluate", buildEvaluate)
}

func buildEvaluate(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	ev := op.(*ast.Evaluate)
	if h := b.env.Plugins; h != nil && ev.Call != nil && ev.Call.Name != nil && h.Has(ev.Call.Name.Name) {
		if in == nil {
			return nil, Errorf(op, "%s needs an input table", ev.Call.Name.Name)
		}
		return buildExternalPlugin(b, ev, in, h)
	}
	info, ok := op.Out().Ref.(*check.EvaluateInfo)
	if !ok {
		return nil, Errorf(op, "plugin %s is not supported yet", ev.Call.Name.Name)
	}
	if in == nil {
		return nil, Errorf(op, "%s needs an input table", info.Plugin)
	}
	switch info.Plugin {
	case "bag_unpack":
		return buildBagUnpack(b, ev, in)
	case "pivot":
		return buildPivot(b, ev, info, in)
	case "ipv4_lookup":
		return buildIPv4Lookup(b, ev, in)
	case "rolling_percentile":
		return buildRollingPercentile(b, ev, in)
	case "dcount_intersect":
		return buildDcountIntersect(b, ev, in)
	case "activity_counts_metrics":
		return buildActivityCounts(b, ev, in)
	case "active_users_count":
		return buildActiveUsers(b, ev, in)
	}
	return nil, Errorf(op, "plugin %s is not supported yet", info.Plugin)
}

// pluginArgs splits a call's arguments into positional and named ones.
func pluginArgs(call *ast.Call) ([]ast.Expr, map[string]ast.Expr) {
	var pos []ast.Expr
	named := map[string]ast.Expr{}
	for _, a := range call.Args {
		if na, ok := a.(*ast.NamedArg); ok && na.Name != nil {
			named[strings.ToLower(na.Name.Name)] = na.Value
			continue
		}
		pos = append(pos, a)
	}
	return pos, named
}

func (b *Builder) constString(e ast.Expr) (string, error) {
	v, _, err := b.EvalConst(e)
	if err != nil {
		return "", err
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	if v == nil {
		return "", nil
	}
	return fmt.Sprint(v), nil
}

func buildBagUnpack(b *Builder, ev *ast.Evaluate, in ops.Operator) (ops.Operator, error) {
	pos, named := pluginArgs(ev.Call)
	spec := ops.BagUnpackSpec{Col: -1}
	if len(pos) > 0 {
		spec.Col = argColumn(in.Schema(), pos[0])
	}
	if spec.Col < 0 {
		return nil, Errorf(ev, "bag_unpack: the first argument must be a column of the input")
	}
	get := func(i int, name string) ast.Expr {
		if e, ok := named[strings.ToLower(name)]; ok {
			return e
		}
		if i < len(pos) {
			return pos[i]
		}
		return nil
	}
	var err error
	if e := get(1, "OutputColumnPrefix"); e != nil {
		if spec.Prefix, err = b.constString(e); err != nil {
			return nil, err
		}
	}
	if e := get(2, "columnsConflict"); e != nil {
		if spec.Conflict, err = b.constString(e); err != nil {
			return nil, err
		}
	}
	if e := get(3, "ignoredProperties"); e != nil {
		v, _, err := b.EvalConst(e)
		if err != nil {
			return nil, err
		}
		if arr, ok := v.([]any); ok {
			for _, x := range arr {
				if s, ok := x.(string); ok {
					spec.Ignored = append(spec.Ignored, s)
				}
			}
		}
	}
	ctx := context.Context(b.Ctx())
	if b.Ctx().Context == nil {
		ctx = context.Background()
	}
	out, err := ops.NewBagUnpack(ctx, b.Mem(), in, spec)
	if err != nil {
		return nil, Errorf(ev, "%v", err)
	}
	if ev.Schema != nil && ev.Schema.Tabular {
		// the declared output schema: select and convert by name
		schema := OutSchema(ev)
		cols := make([]ops.ColSpec, schema.NumFields())
		for i, f := range schema.Fields() {
			k := kernels.KindOf(f)
			if idx := out.Schema().FieldIndices(f.Name); len(idx) > 0 {
				cols[i] = ops.ColSpec{Input: idx[0]}
			} else {
				cols[i] = ops.ColSpec{Input: -1, Eval: nullEval{k}, Kind: k}
			}
		}
		return ops.NewProject(b.Ctx(), out, schema, cols), nil
	}
	return out, nil
}

// nullEval is a null constant of a kind.
type nullEval struct{ k types.Kind }

func (n nullEval) Kind() types.Kind { return n.k }
func (n nullEval) Eval(ctx *kernels.Ctx, rec arrow.Record) (kernels.Datum, error) {
	return kernels.ScalarOf(kernels.Mem(ctx), n.k, nil), nil
}

func buildPivot(b *Builder, ev *ast.Evaluate, info *check.EvaluateInfo, in ops.Operator) (ops.Operator, error) {
	if len(info.Sum.Aggs) == 0 || len(info.Sum.Outputs) == 0 {
		return nil, Errorf(ev, "pivot: no aggregation")
	}
	// summarize agg by keys..., pivot column
	sum := *info.Sum
	pcol := &ast.Ident{Pos: ev.Pos, Name: info.PivotCol}
	pcol.Info().Ref = &check.ColumnRef{Name: info.PivotCol}
	idx := in.Schema().FieldIndices(info.PivotCol)
	if len(idx) == 0 {
		return nil, Errorf(ev, "pivot: no column %s", info.PivotCol)
	}
	pk := kernels.KindOf(in.Schema().Field(idx[0]))
	pcol.Info().Type = pk
	sum.Keys = append(append([]check.Key(nil), sum.Keys...), check.Key{Name: "__pivot", X: pcol, Type: pk})
	sum.Outputs = sum.Outputs[:1]
	syn := &ast.Summarize{OpBase: ast.OpBase{Pos: ev.Pos}}
	syn.Out().Ref = &sum
	s := &types.Schema{}
	for _, k := range sum.Keys {
		s.Columns = append(s.Columns, types.Column{Name: k.Name, Type: k.Type})
	}
	s.Columns = append(s.Columns, types.Column{Name: "__value", Type: sum.Outputs[0].Type})
	syn.Out().Schema = s
	sop, err := buildSummarize(b, syn, in)
	if err != nil {
		return nil, err
	}
	fill := false
	if call := sum.Aggs[sum.Outputs[0].Agg].Call; call != nil && call.Name != nil {
		switch strings.ToLower(call.Name.Name) {
		case "count", "countif", "dcount", "dcountif", "sum", "sumif", "count_distinct":
			fill = true
		}
	}
	ctx := context.Context(b.Ctx())
	if b.Ctx().Context == nil {
		ctx = context.Background()
	}
	out, err := ops.NewPivot(ctx, b.Mem(), sop, len(info.Sum.Keys), fill)
	if err != nil {
		return nil, Errorf(ev, "%v", err)
	}
	return out, nil
}

var _ = arrow.NewSchema

func buildIPv4Lookup(b *Builder, ev *ast.Evaluate, in ops.Operator) (ops.Operator, error) {
	pos, named := pluginArgs(ev.Call)
	if len(pos) < 3 {
		return nil, Errorf(ev, "ipv4_lookup needs (LookupTable, SourceIPv4Key, IPv4LookupKey)")
	}
	if len(pos) > 3 {
		return nil, Errorf(pos[3], "ipv4_lookup extra keys are not supported yet")
	}
	src, ok := pos[1].(*ast.Ident)
	key, ok2 := pos[2].(*ast.Ident)
	if !ok || !ok2 {
		return nil, Errorf(ev, "ipv4_lookup keys must be columns")
	}
	si := in.Schema().FieldIndices(src.Name)
	if len(si) == 0 {
		return nil, Errorf(src, "no column %s", src.Name)
	}
	lk, err := b.Tabular(pos[0])
	if err != nil {
		return nil, err
	}
	ki := lk.Schema().FieldIndices(key.Name)
	if len(ki) == 0 {
		lk.Close()
		return nil, Errorf(key, "the lookup table has no column %s", key.Name)
	}
	unmatched := false
	if e, ok := named["return_unmatched"]; ok {
		v, _, err := b.EvalConst(e)
		if err != nil {
			lk.Close()
			return nil, err
		}
		unmatched, _ = v.(bool)
	}
	ctx := context.Context(b.Ctx())
	if b.Ctx().Context == nil {
		ctx = context.Background()
	}
	out, err := ops.NewIPv4Lookup(ctx, b.Mem(), in, lk, si[0], ki[0], unmatched)
	if err != nil {
		return nil, Errorf(ev, "%v", err)
	}
	return out, nil
}
