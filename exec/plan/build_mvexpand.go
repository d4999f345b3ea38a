package plan

import (
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
)

func init() {
	RegisterOp("mv-expand", buildMvExpand)
	RegisterOp("mv-apply", buildMvApply)
}

// mvSpec turns checked mv-expand/mv-apply items into an ops.MvExpandSpec.
func mvSpec(b *Builder, op ast.Op, items []*ast.MvExpandItem, limit ast.Expr, in ops.Operator) (ops.MvExpandSpec, error) {
	info, ok := op.Out().Ref.(*check.MvExpandInfo)
	if !ok || len(info.Items) != len(items) {
		return ops.MvExpandSpec{}, Errorf(op, "%s was not checked", op.OpName())
	}
	spec := ops.MvExpandSpec{BagArray: info.BagArray, IndexName: info.IndexName}
	s := in.Schema()
	for i, it := range items {
		mi := info.Items[i]
		item := ops.MvExpandItem{Name: mi.Name, Col: -1, To: mi.To}
		if mi.Column {
			if idx := s.FieldIndices(mi.Name); len(idx) > 0 {
				item.Col = idx[0]
			}
		}
		if item.Col < 0 {
			ev, err := b.Compile(it.X, s)
			if err != nil {
				return spec, err
			}
			item.Eval = ev
		}
		spec.Items = append(spec.Items, item)
	}
	if limit != nil {
		v, _, err := b.EvalConst(limit)
		if err != nil {
			return spec, err
		}
		switch x := v.(type) {
		case int64:
			spec.Limit = x
		case int32:
			spec.Limit = int64(x)
		case float64:
			spec.Limit = int64(x)
		}
	}
	return spec, nil
}

// noMvDrop disables dropping unread columns in mv-expand (tests).
var noMvDrop bool

func buildMvExpand(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	m := op.(*ast.MvExpand)
	spec, err := mvSpec(b, op, m.Items, m.Limit, in)
	if err != nil {
		return nil, err
	}
	// input columns nothing after the mv-expand reads are not replicated
	// per element (mv_expand: RawEventData's text copied for every
	// Parameters element)
	full, _, src := ops.MvExpandSchema(in.Schema(), spec)
	if need := b.neededAfterOwn(op, full); need != nil && !noMvDrop {
		for i, f := range full.Fields() {
			if !need[i] && src[i] >= 0 {
				if spec.Drop == nil {
					spec.Drop = map[string]bool{}
				}
				spec.Drop[f.Name] = true
			}
		}
	}
	out, err := ops.NewMvExpand(b.Ctx(), in, spec)
	if err != nil {
		return nil, Errorf(op, "%v", err)
	}
	return out, nil
}

func buildMvApply(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	m := op.(*ast.MvApply)
	spec, err := mvSpec(b, op, m.Items, m.Limit, in)
	if err != nil {
		return nil, err
	}
	if m.On == nil || len(m.On.Ops) == 0 {
		return nil, Errorf(op, "mv-apply needs a subquery")
	}
	subOps := m.On.Ops
	sub := OutSchema(subOps[len(subOps)-1])
	out, err := ops.NewMvApply(b.Ctx(), in, ops.MvApplySpec{
		Expand:    spec,
		SubSchema: sub,
		Sub: func(x ops.Operator) (ops.Operator, error) {
			return b.Pipe(x, subOps)
		},
	})
	if err != nil {
		return nil, Errorf(op, "%v", err)
	}
	return out, nil
}
