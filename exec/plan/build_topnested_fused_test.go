package plan_test

import (
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/exec/plan"
)

// The fused top-nested (one aggregation by all level keys) gives the rows
// of one summarize per level, in the same order (ties included), over
// several batches with null and empty keys.
func TestTopNestedFusedMatchesPerLevel(t *testing.T) {
	const data = `range i from 1 to 150000 step 1
| extend A = strcat("a", tostring((i * 7919) % 23)),
         B = iff(i % 11 == 0, "", strcat("b", tostring((i * 104729) % 5))),
         V = iff(i % 13 == 0, long(null), (i * 31) % 100),
         N = iff(i % 17 == 0, "", tostring((i * 13) % 4))
`
	queries := []string{
		`top-nested 3 of A by n=count(), top-nested 2 of B by s=sum(V)`,
		`top-nested of A by m=max(V) asc, top-nested 1 of B by d=dcount(V)`,
		`top-nested 2 of A by min(V), top-nested 2 of B by count(), top-nested 3 of C = V % 3 by countif(V > 10)`,
		`top-nested 2 of bin(i, 40000) by count(), top-nested 4 of N by n = count() asc`,
		`top-nested 5 of N by c = count(V), top-nested 0 of A by x = maxif(V, V < 50)`,
		`where i < 0 | top-nested 3 of A by count()`,
		`where i < 100 | top-nested 3 of A by n = count(), top-nested 2 of V by count()`,
	}
	defer plan.SetSlowTopNested(false)
	for _, q := range queries {
		q = data + "| " + q
		plan.SetSlowTopNested(true)
		want, err := runRows(t, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		plan.SetSlowTopNested(false)
		got, err := runRows(t, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n fused:\n  %s\n per level:\n  %s", q, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
		if len(want) == 0 && !strings.Contains(q, "i < 0") {
			t.Errorf("%s: no rows", q)
		}
	}
}
