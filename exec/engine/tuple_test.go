package engine

import "testing"

// Multi-value functions expand into columns (check.TupleItem): named,
// single-name (first value) and default names, in extend, project and print.
func TestTupleExpansion(t *testing.T) {
	cases := []queryCase{
		{`print y = dynamic([1, 2, 3, 4]) | extend (rsq, slope) = series_fit_line(y) | project rsq, slope`,
			"rsq:real,slope:real\n1,1\n"},
		{`print y = dynamic([1, 3, 5]) | extend s = series_fit_line(y) | project s`, "s:real\n1\n"},
		{`print y = dynamic([2, 4, 6]) | extend series_stats(y) | project series_stats_y_min, series_stats_y_max_idx, series_stats_y_avg`,
			"series_stats_y_min:real,series_stats_y_max_idx:long,series_stats_y_avg:real\n2,2,4\n"},
		{`print y = dynamic([2, 4, 6]) | project (mn, mi) = series_stats(y), z = 1`, "mn:real,mi:long,z:long\n2,0,1\n"},
		{`let a1 = dynamic([3, 1, 2]); let a2 = dynamic(["c", "a", "b"]); print array_sort_asc(a1, a2)`,
			"a1_sorted:dynamic,a2_sorted:dynamic\n[1,2,3],[\"a\",\"b\",\"c\"]\n"},
		{`range i from 1 to 3 step 1 | extend y = pack_array(i, i * 2, i * 3) | extend (rsq, slope, v, rv, ic, fit) = series_fit_line(y), n = array_length(fit) | project i, slope, n`,
			"i:long,slope:real,n:long\n1,1,3\n2,2,3\n3,3,3\n"},
	}
	runQueryCases(t, nil, cases)
}

// The content engineers' hunt shape: anomalies, score and baseline from one call.
func TestTupleDecomposeAnomalies(t *testing.T) {
	q := `range t from datetime(2024-01-01) to datetime(2024-01-02) step 1h
| extend Count = iff(t == datetime(2024-01-01 12:00), 100, 5)
| make-series Count = sum(Count) on t from datetime(2024-01-01) to datetime(2024-01-02) step 1h
| extend (anomalies, score, baseline) = series_decompose_anomalies(Count, 1.5)
| mv-expand anomalies to typeof(long), score to typeof(real), baseline to typeof(real), t to typeof(datetime)
| where anomalies != 0
| project t, anomalies`
	got, err := run(t, q, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "t:datetime,anomalies:long\n2024-01-01T12:00:00Z,1\n"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
