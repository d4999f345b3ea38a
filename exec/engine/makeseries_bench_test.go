package engine

import (
	"context"
	"fmt"
	"math/rand"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// genISPEvents makes n CloudAppEvents-like rows over 60 days: Timestamp
// and ISP (keys distinct values).
func genISPEvents(mem memory.Allocator, n, keys int) *memTable {
	schema := kernels.Schema(&types.Schema{Columns: []types.Column{
		{Name: "Timestamp", Type: types.DateTime}, {Name: "ISP", Type: types.String},
	}})
	names := make([]string, keys)
	for i := range names {
		names[i] = fmt.Sprintf("ISP %d Networks", i)
	}
	rnd := rand.New(rand.NewSource(1))
	t := &memTable{name: "CloudAppEvents", schema: schema}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	span := int64(60 * 24 * time.Hour)
	for start := 0; start < n; start += ops.DefaultBatchRows {
		cnt := min(ops.DefaultBatchRows, n-start)
		b := array.NewRecordBuilder(mem, schema)
		ts := b.Field(0).(*array.TimestampBuilder)
		isp := b.Field(1).(*array.StringBuilder)
		ts.Reserve(cnt)
		isp.Reserve(cnt)
		for i := 0; i < cnt; i++ {
			ts.UnsafeAppend(arrow.Timestamp(base + rnd.Int63n(span)))
			isp.Append(names[rnd.Intn(keys)])
		}
		t.recs = append(t.recs, b.NewRecord())
		b.Release()
	}
	return t
}

// BenchmarkMakeSeriesISP is the playbook's ISP baseline at scale:
// make-series by ISP (5,000 keys, 12h steps over 60 days) over 10M rows.
// It reports rows/s and the peak Go heap during the query (the input table
// itself is about 300 MB).
func BenchmarkMakeSeriesISP(b *testing.B) {
	const rows, keys = 10_000_000, 5000
	mem := memory.NewGoAllocator()
	tbl := genISPEvents(mem, rows, keys)
	defer ops.ReleaseRecords(tbl.recs)
	cat := catalog.New()
	cat.Add(tbl)
	src := lang.NewSource("q", `CloudAppEvents
| make-series ActivityCount = count() default = 0 on Timestamp from datetime(2024-01-01) to datetime(2024-03-01) step 12h by ISP`)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak.Load() {
					peak.Store(ms.HeapAlloc)
				}
			}
		}
	}()
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Run(context.Background(), src, Options{Catalog: cat, Mem: mem})
		if err != nil {
			b.Fatal(err)
		}
		if res.NumRows() != keys {
			b.Fatalf("got %d series, want %d", res.NumRows(), keys)
		}
		res.Release()
	}
	b.StopTimer()
	cpu := cpuSeconds() - cpu0
	close(stop)
	<-done
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	// the machine may be shared: rows per CPU second (user+system, all
	// threads) does not depend on what else runs
	b.ReportMetric(float64(rows)*float64(b.N)/cpu, "rows/cpu-s")
	b.ReportMetric(float64(before.HeapAlloc)/(1<<20), "MB-heap-input")
	b.ReportMetric(float64(peak.Load())/(1<<20), "MB-heap-peak")
}

// genIdentityJoin makes n CloudAppEvents-like rows (AccountObjectId, a
// GUID-like text over ids accounts, skewed) and an IdentityInfo table of
// the ids accounts with a Department (8 values) and a Upn.
func genIdentityJoin(mem memory.Allocator, n, ids int) (*memTable, *memTable) {
	evSchema := kernels.Schema(&types.Schema{Columns: []types.Column{{Name: "AccountObjectId", Type: types.String}}})
	idSchema := kernels.Schema(&types.Schema{Columns: []types.Column{
		{Name: "AccountObjectId", Type: types.String}, {Name: "AccountUpn", Type: types.String}, {Name: "Department", Type: types.String},
	}})
	guid := func(i int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", i*2654435761%(1<<32), i) }
	id := &memTable{name: "IdentityInfo", schema: idSchema}
	b := array.NewRecordBuilder(mem, idSchema)
	for i := 0; i < ids; i++ {
		b.Field(0).(*array.StringBuilder).Append(guid(i))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("user%d@example.com", i))
		b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("Dept%d", i%8))
	}
	id.recs = append(id.recs, b.NewRecord())
	b.Release()
	rnd := rand.New(rand.NewSource(2))
	zipf := rand.NewZipf(rnd, 1.1, 1, uint64(ids-1))
	ev := &memTable{name: "CloudAppEvents", schema: evSchema}
	for start := 0; start < n; start += ops.DefaultBatchRows {
		cnt := min(ops.DefaultBatchRows, n-start)
		sb := array.NewStringBuilder(mem)
		sb.Reserve(cnt)
		for i := 0; i < cnt; i++ {
			sb.Append(guid(int(zipf.Uint64())))
		}
		col := sb.NewArray()
		ev.recs = append(ev.recs, array.NewRecord(evSchema, []arrow.Array{col}, int64(cnt)))
		col.Release()
		sb.Release()
	}
	return ev, id
}

// BenchmarkJoinIdentity is bench/run's join_identity in memory (no
// Parquet): 2M events joined on AccountObjectId with 50k identities, then
// counted by Department; kind=inner and the default innerunique.
func BenchmarkJoinIdentity(b *testing.B) {
	const rows, ids = 2_000_000, 50_000
	mem := memory.NewGoAllocator()
	ev, id := genIdentityJoin(mem, rows, ids)
	defer ops.ReleaseRecords(ev.recs)
	defer ops.ReleaseRecords(id.recs)
	cat := catalog.New()
	cat.Add(ev)
	cat.Add(id)
	for _, kind := range []string{"inner", "innerunique"} {
		b.Run(kind, func(b *testing.B) {
			src := lang.NewSource("q", `CloudAppEvents | join kind=`+kind+` (IdentityInfo) on AccountObjectId | summarize n=count() by Department`)
			cpu0 := cpuSeconds()
			for i := 0; i < b.N; i++ {
				res, err := Run(context.Background(), src, Options{Catalog: cat, Mem: mem})
				if err != nil {
					b.Fatal(err)
				}
				if res.NumRows() != 8 {
					b.Fatalf("got %d departments, want 8", res.NumRows())
				}
				res.Release()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(rows)*float64(b.N)/(cpuSeconds()-cpu0), "rows/cpu-s")
		})
	}
}
