package syntax

import (
	"strconv"
	"strings"
	"testing"

	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/ast"
)

func TestGraphParse(t *testing.T) {
	q := mustParse(t, `E
| make-graph src --> dst with (N | where a > 1) on name, M on id
| graph-match cycles=none (a)<-[r*1..5]-(b)--()-->(c)<--(), (a)-[s]-(d)
    where a.name == "x" and all(r, w > 1)
    project n = a.name, map(r, w)`)
	p := q.Stmts[0].(*ast.ExprStmt).X.(*ast.Pipe)
	mg := p.Ops[0].(*ast.MakeGraph)
	if mg.Src.Name != "src" || mg.Dst.Name != "dst" || len(mg.Nodes) != 2 || mg.Nodes[1].Key.Name != "id" {
		t.Errorf("make-graph = %s", ast.FormatOp(mg))
	}
	if _, ok := mg.Nodes[0].Table.(*ast.Paren); !ok {
		t.Errorf("node table 0 is %T", mg.Nodes[0].Table)
	}
	gm := p.Ops[1].(*ast.GraphMatch)
	if gm.Option("cycles") != "none" || len(gm.Paths) != 2 || len(gm.Project) != 2 || gm.Where == nil {
		t.Fatalf("graph-match = %s", ast.FormatOp(gm))
	}
	var got []string
	for _, e := range gm.Paths[0].Edges {
		name := "_"
		if e.Name != nil {
			name = e.Name.Name
		}
		got = append(got, name+e.Dir+strings.Repeat("*", b2i(e.VarLen))+strconv.Itoa(e.Min)+"-"+strconv.Itoa(e.Max))
	}
	if g := strings.Join(got, " "); g != "r<-*1-5 _-1-1 _->1-1 _<-1-1" {
		t.Errorf("edges = %s", g)
	}
	if n := gm.Paths[0].Nodes; len(n) != 5 || n[0].Name.Name != "a" || n[2].Name != nil || n[4].Name != nil {
		t.Errorf("nodes of path 0 wrong")
	}
	if gm.Project[0].Names[0].Name != "n" || len(gm.Project[1].Names) != 0 {
		t.Errorf("project names wrong")
	}
	// spans point into the whole text
	src := `T | graph-match (a)-->(b) where a.x == 1 project b.y`
	gm = mustParse(t, src).Stmts[0].(*ast.ExprStmt).X.(*ast.Pipe).Ops[0].(*ast.GraphMatch)
	if sp := gm.Where.Span(); src[sp.Start:sp.End] != "a.x == 1" {
		t.Errorf("where span = %q", src[sp.Start:sp.End])
	}
	if sp := gm.Paths[0].Span(); src[sp.Start:sp.End] != "(a)-->(b)" {
		t.Errorf("path span = %q", src[sp.Start:sp.End])
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fmt prints graph operators in a form that parses back to the same text.
func TestGraphFormatRoundTrip(t *testing.T) {
	cases := []struct{ in, want string }{
		{"E | make-graph a-->b with_node_id = id", "E\n| make-graph a --> b with_node_id=id"},
		{"E | make-graph a --> b with N on k partitioned-by t ( graph-match (x)-->(y) project x.k | take 1 )",
			"E\n| make-graph a --> b with N on k partitioned-by t (graph-match (x)-->(y) project x.k | take 1)"},
		{"G | graph-match (x)-[e*2..4]-(y) project e.w", "G\n| graph-match (x)-[e*2..4]-(y) project e.w"},
		{"G | graph-shortest-paths output=all (x)<-[*1..3]-(y) where x.a == 1 project y.a",
			"G\n| graph-shortest-paths output=all (x)<-[*1..3]-(y) where x.a == 1 project y.a"},
		{"G | graph-to-table edges as E with_source_id=S with_target_id=T", "G\n| graph-to-table edges as E with_source_id=S with_target_id=T"},
		{"G | graph-to-table nodes with_node_id=N, edges", "G\n| graph-to-table nodes with_node_id=N, edges"},
	}
	for _, tc := range cases {
		got := ast.Format(mustParse(t, tc.in))
		if strings.TrimSpace(got) != tc.want {
			t.Errorf("fmt(%q) =\n%s\nwant\n%s", tc.in, got, tc.want)
			continue
		}
		if again := ast.Format(mustParse(t, got)); again != got {
			t.Errorf("fmt is not stable for %q:\n%s\n%s", tc.in, got, again)
		}
	}
}

func TestGraphSyntaxErrors(t *testing.T) {
	cases := []struct{ q, msg, at string }{
		{"G | graph-match (x)-[e*5..2]->(y) project x.a", "bad edge length range 5..2", "2"},
		{"G | graph-match (x)<-[e]->(y) project x.a", "an edge cannot point both ways", ">"},
		{"G | graph-match (x)-->(y)", "graph-match needs a project clause", ""},
		{"G | graph-match (x)-->(y) where x.a == project x.a", "expected an expression after '=='", ""},
		{"G | graph-match (x)-[e*a..2]->(y) project x.a", "expected a number in the edge length range", "a"},
		{"G | graph-match (x)=>(y) project x.a", "unexpected '=>' in graph-match", "=>"},
		{"E | make-graph a -> b", "expected '-->' between the source and target columns", "-"},
		{"E | make-graph a --> b with N", "expected 'on' after the node table", ""},
		{"E | make-graph a --> b sideways", "unexpected 'sideways' in make-graph", "sideways"},
		{"G | graph-to-table vertices", "expected nodes or edges after graph-to-table", "vertices"},
	}
	for _, tc := range cases {
		src := lang.NewSource("q", tc.q)
		_, d := Parse(src)
		if !d.HasErrors() {
			t.Errorf("%s: no error", tc.q)
			continue
		}
		if !strings.Contains(d[0].Msg, tc.msg) {
			t.Errorf("%s: got %q, want %q", tc.q, d[0].Msg, tc.msg)
			continue
		}
		if got := tc.q[d[0].Span.Start:d[0].Span.End]; got != tc.at {
			t.Errorf("%s: error at %q, want %q", tc.q, got, tc.at)
		}
	}
}

// Every prefix of graph queries parses without an internal error, and the
// ones that parse print back to text that parses to the same form.
func TestGraphPrefixes(t *testing.T) {
	for _, q := range []string{
		`E | make-graph a --> b with (N | where x > 1) on k, M on k2 partitioned-by t ( graph-match cycles=none (x)-[e*1..3]->(y) where all(e, w > 1) project x.k | take 1 ) | take 2`,
		`G | graph-match (a)<-[r*0..2]-(b)--()-->(c)<--(d), (a)-[s]-(e) where a.n == "x" project n = a.n, map(inner_nodes(r), node_id())`,
		`G | graph-shortest-paths output=all (x)-[e*1..5]->(y) where x.id == "s" project y.id | graph-to-table nodes as N with_node_id=I, edges with_source_id=S`,
	} {
		for i := 0; i <= len(q); i++ {
			src := lang.NewSource("q", q[:i])
			tree, d := Parse(src)
			for _, e := range d {
				if e.Code == "internal" {
					t.Fatalf("Parse(%q): %s", q[:i], e.Msg)
				}
			}
			if d.HasErrors() {
				continue
			}
			text := ast.Format(tree)
			again, d2 := Parse(lang.NewSource("q", text))
			if d2.HasErrors() {
				t.Fatalf("Parse(Format(%q)) = %q: %v", q[:i], text, d2)
			}
			if ast.Format(again) != text {
				t.Fatalf("fmt not stable for %q", q[:i])
			}
		}
	}
}
