package syntax

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

func mustParse(t *testing.T, text string) *ast.Query {
	t.Helper()
	src := lang.NewSource("q", text)
	q, d := Parse(src)
	if d.HasErrors() {
		t.Fatalf("Parse(%q):\n%s", text, d.Render(src, 5))
	}
	return q
}

func mustExpr(t *testing.T, text string) ast.Expr {
	t.Helper()
	src := lang.NewSource("q", text)
	x, d := ParseExpr(src)
	if d.HasErrors() {
		t.Fatalf("ParseExpr(%q):\n%s", text, d.Render(src, 5))
	}
	return x
}

func TestPrecedence(t *testing.T) {
	cases := []struct{ in, want string }{
		{"a or b and c", "(a or (b and c))"},
		{"a and b or c", "((a and b) or c)"},
		{"a + b * c - d", "((a + (b * c)) - d)"},
		{"a - b - c", "((a - b) - c)"},
		{"a / b % c", "((a / b) % c)"},
		{"a == b + 1 and c != d", "((a == (b + 1)) and (c != d))"},
		{"-a * b", "(-a * b)"},
		{"x has 'a' or y !contains_cs 'b'", "((x has 'a') or (y !contains_cs 'b'))"},
		{"x matches regex 'a.*' and y =~ 'B'", "((x matches regex 'a.*') and (y =~ 'B'))"},
		{"x in (1, 2) and y !in~ ('a')", "(x in (1, 2) and y !in~ ('a'))"},
		{"x between (1 .. 1 + 2)", "x between (1 .. (1 + 2))"},
		{"a.b.c[0]['k']", "a.b.c[0]['k']"},
		{"f(x)[1].y", "f(x)[1].y"},
		{"x = 1", "(x == 1)"},
	}
	for _, c := range cases {
		x := mustExpr(t, c.in)
		if got := paren(x); got != c.want {
			t.Errorf("%q: got %s, want %s", c.in, got, c.want)
		}
	}
}

// paren prints binaries fully parenthesised to expose the tree shape.
func paren(x ast.Expr) string {
	switch e := x.(type) {
	case *ast.Binary:
		return "(" + paren(e.L) + " " + e.Op + " " + paren(e.R) + ")"
	case *ast.Unary:
		return e.Op + paren(e.X)
	case *ast.Between:
		return paren(e.X) + " between (" + paren(e.Lo) + " .. " + paren(e.Hi) + ")"
	}
	return ast.FormatExpr(x)
}

