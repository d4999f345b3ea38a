package plan

import (
	"sync"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/expr"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Multi-value functions (check.TupleItem): the call is evaluated once per
// batch and each output column takes one element of the dynamic array it
// returns.

// tupleOf returns the tuple expansion of item it of op, or nil.
func tupleOf(op ast.Op, it *ast.NamedExpr) *check.TupleItem {
	if op == nil {
		return nil
	}
	m, ok := op.Out().Ref.(check.TupleItems)
	if !ok {
		return nil
	}
	return m[it]
}

// tupleEvals returns one evaluator per output column of ti over the
// evaluator of the call.
func tupleEvals(call expr.Evaluator, ti *check.TupleItem) []expr.Evaluator {
	sh := &tupleShared{call: call, users: len(ti.Columns), cache: map[arrow.Record]*tupleRows{}}
	out := make([]expr.Evaluator, len(ti.Columns))
	for i, col := range ti.Columns {
		out[i] = &tupleElem{sh: sh, elem: ti.Elems[i], kind: col.Type}
	}
	return out
}

type tupleRows struct {
	rows [][]any // decoded array of each row (nil for null)
	left int     // element evaluators still to read it
	err  error
}

type tupleShared struct {
	call  expr.Evaluator
	users int
	mu    sync.Mutex
	cache map[arrow.Record]*tupleRows
}

// rows evaluates the call on rec once for all the element evaluators.
func (s *tupleShared) rows(ctx *kernels.Ctx, rec arrow.Record) ([][]any, error) {
	s.mu.Lock()
	r, ok := s.cache[rec]
	if !ok {
		r = &tupleRows{left: s.users}
		s.cache[rec] = r
		r.rows, r.err = s.eval(ctx, rec)
	}
	r.left--
	if r.left <= 0 {
		delete(s.cache, rec)
	}
	s.mu.Unlock()
	return r.rows, r.err
}

func (s *tupleShared) eval(ctx *kernels.Ctx, rec arrow.Record) ([][]any, error) {
	d, err := s.call.Eval(ctx, rec)
	if err != nil {
		return nil, err
	}
	defer d.Release()
	n := int(rec.NumRows())
	get := kernels.Dynamics(d)
	out := make([][]any, n)
	for i := 0; i < n; i++ {
		v, ok := get(i)
		if !ok {
			continue
		}
		if a, isArr := v.([]any); isArr {
			out[i] = a
		} else {
			out[i] = []any{v}
		}
	}
	return out, nil
}

type tupleElem struct {
	sh   *tupleShared
	elem int
	kind types.Kind
}

func (e *tupleElem) Kind() types.Kind { return e.kind }

func (e *tupleElem) Eval(ctx *kernels.Ctx, rec arrow.Record) (kernels.Datum, error) {
	rows, err := e.sh.rows(ctx, rec)
	if err != nil {
		return kernels.Datum{}, err
	}
	vals := make([]any, len(rows))
	for i, r := range rows {
		if e.elem < len(r) {
			vals[i] = r[e.elem]
		}
	}
	return kernels.Datum{Array: kernels.FromValuesMem(kernels.Mem(ctx), e.kind, vals), Kind: e.kind}, nil
}
