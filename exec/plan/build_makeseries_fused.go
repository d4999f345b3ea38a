package plan

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/expr"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// buildMakeSeriesFused builds make-series as one dedicated aggregation
// (ops.MakeSeries) when every output is a direct single-field aggregate,
// as Kusto's make-series allows; nil (and no error) when an output is an
// expression over aggregates, which the summarize-based path handles.
func buildMakeSeriesFused(b *Builder, info *check.MakeSeriesInfo, in ops.Operator, on expr.Evaluator, axis ops.SeriesAxis, defaults []any, out *arrow.Schema) (ops.Operator, error) {
	sum := info.Sum
	for _, o := range sum.Outputs {
		if o.X != nil || o.Field != 0 || o.Agg < 0 || o.Agg >= len(sum.Aggs) || len(sum.Aggs[o.Agg].Kinds) > 1 {
			return nil, nil
		}
	}
	inSchema := in.Schema()
	spec := ops.MakeSeriesSpec{On: on, Axis: axis, Defaults: defaults, NonEmpty: info.NonEmpty, Schema: out}
	for _, k := range sum.Keys {
		ev, err := b.Compile(k.X, inSchema)
		if err != nil {
			return nil, err
		}
		spec.Keys = append(spec.Keys, ev)
		spec.KeyKinds = append(spec.KeyKinds, ev.Kind())
	}
	for _, ac := range sum.Aggs {
		as, err := b.aggSpec(ac, inSchema)
		if err != nil {
			return nil, err
		}
		spec.Aggs = append(spec.Aggs, as)
	}
	for _, o := range sum.Outputs {
		t := o.Type
		if t == types.Unknown || t == types.Null {
			t = types.Dynamic
		}
		spec.Outputs = append(spec.Outputs, o.Agg)
		spec.OutKinds = append(spec.OutKinds, t)
	}
	return ops.NewMakeSeries(b.Ctx(), in, spec)
}