func TestLiterals(t *testing.T) {
	day := int64(24 * time.Hour)
	cases := []struct {
		in   string
		kind types.Kind
		val  any
		null bool
	}{
		{"42", types.Long, int64(42), false},
		{"0x1F", types.Long, int64(31), false},
		{"-9223372036854775808", types.Long, int64(math.MinInt64), false},
		{"1.5", types.Real, 1.5, false},
		{"1e3", types.Real, 1000.0, false},
		{"1000.", types.Real, 1000.0, false},
		{"int(7)", types.Int, int32(7), false},
		{"long(null)", types.Long, nil, true},
		{"real(null)", types.Real, nil, true},
		{"decimal(1.25)", types.Decimal, 1.25, false},
		{"bool(1)", types.Bool, true, false},
		{"true", types.Bool, true, false},
		{"False", types.Bool, false, false},
		{"'a\\tb'", types.String, "a\tb", false},
		{`"it's"`, types.String, "it's", false},
		{`@'C:\dir'`, types.String, `C:\dir`, false},
		{`@"say ""hi"""`, types.String, `say "hi"`, false},
		{`h'secret'`, types.String, "secret", false},
		{"'a' 'b' \"c\"", types.String, "abc", false},
		{"```line1\nline2```", types.String, "line1\nline2", false},
		{"1d", types.TimeSpan, day, false},
		{"1.5h", types.TimeSpan, int64(90 * time.Minute), false},
		{"30m", types.TimeSpan, int64(30 * time.Minute), false},
		{"1min", types.TimeSpan, int64(time.Minute), false},
		{"10s", types.TimeSpan, int64(10 * time.Second), false},
		{"1sec", types.TimeSpan, int64(time.Second), false},
		{"100ms", types.TimeSpan, int64(100 * time.Millisecond), false},
		{"10microsecond", types.TimeSpan, int64(10 * time.Microsecond), false},
		{"1tick", types.TimeSpan, int64(100), false},
		{"2days", types.TimeSpan, 2 * day, false},
		{"3hours", types.TimeSpan, int64(3 * time.Hour), false},
		{"1hr", types.TimeSpan, int64(time.Hour), false},
		{"-1d", types.TimeSpan, -day, false},
		{"timespan(1.02:03:04)", types.TimeSpan, day + int64(2*time.Hour+3*time.Minute+4*time.Second), false},
		{"time(00:00:01.5)", types.TimeSpan, int64(1500 * time.Millisecond), false},
		{"time(2d)", types.TimeSpan, 2 * day, false},
		{"datetime(2024-01-01)", types.DateTime, int64(1704067200e9), false},
		{"datetime(2024-01-01 10:20:30.1234567)", types.DateTime, int64(1704104430e9) + 123456700, false},
		{"datetime(2024-01-01T10:20:30Z)", types.DateTime, int64(1704104430e9), false},
		{"datetime(null)", types.DateTime, nil, true},
		{"guid(74BE27DE-1E4E-49D9-B579-FE0B331D3642)", types.Guid, "74be27de-1e4e-49d9-b579-fe0b331d3642", false},
		{`dynamic([1, "a", {'k': 2, "b": [true, null]}, -1.5])`, types.Dynamic, `[1,"a",{"k":2,"b":[true,null]},-1.5]`, false},
		{"dynamic(null)", types.Dynamic, "null", false},
		{"dynamic({})", types.Dynamic, "{}", false},
		{"dynamic()", types.Dynamic, "null", false},
		{"null", types.Null, nil, true},
	}
	for _, c := range cases {
		x := mustExpr(t, c.in)
		lit, ok := x.(*ast.Literal)
		if !ok {
			t.Errorf("%q: got %T, want *ast.Literal", c.in, x)
			continue
		}
		if lit.Kind != c.kind || lit.Null != c.null || lit.Value != c.val {
			t.Errorf("%q: got kind=%v null=%v value=%#v, want kind=%v null=%v value=%#v", c.in, lit.Kind, lit.Null, lit.Value, c.kind, c.null, c.val)
		}
		if lit.Span() != (lang.Span{Start: 0, End: len(c.in)}) {
			t.Errorf("%q: span %v, want whole input", c.in, lit.Span())
		}
	}
	if x, ok := mustExpr(t, "real(nan)").(*ast.Literal); !ok || !math.IsNaN(x.Value.(float64)) {
		t.Errorf("real(nan) not a NaN literal")
	}
	if x, ok := mustExpr(t, "real(-inf)").(*ast.Literal); !ok || !math.IsInf(x.Value.(float64), -1) {
		t.Errorf("real(-inf) not -Inf")
	}
}

