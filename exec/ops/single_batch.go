package ops

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
)

// SingleBatch reads its whole input and yields it as one record. Window
// functions (prev, next, row_number, row_cumsum, ...) are scalar kernels
// over the whole serialized input (see exec/kernels/window.go), so the
// operator evaluating them reads from a SingleBatch.
type SingleBatch struct {
	kctx *kernels.Ctx
	in   Operator
	done bool
}

// NewSingleBatch returns an operator yielding in's rows as one record.
func NewSingleBatch(kctx *kernels.Ctx, in Operator) *SingleBatch {
	return &SingleBatch{kctx: kctx, in: in}
}

// Schema implements Operator.
func (s *SingleBatch) Schema() *arrow.Schema { return s.in.Schema() }

// Next implements Operator.
func (s *SingleBatch) Next(ctx context.Context) (arrow.Record, error) {
	if s.done {
		return nil, nil
	}
	s.done = true
	recs, err := Drain(ctx, s.in)
	if err != nil {
		return nil, err
	}
	defer ReleaseRecords(recs)
	if len(recs) == 0 {
		return nil, nil
	}
	return Concat(s.kctx, s.in.Schema(), recs)
}

// Close implements Operator.
func (s *SingleBatch) Close() {
	if s.in != nil {
		s.in.Close()
		s.in = nil
	}
}
