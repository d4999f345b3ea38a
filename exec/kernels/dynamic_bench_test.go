//go:build unix

package kernels

import (
	"fmt"
	"syscall"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/lang/types"
)

// dxtAuditBatch builds a batch of n Unified Audit Log style AuditData
// documents (≈ 900 bytes each), like CloudAppEvents.RawEventData.
func dxtAuditBatch(mem memory.Allocator, n int) (Datum, int) {
	b := array.NewStringBuilder(mem)
	defer b.Release()
	ops := []string{"New-InboxRule", "Set-Mailbox", "Set-InboxRule", "Add-MailboxPermission"}
	size := 0
	for i := 0; i < n; i++ {
		doc := fmt.Sprintf(`{"CreationTime":"2024-02-28T10:%02d:%02d","Id":"%08x-1c2b-4d5e-8f90-a1b2c3d4e5f6","Operation":%q,`+
			`"OrganizationId":"4a1c7d0e-2b3f-4c5d-9e8f-7a6b5c4d3e2f","RecordType":1,"ResultStatus":"True","UserKey":"1003200%05d","UserType":2,`+
			`"Version":1,"Workload":"Exchange","ClientIP":"203.0.113.%d:%d","ObjectId":"user%d@contoso.com\\Inbox rule %d",`+
			`"UserId":"user%d@contoso.com","AppId":"00000002-0000-0ff1-ce00-000000000000","ClientAppId":"","ExternalAccess":false,`+
			`"OrganizationName":"contoso.onmicrosoft.com","OriginatingServer":"AM6PR01MB%04d (15.20.7316.030)",`+
			`"Parameters":[{"Name":"AlwaysDeleteOutlookRulesBlob","Value":"False"},{"Name":"Force","Value":"False"},`+
			`{"Name":"Identity","Value":"user%d@contoso.com"},{"Name":"ForwardTo","Value":"attacker%d@evil.example"},`+
			`{"Name":"StopProcessingRules","Value":"True"}],"SessionId":"%08x-aaaa-bbbb-cccc-dddddddddddd"}`,
			i%60, i%60, i, ops[i%len(ops)], i, i%256, 40000+i%20000, i, i, i, i%10000, i, i, i)
		size += len(doc)
		b.Append(doc)
	}
	return Datum{Array: b.NewArray(), Kind: types.Dynamic}, size
}

// dxtCPU returns the process's user+system CPU time in nanoseconds: the
// machine running the benchmarks is shared, so CPU time per row is the
// figure to compare, not wall time.
func dxtCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkMemberAccess measures RawEventData.Parameters[0].Value over 1M
// rows (16 batches of 64 Ki rows), as three chained kernels and as one
// fused __path kernel.
func BenchmarkMemberAccess(b *testing.B) {
	const batch = 1 << 16
	const batches = 16
	mem := memory.NewGoAllocator()
	x, size := dxtAuditBatch(mem, batch)
	defer x.Release()
	params := dxtStrS(mem, "Parameters")
	zero := dxtLongS(mem, 0)
	value := dxtStrS(mem, "Value")
	defer params.Release()
	defer zero.Release()
	defer value.Release()
	ctx := &Ctx{Mem: mem}
	member, _ := Scalar("__member")
	index, _ := Scalar("__index_long")
	path, _ := Scalar("__path")

	b.Run("chained", func(b *testing.B) {
		b.SetBytes(int64(size) * batches)
		b.ReportAllocs()
		cpu0 := dxtCPU()
		for it := 0; it < b.N; it++ {
			for k := 0; k < batches; k++ {
				p, err := member(ctx, []Datum{x, params}, batch)
				if err != nil {
					b.Fatal(err)
				}
				e, err := index(ctx, []Datum{p, zero}, batch)
				if err != nil {
					b.Fatal(err)
				}
				v, err := member(ctx, []Datum{e, value}, batch)
				if err != nil {
					b.Fatal(err)
				}
				if it == 0 && k == 0 && v.Array.(*array.String).Value(7) != `"False"` {
					b.Fatalf("wrong value %q", v.Array.(*array.String).Value(7))
				}
				p.Release()
				e.Release()
				v.Release()
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch*batches), "ns/row")
		b.ReportMetric(float64(dxtCPU()-cpu0)/float64(b.N*batch*batches), "cpu-ns/row")
	})
	b.Run("fused", func(b *testing.B) {
		b.SetBytes(int64(size) * batches)
		b.ReportAllocs()
		cpu0 := dxtCPU()
		for it := 0; it < b.N; it++ {
			for k := 0; k < batches; k++ {
				v, err := path(ctx, []Datum{x, params, zero, value}, batch)
				if err != nil {
					b.Fatal(err)
				}
				if it == 0 && k == 0 && v.Array.(*array.String).Value(7) != `"False"` {
					b.Fatalf("wrong value %q", v.Array.(*array.String).Value(7))
				}
				v.Release()
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch*batches), "ns/row")
		b.ReportMetric(float64(dxtCPU()-cpu0)/float64(b.N*batch*batches), "cpu-ns/row")
	})
}
