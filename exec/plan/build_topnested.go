package plan

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	RegisterOp("top-nested", buildTopNested)
}

// slowTopNested forces one summarize per level (tests compare both paths).
var slowTopNested = false

func buildTopNested(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	info, ok := op.Out().Ref.(*check.TopNestedInfo)
	if !ok || len(info.Levels) == 0 {
		return nil, Errorf(op, "top-nested was not checked")
	}
	ctx := context.Context(b.Ctx())
	if b.Ctx().Context == nil {
		ctx = context.Background()
	}
	for _, l := range info.Levels {
		if l.Others != nil {
			return buildTopNestedOthers(b, op, info, in)
		}
	}
	if topNestedFusable(op) && !slowTopNested {
		return buildTopNestedFused(b, op, info, in) // build_topnested_fused.go
	}
	recs, err := ops.Drain(ctx, in)
	if err != nil {
		return nil, err
	}
	schema := in.Schema()
	defer ops.ReleaseRecords(recs)
	var levels []ops.TopNestedLevel
	closeAll := func() {
		for _, l := range levels {
			l.In.Close()
		}
	}
	var keys []check.Key
	for _, l := range info.Levels {
		keys = append(keys, l.Key)
		var n int64
		if l.N != nil {
			v, _, err := b.EvalConst(l.N)
			if err != nil {
				closeAll()
				return nil, err
			}
			n, _ = numInt(v)
			if n <= 0 {
				n = 0
			}
		}
		sum := *l.Sum
		sum.Keys = append([]check.Key(nil), keys...)
		sum.Outputs = sum.Outputs[:1]
		syn2 := &ast.Summarize{}
		syn2.Out().Ref = &sum
		s := &types.Schema{}
		for _, k := range sum.Keys {
			s.Columns = append(s.Columns, types.Column{Name: k.Name, Type: k.Type})
		}
		t := sum.Outputs[0].Type
		if t == types.Unknown || t == types.Null {
			t = types.Dynamic
		}
		s.Columns = append(s.Columns, types.Column{Name: sum.Outputs[0].Name, Type: t})
		syn2.Out().Schema = s
		src := ops.NewRecordsSource(schema, append([]arrow.Record(nil), recs...))
		sop, err := buildSummarize(b, syn2, src)
		if err != nil {
			src.Close()
			closeAll()
			return nil, err
		}
		levels = append(levels, ops.TopNestedLevel{In: sop, N: n, Desc: l.Desc})
	}
	out, err := ops.NewTopNested(ctx, b.Mem(), levels, OutSchema(op))
	if err != nil {
		return nil, Errorf(op, "%v", err)
	}
	in.Close()
	return out, nil
}

// buildTopNestedOthers runs a top-nested with `with others` clauses
// (ops.NewTopNestedOthers): keys are evaluated over the whole input and
// each level's aggregation runs as a summarize grouped by the group ids
// the operator assigns.
func buildTopNestedOthers(b *Builder, op ast.Op, info *check.TopNestedInfo, in ops.Operator) (ops.Operator, error) {
	ctx := context.Context(b.Ctx())
	if b.Ctx().Context == nil {
		ctx = context.Background()
	}
	schema := in.Schema()
	recs, err := ops.Drain(ctx, in)
	in.Close()
	if err != nil {
		return nil, err
	}
	defer ops.ReleaseRecords(recs)
	mem := b.Mem()
	var levels []ops.TopNestedOthersLevel
	defer func() {
		for _, l := range levels {
			if l.Others != nil {
				l.Others.Release()
			}
		}
	}()
	for _, l := range info.Levels {
		l := l
		var n int64
		if l.N != nil {
			v, _, err := b.EvalConst(l.N)
			if err != nil {
				return nil, err
			}
			n, _ = numInt(v)
		}
		keyEv, err := b.Compile(l.Key.X, schema)
		if err != nil {
			return nil, err
		}
		lv := ops.TopNestedOthersLevel{N: n, Desc: l.Desc}
		lv.Key = func(rec arrow.Record) (arrow.Array, error) {
			d, err := keyEv.Eval(b.Ctx(), rec)
			if err != nil {
				return nil, err
			}
			defer d.Release()
			return ops.DatumArray(mem, d, int(rec.NumRows()), keyEv.Kind())
		}
		if l.Others != nil {
			ev, err := b.Compile(l.Others, arrow.NewSchema(nil, nil))
			if err != nil {
				return nil, err
			}
			empty := array.NewRecord(arrow.NewSchema(nil, nil), nil, 1)
			d, err := ev.Eval(b.Ctx(), empty)
			empty.Release()
			if err != nil {
				return nil, err
			}
			lv.Others, err = ops.DatumArray(mem, d, 1, keyEv.Kind())
			d.Release()
			if err != nil {
				return nil, err
			}
		}
		lv.Agg = func(rec arrow.Record, ids []int64) (*array.Int64, arrow.Array, error) {
			return topNestedAgg(b, l, rec, ids)
		}
		levels = append(levels, lv)
	}
	out, err := ops.NewTopNestedOthers(ctx, mem, recs, schema, levels, OutSchema(op))
	if err != nil {
		return nil, Errorf(op, "%v", err)
	}
	return out, nil
}

