package ops

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
)

// A dictionary-encoded string column is filtered through its indices and
// keeps its dictionary.
func TestFilterRecordDictionary(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	db := array.NewDictionaryBuilder(mem, dt).(*array.BinaryDictionaryBuilder)
	for _, v := range []string{"a", "b", "a", "c"} {
		if err := db.AppendString(v); err != nil {
			t.Fatal(err)
		}
	}
	db.AppendNull()
	col := db.NewArray()
	db.Release()
	defer col.Release()
	rec := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "s", Type: dt, Nullable: true}}, nil), []arrow.Array{col}, 5)
	defer rec.Release()
	mb := array.NewBooleanBuilder(mem)
	mb.AppendValues([]bool{false, true, true, false, true}, nil)
	mask := mb.NewBooleanArray()
	mb.Release()
	defer mask.Release()
	out, err := filterRecord(&kernels.Ctx{Context: context.Background(), Mem: mem}, rec, mask, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	d, ok := out.Column(0).(*array.Dictionary)
	if !ok {
		t.Fatalf("got %T, want a dictionary array", out.Column(0))
	}
	vals := d.Dictionary().(*array.String)
	var got []string
	for i := 0; i < d.Len(); i++ {
		if d.IsNull(i) {
			got = append(got, "<null>")
			continue
		}
		got = append(got, vals.Value(d.GetValueIndex(i)))
	}
	if want := []string{"b", "a", "<null>"}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("got %v, want %v", got, want)
	}
}
