package ops

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func TestSingleBatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{kernels.Field("x", types.Long)}, nil)
	var recs []arrow.Record
	for b := 0; b < 3; b++ {
		bld := array.NewInt64Builder(mem)
		bld.AppendValues([]int64{int64(2 * b), int64(2*b + 1)}, nil)
		col := bld.NewArray()
		bld.Release()
		recs = append(recs, array.NewRecord(schema, []arrow.Array{col}, 2))
		col.Release()
	}
	src := NewRecordsSource(schema, recs) // retains recs
	ReleaseRecords(recs)
	op := NewSingleBatch(&kernels.Ctx{Context: context.Background(), Mem: mem}, src)
	defer op.Close()
	r, err := op.Next(context.Background())
	if err != nil || r == nil {
		t.Fatalf("Next = %v, %v", r, err)
	}
	if got := r.Column(0).(*array.Int64).Int64Values(); len(got) != 6 || got[0] != 0 || got[5] != 5 {
		t.Errorf("rows = %v, want 0..5 in order", got)
	}
	r.Release()
	if r, err := op.Next(context.Background()); r != nil || err != nil {
		t.Errorf("second Next = %v, %v, want end of stream", r, err)
	}
}
