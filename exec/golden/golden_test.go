package golden

import (
	"context"
	"strings"
	"testing"
)

// TestRepoGoldens runs every golden test in the repository's testdata/golden.
func TestRepoGoldens(t *testing.T) {
	files, err := Discover([]string{"../../testdata/golden"})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found only %d golden tests", len(files))
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			c, err := Load(f)
			if err != nil {
				t.Fatal(err)
			}
			o, err := c.Run(context.Background(), RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !o.Pass {
				t.Fatalf("%s\n(run `kqlhunt test -update %s` if the new output is right)", o.Diff, f)
			}
		})
	}
}

const table = `-- T.csv --
Name:string,N:long
a,1
b,2
c,3
`

func run(t *testing.T, text string) *Outcome {
	t.Helper()
	c, err := Parse("case.txtar", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	o, err := c.Run(context.Background(), RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestCompare(t *testing.T) {
	cases := []struct {
		name string
		text string
		pass bool
	}{
		{"unordered result compares as a multiset", "-- query.kql --\nT | where N > 1\n" + table + "-- want.csv --\nName:string,N:long\nc,3\nb,2\n", true},
		{"sorted result compares in order", "-- query.kql --\nT | sort by N asc\n" + table + "-- want.csv --\nName:string,N:long\nc,3\nb,2\na,1\n", false},
		{"sorted result in the right order", "-- query.kql --\nT | sort by N desc | project Name\n" + table + "-- want.csv --\nName:string\nc\nb\na\n", true},
		{"ordered directive forces order", "ordered: yes\n-- query.kql --\nT | where N > 1\n" + table + "-- want.csv --\nName:string,N:long\nc,3\nb,2\n", false},
		{"wrong value", "-- query.kql --\nT | count\n" + table + "-- want.csv --\nCount:long\n4\n", false},
		{"wrong column type", "-- query.kql --\nT | count\n" + table + "-- want.csv --\nCount:int\n3\n", false},
		{"reals within rounding", "-- query.kql --\nprint x = 1.0 / 3\n-- want.csv --\nx:real\n0.33333333333333331\n", true},
		{"dynamic compares as JSON", "-- query.kql --\nprint d = dynamic({\"b\": 1, \"a\": [1, 2]})\n-- want.csv --\nd:dynamic\n\"{\"\"a\"\":[1,2],\"\"b\"\":1}\"\n", true},
		{"params become lets", "param: lim = 2\n-- query.kql --\nT | where N >= lim | count\n" + table + "-- want.csv --\nCount:long\n2\n", true},
		{"expected error", "-- query.kql --\nT | where Nope > 1\n" + table + "-- want.err --\nquery.kql:1:11: unknown column Nope\n    T | where Nope > 1\n              ^\n    did you mean Name?\n", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := run(t, c.text)
			if o.Pass != c.pass {
				t.Fatalf("pass = %v, want %v\ngot:\n%s\ndiff:\n%s", o.Pass, c.pass, o.Got, o.Diff)
			}
			if !o.Pass && o.Diff == "" {
				t.Fatal("a failure must come with a diff")
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for text, want := range map[string]string{
		"bogus: 1\n-- query.kql --\nprint 1\n":       `unknown directive "bogus"`,
		"now: yesterday\n-- query.kql --\nprint 1\n": "case.txtar:1: now:",
		"param: x\n-- query.kql --\nprint 1\n":       "param: expected `name = value`",
		"-- T.csv --\nA:long\n1\n":                   "no query.kql section",
		"just words\n-- query.kql --\nprint 1\n":     "expected a directive",
	} {
		if _, err := Parse("case.txtar", []byte(text)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", text, err, want)
		}
	}
}

func TestBadInputRowsFailTheCase(t *testing.T) {
	c, err := Parse("case.txtar", []byte("-- query.kql --\nT | count\n-- T.csv --\nN:long\n1\nnot-a-number\n-- want.csv --\nCount:long\n2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), RunOptions{}); err == nil || !strings.Contains(err.Error(), "could not be loaded") || !strings.Contains(err.Error(), "T.csv:3") {
		t.Fatalf("got %v", err)
	}
}

func TestSameTables(t *testing.T) {
	want := "# A\nx:long\n1\n2\n\n# B\ny:string\nq\n"
	cases := []struct {
		got  string
		pass bool
	}{
		{"# A\nx:long\n2\n1\n\n# B\ny:string\nq\n", true}, // unordered rows
		{"# A\nx:long\n1\n3\n\n# B\ny:string\nq\n", false},
		{"# A\nx:long\n1\n2\n\n# C\ny:string\nq\n", false}, // other table name
		{"# A\nx:long\n1\n2\n", false},                     // a table missing
	}
	for _, c := range cases {
		ok, err := sameTables(want, c.got, false)
		if err != nil || ok != c.pass {
			t.Errorf("sameTables(%q) = %v, %v; want %v", c.got, ok, err, c.pass)
		}
	}
}
