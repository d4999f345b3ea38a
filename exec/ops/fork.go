package ops

import (
	"context"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
)

// Shared gives one input to several consumers (the branches of fork, the
// tables of facet) and computes it once: the first Next of any reader
// drains the input into memory (allocated through the query's budgeted
// allocator, like every operator's output), and every reader then streams
// the same records. An input error is returned by every reader.
//
// The owner closes the Shared; the records are released once the owner and
// every reader are closed.
type Shared struct {
	mu     sync.Mutex
	in     Operator
	schema *arrow.Schema
	filled bool
	err    error
	recs   []arrow.Record
	refs   int
}

// NewShared wraps in (which it closes once drained or released).
func NewShared(in Operator) *Shared {
	return &Shared{in: in, schema: in.Schema(), refs: 1}
}

// Schema is the input's schema.
func (s *Shared) Schema() *arrow.Schema { return s.schema }

// Reader returns a new consumer of the input.
func (s *Shared) Reader() Operator {
	s.mu.Lock()
	s.refs++
	s.mu.Unlock()
	return &sharedReader{s: s}
}

// Close drops the owner's reference.
func (s *Shared) Close() { s.unref() }

func (s *Shared) unref() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refs--
	if s.refs > 0 {
		return
	}
	ReleaseRecords(s.recs)
	s.recs = nil
	if s.in != nil {
		s.in.Close()
		s.in = nil
	}
}

// fill drains the input once and returns the records (not retained).
func (s *Shared) fill(ctx context.Context) ([]arrow.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.filled {
		s.filled = true
		if s.in != nil {
			s.recs, s.err = drainGuarded(ctx, s.in)
			s.in.Close()
			s.in = nil
		}
	}
	return s.recs, s.err
}

// drainGuarded is Drain turning a panic (the memory budget, a kernel bug)
// into an error, so that every reader reports it rather than the later
// ones seeing an empty input.
func drainGuarded(ctx context.Context, in Operator) (recs []arrow.Record, err error) {
	defer func() {
		if r := recover(); r != nil {
			ReleaseRecords(recs)
			recs, err = nil, &PanicError{Value: r}
		}
	}()
	return Drain(ctx, in)
}

type sharedReader struct {
	s      *Shared
	pos    int
	closed bool
}

func (r *sharedReader) Schema() *arrow.Schema { return r.s.schema }

func (r *sharedReader) Next(ctx context.Context) (arrow.Record, error) {
	if r.closed {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	recs, err := r.s.fill(ctx)
	if err != nil {
		return nil, err
	}
	if r.pos >= len(recs) {
		return nil, nil
	}
	rec := recs[r.pos]
	r.pos++
	rec.Retain()
	return rec, nil
}

func (r *sharedReader) Close() {
	if r.closed {
		return
	}
	r.closed = true
	r.s.unref()
}
