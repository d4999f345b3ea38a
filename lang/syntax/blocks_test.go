package syntax

import (
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
)

func TestBlankLineQueryBlocks(t *testing.T) {
	cases := []struct {
		name  string
		text  string
		stmts int    // statements parsed, when it parses
		err   string // expected error position and message, when it does not
	}{
		{"two queries split by a blank line", "DeviceEvents | take 10\n\nEmailEvents | count\n", 2, ""},
		{"comment leads the second block", "T | take 1\n\n// second hunt\nlet x = 1;\nU | where y == x\n", 3, ""},
		{"blank line inside one pipeline", "T\n| where x > 1\n\n| project x\n", 1, ""},
		{"blank line between let statements with ;", "let a = 1;\n\nT | where x == a\n", 2, ""},
		{"no blank line: still an error", "T | take 1\nU | count\n", 0, "2:1:"},
		{"broken second block keeps its own error", "T | take 1\n\nU | where\n", 0, "4:1:"},
		{"incomplete first block is not split", "T | where x ==\n\n| count\n", 0, "3:1:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := lang.NewSource("q", c.text)
			q, d := Parse(src)
			if c.err != "" {
				if !d.HasErrors() || !strings.Contains(d.Render(src, 1), "q:"+c.err) {
					t.Fatalf("want an error at %s, got %q", c.err, d.Render(src, 1))
				}
				return
			}
			if d.HasErrors() {
				t.Fatal(d.Render(src, 5))
			}
			if len(q.Stmts) != c.stmts {
				t.Fatalf("%d statements, want %d", len(q.Stmts), c.stmts)
			}
			// The canonical form separates the blocks with ';' and parses to the same tree.
			out := ast.Format(q)
			q2, d2 := Parse(lang.NewSource("fmt", out))
			if d2.HasErrors() || len(q2.Stmts) != c.stmts {
				t.Fatalf("fmt output does not round-trip:\n%s", out)
			}
		})
	}
}
