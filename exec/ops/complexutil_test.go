package ops

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// tsrc is a test source operator over fixed records.
type tsrc struct {
	schema *arrow.Schema
	recs   []arrow.Record
	closed bool
}

func (s *tsrc) Schema() *arrow.Schema { return s.schema }
func (s *tsrc) Next(context.Context) (arrow.Record, error) {
	if len(s.recs) == 0 {
		return nil, nil
	}
	r := s.recs[0]
	s.recs = s.recs[1:]
	return r, nil
}
func (s *tsrc) Close() {
	releaseAll(s.recs)
	s.recs = nil
	s.closed = true
}

// mkSchema parses "a:string,b:long".
func mkSchema(t testing.TB, spec string) *arrow.Schema {
	t.Helper()
	var fs []arrow.Field
	for _, c := range strings.Split(spec, ",") {
		nt := strings.SplitN(c, ":", 2)
		k, ok := types.ParseKind(nt[1])
		if !ok {
			t.Fatalf("bad kind %q", nt[1])
		}
		fs = append(fs, kernels.Field(nt[0], k))
	}
	return arrow.NewSchema(fs, nil)
}

// mkRec builds a record; each row is a slice of Go values (nil = null);
// datetime/timespan columns take int64 nanoseconds.
func mkRec(t testing.TB, mem memory.Allocator, s *arrow.Schema, rows ...[]any) arrow.Record {
	t.Helper()
	b := array.NewRecordBuilder(mem, s)
	defer b.Release()
	for _, row := range rows {
		for c, v := range row {
			fb := b.Field(c)
			if v == nil {
				fb.AppendNull()
				continue
			}
			switch fb := fb.(type) {
			case *array.Int32Builder:
				fb.Append(int32(v.(int)))
			case *array.Int64Builder:
				switch x := v.(type) {
				case int:
					fb.Append(int64(x))
				case int64:
					fb.Append(x)
				}
			case *array.Float64Builder:
				fb.Append(v.(float64))
			case *array.BooleanBuilder:
				fb.Append(v.(bool))
			case *array.StringBuilder:
				fb.Append(v.(string))
			case *array.TimestampBuilder:
				fb.Append(arrow.Timestamp(v.(int64)))
			case *array.DurationBuilder:
				fb.Append(arrow.Duration(v.(int64)))
			default:
				t.Fatalf("unsupported builder %T", fb)
			}
		}
	}
	return b.NewRecord()
}

func src(t testing.TB, mem memory.Allocator, spec string, rows ...[]any) *tsrc {
	s := mkSchema(t, spec)
	return &tsrc{schema: s, recs: []arrow.Record{mkRec(t, mem, s, rows...)}}
}

// collect drains op and renders every row as "v1|v2|..." (null = "∅").
func collect(t testing.TB, op Operator) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	for {
		r, err := op.Next(ctx)
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if r == nil {
			break
		}
		if !r.Schema().Equal(op.Schema()) {
			t.Errorf("record schema %v differs from operator schema %v", r.Schema(), op.Schema())
		}
		for i := 0; i < int(r.NumRows()); i++ {
			var cells []string
			for c := 0; c < int(r.NumCols()); c++ {
				a := r.Column(c)
				if a.IsNull(i) {
					cells = append(cells, "∅")
					continue
				}
				cells = append(cells, fmt.Sprint(a.GetOneForMarshal(i)))
			}
			out = append(out, strings.Join(cells, "|"))
		}
		r.Release()
	}
	return out
}

func names(s *arrow.Schema) string {
	var n []string
	for _, f := range s.Fields() {
		n = append(n, f.Name+":"+kernels.KindOf(f).String())
	}
	return strings.Join(n, ",")
}

func sorted(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

func eqRows(t testing.TB, got, want []string, ordered bool) {
	t.Helper()
	g, w := got, want
	if !ordered {
		g, w = sorted(got), sorted(want)
	}
	if strings.Join(g, "\n") != strings.Join(w, "\n") {
		t.Errorf("rows differ\n got:\n  %s\nwant:\n  %s", strings.Join(g, "\n  "), strings.Join(w, "\n  "))
	}
}

func checked(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// cpuSeconds is the process's user+system CPU time (benchmarks report
// rows per CPU-second too: wall time is noisy on a shared machine).
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
