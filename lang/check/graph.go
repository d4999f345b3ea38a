package check

import (
	"runtime"
	"strings"
	"sync"
	"weak"

	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Graph operators (make-graph, graph-match, graph-shortest-paths,
// graph-to-table). make-graph's output is a graph, not a table: the
// checker gives it a schema (the edge columns) and remembers the graph's
// description for that schema pointer, so that the graph operator after it
// (or after a let naming it) finds the node and edge properties.
//
// graph-match expressions are rewritten before typing: every use of a
// pattern variable (`n.name`, `node_id(n)`, `map(e, expr)`, ...) becomes an
// identifier naming a column of a virtual row (GraphMatchInfo.Virtual),
// described by a GraphCol that the engine computes from the matched nodes
// and edges. The rewritten expressions are ordinary scalar expressions.

func init() {
	RegisterOp("make-graph", checkMakeGraph)
	RegisterOp("graph-match", checkGraphMatch)
	RegisterOp("graph-shortest-paths", checkGraphMatch)
	RegisterOp("graph-to-table", checkGraphToTable)
}

// GraphSchema describes a graph: what make-graph produces.
type GraphSchema struct {
	Edges  *types.Schema // the edge properties: make-graph's input columns
	Nodes  *types.Schema // the node properties: the node tables' columns (and with_node_id)
	IDType types.Kind    // the type of node ids (the source column's)
	// Op is the make-graph operator that builds the graph.
	Op *ast.MakeGraph
}

// NodeIDColumn is the name of the column holding node ids in the node
// schema that inner_nodes expressions are typed against.
const NodeIDColumn = "$node_id"

var (
	graphMu sync.Mutex
	graphs  = map[weak.Pointer[types.Schema]]*GraphSchema{}
)

func registerGraph(s *types.Schema, g *GraphSchema) {
	wp := weak.Make(s)
	graphMu.Lock()
	graphs[wp] = g
	graphMu.Unlock()
	runtime.AddCleanup(s, func(wp weak.Pointer[types.Schema]) {
		graphMu.Lock()
		delete(graphs, wp)
		graphMu.Unlock()
	}, wp)
}

// GraphOf returns the graph a schema stands for (nil when s is a table).
func GraphOf(s *types.Schema) *GraphSchema {
	if s == nil {
		return nil
	}
	graphMu.Lock()
	defer graphMu.Unlock()
	return graphs[weak.Make(s)]
}

func checkMakeGraph(c *Checker, o ast.Op, in *types.Schema, sc *Scope) *types.Schema {
	op := o.(*ast.MakeGraph)
	g := &GraphSchema{Edges: in, Nodes: &types.Schema{}, Op: op, IDType: types.Unknown}
	col := func(id *ast.Ident, s *types.Schema, what string) (types.Kind, bool) {
		if id == nil {
			return types.Unknown, false
		}
		if i := s.Index(id.Name); i >= 0 {
			return s.Columns[i].Type, true
		}
		if s.Open {
			return types.Dynamic, true
		}
		c.ErrorHint(id, "unknown-column", suggest(id.Name, s.Names()), "unknown %s column %s", what, id.Name)
		return types.Unknown, false
	}
	src, ok1 := col(op.Src, in, "source")
	dst, ok2 := col(op.Dst, in, "target")
	if ok1 && ok2 && src != dst && src != types.Dynamic && dst != types.Dynamic {
		c.Errorf(op.Dst, "type-mismatch", "make-graph: the source column %s is %s but the target column %s is %s; node ids must have one type", op.Src.Name, src, op.Dst.Name, dst)
	}
	g.IDType = src
	for _, nt := range op.Nodes {
		s := c.Tabular(nt.Table, sc)
		k, ok := col(nt.Key, s, "node key")
		if ok && ok1 && k != src && k != types.Dynamic && src != types.Dynamic {
			c.Errorf(nt.Key, "type-mismatch", "make-graph: the node key %s is %s but the edge source column %s is %s", nt.Key.Name, k, op.Src.Name, src)
		}
		if op.PartitionBy != nil && s.Index(op.PartitionBy.Name) < 0 && !s.Open {
			c.Errorf(nt.Table, "unknown-column", "make-graph partitioned-by %s: the node table must have the column %s too", op.PartitionBy.Name, op.PartitionBy.Name)
		}
		for _, cl := range s.Columns {
			if g.Nodes.Index(cl.Name) < 0 {
				g.Nodes.Columns = append(g.Nodes.Columns, cl)
			}
		}
	}
	if op.NodeID != nil {
		if len(op.Nodes) > 0 {
			c.Errorf(op.NodeID, "bad-option", "make-graph: with_node_id= names the node column when no node table is given; it cannot be used with 'with T on K'")
		} else {
			g.Nodes.Columns = append(g.Nodes.Columns, types.Column{Name: op.NodeID.Name, Type: src})
		}
	}
	out := &types.Schema{Columns: append([]types.Column(nil), in.Columns...), Open: in.Open}
	registerGraph(out, g)
	op.Out().Ref = g
	if op.PartitionBy != nil {
		col(op.PartitionBy, in, "partitioned-by")
		if op.Partition == nil || len(op.Partition.Ops) == 0 {
			c.Errorf(op, "no-subquery", "make-graph partitioned-by needs a subquery such as ( graph-match ... )")
			return &types.Schema{Open: true}
		}
		res := c.Pipe(out, op.Partition.Ops, sc)
		if GraphOf(res) != nil {
			c.Errorf(op.Partition.Ops[len(op.Partition.Ops)-1], "graph-result", "the partitioned-by subquery must end in a table (graph-match, graph-to-table, ...), not a graph")
		}
		return res
	}
	return out
}

// GraphColKind tells how the engine computes a virtual column of a match.
type GraphColKind int

const (
	ColNodeProp  GraphColKind = iota // n.prop
	ColNodeID                        // node_id(n)
	ColDegreeIn                      // node_degree_in(n)
	ColDegreeOut                     // node_degree_out(n)
	ColEdgeProp                      // e.prop: a value for a fixed edge, an array for a variable-length one
	ColEdgeAgg                       // map/all/any(e, Inner) with Inner over the edge properties
	ColInnerAgg                      // map/all/any(inner_nodes(e), Inner) with Inner over node properties
)

// GraphCol is a column of the virtual row a match is seen as.
type GraphCol struct {
	Name  string // the column name in GraphMatchInfo.Virtual
	Type  types.Kind
	Kind  GraphColKind
	Node  int    // node variable index (ColNode*)
	Edge  int    // edge element index (ColEdge*, ColInnerAgg)
	Prop  string // property name (ColNodeProp, ColEdgeProp)
	Agg   string // "map", "all", "any" (ColEdgeAgg, ColInnerAgg)
	Inner ast.Expr
}

// GraphEdgeVar is one edge element of the pattern.
type GraphEdgeVar struct {
	Name     string // "" for anonymous edges
	Dir      string // "->", "<-", "-" as written (left node to right node)
	Min, Max int
	VarLen   bool
	Left     int // node variable index of the node on its left
	Right    int // node variable index of the node on its right
	Elem     *ast.GraphEdge
}

// GraphConjunct is one `and`-separated term of the where clause.
type GraphConjunct struct {
	X ast.Expr // rewritten, over Virtual
	// Node >= 0: X uses only node variable Node's columns (a node filter).
	Node int
	// Edge >= 0: X uses only fixed edge Edge's properties (an edge filter).
	Edge int
	// AllEdge >= 0: X is all(e, Pred) on edge element AllEdge: every edge
	// of the element must satisfy Pred (typed over the edge properties).
	AllEdge int
	Pred    ast.Expr
	// UsesPath: X reads an edge element (its properties, map/all/any, or
	// inner nodes), so two paths between the same nodes can differ on it.
	UsesPath bool
}

// GraphMatchInfo is the Out().Ref of graph-match / graph-shortest-paths.
type GraphMatchInfo struct {
	Graph     *GraphSchema
	NodeVars  []string       // node variables; anonymous nodes are "" (each its own)
	Edges     []GraphEdgeVar // every edge element, in pattern order across paths
	Paths     [][]int        // per path: node variable index of each node position
	PathEdges [][]int        // per path: edge element index of each edge position
	Cols      []GraphCol
	Virtual   *types.Schema
	Conjuncts []GraphConjunct
	Project   []*ast.NamedExpr // rewritten, over Virtual
	Cycles    string           // "unique_edges" (default), "none", "all"
	Output    string           // graph-shortest-paths: "any" (default), "all"
	Shortest  bool
}

type graphRewriter struct {
	c     *Checker
	sc    *Scope
	info  *GraphMatchInfo
	nodes map[string]int // node variable → index
	edges map[string]int // edge variable → element index
	cols  map[string]int // virtual column name → index in info.Cols
	used  map[int]bool   // columns used by the expression being rewritten
	bad   bool
}

func checkGraphMatch(c *Checker, o ast.Op, in *types.Schema, sc *Scope) *types.Schema {
	op := o.(*ast.GraphMatch)
	g := GraphOf(in)
	if g == nil {
		if !in.Open || len(in.Columns) > 0 {
			c.Errorf(op, "not-graph", "%s needs a graph as its input: put make-graph before it", op.OpName())
		}
		return &types.Schema{Open: true}
	}
	info := &GraphMatchInfo{Graph: g, Shortest: op.Shortest, Cycles: "unique_edges", Output: "any"}
	op.Out().Ref = info
	for _, opt := range op.Options {
		v := ""
		if id, ok := opt.Value.(*ast.Ident); ok {
			v = strings.ToLower(id.Name)
		}
		switch {
		case opt.Name == "cycles" && !op.Shortest && (v == "none" || v == "unique_edges" || v == "all"):
			info.Cycles = v
		case opt.Name == "output" && op.Shortest && (v == "any" || v == "all"):
			info.Output = v
		case opt.Name == "cycles" && !op.Shortest:
			c.Errorf(opt, "bad-option", "cycles= takes none, unique_edges or all")
		case opt.Name == "output" && op.Shortest:
			c.Errorf(opt, "bad-option", "output= takes any or all")
		default:
			c.Errorf(opt, "bad-option", "%s does not take %s=", op.OpName(), opt.Name)
		}
	}
	r := &graphRewriter{c: c, sc: sc, info: info, nodes: map[string]int{}, edges: map[string]int{}, cols: map[string]int{}}
	// variables
	nodeVar := func(n *ast.GraphNode) int {
		if n.Name == nil {
			info.NodeVars = append(info.NodeVars, "")
			return len(info.NodeVars) - 1
		}
		if _, ok := r.edges[n.Name.Name]; ok {
			c.Errorf(n.Name, "graph-variable", "%s is already an edge variable", n.Name.Name)
		}
		if i, ok := r.nodes[n.Name.Name]; ok {
			return i
		}
		info.NodeVars = append(info.NodeVars, n.Name.Name)
		r.nodes[n.Name.Name] = len(info.NodeVars) - 1
		return len(info.NodeVars) - 1
	}
	varLen := 0
	for _, p := range op.Paths {
		var pn, pe []int
		for _, n := range p.Nodes {
			pn = append(pn, nodeVar(n))
		}
		for i, e := range p.Edges {
			ev := GraphEdgeVar{Dir: e.Dir, Min: e.Min, Max: e.Max, VarLen: e.VarLen, Left: pn[i], Right: pn[i+1], Elem: e}
			if e.VarLen {
				varLen++
			}
			if e.Name != nil {
				ev.Name = e.Name.Name
				if _, ok := r.nodes[e.Name.Name]; ok {
					c.Errorf(e.Name, "graph-variable", "%s is already a node variable", e.Name.Name)
				} else if _, ok := r.edges[e.Name.Name]; ok {
					c.Errorf(e.Name, "graph-variable", "edge variable %s is used twice; each edge element needs its own name", e.Name.Name)
				} else {
					r.edges[e.Name.Name] = len(info.Edges)
				}
			}
			info.Edges = append(info.Edges, ev)
			pe = append(pe, len(info.Edges)-1)
		}
		info.Paths = append(info.Paths, pn)
		info.PathEdges = append(info.PathEdges, pe)
	}
	if op.Shortest {
		if len(op.Paths) != 1 {
			c.Errorf(op, "graph-pattern", "graph-shortest-paths takes one path, not several comma-separated ones")
		} else if varLen == 0 {
			c.Errorf(op.Paths[0], "graph-pattern", "graph-shortest-paths needs a variable length edge such as -[e*1..5]->")
		}
	}
	if len(op.Paths) > 1 && !connected(info) {
		c.Errorf(op.Paths[1], "graph-pattern", "the comma-separated paths of a pattern must share node variables (one connected pattern)")
	}
	info.Virtual = &types.Schema{}
	if op.Where != nil {
		w := Clone(op.Where).(ast.Expr)
		for _, x := range conjuncts(w) {
			r.used = map[int]bool{}
			rx := r.rewrite(x)
			k := c.Scalar(rx, info.Virtual, sc)
			if k != types.Bool && k != types.Unknown && k != types.Null && k != types.Dynamic {
				c.Errorf(x, "not-bool", "where needs a bool predicate, got %s", k)
			}
			info.Conjuncts = append(info.Conjuncts, r.classify(x, rx))
		}
	}
	for _, it := range op.Project {
		cp := Clone(it).(*ast.NamedExpr)
		if len(cp.Names) == 0 {
			if m, ok := cp.X.(*ast.Member); ok {
				if id, ok := m.X.(*ast.Ident); ok && m.Name != nil {
					cp.Names = []*ast.Ident{{Pos: m.Pos, Name: id.Name + "_" + m.Name.Name}}
				}
			}
		}
		r.used = map[int]bool{}
		cp.X = r.rewrite(cp.X)
		info.Project = append(info.Project, cp)
	}
	if r.bad {
		return &types.Schema{Open: true}
	}
	return c.project(info.Project, info.Virtual, sc, nil, op.OpName())
}

// connected reports whether the pattern's paths share node variables.
func connected(info *GraphMatchInfo) bool {
	n := len(info.Paths)
	seen := map[int]bool{}
	for _, v := range info.Paths[0] {
		seen[v] = true
	}
	joined := map[int]bool{0: true}
	for changed := true; changed; {
		changed = false
		for p := 1; p < n; p++ {
			if joined[p] {
				continue
			}
			for _, v := range info.Paths[p] {
				if seen[v] && info.NodeVars[v] != "" {
					joined[p] = true
					changed = true
					for _, w := range info.Paths[p] {
						seen[w] = true
					}
					break
				}
			}
		}
	}
	return len(joined) == n
}

// conjuncts splits x at top-level `and`.
func conjuncts(x ast.Expr) []ast.Expr {
	switch b := x.(type) {
	case *ast.Binary:
		if strings.EqualFold(b.Op, "and") {
			return append(conjuncts(b.L), conjuncts(b.R)...)
		}
	case *ast.Paren:
		if inner := conjuncts(b.X); len(inner) > 1 {
			return inner
		}
	}
	return []ast.Expr{x}
}

// classify decides where a conjunct can be applied (see GraphConjunct).
func (r *graphRewriter) classify(orig, x ast.Expr) GraphConjunct {
	cj := GraphConjunct{X: x, Node: -1, Edge: -1, AllEdge: -1}
	if id, ok := x.(*ast.Ident); ok {
		if i, ok := r.cols[id.Name]; ok {
			col := r.info.Cols[i]
			if col.Kind == ColEdgeAgg && col.Agg == "all" {
				cj.AllEdge, cj.Pred = col.Edge, col.Inner
				return cj
			}
		}
	}
	node, edge := -1, -1
	mixed := len(r.used) == 0
	for i := range r.used {
		col := r.info.Cols[i]
		if col.Edge >= 0 {
			cj.UsesPath = true
		}
		switch col.Kind {
		case ColNodeProp, ColNodeID, ColDegreeIn, ColDegreeOut:
			if node >= 0 && node != col.Node || edge >= 0 {
				mixed = true
			}
			node = col.Node
		case ColEdgeProp:
			if r.info.Edges[col.Edge].VarLen || edge >= 0 && edge != col.Edge || node >= 0 {
				mixed = true
			}
			edge = col.Edge
		default:
			mixed = true
		}
	}
	if !mixed {
		if node >= 0 && edge < 0 {
			cj.Node = node
		} else if edge >= 0 && node < 0 {
			cj.Edge = edge
		}
	}
	return cj
}

func (r *graphRewriter) col(at ast.Node, gc GraphCol) ast.Expr {
	i, ok := r.cols[gc.Name]
	if !ok {
		i = len(r.info.Cols)
		r.info.Cols = append(r.info.Cols, gc)
		r.cols[gc.Name] = i
		r.info.Virtual.Columns = append(r.info.Virtual.Columns, types.Column{Name: gc.Name, Type: gc.Type})
	}
	r.used[i] = true
	id := &ast.Ident{Pos: ast.Pos{Sp: at.Span()}, Name: gc.Name, Quoted: true}
	return id
}

func (r *graphRewriter) errorf(n ast.Node, code, format string, args ...any) ast.Expr {
	r.c.Errorf(n, code, format, args...)
	r.bad = true
	return &ast.Literal{Pos: ast.Pos{Sp: n.Span()}, Kind: types.Null, Null: true}
}

// variable returns the node or edge variable x names.
func (r *graphRewriter) variable(x ast.Expr) (node, edge int, ok bool) {
	id, isID := x.(*ast.Ident)
	if !isID || id.Quoted {
		return -1, -1, false
	}
	if i, ok := r.nodes[id.Name]; ok {
		return i, -1, true
	}
	if i, ok := r.edges[id.Name]; ok {
		return -1, i, true
	}
	return -1, -1, false
}

func (r *graphRewriter) varNames() []string {
	var out []string
	for n := range r.nodes {
		out = append(out, n)
	}
	for n := range r.edges {
		out = append(out, n)
	}
	return out
}

// rewrite replaces the graph references in x (a clone) and returns it.
func (r *graphRewriter) rewrite(x ast.Expr) ast.Expr {
	switch e := x.(type) {
	case nil:
		return nil
	case *ast.Ident:
		if n, ed, ok := r.variable(e); ok {
			what := "node"
			if n < 0 && ed >= 0 {
				what = "edge"
			}
			return r.errorf(e, "graph-variable", "%s is a graph %s variable; use one of its properties (%s.property)", e.Name, what, e.Name)
		}
		if r.c.env != nil && r.sc.lookup(e.Name) == nil {
			return r.errorf(e, "unknown-graph-variable", "unknown graph variable %s; the pattern names %s", e.Name, strings.Join(r.varNames(), ", "))
		}
		return e
	case *ast.Member:
		if n, ed, ok := r.variable(e.X); ok && e.Name != nil {
			return r.property(e, n, ed, e.Name.Name)
		}
		if id, ok := e.X.(*ast.Ident); ok && !id.Quoted && r.sc.lookup(id.Name) == nil {
			return r.errorf(id, "unknown-graph-variable", "unknown graph variable %s; the pattern names %s", id.Name, strings.Join(r.varNames(), ", "))
		}
		e.X = r.rewrite(e.X)
		return e
	case *ast.Index:
		if n, ed, ok := r.variable(e.X); ok {
			if l, ok := e.Index.(*ast.Literal); ok {
				if s, ok := l.Value.(string); ok {
					return r.property(e, n, ed, s)
				}
			}
		}
		e.X = r.rewrite(e.X)
		e.Index = r.rewrite(e.Index)
		return e
	case *ast.Call:
		if out, ok := r.graphCall(e); ok {
			return out
		}
		for i, a := range e.Args {
			e.Args[i] = r.rewrite(a)
		}
		return e
	case *ast.Binary:
		e.L = r.rewrite(e.L)
		e.R = r.rewrite(e.R)
		return e
	case *ast.Unary:
		e.X = r.rewrite(e.X)
		return e
	case *ast.InList:
		e.X = r.rewrite(e.X)
		for i, a := range e.List {
			e.List[i] = r.rewrite(a)
		}
		return e
	case *ast.Between:
		e.X = r.rewrite(e.X)
		e.Lo = r.rewrite(e.Lo)
		e.Hi = r.rewrite(e.Hi)
		return e
	case *ast.NamedArg:
		e.Value = r.rewrite(e.Value)
		return e
	case *ast.Paren:
		e.X = r.rewrite(e.X)
		return e
	case *ast.Tuple:
		for i, a := range e.Items {
			e.Items[i] = r.rewrite(a)
		}
		return e
	}
	return x
}

func (r *graphRewriter) property(at ast.Expr, node, edge int, prop string) ast.Expr {
	g := r.info.Graph
	if node >= 0 {
		v := r.info.NodeVars[node]
		i := g.Nodes.Index(prop)
		if i < 0 {
			return r.errorf(at, "unknown-property", "node %s has no property %s%s", v, prop, propList(g.Nodes))
		}
		return r.col(at, GraphCol{Name: v + "." + prop, Type: g.Nodes.Columns[i].Type, Kind: ColNodeProp, Node: node, Edge: -1, Prop: prop})
	}
	ev := r.info.Edges[edge]
	i := g.Edges.Index(prop)
	k := types.Dynamic
	if i >= 0 {
		k = g.Edges.Columns[i].Type
	} else if !g.Edges.Open {
		return r.errorf(at, "unknown-property", "edge %s has no property %s%s", ev.Name, prop, propList(g.Edges))
	}
	if ev.VarLen {
		k = types.Dynamic
	}
	return r.col(at, GraphCol{Name: ev.Name + "." + prop, Type: k, Kind: ColEdgeProp, Node: -1, Edge: edge, Prop: prop})
}

func propList(s *types.Schema) string {
	if len(s.Columns) == 0 {
		return " (its nodes have no properties: give make-graph a node table or with_node_id=)"
	}
	return " (properties: " + strings.Join(s.Names(), ", ") + ")"
}

// graphCall rewrites the graph functions; ok is false for other calls.
func (r *graphRewriter) graphCall(e *ast.Call) (ast.Expr, bool) {
	if e.Name == nil || e.Recv != nil {
		return nil, false
	}
	name := strings.ToLower(e.Name.Name)
	switch name {
	case "node_id", "node_degree_in", "node_degree_out":
		if len(e.Args) != 1 {
			return r.errorf(e, "bad-args", "%s() takes a node variable: %s(n)", name, name), true
		}
		n, _, ok := r.variable(e.Args[0])
		if !ok || n < 0 {
			return r.errorf(e.Args[0], "bad-args", "%s() takes a node variable of the pattern", name), true
		}
		v := r.info.NodeVars[n]
		switch name {
		case "node_id":
			return r.col(e, GraphCol{Name: "node_id(" + v + ")", Type: r.info.Graph.IDType, Kind: ColNodeID, Node: n, Edge: -1}), true
		case "node_degree_in":
			return r.col(e, GraphCol{Name: "node_degree_in(" + v + ")", Type: types.Long, Kind: ColDegreeIn, Node: n, Edge: -1}), true
		}
		return r.col(e, GraphCol{Name: "node_degree_out(" + v + ")", Type: types.Long, Kind: ColDegreeOut, Node: n, Edge: -1}), true
	case "inner_nodes":
		return r.errorf(e, "bad-args", "inner_nodes() is used inside map(), all() or any(): map(inner_nodes(e), expr)"), true
	case "map", "all", "any":
	default:
		return nil, false
	}
	if len(e.Args) != 2 {
		if len(e.Args) >= 1 {
			if _, _, ok := r.variable(e.Args[0]); ok {
				return r.errorf(e, "bad-args", "%s() takes an edge variable and an expression: %s(e, expr)", name, name), true
			}
		}
		return nil, false
	}
	typ := types.Bool
	if name == "map" {
		typ = types.Dynamic
	}
	if call, ok := e.Args[0].(*ast.Call); ok && call.Name != nil && strings.EqualFold(call.Name.Name, "inner_nodes") {
		if len(call.Args) != 1 {
			return r.errorf(call, "bad-args", "inner_nodes() takes an edge variable: inner_nodes(e)"), true
		}
		_, ed, ok := r.variable(call.Args[0])
		if !ok || ed < 0 {
			return r.errorf(call.Args[0], "bad-args", "inner_nodes() takes a variable length edge of the pattern"), true
		}
		inner := rewriteNodeID(e.Args[1])
		row := &types.Schema{Columns: append(append([]types.Column(nil), r.info.Graph.Nodes.Columns...), types.Column{Name: NodeIDColumn, Type: r.info.Graph.IDType})}
		k := r.c.Scalar(inner, row, r.sc)
		if name != "map" && k != types.Bool && k != types.Unknown && k != types.Dynamic && k != types.Null {
			return r.errorf(e.Args[1], "not-bool", "%s() needs a bool predicate, got %s", name, k), true
		}
		cname := name + "(inner_nodes(" + r.info.Edges[ed].Name + "), #" + itoa(len(r.info.Cols)) + ")"
		return r.col(e, GraphCol{Name: cname, Type: typ, Kind: ColInnerAgg, Node: -1, Edge: ed, Agg: name, Inner: inner}), true
	}
	_, ed, ok := r.variable(e.Args[0])
	if !ok {
		if name == "map" {
			return r.errorf(e.Args[0], "bad-args", "map() takes an edge variable of the pattern or inner_nodes(e)"), true
		}
		return nil, false // all/any of something else: let the checker report it
	}
	if ed < 0 {
		return r.errorf(e.Args[0], "bad-args", "%s() takes an edge variable, not the node %s", name, r.info.NodeVars[mustNode(r, e.Args[0])]), true
	}
	inner := e.Args[1]
	k := r.c.Scalar(inner, r.info.Graph.Edges, r.sc)
	if name != "map" && k != types.Bool && k != types.Unknown && k != types.Dynamic && k != types.Null {
		return r.errorf(inner, "not-bool", "%s() needs a bool predicate, got %s", name, k), true
	}
	cname := name + "(" + r.info.Edges[ed].Name + ", #" + itoa(len(r.info.Cols)) + ")"
	return r.col(e, GraphCol{Name: cname, Type: typ, Kind: ColEdgeAgg, Node: -1, Edge: ed, Agg: name, Inner: inner}), true
}

func mustNode(r *graphRewriter, x ast.Expr) int {
	n, _, _ := r.variable(x)
	if n < 0 {
		return 0
	}
	return n
}

// rewriteNodeID replaces node_id() (no argument) in an inner_nodes
// expression by the node id column.
func rewriteNodeID(x ast.Expr) ast.Expr {
	if c, ok := x.(*ast.Call); ok && c.Name != nil && strings.EqualFold(c.Name.Name, "node_id") && len(c.Args) == 0 {
		return &ast.Ident{Pos: c.Pos, Name: NodeIDColumn, Quoted: true}
	}
	ast.Inspect(x, func(p any) bool {
		switch e := p.(type) {
		case *ast.Call:
			for i, a := range e.Args {
				e.Args[i] = rewriteNodeID(a)
			}
		case *ast.Binary:
			e.L, e.R = rewriteNodeID(e.L), rewriteNodeID(e.R)
		case *ast.Unary:
			e.X = rewriteNodeID(e.X)
		case *ast.Paren:
			e.X = rewriteNodeID(e.X)
		case *ast.Member:
			e.X = rewriteNodeID(e.X)
		case *ast.Index:
			e.X = rewriteNodeID(e.X)
		case *ast.InList:
			e.X = rewriteNodeID(e.X)
		}
		return true
	})
	return x
}

// GraphTableInfo is the Out().Ref of graph-to-table.
type GraphTableInfo struct {
	Graph *GraphSchema
	Part  *ast.GraphTablePart
}

func checkGraphToTable(c *Checker, o ast.Op, in *types.Schema, sc *Scope) *types.Schema {
	op := o.(*ast.GraphToTable)
	g := GraphOf(in)
	if g == nil {
		if !in.Open || len(in.Columns) > 0 {
			c.Errorf(op, "not-graph", "graph-to-table needs a graph as its input: put make-graph before it")
		}
		return &types.Schema{Open: true}
	}
	if len(op.Parts) != 1 {
		c.Errorf(op, "unsupported-operator", "graph-to-table with both nodes and edges (two result tables) is not supported yet; export nodes and edges in two queries")
		return &types.Schema{Open: true}
	}
	part := op.Parts[0]
	op.Out().Ref = &GraphTableInfo{Graph: g, Part: part}
	out := &types.Schema{}
	for _, id := range []*ast.Ident{part.NodeID, part.SourceID, part.TargetID} {
		if id != nil {
			out.Columns = append(out.Columns, types.Column{Name: id.Name, Type: types.Long})
		}
	}
	src := g.Nodes
	if part.Edges {
		src = g.Edges
	}
	for _, col := range src.Columns {
		if out.Index(col.Name) >= 0 {
			c.Errorf(op, "duplicate-column", "graph-to-table: column %s is produced twice", col.Name)
			continue
		}
		out.Columns = append(out.Columns, col)
	}
	out.Open = src.Open
	return out
}
