package source

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/text/encoding/unicode"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/output"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// load binds the bindings with a checked allocator and returns the
// catalog; the allocator is checked for leaks at the end of the test.
func load(t *testing.T, opts Options, bs ...Binding) (*catalog.Catalog, *memory.CheckedAllocator) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	opts.Mem = mem
	cat := catalog.New()
	if err := Bind(cat, bs, opts); err != nil {
		t.Fatalf("Bind: %v", err)
	}
	return cat, mem
}

// schemaText renders a schema as "Name:kind,...".
func schemaText(s *arrow.Schema) string {
	var parts []string
	for _, f := range s.Fields() {
		parts = append(parts, f.Name+":"+kernels.KindOf(f).String())
	}
	return strings.Join(parts, ",")
}

// rows scans a table and renders each row as golden CSV-ish cells
// ("∅" for null).
func rows(t *testing.T, tbl catalog.Table, so catalog.ScanOptions) []string {
	t.Helper()
	rr, err := tbl.Scan(context.Background(), so)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	defer rr.Close()
	var out []string
	for {
		rec, err := rr.Next(context.Background())
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if rec == nil {
			break
		}
		if !rec.Schema().Equal(rr.Schema()) {
			t.Fatalf("record schema %v != reader schema %v", rec.Schema(), rr.Schema())
		}
		for r := 0; r < int(rec.NumRows()); r++ {
			var cells []string
			for i, col := range rec.Columns() {
				if col.IsNull(r) {
					cells = append(cells, "∅")
					continue
				}
				k := kernels.KindOf(rec.Schema().Field(i))
				cells = append(cells, string(output.AppendCell(nil, col, k, r, output.Golden)))
			}
			out = append(out, strings.Join(cells, "|"))
		}
		rec.Release()
	}
	return out
}

func table(t *testing.T, cat *catalog.Catalog, name string) catalog.Table {
	t.Helper()
	tbl, ok := cat.Table(name)
	if !ok {
		t.Fatalf("no table %q; have %v", name, cat.Names())
	}
	return tbl
}

func eq(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %#v\nwant %#v", what, got, want)
	}
}

func problems(cat *catalog.Catalog) []string {
	var out []string
	for _, p := range cat.Problems() {
		out = append(out, (&Error{File: filepath.Base(p.File), Line: p.Line, Field: p.Field, Reason: p.Reason}).Error())
	}
	return out
}

func TestTypedCSV(t *testing.T) {
	cat, _ := load(t, Options{}, Binding{Path: "testdata/typed.csv"})
	tbl := table(t, cat, "typed")
	eq(t, "schema", schemaText(tbl.Schema()), "B:bool,I:int,L:long,R:real,D:decimal,S:string,T:datetime,TS:timespan,G:guid,Y:dynamic")
	eq(t, "rows", rows(t, tbl, catalog.ScanOptions{}), []string{
		`true|1|10000000000|1.5|2.25|hello|2024-01-02T03:04:05.1234567Z|1.02:03:04.5|6f8b5e4a-0c1d-4e2f-9a3b-1c2d3e4f5a6b|{"a":[1,2]}`,
		`false|-2|-3|NaN|0|with, comma|2024-01-02T00:00:00Z|00:00:10|6f8b5e4a-0c1d-4e2f-9a3b-1c2d3e4f5a6b|"x"`,
		`∅|∅|∅|∅|∅||∅|∅|∅|∅`,
		"true|0|0|-Infinity|1000|multi\nline|2024-01-02T03:04:05Z|-01:00:00|∅|[]",
	})
	eq(t, "problems", problems(cat), []string(nil))
	if st, ok := tbl.(*Table); !ok || st.Rows() != 4 {
		t.Errorf("Rows() = %v", tbl)
	}
}

