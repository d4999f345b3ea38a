package engine

import "testing"

// queryCase is a query with its expected typed-CSV result (see run).
type queryCase struct{ q, want string }

// runQueryCases runs each case over tables (name → typed CSV) as a subtest
// and compares the result text exactly.
func runQueryCases(t *testing.T, tables map[string]string, cases []queryCase) {
	t.Helper()
	for _, c := range cases {
		c := c
		name := c.q
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			got, err := run(t, c.q, tables)
			if err != nil {
				t.Fatalf("%s: %v", c.q, err)
			}
			if got != c.want {
				t.Errorf("%s:\n got %q\nwant %q", c.q, got, c.want)
			}
		})
	}
}
