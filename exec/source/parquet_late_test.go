package source

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// lateFixture writes a Parquet file with several row groups and small
// pages: A (dictionary-friendly string with nulls), J (long JSON text,
// dynamic, with nulls), S (plain string, required), L (long).
func lateFixture(t *testing.T, rows, rowGroup int) []byte {
	t.Helper()
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{
		kernels.Field("A", types.String),
		kernels.Field("J", types.Dynamic),
		{Name: "S", Type: arrow.BinaryTypes.String, Nullable: false, Metadata: kernels.Field("S", types.String).Metadata},
		kernels.Field("L", types.Long),
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	acts := []string{"New-InboxRule", "FileDownloaded", "Set-InboxRule", "", "FileUploaded"}
	for i := 0; i < rows; i++ {
		a := b.Field(0).(*array.StringBuilder)
		if i%11 == 3 {
			a.AppendNull()
		} else {
			a.Append(acts[(i*7)%len(acts)])
		}
		j := b.Field(1).(*array.StringBuilder)
		if i%13 == 5 {
			j.AppendNull()
		} else {
			j.Append(fmt.Sprintf(`{"i":%d,"Parameters":[{"Name":"ForwardTo","Value":"u%d@external.example"}],"pad":"%s"}`, i, i, strings.Repeat("x", i%50)))
		}
		b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("s%d", i%17))
		b.Field(3).(*array.Int64Builder).Append(int64(i))
	}
	rec := b.NewRecord()
	defer rec.Release()
	var buf bytes.Buffer
	props := parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(int64(rowGroup)), parquet.WithDataPageSize(512),
		parquet.WithDictionaryFor("J", false))
	w, err := pqarrow.NewFileWriter(schema, &buf, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// scanRows renders every row of a scan (dictionary arrays decoded).
func scanRows(t *testing.T, tbl catalog.Table, so catalog.ScanOptions) []string {
	t.Helper()
	rr, err := tbl.Scan(context.Background(), so)
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Close()
	var out []string
	for {
		rec, err := rr.Next(context.Background())
		if err != nil {
			t.Fatalf("scan %v dict %v batch %d filter %v: %v", so.Columns, so.Dict, so.BatchRows, so.Filter != nil, err)
		}
		if rec == nil {
			return out
		}
		if !so.Dict && !rec.Schema().Equal(rr.Schema()) {
			t.Fatalf("record schema %v != %v", rec.Schema(), rr.Schema())
		}
		out = appendRows(out, rec)
		rec.Release()
	}
}

// TestParquetLateMaterialisation: a scan with a pushed filter returns
// exactly the rows (and values) of the unfiltered scan that the filter
// keeps, across row groups, pages, batch sizes, nulls, dictionary and
// plain reads, and predicates keeping none, some or all rows.
func TestParquetLateMaterialisation(t *testing.T) {
	dir := t.TempDir()
	data := lateFixture(t, 3000, 700)
	writeFile(t, dir, "E.parquet", data)
	cat, _ := load(t, Options{}, Binding{Path: dir})
	tbl := table(t, cat, "E")
	// the plain scan (late string columns too) against pqarrow's own reading
	ref, err := pqarrow.ReadTable(context.Background(), bytes.NewReader(data), nil, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	tr := array.NewTableReader(ref, 1<<20)
	for tr.Next() {
		rec := tr.Record()
		want = appendRows(want, rec)
	}
	tr.Release()
	ref.Release()
	for _, batch := range []int{5, 1000, 1 << 16} {
		for _, dict := range []bool{false, true} {
			got := scanRows(t, tbl, catalog.ScanOptions{Columns: []string{"A", "J", "S", "L"}, Dict: dict, BatchRows: batch})
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("plain scan batch %d dict %v: %d rows, want %d\n%v\n%v", batch, dict, len(got), len(want), head(got), head(want))
			}
		}
	}
	got := scanRows(t, tbl, catalog.ScanOptions{Columns: []string{"J"}, BatchRows: 999})
	if len(got) != 3000 || got[5] != "∅" || !strings.HasPrefix(got[6], `{"i":6,`) {
		t.Fatalf("late-only scan: %d rows %v", len(got), head(got))
	}
	preds := map[string]func(a arrow.Array, i int) bool{
		"rules": func(a arrow.Array, i int) bool {
			if a.IsNull(i) {
				return false
			}
			s := cellString(a, i)
			return s == "New-InboxRule" || s == "Set-InboxRule"
		},
		"none":    func(a arrow.Array, i int) bool { return false },
		"all":     func(a arrow.Array, i int) bool { return true },
		"notnull": func(a arrow.Array, i int) bool { return a.IsValid(i) },
	}
	for _, cols := range [][]string{{"A", "J", "S", "L"}, {"J", "A"}, {"L", "J", "A", "S"}} {
		for _, dict := range []bool{false, true} {
			for _, batch := range []int{7, 256, 4096} {
				for name, p := range preds {
					p := p
					so := catalog.ScanOptions{Columns: cols, Dict: dict, BatchRows: batch}
					all := scanRows(t, tbl, so)
					// the expected rows: the filter applied to the full scan
					ai := 0
					for i, c := range cols {
						if c == "A" {
							ai = i
						}
					}
					var want []string
					ref := so
					ref.Columns = []string{"A"}
					acol := scanRows(t, tbl, ref)
					for r, row := range all {
						b := array.NewStringBuilder(memory.DefaultAllocator)
						if acol[r] == "∅" {
							b.AppendNull()
						} else {
							b.Append(acol[r])
						}
						arr := b.NewArray()
						b.Release()
						if p(arr, 0) {
							want = append(want, row)
						}
						arr.Release()
						_ = ai
					}
					var calls atomic.Int32
					so.Filter = &catalog.ScanFilter{Columns: []string{"A"}, Eval: func(rec arrow.Record) ([]int32, error) {
						calls.Add(1)
						if rec.NumCols() != 1 || rec.Schema().Field(0).Name != "A" {
							return nil, fmt.Errorf("filter record %v", rec.Schema())
						}
						var sel []int32
						for i := 0; i < int(rec.NumRows()); i++ {
							if p(rec.Column(0), i) {
								sel = append(sel, int32(i))
							}
						}
						return sel, nil
					}}
					got := scanRows(t, tbl, so)
					what := fmt.Sprintf("cols %v dict %v batch %d pred %s", cols, dict, batch, name)
					if calls.Load() == 0 {
						t.Fatalf("%s: filter not used", what)
					}
					if strings.Join(got, "\n") != strings.Join(want, "\n") {
						t.Fatalf("%s: got %d rows, want %d\n%v\n%v", what, len(got), len(want), head(got), head(want))
					}
				}
			}
		}
	}
}

func head(s []string) []string {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}

// TestParquetLateError: an error of the filter ends the scan with it, and
// closing a scan mid-way stops its goroutines.
func TestParquetLateError(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "E.parquet", lateFixture(t, 2000, 500))
	cat, _ := load(t, Options{}, Binding{Path: dir})
	tbl := table(t, cat, "E")
	var n atomic.Int32
	so := catalog.ScanOptions{Columns: []string{"A", "J"}, BatchRows: 100, Filter: &catalog.ScanFilter{Columns: []string{"A"}, Eval: func(rec arrow.Record) ([]int32, error) {
		if n.Add(1) == 5 {
			return nil, fmt.Errorf("boom")
		}
		return []int32{0, 1}, nil
	}}}
	rr, err := tbl.Scan(context.Background(), so)
	if err != nil {
		t.Fatal(err)
	}
	var gotErr error
	for {
		rec, err := rr.Next(context.Background())
		if err != nil {
			gotErr = err
			break
		}
		if rec == nil {
			break
		}
		rec.Release()
	}
	rr.Close()
	if gotErr == nil || !strings.Contains(gotErr.Error(), "boom") {
		t.Fatalf("error %v", gotErr)
	}
	// closed after one record
	so.Filter.Eval = func(rec arrow.Record) ([]int32, error) { return []int32{0}, nil }
	rr, err = tbl.Scan(context.Background(), so)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := rr.Next(context.Background())
	if err != nil || rec == nil {
		t.Fatal(err)
	}
	rec.Release()
	rr.Close()
}

