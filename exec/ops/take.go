package ops

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"
)

// Take passes through the first n rows of its input (in input order).
type Take struct {
	in   Operator
	left int64
}

// NewTake returns the take/limit operator.
func NewTake(in Operator, n int64) *Take { return &Take{in: in, left: max(n, 0)} }

// Schema implements Operator.
func (t *Take) Schema() *arrow.Schema { return t.in.Schema() }

// Close implements Operator.
func (t *Take) Close() { t.in.Close() }

// Next implements Operator.
func (t *Take) Next(ctx context.Context) (arrow.Record, error) {
	if t.left <= 0 {
		return nil, nil
	}
	r, err := t.in.Next(ctx)
	if err != nil || r == nil {
		return r, err
	}
	if r.NumRows() <= t.left {
		t.left -= r.NumRows()
		return r, nil
	}
	s := r.NewSlice(0, t.left)
	r.Release()
	t.left = 0
	return s, nil
}
