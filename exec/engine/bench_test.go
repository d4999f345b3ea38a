package engine

import (
	"context"
	"fmt"
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// memTable is an in-memory catalog table over records.
type memTable struct {
	name   string
	schema *arrow.Schema
	recs   []arrow.Record
}

func (m *memTable) Name() string          { return m.name }
func (m *memTable) Schema() *arrow.Schema { return m.schema }
func (m *memTable) Scan(ctx context.Context, opts catalog.ScanOptions) (catalog.RecordReader, error) {
	return ops.NewRecordsSource(m.schema, m.recs), nil
}

// genEvents makes n rows: Timestamp, User (1000 values), IP (5000 values),
// ActionType (20 values), Bytes, Tags (dynamic array of 3).
func genEvents(mem memory.Allocator, n int) *memTable {
	schema := kernels.Schema(&types.Schema{Columns: []types.Column{
		{Name: "Timestamp", Type: types.DateTime}, {Name: "User", Type: types.String},
		{Name: "IP", Type: types.String}, {Name: "ActionType", Type: types.String},
		{Name: "Bytes", Type: types.Long}, {Name: "Tags", Type: types.Dynamic},
	}})
	rnd := rand.New(rand.NewSource(1))
	t := &memTable{name: "Events", schema: schema}
	base := int64(1_700_000_000) * 1e9
	for start := 0; start < n; start += ops.DefaultBatchRows {
		cnt := min(ops.DefaultBatchRows, n-start)
		b := array.NewRecordBuilder(mem, schema)
		for i := 0; i < cnt; i++ {
			b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(base + int64(start+i)*1e9))
			b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("user%d@contoso.com", rnd.Intn(1000)))
			b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("10.0.%d.%d", rnd.Intn(20), rnd.Intn(250)))
			b.Field(3).(*array.StringBuilder).Append(fmt.Sprintf("Action%d", rnd.Intn(20)))
			b.Field(4).(*array.Int64Builder).Append(rnd.Int63n(100000))
			b.Field(5).(*array.StringBuilder).Append(fmt.Sprintf(`["t%d","t%d","t%d"]`, rnd.Intn(9), rnd.Intn(9), rnd.Intn(9)))
		}
		t.recs = append(t.recs, b.NewRecord())
		b.Release()
	}
	return t
}

const benchRows = 1_000_000

func benchQuery(b *testing.B, query string) {
	mem := memory.NewGoAllocator()
	tbl := genEvents(mem, benchRows)
	defer ops.ReleaseRecords(tbl.recs)
	cat := catalog.New()
	cat.Add(tbl)
	src := lang.NewSource("q", query)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Run(context.Background(), src, Options{Catalog: cat, Mem: mem})
		if err != nil {
			b.Fatal(err)
		}
		res.Release()
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkFilter(b *testing.B) {
	benchQuery(b, `Events | where ActionType == "Action3" and Bytes > 50000 | count`)
}

func BenchmarkSummarizeTwoKeys(b *testing.B) {
	benchQuery(b, `Events | summarize n = count(), total = sum(Bytes) by User, ActionType`)
}

func BenchmarkDcount(b *testing.B) {
	benchQuery(b, `Events | summarize dcount(IP) by ActionType`)
}

func BenchmarkJoin(b *testing.B) {
	benchQuery(b, `Events | join kind=inner (Events | summarize m = max(Bytes) by User) on User | count`)
}

func BenchmarkMvExpand(b *testing.B) {
	benchQuery(b, `Events | mv-expand Tags | summarize count() by tostring(Tags)`)
}

func BenchmarkSort(b *testing.B) {
	benchQuery(b, `Events | top 10 by Bytes`)
}
