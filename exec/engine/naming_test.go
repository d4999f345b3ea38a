package engine

import "testing"

// TestAggregateNaming covers Kusto's column naming of aggregates that the
// checker infers and the engine must reproduce: a named argument inside a
// call (`toint(N = dcountif(...))`, `arg_max(N = T, M = C)`) names the output
// column, and count(x) is named count_x; case/iff mixing dynamic and
// string values give a string.
func TestAggregateNaming(t *testing.T) {
	tables := map[string]string{"T": events}
	cases := []struct{ name, query, want string }{
		{"named-inside-scalar",
			`T | summarize toint(Rules = dcountif(User, ActionType == "New-InboxRule")) by ActionType | sort by ActionType asc`,
			"ActionType:string,Rules:int\nMailItemsAccessed,0\nNew-InboxRule,2\nSet-Mailbox,0\n"},
		{"arg-max-named",
			`T | summarize arg_max(Last = Timestamp, LastAction = ActionType, N) by User | sort by User asc`,
			"User:string,Last:datetime,LastAction:string,N:long\nalice,2024-02-29T12:00:00Z,MailItemsAccessed,1\nbob,2024-02-29T10:00:00Z,New-InboxRule,7\n"},
		{"arg-min-named-star",
			`T | summarize arg_min(First = Timestamp, *) by User | project-away Props | sort by User asc`,
			"User:string,First:datetime,ActionType:string,N:long\nalice,2024-02-28T10:00:00Z,New-InboxRule,5\nbob,2024-02-28T11:00:00Z,Set-Mailbox,\n"},
		{"count-of-column",
			`T | summarize count(ActionType) by User | sort by User asc`,
			"User:string,count_ActionType:long\nalice,2\nbob,2\n"},
		// case/iff over dynamic and string values is a string (the common
		// non-dynamic type): the dynamic value is converted
		{"case-dynamic-string",
			`T | project x = case(N > 4, Props.b.c, N == 1, Props[0], User), y = iff(isnull(N), Props.a, 0)`,
			"x:string,y:long\nx,0\nbob,2\n,0\n1,0\n"},
		{"by-startofday",
			`T | summarize count() by startofday(Timestamp) | sort by Timestamp asc`,
			"Timestamp:datetime,count_:long\n2024-02-28T00:00:00Z,2\n2024-02-29T00:00:00Z,2\n"},
	}
	for _, tc := range cases {
		got, err := run(t, tc.query, tables)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s:\ngot\n%s\nwant\n%s", tc.name, got, tc.want)
		}
	}
}
