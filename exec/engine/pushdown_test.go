package engine

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang"
)

// filterTable records whether scans were given a pushed filter.
type filterTable struct {
	catalog.Table
	pushed int
}

func (f *filterTable) Scan(ctx context.Context, opts catalog.ScanOptions) (catalog.RecordReader, error) {
	if opts.Filter != nil {
		f.pushed++
	}
	return f.Table.Scan(ctx, opts)
}

// pushdownEvents is a CSV of rule events with JSON text that stresses
// the dynamic fast paths: escapes, unicode, whitespace, nested arrays,
// duplicate keys, numbers, null members and invalid JSON.
func pushdownEvents(rows int) string {
	var b strings.Builder
	b.WriteString("Timestamp:datetime,ActionType:string,AccountObjectId:string,N:long,RawEventData:dynamic\n")
	acts := []string{"New-InboxRule", "FileDownloaded", "Set-InboxRule", "", "MailItemsAccessed"}
	raws := []string{
		`{"Parameters":[{"Name":"ForwardTo","Value":"a@external.example"},{"Name":"From","Value":"x"}]}`,
		`{ "Parameters" : [ { "Name" : "ForwardTo" , "Value" : "b@External.Example" } ] }`,
		`{"Parameters":[{"Name":"Forward\u0054o","Value":"c\"q@external.example"}]}`,
		`{"Parameters":[{"Name":"ForwardTo","Value":"d@external.example","Name":"Dup"}]}`,
		`{"Parameters":[{"Name":"ForwardTo","Value":null},{"Name":null,"Value":1.50}]}`,
		`{"Parameters":[[1,2],{"Name":"ForwardTo","Value":["e@external.example"]}]}`,
		`{"Parameters":"not an array"}`,
		`{"Parameters":[{"Name":"ForwardTo","Value":"é@external.example"},true,12e3,-0.0]}`,
		`{"Parameters":[{"Name":"ForwardTo","Value":{"x":"f@external.example"}}]}`,
		`{"Parameters": [`,
		`[1,2,3]`,
		``,
		`{"Other":1}`,
	}
	for i := 0; i < rows; i++ {
		raw := raws[(i*5)%len(raws)]
		n := fmt.Sprint(i % 9)
		if i%10 == 4 {
			n = ""
		}
		fmt.Fprintf(&b, "2024-03-01T%02d:%02d:00Z,%s,acc%d,%s,\"%s\"\n", (i/60)%24, i%60, acts[(i*3)%len(acts)], i%7, n, strings.ReplaceAll(raw, `"`, `""`))
	}
	return b.String()
}

