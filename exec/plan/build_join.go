package plan

import (
	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
)

func init() {
	RegisterOp("join", buildJoin)
	RegisterOp("lookup", buildLookup)
}

// joinSides builds the right side and resolves the key columns.
func joinSides(b *Builder, op ast.Op, right ast.Expr, in ops.Operator) (*check.JoinInfo, ops.Operator, []int, []int, error) {
	info, ok := op.Out().Ref.(*check.JoinInfo)
	if !ok {
		return nil, nil, nil, nil, Errorf(op, "%s was not checked", op.OpName())
	}
	r, err := b.Tabular(right)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	lk, err1 := colIndices(op, in.Schema(), info.LeftKeys, "left")
	rk, err2 := colIndices(op, r.Schema(), info.RightKeys, "right")
	if err1 != nil || err2 != nil {
		r.Close()
		if err1 != nil {
			return nil, nil, nil, nil, err1
		}
		return nil, nil, nil, nil, err2
	}
	return info, r, lk, rk, nil
}

func colIndices(op ast.Op, s *arrow.Schema, names []string, side string) ([]int, error) {
	out := make([]int, len(names))
	for i, n := range names {
		idx := s.FieldIndices(n)
		if len(idx) == 0 {
			return nil, Errorf(op, "the %s side of %s has no column %s", side, op.OpName(), n)
		}
		out[i] = idx[0]
	}
	return out, nil
}

func buildJoin(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	j := op.(*ast.Join)
	info, r, lk, rk, err := joinSides(b, op, j.Right, in)
	if err != nil {
		return nil, err
	}
	kind, ok := ops.ParseJoinKind(info.Kind)
	if !ok {
		r.Close()
		return nil, Errorf(op, "join kind=%s is not supported", info.Kind)
	}
	hj, err := ops.NewHashJoin(b.Mem(), in, r, kind, lk, rk)
	if err != nil {
		r.Close()
		return nil, Errorf(op, "%v", err)
	}
	hj.SetNeeded(b.neededAfter(op, hj.Schema()))
	if rest, ok := b.rest.Load(op); ok && dictSafe(rest.([]ast.Op)) {
		hj.SetDictBuild(true) // dict.go
	}
	return hj, nil
}

func buildLookup(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	l := op.(*ast.Lookup)
	info, r, lk, rk, err := joinSides(b, op, l.Right, in)
	if err != nil {
		return nil, err
	}
	hj, err := ops.NewLookup(b.Mem(), in, r, info.Kind == "inner", lk, rk)
	if err != nil {
		r.Close()
		return nil, Errorf(op, "%v", err)
	}
	hj.SetNeeded(b.neededAfter(op, hj.Schema()))
	return hj, nil
}
