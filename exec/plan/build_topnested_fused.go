package plan

import (
	"context"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// fusedTopNestedAggs are the aggregates whose partial states merge into
// exactly the value computed directly (integer sums wrap the same way in
// any order; real sums and averages do not, order-sensitive and
// percentile aggregates are left out).
var fusedTopNestedAggs = map[string]bool{
	"count": true, "countif": true, "count_expr": true,
	"sum": true, "sumif": true,
	"min": true, "max": true, "minif": true, "maxif": true,
	"dcount": true, "dcountif": true,
}

// topNestedFusable reports whether a top-nested runs as one aggregation
// (ops.NewTopNestedFused): no `with others`, every level's value one
// direct output of such an aggregate.
func topNestedFusable(op ast.Op) bool {
	info, ok := op.Out().Ref.(*check.TopNestedInfo)
	if !ok || len(info.Levels) == 0 {
		return false
	}
	for _, l := range info.Levels {
		if l.Others != nil || l.Sum == nil || len(l.Sum.Outputs) == 0 {
			return false
		}
		o := l.Sum.Outputs[0]
		if o.X != nil || o.Field != 0 || o.Agg < 0 || o.Agg >= len(l.Sum.Aggs) {
			return false
		}
		ac := l.Sum.Aggs[o.Agg]
		if len(ac.Kinds) != 1 {
			return false
		}
		id := ac.Call.Info().Overload
		if !fusedTopNestedAggs[id] {
			return false
		}
		if id == "sum" || id == "sumif" {
			switch ac.Call.Info().Type {
			case types.Long, types.Int:
			default:
				return false
			}
		}
	}
	return true
}

// buildTopNestedFused builds a fusable top-nested (topNestedFusable).
func buildTopNestedFused(b *Builder, op ast.Op, info *check.TopNestedInfo, in ops.Operator) (ops.Operator, error) {
	ctx := context.Context(b.Ctx())
	if b.Ctx().Context == nil {
		ctx = context.Background()
	}
	inSchema := in.Schema()
	var spec ops.TopNestedFusedSpec
	for _, l := range info.Levels {
		var n int64
		if l.N != nil {
			v, _, err := b.EvalConst(l.N)
			if err != nil {
				return nil, err
			}
			n, _ = numInt(v)
			if n <= 0 {
				n = 0
			}
		}
		spec.N = append(spec.N, n)
		spec.Desc = append(spec.Desc, l.Desc)
		k := l.Key
		ev, f, err := b.groupKey(k, inSchema)
		if err != nil {
			return nil, err
		}
		spec.Keys = append(spec.Keys, ev)
		spec.KeyKinds = append(spec.KeyKinds, ev.Kind())
		spec.KeyFields = append(spec.KeyFields, f)

		o := l.Sum.Outputs[0]
		ac := l.Sum.Aggs[o.Agg]
		as, err := b.aggSpec(ac, inSchema)
		if err != nil {
			return nil, err
		}
		spec.Aggs = append(spec.Aggs, as)
		t := o.Type
		if t == types.Unknown || t == types.Null {
			t = types.Dynamic
		}
		spec.AggFields = append(spec.AggFields, kernels.Field(o.Name, t))
	}
	out, err := ops.NewTopNestedFused(ctx, b.Ctx(), in, spec, OutSchema(op))
	if err != nil {
		return nil, Errorf(op, "%v", err)
	}
	return out, nil
}
