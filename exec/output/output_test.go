package output

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// everyKind builds a record with one column per KQL kind: a row of
// values, a row of nulls, and a row of edge values.
func everyKind(t *testing.T, mem memory.Allocator) arrow.Record {
	t.Helper()
	kinds := []types.Kind{types.Bool, types.Int, types.Long, types.Real, types.Decimal, types.String, types.DateTime, types.TimeSpan, types.Guid, types.Dynamic}
	names := []string{"b", "i", "l", "r", "d", "s", "t", "ts", "g", "y"}
	fields := make([]arrow.Field, len(kinds))
	for i, k := range kinds {
		fields[i] = kernels.Field(names[i], k)
	}
	schema := arrow.NewSchema(fields, nil)
	rb := array.NewRecordBuilder(mem, schema)
	defer rb.Release()
	rb.Field(0).(*array.BooleanBuilder).AppendValues([]bool{true, false, false}, []bool{true, false, true})
	rb.Field(1).(*array.Int32Builder).AppendValues([]int32{-7, 0, math.MaxInt32}, []bool{true, false, true})
	rb.Field(2).(*array.Int64Builder).AppendValues([]int64{1, 0, math.MinInt64}, []bool{true, false, true})
	rb.Field(3).(*array.Float64Builder).AppendValues([]float64{2.5, 0, math.NaN()}, []bool{true, false, true})
	rb.Field(4).(*array.Float64Builder).AppendValues([]float64{0.1, 0, math.Inf(-1)}, []bool{true, false, true})
	rb.Field(5).(*array.StringBuilder).AppendValues([]string{"a \"q\", b", "", "line1\nline2\ttab"}, nil)
	ts := rb.Field(6).(*array.TimestampBuilder)
	ts.Append(arrow.Timestamp(1704164645123456700)) // 2024-01-02T03:04:05.1234567Z
	ts.AppendNull()
	ts.Append(0)
	du := rb.Field(7).(*array.DurationBuilder)
	du.Append(arrow.Duration(types.Day + 2*types.Hour + 3*types.Minute + 4*types.Second + 500*types.Millisecond))
	du.AppendNull()
	du.Append(arrow.Duration(-types.Hour))
	rb.Field(8).(*array.StringBuilder).AppendValues([]string{"6f8b5e4a-0c1d-4e2f-9a3b-1c2d3e4f5a6b", "", ""}, []bool{true, false, false})
	rb.Field(9).(*array.StringBuilder).AppendValues([]string{`{"k":[1,"x",null]}`, "", `"str"`}, []bool{true, false, true})
	return rb.NewRecord()
}

func write(t *testing.T, format string, opts Options, recs ...arrow.Record) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := New(&buf, format, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Begin(recs[0].Schema()); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.End(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func check(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n--- got ---\n%s\n--- want ---\n%s", what, got, want)
	}
}

func TestJSONv1ExactBytes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := everyKind(t, mem)
	defer rec.Release()
	got := write(t, "json", Options{}, rec)
	want := `{"Tables":[{"TableName":"Table_0","Columns":[` +
		`{"ColumnName":"b","DataType":"Boolean","ColumnType":"bool"},` +
		`{"ColumnName":"i","DataType":"Int32","ColumnType":"int"},` +
		`{"ColumnName":"l","DataType":"Int64","ColumnType":"long"},` +
		`{"ColumnName":"r","DataType":"Double","ColumnType":"real"},` +
		`{"ColumnName":"d","DataType":"Decimal","ColumnType":"decimal"},` +
		`{"ColumnName":"s","DataType":"String","ColumnType":"string"},` +
		`{"ColumnName":"t","DataType":"DateTime","ColumnType":"datetime"},` +
		`{"ColumnName":"ts","DataType":"TimeSpan","ColumnType":"timespan"},` +
		`{"ColumnName":"g","DataType":"Guid","ColumnType":"guid"},` +
		`{"ColumnName":"y","DataType":"Object","ColumnType":"dynamic"}],"Rows":[` +
		`[true,-7,1,2.5,0.1,"a \"q\", b","2024-01-02T03:04:05.1234567Z","1.02:03:04.5000000","6f8b5e4a-0c1d-4e2f-9a3b-1c2d3e4f5a6b",{"k":[1,"x",null]}],` +
		`[null,null,null,null,null,"",null,null,null,null],` +
		`[false,2147483647,-9223372036854775808,"NaN","-Infinity","line1\nline2\ttab","1970-01-01T00:00:00Z","-01:00:00",null,"str"]` +
		"]}]}\n"
	check(t, "json", got, want)
	var v any
	if err := json.Unmarshal([]byte(got), &v); err != nil {
		t.Errorf("not valid JSON: %v", err)
	}
}