func TestTypedCSVProblems(t *testing.T) {
	cat, _ := load(t, Options{}, Binding{Name: "T", Path: "testdata/typed_bad.csv"})
	tbl := table(t, cat, "T")
	eq(t, "rows", rows(t, tbl, catalog.ScanOptions{}), []string{
		"a|1|2024-01-01T00:00:00Z",
		"b|∅|2024-01-02T00:00:00Z",
		"c|3|∅",
		"d|4|∅",
		"e|5|2024-01-05T00:00:00Z",
		"g|7|2024-01-07T00:00:00Z",
	})
	eq(t, "problems", problems(cat), []string{
		`typed_bad.csv:3: column Count: "abc" is not a long: null`,
		`typed_bad.csv:4: column When: "not a date" is not a datetime: null`,
		`typed_bad.csv:5: row has 2 cells, header has 3: missing cells are null`,
		`typed_bad.csv:6: row has 4 cells, header has 3: extra cells dropped`,
		`typed_bad.csv:7: row skipped: extraneous or missing " in quoted-field`,
	})
}

func TestStrict(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cat := catalog.New()
	err := Bind(cat, []Binding{{Path: "testdata/typed_bad.csv"}}, Options{Mem: mem, Strict: true})
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *Error", err)
	}
	eq(t, "error", se.Error(), `testdata/typed_bad.csv:3: column Count: "abc" is not a long: null`)
	if len(cat.Names()) != 0 {
		t.Errorf("tables bound despite error: %v", cat.Names())
	}
}

func TestPlainCSVInference(t *testing.T) {
	cat, _ := load(t, Options{}, Binding{Path: "testdata/plain.csv"})
	tbl := table(t, cat, "plain")
	eq(t, "schema", schemaText(tbl.Schema()), "Id:long,Zip:string,Score:real,Flag:bool,When:datetime,Props:dynamic,Name:string,Empty:string")
	eq(t, "rows", rows(t, tbl, catalog.ScanOptions{}), []string{
		`1|02134|1.5|true|2024-01-02T03:04:05Z|{"k":1}|alice|`,
		`2|10001|2|false|2024-01-03T10:00:00Z|[1]|bob|`,
		`-3|00501|-0.25|true|2024-01-04T00:00:00Z|{}|carol, jr|`,
	})
	eq(t, "problems", problems(cat), []string(nil))
}

func TestTSV(t *testing.T) {
	cat, _ := load(t, Options{}, Binding{Path: "testdata/plain.tsv"}, Binding{Path: "testdata/bad.tsv"})
	tbl := table(t, cat, "plain")
	eq(t, "schema", schemaText(tbl.Schema()), "Host:string,Count:string,Note:string")
	eq(t, "rows", rows(t, tbl, catalog.ScanOptions{}), []string{"web1|5|first line", "web2|7|quoted\ttab", "db1|x|"})
	bad := table(t, cat, "bad")
	eq(t, "bad rows", rows(t, bad, catalog.ScanOptions{}), []string{"web1|5", "web2|∅"})
	eq(t, "problems", problems(cat), []string{`bad.tsv:3: column Count: "seven" is not a long: null`})
}

func TestJSONLines(t *testing.T) {
	cat, _ := load(t, Options{}, Binding{Path: "testdata/events.jsonl"})
	tbl := table(t, cat, "events")
	eq(t, "schema", schemaText(tbl.Schema()), "Time:datetime,User:string,Count:real,Props:dynamic,Mixed:dynamic,Extra:dynamic,Flag:bool")
	eq(t, "rows", rows(t, tbl, catalog.ScanOptions{}), []string{
		`2024-01-02T03:04:05Z|alice|1|{"a":1,"b":[true,null]}|1|∅|∅`,
		`2024-01-03T00:00:00.5Z|bob|2.5|∅|"x"|∅|∅`,
		`2024-01-04T00:00:00Z||3|∅|true|∅|false`,
	})
	eq(t, "problems", problems(cat), []string(nil))
}

func TestJSONLinesProblems(t *testing.T) {
	cat, _ := load(t, Options{}, Binding{Path: "testdata/bad.jsonl"})
	tbl := table(t, cat, "bad")
	eq(t, "schema", schemaText(tbl.Schema()), "a:dynamic,s:string")
	eq(t, "rows", rows(t, tbl, catalog.ScanOptions{}), []string{`1|x`, `"3"|z`, `4|w`})
	ps := problems(cat)
	if len(ps) != 2 || !strings.HasPrefix(ps[0], "bad.jsonl:2: record skipped: invalid dynamic") || ps[1] != "bad.jsonl:3: record skipped: a JSON array, not an object" {
		t.Errorf("problems = %q", ps)
	}
}

