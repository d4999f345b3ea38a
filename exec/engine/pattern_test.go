package engine

import (
	"strings"
	"testing"
)

// Pattern statements: arguments and paths select a mapping; undeclared
// references and empty patterns are positioned errors.
func TestPatternStatements(t *testing.T) {
	const decl = `declare pattern App = (applicationId:string)[scope:string] {
  ('a1').['Data'] = { range x from 1 to 2 step 1 | project App = "App #1", Data = x };
  ('a2').['Data'] = { range x from 1 to 2 step 1 | project App = "App #2", Data = 10 - x };
  ("a1").["Metrics"] = { print App = "App #1", Metrics = 0.5 };
};
`
	cases := []queryCase{
		{decl + `App("a2").Data`, "App:string,Data:long\nApp #2,9\nApp #2,8\n"},
		{decl + `App('a1').["Metrics"]`, "App:string,Metrics:real\nApp #1,0.5\n"},
		{decl + `union App('a2').Data, App('a1').Metrics | summarize n = count() by App | order by App asc`,
			"App:string,n:long\nApp #1,1\nApp #2,2\n"},
		{`declare pattern ip = (address:string) { ("10.0.0.1") = { print Lat = 1.5 }; }; ip("10.0.0.1")`, "Lat:real\n1.5\n"},
	}
	runQueryCases(t, nil, cases)
	errs := []struct{ q, want string }{
		{decl + `App("a3").Data`, "q:6:1: one or more pattern references were not declared: [App('a3').['Data']]"},
		{decl + `App("a1")`, "needs a path"},
		{`declare pattern m; m("x")`, "q:1:20: pattern m is declared but not defined"},
	}
	for _, c := range errs {
		_, err := run(t, c.q, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.q, err, c.want)
		}
	}
}
