package engine

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// TestFilterPushdownNullRowGroups covers the fallback of the dictionary-index
// filter (parquet_dictfilter.go): row groups whose filter columns hold nulls
// (a Parquet file written by another tool) take the generic path, the others
// the index path, and a file mixing both counts every row exactly as a
// direct loop does, with a null string read as Kusto's empty string.
func TestFilterPushdownNullRowGroups(t *testing.T) {
	const rows, group = 4000, 500
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		kernels.Field("ActionType", types.String),
		kernels.Field("Country", types.String),
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	acts := []string{"FileDownloaded", "New-InboxRule", "", "MailItemsAccessed"}
	countries := []string{"US", "NL", "", "GB", "US"}
	at, ct := make([]string, rows), make([]string, rows)
	for i := 0; i < rows; i++ {
		at[i], ct[i] = acts[(i*7)%len(acts)], countries[(i*3)%len(countries)]
		// nulls only in row groups 2 and 5 (ActionType) and 5 and 6 (Country)
		g := i / group
		if (g == 2 || g == 5) && i%11 == 0 {
			at[i] = ""
			b.Field(0).AppendNull()
		} else {
			b.Field(0).(*array.StringBuilder).Append(at[i])
		}
		if (g == 5 || g == 6) && i%13 == 0 {
			ct[i] = ""
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(ct[i])
		}
	}
	rec := b.NewRecord()
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(schema, &buf, parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(group), parquet.WithAllocator(mem)),
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rec.Release()
	path := filepath.Join(t.TempDir(), "Events.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	pq, err := source.Load([]source.Binding{{Path: path}}, source.Options{Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	count := func(pred func(a, c string) bool) int {
		n := 0
		for i := range at {
			if pred(at[i], ct[i]) {
				n++
			}
		}
		return n
	}
	cases := []struct {
		q    string
		want int
	}{
		{`Events | where ActionType == "FileDownloaded" and Country == "US" | summarize n=count()`,
			count(func(a, c string) bool { return a == "FileDownloaded" && c == "US" })},
		{`Events | where isempty(ActionType) and Country != "NL" | summarize n=count()`,
			count(func(a, c string) bool { return a == "" && c != "NL" })},
		{`Events | where ActionType in ("New-InboxRule", "MailItemsAccessed") and isempty(Country) | summarize n=count()`,
			count(func(a, c string) bool { return (a == "New-InboxRule" || a == "MailItemsAccessed") && c == "" })},
		{`Events | where ActionType != "FileDownloaded" and Country =~ "us" | summarize n=count()`,
			count(func(a, c string) bool { return a != "FileDownloaded" && c == "US" })},
	}
	for _, c := range cases {
		ft := &filterTable{Table: pq[0]}
		cat := catalog.New()
		cat.Add(ft)
		res, err := Run(context.Background(), lang.NewSource("q", c.q), Options{Catalog: cat, Now: time.Now(), Mem: mem})
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		got := fmt.Sprint(res.Records[0].Column(0).(*array.Int64).Value(0))
		res.Release()
		if ft.pushed == 0 {
			t.Errorf("%s: no filter pushed", c.q)
		}
		if got != fmt.Sprint(c.want) {
			t.Errorf("%s: n = %s, want %d", c.q, got, c.want)
		}
	}
}