// TestParquetDictPages: string columns read from their dictionary pages
// (RLE and bit-packed indices of several bit widths, a one-value
// dictionary, nulls, data pages v1 and v2, several row groups) give
// pqarrow's values.
func TestParquetDictPages(t *testing.T) {
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{
		kernels.Field("Hi", types.String),  // ~3000 distinct: 12-bit indices
		kernels.Field("Lo", types.String),  // 3 distinct, long runs
		kernels.Field("One", types.String), // one value
		kernels.Field("Nul", types.String), // mostly null
		kernels.Field("J", types.Dynamic),  // late
		kernels.Field("Fb", types.String),  // dictionary overflows: RLE_DICTIONARY then PLAIN pages
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	const rows = 20000
	for i := 0; i < rows; i++ {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("h%d", (i*7919)%3001))
		b.Field(1).(*array.StringBuilder).Append([]string{"x", "yy", "zzz"}[(i/500)%3])
		b.Field(2).(*array.StringBuilder).Append("same")
		if i%97 == 0 {
			b.Field(3).(*array.StringBuilder).Append(fmt.Sprintf("n%d", i%5))
		} else {
			b.Field(3).(*array.StringBuilder).AppendNull()
		}
		b.Field(4).(*array.StringBuilder).Append(fmt.Sprintf(`{"i":%d}`, i))
		if i%31 == 7 {
			b.Field(5).(*array.StringBuilder).AppendNull()
		} else {
			b.Field(5).(*array.StringBuilder).Append(fmt.Sprintf("fallback-value-%08d-%s", i, strings.Repeat("q", i%13)))
		}
	}
	rec := b.NewRecord()
	defer rec.Release()
	for _, v := range []parquet.DataPageVersion{parquet.DataPageV1, parquet.DataPageV2} {
		var buf bytes.Buffer
		props := parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(7000), parquet.WithDataPageSize(2048),
			parquet.WithDictionaryPageSizeLimit(64<<10), parquet.WithDataPageVersion(v), parquet.WithDictionaryFor("J", false))
		w, err := pqarrow.NewFileWriter(schema, &buf, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		w.Close()
		dir := t.TempDir()
		writeFile(t, dir, "D.parquet", buf.Bytes())
		cat, _ := load(t, Options{}, Binding{Path: dir})
		tbl := table(t, cat, "D")
		if int(rec.NumRows()) != rows {
			t.Fatalf("fixture has %d rows, want %d", rec.NumRows(), rows)
		}
		want := appendRows(nil, rec)
		for _, batch := range []int{333, 1 << 16} {
			got := scanRows(t, tbl, catalog.ScanOptions{Columns: []string{"Hi", "Lo", "One", "Nul", "J", "Fb"}, Dict: true, BatchRows: batch})
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("v%v batch %d: %d rows\n%v\n%v", v, batch, len(got), head(got), head(want))
			}
			// the same through a filter on the dictionary columns
			so := catalog.ScanOptions{Columns: []string{"Hi", "Lo", "One", "Nul", "J", "Fb"}, BatchRows: batch, Filter: &catalog.ScanFilter{Columns: []string{"Lo", "Nul"}, Eval: func(rec arrow.Record) ([]int32, error) {
				var sel []int32
				for i := 0; i < int(rec.NumRows()); i++ {
					if cellString(rec.Column(0), i) == "yy" || rec.Column(1).IsValid(i) {
						sel = append(sel, int32(i))
					}
				}
				return sel, nil
			}}}
			var wantF []string
			for _, row := range want {
				cells := strings.Split(row, "|")
				if cells[1] == "yy" || cells[3] != "∅" {
					wantF = append(wantF, row)
				}
			}
			got = scanRows(t, tbl, so)
			if strings.Join(got, "\n") != strings.Join(wantF, "\n") {
				t.Fatalf("filtered v%v batch %d: %d rows, want %d\n%v\n%v", v, batch, len(got), len(wantF), head(got), head(wantF))
			}
		}
	}
}

// appendRows appends one line per row of rec: its cells joined by "|",
// a null as "∅".
func appendRows(out []string, rec arrow.Record) []string {
	for r := 0; r < int(rec.NumRows()); r++ {
		var cells []string
		for _, c := range rec.Columns() {
			if c.IsNull(r) {
				cells = append(cells, "∅")
			} else {
				cells = append(cells, cellString(c, r))
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return out
}
