package host

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

const benchRows = 1 << 20

// benchInput yields benchRows rows in 64Ki-row batches of (User string, N long).
type benchInput struct {
	schema *arrow.Schema
	batch  arrow.Record
	left   int
}

func newBenchInput(mem memory.Allocator) *benchInput {
	schema := arrow.NewSchema([]arrow.Field{kernels.Field("User", types.String), kernels.Field("N", types.Long)}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i := 0; i < 64<<10; i++ {
		b.Field(0).(*array.StringBuilder).Append("user" + string(rune('a'+i%26)) + "@contoso.com")
		b.Field(1).(*array.Int64Builder).Append(int64(i))
	}
	return &benchInput{schema: schema, batch: b.NewRecord(), left: benchRows}
}

func (in *benchInput) Schema() *arrow.Schema { return in.schema }

func (in *benchInput) Next(context.Context) (arrow.Record, error) {
	if in.left <= 0 {
		return nil, nil
	}
	in.left -= int(in.batch.NumRows())
	in.batch.Retain()
	return in.batch, nil
}

// BenchmarkPassThroughPlugin sends 1M rows through the echo test plugin
// (a separate process, Arrow IPC through its shared arenas) and back.
func BenchmarkPassThroughPlugin(b *testing.B) { benchPassThrough(b, Options{}) }

// BenchmarkPassThroughPluginFiles is the same without the arenas
// (protocol minor 3: a shared-memory file per batch group).
func BenchmarkPassThroughPluginFiles(b *testing.B) {
	benchPassThrough(b, Options{ArenaBytes: -1})
}

// BenchmarkPassThroughPluginCopyOutput is the same with every output slot
// copied into Go memory (as before pinned output slots).
func BenchmarkPassThroughPluginCopyOutput(b *testing.B) {
	benchPassThrough(b, Options{CopyOutput: true})
}

// BenchmarkPassThroughPluginNoRefs is the same without reference columns
// (the plugin sends every output column back, through the arenas).
func BenchmarkPassThroughPluginNoRefs(b *testing.B) {
	benchPassThrough(b, Options{NoReferences: true})
}

// BenchmarkPassThroughPluginInline is the same with every batch inline in
// the gRPC stream (older plugins, or NoSharedMemory).
func BenchmarkPassThroughPluginInline(b *testing.B) {
	benchPassThrough(b, Options{NoSharedMemory: true})
}

func benchPassThrough(b *testing.B, opts Options) {
	opts.Dirs, opts.Timeout = []string{pluginDir}, time.Minute
	h, err := New(opts)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	mem := memory.NewGoAllocator()
	if _, err := h.Describe(context.Background(), "echo"); err != nil { // start it outside the timing
		b.Fatal(err)
	}
	pid := h.running["echo"].client.ReattachConfig().Pid
	host0, plugin0 := cpuTime(b, 0), cpuTime(b, pid)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in := newBenchInput(mem)
		out, err := h.Evaluate(context.Background(), "echo", nil, in, mem)
		if err != nil {
			b.Fatal(err)
		}
		rows := 0
		for {
			rec, err := out.Next()
			if err != nil {
				b.Fatal(err)
			}
			if rec == nil {
				break
			}
			rows += int(rec.NumRows())
			rec.Release()
		}
		out.Close()
		in.batch.Release()
		if rows != benchRows {
			b.Fatalf("%d rows", rows)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	// CPU time of both processes: what the IPC path costs, whatever the load.
	host, plugin := cpuTime(b, 0)-host0, cpuTime(b, pid)-plugin0
	b.ReportMetric(float64((host+plugin).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(host.Milliseconds())/float64(b.N), "host-cpu-ms/op")
	b.ReportMetric(float64(plugin.Milliseconds())/float64(b.N), "plugin-cpu-ms/op")
}

// cpuTime is the user+system CPU time of process pid (0: this one), from /proc.
func cpuTime(b *testing.B, pid int) time.Duration {
	path := "/proc/self/stat"
	if pid != 0 {
		path = "/proc/" + strconv.Itoa(pid) + "/stat"
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return 0 // not Linux: no CPU metric
	}
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * (time.Second / 100) // USER_HZ
}

// BenchmarkInProcessBaseline does the echo plugin's work in process: the
// same batches, the same added Score column, no IPC.
func BenchmarkInProcessBaseline(b *testing.B) {
	mem := memory.NewGoAllocator()
	cpu0 := cpuTime(b, 0)
	for i := 0; i < b.N; i++ {
		in := newBenchInput(mem)
		schema := arrow.NewSchema(append(in.schema.Fields(), kernels.Field("Score", types.Real)), nil)
		rows := 0
		for {
			rec, _ := in.Next(context.Background())
			if rec == nil {
				break
			}
			fb := array.NewFloat64Builder(mem)
			for j := int64(0); j < rec.NumRows(); j++ {
				fb.Append(float64(j) * 2)
			}
			score := fb.NewArray()
			out := array.NewRecord(schema, append(append([]arrow.Array{}, rec.Columns()...), score), rec.NumRows())
			rows += int(out.NumRows())
			out.Release()
			score.Release()
			fb.Release()
			rec.Release()
		}
		in.batch.Release()
		if rows != benchRows {
			b.Fatalf("%d rows", rows)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64((cpuTime(b, 0)-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
}