func TestJSONArrayAndStream(t *testing.T) {
	cat, _ := load(t, Options{}, Binding{Path: "testdata/array.json"}, Binding{Path: "testdata/stream.json"}, Binding{Path: "testdata/bad_array.json"})
	arr := table(t, cat, "array")
	eq(t, "array schema", schemaText(arr.Schema()), "Id:long,When:string,Tags:dynamic")
	eq(t, "array rows", rows(t, arr, catalog.ScanOptions{}), []string{`1|2024-01-02T03:04:05Z|["a","b"]`, `2|not a time|[]`, `3||∅`})
	st := table(t, cat, "stream")
	eq(t, "stream schema", schemaText(st.Schema()), "Id:long,Name:string")
	eq(t, "stream rows", rows(t, st, catalog.ScanOptions{}), []string{"1|first", "2|second"})
	bad := table(t, cat, "bad_array")
	eq(t, "bad rows", rows(t, bad, catalog.ScanOptions{}), []string(nil))
	ps := problems(cat)
	if len(ps) != 1 || !strings.HasPrefix(ps[0], "bad_array.json:3: record skipped: file unreadable") {
		t.Errorf("problems = %q", ps)
	}
}

func TestProjectionAndBatches(t *testing.T) {
	cat, _ := load(t, Options{}, Binding{Path: "testdata/typed_bad.csv"})
	tbl := table(t, cat, "typed_bad")
	got := rows(t, tbl, catalog.ScanOptions{Columns: []string{"When", "Name", "Nope"}, BatchRows: 4})
	eq(t, "projected", got[:2], []string{"2024-01-01T00:00:00Z|a", "2024-01-02T00:00:00Z|b"})
	rr, _ := tbl.Scan(context.Background(), catalog.ScanOptions{BatchRows: 4})
	defer rr.Close()
	var sizes []int64
	for {
		rec, err := rr.Next(context.Background())
		if err != nil || rec == nil {
			break
		}
		sizes = append(sizes, rec.NumRows())
		rec.Release()
	}
	eq(t, "batch sizes", sizes, []int64{4, 2})
}

func TestEarlyCloseDoesNotLeak(t *testing.T) {
	cat, _ := load(t, Options{}, Binding{Path: "testdata/events.jsonl"}, Binding{Path: "testdata/typed.csv"})
	for _, n := range []string{"events", "typed"} {
		rr, err := table(t, cat, n).Scan(context.Background(), catalog.ScanOptions{BatchRows: 1})
		if err != nil {
			t.Fatal(err)
		}
		rec, err := rr.Next(context.Background())
		if err != nil || rec == nil {
			t.Fatalf("%s: first batch: %v", n, err)
		}
		rec.Release()
		rr.Close()
	}
}

// writeFile writes data under dir and returns the path.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCompressionAndEncodings(t *testing.T) {
	dir := t.TempDir()
	csvText := "Name,Count\r\nalpha,1\r\n\"be\nta\",2\r\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(csvText))
	zw.Close()
	writeFile(t, dir, "Gz.csv.gz", gz.Bytes())
	enc, _ := zstd.NewWriter(nil)
	writeFile(t, dir, "Zs.csv.zst", enc.EncodeAll([]byte(csvText), nil))
	enc.Close()
	writeFile(t, dir, "Bom.csv", append([]byte{0xef, 0xbb, 0xbf}, csvText...))
	le, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(csvText))
	writeFile(t, dir, "Le.csv", le)
	be, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(csvText))
	writeFile(t, dir, "Be.csv", be)
	// A gzip'd UTF-16 JSONL file: both layers at once.
	jl, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte("{\"Name\":\"alpha\",\"Count\":1}\r\n{\"Name\":\"be\\nta\",\"Count\":2}\r\n"))
	gz.Reset()
	zw = gzip.NewWriter(&gz)
	zw.Write(jl)
	zw.Close()
	writeFile(t, dir, "J.jsonl.gz", gz.Bytes())
	writeFile(t, dir, "README.md", []byte("# not data\n"))

	cat, _ := load(t, Options{}, Binding{Path: dir})
	eq(t, "tables", cat.Names(), []string{"Be", "Bom", "Gz", "J", "Le", "Zs"})
	for _, n := range cat.Names() {
		tbl := table(t, cat, n)
		eq(t, n+" schema", schemaText(tbl.Schema()), "Name:string,Count:long")
		eq(t, n+" rows", rows(t, tbl, catalog.ScanOptions{}), []string{"alpha|1", "be\nta|2"})
	}
	eq(t, "problems", problems(cat), []string(nil))
	if notes := strings.Join(cat.Notes(), "\n"); !strings.Contains(notes, "README.md: skipped") {
		t.Errorf("notes = %q", notes)
	}
}