// topNestedAgg evaluates a level's aggregation over rec grouped by ids
// (null for −1) and returns the group ids with their values.
func topNestedAgg(b *Builder, l check.TopNestedLevelInfo, rec arrow.Record, ids []int64) (*array.Int64, arrow.Array, error) {
	const gcol = "__top_nested_group"
	ib := array.NewInt64Builder(b.Mem())
	for _, id := range ids {
		if id < 0 {
			ib.AppendNull()
		} else {
			ib.Append(id)
		}
	}
	g := ib.NewArray()
	ib.Release()
	fields := append(append([]arrow.Field(nil), rec.Schema().Fields()...), kernels.Field(gcol, types.Long))
	cols := append(append([]arrow.Array(nil), rec.Columns()...), g)
	schema := arrow.NewSchema(fields, nil)
	withIDs := array.NewRecord(schema, cols, rec.NumRows())
	g.Release()
	id := &ast.Ident{Name: gcol}
	id.Info().Type = types.Long
	sum := *l.Sum
	sum.Keys = []check.Key{{Name: gcol, X: id, Type: types.Long}}
	sum.Outputs = sum.Outputs[:1]
	syn := &ast.Summarize{}
	syn.Out().Ref = &sum
	t := sum.Outputs[0].Type
	if t == types.Unknown || t == types.Null {
		t = types.Dynamic
	}
	syn.Out().Schema = &types.Schema{Columns: []types.Column{{Name: gcol, Type: types.Long}, {Name: sum.Outputs[0].Name, Type: t}}}
	src := ops.NewRecordsSource(schema, []arrow.Record{withIDs})
	withIDs.Release()
	sop, err := buildSummarize(b, syn, src)
	if err != nil {
		src.Close()
		return nil, nil, err
	}
	defer sop.Close()
	ctx := context.Context(b.Ctx())
	if b.Ctx().Context == nil {
		ctx = context.Background()
	}
	out, err := ops.Drain(ctx, sop)
	if err != nil {
		return nil, nil, err
	}
	defer ops.ReleaseRecords(out)
	var gs, vs []arrow.Array
	for _, r := range out {
		gs = append(gs, r.Column(0))
		vs = append(vs, r.Column(1))
	}
	if len(out) == 0 {
		e := array.NewInt64Builder(b.Mem())
		defer e.Release()
		vb := array.NewBuilder(b.Mem(), kernels.Field("v", t).Type)
		defer vb.Release()
		return e.NewInt64Array(), vb.NewArray(), nil
	}
	ga, err := array.Concatenate(gs, b.Mem())
	if err != nil {
		return nil, nil, err
	}
	va, err := array.Concatenate(vs, b.Mem())
	if err != nil {
		ga.Release()
		return nil, nil, err
	}
	return ga.(*array.Int64), va, nil
}
