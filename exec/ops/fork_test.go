package ops

import (
	"context"
	"errors"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// countingOp counts the Next calls that reach its input.
type countingOp struct {
	Operator
	nexts  int
	closed int
	fail   error
}

func (c *countingOp) Next(ctx context.Context) (arrow.Record, error) {
	c.nexts++
	if c.fail != nil {
		return nil, c.fail
	}
	return c.Operator.Next(ctx)
}

func (c *countingOp) Close() { c.closed++; c.Operator.Close() }

func longRecords(mem memory.Allocator, batches ...[]int64) (*arrow.Schema, []arrow.Record) {
	schema := arrow.NewSchema([]arrow.Field{kernels.Field("x", types.Long)}, nil)
	var recs []arrow.Record
	for _, vals := range batches {
		bld := array.NewInt64Builder(mem)
		bld.AppendValues(vals, nil)
		col := bld.NewArray()
		bld.Release()
		recs = append(recs, array.NewRecord(schema, []arrow.Array{col}, int64(len(vals))))
		col.Release()
	}
	return schema, recs
}

func readAll(t *testing.T, op Operator) []int64 {
	t.Helper()
	var out []int64
	for {
		r, err := op.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if r == nil {
			return out
		}
		out = append(out, r.Column(0).(*array.Int64).Int64Values()...)
		r.Release()
	}
}

func TestSharedDrainsOnce(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema, recs := longRecords(mem, []int64{1, 2}, []int64{3})
	in := &countingOp{Operator: NewRecordsSource(schema, recs)}
	ReleaseRecords(recs)
	sh := NewShared(in)
	a, b := sh.Reader(), sh.Reader()
	sh.Close() // the readers keep the input alive
	if in.nexts != 0 {
		t.Fatalf("input read before any reader asked: %d", in.nexts)
	}
	if got := readAll(t, b); len(got) != 3 || got[0] != 1 || got[2] != 3 {
		t.Errorf("reader b = %v, want [1 2 3]", got)
	}
	if in.nexts != 3 || in.closed != 1 {
		t.Errorf("input: %d Next calls, %d closes; want 3 (two batches + end) and 1", in.nexts, in.closed)
	}
	if got := readAll(t, a); len(got) != 3 || got[1] != 2 {
		t.Errorf("reader a = %v, want [1 2 3]", got)
	}
	if in.nexts != 3 {
		t.Errorf("second reader re-read the input: %d Next calls", in.nexts)
	}
	a.Close()
	b.Close()
	b.Close() // idempotent
}

func TestSharedError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema, recs := longRecords(mem, []int64{1})
	boom := errors.New("boom")
	in := &countingOp{Operator: NewRecordsSource(schema, recs), fail: boom}
	ReleaseRecords(recs)
	sh := NewShared(in)
	a, b := sh.Reader(), sh.Reader()
	for _, r := range []Operator{a, b} {
		if _, err := r.Next(context.Background()); !errors.Is(err, boom) {
			t.Errorf("reader error = %v, want boom", err)
		}
	}
	if in.nexts != 1 {
		t.Errorf("input read %d times after failing, want 1", in.nexts)
	}
	a.Close()
	b.Close()
	sh.Close()
	if in.closed != 1 {
		t.Errorf("input closed %d times", in.closed)
	}
}

func TestSharedUnreadReleased(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema, recs := longRecords(mem, []int64{1, 2})
	in := &countingOp{Operator: NewRecordsSource(schema, recs)}
	ReleaseRecords(recs)
	sh := NewShared(in)
	r := sh.Reader()
	sh.Close()
	r.Close() // never read: the input is closed unread
	if in.nexts != 0 || in.closed != 1 {
		t.Errorf("input: %d Next calls, %d closes; want 0 and 1", in.nexts, in.closed)
	}
}

// panicOp panics on Next, as an operator does when the memory budget is
// exceeded.
type panicOp struct{ Operator }

func (p panicOp) Next(ctx context.Context) (arrow.Record, error) { panic(errors.New("budget")) }

func TestSharedPanicIsEveryReadersError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema, recs := longRecords(mem, []int64{1})
	sh := NewShared(panicOp{NewRecordsSource(schema, recs)})
	ReleaseRecords(recs)
	a, b := sh.Reader(), sh.Reader()
	sh.Close()
	for _, r := range []Operator{a, b} {
		_, err := r.Next(context.Background())
		var pe *PanicError
		if !errors.As(err, &pe) || err.Error() != "budget" {
			t.Errorf("reader error = %v, want the panic as an error", err)
		}
		r.Close()
	}
}
