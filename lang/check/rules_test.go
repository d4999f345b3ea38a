package check_test

import "testing"

// Kusto typing rules added for real hunting queries (docs/checker.md
// "Rules added for real queries").
func TestKustoRules(t *testing.T) {
	cases := []struct{ q, want string }{
		// a named argument inside a call names the output column
		{`CloudAppEvents | summarize toint(N = dcountif(ActionType, Bytes > 1)) by AccountObjectId | extend M = N + 1`,
			"AccountObjectId:string,N:int,M:long"},
		{`CloudAppEvents | summarize arg_max(Last = Timestamp, LastBytes = Bytes, ActionType) by AccountObjectId`,
			"AccountObjectId:string,Last:datetime,LastBytes:long,ActionType:string"},
		{`CloudAppEvents | summarize arg_min(First = Timestamp, *) by AccountObjectId`,
			"AccountObjectId:string,First:datetime,ActionType:string,RawEventData:dynamic,Bytes:long,Ratio:real"},
		{`CloudAppEvents | summarize (A, B) = arg_max(Timestamp, Bytes)`, "A:datetime,B:long"},
		// count(x) is count_x; Kusto's FirstArgument-named functions
		{`CloudAppEvents | summarize count(ActionType) by startofday(Timestamp)`, "Timestamp:datetime,count_ActionType:long"},
		{`CloudAppEvents | extend round(Ratio, 2), strlen(ActionType) | project Ratio, strlen_ActionType`, "Ratio:real,strlen_ActionType:long"},
		// an aggregate inside an expression is named as alone
		{`CloudAppEvents | summarize tostring(make_set(ActionType)) by Bytes`, "Bytes:long,set_ActionType:string"},
		// take_any(x) is x (the docs); the deprecated any(x) is any_x;
		// take_anyif is named after its first argument
		{`CloudAppEvents | summarize take_any(ActionType), any(Bytes), take_anyif(Ratio, Bytes > 0), take_any(Bytes + 1)`,
			"ActionType:string,any_Bytes:long,Ratio:real,any_arg0:long"},
		// case/iff: the common non-dynamic type of the values
		{`CloudAppEvents | project x = case(Bytes > 1, split(ActionType, ":")[1], Bytes > 2, tostring(Bytes), ActionType)`, "x:string"},
		{`CloudAppEvents | project x = iff(Bytes > 1, RawEventData.n, 0)`, "x:long"},
		{`CloudAppEvents | project x = case(Bytes > 1, RawEventData.a, RawEventData.b)`, "x:dynamic"},
		// table() of a constant string bound by let or by a function parameter
		{`let t = "CloudAppEvents"; table(t) | project Bytes`, "Bytes:long"},
		{`let f = (name: string) { table(name) | project Bytes }; f("CloudAppEvents")`, "Bytes:long"},
		// the unlisted columns of an open row (a watchlist's: string) keep
		// their type through mv-expand, parse, join...
		{`_GetWatchlist("W") | mv-expand R = split(Aux, ",") to typeof(string) | project Type, R`, "Type:string,R:string"},
		{`_GetWatchlist("W") | parse Aux with A "," B | lookup (print Type = "x", N = 1) on Type | project Type, Other, N`, "Type:string,Other:string,N:long"},
		// a function without (required) arguments is invoked by its name
		{`let f = () { CloudAppEvents | project Bytes }; f`, "Bytes:long"},
		{`let k = (n: long = 2) { pack_array("a", "b") }; CloudAppEvents | where ActionType has_any (k) | project n = array_length(k)`, "n:long"},
		// documented plugin output schemas
		{`CloudAppEvents | project ActionType, Bytes | evaluate autocluster()`, "SegmentId:long,Count:long,Percent:real,ActionType:string,Bytes:long"},
		{`CloudAppEvents | project ActionType | evaluate basket(0.05)`, "SegmentId:long,Count:long,Percent:real,ActionType:string"},
		{`CloudAppEvents | evaluate sliding_window_counts(AccountObjectId, Timestamp, ago(1d), now(), 3h, 1h, ActionType)`,
			"Timestamp:datetime,ActionType:string,Count:long,Dcount:long"},
		{`CloudAppEvents | evaluate session_count(AccountObjectId, Timestamp, ago(1d), now(), 1h, 3h)`,
			"Timestamp:datetime,count_sessions:long"},
		{`CloudAppEvents | evaluate activity_metrics(AccountObjectId, Timestamp, ago(7d), now(), 1d)`,
			"Timestamp:datetime,dcount_values:long,dcount_newvalues:long,retention_rate:real,churn_rate:real"},
		{`CloudAppEvents | project ActionType, Bytes | evaluate diffpatterns(ActionType, "a", "b")`,
			"SegmentId:long,CountA:long,CountB:long,PercentA:real,PercentB:real,PercentDiffAB:real,ActionType:string,Bytes:long"},
	}
	for _, c := range cases {
		_, ch, diags := checkQuery(t, c.q)
		if diags.HasErrors() {
			t.Errorf("%s: unexpected errors: %v", c.q, diags)
			continue
		}
		if got := schemaText(ch.Last); got != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.q, got, c.want)
		}
	}
	bad := []struct{ q, msg string }{
		// Kusto rejects these too
		{`CloudAppEvents | project x = case(Bytes > 1, RawEventData.a, Bytes > 2, "s", 5)`, ""},
		{`CloudAppEvents | where Timestamp >= 1d`, "operator >= cannot be applied to (datetime, timespan)"},
		{`let t = strcat("Cloud", ActionType); table(t)`, ""},
		{`CloudAppEvents | evaluate sliding_window_counts(AccountObjectId, Timestamp, ago(1d), now(), 3h, 1h, ActionTyp)`, "unknown column ActionTyp"},
		{`CloudAppEvents | evaluate sliding_window_counts(AccountObjectId, Timestamp, ago(1d), now(), 3h, 1h, 5)`, "sliding_window_counts needs a column here"},
		{`CloudAppEvents | summarize toint(N = dcountif(ActionType, Bytes > 1)) | extend M = Nn`, "unknown column Nn"},
		{`CloudAppEvents | evaluate autoclusterr()`, "unknown plugin autoclusterr"},
		{`let k = (n: long) { n + 1 }; print k`, "k is a function; call it as k()"},
	}
	for _, c := range bad {
		_, _, diags := checkQuery(t, c.q)
		if !diags.HasErrors() {
			t.Errorf("%s: no error", c.q)
			continue
		}
		if c.msg != "" && diags[0].Msg != c.msg {
			t.Errorf("%s: got %q, want %q", c.q, diags[0].Msg, c.msg)
		}
	}
}
