package plan_test

import (
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/exec/plan"
)

// mv-expand without the input columns nothing after it reads gives the
// rows of the mv-expand carrying every column.
func TestMvExpandDropMatchesAll(t *testing.T) {
	const data = `range i from 1 to 5000 step 1
| extend A = strcat("a", tostring(i % 7)),
         R = parse_json(strcat('{"P":[{"Name":"n', tostring(i % 3), '","Value":"v', tostring(i % 5), '@x"},{"Name":"m","Value":', tostring(i), '}],"Q":', tostring(i % 4), '}')),
         S = strcat("s", tostring(i))
`
	queries := []string{
		`mv-expand p=R.P | where tostring(p.Name) == "n1" and tostring(p.Value) endswith "@x" | summarize n=count() by A | sort by A asc`,
		`mv-expand p=R.P | summarize n=count(), d=dcount(S) by A, k=tostring(p.Name) | sort by A asc, k asc`,
		`mv-expand with_itemindex=x p=R.P to typeof(string) | extend l=strlen(p) | project A, x, l, p | sort by A asc, x asc, l asc | take 50`,
		`mv-expand R.P | where i % 100 == 0 | project i, R | sort by i asc`,
		`mv-expand p=R.P, q=R.Q | summarize n=count() by tostring(p), tostring(q) | sort by n desc | take 10`,
		`extend R2 = R | mv-expand R2 | project A, R2 | sort by A asc | take 20`,
		`mv-expand p=R.P | where isnotnull(p) | summarize s=sum(tolong(p.Value)) by A | sort by A asc`,
	}
	defer plan.SetNoMvDrop(false)
	for _, q := range queries {
		q = data + "| " + q
		plan.SetNoMvDrop(true)
		want, err := runRows(t, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		plan.SetNoMvDrop(false)
		got, err := runRows(t, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n drop:\n  %s\n all:\n  %s", q, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
		if len(want) == 0 {
			t.Errorf("%s: no rows", q)
		}
	}
}
