package ast_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/syntax"
)

var spanType = reflect.TypeOf(lang.Span{})

// clearSpans zeroes every lang.Span in the tree so that trees parsed from
// different texts can be compared.
func clearSpans(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			clearSpans(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == spanType {
			if v.CanSet() {
				v.Set(reflect.Zero(spanType))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				clearSpans(v.Field(i))
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			clearSpans(v.Index(i))
		}
	}
}

func sameTree(a, b *ast.Query) bool {
	clearSpans(reflect.ValueOf(a))
	clearSpans(reflect.ValueOf(b))
	return reflect.DeepEqual(a, b)
}

func parse(t testing.TB, name, text string) (*ast.Query, lang.List) {
	t.Helper()
	return syntax.Parse(lang.NewSource(name, text))
}

// checkRoundTrip asserts parse(Format(q)) == q (ignoring spans) and that
// Format is idempotent.
func checkRoundTrip(t *testing.T, name, text string) {
	t.Helper()
	q, d := parse(t, name, text)
	if d.HasErrors() {
		return
	}
	out := ast.Format(q)
	q2, d2 := parse(t, name+" (formatted)", out)
	if d2.HasErrors() {
		t.Errorf("%s: formatted query does not parse:\n%s\n%s", name, d2.Render(lang.NewSource("fmt", out), 3), out)
		return
	}
	out2 := ast.Format(q2)
	if out2 != out {
		t.Errorf("%s: Format is not idempotent:\nfirst:\n%s\nsecond:\n%s", name, out, out2)
		return
	}
	if !sameTree(q, q2) {
		t.Errorf("%s: parse(Format(q)) differs from q; formatted:\n%s", name, out)
	}
}

func TestFormatRoundTripCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "queries")
	files, _ := filepath.Glob(filepath.Join(dir, "*.kql"))
	if len(files) == 0 {
		t.Skip("corpus directory absent")
	}
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkRoundTrip(t, filepath.Base(f), string(data))
		n++
	}
	t.Logf("round-tripped %d corpus queries", n)
}

func TestFormatRoundTripConformance(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "conformance", "cases", "*.kql"))
	if len(files) == 0 {
		t.Skip("conformance directory absent")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkRoundTrip(t, filepath.Base(f), string(data))
	}
}

func TestFormatCanonical(t *testing.T) {
	cases := []struct{ in, want string }{
		{"T|where a==1", "T\n| where a == 1\n"},
		{"T | filter x > 1 | order by x desc nulls last | limit 5", "T\n| where x > 1\n| sort by x desc nulls last\n| take 5\n"},
		{"T | mvexpand x to typeof(string) limit 3", "T\n| mv-expand x to typeof(string) limit 3\n"},
		{"let x = 5; let f = (a:long, t:(*)) { t | where b > a }; f(1, T)",
			"let x = 5;\nlet f = (a:long, t:(*)) { t | where b > a };\nf(1, T)\n"},
		{"T | summarize hint.strategy=shuffle (A, B) = arg_max(Ts, *) by bin(Ts, 1h)",
			"T\n| summarize hint.strategy=shuffle (A, B) = arg_max(Ts, *) by bin(Ts, 1h)\n"},
		{"T | join kind=inner (U | where y) on $left.a == $right.b",
			"T\n| join kind=inner (U | where y) on $left.a == $right.b\n"},
		{"print a = 1 + 2 * 3, b = (1 + 2) * 3, c = - -1", "print a = 1 + 2 * 3, b = (1 + 2) * 3, c = - -1\n"},
		{"T | project ['a b'] = x.y[0]['k'], z = cluster('c').database('d').T", "T\n| project ['a b'] = x.y[0]['k'], z = cluster('c').database('d').T\n"},
		{"T | where x in~ ('a', 'b') and y !between (1 .. 5) or z !has 'q'", "T\n| where x in~ ('a', 'b') and y !between (1 .. 5) or z !has 'q'\n"},
		{"T | parse kind=regex Msg with 'a' x:long * 'b' y", "T\n| parse kind=regex Msg with 'a' x:long * 'b' y\n"},
		{"T | make-series c = count() default = 0 on Ts in range(ago(1d), now(), 1h) by H", "T\n| make-series c = count() default = 0 on Ts in range(ago(1d), now(), 1h) by H\n"},
		{"set notruncation; T", "set notruncation;\nT\n"},
		{"T | render timechart with (title='x', ytitle=\"y\")", "T\n| render timechart with (title='x', ytitle=\"y\")\n"},
		{"union withsource=Src Device*, (T | take 1)", "union withsource=Src Device*, (T | take 1)\n"},
	}
	for _, c := range cases {
		q, d := parse(t, "q", c.in)
		if d.HasErrors() {
			t.Errorf("%q: %s", c.in, d.Render(lang.NewSource("q", c.in), 3))
			continue
		}
		if got := ast.Format(q); got != c.want {
			t.Errorf("Format(%q)\n got: %q\nwant: %q", c.in, got, c.want)
		}
		checkRoundTrip(t, c.in, c.in)
	}
}

func TestFormatBuiltLiterals(t *testing.T) {
	// literals built by later phases have no Raw text
	cases := []struct {
		lit  *ast.Literal
		want string
	}{
		{&ast.Literal{Kind: 3, Value: int64(42)}, "42"},
		{&ast.Literal{Kind: 8, Value: int64(90 * 60e9)}, "90m"},
		{&ast.Literal{Kind: 7, Value: int64(1704067200e9)}, "datetime(2024-01-01T00:00:00Z)"},
		{&ast.Literal{Kind: 6, Value: "it's"}, `"it's"`},
		{&ast.Literal{Kind: 3, Null: true}, "long(null)"},
	}
	for _, c := range cases {
		if got := ast.FormatExpr(c.lit); got != c.want {
			t.Errorf("FormatExpr(%v) = %q, want %q", c.lit.Value, got, c.want)
		}
	}
	_ = fmt.Sprint
	_ = strings.TrimSpace
}