func TestNamedDirConcatenatesAndUnifies(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.csv", []byte("Id,Score,Only\n1,2,x\n"))
	writeFile(t, dir, "b.jsonl", []byte(`{"Id":2,"Score":2.5,"Other":true}`+"\n"))
	writeFile(t, dir, "c.csv", []byte("Id,Score\nthree,\n"))
	cat, _ := load(t, Options{}, Binding{Name: "All", Path: dir})
	eq(t, "tables", cat.Names(), []string{"All"})
	tbl := table(t, cat, "All")
	eq(t, "schema", schemaText(tbl.Schema()), "Id:string,Score:real,Only:string,Other:bool")
	eq(t, "rows", rows(t, tbl, catalog.ScanOptions{}), []string{"1|2|x|∅", "2|2.5||true", "three|∅||∅"})

	// The same through a glob, and through two bindings with one name.
	cat2, _ := load(t, Options{}, Binding{Name: "G", Path: filepath.Join(dir, "*.csv")})
	eq(t, "glob rows", rows(t, table(t, cat2, "G"), catalog.ScanOptions{}), []string{"1|2|x", "three|∅|"})
	cat3, _ := load(t, Options{}, Binding{Name: "H", Path: filepath.Join(dir, "a.csv")}, Binding{Name: "H", Path: filepath.Join(dir, "b.jsonl")})
	eq(t, "two bindings", schemaText(table(t, cat3, "H").Schema()), "Id:long,Score:real,Only:string,Other:bool")
}

func TestBindErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "x.bin", []byte{1, 2, 3})
	for _, tc := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.csv"), "missing.csv: no such file or directory"},
		{filepath.Join(dir, "x.bin"), "x.bin: unsupported file format"},
		{filepath.Join(dir, "*.nothing"), "*.nothing: no files match"},
	} {
		_, err := Load([]Binding{{Path: tc.path}}, Options{})
		var se *Error
		if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%s) = %v, want *Error containing %q", tc.path, err, tc.want)
		}
	}
}

func TestTableName(t *testing.T) {
	for in, want := range map[string]string{
		"CloudAppEvents.jsonl.gz": "CloudAppEvents",
		"dir/SigninLogs.csv":      "SigninLogs",
		"a.b.parquet":             "a.b",
		"Events":                  "Events",
		"x.csv.zst":               "x",
	} {
		if got := TableName(in); got != want {
			t.Errorf("TableName(%q) = %q, want %q", in, got, want)
		}
	}
	if Ext("a.JSONL.gz") != ".jsonl" {
		t.Errorf("Ext = %q", Ext("a.JSONL.gz"))
	}
}

func TestReadBytes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tables, err := ReadBytes("", "CloudAppEvents.csv", []byte("Timestamp:datetime,ActionType:string\n2024-02-28T10:00:00Z,New-InboxRule\n"), Options{Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "name", tables[0].Name(), "CloudAppEvents")
	eq(t, "rows", rows(t, tables[0], catalog.ScanOptions{}), []string{"2024-02-28T10:00:00Z|New-InboxRule"})
}

