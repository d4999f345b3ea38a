package plan

import (
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
)

func init() {
	RegisterOp("sample", func(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
		v, _, err := b.EvalConst(op.(*ast.Sample).N)
		if err != nil {
			return nil, err
		}
		n, _ := numInt(v)
		seed := uint64(b.Ctx().Now.UnixNano())
		return ops.NewSample(b.Mem(), in, n, seed), nil
	})
	RegisterOp("sample-distinct", func(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
		s := op.(*ast.SampleDistinct)
		v, _, err := b.EvalConst(s.N)
		if err != nil {
			return nil, err
		}
		n, _ := numInt(v)
		id, ok := s.Of.(*ast.Ident)
		if !ok {
			return nil, Errorf(s.Of, "sample-distinct needs a column")
		}
		idx := in.Schema().FieldIndices(id.Name)
		if len(idx) == 0 {
			return nil, Errorf(s.Of, "no column %s", id.Name)
		}
		return ops.NewSampleDistinct(b.Mem(), in, n, idx[0]), nil
	})
}
