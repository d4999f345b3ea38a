package plan

import (
	"context"
	"math"

	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	RegisterOp("make-series", buildMakeSeries)
}

func numInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case float64:
		return int64(x), true
	}
	return 0, false
}

func numFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func buildMakeSeries(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	ms := op.(*ast.MakeSeries)
	info, ok := op.Out().Ref.(*check.MakeSeriesInfo)
	if !ok {
		return nil, Errorf(op, "make-series was not checked")
	}
	orig := in
	fail := func(err error) (ops.Operator, error) {
		if in != orig {
			in.Close() // the buffered records; the planner closes orig
		}
		return nil, err
	}
	onEval, err := b.Compile(ms.On, in.Schema())
	if err != nil {
		return fail(err)
	}
	axis := ops.SeriesAxis{Kind: info.AxisKind}
	if axis.Kind == types.Unknown || axis.Kind == types.Null {
		axis.Kind = onEval.Kind()
	}
	if ms.Step == nil {
		return fail(Errorf(op, "make-series needs a step"))
	}
	sv, _, err := b.EvalConst(ms.Step)
	if err != nil {
		return fail(err)
	}
	var fromV, toV any
	if ms.From != nil {
		if fromV, _, err = b.EvalConst(ms.From); err != nil {
			return fail(err)
		}
	}
	if ms.To != nil {
		if toV, _, err = b.EvalConst(ms.To); err != nil {
			return fail(err)
		}
	}
	isF := axis.IsFloat()
	if isF {
		axis.StepF, _ = numFloat(sv)
		if axis.StepF <= 0 {
			return fail(Errorf(ms.Step, "make-series step must be positive"))
		}
	} else {
		axis.Step, _ = numInt(sv)
		if axis.Step <= 0 {
			return fail(Errorf(ms.Step, "make-series step must be positive"))
		}
	}
	if fromV == nil || toV == nil {
		ctx := context.Context(b.Ctx())
		if b.Ctx().Context == nil {
			ctx = context.Background()
		}
		recs, err := ops.Drain(ctx, in)
		if err != nil {
			return nil, err
		}
		in = &drained{RecordsSource: ops.NewRecordsSource(in.Schema(), recs), orig: orig}
		defer ops.ReleaseRecords(recs) // the source holds its own references
		minI, maxI, minF, maxF, any, err := ops.AxisRange(b.Ctx(), recs, onEval, isF)
		if err != nil {
			return fail(err)
		}
		if any {
			if fromV == nil {
				if isF {
					fromV = math.Floor(minF/axis.StepF) * axis.StepF
				} else {
					fromV = axis.AlignDown(minI)
				}
			}
			if toV == nil {
				if isF {
					toV = math.Floor(maxF/axis.StepF)*axis.StepF + axis.StepF
				} else {
					toV = axis.AlignDown(maxI) + axis.Step
				}
			}
		}
	}
	if isF {
		axis.FromF, _ = numFloat(fromV)
		to, _ := numFloat(toV)
		if fromV != nil && toV != nil && to > axis.FromF {
			axis.N = int(math.Ceil((to - axis.FromF) / axis.StepF))
		}
	} else {
		axis.From, _ = numInt(fromV)
		to, _ := numInt(toV)
		if fromV != nil && toV != nil && to > axis.From {
			axis.N = int((to - axis.From + axis.Step - 1) / axis.Step)
		}
	}
	if d, ok := in.(*drained); ok {
		d.own = true // from here on closing the chain closes orig too
	}
	defaults, err := makeSeriesDefaults(b, info)
	if err != nil {
		return fail(err)
	}
	if fused, err := buildMakeSeriesFused(b, info, in, onEval, axis, defaults, OutSchema(op)); fused != nil || err != nil {
		if err != nil {
			return fail(err)
		}
		return fused, nil
	}
	bucketed := ops.NewSeriesBucket(b.Ctx(), in, onEval, axis)

	// summarize aggs by keys..., bucket
	sum := *info.Sum
	bid := &ast.Ident{Pos: ms.Pos, Name: ops.MakeSeriesBucketName}
	bid.Info().Type = types.Long
	bid.Info().Ref = &check.ColumnRef{Name: ops.MakeSeriesBucketName}
	sum.Keys = append(append([]check.Key(nil), sum.Keys...), check.Key{Name: ops.MakeSeriesBucketName, X: bid, Type: types.Long})
	syn := &ast.Summarize{OpBase: ast.OpBase{Pos: ms.Pos}}
	syn.Out().Ref = &sum
	s := &types.Schema{}
	for _, k := range sum.Keys {
		s.Columns = append(s.Columns, types.Column{Name: k.Name, Type: k.Type})
	}
	for i, o := range sum.Outputs {
		t := o.Type
		if t == types.Unknown || t == types.Null {
			t = types.Dynamic
		}
		s.Columns = append(s.Columns, types.Column{Name: "__ms_out" + itoa(i), Type: t})
	}
	syn.Out().Schema = s
	sop, err := buildSummarize(b, syn, bucketed)
	if err != nil {
		return nil, err
	}
	out, err := ops.NewSeriesAssemble(b.Mem(), sop, len(info.Sum.Keys), defaults, axis, info.NonEmpty, OutSchema(op))
	if err != nil {
		sop.Close()
		return nil, Errorf(op, "%v", err)
	}
	return out, nil
}

// makeSeriesDefaults returns the value of an empty bucket per output.
func makeSeriesDefaults(b *Builder, info *check.MakeSeriesInfo) ([]any, error) {
	defaults := make([]any, len(info.Sum.Outputs))
	for i, o := range info.Sum.Outputs {
		var d ast.Expr
		if i < len(info.Defaults) {
			d = info.Defaults[i]
		}
		if d == nil {
			if o.Type.IsNumeric() || o.Type == types.Unknown {
				defaults[i] = int64(0)
			}
			continue
		}
		v, k, err := b.EvalConst(d)
		if err != nil {
			return nil, err
		}
		switch k {
		case types.DateTime:
			if x, ok := v.(int64); ok {
				v = types.FormatDateTime(x)
			}
		case types.TimeSpan:
			if x, ok := v.(int64); ok {
				v = types.FormatTimeSpan(x)
			}
		case types.Int:
			if x, ok := v.(int32); ok {
				v = int64(x)
			}
		}
		defaults[i] = v
	}
	return defaults, nil
}

func itoa(i int) string {
	const d = "0123456789"
	if i < 10 {
		return d[i : i+1]
	}
	return itoa(i/10) + d[i%10:i%10+1]
}

// drained is a records source standing for an input read to the end; once
// own is set, closing it also closes the original input.
type drained struct {
	*ops.RecordsSource
	orig ops.Operator
	own  bool
}

func (d *drained) Close() {
	d.RecordsSource.Close()
	if d.own && d.orig != nil {
		d.orig.Close()
		d.orig = nil
	}
}