// multiFormat turns one file into two named tables, as an export format would.
type multiFormat struct{}

func (multiFormat) Name() string { return "test-multi" }
func (multiFormat) Detect(path string, head []byte) bool {
	return bytes.HasPrefix(head, []byte("MULTI\n"))
}
func (multiFormat) Read(f *File, opts *Options) ([]Part, error) {
	a, err := (&csvFormat{name: "csv", comma: ','}).Read(&File{Path: f.Path, data: []byte("X\n1\n")}, opts)
	if err != nil {
		return nil, err
	}
	b, err := jsonFormat{}.Read(&File{Path: f.Path, data: []byte(`{"Y":"z"}`), Head: []byte(`{"Y":"z"}`)}, opts)
	if err != nil {
		return nil, err
	}
	a[0].Table, b[0].Table = "First", "Second"
	return append(a, b...), nil
}

func TestRegisteredMultiTableFormat(t *testing.T) {
	Register(multiFormat{}, 10)
	dir := t.TempDir()
	p := writeFile(t, dir, "export.txt", []byte("MULTI\nwhatever"))
	if f := Detect(p, []byte("MULTI\nwhatever")); f == nil || f.Name() != "test-multi" {
		t.Fatalf("Detect = %v", f)
	}
	cat, _ := load(t, Options{}, Binding{Name: "Ignored", Path: p})
	eq(t, "tables", cat.Names(), []string{"First", "Second"})
	eq(t, "First", rows(t, table(t, cat, "First"), catalog.ScanOptions{}), []string{"1"})
	eq(t, "Second", rows(t, table(t, cat, "Second"), catalog.ScanOptions{}), []string{"z"})
}

func TestRoundTripThroughOutput(t *testing.T) {
	cat, mem := load(t, Options{}, Binding{Path: "testdata/typed.csv"})
	tbl := table(t, cat, "typed")
	want := rows(t, tbl, catalog.ScanOptions{})
	for _, tc := range []struct {
		format, file string
		opts         output.Options
		schema       string
	}{
		{"csv", "rt.csv", output.Options{TypedHeader: true}, typedSchema},
		{"tsv", "rt.tsv", output.Options{TypedHeader: true}, typedSchema},
		// JSON lines keep values; types are re-inferred (a timespan or guid
		// is a string in JSON, int and decimal become long and real).
		{"jsonl", "rt.jsonl", output.Options{}, "B:bool,I:long,L:long,R:dynamic,D:real,S:string,T:datetime,TS:string,G:string,Y:dynamic"},
	} {
		rr, err := tbl.Scan(context.Background(), catalog.ScanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := output.Write(context.Background(), &buf, tc.format, rr, tc.opts); err != nil {
			t.Fatal(err)
		}
		rr.Close()
		back, err := ReadBytes("", tc.file, buf.Bytes(), Options{Mem: mem})
		if err != nil {
			t.Fatalf("%s: %v", tc.format, err)
		}
		eq(t, tc.format+" schema", schemaText(back[0].Schema()), tc.schema)
		got := rows(t, back[0], catalog.ScanOptions{})
		if tc.format == "jsonl" {
			// NaN and -Infinity are JSON strings, so R is dynamic; the
			// rest must read back as written.
			eq(t, "jsonl row 0", got[0], `true|1|10000000000|1.5|2.25|hello|2024-01-02T03:04:05.1234567Z|1.02:03:04.5000000|6f8b5e4a-0c1d-4e2f-9a3b-1c2d3e4f5a6b|{"a":[1,2]}`)
			continue
		}
		eq(t, tc.format+" rows", got, want)
	}
}

func TestDeclaredSchema(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "Signin.csv", []byte("ResultType,IsRisky,Extra\n50057,true,1\nabc,,2\n"))
	writeFile(t, dir, "Audit.jsonl", []byte(`{"ResultType":"0","When":"12/13/2024 4:34:03 PM"}`+"\n"+`{"ResultType":{"x":1},"When":"2024-12-14T00:00:00Z"}`+"\n"))
	schemas := map[string]*types.Schema{
		"Signin": {Columns: []types.Column{{Name: "TimeGenerated", Type: types.DateTime}, {Name: "ResultType", Type: types.String}, {Name: "IsRisky", Type: types.String}}},
		"Audit":  {Columns: []types.Column{{Name: "ResultType", Type: types.Long}}},
	}
	cat, _ := load(t, Options{Schema: func(n string) *types.Schema { return schemas[n] }}, Binding{Path: dir})
	s := table(t, cat, "Signin")
	eq(t, "signin schema", schemaText(s.Schema()), "ResultType:string,IsRisky:string,Extra:long,TimeGenerated:datetime")
	eq(t, "signin rows", rows(t, s, catalog.ScanOptions{}), []string{"50057|true|1|∅", "abc||2|∅"})
	a := table(t, cat, "Audit")
	// "0" is a JSON string: it does not fit a declared long, and is reported.
	eq(t, "audit schema", schemaText(a.Schema()), "ResultType:long,When:datetime")
	eq(t, "audit rows", rows(t, a, catalog.ScanOptions{}), []string{"∅|2024-12-13T16:34:03Z", "∅|2024-12-14T00:00:00Z"})
	eq(t, "problems", problems(cat), []string{
		`Audit.jsonl:1: column ResultType: "\"0\"" is not a long: null`,
		`Audit.jsonl:2: column ResultType: "{\"x\":1}" is not a long: null`,
	})
	if notes := strings.Join(cat.Notes(), "\n"); !strings.Contains(notes, "table Signin: 1 declared columns not in the data, added as empty: TimeGenerated") {
		t.Errorf("notes = %q", notes)
	}
}