// TestFilterPushdownMatchesPlain runs queries with a leading where over
// the same data as Parquet (several row groups; the scan evaluates the
// pushed filter first and reads the other columns late) and as CSV (no
// pushdown) and requires identical results.
func TestFilterPushdownMatchesPlain(t *testing.T) {
	csv := pushdownEvents(3000)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ts, err := source.ReadBytes("Events", "Events.csv", []byte(csv), source.Options{Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	rr, err := ts[0].Scan(context.Background(), catalog.ScanOptions{BatchRows: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := rr.Next(context.Background())
	if err != nil || rec == nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(rec.Schema(), &buf, parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(700), parquet.WithDataPageSize(1024)),
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	w.Close()
	rec.Release()
	rr.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "Events.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	pq, err := source.Load([]source.Binding{{Path: path}}, source.Options{Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	queries := []string{
		`Events | where ActionType in ("New-InboxRule","Set-InboxRule") | mv-expand p=RawEventData.Parameters | where tostring(p.Name) == "ForwardTo" and tostring(p.Value) endswith "@external.example" | summarize n=count() by AccountObjectId | sort by AccountObjectId asc`,
		`Events | where ActionType in ("New-InboxRule","Set-InboxRule") | mv-expand p=RawEventData.Parameters | extend name=tostring(p.Name), value=tostring(p.Value) | project AccountObjectId, N, name, value, p`,
		`Events | where ActionType == "FileDownloaded" and N > 3 | project Timestamp, AccountObjectId, RawEventData`,
		`Events | where isempty(ActionType) | summarize n=count(), s=sum(N) by AccountObjectId | sort by AccountObjectId asc`,
		`Events | where ActionType startswith "Set" or N == 0 | extend r=tostring(RawEventData) | project AccountObjectId, r, N`,
		`Events | where ActionType == "none" | project RawEventData`,
		`Events | where ActionType != "x" | summarize n=count() by k=tostring(RawEventData.Parameters[0].Name) | sort by n desc, k asc`,
		`Events | where isnull(N) | project AccountObjectId, RawEventData | take 5`,
		`Events | where ActionType has "inbox" or AccountObjectId =~ "ACC3" | summarize n=count(), r=dcount(tostring(RawEventData)) by ActionType, AccountObjectId | sort by ActionType asc, AccountObjectId asc`,
		`Events | where ActionType contains "rule" and ActionType matches regex "^(New|Set)-" and RawEventData.Parameters[0].Name == "ForwardTo" | project AccountObjectId, N, RawEventData`,
		`Events | where strlen(ActionType) > 13 and N between (2 .. 6) | summarize n=count() by AccountObjectId, N | sort by AccountObjectId asc, N asc`,
		// every scanned column in a conjunction of single-column terms:
		// the dictionary-index path of Parquet scans (parquet_dictfilter.go)
		`Events | where ActionType == "FileDownloaded" and AccountObjectId == "acc3" | summarize n=count()`,
		`Events | where ActionType in ("New-InboxRule","Set-InboxRule") and AccountObjectId != "acc2" and ActionType !has "new" | summarize n=count() by ActionType, AccountObjectId | sort by ActionType asc, AccountObjectId asc`,
		`Events | where ActionType startswith "S" and (isnotempty(AccountObjectId) and AccountObjectId !~ "ACC1") | project ActionType, AccountObjectId`,
		`Events | where ActionType == "none" and AccountObjectId == "acc1" | summarize n=count()`,
		`Events | where isnotempty(ActionType) and AccountObjectId in ("acc1", "acc4") | summarize n=count() by AccountObjectId | sort by AccountObjectId asc`,
	}
	for _, kind := range []string{"inner", "innerunique", "leftouter", "rightouter", "fullouter", "leftsemi", "leftanti", "rightsemi", "rightanti"} {
		// dictionary-encoded probe columns through the join (the pipe
		// ends in summarize), the build on either side
		queries = append(queries,
			`Events | join kind=`+kind+` (Events | where N == 1 and AccountObjectId != "acc3" | summarize N2=count() by AccountObjectId, ActionType) on AccountObjectId | summarize n=count() by ActionType | sort by ActionType asc`,
			`Events | where N == 8 and ActionType == "FileDownloaded" | join kind=`+kind+` (Events | where isnotempty(ActionType) and AccountObjectId !in ("acc2", "acc5")) on AccountObjectId | summarize n=count() by AccountObjectId | sort by AccountObjectId asc`)
		if !strings.Contains(kind, "semi") && !strings.Contains(kind, "anti") {
			// build-side string columns as dictionaries over the build column
			queries = append(queries, `Events | where N == 8 | join kind=`+kind+` (Events | where isnotempty(ActionType) and AccountObjectId !in ("acc2", "acc5") | extend Z=strcat(ActionType, "/", AccountObjectId)) on AccountObjectId | where Z != "x" | summarize n=count(), d=dcount(Z) by Z, ActionType1, ActionType | sort by Z asc, ActionType1 asc, ActionType asc`,
				`Events | join kind=`+kind+` (Events | where N == 1 and AccountObjectId != "acc4" | extend Z=strcat(ActionType, "/", AccountObjectId)) on AccountObjectId | extend Y=strcat(Z, "+") | summarize n=count(), d=dcount(Z) by Z, Y | sort by Z asc, Y asc`)
		}
	}
	for _, q := range queries {
		var outs []string
		for _, tbl := range []catalog.Table{ts[0], pq[0]} {
			ft := &filterTable{Table: tbl}
			cat := catalog.New()
			cat.Add(ft)
			res, err := Run(context.Background(), lang.NewSource("q", q), Options{Catalog: cat, Now: time.Now(), Mem: mem})
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			var rows []string
			for _, rec := range res.Records {
				for r := 0; r < int(rec.NumRows()); r++ {
					var cells []string
					for c := 0; c < int(rec.NumCols()); c++ {
						cells = append(cells, rec.Column(c).ValueStr(r))
					}
					rows = append(rows, strings.Join(cells, ","))
				}
			}
			res.Release()
			if ft.pushed == 0 && !strings.Contains(q, "take") && !strings.Contains(q, "join") {
				t.Errorf("%s: no filter pushed", q)
			}
			outs = append(outs, strings.Join(rows, "\n"))
		}
		if outs[0] != outs[1] {
			t.Errorf("%s:\ncsv:\n%s\nparquet:\n%s", q, outs[0], outs[1])
		}
		if outs[0] == "" && !strings.Contains(q, "none") && !strings.Contains(q, "rightanti") {
			t.Errorf("%s: no rows", q)
		}
	}
}
