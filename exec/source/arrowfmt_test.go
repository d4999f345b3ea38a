package source

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
)

// canonicalRecord has one column per KQL kind with kernels fields, read
// from the typed CSV fixture (so the values are known from TestTypedCSV).
func canonicalRecord(t *testing.T, mem memory.Allocator) arrow.Record {
	t.Helper()
	tables, err := Load([]Binding{{Path: "testdata/typed.csv"}}, Options{Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	rr, err := tables[0].Scan(t.Context(), catalog.ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Close()
	rec, err := rr.Next(t.Context())
	if err != nil || rec == nil {
		t.Fatalf("scan: %v", err)
	}
	return rec
}

var typedRows = []string{
	`true|1|10000000000|1.5|2.25|hello|2024-01-02T03:04:05.1234567Z|1.02:03:04.5|6f8b5e4a-0c1d-4e2f-9a3b-1c2d3e4f5a6b|{"a":[1,2]}`,
	`false|-2|-3|NaN|0|with, comma|2024-01-02T00:00:00Z|00:00:10|6f8b5e4a-0c1d-4e2f-9a3b-1c2d3e4f5a6b|"x"`,
	`∅|∅|∅|∅|∅||∅|∅|∅|∅`,
	"true|0|0|-Infinity|1000|multi\nline|2024-01-02T03:04:05Z|-01:00:00|∅|[]",
}

const typedSchema = "B:bool,I:int,L:long,R:real,D:decimal,S:string,T:datetime,TS:timespan,G:guid,Y:dynamic"

func TestParquetRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := canonicalRecord(t, mem)
	defer rec.Release()
	// Parquet cannot store Arrow durations: timespans go as int64
	// nanoseconds, known by their kql.type metadata.
	rec = durationsAsInt64(rec)
	defer rec.Release()
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(rec.Schema(), &buf, parquet.NewWriterProperties(), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, dir, "Events.parquet", buf.Bytes())
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(buf.Bytes())
	zw.Close()
	writeFile(t, dir, "Zipped.parquet.gz", gz.Bytes())
	cat, _ := load(t, Options{}, Binding{Path: dir})
	for _, n := range []string{"Events", "Zipped"} {
		tbl := table(t, cat, n)
		eq(t, n+" schema", schemaText(tbl.Schema()), typedSchema)
		eq(t, n+" rows", rows(t, tbl, catalog.ScanOptions{}), typedRows)
		eq(t, n+" row count", tbl.(*Table).Rows(), int64(4))
	}
	// Projection and reordering work on binary sources too.
	eq(t, "projected", rows(t, table(t, cat, "Events"), catalog.ScanOptions{Columns: []string{"S", "L"}})[:2], []string{"hello|10000000000", "with, comma|-3"})
}

func TestArrowIPCFileAndStream(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := canonicalRecord(t, mem)
	defer rec.Release()
	dir := t.TempDir()

	fpath := filepath.Join(dir, "F.arrow")
	ff, err := os.Create(fpath)
	if err != nil {
		t.Fatal(err)
	}
	fw, err := ipc.NewFileWriter(ff, ipc.WithSchema(rec.Schema()))
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(rec)
	fw.Write(rec)
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	ff.Close()

	var sbuf bytes.Buffer
	sw := ipc.NewWriter(&sbuf, ipc.WithSchema(rec.Schema()))
	sw.Write(rec)
	sw.Close()
	writeFile(t, dir, "S.arrows", sbuf.Bytes())

	cat, _ := load(t, Options{}, Binding{Path: dir})
	f := table(t, cat, "F")
	eq(t, "file schema", schemaText(f.Schema()), typedSchema)
	eq(t, "file rows", rows(t, f, catalog.ScanOptions{}), append(append([]string{}, typedRows...), typedRows...))
	s := table(t, cat, "S")
	eq(t, "stream rows", rows(t, s, catalog.ScanOptions{}), typedRows)
}

func TestArrowForeignTypesAreConverted(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "Small", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
		{Name: "F32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "Ms", Type: &arrow.TimestampType{Unit: arrow.Millisecond}, Nullable: true},
		{Name: "Day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "List", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Nullable: true},
		{Name: "U32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.Int16Builder).AppendValues([]int16{7, -1}, []bool{true, false})
	b.Field(1).(*array.Float32Builder).AppendValues([]float32{0.5, 2}, nil)
	b.Field(2).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{1704164645123, 0}, nil)
	b.Field(3).(*array.Date32Builder).AppendValues([]arrow.Date32{19724, 0}, nil)
	lb := b.Field(4).(*array.ListBuilder)
	lb.Append(true)
	lb.ValueBuilder().(*array.Int64Builder).AppendValues([]int64{1, 2}, nil)
	lb.AppendNull()
	b.Field(5).(*array.Uint32Builder).AppendValues([]uint32{4000000000, 1}, nil)
	rec := b.NewRecord()
	defer rec.Release()
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema))
	w.Write(rec)
	w.Close()
	dir := t.TempDir()
	writeFile(t, dir, "X.arrows", buf.Bytes())
	cat, _ := load(t, Options{}, Binding{Path: filepath.Join(dir, "X.arrows")})
	tbl := table(t, cat, "X")
	eq(t, "schema", schemaText(tbl.Schema()), "Small:int,F32:real,Ms:datetime,Day:datetime,List:dynamic,U32:long")
	eq(t, "rows", rows(t, tbl, catalog.ScanOptions{}), []string{
		"7|0.5|2024-01-02T03:04:05.123Z|2024-01-02T00:00:00Z|[1,2]|4000000000",
		"∅|2|1970-01-01T00:00:00Z|1970-01-01T00:00:00Z|∅|1",
	})
}

func TestCorruptBinaryFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "p.parquet", []byte("PAR1 this is not parquet PAR1"))
	writeFile(t, dir, "a.arrow", []byte("ARROW1\x00\x00garbage"))
	for _, n := range []string{"p.parquet", "a.arrow"} {
		_, err := Load([]Binding{{Path: filepath.Join(dir, n)}}, Options{})
		var se *Error
		if !errors.As(err, &se) || !strings.Contains(se.File, n) || se.Reason == "" {
			t.Errorf("%s: err = %v, want *Error naming the file", n, err)
		}
	}
}

// durationsAsInt64 returns rec with Duration columns retyped as Int64
// (same buffers, same field metadata).
func durationsAsInt64(rec arrow.Record) arrow.Record {
	fields := rec.Schema().Fields()
	cols := make([]arrow.Array, len(fields))
	for i, f := range fields {
		col := rec.Column(i)
		if f.Type.ID() == arrow.DURATION {
			fields[i].Type = arrow.PrimitiveTypes.Int64
			d := array.NewData(arrow.PrimitiveTypes.Int64, col.Len(), col.Data().Buffers(), nil, col.NullN(), col.Data().Offset())
			cols[i] = array.MakeFromData(d)
			d.Release()
		} else {
			col.Retain()
			cols[i] = col
		}
	}
	out := array.NewRecord(arrow.NewSchema(fields, nil), cols, rec.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return out
}
