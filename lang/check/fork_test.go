package check_test

import (
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/check"
)

func TestForkFacetTables(t *testing.T) {
	cases := []struct {
		q    string
		want []string // "Name: schema"
	}{
		{`CloudAppEvents | facet by ActionType, AccountObjectId`, []string{
			"ActionType: ActionType:string,count_ActionType:long",
			"AccountObjectId: AccountObjectId:string,count_AccountObjectId:long"}},
		{`CloudAppEvents | facet by ActionType with (project Bytes | take 3)`, []string{
			"GenericResult: Bytes:long",
			"ActionType: ActionType:string,count_ActionType:long"}},
		{`CloudAppEvents | facet by Bytes, Bytes with (count | as Bytes)`, []string{
			"Bytes: Count:long",
			"Bytes_2: Bytes:long,count_Bytes:long",
			"Bytes_3: Bytes:long,count_Bytes:long"}},
		{`CloudAppEvents | fork (count) (summarize max(Bytes) by ActionType) (project Ratio)`, []string{
			"GenericResult: Count:long",
			"GenericResult_2: ActionType:string,max_Bytes:long",
			"GenericResult_3: Ratio:real"}},
		{`CloudAppEvents | fork (count | as Total) Recent = (top 5 by Timestamp | project Timestamp) (project Bytes)`, []string{
			"Total: Count:long",
			"Recent: Timestamp:datetime",
			"GenericResult: Bytes:long"}},
		{`let x = CloudAppEvents | where Bytes > 0; (x | fork (count) (take 1 | project Bytes))`, []string{
			"GenericResult: Count:long",
			"GenericResult_2: Bytes:long"}},
	}
	for _, tc := range cases {
		tree, c, diags := checkQuery(t, tc.q)
		if diags.HasErrors() {
			t.Errorf("%s: %v", tc.q, diags)
			continue
		}
		op, info := check.Multi(tree)
		if op == nil {
			t.Errorf("%s: no multi-table result", tc.q)
			continue
		}
		var got []string
		for _, tb := range info.Tables {
			got = append(got, tb.Name+": "+schemaText(tb.Schema))
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s\ngot:\n%s\nwant:\n%s", tc.q, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
		if schemaText(c.Last) != schemaText(info.Tables[0].Schema) {
			t.Errorf("%s: Last = %s, want the first table's schema", tc.q, schemaText(c.Last))
		}
	}
}

func TestForkFacetErrors(t *testing.T) {
	cases := []struct {
		q, code, at, msg string // at: the text the error points at
	}{
		{`CloudAppEvents | facet by ActionTyp`, "unknown-column", "ActionTyp", "ActionTyp"},
		{`CloudAppEvents | facet by ActionType with (where Byts > 1)`, "unknown-column", "Byts", "Byts"},
		{`CloudAppEvents | fork (where Byts > 1) (count)`, "unknown-column", "Byts", "Byts"},
		{`CloudAppEvents | fork (count) (take 1) | take 2`, "after-fork", "take 2", "take cannot follow fork"},
		{`CloudAppEvents | facet by ActionType | where ActionType != ""`, "after-facet", `where ActionType != ""`, "where cannot follow facet"},
		{`let x = CloudAppEvents | fork (count) (take 1); x | count`, "nested-fork", "fork (count) (take 1)", "last operator"},
		{`CloudAppEvents | join (CloudAppEvents | facet by ActionType) on ActionType`, "nested-facet", "facet by ActionType", "last operator"},
		{`CloudAppEvents | fork (fork (count) (take 1)) (count)`, "nested-fork", "fork (count) (take 1)", "last operator"},
		{`CloudAppEvents | fork A = (count) A = (take 1)`, "duplicate-result", "A", "two tables called A"},
	}
	for _, tc := range cases {
		_, _, diags := checkQuery(t, tc.q)
		var found *lang.Diagnostic
		for i := range diags {
			if diags[i].Code == tc.code {
				found = &diags[i]
				break
			}
		}
		if found == nil {
			t.Errorf("%s: no %s error in %v", tc.q, tc.code, diags)
			continue
		}
		if got := tc.q[found.Span.Start:found.Span.End]; !strings.HasPrefix(got, tc.at) {
			t.Errorf("%s: %s points at %q, want %q", tc.q, tc.code, got, tc.at)
		}
		if !strings.Contains(found.Msg, tc.msg) {
			t.Errorf("%s: message %q lacks %q", tc.q, found.Msg, tc.msg)
		}
	}
}
