package kernels

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// benchGrouped runs aggregate id over 1M seeded rows (values in [0, card))
// in 64Ki-row batches, with ngroups groups and the given null fraction.
func benchGrouped(b *testing.B, id string, kind types.Kind, ngroups, card int, nullFrac float64) {
	const rows = 1 << 20
	const batch = 64 * 1024
	mem := memory.NewGoAllocator()
	rng := rand.New(rand.NewSource(1))
	var datums []Datum
	var groups [][]uint32
	for lo := 0; lo < rows; lo += batch {
		bld := array.NewBuilder(mem, ArrowType(kind))
		g := make([]uint32, batch)
		for i := 0; i < batch; i++ {
			g[i] = uint32(rng.Intn(ngroups))
			if rng.Float64() < nullFrac {
				bld.AppendNull()
				continue
			}
			v := int64(rng.Intn(card))
			switch bb := bld.(type) {
			case *array.Int64Builder:
				bb.Append(v)
			case *array.Float64Builder:
				bb.Append(float64(v))
			case *array.StringBuilder:
				bb.Append(fmt.Sprintf("user%d@contoso.com", v))
			}
		}
		datums = append(datums, Datum{Array: bld.NewArray(), Kind: kind})
		bld.Release()
		groups = append(groups, g)
	}
	defer func() {
		for _, d := range datums {
			d.Release()
		}
	}()
	k, err := Aggregate(id)
	if err != nil {
		b.Fatal(err)
	}
	result := kind
	if id == "dcount" {
		result = types.Long
	}
	b.SetBytes(rows * 8)
	b.ReportAllocs()
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		st, _ := k(&Ctx{Mem: mem}, []types.Kind{kind}, nil, result)
		for i, d := range datums {
			if err := st.Update([]Datum{d}, groups[i], ngroups); err != nil {
				b.Fatal(err)
			}
		}
		out, err := st.Finish(mem, ngroups)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
}

func BenchmarkSumLong1M_1kGroups(b *testing.B) { benchGrouped(b, "sum", types.Long, 1000, 1<<30, 0) }
func BenchmarkSumLong1M_Nulls10(b *testing.B)  { benchGrouped(b, "sum", types.Long, 1000, 1<<30, 0.1) }
func BenchmarkSumReal1M_1kGroups(b *testing.B) { benchGrouped(b, "sum", types.Real, 1000, 1<<30, 0) }
func BenchmarkDcountLong1M_1kGroups(b *testing.B) {
	benchGrouped(b, "dcount", types.Long, 1000, 100000, 0)
}
func BenchmarkDcountLong1M_10Groups(b *testing.B) {
	benchGrouped(b, "dcount", types.Long, 10, 1000000, 0)
}
func BenchmarkDcountString1M_1kGroups(b *testing.B) {
	benchGrouped(b, "dcount", types.String, 1000, 100000, 0)
}
