package check_test

import "testing"

func TestTupleExpansion(t *testing.T) {
	const mk = `CloudAppEvents | make-series Count = count() default = 0 on Timestamp step 1h by ActionType`
	cases := []struct{ q, want string }{
		{mk + ` | extend (anomalies, score, baseline) = series_decompose_anomalies(Count, 1.5) | project-away Timestamp, Count`,
			"ActionType:string,anomalies:dynamic,score:dynamic,baseline:dynamic"},
		{mk + ` | extend x = series_fit_line(Count) | project x`, "x:real"},
		{mk + ` | extend series_fit_line(Count) | project-away Timestamp, Count, ActionType`,
			"series_fit_line_Count_rsquare:real,series_fit_line_Count_slope:real,series_fit_line_Count_variance:real," +
				"series_fit_line_Count_rvariance:real,series_fit_line_Count_interception:real,series_fit_line_Count_line_fit:dynamic"},
		{mk + ` | project ActionType, (mn, mnidx) = series_stats(Count)`, "ActionType:string,mn:real,mnidx:long"},
		{mk + ` | project series_periods_validate(Count, 24.0)`,
			"series_periods_validate_Count_periods:dynamic,series_periods_validate_Count_scores:dynamic"},
		// a later item of the same extend sees the expanded columns
		{mk + ` | extend (a, s, b) = series_decompose_anomalies(Count), n = array_length(a) | project n`, "n:long"},
		// the expansion replaces a same-named input column
		{mk + ` | extend (Count, s) = series_fft(Count) | project Count, s`, "Count:dynamic,s:dynamic"},
		{`print array_sort_asc(dynamic([2,1]), dynamic(["a","b"]))`, "array1_sorted:dynamic,array2_sorted:dynamic"},
		{`let a1 = dynamic([2,1]); let a2 = dynamic(["a","b"]); print array_sort_desc(a1, a2)`, "a1_sorted:dynamic,a2_sorted:dynamic"},
	}
	for _, c := range cases {
		_, ch, diags := checkQuery(t, c.q)
		if diags.HasErrors() {
			t.Errorf("%s: %v", c.q, diags)
			continue
		}
		if got := schemaText(ch.Last); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.q, got, c.want)
		}
	}
	_, _, diags := checkQuery(t, mk+` | extend (a, b, c, d) = series_decompose_anomalies(Count)`)
	if !diags.HasErrors() {
		t.Errorf("four names for three values: no error")
	}
}
