package plan_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/exec/catalog"
	"github.com/kqlhunt/kqlhunt/exec/engine"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang"
)

// a -> b -> c -> a, c -> d (w = 1, 2, 3, 4)
const graphEdges = `let E = datatable(s:string, d:string, w:long) ["a","b",1, "b","c",2, "c","a",3, "c","d",4];
E | make-graph s --> d with_node_id=id `

func TestGraphMatchRows(t *testing.T) {
	cases := []struct{ name, q, want string }{
		{"out edges", `| graph-match (x)-[e]->(y) where x.id == "c" project y.id, e.w`, "a,3;d,4"},
		{"in edges", `| graph-match (x)<-[e]-(y) where x.id == "c" project y.id, e.w`, "b,2"},
		{"any direction", `| graph-match (x)-[e]-(y) where x.id == "c" project y.id, e.w`, "a,3;d,4;b,2"},
		{"edge filter", `| graph-match (x)-[e]->(y) where e.w >= 3 project x.id, y.id`, "c,a;c,d"},
		{"anonymous right", `| graph-match (x)-->()-->(y) where x.id == "a" project y.id`, "c"},
		{"anonymous left", `| graph-match (x)<--()<--(y) where x.id == "a" project y.id`, "b"},
		{"anonymous any", `| graph-match (x)--(y) where x.id == "d" project y.id`, "c"},
		{"variable length", `| graph-match (x)-[e*2..3]->(y) where x.id == "a" project y.id, tostring(map(e, w))`,
			"c,[1,2];a,[1,2,3];d,[1,2,4]"},
		{"old property syntax", `| graph-match (x)-[e*2..2]->(y) where x.id == "a" project tostring(e.w)`, "[1,2]"},
		{"cycles none", `| graph-match cycles=none (x)-[e*2..3]->(y) where x.id == "a" project y.id, tostring(map(e, w))`,
			"c,[1,2];d,[1,2,4]"},
		{"cycles all", `| graph-match cycles=all (x)-[e*1..4]->(y) where x.id == "a" project y.id`, "b;c;a;b;d"},
		{"unique edges default", `| graph-match (x)-[e*1..4]->(y) where x.id == "a" project y.id`, "b;c;a;d"},
		{"zero length", `| graph-match (x)-[e*0..1]->(y) where x.id == "d" project y.id, array_length(map(e, w))`, "d,0"},
		{"inner nodes", `| graph-match (x)-[e*3..3]->(y) where x.id == "a" project y.id, tostring(map(inner_nodes(e), node_id()))`,
			`a,["b","c"];d,["b","c"]`},
		{"all and any", `| graph-match (x)-[e*1..3]->(y) where x.id == "b" and all(e, w > 1) project y.id, any(e, w == 4)`,
			"c,false;a,false;d,true"},
		{"residual across variables", `| graph-match (x)-[e]->(y) where x.id < y.id project x.id, y.id`, "a,b;b,c;c,d"},
		{"degrees", `| graph-match (x) project x.id, node_degree_in(x), node_degree_out(x)`, "a,1,1;b,1,1;c,1,2;d,1,0"},
		{"two paths", `| graph-match (x)-->(c)-->(y), (c)-->(z) where x.id == "b" and y.id == "a" project c.id, z.id`, "c,d"},
		{"same variable twice", `| graph-match (x)-->()-->()-->(x) project x.id`, "a;b;c"},
		{"pipe after", `| graph-match (x)-[e]->(y) project x.id, e.w | summarize sum(e_w) by x_id | order by x_id asc`, "a,1;b,2;c,7"},
		{"to table nodes", `| graph-to-table nodes`, "a;b;c;d"},
		{"to table edges", `| graph-to-table edges | project s, d`, "a,b;b,c;c,a;c,d"},
	}
	for _, tc := range cases {
		rows, err := runRows(t, graphEdges+tc.q)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := strings.Join(rows, ";"); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestGraphShortestPaths(t *testing.T) {
	const g = `datatable(s:string, d:string) ["s","a", "s","b", "a","t", "b","t", "t","u", "s","t2", "t2","t3", "t3","u"]
| make-graph s --> d with_node_id=id `
	cases := []struct{ name, q, want string }{
		{"any", `| graph-shortest-paths (x)-[e*1..4]->(y) where x.id == "s" and y.id == "t" project tostring(map(inner_nodes(e), node_id()))`, `["a"]`},
		{"all", `| graph-shortest-paths output=all (x)-[e*1..4]->(y) where x.id == "s" and y.id == "t" project tostring(map(inner_nodes(e), node_id()))`, `["a"];["b"]`},
		{"longer", `| graph-shortest-paths output=all (x)-[e*1..4]->(y) where x.id == "s" and y.id == "u" project tostring(map(inner_nodes(e), node_id()))`,
			`["a","t"];["b","t"];["t2","t3"]`},
		{"every target", `| graph-shortest-paths (x)-[e*1..4]->(y) where x.id == "s" project y.id, array_length(map(e, d))`,
			"a,1;b,1;t2,1;t,2;t3,2;u,3"},
		// a condition on the path itself: the shortest of the paths that satisfy it
		{"path condition", `| graph-shortest-paths (x)-[e*1..4]->(y) where x.id == "s" and y.id == "u" and any(e, d == "t3") project tostring(map(inner_nodes(e), node_id()))`,
			`["t2","t3"]`},
		{"from the right", `| graph-shortest-paths output=all (y)<-[e*1..3]-(x) where x.id == "s" and y.id == "t" project tostring(map(e, s))`,
			`["a","s"];["b","s"]`},
		{"any direction", `| graph-shortest-paths (x)-[e*1..3]-(y) where x.id == "u" and y.id == "a" project tostring(map(inner_nodes(e), node_id()))`,
			`["t"]`},
		{"max bound", `| graph-shortest-paths (x)-[e*1..2]->(y) where x.id == "s" and y.id == "u" project y.id`, ""},
	}
	for _, tc := range cases {
		rows, err := runRows(t, g+tc.q)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := strings.Join(rows, ";"); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestGraphNodeTables(t *testing.T) {
	const q = `let P = datatable(name:string, age:long) ["Alice", 32, "Bob", 31, "Alice", 99];
let O = datatable(name:string, city:string) ["Paris HQ", "Paris", "Alice", "Rome"];
datatable(from:string, to:string) ["Bob","Alice", "Eve","Paris HQ", "Eve","Bob"]
| make-graph from --> to with P on name, O on name `
	cases := []struct{ name, q, want string }{
		// node table rows first (the first row of a key wins), then nodes only edges name
		// a key in two tables is one node with the properties of both
		{"nodes", `| graph-to-table nodes`, "Alice,32,Rome;Bob,31,null;Paris HQ,null,Paris;Eve,null,null"},
		{"match", `| graph-match (a)-->(b) where a.name == "Eve" project b.name, b.age, b.city`, "Paris HQ,null,Paris;Bob,31,null"},
		{"node ids", `| graph-to-table nodes with_node_id=Id | project Id, name | take 1`, strconv.FormatInt(ops.NodeHash("Alice"), 10) + ",Alice"},
		{"edge ids", `| graph-to-table edges with_source_id=S with_target_id=T | take 1`,
			strconv.FormatInt(ops.NodeHash("Bob"), 10) + "," + strconv.FormatInt(ops.NodeHash("Alice"), 10) + ",Bob,Alice"},
	}
	for _, tc := range cases {
		rows, err := runRows(t, q+tc.q)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := strings.Join(rows, ";"); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestGraphPartitioned(t *testing.T) {
	q := `datatable(s:string, d:string, t:string) ["a","b","x", "b","c","x", "a","b","y", "b","q","y", "q","r","y"]
| make-graph s --> d with_node_id=id partitioned-by t (graph-match (x)-[e*2..2]->(y) project x.id, y.id, tostring(map(e, t)))`
	rows, err := runRows(t, q)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rows, ";"), `a,c,["x","x"];a,q,["y","y"];b,r,["y","y"]`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	// each partition's graph has the node table rows of its partition
	q = `let N = datatable(id:string, t:string, v:long) ["a","x",1, "a","y",2, "b","x",3, "c","z",4];
datatable(s:string, d:string, t:string) ["a","b","x", "a","b","y"]
| make-graph s --> d with N on id partitioned-by t (graph-to-table nodes)`
	rows, err = runRows(t, q)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rows, ";"), `a,x,1;b,x,3;a,y,2;b,null,null`; got != want {
		t.Errorf("partitioned nodes: got %s, want %s", got, want)
	}
}

func TestGraphErrors(t *testing.T) {
	// a graph read as a table
	_, err := runRows(t, graphEdges)
	if err == nil || !strings.Contains(err.Error(), "make-graph returns a graph, not a table") {
		t.Errorf("graph as table: %v", err)
	}
	// an explosion of matches stops at the memory budget with a clear error
	ctx := context.Background()
	q := `range i from 1 to 12 step 1 | extend j = range(1, 12) | mv-expand j to typeof(long)
| make-graph i --> j with_node_id=n
| graph-match cycles=all (a)-[e*1..8]->(b) project a.n, b.n`
	pq, err := engine.Prepare(ctx, lang.NewSource("q", q), engine.Options{Catalog: catalog.New(), MaxMemory: 8 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer pq.Close()
	for {
		rec, err := pq.Next(ctx)
		if err != nil {
			if !strings.Contains(err.Error(), "memory budget") {
				t.Errorf("explosion error = %v", err)
			}
			return
		}
		if rec == nil {
			t.Fatal("an explosion of matches ran to the end")
		}
		rec.Release()
	}
}

func TestGraphScopeNames(t *testing.T) {
	rows, err := runRows(t, `let names = dynamic(["b","d"]); let lim = 2;
datatable(s:string, d:string, w:long) ["a","b",1, "b","c",2, "c","a",3, "c","d",4]
| make-graph s --> d with_node_id=id
| graph-match (x)-[e]->(y) where y.id in (names) and e.w > lim - 1 project x.id, y.id, e.w`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rows, ";"), "c,d,4"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
