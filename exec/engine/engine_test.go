package engine

import (
	"context"
	"errors"
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

// run executes query over tables given as typed CSV texts and returns the
// result as "name:type,..." then one line per row, cells joined by ",".
func run(t *testing.T, query string, tables map[string]string) (string, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cat := catalog.New()
	for name, csv := range tables {
		ts, err := source.ReadBytes(name, name+".csv", []byte(csv), source.Options{Mem: mem})
		if err != nil {
			t.Fatalf("table %s: %v", name, err)
		}
		for _, tb := range ts {
			cat.Add(tb)
		}
	}
	now := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	res, err := Run(context.Background(), lang.NewSource("q", query), Options{Catalog: cat, Now: now, Mem: mem})
	if err != nil {
		return "", err
	}
	defer res.Release()
	var b strings.Builder
	for i, f := range res.Schema.Fields() {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(f.Name + ":" + kernels.KindOf(f).String())
	}
	b.WriteByte('\n')
	for _, rec := range res.Records {
		for r := 0; r < int(rec.NumRows()); r++ {
			for c := 0; c < int(rec.NumCols()); c++ {
				if c > 0 {
					b.WriteByte(',')
				}
				b.Write(output.AppendCell(nil, rec.Column(c), kernels.KindOf(rec.Schema().Field(c)), r, output.Golden))
			}
			b.WriteByte('\n')
		}
	}
	return b.String(), nil
}

const events = `Timestamp:datetime,ActionType:string,User:string,N:long,Props:dynamic
2024-02-28T10:00:00Z,New-InboxRule,alice,5,"{""a"":1,""b"":{""c"":""x""}}"
2024-02-28T11:00:00Z,Set-Mailbox,bob,,"{""a"":2}"
2024-02-29T10:00:00Z,New-InboxRule,bob,7,
2024-02-29T12:00:00Z,MailItemsAccessed,alice,1,"[1,2,3]"
`

func TestOperators(t *testing.T) {
	tables := map[string]string{"T": events}
	cases := []struct{ name, query, want string }{
		{"count", `T | where ActionType == "New-InboxRule" | count`, "Count:long\n2\n"},
		{"where-null-dropped", `T | where N > 1 | project User, N`, "User:string,N:long\nalice,5\nbob,7\n"},
		{"sort-asc-nulls-first", `T | sort by N asc | project User, N`, "User:string,N:long\nbob,\nalice,1\nalice,5\nbob,7\n"},
		{"sort-desc-default-nulls-last", `T | sort by N | project N`, "N:long\n7\n5\n1\n\n"},
		{"sort-nulls-first-explicit", `T | sort by N desc nulls first | project N`, "N:long\n\n7\n5\n1\n"},
		{"sort-stable", `T | sort by User asc | project User, N`, "User:string,N:long\nalice,5\nalice,1\nbob,\nbob,7\n"},
		{"top", `T | top 2 by Timestamp asc | project ActionType`, "ActionType:string\nNew-InboxRule\nSet-Mailbox\n"},
		{"take", `T | take 1 | project User`, "User:string\nalice\n"},
		{"extend-names", `T | take 1 | extend N + 1, tostring(Props.a), Props.b.c | project-away Timestamp, ActionType, Props`,
			"User:string,N:long,Column1:long,Props_a:string,Props_b_c:dynamic\nalice,5,6,1,\"x\"\n"},
		{"extend-replace-and-chain", `T | take 1 | extend N = N * 10, M = N + 1 | project N, M`, "N:long,M:long\n50,51\n"},
		{"project-expr-name", `T | take 1 | project N * 2, x = User`, "Column1:long,x:string\n10,alice\n"},
		{"dynamic-index", `T | project Props[0], Props["a"]`, "Props_0:dynamic,Props_a:dynamic\n,1\n,2\n,\n1,\n"},
		{"summarize-names", `T | summarize count(), sum(N), dcount(User), max(Timestamp) by User`,
			"User:string,count_:long,sum_N:long,dcount_User:long,max_Timestamp:datetime\nalice,2,6,1,2024-02-29T12:00:00Z\nbob,2,7,1,2024-02-29T10:00:00Z\n"},
		{"summarize-bin", `T | summarize c = count() by bin(Timestamp, 1d)`, "Timestamp:datetime,c:long\n2024-02-28T00:00:00Z,2\n2024-02-29T00:00:00Z,2\n"},
		{"summarize-empty-no-keys", `T | where N > 100 | summarize count(), sum(N)`, "count_:long,sum_N:long\n0,0\n"},
		{"summarize-empty-keys", `T | where N > 100 | summarize count() by User`, "User:string,count_:long\n"},
		{"summarize-expr-over-aggs", `T | summarize r = sum(N) * 2 + count()`, "r:long\n30\n"},
		{"summarize-arg-max-star", `T | summarize arg_max(Timestamp, *) by User | project User, ActionType`,
			"User:string,ActionType:string\nalice,MailItemsAccessed\nbob,New-InboxRule\n"},
		{"summarize-dup-names", `T | summarize make_set(User), make_set(User)`, "set_User:dynamic,set_User1:dynamic\n[\"alice\",\"bob\"],[\"alice\",\"bob\"]\n"},
		{"distinct", `T | distinct User`, "User:string\nalice\nbob\n"},
		{"distinct-star", `T | project User, ActionType | distinct *`, "User:string,ActionType:string\nalice,New-InboxRule\nbob,Set-Mailbox\nbob,New-InboxRule\nalice,MailItemsAccessed\n"},
		{"rename-reorder", `T | take 1 | project-rename U = User | project-reorder N, U | project-keep N, U, Act*`,
			"N:long,U:string,ActionType:string\n5,alice,New-InboxRule\n"},
		{"union-outer", `union (print a = 1), (print b = "x")`, "a:long,b:string\n1,\n,x\n"},
		{"union-withsource", `union withsource=Src (T | take 1 | project N), (print N = 9 | as P)`, "Src:string,N:long\n,5\nP,9\n"},
		{"union-fuzzy", `union isfuzzy=true (print x = 1), Missing`, "x:long\n1\n"},
		{"compare-mixed", `print a = "0" == 0, b = 0 != "1", c = true == 1, d = tostring("x") == 1, e = "TRUE" == true, f = 2.5 > "2", g = "7" < 10, h = "1.5" == 1.5`,
			"a:bool,b:bool,c:bool,d:bool,e:bool,f:bool,g:bool,h:bool\ntrue,true,true,false,true,true,true,true\n"},
		{"compare-mixed-column", `datatable(s:string)["0","50057","", "abc"] | where s != 0`, "s:string\n50057\n\nabc\n"},
		{"reduce", `datatable(c:string)["fooZ1","fooZ2","barZ3","fooZ4"] | reduce by c with threshold=0.3, characters="Z"`,
			"Pattern:string,Count:long,Representative:string\nfoo*,3,fooZ1\nothers,1,\n"},
		{"reduce-source", `datatable(c:string)["a 1","a 2","b"] | reduce kind=source by c with threshold=0.3`, "c:string,Pattern:string\na 1,a *\na 2,a *\nb,b\n"},
		{"print", `print 1 + 2, s = strcat("a", "b")`, "print_0:long,s:string\n3,ab\n"},
		{"range", `range x from 1 to 10 step 4`, "x:long\n1\n5\n9\n"},
		{"range-datetime", `range t from datetime(2024-01-01) to datetime(2024-01-02) step 12h`, "t:datetime\n2024-01-01T00:00:00Z\n2024-01-01T12:00:00Z\n2024-01-02T00:00:00Z\n"},
		{"datatable", `datatable(a:string, b:long, c:real)["x", 1, 2, "y", int(null), 3.5]`, "a:string,b:long,c:real\nx,1,2\ny,,3.5\n"},
		{"let-scalar-and-tabular", `let lim = 4; let t = T | where N >= lim; t | project User`, "User:string\nalice\nbob\n"},
		{"toscalar", `let m = toscalar(T | summarize max(N)); T | where N == m | project User`, "User:string\nbob\n"},
		{"materialize", `let m = materialize(T | summarize c = count() by User); m | join kind=inner (m) on User | project User, c`, "User:string,c:long\nalice,2\nbob,2\n"},
		{"udf-scalar-default", `let f = (a:long, b:long = 10) { a * b }; print f(2), f(2, 3)`, "print_0:long,print_1:long\n20,6\n"},
		{"udf-tabular", `let g = (t:(*), n:long) { t | where N > n | count }; g(T, 4)`, "Count:long\n2\n"},
		{"in-subquery", `T | where User in ((T | where N == 7 | project User)) | project N`, "N:long\n\n7\n"},
		{"in-list", `T | where ActionType in ("Set-Mailbox", "MailItemsAccessed") | project User`, "User:string\nbob\nalice\n"},
		{"and-or-null", `print a = bool(null) and false, b = bool(null) or true, c = bool(null) and true`, "a:bool,b:bool,c:bool\nfalse,true,\n"},
		{"getschema", `T | project User, N | getschema`, "ColumnName:string,ColumnOrdinal:int,DataType:string,ColumnType:string\nUser,0,System.String,string\nN,1,System.Int64,long\n"},
		{"serialize", `T | serialize | take 1 | project User`, "User:string\nalice\n"},
		{"scalar-statement", `1 + 1`, "print_0:long\n2\n"},
		{"as-reference", `range x from 1 to 3 step 1 | as R | join kind=inner (R | where x > 1) on x | project x`, "x:long\n2\n3\n"},
		{"project-by-names", `T | take 1 | project-by-names "N", "Act*"`, "N:long,ActionType:string\n5,New-InboxRule\n"},
		{"typeof-arg", `print extract("([0-9]+)", 1, "ab12", typeof(long))`, "print_0:long\n12\n"},
		{"json-in-string", `print s = '{"a":{"b":7}}' | extend v = s.a.b`, "s:string,v:dynamic\n{\"a\":{\"b\":7}},7\n"},
		{"now-pinned", `print now()`, "print_0:datetime\n2024-03-01T00:00:00Z\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := run(t, c.query, tables)
			if err != nil {
				t.Fatalf("%s: %v", c.query, err)
			}
			if got != c.want {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", c.query, got, c.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tables := map[string]string{"T": events}
	cases := []struct{ query, want string }{
		{`T | where Usr == "a"`, "q:1:11: unknown column Usr\n    T | where Usr == \"a\"\n              ^\n    did you mean User?"},
		{`Tx | count`, "q:1:1: unknown table Tx"},
		{`T | where N > now()`, "q:1:11: operator > cannot be applied to (long, datetime)"},
		{`T | extend strln(User)`, "q:1:12: unknown function strln"},
		{`T | where count() > 1`, "q:1:11: aggregate function count() can only be used in summarize"},
		{`T | summarize by Usr`, "q:1:18: unknown column Usr"},
		{`print toupper(1, 2)`, "q:1:7: toupper() cannot be applied to (long, long)"},
	}
	for _, c := range cases {
		_, err := run(t, c.query, tables)
		if err == nil {
			t.Errorf("%s: no error", c.query)
			continue
		}
		if !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s:\ngot  %q\nwant %q", c.query, err.Error(), c.want)
		}
	}
}

func TestMemoryBudget(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	_, err := Run(context.Background(), lang.NewSource("q", `range x from 1 to 3000000 step 1 | extend s = strcat("value-", tostring(x)) | sort by s`),
		Options{Mem: mem, MaxMemory: 8 << 20})
	if err == nil || !errors.Is(err, ErrMemory) {
		t.Fatalf("want a memory budget error, got %v", err)
	}
	if !strings.Contains(err.Error(), "--max-memory") {
		t.Errorf("message should say how to raise the budget: %v", err)
	}
}

func TestTimeout(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	_, err := Run(context.Background(), lang.NewSource("q", `range x from 1 to 2000000000 step 1 | summarize count() by x % 7`),
		Options{Mem: mem, Timeout: 50 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("want a timeout error, got %v", err)
	}
}

// Queries over several batches exercise the parallel operators: order is
// kept by where/extend, and per-worker partial aggregates merge exactly.
func TestMultiBatch(t *testing.T) {
	cases := []struct{ name, query, want string }{
		{"summarize-merge", `range x from 1 to 200000 step 1 | summarize c = count(), s = sum(x), l = make_list(x, 1000000) by k = x % 3 | extend first = l[0], last = l[-1] | project k, c, s, first, last`,
			"k:long,c:long,s:long,first:dynamic,last:dynamic\n1,66667,6666700000,1,199999\n2,66667,6666766667,2,200000\n0,66666,6666633333,3,199998\n"},
		{"where-order", `range x from 1 to 200000 step 1 | where x % 50000 == 0 | extend y = x / 1000`, "x:long,y:long\n50000,50\n100000,100\n150000,150\n200000,200\n"},
		{"take-across", `range x from 1 to 200000 step 1 | where x > 65530 | take 3`, "x:long\n65531\n65532\n65533\n"},
		{"top-across", `range x from 1 to 200000 step 1 | extend g = x % 10 | top 3 by g desc`, "x:long,g:long\n9,9\n19,9\n29,9\n"},
		{"sort-across-stable", `range x from 1 to 200000 step 1 | extend g = x % 100000 | sort by g asc | take 4`, "x:long,g:long\n100000,0\n200000,0\n1,1\n100001,1\n"},
		{"dcount", `range x from 1 to 200000 step 1 | summarize dcount(x % 1000), count()`, "dcount_:long,count_:long\n1000,200000\n"},
		{"distinct", `range x from 1 to 200000 step 1 | extend k = x % 4 | distinct k | sort by k asc`, "k:long\n0\n1\n2\n3\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := run(t, c.query, nil)
			if err != nil {
				t.Fatalf("%s: %v", c.query, err)
			}
			if got != c.want {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", c.query, got, c.want)
			}
		})
	}
}
