package check_test

import (
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/syntax"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

var catalog = check.MapCatalog{
	"CloudAppEvents": {Columns: []types.Column{
		{Name: "Timestamp", Type: types.DateTime}, {Name: "ActionType", Type: types.String},
		{Name: "AccountObjectId", Type: types.String}, {Name: "RawEventData", Type: types.Dynamic},
		{Name: "Bytes", Type: types.Long}, {Name: "Ratio", Type: types.Real},
	}},
}

func checkQuery(t *testing.T, q string) (*ast.Query, *check.Checker, lang.List) {
	t.Helper()
	src := lang.NewSource("q", q)
	tree, diags := syntax.Parse(src)
	if diags.HasErrors() {
		t.Fatalf("parse %q: %s", q, diags.Render(src, 3))
	}
	c, d := check.CheckWith(tree, &check.Env{Tables: catalog})
	return tree, c, d
}

func schemaText(s *types.Schema) string {
	parts := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		parts[i] = c.Name + ":" + c.Type.String()
	}
	return strings.Join(parts, ",")
}

func TestSchemas(t *testing.T) {
	cases := []struct{ q, want string }{
		{`CloudAppEvents | summarize count()`, "count_:long"},
		{`CloudAppEvents | summarize sum(Bytes), avg(Ratio), dcount(ActionType) by bin(Timestamp, 1h)`,
			"Timestamp:datetime,sum_Bytes:long,avg_Ratio:real,dcount_ActionType:long"},
		{`CloudAppEvents | summarize make_list(ActionType), make_set(ActionType), n = countif(Bytes > 1) by tolower(ActionType)`,
			"ActionType:string,list_ActionType:dynamic,set_ActionType:dynamic,n:long"},
		{`CloudAppEvents | summarize arg_max(Timestamp, *) by AccountObjectId`,
			"AccountObjectId:string,Timestamp:datetime,ActionType:string,RawEventData:dynamic,Bytes:long,Ratio:real"},
		{`CloudAppEvents | summarize arg_min(Timestamp, ActionType) by AccountObjectId`,
			"AccountObjectId:string,Timestamp:datetime,ActionType:string"},
		{`CloudAppEvents | summarize percentiles(Bytes, 50, 95)`, "percentile_Bytes_50:long,percentile_Bytes_95:long"},
		{`CloudAppEvents | extend Bytes + 1, tostring(RawEventData.Operation) | project Column1, RawEventData_Operation`,
			"Column1:long,RawEventData_Operation:string"},
		{`CloudAppEvents | project Bytes * 2, ActionType`, "Column1:long,ActionType:string"},
		{`print 1, x = "a", 2.5`, "print_0:long,x:string,print_2:real"},
		{`CloudAppEvents | count`, "Count:long"},
		{`CloudAppEvents | project-away Raw*, Ratio | project-rename Id = AccountObjectId`, "Timestamp:datetime,ActionType:string,Id:string,Bytes:long"},
		{`CloudAppEvents | project-reorder Bytes, Action* | take 1 | project-keep Bytes, ActionType`, "Bytes:long,ActionType:string"},
		{`union (print a = 1), (print a = "x", b = 2)`, "a_long:long,a_string:string,b:long"},
		{`range t from datetime(2024-01-01) to datetime(2024-01-02) step 1h`, "t:datetime"},
		{`let f = (t:(*)) { t | summarize c = count() }; f(CloudAppEvents)`, "c:long"},
		{`let m = materialize(CloudAppEvents | distinct ActionType); m | getschema`, "ColumnName:string,ColumnOrdinal:int,DataType:string,ColumnType:string"},
		{`CloudAppEvents | summarize x = count(), x1 = sum(Bytes), make_set(ActionType), make_set(ActionType)`, "x:long,x1:long,set_ActionType:dynamic,set_ActionType1:dynamic"},
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
}

func TestErrors(t *testing.T) {
	cases := []struct{ q, msg, hint string }{
		{`CloudAppEvents | where ActionTyp == "x"`, "unknown column ActionTyp", "did you mean ActionType?"},
		{`CloudAppEvent | count`, "unknown table CloudAppEvent", "did you mean CloudAppEvents?"},
		{`CloudAppEvents | extend tolowr(ActionType)`, "unknown function tolowr", "did you mean tolower?"},
		{`CloudAppEvents | where Bytes > "x"`, `operator > cannot be applied to (long, string): "x" is not a long`, ""},
		{`CloudAppEvents | where Bytes`, "where needs a bool predicate, got long", ""},
		{`CloudAppEvents | extend c = count()`, "aggregate function count() can only be used in summarize, make-series or top-nested", ""},
		{`CloudAppEvents | summarize sum(count())`, "aggregate function count() cannot be nested inside another aggregate", ""},
		{`let x = 1; x | count`, "x is a scalar value, not a table", ""},
	}
	for _, c := range cases {
		_, _, diags := checkQuery(t, c.q)
		if !diags.HasErrors() {
			t.Errorf("%s: no error", c.q)
			continue
		}
		d := diags[0]
		if d.Msg != c.msg || d.Hint != c.hint {
			t.Errorf("%s:\n got %q / %q\nwant %q / %q", c.q, d.Msg, d.Hint, c.msg, c.hint)
		}
	}
}

// Errors do not cascade: one unknown column gives one diagnostic.
func TestNoCascade(t *testing.T) {
	_, _, diags := checkQuery(t, `CloudAppEvents | extend x = Nope + 1 | where x > 2 | summarize sum(x) by ActionType | project ActionType`)
	if len(diags) != 1 {
		t.Fatalf("want 1 diagnostic, got %d: %v", len(diags), diags)
	}
	if diags[0].Span.Start != 28 {
		t.Errorf("span start = %d, want 28", diags[0].Span.Start)
	}
}

// The checker records overloads, constants and name bindings.
func TestAnnotations(t *testing.T) {
	tree, _, diags := checkQuery(t, `let n = 5; CloudAppEvents | where Bytes > n and strlen(ActionType) == 3`)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	pipe := tree.Stmts[1].(*ast.ExprStmt).X.(*ast.Pipe)
	pred := pipe.Ops[0].(*ast.Where).Pred.(*ast.Binary)
	gt := pred.L.(*ast.Binary)
	if gt.Info().Overload == "" || gt.Info().Type != types.Bool {
		t.Errorf("> not resolved: %+v", gt.Info())
	}
	if _, ok := gt.L.Info().Ref.(*check.ColumnRef); !ok {
		t.Errorf("Bytes should be a column ref, got %T", gt.L.Info().Ref)
	}
	if _, ok := gt.R.Info().Ref.(*check.LetRef); !ok || gt.R.Info().Const != int64(5) {
		t.Errorf("n should be a let with constant 5, got %T %v", gt.R.Info().Ref, gt.R.Info().Const)
	}
	eq := pred.R.(*ast.Binary)
	call := eq.L.(*ast.Call)
	if call.Info().Overload == "" || call.Info().Type != types.Long {
		t.Errorf("strlen: %+v", call.Info())
	}
	if pipe.Ops[0].Out().Schema.Index("ActionType") != 1 {
		t.Errorf("where output schema wrong")
	}
}

// Each call of a user function gets its own checked copy of the body.
func TestInlineCopies(t *testing.T) {
	tree, _, diags := checkQuery(t, `let f = (x:dynamic) { x }; print a = f(1), b = f("s")`)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	p := tree.Stmts[1].(*ast.ExprStmt).X.(*ast.Pipe).Ops[0].(*ast.Print)
	a := p.Items[0].X.(*ast.Call)
	b := p.Items[1].X.(*ast.Call)
	ia, ib := a.Info().Ref.(*check.Inline), b.Info().Ref.(*check.Inline)
	if ia == nil || ib == nil || ia.Body == ib.Body {
		t.Fatalf("want distinct inline bodies")
	}
	if a.Info().Type != types.Long || b.Info().Type != types.String {
		t.Errorf("types: %s %s", a.Info().Type, b.Info().Type)
	}
}
