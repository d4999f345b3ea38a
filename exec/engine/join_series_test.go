package engine

import "testing"

// Joins whose output columns the rest of the query does not read: the
// planner tells the join (ops.HashJoin.SetNeeded) and the results must not
// change.
func TestJoinPrunedOutput(t *testing.T) {
	tables := map[string]string{
		"E": "Acct:string,N:long\na,1\nb,2\nb,3\nc,4\nz,5\n",
		"I": "Acct:string,Dept:string,Upn:string\na,Sales,a@x\nb,IT,b@x\nc,IT,c@x\nd,HR,d@x\n",
	}
	cases := []struct{ q, want string }{
		{`E | join kind=inner (I) on Acct | summarize n=count() by Dept | sort by Dept asc`,
			"Dept:string,n:long\nIT,3\nSales,1\n"},
		{`E | join kind=leftouter (I) on Acct | summarize s=sum(N) by Dept | sort by Dept asc`,
			"Dept:string,s:long\n,5\nIT,9\nSales,1\n"},
		// the right key (Acct1) and Upn are read after the join
		{`E | join kind=rightouter (I) on Acct | where isnotempty(Upn) | project Acct1, Upn, N | sort by Acct1 asc, N asc`,
			"Acct1:string,Upn:string,N:long\na,a@x,1\nb,b@x,2\nb,b@x,3\nc,c@x,4\nd,d@x,\n"},
		// an operator that does not limit the columns: nothing is pruned
		{`E | join kind=inner (I) on Acct | where N > 3 | sort by N asc`,
			"Acct:string,N:long,Acct1:string,Dept:string,Upn:string\nc,4,c,IT,c@x\n"},
		{`E | lookup (I) on Acct | summarize n=count() by Dept | sort by Dept asc`,
			"Dept:string,n:long\n,1\nIT,3\nSales,1\n"},
	}
	for _, c := range cases {
		got, err := run(t, c.q, tables)
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		if got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.q, got, c.want)
		}
	}
}

// make-series through the planner: the dedicated aggregation (direct
// aggregates) with several aggregates, defaults and keys.
func TestMakeSeriesPlanned(t *testing.T) {
	tables := map[string]string{"S": "T:datetime,U:string,V:long\n" +
		"2024-01-01T01:00:00Z,a,1\n2024-01-01T02:00:00Z,a,3\n2024-01-03T00:00:00Z,a,5\n" +
		"2024-01-02T05:00:00Z,b,7\n2023-12-31T00:00:00Z,c,9\n"}
	axis := `["2024-01-01T00:00:00.0000000Z","2024-01-02T00:00:00.0000000Z","2024-01-03T00:00:00.0000000Z"]`
	cases := []struct{ q, want string }{
		{`S | make-series n=count(), s=sum(V) default=-1, a=avg(V), d=dcount(V) on T from datetime(2024-01-01) to datetime(2024-01-04) step 1d by U`,
			"U:string,n:dynamic,s:dynamic,a:dynamic,d:dynamic,T:dynamic\n" +
				`a,[2,0,1],[4,-1,5],[2.0,0,5.0],[2,0,1],` + axis + "\n" +
				`b,[0,1,0],[-1,7,-1],[0,7.0,0],[0,1,0],` + axis + "\n"},
		{`S | make-series m=max(V) default=0 on T from datetime(2024-01-01) to datetime(2024-01-04) step 1d`,
			"m:dynamic,T:dynamic\n[3,7,5]," + axis + "\n"},
	}
	for _, c := range cases {
		got, err := run(t, c.q, tables)
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		if got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.q, got, c.want)
		}
	}
}
