package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/engine"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/exec/store"
	"github.com/kqlhunt/kqlhunt/lang"
)

func run(t *testing.T, cat *catalog.Catalog, q string) string {
	t.Helper()
	now := time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)
	res, err := engine.Run(context.Background(), lang.NewSource("q", q), engine.Options{Catalog: cat, Now: now})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer res.Release()
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
	return strings.Join(rows, "|")
}

// Queries from the store prune partitions and row groups by their time
// predicates and return exactly what the same queries return over the raw
// file.
func TestQueryPruning(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("Timestamp:datetime,User:string,N:long,Seen:datetime\n")
	for d := 1; d <= 10; d++ { // 2024-03-01 .. 2024-03-10, 48 rows a day
		for i := 0; i < 48; i++ {
			ts := time.Date(2024, 3, d, i/2, (i%2)*30, 0, 0, time.UTC)
			fmt.Fprintf(&b, "%s,u%d,%d,%s\n", ts.Format(time.RFC3339), i%3, d*100+i, ts.AddDate(0, 0, -30).Format(time.RFC3339))
		}
	}
	b.WriteString(",nobody,0,\n")
	raw := filepath.Join(dir, "Events.csv")
	if err := os.WriteFile(raw, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := store.Create(filepath.Join(dir, "store"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.IngestFile(context.Background(), raw, store.IngestOptions{Explicit: true, RowGroupRows: 8}); err != nil {
		t.Fatal(err)
	}
	rawCat := catalog.New()
	if err := source.Bind(rawCat, []source.Binding{{Path: raw}}, source.Options{}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		q          string
		partitions int64 // files opened (of 11)
		rowGroups  int64 // row groups read (of 61)
	}{
		{`Events | where Timestamp > ago(2d) | summarize n=count(), s=sum(N)`, 3, 15},
		{`Events | where Timestamp between (datetime(2024-03-04) .. datetime(2024-03-05T03:00:00Z)) | summarize n=count(), s=sum(N) by User | sort by User asc`, 2, 7},
		{`let a = datetime(2024-03-02T10:00:00Z); Events | where User == "u2" | where Timestamp >= a and Timestamp < a + 1h | project Timestamp, N`, 1, 1},
		{`Events | where datetime(2024-03-09) <= Timestamp | count`, 2, 12},
		{`Events | where Timestamp == datetime(2024-03-07T05:30:00Z) | project N`, 1, 1},
		{`Events | where Seen < datetime(2024-02-03) | summarize count(), max(Timestamp)`, 3, 18}, // another datetime column
		{`Events | where Timestamp > ago(2d) or N == 0 | count`, 11, 61},                          // `or`: no bound
		{`Events | take 1000 | where Timestamp > ago(9d) | count`, 11, 61},                        // not a leading where
		{`Events | where isnull(Timestamp) | project User`, 11, 61},                               // undated rows are found
		{`Events | where Timestamp !between (ago(9d) .. now()) | count`, 11, 61},                  // negation: no bound
	}
	for _, c := range cases {
		t.Run(c.q, func(t *testing.T) {
			want := run(t, rawCat, c.q)
			cat := catalog.New()
			st2, err := store.Open(st.Dir())
			if err != nil {
				t.Fatal(err)
			}
			st2.Bind(cat, nil)
			got := run(t, cat, c.q)
			if got != want {
				t.Fatalf("store result %q, raw %q", got, want)
			}
			if want == "" || want == "0" {
				t.Fatalf("vacuous case: %q", want)
			}
			s := st2.Stats()
			if s.PartitionsOpened != c.partitions || s.RowGroupsRead != c.rowGroups {
				t.Fatalf("opened %d partitions and %d row groups, want %d and %d (%+v)", s.PartitionsOpened, s.RowGroupsRead, c.partitions, c.rowGroups, s)
			}
		})
	}
}
