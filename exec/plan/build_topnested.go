package plan

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func init() {
	RegisterOp("top-nested", buildTopNested)
}

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
			return nil, Errorf(l.Others, "top-nested `with others` is not supported yet")
		}
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
		for _, r := range recs {
			r.Retain()
		}
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
