package engine

import "testing"

// Stacking operators of issue 6: top-nested `with others`, top-hitters,
// consume.
func TestStackingOperators(t *testing.T) {
	tables := map[string]string{"S": "State:string,Source:string,EndLocation:string,D:long\n" +
		"TX,Public,A,10\nTX,Public,B,5\nTX,Law,C,7\nKS,Public,D,8\nKS,Law,E,1\nOK,Public,F,3\nNM,Law,G,2\n"}
	cases := []queryCase{
		// others at the first and last levels; the others bucket has a null
		// Source (its level has no others) and one EndLocation others row
		{`S | top-nested 2 of State with others = "All Other States" by sum(D),
		     top-nested 1 of Source by sum(D),
		     top-nested 1 of EndLocation with others = "All Other End Locations" by sum(D)`,
			"State:string,aggregated_State:long,Source:string,aggregated_Source:long,EndLocation:string,aggregated_EndLocation:long\n" +
				"TX,22,Public,15,A,10\nTX,22,Public,15,All Other End Locations,5\nKS,9,Public,8,D,8\n" +
				"All Other States,5,,,All Other End Locations,5\n"},
		// aggregates that cannot be derived from the kept groups: dcount
		// and avg are computed over the others' rows themselves
		{`S | top-nested 1 of State with others = "rest" by n = dcount(Source)`,
			"State:string,n:long\nTX,2\nrest,2\n"},
		{`S | top-nested 2 of State with others = "rest" by a = avg(D) asc`,
			"State:string,a:real\nNM,2\nOK,3\nrest,6.2\n"},
		{`S | top-hitters 2 of Source`, "Source:string,approximate_count_Source:long\nPublic,4\nLaw,3\n"},
		{`S | top-hitters 1 of State by D`, "State:string,approximate_sum_State:long\nTX,22\n"},
		{`S | consume`, "State:string,Source:string,EndLocation:string,D:long\n"},
	}
	runQueryCases(t, tables, cases)
}