func TestKustoJSONRoundTrip(t *testing.T) {
	cat, mem := load(t, Options{}, Binding{Path: "testdata/typed.csv"})
	tbl := table(t, cat, "typed")
	rr, err := tbl.Scan(context.Background(), catalog.ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := output.Write(context.Background(), &buf, "json", rr, output.Options{}); err != nil {
		t.Fatal(err)
	}
	rr.Close()
	var reported []catalog.Problem
	report := func(p catalog.Problem) { reported = append(reported, p) }
	back, err := ReadBytes("want", "want.json", buf.Bytes(), Options{Mem: mem, Report: report})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "problems", reported, []catalog.Problem(nil))
	eq(t, "name", back[0].Name(), "want")
	eq(t, "schema", schemaText(back[0].Schema()), typedSchema)
	eq(t, "rows", rows(t, back[0], catalog.ScanOptions{}), rows(t, tbl, catalog.ScanOptions{}))
}

func TestKustoJSONProblems(t *testing.T) {
	var reported []string
	report := func(p catalog.Problem) {
		reported = append(reported, (&Error{File: p.File, Line: p.Line, Field: p.Field, Reason: p.Reason}).Error())
	}
	doc := `{"Tables":[{"TableName":"Table_0","Columns":[{"ColumnName":"n","DataType":"Int64"},{"ColumnName":"t","ColumnType":"datetime"}],` +
		`"Rows":[[1,"2024-01-01T00:00:00Z"],[2],["x","2024-01-02"],[4,"soon"]]},` +
		`{"TableName":"Second","Columns":[{"ColumnName":"s","DataType":"String"}],"Rows":[["a"]]}]}`
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tables, err := ReadBytes("", "want.json", []byte(doc), Options{Mem: mem, Report: report})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "names", []string{tables[0].Name(), tables[1].Name()}, []string{"want", "Second"})
	eq(t, "rows", rows(t, tables[0], catalog.ScanOptions{}), []string{"1|2024-01-01T00:00:00Z", "∅|2024-01-02T00:00:00Z", "4|∅"})
	eq(t, "second", rows(t, tables[1], catalog.ScanOptions{}), []string{"a"})
	eq(t, "problems", reported, []string{
		"want.json:2: table 0 row 2 skipped: not an array of 2 values",
		`want.json:3: column n: "\"x\"" is not a long: null`,
		`want.json:4: column t: "\"soon\"" is not a datetime: null`,
	})
}
