package store

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// events is a typed CSV over three days plus a row without a time.
const events = `Timestamp:datetime,User:string,N:long,Took:timespan,Extra:dynamic,Score:real
2024-01-01T08:00:00Z,alice,1,00:00:01,"{""a"":1}",0.5
2024-01-01T23:59:59.9999999Z,bob,2,1.02:03:04,"[1,2]",
2024-01-02T00:00:00Z,carol,3,,null,1.25
,dave,4,00:05:00,"{""k"":""v""}",2
2024-01-03T12:00:00Z,erin,5,-00:00:10,{},3
`

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// rows scans a table and renders its rows as sorted text lines.
func rows(t *testing.T, tb catalog.Table, opts catalog.ScanOptions) []string {
	t.Helper()
	rd, err := tb.Scan(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var out []string
	for {
		rec, err := rd.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if rec == nil {
			break
		}
		if !rec.Schema().Equal(rd.Schema()) {
			t.Fatalf("record schema %v, reader schema %v", rec.Schema(), rd.Schema())
		}
		for r := 0; r < int(rec.NumRows()); r++ {
			var cells []string
			for c := 0; c < int(rec.NumCols()); c++ {
				col := rec.Column(c)
				k := kernels.KindOf(rec.Schema().Field(c))
				cells = append(cells, fmt.Sprintf("%s=%s", k, col.ValueStr(r)))
			}
			out = append(out, strings.Join(cells, " "))
		}
		rec.Release()
	}
	sort.Strings(out)
	return out
}

func table(t *testing.T, tables []catalog.Table, name string) catalog.Table {
	t.Helper()
	for _, tb := range tables {
		if tb.Name() == name {
			return tb
		}
	}
	t.Fatalf("no table %s", name)
	return nil
}

func TestIngestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := writeFile(t, dir, "Events.csv", events)
	st, err := Create(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.IngestFile(context.Background(), src, IngestOptions{Explicit: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.RowsStored != 5 || res.RowsRead != 5 || res.RowsRejected != 0 || len(res.Problems) != 0 {
		t.Fatalf("result %+v", res)
	}
	if len(res.Tables) != 1 || res.Tables[0].Partitions != 4 {
		t.Fatalf("tables %+v, want 1 table in 4 partitions", res.Tables)
	}
	// the same rows as reading the file directly, types included
	direct, err := source.Load([]source.Binding{{Path: src}}, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := rows(t, direct[0], catalog.ScanOptions{})

	st2, err := Open(st.Dir())
	if err != nil {
		t.Fatal(err)
	}
	got := rows(t, table(t, st2.Tables(memory.DefaultAllocator), "Events"), catalog.ScanOptions{})
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("store rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(strings.Join(got, "\n"), "timespan=") {
		t.Fatalf("timespan column lost its type: %v", got)
	}

	// manifest: time column, days, row counts, min/max, source hash
	m := st2.Manifest()
	tm := m.Table("Events")
	if tm.TimeColumn != "Timestamp" {
		t.Fatalf("time column %q", tm.TimeColumn)
	}
	var days []string
	for _, p := range tm.Partitions {
		days = append(days, fmt.Sprintf("%s:%d", p.Day, p.Rows))
	}
	sort.Strings(days)
	if got := strings.Join(days, " "); got != "2024-01-01:2 2024-01-02:1 2024-01-03:1 undated:1" {
		t.Fatalf("partitions %s", got)
	}
	for _, p := range tm.Partitions {
		if p.Day == "2024-01-01" && (p.MinTime != "2024-01-01T08:00:00.0000000Z" || p.MaxTime != "2024-01-01T23:59:59.9999999Z") {
			t.Fatalf("partition time range %s .. %s", p.MinTime, p.MaxTime)
		}
	}
	if len(m.Sources) != 1 || m.Sources[0].SHA256 != res.SHA256 || len(res.SHA256) != 64 {
		t.Fatalf("sources %+v", m.Sources)
	}
	var cols []string
	for _, c := range tm.Columns {
		cols = append(cols, c.Name+":"+c.Type)
	}
	if got := strings.Join(cols, ","); got != "Timestamp:datetime,User:string,N:long,Took:timespan,Extra:dynamic,Score:real" {
		t.Fatalf("columns %s", got)
	}

	// re-ingesting the same content adds nothing
	cp := writeFile(t, dir, "copy.csv", events)
	res2, err := st2.IngestFile(context.Background(), cp, IngestOptions{Name: "Events", Explicit: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res2.Duplicate {
		t.Fatalf("re-ingest not detected: %+v", res2)
	}
	if n := len(rows(t, table(t, st2.Tables(nil), "Events"), catalog.ScanOptions{})); n != 5 {
		t.Fatalf("%d rows after re-ingest, want 5", n)
	}
}

func TestPruning(t *testing.T) {
	dir := t.TempDir()
	// 4 days × 100 rows; row groups of 10 rows
	var b strings.Builder
	b.WriteString("Timestamp:datetime,I:long\n")
	for d := 0; d < 4; d++ {
		for i := 0; i < 100; i++ {
			fmt.Fprintf(&b, "2024-03-%02dT%02d:%02d:00Z,%d\n", d+1, i/6, (i%6)*10, d*100+i)
		}
	}
	src := writeFile(t, dir, "T.csv", b.String())
	st, err := Create(filepath.Join(dir, "s"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.IngestFile(context.Background(), src, IngestOptions{Explicit: true, RowGroupRows: 10}); err != nil {
		t.Fatal(err)
	}
	tb := table(t, st.Tables(nil), "T").(*Table)
	if tb.TimeColumn() != "Timestamp" {
		t.Fatal(tb.TimeColumn())
	}
	all := rows(t, tb, catalog.ScanOptions{})
	if len(all) != 400 {
		t.Fatalf("%d rows", len(all))
	}
	if s := st.Stats(); s.PartitionsOpened != 4 || s.RowGroupsRead != 40 || s.PartitionsPruned != 0 {
		t.Fatalf("full scan stats %+v", s)
	}
	// [2024-03-02T05:00, 2024-03-02T08:00): one partition, rows 30..47 of day 2 → row groups 3 and 4
	from, _ := types.ParseDateTime("2024-03-02T05:00:00Z")
	to, _ := types.ParseDateTime("2024-03-02T08:00:00Z")
	before := st.Stats()
	got := rows(t, tb, catalog.ScanOptions{TimeColumn: "Timestamp", From: &from, To: &to})
	s := st.Stats()
	if s.PartitionsOpened-before.PartitionsOpened != 1 || s.PartitionsPruned-before.PartitionsPruned != 3 {
		t.Fatalf("partition pruning: %+v (before %+v)", s, before)
	}
	if s.RowGroupsRead-before.RowGroupsRead != 2 || s.RowGroupsPruned-before.RowGroupsPruned != 8 {
		t.Fatalf("row group pruning: %+v (before %+v)", s, before)
	}
	// the pruned scan returns a superset of the rows in range, and only rows of those row groups
	if len(got) != 20 {
		t.Fatalf("%d rows from pruned scan, want the 20 of two row groups", len(got))
	}
	inRange := 0
	for _, r := range all {
		if strings.Contains(r, "2024-03-02 05:") || strings.Contains(r, "2024-03-02 06:") || strings.Contains(r, "2024-03-02 07:") {
			inRange++
			if i := sort.SearchStrings(got, r); i >= len(got) || got[i] != r {
				t.Fatalf("pruned scan lost %s", r)
			}
		}
	}
	if inRange != 18 {
		t.Fatalf("%d rows in range", inRange)
	}
	// a bound on another column prunes nothing
	before = st.Stats()
	if n := len(rows(t, tb, catalog.ScanOptions{TimeColumn: "Other", From: &from})); n != 400 {
		t.Fatalf("%d rows", n)
	}
	if s := st.Stats(); s.PartitionsOpened-before.PartitionsOpened != 4 {
		t.Fatalf("stats %+v", s)
	}
}

func TestSchemaEvolutionAndProjection(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.csv", "Timestamp:datetime,User:string\n2024-01-01T00:00:00Z,alice\n")
	b := writeFile(t, dir, "b.csv", "Timestamp:datetime,User:string,Ip:string,N:long\n2024-01-02T00:00:00Z,bob,1.2.3.4,7\n")
	st, err := Create(filepath.Join(dir, "s"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{a, b} {
		if _, err := st.IngestFile(context.Background(), p, IngestOptions{Name: "Logs", Explicit: true}); err != nil {
			t.Fatal(err)
		}
	}
	tb := table(t, st.Tables(nil), "Logs")
	if tb.Schema().NumFields() != 4 {
		t.Fatalf("schema %v", tb.Schema())
	}
	got := rows(t, tb, catalog.ScanOptions{Columns: []string{"N", "User"}})
	want := []string{"long=(null) string=alice", "long=7 string=bob"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q want %q", got, want)
	}
	// a projection of only columns a file lacks still yields its rows (as nulls)
	if got := rows(t, tb, catalog.ScanOptions{Columns: []string{"Ip"}}); len(got) != 2 {
		t.Fatalf("got %q", got)
	}
}

func TestCrashLeavesStoreConsistent(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.csv", "Timestamp:datetime,User:string\n2024-01-01T00:00:00Z,alice\n2024-01-05T00:00:00Z,ann\n")
	b := writeFile(t, dir, "b.csv", "Timestamp:datetime,User:string\n2024-01-02T00:00:00Z,bob\n2024-01-06T00:00:00Z,bill\n")
	sdir := filepath.Join(dir, "s")
	st, err := Create(sdir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.IngestFile(context.Background(), a, IngestOptions{Name: "Logs", Explicit: true}); err != nil {
		t.Fatal(err)
	}
	manBefore, _ := os.ReadFile(filepath.Join(sdir, ManifestName))
	for _, step := range []string{"after-read", "mid-write", "before-manifest"} {
		_, err := st.IngestFile(context.Background(), b, IngestOptions{Name: "Logs", Explicit: true, failAt: step})
		if err == nil || !strings.Contains(err.Error(), "injected") {
			t.Fatalf("%s: err %v", step, err)
		}
		manAfter, _ := os.ReadFile(filepath.Join(sdir, ManifestName))
		if string(manAfter) != string(manBefore) {
			t.Fatalf("%s: manifest changed by a failed ingest", step)
		}
		// a fresh reader sees exactly the first file
		re, err := Open(sdir)
		if err != nil {
			t.Fatal(err)
		}
		got := rows(t, table(t, re.Tables(nil), "Logs"), catalog.ScanOptions{})
		if len(got) != 2 || !strings.Contains(got[0], "alice") {
			t.Fatalf("%s: rows %q", step, got)
		}
	}
	// the before-manifest failure left renamed part files behind: unlisted, ignored
	var leftovers int
	filepath.Walk(sdir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.Contains(p, "Logs") {
			leftovers++
		}
		return nil
	})
	if leftovers != 4 {
		t.Fatalf("%d files, want 2 listed + 2 leftovers", leftovers)
	}
	// the next ingest removes them and completes
	st, _ = Open(sdir)
	res, err := st.IngestFile(context.Background(), b, IngestOptions{Name: "Logs", Explicit: true})
	if err != nil || res.Duplicate {
		t.Fatalf("%v %+v", err, res)
	}
	if got := rows(t, table(t, st.Tables(nil), "Logs"), catalog.ScanOptions{}); len(got) != 4 {
		t.Fatalf("rows %q", got)
	}
	var m Manifest
	b2, _ := os.ReadFile(filepath.Join(sdir, ManifestName))
	if err := json.Unmarshal(b2, &m); err != nil || len(m.Sources) != 2 {
		t.Fatalf("manifest %s %v", b2, err)
	}
}

func TestProblemsAndStrict(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "Bad.jsonl", `{"Timestamp":"2024-01-01T00:00:00Z","N":1}
{"Timestamp":"2024-01-01T01:00:00Z","N":2
{"Timestamp":"2024-01-01T02:00:00Z","N":3}
`)
	st, err := Create(filepath.Join(dir, "s"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.IngestFile(context.Background(), bad, IngestOptions{Explicit: true, Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.NotStored || res.RowsRejected != 1 || len(res.Problems) != 1 || res.Problems[0].Line != 2 {
		t.Fatalf("strict result %+v", res)
	}
	if len(st.Manifest().Tables) != 0 {
		t.Fatal("strict ingest stored a file with problems")
	}
	res, err = st.IngestFile(context.Background(), bad, IngestOptions{Explicit: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.RowsRead != 3 || res.RowsStored != 2 || res.RowsRejected != 1 {
		t.Fatalf("result %+v", res)
	}
	// a non-data file in a directory is skipped
	txt := writeFile(t, dir, "notes.kql", "T | take 1\n")
	res, err = st.IngestFile(context.Background(), txt, IngestOptions{})
	if err != nil || !res.Skipped {
		t.Fatalf("%v %+v", err, res)
	}
}

func TestCreateRefusesForeignDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "x.txt", "hello")
	if _, err := Create(dir); err == nil {
		t.Fatal("Create accepted a non-empty directory without a manifest")
	}
	if _, err := Open(filepath.Join(dir, "nope")); err == nil || !strings.Contains(err.Error(), "no such store") {
		t.Fatalf("Open: %v", err)
	}
}
