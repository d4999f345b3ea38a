package m365

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/source"
)

// repeatedExport is the Purview fixture's rows (5 good, 1 malformed)
// repeated n times under one header.
func repeatedExport(t *testing.T, n int) []byte {
	t.Helper()
	fix, err := os.ReadFile("testdata/purview_audit_export.csv")
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(fix, []byte("\r\n")) + 2
	var b bytes.Buffer
	b.Write(fix[:i])
	for range n {
		b.Write(fix[i:])
	}
	return b.Bytes()
}

// passResult is what reading a file gives: every table's rows as text
// (scanned twice, to check a second scan sees the same rows), the problems,
// and how many times the file was split.
type passResult struct {
	tables   map[string][]map[string]string
	problems []catalog.Problem
	splits   int
}

func readPass(t *testing.T, data []byte, chunk int, budget int64, batchRows int) passResult {
	t.Helper()
	defer func(c int, b int64) { passChunk, passBudget = c, b }(passChunk, passBudget)
	passChunk, passBudget = chunk, budget
	f, err := source.NewFile("export.csv", data)
	if err != nil {
		t.Fatal(err)
	}
	var res passResult
	opts := source.Options{Report: func(p catalog.Problem) { res.problems = append(res.problems, p) }}
	counting := func(f *source.File, emit func(item) error) error {
		res.splits++
		return splitCSV(f, emit)
	}
	parts, err := readOnce(f, &opts, counting, newMappers())
	if err != nil {
		t.Fatal(err)
	}
	res.tables = map[string][]map[string]string{}
	for _, p := range parts {
		first := scanPart(t, p, p.Schema, batchRows)
		if again := scanPart(t, p, p.Schema, batchRows); !reflect.DeepEqual(first, again) {
			t.Fatalf("%s: a second scan differs", p.Table)
		}
		if int64(len(first)) != p.Rows {
			t.Fatalf("%s: Rows = %d, scanned %d", p.Table, p.Rows, len(first))
		}
		res.tables[p.Table] = first
	}
	return res
}

func scanPart(t *testing.T, p source.Part, schema *arrow.Schema, batchRows int) []map[string]string {
	t.Helper()
	ctx := context.Background()
	rr, err := p.Open(ctx, source.ScanRequest{Schema: schema, BatchRows: batchRows})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Close()
	var rows []map[string]string
	for {
		rec, err := rr.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rec == nil {
			return rows
		}
		if batchRows > 0 && rec.NumRows() > int64(batchRows) {
			t.Fatalf("batch of %d rows, asked for at most %d", rec.NumRows(), batchRows)
		}
		if !rec.Schema().Equal(schema) {
			t.Fatalf("batch schema %v, asked for %v", rec.Schema(), schema)
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			row := map[string]string{}
			for c, fl := range rec.Schema().Fields() {
				if col := rec.Column(c); col.IsValid(i) {
					row[fl.Name] = col.ValueStr(i)
				}
			}
			rows = append(rows, row)
		}
		rec.Release()
	}
}

// TestOnePass checks that a file is split once however many scans follow,
// and that chunking, parallel decoding and spilling to a temporary file
// change nothing: same rows in the same order, same problems in file order.
func TestOnePass(t *testing.T) {
	const reps = 40
	data := repeatedExport(t, reps)
	ref := readPass(t, data, chunkRecords, memoryBudget, 0)
	if ref.splits != 1 {
		t.Fatalf("file split %d times, want 1", ref.splits)
	}
	for _, tb := range []string{OfficeActivity, CloudAppEvents} {
		if n := len(ref.tables[tb]); n != 5*reps {
			t.Fatalf("%s rows = %d, want %d", tb, n, 5*reps)
		}
	}
	if len(ref.problems) != reps {
		t.Fatalf("problems = %d, want %d", len(ref.problems), reps)
	}
	for i, p := range ref.problems {
		if want := 51 + 52*i; p.Line != want || p.Field != "AuditData" || !strings.Contains(p.Reason, "not valid JSON") {
			t.Fatalf("problem %d = %+v, want line %d", i, p, want)
		}
	}
	// The rows are the fixture's, in order, every repetition.
	oa := ref.tables[OfficeActivity]
	for i := 5; i < len(oa); i++ {
		if !reflect.DeepEqual(oa[i], oa[i-5]) {
			t.Fatalf("OfficeActivity row %d differs from row %d", i, i-5)
		}
	}
	if oa[0]["Operation"] != "UserLoggedIn" {
		t.Fatalf("first row = %v", oa[0])
	}

	for _, c := range []struct {
		name   string
		chunk  int
		budget int64
		batch  int
	}{
		{"small chunks", 7, memoryBudget, 0},
		{"spilled", 7, 1, 0},
		{"spilled, small batches", 16, 1, 3},
		{"one record per chunk", 1, memoryBudget, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := readPass(t, data, c.chunk, c.budget, c.batch)
			if got.splits != 1 {
				t.Errorf("file split %d times, want 1", got.splits)
			}
			if !reflect.DeepEqual(got.problems, ref.problems) {
				t.Errorf("problems differ:\n%+v\nwant\n%+v", got.problems, ref.problems)
			}
			if !reflect.DeepEqual(got.tables, ref.tables) {
				t.Errorf("rows differ")
			}
		})
	}
}

// TestOnePassSpillFile checks the rows beyond the budget really go to a
// temporary file, and that a projected scan of it (columns reordered and
// missing ones) gives the projected rows.
func TestOnePassSpillFile(t *testing.T) {
	defer func(c int, b int64) { passChunk, passBudget = c, b }(passChunk, passBudget)
	passChunk, passBudget = 10, 1
	f, err := source.NewFile("export.csv", repeatedExport(t, 10))
	if err != nil {
		t.Fatal(err)
	}
	mappers := newMappers()
	d := newDecoded(mappers)
	opts := source.Options{}
	if err := d.run(f, &opts, splitCSV); err != nil {
		t.Fatal(err)
	}
	if err := d.finish(); err != nil {
		t.Fatal(err)
	}
	defer d.discard()
	for _, tc := range d.tables {
		if tc.file == nil || tc.size == 0 || len(tc.recs) != 0 || tc.rows != 50 {
			t.Fatalf("not spilled: %v", tc)
		}
	}
	ca := d.tables[1]
	full := source.Part{Schema: ca.schema, Open: func(ctx context.Context, req source.ScanRequest) (catalog.RecordReader, error) {
		return ca.open("export.csv", req)
	}}
	all := scanPart(t, full, ca.schema, 0)
	fields := ca.schema.Fields()
	missing := arrow.Field{Name: "NotAColumn", Type: fields[0].Type, Nullable: true, Metadata: fields[0].Metadata}
	proj := arrow.NewSchema([]arrow.Field{fields[len(fields)-1], missing, fields[0]}, nil)
	got := scanPart(t, full, proj, 4)
	if len(got) != len(all) {
		t.Fatalf("projected rows = %d, want %d", len(got), len(all))
	}
	for i := range got {
		want := map[string]string{}
		for _, fl := range []arrow.Field{fields[len(fields)-1], fields[0]} {
			if v, ok := all[i][fl.Name]; ok {
				want[fl.Name] = v
			}
		}
		if !reflect.DeepEqual(got[i], want) {
			t.Fatalf("row %d = %v, want %v", i, got[i], want)
		}
	}
}

// TestOnePassStrict checks a problem in a later chunk stops the read with
// its position (Strict).
func TestOnePassStrict(t *testing.T) {
	defer func(c int) { passChunk = c }(passChunk)
	passChunk = 4
	fix, err := os.ReadFile("testdata/purview_audit_export.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(fix, []byte("\r\n"))
	var good []byte
	for _, l := range lines[1:] {
		if !bytes.HasPrefix(l, []byte("bad-row,")) {
			good = append(good, l...)
		}
	}
	// 20 repetitions without the malformed row (51 lines each), then the
	// fixture's rows: the malformed row is line 1 + 20*51 + 50.
	data := append([]byte{}, lines[0]...)
	for range 20 {
		data = append(data, good...)
	}
	data = append(data, bytes.Join(lines[1:], nil)...)
	_, err = source.ReadBytes("", "export.csv", data, source.Options{Strict: true})
	var se *source.Error
	if !errors.As(err, &se) || se.Line != 1071 || se.Field != "AuditData" {
		t.Fatalf("Strict read: %v", err)
	}
}

// TestSlotsRecord checks the direct Arrow building of the mapped rows
// (slotsRecord) gives exactly what converting them as property bags
// (source.BagPart, which the readers used before) gives, on every UAL,
// Management API and OfficeActivity file of the tests and of the shared
// datasets.
func TestSlotsRecord(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.*")
	files = append(files, "testdata/sentinel/OfficeActivity.csv")
	shared, _ := filepath.Glob(sharedDir + "/*/*/*")
	files = append(files, shared...)
	checked := 0
	for _, path := range files {
		f, err := source.OpenFile(path)
		if err != nil {
			continue
		}
		var split splitFn
		mappers := newMappers()
		switch {
		case ualCSV{}.Detect(path, f.Head):
			split = splitCSV
		case managementJSON{}.Detect(path, f.Head):
			split = splitJSON
		case officeCSV{}.Detect(path, f.Head):
			split, mappers = splitOfficeRows, mappers[1:]
		default:
			continue
		}
		rows := make([][][]any, len(mappers))
		err = split(f, func(it item) error {
			if it.bad != nil {
				return nil
			}
			r, bad := it.decode()
			if bad != nil {
				return nil
			}
			for i, m := range mappers {
				rows[i] = append(rows[i], m.slots(r).slots)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for i, m := range mappers {
			if len(rows[i]) == 0 {
				continue
			}
			got, ok := slotsRecord(m.schema, m.index, rows[i])
			if !ok {
				t.Errorf("%s %s: slotsRecord gave up", path, m.table)
				continue
			}
			want, err := bagsRecord(m.schema, slotBags(m.schema, m.index, rows[i]))
			if err != nil {
				t.Fatal(err)
			}
			for c := range got.Columns() {
				if !array.Equal(got.Column(c), want.Column(c)) {
					t.Errorf("%s %s.%s:\n got %v\nwant %v", path, m.table, m.schema.Field(c).Name, got.Column(c), want.Column(c))
				}
			}
			checked += len(rows[i])
			got.Release()
			want.Release()
		}
	}
	if checked == 0 {
		t.Fatal("no rows checked")
	}
	t.Logf("%d rows checked", checked)
}
