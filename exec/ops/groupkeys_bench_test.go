package ops

import (
	"context"
	"fmt"
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/expr"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// BenchmarkSummarize2Keys: count() by two string keys (50k × 10 values,
// Zipf), 1M rows in 64k-row batches with growing dictionaries, or plain.
func BenchmarkSummarize2Keys(b *testing.B) {
	b.Run("dict", func(b *testing.B) { benchSummarize2Keys(b, false) })
	b.Run("plain", func(b *testing.B) { benchSummarize2Keys(b, true) })
}

func benchSummarize2Keys(b *testing.B, plain bool) {
	mem := memory.NewGoAllocator()
	rnd := rand.New(rand.NewSource(1))
	za := rand.NewZipf(rnd, 1.1, 1, 49999)
	var recs []arrow.Record
	dbA := array.NewDictionaryBuilder(mem, dictType).(*array.BinaryDictionaryBuilder)
	dbB := array.NewDictionaryBuilder(mem, dictType).(*array.BinaryDictionaryBuilder)
	fields := []arrow.Field{{Name: "A", Type: dictType}, {Name: "B", Type: dictType}}
	schema := arrow.NewSchema(fields, nil)
	for bi := 0; bi < 16; bi++ {
		for i := 0; i < 64*1024; i++ {
			_ = dbA.AppendString(fmt.Sprintf("%08x-0000-4000-8000-%012d", za.Uint64(), 7))
			_ = dbB.AppendString(fmt.Sprintf("Action%d", rnd.Intn(10)))
		}
		a, c := dbA.NewArray(), dbB.NewArray()
		if plain {
			pa, pc := kernels.DecodeDict(mem, a), kernels.DecodeDict(mem, c)
			a.Release()
			c.Release()
			a, c = pa, pc
			schema = arrow.NewSchema([]arrow.Field{{Name: "A", Type: arrow.BinaryTypes.String}, {Name: "B", Type: arrow.BinaryTypes.String}}, nil)
		}
		recs = append(recs, array.NewRecord(schema, []arrow.Array{a, c}, int64(a.Len())))
		a.Release()
		c.Release()
	}
	kctx := &kernels.Ctx{Context: context.Background(), Mem: mem}
	b.ResetTimer()
	c0 := cpuSeconds()
	for it := 0; it < b.N; it++ {
		spec := SummarizeSpec{Keys: []expr.Evaluator{colEv{0, types.String}, colEv{1, types.String}}, KeyKinds: []types.Kind{types.String, types.String}}
		k, _ := kernels.Aggregate("count")
		spec.Aggs = []AggSpec{{Kernel: k, Result: types.Long, Fields: []types.Kind{types.Long}}}
		spec.Schema = arrow.NewSchema([]arrow.Field{kernels.Field("A", types.String), kernels.Field("B", types.String), kernels.Field("n", types.Long)}, nil)
		op := NewSummarize(kctx, &tsrc{schema: schema, recs: retainRecs(append([]arrow.Record(nil), recs...))}, spec)
		r, err := op.Next(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if it == 0 {
			b.ReportMetric(float64(r.NumRows()), "groups")
		}
		r.Release()
		op.Close()
	}
	b.ReportMetric((cpuSeconds()-c0)/float64(b.N), "cpu-s/op")
}