func TestJSONSeveralTablesAndEmpty(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{kernels.Field("n", types.Long)}, nil)
	b := array.NewInt64Builder(mem)
	b.AppendValues([]int64{1, 2}, nil)
	col := b.NewArray()
	b.Release()
	rec := array.NewRecord(schema, []arrow.Array{col}, 2)
	col.Release()
	defer rec.Release()
	var buf bytes.Buffer
	w, _ := New(&buf, "json", Options{TableNames: []string{"Primary"}})
	w.Begin(schema)
	w.Write(rec)
	w.Write(rec)
	w.End()
	w.Begin(schema)
	w.End()
	w.Close()
	check(t, "two tables", buf.String(), `{"Tables":[{"TableName":"Primary","Columns":[{"ColumnName":"n","DataType":"Int64","ColumnType":"long"}],"Rows":[[1],[2],[1],[2]]},`+
		`{"TableName":"Table_1","Columns":[{"ColumnName":"n","DataType":"Int64","ColumnType":"long"}],"Rows":[]}]}`+"\n")
	buf.Reset()
	w, _ = New(&buf, "json", Options{})
	w.Close()
	check(t, "no tables", buf.String(), `{"Tables":[]}`+"\n")
}

func TestCSV(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := everyKind(t, mem)
	defer rec.Release()
	check(t, "plain csv", write(t, "csv", Options{}, rec), strings.Join([]string{
		"b,i,l,r,d,s,t,ts,g,y",
		`true,-7,1,2.5,0.1,"a ""q"", b",2024-01-02T03:04:05.1234567Z,1.02:03:04.5000000,6f8b5e4a-0c1d-4e2f-9a3b-1c2d3e4f5a6b,"{""k"":[1,""x"",null]}"`,
		`,,,,,,,,,`,
		"false,2147483647,-9223372036854775808,NaN,-Infinity,\"line1\nline2\ttab\",1970-01-01T00:00:00.0000000Z,-01:00:00,,str",
		""}, "\n"))
	check(t, "typed csv", write(t, "csv", Options{TypedHeader: true}, rec), strings.Join([]string{
		"b:bool,i:int,l:long,r:real,d:decimal,s:string,t:datetime,ts:timespan,g:guid,y:dynamic",
		`true,-7,1,2.5,0.1,"a ""q"", b",2024-01-02T03:04:05.1234567Z,1.02:03:04.5,6f8b5e4a-0c1d-4e2f-9a3b-1c2d3e4f5a6b,"{""k"":[1,""x"",null]}"`,
		`,,,,,,,,,`,
		"false,2147483647,-9223372036854775808,NaN,-Infinity,\"line1\nline2\ttab\",1970-01-01T00:00:00Z,-01:00:00,,\"\"\"str\"\"\"",
		""}, "\n"))
	check(t, "tsv", strings.SplitN(write(t, "tsv", Options{}, rec), "\n", 2)[0], "b\ti\tl\tr\td\ts\tt\tts\tg\ty")
}

func TestCSVSingleNullColumn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{kernels.Field("x", types.Long)}, nil)
	b := array.NewInt64Builder(mem)
	b.AppendValues([]int64{5, 0}, []bool{true, false})
	col := b.NewArray()
	b.Release()
	rec := array.NewRecord(schema, []arrow.Array{col}, 2)
	col.Release()
	defer rec.Release()
	check(t, "csv", write(t, "csv", Options{TypedHeader: true}, rec), "x:long\n5\n\"\"\n")
}

