package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang"
)

// recordingTable remembers the columns each scan asked for.
type recordingTable struct {
	catalog.Table
	scans [][]string
}

func (r *recordingTable) Scan(ctx context.Context, opts catalog.ScanOptions) (catalog.RecordReader, error) {
	r.scans = append(r.scans, opts.Columns)
	return r.Table.Scan(ctx, opts)
}

func TestProjectionPruning(t *testing.T) {
	cases := []struct {
		query string
		cols  string // columns the scan asked for; "*" = all
		want  string // result rows
	}{
		{`Events | where ActionType == "New-InboxRule" | project User, N`, "ActionType,User,N", "alice,5|bob,7"},
		{`Events | summarize n = count() by User | sort by User asc`, "User", "alice,2|bob,2"},
		{`Events | extend x = N * 2 | where x > 9 | project User, x`, "User,N", "alice,10|bob,14"},
		{`Events | where Props.a == 2 | count`, "Props", "1"},
		{`Events | where N > 1`, "*", ""},                                                                            // no column-limiting operator
		{`Events | project-away N | project User`, "*", ""},                                                          // project-away needs every column
		{`Events | summarize arg_max(N, *) by User`, "*", ""},                                                        // * names columns indirectly
		{`Events | extend b = pack_all() | project b`, "*", ""},                                                      // so does pack_all
		{`Events | count`, "*", "4"},                                                                                 // reads no column: nothing to prune
		{`Events | join kind=inner (Events | project User, M = N) on User | project User, M | count`, "User,N", "8"}, // names are collected query-wide: a superset
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			ts, err := source.ReadBytes("Events", "Events.csv", []byte(events), source.Options{Mem: mem})
			if err != nil {
				t.Fatal(err)
			}
			rt := &recordingTable{Table: ts[0]}
			cat := catalog.New()
			cat.Add(rt)
			res, err := Run(context.Background(), lang.NewSource("q", c.query), Options{Catalog: cat, Now: time.Now(), Mem: mem})
			if err != nil {
				t.Fatal(err)
			}
			defer res.Release()
			got := ""
			if c.want != "" {
				var rows []string
				for _, rec := range res.Records {
					for r := 0; r < int(rec.NumRows()); r++ {
						var cells []string
						for col := 0; col < int(rec.NumCols()); col++ {
							cells = append(cells, rec.Column(col).ValueStr(r))
						}
						rows = append(rows, strings.Join(cells, ","))
					}
				}
				got = strings.Join(rows, "|")
				if got != c.want {
					t.Errorf("rows %q, want %q", got, c.want)
				}
			}
			if len(rt.scans) == 0 {
				t.Fatal("the table was not scanned")
			}
			first := "*"
			if rt.scans[0] != nil {
				first = strings.Join(rt.scans[0], ",")
			}
			if first != c.cols {
				t.Errorf("scan read columns %s, want %s", first, c.cols)
			}
		})
	}
}
