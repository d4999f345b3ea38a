package engine

import "testing"

// Plugins and folded functions added for conformance: rolling_percentile,
// dcount_intersect, bag_unpack with a declared schema, column_names_of,
// bin_auto with set statements, percentile_tdigest with typeof().
func TestConformancePlugins(t *testing.T) {
	cases := []struct{ q, want string }{
		{`range i from 0 to 5 step 1 | extend T = datetime(2024-01-01) + 12h * i, v = i + 1
| evaluate rolling_percentile(v, 50, T, 1d, 2)`,
			// days: [1,2] [3,4] [5,6]; windows of two days: [1,2], [1..4], [3..6]
			"T:datetime,rolling_2_percentile_v_50:long\n2024-01-01T00:00:00Z,1\n2024-01-02T00:00:00Z,2\n2024-01-03T00:00:00Z,4\n"},
		{`range x from 1 to 30 step 1
| summarize a = hll(iff(x % 2 == 0, x, 0)), b = hll(iff(x % 3 == 0, x, 0))
| evaluate dcount_intersect(a, b) | project s0, s1`,
			// 15 evens + 0; multiples of 6 (5) + 0
			"s0:long,s1:long\n16,6\n"},
		{`datatable(d:dynamic, k:string)[dynamic({"A":1,"B":"x","C":2}), "r"]
| evaluate bag_unpack(d) : (*, B:string, A:long, Z:real)`,
			"k:string,B:string,A:long,Z:real\nr,x,1,\n"},
		{`let T = datatable(A:string, B:int)[]; print c = column_names_of(T)`, "c:dynamic\n[\"A\",\"B\"]\n"},
		{`set query_bin_auto_size = 1h; print b = bin_auto(datetime(2024-01-01 10:20))`, "b:datetime\n2024-01-01T10:00:00Z\n"},
	}
	for _, c := range cases {
		got, err := run(t, c.q, nil)
		if err != nil {
			t.Errorf("%s: %v", c.q, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.q, got, c.want)
		}
	}
}