func TestJSONL(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := everyKind(t, mem)
	defer rec.Release()
	lines := strings.Split(write(t, "jsonl", Options{}, rec), "\n")
	check(t, "line 1", lines[0], `{"b":true,"i":-7,"l":1,"r":2.5,"d":0.1,"s":"a \"q\", b","t":"2024-01-02T03:04:05.1234567Z","ts":"1.02:03:04.5000000","g":"6f8b5e4a-0c1d-4e2f-9a3b-1c2d3e4f5a6b","y":{"k":[1,"x",null]}}`)
	check(t, "line 2", lines[1], `{"b":null,"i":null,"l":null,"r":null,"d":null,"s":"","t":null,"ts":null,"g":null,"y":null}`)
	if len(lines) != 4 || lines[3] != "" {
		t.Errorf("want 3 lines and a final newline, got %q", lines)
	}
	check(t, "AppendRowObject", string(AppendRowObject(nil, rec, 0)), lines[0])
}

func TestTable(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{kernels.Field("Name", types.String), kernels.Field("Count", types.Long), kernels.Field("Note", types.String)}, nil)
	rb := array.NewRecordBuilder(mem, schema)
	defer rb.Release()
	rb.Field(0).(*array.StringBuilder).AppendValues([]string{"alice", "bob", "日本語"}, nil)
	rb.Field(1).(*array.Int64Builder).AppendValues([]int64{5, 12345, 0}, []bool{true, true, false})
	rb.Field(2).(*array.StringBuilder).AppendValues([]string{"short", "a rather long note that will not fit\nat all", ""}, nil)
	rec := rb.NewRecord()
	defer rec.Release()
	check(t, "table", write(t, "table", Options{MaxCell: 20}, rec), strings.Join([]string{
		"Name    Count  Note",
		"------  -----  --------------------",
		"alice       5  short",
		"bob     12345  a rather long note …",
		"日本語",
		"(3 rows)",
		""}, "\n"))
	check(t, "narrow table", write(t, "table", Options{Width: 24}, rec), strings.Join([]string{
		"Name    Count  Note",
		"------  -----  ---------",
		"alice       5  short",
		"bob     12345  a rather…",
		"日本語",
		"(3 rows)",
		""}, "\n"))
}

type sliceStream struct {
	schema *arrow.Schema
	recs   []arrow.Record
}

func (s *sliceStream) Schema() *arrow.Schema { return s.schema }
func (s *sliceStream) Next(context.Context) (arrow.Record, error) {
	if len(s.recs) == 0 {
		return nil, nil
	}
	r := s.recs[0]
	s.recs = s.recs[1:]
	return r, nil
}

func TestWriteReleasesRecords(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	a, b := everyKind(t, mem), everyKind(t, mem)
	var buf bytes.Buffer
	n, err := Write(context.Background(), &buf, "table", &sliceStream{a.Schema(), []arrow.Record{a, b}}, Options{})
	if err != nil || n != 6 {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if !strings.HasSuffix(buf.String(), "(6 rows)\n") {
		t.Errorf("table ends %q", buf.String()[len(buf.String())-20:])
	}
	if _, err := New(&buf, "xml", Options{}); err == nil {
		t.Error("unknown format accepted")
	}
}

func BenchmarkWriters(b *testing.B) {
	mem := memory.NewGoAllocator()
	one := everyKind(&testing.T{}, mem)
	defer one.Release()
	// 3 rows × 10 columns repeated to 30k rows per record.
	recs := make([]arrow.Record, 10000)
	for i := range recs {
		recs[i] = one
	}
	for _, f := range Formats() {
		b.Run(f, func(b *testing.B) {
			b.ReportAllocs()
			var n int64
			for i := 0; i < b.N; i++ {
				cw := &countWriter{}
				w, _ := New(cw, f, Options{})
				w.Begin(one.Schema())
				for _, r := range recs {
					w.Write(r)
				}
				w.End()
				w.Close()
				n = cw.n
			}
			b.SetBytes(n)
			b.ReportMetric(float64(30000*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }
