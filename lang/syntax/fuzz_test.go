package syntax

import (
	"flag"
	"os"
	"testing"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
)

// FuzzParse checks that Parse never panics or hangs, and that for inputs that
// parse, Format(parse(Format(q))) == Format(q). Seeds: a few inline queries and
// every corpus query when the shared corpus is present.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"T | where a == 1",
		"let x = 5; T | summarize count() by bin(ts, 1h) | top 3 by count_",
		"datatable(a:long, b:string) [1, 'x', 2, \"y\"] | extend c = a * 2",
		"print d = dynamic({'a': [1, 2.5, null]}), t = datetime(2024-01-01 10:00), s = 1d + 2h",
		"T | join kind=inner (U | project k) on $left.a == $right.k | mv-expand x to typeof(string)",
		"T | parse m with * 'id=' id:long ',' rest | where id between (1 .. 10)",
		"union T*, (U | take 1) | render timechart",
		"let f = (t:(*), n:long = 3) { t | take n }; f(T)",
	} {
		f.Add(s)
	}
	// The corpus seeds are added when fuzzing (-fuzz); a plain `go test` run
	// checks the same round trip over the corpus in lang/ast's tests already.
	if fl := flag.Lookup("test.fuzz"); fl != nil && fl.Value.String() != "" {
		for _, file := range corpusFiles(f) {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(string(data))
			}
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		q, d := Parse(lang.NewSource("fuzz", text))
		if d.HasErrors() {
			for _, e := range d {
				if e.Code == "internal" {
					t.Fatalf("internal error on %q: %s", text, e.Msg)
				}
			}
			return
		}
		out := ast.Format(q)
		q2, d2 := Parse(lang.NewSource("fmt", out))
		if d2.HasErrors() {
			t.Fatalf("formatted query does not parse.\ninput: %q\nformatted: %q\nerror: %s", text, out, d2[0].Msg)
		}
		if out2 := ast.Format(q2); out2 != out {
			t.Fatalf("Format not idempotent.\ninput: %q\nfirst: %q\nsecond: %q", text, out, out2)
		}
	})
}
