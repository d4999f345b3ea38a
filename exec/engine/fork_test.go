package engine

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/output"
	"github.com/kqlhunt/kqlhunt/exec/source"
	"github.com/kqlhunt/kqlhunt/lang"
)

func forkCatalog(t *testing.T, mem memory.Allocator) *catalog.Catalog {
	t.Helper()
	cat := catalog.New()
	ts, err := source.ReadBytes("T", "T.csv", []byte(events), source.Options{Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range ts {
		cat.Add(tb)
	}
	return cat
}

// runTables runs query and renders every result table as
// "# Name\ncol:type,...\nrows (sorted)\n".
func runTables(t *testing.T, query string) (string, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	now := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	res, err := Run(context.Background(), lang.NewSource("q", query), Options{Catalog: forkCatalog(t, mem), Now: now, Mem: mem})
	if err != nil {
		return "", err
	}
	defer res.Release()
	var b strings.Builder
	for _, tb := range res.Tables {
		b.WriteString("# " + tb.Name + "\n")
		for i, f := range tb.Schema.Fields() {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(f.Name + ":" + kernels.KindOf(f).String())
		}
		b.WriteByte('\n')
		var rows []string
		for _, rec := range tb.Records {
			for r := 0; r < int(rec.NumRows()); r++ {
				var row []byte
				for c := 0; c < int(rec.NumCols()); c++ {
					if c > 0 {
						row = append(row, ',')
					}
					row = output.AppendCell(row, rec.Column(c), kernels.KindOf(rec.Schema().Field(c)), r, output.Golden)
				}
				rows = append(rows, string(row))
			}
		}
		sort.Strings(rows)
		for _, r := range rows {
			b.WriteString(r + "\n")
		}
	}
	return b.String(), nil
}

func TestForkFacet(t *testing.T) {
	cases := []struct{ name, query, want string }{
		{"facet", `T | facet by User, ActionType`, `# User
User:string,count_User:long
alice,2
bob,2
# ActionType
ActionType:string,count_ActionType:long
MailItemsAccessed,1
New-InboxRule,2
Set-Mailbox,1
`},
		{"facet-with-first", `T | where ActionType != "Set-Mailbox" | facet by User with (where N > 1 | project User, N)`, `# GenericResult
User:string,N:long
alice,5
bob,7
# User
User:string,count_User:long
alice,2
bob,1
`},
		{"facet-with-as", `T | facet by User with (count | as Total)`, `# Total
Count:long
4
# User
User:string,count_User:long
alice,2
bob,2
`},
		{"fork-default-names", `T | fork (where N > 4 | project User) (count) (summarize s = sum(N))`, `# GenericResult
User:string
alice
bob
# GenericResult_2
Count:long
4
# GenericResult_3
s:long
13
`},
		{"fork-as-and-named", `T | where isnotnull(N) | fork (count | as C) Big = (where N > 4 | project N) (where N < 2 | project User)`, `# C
Count:long
3
# Big
N:long
5
7
# GenericResult
User:string
alice
`},
		{"ordinary-query-one-unnamed-table", `T | count`, `# 
Count:long
4
`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := runTables(t, tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", tc.query, got, tc.want)
			}
		})
	}
}

func TestForkQueryAPI(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	opts := Options{Catalog: forkCatalog(t, mem), Mem: mem}
	q, err := Prepare(ctx, lang.NewSource("q", `T | fork (project User | take 1) Total = (count)`), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if !q.Multi() || len(q.Tables()) != 2 {
		t.Fatalf("Multi=%v tables=%d, want 2 tables", q.Multi(), len(q.Tables()))
	}
	// Read the second table first: the shared input is computed on demand.
	tabs := q.Tables()
	if tabs[1].Name != "Total" || tabs[0].Name != "GenericResult" {
		t.Errorf("names %q %q", tabs[0].Name, tabs[1].Name)
	}
	rec, err := tabs[1].Next(ctx)
	if err != nil || rec == nil {
		t.Fatalf("Total: %v %v", rec, err)
	}
	if n := rec.Column(0).ValueStr(0); n != "4" {
		t.Errorf("Total count = %s, want 4", n)
	}
	rec.Release()
	// Query.Next streams the first table.
	if q.Schema().Field(0).Name != "User" {
		t.Errorf("Query.Schema is %v, want the first table's", q.Schema())
	}
	rec, err = q.Next(ctx)
	if err != nil || rec == nil || rec.NumRows() != 1 {
		t.Fatalf("first table: %v %v", rec, err)
	}
	rec.Release()

	// A plain query is not multi.
	q2, err := Prepare(ctx, lang.NewSource("q", `T | count`), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer q2.Close()
	if q2.Multi() || len(q2.Tables()) != 1 || q2.Tables()[0].Name != "" {
		t.Errorf("plain query: Multi=%v tables=%d", q2.Multi(), len(q2.Tables()))
	}
}

func TestForkSingleTableRejected(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	_, err := Run(context.Background(), lang.NewSource("q", "T\n| facet by User"), Options{Catalog: forkCatalog(t, mem), Mem: mem, SingleTable: true})
	var ee *Error
	if !errors.As(err, &ee) || !ee.Pos {
		t.Fatalf("want a positioned engine error, got %v", err)
	}
	if !strings.HasPrefix(err.Error(), "q:2:3: facet returns named result tables (1 here); a hunt must return one ordinary table") {
		t.Errorf("error %q should point at facet (q:2:3) and say why", err)
	}
}

func TestForkMemoryBudget(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// Streamed, the same rows fit in the budget; fork materializes its
	// input through the budgeted allocator, so they no longer do.
	streamed := `range x from 1 to 2000000 step 1 | extend s = strcat("row-", x) | count`
	res, err := Run(context.Background(), lang.NewSource("q", streamed), Options{Catalog: forkCatalog(t, mem), Mem: mem, MaxMemory: 24 << 20})
	if err != nil {
		t.Fatalf("streamed: %v", err)
	}
	res.Release()
	q := `range x from 1 to 2000000 step 1 | extend s = strcat("row-", x) | fork (count) (summarize max(s))`
	_, err = Run(context.Background(), lang.NewSource("q", q), Options{Catalog: forkCatalog(t, mem), Mem: mem, MaxMemory: 24 << 20})
	if !errors.Is(err, ErrMemory) {
		t.Fatalf("want the memory budget error, got %v", err)
	}
}
