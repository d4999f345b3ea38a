package check_test

import (
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/syntax"
)

const graphPrefix = `let N = datatable(name:string, age:long) ["a", 1];
datatable(s:string, d:string, w:long) ["a", "b", 1]
| make-graph s --> d with N on name `

func TestGraphSchemas(t *testing.T) {
	cases := []struct{ q, want string }{
		{`| graph-match (x)-[e*1..3]->(y) project a = x.name, b = map(e, w), c = node_id(y), d = all(e, w > 1), f = y.age + 1`,
			"a:string,b:dynamic,c:string,d:bool,f:long"},
		{`| graph-match (x)-[e]->(y) project x.name, e.w, ew = e.w`, "x_name:string,e_w:long,ew:long"},
		{`| graph-match (x)-[e*1..3]->(y) project ws = e.w, n = map(inner_nodes(e), node_id()), deg = node_degree_out(x)`,
			"ws:dynamic,n:dynamic,deg:long"},
		{`| graph-shortest-paths output=all (x)-[e*1..3]-(y) where any(e, w > 0) project x.age`, "x_age:long"},
		{`| graph-to-table nodes with_node_id=Id`, "Id:long,name:string,age:long"},
		{`| graph-to-table edges with_source_id=S with_target_id=T`, "S:long,T:long,s:string,d:string,w:long"},
		{`| graph-match (x) project x.name | where x_name != "b"`, "x_name:string"},
	}
	for _, tc := range cases {
		_, c, diags := checkQuery(t, graphPrefix+tc.q)
		if diags.HasErrors() {
			t.Errorf("%s: %v", tc.q, diags)
			continue
		}
		if got := schemaText(c.Last); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.q, got, tc.want)
		}
	}
	// with_node_id names the node property; partitioned-by gives the subquery's table
	_, c, diags := checkQuery(t, `datatable(s:string, d:string, t:string) ["a","b","x"]
| make-graph s --> d with_node_id=id partitioned-by t (graph-match (x)-->(y) project x.id, y.id)`)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got := schemaText(c.Last); got != "x_id:string,y_id:string" {
		t.Errorf("partitioned schema = %s", got)
	}
}

func TestGraphErrors(t *testing.T) {
	cases := []struct{ q, msg, at string }{
		{`| graph-match (x)-->(y) where z.name == "a" project x.name`, "unknown graph variable z; the pattern names", "z"},
		{`| graph-match (x)-->(y) project x.nme`, "node x has no property nme (properties: name, age)", "x.nme"},
		{`| graph-match (x)-[e]->(y) project e.zz`, "edge e has no property zz (properties: s, d, w)", "e.zz"},
		{`| graph-match (x)-[e*1..2]->(y) project map(x, w)`, "map() takes an edge variable, not the node x", "x"},
		{`| graph-match (x)-[e]->(y)-[e]->(z) project x.name`, "edge variable e is used twice", "e"},
		{`| graph-match (x)-[x]->(y) project y.name`, "x is already a node variable", "x"},
		{`| graph-match (x)-->(y) project x`, "x is a graph node variable; use one of its properties (x.property)", "x"},
		{`| graph-match cycles=some (x)-->(y) project x.name`, "cycles= takes none, unique_edges or all", "cycles=some"},
		{`| graph-shortest-paths (x)-->(y) project x.name`, "graph-shortest-paths needs a variable length edge", "(x)-->(y)"},
		{`| graph-match (x)-->(y), (z)-->(w) project x.name`, "must share node variables", "(z)-->(w)"},
		{`| graph-match (x)-->(y) where x.age project x.name`, "where needs a bool predicate, got long", "x.age"},
		{`| graph-match (x)-[e*1..2]->(y) where all(e, w) project x.name`, "all() needs a bool predicate, got long", "w"},
		{`| graph-match (x)-->(y) project node_id(q)`, "node_id() takes a node variable of the pattern", "q"},
		{`| graph-to-table nodes as N, edges as E`, "graph-to-table with both nodes and edges", "graph-to-table nodes as N, edges as E"},
	}
	for _, tc := range cases {
		q := graphPrefix + tc.q
		_, _, diags := checkQuery(t, q)
		if !diags.HasErrors() {
			t.Errorf("%s: no error", tc.q)
			continue
		}
		d := diags[0]
		if !strings.Contains(d.Msg, tc.msg) {
			t.Errorf("%s:\n got %q\nwant %q", tc.q, d.Msg, tc.msg)
			continue
		}
		if got := q[d.Span.Start:d.Span.End]; got != tc.at {
			t.Errorf("%s: error at %q, want %q", tc.q, got, tc.at)
		}
	}
	more := []struct{ q, msg, at string }{
		{`datatable(s:string) ["a"] | graph-match (x)-->(y) project x.name`, "graph-match needs a graph as its input: put make-graph before it", "graph-match (x)-->(y) project x.name"},
		{`datatable(s:string, d:long) ["a", 1] | make-graph s --> d`, "make-graph: the source column s is string but the target column d is long", "d"},
		{`datatable(s:string, d:string) ["a", "b"] | make-graph src --> d`, "unknown source column src", "src"},
		{`datatable(s:string, d:string) ["a", "b"] | make-graph s --> d with (datatable(k:string) ["a"]) on key`, "unknown node key column key", "key"},
	}
	for _, tc := range more {
		_, _, diags := checkQuery(t, tc.q)
		if !diags.HasErrors() {
			t.Errorf("%s: no error", tc.q)
			continue
		}
		d := diags[0]
		if !strings.Contains(d.Msg, tc.msg) {
			t.Errorf("%s:\n got %q\nwant %q", tc.q, d.Msg, tc.msg)
			continue
		}
		if got := tc.q[d.Span.Start:d.Span.End]; got != tc.at {
			t.Errorf("%s: error at %q, want %q", tc.q, got, tc.at)
		}
	}
}

// The checker never panics on graph queries cut anywhere (prefixes that parse).
func TestGraphPrefixesCheck(t *testing.T) {
	q := graphPrefix + `| graph-match cycles=all (x)-[e*1..3]->(y)<-[f]-(z), (x)--(w) where x.age > 1 and all(e, w > 0) and any(inner_nodes(e), age > 0) and f.w == e.w project a = map(e, s), node_id(w), node_degree_in(z), b = map(inner_nodes(e), node_id())`
	for i := len(graphPrefix) - 30; i <= len(q); i++ {
		src := lang.NewSource("q", q[:i])
		tree, d := syntax.Parse(src)
		if d.HasErrors() {
			continue
		}
		check.CheckWith(tree, &check.Env{Tables: catalog})
	}
}