func TestSpans(t *testing.T) {
	text := "let n = 5;\nEvents\n| where Severity > n and Host has 'x'\n| summarize c = count() by Host"
	q := mustParse(t, text)
	sub := func(sp lang.Span) string { return text[sp.Start:sp.End] }
	if len(q.Stmts) != 2 {
		t.Fatalf("got %d statements", len(q.Stmts))
	}
	let := q.Stmts[0].(*ast.LetStmt)
	if got := sub(let.Span()); got != "let n = 5" {
		t.Errorf("let span %q", got)
	}
	if got := sub(let.Name.Span()); got != "n" {
		t.Errorf("let name span %q", got)
	}
	pipe := q.Stmts[1].(*ast.ExprStmt).X.(*ast.Pipe)
	if got := sub(pipe.Source.Span()); got != "Events" {
		t.Errorf("source span %q", got)
	}
	w := pipe.Ops[0].(*ast.Where)
	if got := sub(w.Span()); got != "where Severity > n and Host has 'x'" {
		t.Errorf("where span %q", got)
	}
	and := w.Pred.(*ast.Binary)
	if got := sub(and.L.Span()); got != "Severity > n" {
		t.Errorf("comparison span %q", got)
	}
	if got := sub(and.R.(*ast.Binary).R.Span()); got != "'x'" {
		t.Errorf("literal span %q", got)
	}
	s := pipe.Ops[1].(*ast.Summarize)
	if got := sub(s.Aggs[0].Span()); got != "c = count()" {
		t.Errorf("agg span %q", got)
	}
	if got := sub(s.By[0].X.Span()); got != "Host" {
		t.Errorf("by span %q", got)
	}
	// a span never includes trailing comments or whitespace
	q = mustParse(t, "T | take 5 // five\n")
	tk := q.Stmts[0].(*ast.ExprStmt).X.(*ast.Pipe).Ops[0]
	if tk.Span() != (lang.Span{Start: 4, End: 10}) {
		t.Errorf("take span %v", tk.Span())
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		in       string
		line     int
		col      int
		contains string
	}{
		{"T | where x == ", 1, 16, "expected an expression after '=='"},
		{"T\n| summarize count() by ", 2, 24, "expected a column name after 'by'"},
		{"T | wher x", 1, 5, "unknown tabular operator 'wher'"},
		{"T |", 1, 4, "expected an operator after '|'"},
		{"T | where x == 'abc", 1, 16, "unterminated string"},
		{"T\n| where (a or\n   (b and c)", 3, 13, "expected ')' to close '(' opened at 2:9"},
		{"T | where a)", 1, 12, "unexpected ')' with no matching '('"},
		{"T | project a, b]", 1, 17, "unexpected ']'"},
		{"T | where x == 1 | project (a", 1, 30, "expected ')' to close '(' opened at 1:28"},
		{"let = 5; T", 1, 5, "expected a name after 'let'"},
		{"T | sort x", 1, 10, "expected 'by' after 'sort'"},
		{"T | where x in 1", 1, 16, "expected '(' after 'in'"},
		{"T | where a == 1 b == 2", 1, 18, "unexpected 'b': is an operator"},
		{"T | take 1\nlet x = 1; x", 2, 1, "expected ';' before 'let'"},
		{"T | where x !foo 'a'", 1, 13, "unknown operator \"!foo\""},
		{"T | extend x = datetime(2024-13-45)", 1, 16, "invalid datetime literal"},
		{"T | where x ¤ 1", 1, 13, "unexpected character"},
		{"T | extend a = todynamic(x) | mv-expand a to typeof(strin)", 1, 41, "unknown type \"strin\""},
	}
	for _, c := range cases {
		src := lang.NewSource("q.kql", c.in)
		_, d := Parse(src)
		if !d.HasErrors() {
			t.Errorf("%q: no error", c.in)
			continue
		}
		line, col := src.Position(d[0].Span.Start)
		if line != c.line || col != c.col || !strings.Contains(d[0].Msg, c.contains) {
			t.Errorf("%q:\n got %d:%d %s\nwant %d:%d ...%s...", c.in, line, col, d[0].Msg, c.line, c.col, c.contains)
		}
	}
}

func TestErrorRender(t *testing.T) {
	src := lang.NewSource("hunt.kql", "SigninLogs\n| where ResultType == \n| take 5")
	_, d := Parse(src)
	want := "hunt.kql:3:1: expected an expression after '==', found '|'\n    | take 5\n    ^\n"
	if got := d.Render(src, 1); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestLimits(t *testing.T) {
	deep := strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000)
	_, d := Parse(lang.NewSource("q", "print "+deep))
	if !d.HasErrors() || !strings.Contains(d[0].Msg, "nested too deeply") {
		t.Errorf("deep nesting: %v", d)
	}
	ok := strings.Repeat("(", MaxNesting) + "1" + strings.Repeat(")", MaxNesting)
	mustParse(t, "print "+ok)
	long := "print '" + strings.Repeat("x", MaxQueryBytes) + "'"
	_, d = Parse(lang.NewSource("q", long))
	if !d.HasErrors() || !strings.Contains(d[0].Msg, "too long") {
		t.Errorf("long query: %v", d)
	}
	// long operator chains are fine (no recursion per operator)
	mustParse(t, "T"+strings.Repeat(" | where x > 1", 2000))
	mustParse(t, "print "+strings.Repeat("1 + ", 5000)+"1")
}

func TestOperators(t *testing.T) {
	// each query parses and yields the named operators in order
	cases := []struct {
		in  string
		ops []string
	}{
		{"T | filter a | order by b asc | limit 3 | mvexpand c", []string{"where", "sort", "take", "mv-expand"}},
		{"T | project-away a*, ['b c'] | project-keep x | project-rename y = z | project-reorder q desc, r*", []string{"project-away", "project-keep", "project-rename", "project-reorder"}},
		{"T | top 10 by x desc nulls first | distinct a, b | count", []string{"top", "distinct", "count"}},
		{"T | join kind=leftouter hint.strategy=broadcast (U) on a, $left.b == $right.c", []string{"join"}},
		{"T | lookup kind=inner (U | where x) on k", []string{"lookup"}},
		{"T | union kind=outer withsource=Src isfuzzy=true U*, (V | take 1)", []string{"union"}},
		{"T | mv-expand bagexpansion=array with_itemindex=i x = y to typeof(long) limit 5", []string{"mv-expand"}},
		{"T | mv-apply x = y to typeof(long) on (summarize s = sum(x) | where s > 1)", []string{"mv-apply"}},
		{"T | parse-where kind=regex flags=Ui m with 'a' x:int * 'b'", []string{"parse-where"}},
		{"T | parse-kv m as (a:string, b:long) with (pair_delimiter=',', kv_delimiter='=')", []string{"parse-kv"}},
		{"T | make-series kind=nonempty n = count() default = 0 on ts from ago(1d) to now() step 1h by h", []string{"make-series"}},
		{"T | render timechart with (title='x', ycolumns=a)", []string{"render"}},
		{"T | evaluate bag_unpack(d) : (a:string, *)", []string{"evaluate"}},
		{"T | invoke f(1) | as hint.materialized=true X | serialize rn = row_number()", []string{"invoke", "as", "serialize"}},
		{"T | scan with_match_id=m declare (s:long = 0) with (step a: x > 1 => s = 1; step b output=none: x < 0;)", []string{"scan"}},
		{"T | sample 5 | sample-distinct 3 of h | getschema", []string{"sample", "sample-distinct", "getschema"}},
		{"T | facet by a, b with (take 3) | fork (count) b2 = (take 1)", []string{"facet", "fork"}},
		{"T | partition hint.strategy=native by h (top 1 by x) | partition by h { T | count }", []string{"partition", "partition"}},
		{"T | top-nested 3 of a with others = -1 by count() desc, top-nested of b by sum(c)", []string{"top-nested"}},
		{"T | top-hitters 5 of a by b | search kind=case_sensitive 'x' | find in (U*) where a > 1 project-smart", []string{"top-hitters", "search", "find"}},
		{"T | consume | reduce by m with threshold=0.5 | make-graph a --> b with N on id", []string{"consume", "reduce", "make-graph"}},
		{"print x = 1, 2", []string{"print"}},
		{"range i from 1 to 10 step 1 | extend j = i", []string{"range", "extend"}},
		{"union T, U | where a", []string{"union", "where"}},
		{"search in (T, U) 'x'", []string{"search"}},
		{"find where a == 1", []string{"find"}},
		{"evaluate python(typeof(*), 'x')", []string{"evaluate"}},
	}
	for _, c := range cases {
		q := mustParse(t, c.in)
		x := q.Stmts[len(q.Stmts)-1].(*ast.ExprStmt).X
		p, ok := x.(*ast.Pipe)
		if !ok {
			t.Errorf("%q: got %T", c.in, x)
			continue
		}
		var got []string
		for _, o := range p.Ops {
			got = append(got, o.OpName())
		}
		if strings.Join(got, ",") != strings.Join(c.ops, ",") {
			t.Errorf("%q: ops %v, want %v", c.in, got, c.ops)
		}
	}
}

func TestStatements(t *testing.T) {
	q := mustParse(t, `
set querytrace;
set query_now = datetime(2024-01-01);
declare query_parameters(p:string = 'x', n:long);
alias database d = cluster('c').database('db');
let v = view () { T | take 1 };
let f = (t:(*), x:string, n:long = 10) { let m = n * 2; t | where a == x | take m };
let g = (T:(a:string, b:long)) { T | project a };
let s = toscalar(T | count);
let m = materialize(T | where x);
v;`)
	want := []string{"*ast.SetStmt", "*ast.SetStmt", "*ast.DeclareParamsStmt", "*ast.AliasStmt", "*ast.LetStmt", "*ast.LetStmt", "*ast.LetStmt", "*ast.LetStmt", "*ast.LetStmt", "*ast.ExprStmt"}
	if len(q.Stmts) != len(want) {
		t.Fatalf("got %d statements, want %d", len(q.Stmts), len(want))
	}
	for i, st := range q.Stmts {
		if got := typeName(st); got != want[i] {
			t.Errorf("stmt %d: %s, want %s", i, got, want[i])
		}
	}
	v := q.Stmts[4].(*ast.LetStmt)
	if !v.View || v.Func == nil {
		t.Errorf("view not recognised")
	}
	f := q.Stmts[5].(*ast.LetStmt).Func
	if len(f.Params) != 3 || !f.Params[0].Type.Tabular || !f.Params[0].Type.Star || f.Params[1].Type.Scalar != types.String || f.Params[2].Default == nil {
		t.Errorf("function params wrong: %+v", f.Params)
	}
	if len(f.Body.Stmts) != 2 {
		t.Errorf("body has %d statements", len(f.Body.Stmts))
	}
	g := q.Stmts[6].(*ast.LetStmt).Func
	if cols := g.Params[0].Type.Columns; len(cols) != 2 || cols[1].Type != types.Long {
		t.Errorf("tabular param schema wrong")
	}
	// a query of only let statements is valid
	mustParse(t, "let a = 1; let b = 2;")
	mustParse(t, "")
}

func TestKeywordsAsNames(t *testing.T) {
	q := mustParse(t, "T | project type, kind, count, title, Count, ['by'], $left | extend project = 1 | summarize count() by kind, type")
	p := q.Stmts[0].(*ast.ExprStmt).X.(*ast.Pipe)
	pr := p.Ops[0].(*ast.Project)
	var names []string
	for _, it := range pr.Items {
		names = append(names, it.X.(*ast.Ident).Name)
	}
	if got := strings.Join(names, ","); got != "type,kind,count,title,Count,by,$left" {
		t.Errorf("names %s", got)
	}
}

func typeName(x any) string { return fmt.Sprintf("%T", x) }

// corpusFiles returns the corpus queries, or nil when the directory is absent.
func corpusFiles(tb testing.TB) []string {
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "corpus", "queries", "*.kql"))
	return files
}

// notOneQuery mirrors kqlbar: files flagged as several queries, placeholders
// or fragments are not counted.
func notOneQuery(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "//") {
			break
		}
		if strings.Contains(line, "notes:") && (strings.Contains(line, "multiple-queries") || strings.Contains(line, "placeholder") || strings.Contains(line, "possible-fragment")) {
			return true
		}
	}
	return false
}

func TestCorpusParseRate(t *testing.T) {
	files := corpusFiles(t)
	if len(files) == 0 {
		t.Skip("corpus directory absent")
	}
	total, failed := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if notOneQuery(string(data)) {
			continue
		}
		total++
		src := lang.NewSource(filepath.Base(f), string(data))
		if _, d := Parse(src); d.HasErrors() {
			failed++
			if testing.Verbose() {
				t.Log(d.Render(src, 1))
			}
		}
	}
	rate := 100 * float64(total-failed) / float64(total)
	t.Logf("corpus: %d of %d parse (%.2f%%)", total-failed, total, rate)
	if rate < 98.5 {
		t.Errorf("corpus parse rate %.2f%% is below 98.5%%", rate)
	}
}

func TestConformanceCasesParse(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "conformance", "cases", "*.kql"))
	if len(files) == 0 {
		t.Skip("conformance directory absent")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := lang.NewSource(filepath.Base(f), string(data))
		if _, d := Parse(src); d.HasErrors() {
			t.Errorf("%s", d.Render(src, 1))
		}
	}
}

func BenchmarkParseCorpus(b *testing.B) {
	files := corpusFiles(b)
	if len(files) == 0 {
		b.Skip("corpus directory absent")
	}
	var srcs []*lang.Source
	bytes := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		srcs = append(srcs, lang.NewSource(f, string(data)))
		bytes += len(data)
	}
	b.SetBytes(int64(bytes))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, s := range srcs {
			Parse(s)
		}
	}
	b.ReportMetric(float64(len(srcs))*float64(b.N)/b.Elapsed().Seconds(), "queries/s")
}
