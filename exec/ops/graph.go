package ops

import (
	"context"
	"errors"
	"fmt"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/kqlhunt/kqlhunt/exec/expr"
	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/lang"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Graphs (make-graph and the operators that read a graph). A GraphSource
// is the operator make-graph builds: it is not a table (Next fails) but
// the graph operator after it asks it for the Graph, built once from the
// edge rows (its input) and the node tables.

// GraphNodeTable is one `T on Key` node table of make-graph, materialized.
type GraphNodeTable struct {
	Schema *arrow.Schema
	Recs   []arrow.Record
	Key    string
}

// GraphSpec tells how to build a graph.
type GraphSpec struct {
	// NodeSchema is the node properties followed by the node id column
	// (the last field).
	NodeSchema *arrow.Schema
	IDKind     types.Kind
	Src, Dst   int // edge columns holding the source and target node ids
	Tables     []GraphNodeTable
	// KeyNames are the node columns that take the node id for nodes that
	// only appear in edges (the tables' keys, with_node_id).
	KeyNames []string
	// PartitionBy (partitioned-by): the input rows are one partition; the
	// node tables' rows of other partitions are left out.
	PartitionBy string
	// Span is the make-graph operator's, for the error of reading the
	// graph as a table.
	Span lang.Span
}

// Graph is a built graph. Nodes holds one row per node (NodeSchema);
// Edges one row per edge (make-graph's input rows). Src and Dst give each
// edge's node indexes (-1 for a null id: the edge is left out).
type Graph struct {
	Nodes, Edges arrow.Record
	Src, Dst     []int32
	Out, In      [][]int32 // edge indexes by source / target node
}

// Release releases the graph's records.
func (g *Graph) Release() {
	if g == nil {
		return
	}
	if g.Nodes != nil {
		g.Nodes.Release()
	}
	if g.Edges != nil {
		g.Edges.Release()
	}
}

// GraphSource is the operator make-graph builds.
type GraphSource struct {
	in    Operator
	spec  *GraphSpec
	mem   memory.Allocator
	graph *Graph
}

// NewGraphSource returns the graph of the edge rows of in. It retains the
// node tables' records.
func NewGraphSource(in Operator, spec *GraphSpec, mem memory.Allocator) *GraphSource {
	for _, t := range spec.Tables {
		for _, r := range t.Recs {
			r.Retain()
		}
	}
	return &GraphSource{in: in, spec: spec, mem: mem}
}

// ErrGraphNotTable is what reading a graph as a table gives.
var ErrGraphNotTable = errors.New("make-graph returns a graph, not a table: follow it with graph-match, graph-shortest-paths or graph-to-table")

// Schema implements Operator (the edge columns).
func (s *GraphSource) Schema() *arrow.Schema { return s.in.Schema() }

// Next implements Operator: a graph cannot be read as rows.
func (s *GraphSource) Next(ctx context.Context) (arrow.Record, error) {
	return nil, &expr.Error{Span: s.spec.Span, Msg: ErrGraphNotTable.Error()}
}

// Close implements Operator.
func (s *GraphSource) Close() {
	if s.in != nil {
		s.in.Close()
		s.in = nil
	}
	for _, t := range s.spec.Tables {
		releaseAll(t.Recs)
	}
	s.spec = &GraphSpec{}
	s.graph.Release()
	s.graph = nil
}

// Graph builds (once) and returns the graph. It stays owned by s.
func (s *GraphSource) Graph(ctx context.Context) (*Graph, error) {
	if s.graph != nil {
		return s.graph, nil
	}
	var g *Graph
	err := guard(func() error {
		var err error
		g, err = s.build(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.graph = g
	return g, nil
}

func idKey(a arrow.Array, i int) (string, bool) {
	if a.IsNull(i) {
		return "", false
	}
	if s, ok := a.(*array.String); ok {
		return s.Value(i), true
	}
	return a.ValueStr(i), true
}

func (s *GraphSource) build(ctx context.Context) (*Graph, error) {
	mem := s.mem
	recs, _, err := drainAll(ctx, s.in)
	if err != nil {
		return nil, err
	}
	edges, err := concatRecords(mem, s.in.Schema(), recs)
	releaseAll(recs)
	if err != nil {
		return nil, err
	}
	g := &Graph{Edges: edges}
	ne := int(edges.NumRows())
	// partitioned-by: the node tables' rows of this partition only
	part, inPart := "", false
	if s.spec.PartitionBy != "" && ne > 0 {
		if ix := edges.Schema().FieldIndices(s.spec.PartitionBy); len(ix) > 0 {
			part, inPart = idKey(edges.Column(ix[0]), 0)
			inPart = true
		}
	}
	ids := map[string]int32{}
	nn := int32(0)
	// node table rows first, in order; a key seen again (in the same or
	// another table) is the same node, its first row per table counts
	type tableRows struct {
		rec   arrow.Record
		key   int
		rowOf map[int32]int32 // node → row
	}
	var trs []tableRows
	defer func() {
		for _, t := range trs {
			t.rec.Release()
		}
	}()
	for _, t := range s.spec.Tables {
		rec, err := concatRecords(mem, t.Schema, t.Recs)
		if err != nil {
			return nil, err
		}
		tr := tableRows{rec: rec, key: t.Schema.FieldIndices(t.Key)[0], rowOf: map[int32]int32{}}
		trs = append(trs, tr)
		kc := rec.Column(tr.key)
		var pc arrow.Array
		if inPart {
			if ix := t.Schema.FieldIndices(s.spec.PartitionBy); len(ix) > 0 {
				pc = rec.Column(ix[0])
			}
		}
		for r := 0; r < int(rec.NumRows()); r++ {
			k, ok := idKey(kc, r)
			if !ok {
				continue
			}
			if pc != nil {
				if v, ok := idKey(pc, r); !ok || v != part {
					continue
				}
			}
			n, seen := ids[k]
			if !seen {
				n = nn
				ids[k] = nn
				nn++
			}
			if _, dup := tr.rowOf[n]; !dup {
				tr.rowOf[n] = int32(r)
			}
		}
	}
	tabled := nn
	// then the ids only edges name, in order of appearance
	srcCol, dstCol := edges.Column(s.spec.Src), edges.Column(s.spec.Dst)
	both, err := array.Concatenate([]arrow.Array{srcCol, dstCol}, mem)
	if err != nil {
		return nil, err
	}
	defer both.Release()
	var implicit []int32 // rows of both
	g.Src, g.Dst = make([]int32, ne), make([]int32, ne)
	node := func(a arrow.Array, r, at int) int32 {
		k, ok := idKey(a, r)
		if !ok {
			return -1
		}
		if n, ok := ids[k]; ok {
			return n
		}
		ids[k] = nn
		nn++
		implicit = append(implicit, int32(at))
		return nn - 1
	}
	for r := 0; r < ne; r++ {
		g.Src[r] = node(srcCol, r, r)
		g.Dst[r] = node(dstCol, r, ne+r)
	}
	g.Out, g.In = make([][]int32, nn), make([][]int32, nn)
	for r := 0; r < ne; r++ {
		if g.Src[r] < 0 || g.Dst[r] < 0 {
			continue
		}
		g.Out[g.Src[r]] = append(g.Out[g.Src[r]], int32(r))
		g.In[g.Dst[r]] = append(g.In[g.Dst[r]], int32(r))
	}
	// the node record: each column gathers, per node, the value of the
	// first table that has the column and a row for the node; nodes only
	// edges name get their id in the key columns
	ns := s.spec.NodeSchema
	cols := make([]arrow.Array, ns.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	isKey := map[string]bool{}
	for _, k := range s.spec.KeyNames {
		isKey[k] = true
	}
	last := ns.NumFields() - 1
	for c, f := range ns.Fields() {
		k := kernels.KindOf(f)
		var parts []arrow.Array
		base := 0
		idx := make([]int32, nn)
		for i := range idx {
			idx[i] = -1
		}
		for _, tr := range trs {
			src := -1
			if c == last {
				src = tr.key
			} else if ix := tr.rec.Schema().FieldIndices(f.Name); len(ix) > 0 {
				src = ix[0]
			}
			if src < 0 {
				continue
			}
			conf, err := ConformArray(mem, tr.rec.Column(src), kernels.KindOf(tr.rec.Schema().Field(src)), k)
			if err != nil {
				releaseAll2(parts)
				return nil, err
			}
			parts = append(parts, conf)
			for n, r := range tr.rowOf {
				if idx[n] < 0 {
					idx[n] = int32(base) + r
				}
			}
			base += conf.Len()
		}
		if c == last || isKey[f.Name] {
			conf, err := ConformArray(mem, both, s.spec.IDKind, k)
			if err != nil {
				releaseAll2(parts)
				return nil, err
			}
			parts = append(parts, conf)
			for i, at := range implicit {
				idx[int(tabled)+i] = int32(base) + at
			}
		}
		if len(parts) == 0 {
			cols[c] = NullArray(mem, k, int(nn))
			continue
		}
		all := parts[0]
		if len(parts) > 1 {
			all, err = array.Concatenate(parts, mem)
			releaseAll2(parts)
			if err != nil {
				return nil, err
			}
		}
		cols[c] = takeArray(mem, all, idx)
		all.Release()
	}
	g.Nodes = array.NewRecord(ns, cols, int64(nn))
	return g, nil
}

func releaseAll2(as []arrow.Array) {
	for _, a := range as {
		if a != nil {
			a.Release()
		}
	}
}

// ---------------------------------------------------------------------------
// graph-to-table

// GraphToTable exports the nodes or the edges of a graph.
type GraphToTable struct {
	src    *GraphSource
	schema *arrow.Schema
	edges  bool
	ids    []string // names of the id columns at the front (node id / source, target)
	done   bool
	mem    memory.Allocator
}

// NewGraphToTable returns the nodes (or edges) of src as a table with
// schema: the id columns named in ids ("" for absent ones: [node] or
// [source, target]) followed by the properties.
func NewGraphToTable(src *GraphSource, edges bool, ids []string, schema *arrow.Schema, mem memory.Allocator) *GraphToTable {
	return &GraphToTable{src: src, schema: schema, edges: edges, ids: ids, mem: mem}
}

// Schema implements Operator.
func (t *GraphToTable) Schema() *arrow.Schema { return t.schema }

// Close implements Operator.
func (t *GraphToTable) Close() { t.src.Close() }

// NodeHash is the long id graph-to-table gives a node: a 64-bit FNV-1a
// hash of the node id's text (Kusto's hash values are not documented).
func NodeHash(id string) int64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	return int64(h)
}

// Next implements Operator.
func (t *GraphToTable) Next(ctx context.Context) (arrow.Record, error) {
	if t.done {
		return nil, nil
	}
	t.done = true
	g, err := t.src.Graph(ctx)
	if err != nil {
		return nil, err
	}
	var rec arrow.Record
	err = guard(func() error {
		rec = t.table(g)
		return nil
	})
	return rec, err
}

func (t *GraphToTable) table(g *Graph) arrow.Record {
	idCol := g.Nodes.Column(int(g.Nodes.NumCols()) - 1)
	hashes := func(nodes []int32) arrow.Array {
		b := array.NewInt64Builder(t.mem)
		defer b.Release()
		for _, n := range nodes {
			if n < 0 {
				b.AppendNull()
				continue
			}
			k, _ := idKey(idCol, int(n))
			b.Append(NodeHash(k))
		}
		return b.NewArray()
	}
	var cols []arrow.Array
	var n int
	if !t.edges {
		n = int(g.Nodes.NumRows())
		if t.ids[0] != "" {
			all := make([]int32, n)
			for i := range all {
				all[i] = int32(i)
			}
			cols = append(cols, hashes(all))
		}
		for c := 0; c < int(g.Nodes.NumCols())-1; c++ {
			cols = append(cols, g.Nodes.Column(c))
			g.Nodes.Column(c).Retain()
		}
	} else {
		n = int(g.Edges.NumRows())
		if t.ids[0] != "" {
			cols = append(cols, hashes(g.Src))
		}
		if t.ids[1] != "" {
			cols = append(cols, hashes(g.Dst))
		}
		for c := 0; c < int(g.Edges.NumCols()); c++ {
			cols = append(cols, g.Edges.Column(c))
			g.Edges.Column(c).Retain()
		}
	}
	for i, f := range t.schema.Fields() {
		if i < len(cols) && !arrow.TypeEqual(cols[i].DataType(), f.Type) {
			conf, err := ConformArray(t.mem, cols[i], kernels.KindOfArrow(cols[i].DataType()), kernels.KindOf(f))
			cols[i].Release()
			if err != nil {
				conf = NullArray(t.mem, kernels.KindOf(f), n)
			}
			cols[i] = conf
		}
	}
	return newRecord(t.schema, cols, n)
}

// ---------------------------------------------------------------------------
// graph-match and graph-shortest-paths

// Column kinds of a match's virtual row (lang/check GraphColKind).
const (
	GColNodeProp = iota
	GColNodeID
	GColDegreeIn
	GColDegreeOut
	GColEdgeProp
	GColEdgeAgg
	GColInnerAgg
)

// Cycle modes.
const (
	CyclesUniqueEdges = iota
	CyclesNone
	CyclesAll
)

// MatchEdge is one edge element of a pattern.
type MatchEdge struct {
	Dir         int // 1: left to right, -1: right to left, 0: any direction
	Min, Max    int
	VarLen      bool
	Left, Right int // node variables
}

// GraphColSpec computes one column of the virtual row of a match.
type GraphColSpec struct {
	Kind  int
	Node  int // node variable
	Edge  int // edge element
	Prop  int // column index in the node or edge record
	Agg   string
	Inner ValueEval // GColEdgeAgg: over the edge record; GColInnerAgg: over the node record
	Field arrow.Field
}

// MatchFilter is a where conjunct applied early: over the nodes of one
// node variable (Var a node variable), or the edges of one edge element.
// Schema holds the virtual columns it reads (Cols, indexes into
// MatchSpec.Cols).
type MatchFilter struct {
	Var    int
	Cols   []int
	Schema *arrow.Schema
	Eval   ValueEval
}

// MatchSpec is a checked graph-match / graph-shortest-paths.
type MatchSpec struct {
	NodeVars    int
	Edges       []MatchEdge
	Cols        []GraphColSpec
	Virtual     *arrow.Schema // every column of Cols
	NodeFilters []MatchFilter
	EdgeFilters []MatchFilter // fixed edges, over the virtual columns
	AllFilters  []MatchFilter // all(e, pred): Eval over the edge record
	Residual    []ValueEval   // over Virtual
	Project     []ValueEval   // over Virtual
	Cycles      int
	Shortest    bool
	OutputAll   bool
	// First and Last are the node variables a shortest path runs between.
	First, Last int
	// PathResidual: a residual conjunct reads the path (not only its ends),
	// so shortest paths cannot be found by breadth-first search.
	PathResidual bool
}

// GraphMatch is the graph-match / graph-shortest-paths operator.
type GraphMatch struct {
	src    *GraphSource
	spec   *MatchSpec
	schema *arrow.Schema
	kctx   *kernels.Ctx
	out    []arrow.Record
	pos    int
	done   bool
}

// NewGraphMatch returns the matches of spec in src's graph, projected to schema.
func NewGraphMatch(src *GraphSource, spec *MatchSpec, schema *arrow.Schema, kctx *kernels.Ctx) *GraphMatch {
	return &GraphMatch{src: src, spec: spec, schema: schema, kctx: kctx}
}

// Schema implements Operator.
func (m *GraphMatch) Schema() *arrow.Schema { return m.schema }

// Close implements Operator.
func (m *GraphMatch) Close() {
	releaseAll(m.out[m.pos:])
	m.out = nil
	m.src.Close()
}

// Next implements Operator.
func (m *GraphMatch) Next(ctx context.Context) (arrow.Record, error) {
	if !m.done {
		m.done = true
		g, err := m.src.Graph(ctx)
		if err != nil {
			return nil, err
		}
		kctx := *m.kctx
		kctx.Context = ctx
		mt := &matcher{g: g, s: m.spec, kctx: &kctx, mem: kctx.Mem, ctx: ctx}
		defer mt.release()
		err = guard(func() error { return mt.run(m.schema, &m.out) })
		if err != nil {
			var pe *PanicError
			if errors.As(err, &pe) && mt.matches.n > 0 {
				return nil, fmt.Errorf("%s: %d matches found so far (the pattern matches too much): %w", m.opName(), mt.count, err)
			}
			return nil, err
		}
	}
	if m.pos >= len(m.out) {
		return nil, nil
	}
	r := m.out[m.pos]
	m.out[m.pos] = nil
	m.pos++
	return r, nil
}

func (m *GraphMatch) opName() string {
	if m.spec.Shortest {
		return "graph-shortest-paths"
	}
	return "graph-match"
}

// i32s is a growable int32 buffer in budgeted memory.
type i32s struct {
	mem memory.Allocator
	buf []byte
	v   []int32
	n   int
}

func (s *i32s) push(x int32) {
	if s.n == len(s.v) {
		size := max(1024, 2*len(s.buf))
		if s.buf == nil {
			s.buf = s.mem.Allocate(size)
		} else {
			s.buf = s.mem.Reallocate(size, s.buf)
		}
		s.v = unsafe.Slice((*int32)(unsafe.Pointer(&s.buf[0])), len(s.buf)/4)
	}
	s.v[s.n] = x
	s.n++
}

func (s *i32s) free() {
	if s.buf != nil {
		s.mem.Free(s.buf)
		s.buf, s.v, s.n = nil, nil, 0
	}
}

type matchStep struct {
	elem     int
	fromLeft bool
}

type matcher struct {
	g    *Graph
	s    *MatchSpec
	kctx *kernels.Ctx
	mem  memory.Allocator
	ctx  context.Context

	nodeOK   [][]bool
	edgeOK   [][]bool
	start    int
	steps    []matchStep
	bind     []int32
	bound    []bool
	pathE    [][]int32 // per element: edges in traversal order
	pathN    [][]int32 // per element: nodes in traversal order
	usedEdge []int32
	usedNode []int32

	matches i32s // per match: node binds, then per element: L, L edges, L+1 nodes (pattern order)
	offsets i32s
	count   int

	aggVals map[int]arrow.Array // pre-evaluated inner expressions by column
}

func (m *matcher) release() {
	m.matches.free()
	m.offsets.free()
	for _, a := range m.aggVals {
		a.Release()
	}
}

// boolMask evaluates e over rec as a mask (null is false).
func (m *matcher) boolMask(e ValueEval, rec arrow.Record) ([]bool, error) {
	n := int(rec.NumRows())
	d, err := e.Eval(m.kctx, rec)
	if err != nil {
		return nil, err
	}
	arr, err := DatumArray(m.mem, d, n, types.Bool)
	d.Release()
	if err != nil {
		return nil, err
	}
	defer arr.Release()
	out := make([]bool, n)
	if b, ok := arr.(*array.Boolean); ok {
		for i := range out {
			out[i] = b.IsValid(i) && b.Value(i)
		}
	}
	return out, nil
}

func and(dst, m []bool) []bool {
	if dst == nil {
		return m
	}
	for i := range dst {
		dst[i] = dst[i] && m[i]
	}
	return dst
}

// access gives the bindings of the rows of a virtual record.
type access interface {
	node(row, v int) int32
	path(row, e int) (edges, nodes []int32)
}

type nodeAccess struct{}

func (nodeAccess) node(row, v int) int32                  { return int32(row) }
func (nodeAccess) path(row, e int) (edges, nodes []int32) { return nil, nil }

type edgeAccess struct{ g *Graph }

func (a edgeAccess) node(row, v int) int32 { return -1 }
func (a edgeAccess) path(row, e int) (edges, nodes []int32) {
	return []int32{int32(row)}, []int32{a.g.Src[row], a.g.Dst[row]}
}

// matchAccess reads matches [rows] of the store.
type matchAccess struct {
	m    *matcher
	rows []int32
}

func (a matchAccess) node(row, v int) int32 {
	return a.m.matches.v[a.m.offsets.v[a.rows[row]]+int32(v)]
}

func (a matchAccess) path(row, e int) (edges, nodes []int32) {
	p := int(a.m.offsets.v[a.rows[row]]) + a.m.s.NodeVars
	for i := 0; ; i++ {
		l := int(a.m.matches.v[p])
		if i == e {
			return a.m.matches.v[p+1 : p+1+l], a.m.matches.v[p+1+l : p+2+2*l]
		}
		p += 2 + 2*l
	}
}

// virtual builds the record of the columns cols (indexes into spec.Cols)
// for n rows read through acc.
func (m *matcher) virtual(schema *arrow.Schema, cols []int, acc access, n int) (arrow.Record, error) {
	arrs := make([]arrow.Array, 0, len(cols))
	fail := func(err error) (arrow.Record, error) {
		releaseAll2(arrs)
		return nil, err
	}
	idx := make([]int32, n)
	for _, ci := range cols {
		c := m.s.Cols[ci]
		switch c.Kind {
		case GColNodeProp, GColNodeID:
			for r := range idx {
				idx[r] = acc.node(r, c.Node)
			}
			arrs = append(arrs, takeArray(m.mem, m.g.Nodes.Column(c.Prop), idx))
		case GColDegreeIn, GColDegreeOut:
			b := array.NewInt64Builder(m.mem)
			for r := 0; r < n; r++ {
				v := acc.node(r, c.Node)
				if c.Kind == GColDegreeIn {
					b.Append(int64(len(m.g.In[v])))
				} else {
					b.Append(int64(len(m.g.Out[v])))
				}
			}
			arrs = append(arrs, b.NewArray())
			b.Release()
		case GColEdgeProp:
			col := m.g.Edges.Column(c.Prop)
			if !m.s.Edges[c.Edge].VarLen {
				for r := range idx {
					es, _ := acc.path(r, c.Edge)
					idx[r] = es[0]
				}
				arrs = append(arrs, takeArray(m.mem, col, idx))
				continue
			}
			k := kernels.KindOf(m.g.Edges.Schema().Field(c.Prop))
			arrs = append(arrs, m.jsonArrays(n, func(r int) []int32 { es, _ := acc.path(r, c.Edge); return es }, col, k, "map"))
		case GColEdgeAgg, GColInnerAgg:
			vals, err := m.aggInput(ci)
			if err != nil {
				return fail(err)
			}
			k := kernels.KindOfArrow(vals.DataType())
			if c.Kind == GColEdgeAgg {
				arrs = append(arrs, m.jsonArrays(n, func(r int) []int32 { es, _ := acc.path(r, c.Edge); return es }, vals, k, c.Agg))
			} else {
				arrs = append(arrs, m.jsonArrays(n, func(r int) []int32 {
					_, ns := acc.path(r, c.Edge)
					if len(ns) < 2 {
						return nil
					}
					return ns[1 : len(ns)-1]
				}, vals, k, c.Agg))
			}
		}
	}
	return newRecord(schema, arrs, n), nil
}

// aggInput evaluates (once) the inner expression of a map/all/any column.
func (m *matcher) aggInput(ci int) (arrow.Array, error) {
	if a, ok := m.aggVals[ci]; ok {
		return a, nil
	}
	c := m.s.Cols[ci]
	rec := m.g.Edges
	if c.Kind == GColInnerAgg {
		rec = m.g.Nodes
	}
	d, err := c.Inner.Eval(m.kctx, rec)
	if err != nil {
		return nil, err
	}
	a, err := DatumArray(m.mem, d, int(rec.NumRows()), types.Unknown)
	d.Release()
	if err != nil {
		return nil, err
	}
	if m.aggVals == nil {
		m.aggVals = map[int]arrow.Array{}
	}
	m.aggVals[ci] = a
	return a, nil
}

// jsonArrays builds, per row, map (a dynamic array of vals at the row's
// indexes), all or any (bool) of vals.
func (m *matcher) jsonArrays(n int, at func(r int) []int32, vals arrow.Array, k types.Kind, agg string) arrow.Array {
	if agg == "all" || agg == "any" {
		b := array.NewBooleanBuilder(m.mem)
		defer b.Release()
		bv, _ := vals.(*array.Boolean)
		for r := 0; r < n; r++ {
			res := agg == "all"
			for _, i := range at(r) {
				t := bv != nil && bv.IsValid(int(i)) && bv.Value(int(i))
				if agg == "all" && !t {
					res = false
					break
				}
				if agg == "any" && t {
					res = true
					break
				}
			}
			b.Append(res)
		}
		return b.NewArray()
	}
	b := array.NewStringBuilder(m.mem)
	defer b.Release()
	var buf []byte
	for r := 0; r < n; r++ {
		idx := at(r)
		items := make([]any, len(idx))
		for j, i := range idx {
			items[j] = dynValueAt(vals, int(i), k)
		}
		buf = types.AppendDynamic(buf[:0], items)
		b.BinaryBuilder.Append(buf)
	}
	return b.NewArray()
}

// prepare computes the node and edge filters and the search order.
func (m *matcher) prepare() error {
	s := m.s
	nn := int(m.g.Nodes.NumRows())
	ne := int(m.g.Edges.NumRows())
	m.nodeOK = make([][]bool, s.NodeVars)
	m.edgeOK = make([][]bool, len(s.Edges))
	for _, f := range s.NodeFilters {
		rec, err := m.virtual(f.Schema, f.Cols, nodeAccess{}, nn)
		if err != nil {
			return err
		}
		mask, err := m.boolMask(f.Eval, rec)
		rec.Release()
		if err != nil {
			return err
		}
		m.nodeOK[f.Var] = and(m.nodeOK[f.Var], mask)
	}
	for _, f := range s.EdgeFilters {
		rec, err := m.virtual(f.Schema, f.Cols, edgeAccess{m.g}, ne)
		if err != nil {
			return err
		}
		mask, err := m.boolMask(f.Eval, rec)
		rec.Release()
		if err != nil {
			return err
		}
		m.edgeOK[f.Var] = and(m.edgeOK[f.Var], mask)
	}
	for _, f := range s.AllFilters {
		mask, err := m.boolMask(f.Eval, m.g.Edges)
		if err != nil {
			return err
		}
		m.edgeOK[f.Var] = and(m.edgeOK[f.Var], mask)
	}
	// start from the most selective node variable
	best := -1
	m.start = 0
	for v := 0; v < s.NodeVars; v++ {
		c := nn
		if m.nodeOK[v] != nil {
			c = 0
			for _, ok := range m.nodeOK[v] {
				if ok {
					c++
				}
			}
		}
		if best < 0 || c < best {
			best, m.start = c, v
		}
	}
	if s.Shortest {
		m.start = s.First
	}
	bound := make([]bool, s.NodeVars)
	bound[m.start] = true
	done := make([]bool, len(s.Edges))
	for len(m.steps) < len(s.Edges) {
		progress := false
		for i, e := range s.Edges {
			if done[i] || !bound[e.Left] && !bound[e.Right] {
				continue
			}
			done[i] = true
			progress = true
			m.steps = append(m.steps, matchStep{elem: i, fromLeft: bound[e.Left]})
			bound[e.Left], bound[e.Right] = true, true
		}
		if !progress {
			return fmt.Errorf("the pattern is not connected")
		}
	}
	m.bind = make([]int32, s.NodeVars)
	m.bound = make([]bool, s.NodeVars)
	m.pathE = make([][]int32, len(s.Edges))
	m.pathN = make([][]int32, len(s.Edges))
	if s.Cycles == CyclesUniqueEdges || s.Cycles == CyclesNone {
		m.usedEdge = make([]int32, ne)
	}
	if s.Cycles == CyclesNone {
		m.usedNode = make([]int32, nn)
	}
	m.matches.mem, m.offsets.mem = m.mem, m.mem
	return nil
}

func (m *matcher) bindNode(v int, n int32, cont func() error) error {
	if m.bound[v] {
		if m.bind[v] != n {
			return nil
		}
		return cont()
	}
	if ok := m.nodeOK[v]; ok != nil && !ok[n] {
		return nil
	}
	if m.usedNode != nil {
		if m.usedNode[n] > 0 {
			return nil
		}
		m.usedNode[n]++
		defer func() { m.usedNode[n]-- }()
	}
	m.bound[v], m.bind[v] = true, n
	err := cont()
	m.bound[v] = false
	return err
}

// neighbors calls f for each edge of node n usable by element e expanded
// from its left (or right) node, with the node at its other end.
func (m *matcher) neighbors(n int32, e int, fromLeft bool, f func(edge, next int32) error) error {
	dir := m.s.Edges[e].Dir
	if !fromLeft {
		dir = -dir
	}
	ok := m.edgeOK[e]
	if dir >= 0 {
		for _, x := range m.g.Out[n] {
			if ok != nil && !ok[x] {
				continue
			}
			if err := f(x, m.g.Dst[x]); err != nil {
				return err
			}
		}
	}
	if dir <= 0 {
		for _, x := range m.g.In[n] {
			if ok != nil && !ok[x] {
				continue
			}
			if dir == 0 && m.g.Src[x] == m.g.Dst[x] {
				continue // a self loop was already given as an out edge
			}
			if err := f(x, m.g.Src[x]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *matcher) useEdge(x int32) bool {
	if m.usedEdge == nil {
		return true
	}
	if m.usedEdge[x] > 0 {
		return false
	}
	m.usedEdge[x]++
	return true
}

func (m *matcher) unuseEdge(x int32) {
	if m.usedEdge != nil {
		m.usedEdge[x]--
	}
}

func (m *matcher) step(i int) error {
	if i == len(m.steps) {
		return m.emit()
	}
	st := m.steps[i]
	e := m.s.Edges[st.elem]
	from, to := e.Left, e.Right
	if !st.fromLeft {
		from, to = to, from
	}
	cur := m.bind[from]
	m.pathE[st.elem] = m.pathE[st.elem][:0]
	m.pathN[st.elem] = append(m.pathN[st.elem][:0], cur)
	if !e.VarLen {
		return m.neighbors(cur, st.elem, st.fromLeft, func(x, next int32) error {
			if !m.useEdge(x) {
				return nil
			}
			defer m.unuseEdge(x)
			m.pathE[st.elem] = append(m.pathE[st.elem][:0], x)
			m.pathN[st.elem] = append(m.pathN[st.elem][:1], next)
			return m.bindNode(to, next, func() error { return m.step(i + 1) })
		})
	}
	return m.walk(i, st, e, to, cur, 0)
}

func (m *matcher) walk(i int, st matchStep, e MatchEdge, to int, cur int32, depth int) error {
	if depth >= e.Min {
		if err := m.bindNode(to, cur, func() error { return m.step(i + 1) }); err != nil {
			return err
		}
	}
	if depth == e.Max {
		return nil
	}
	if depth > 0 && m.usedNode != nil { // cur becomes an inner node
		if m.usedNode[cur] > 0 {
			return nil
		}
		m.usedNode[cur]++
		defer func() { m.usedNode[cur]-- }()
	}
	return m.neighbors(cur, st.elem, st.fromLeft, func(x, next int32) error {
		if !m.useEdge(x) {
			return nil
		}
		defer m.unuseEdge(x)
		m.pathE[st.elem] = append(m.pathE[st.elem], x)
		m.pathN[st.elem] = append(m.pathN[st.elem], next)
		err := m.walk(i, st, e, to, next, depth+1)
		m.pathE[st.elem] = m.pathE[st.elem][:len(m.pathE[st.elem])-1]
		m.pathN[st.elem] = m.pathN[st.elem][:len(m.pathN[st.elem])-1]
		return err
	})
}

func (m *matcher) emit() error {
	m.count++
	if m.count&4095 == 0 {
		if err := m.ctx.Err(); err != nil {
			return err
		}
	}
	m.offsets.push(int32(m.matches.n))
	for v := 0; v < m.s.NodeVars; v++ {
		m.matches.push(m.bind[v])
	}
	fromLeft := make([]bool, len(m.s.Edges))
	for _, st := range m.steps {
		fromLeft[st.elem] = st.fromLeft
	}
	for e := range m.s.Edges {
		es, ns := m.pathE[e], m.pathN[e]
		m.matches.push(int32(len(es)))
		if fromLeft[e] {
			for _, x := range es {
				m.matches.push(x)
			}
			for _, x := range ns {
				m.matches.push(x)
			}
			continue
		}
		for j := len(es) - 1; j >= 0; j-- {
			m.matches.push(es[j])
		}
		for j := len(ns) - 1; j >= 0; j-- {
			m.matches.push(ns[j])
		}
	}
	return nil
}

// run finds the matches and projects them into out.
func (m *matcher) run(schema *arrow.Schema, out *[]arrow.Record) error {
	if err := m.prepare(); err != nil {
		return err
	}
	s := m.s
	nn := int32(m.g.Nodes.NumRows())
	bfs := s.Shortest && len(s.Edges) == 1 && s.Edges[0].VarLen && s.Edges[0].Min <= 1 && s.First != s.Last && !s.PathResidual
	if bfs {
		if err := m.bfs(); err != nil {
			return err
		}
	} else {
		for n := int32(0); n < nn; n++ {
			if ok := m.nodeOK[m.start]; ok != nil && !ok[n] {
				continue
			}
			if err := m.bindNode(m.start, n, func() error { return m.step(0) }); err != nil {
				return err
			}
		}
	}
	allCols := make([]int, len(s.Cols))
	for i := range allCols {
		allCols[i] = i
	}
	// residual conjuncts
	var keep []int32
	for lo := 0; lo < m.count; lo += DefaultBatchRows {
		hi := min(m.count, lo+DefaultBatchRows)
		rows := make([]int32, hi-lo)
		for i := range rows {
			rows[i] = int32(lo + i)
		}
		if len(s.Residual) == 0 {
			keep = append(keep, rows...)
			continue
		}
		rec, err := m.virtual(s.Virtual, allCols, matchAccess{m, rows}, len(rows))
		if err != nil {
			return err
		}
		var mask []bool
		for _, r := range s.Residual {
			mk, err := m.boolMask(r, rec)
			if err != nil {
				rec.Release()
				return err
			}
			mask = and(mask, mk)
		}
		rec.Release()
		for i, ok := range mask {
			if ok {
				keep = append(keep, rows[i])
			}
		}
	}
	if s.Shortest && !bfs {
		keep = m.shortest(keep)
	}
	for lo := 0; lo < len(keep); lo += DefaultBatchRows {
		rows := keep[lo:min(len(keep), lo+DefaultBatchRows)]
		rec, err := m.virtual(s.Virtual, allCols, matchAccess{m, rows}, len(rows))
		if err != nil {
			return err
		}
		cols := make([]arrow.Array, 0, len(s.Project))
		for j, p := range s.Project {
			d, err := p.Eval(m.kctx, rec)
			if err != nil {
				rec.Release()
				releaseAll2(cols)
				return err
			}
			a, err := DatumArray(m.mem, d, len(rows), kernels.KindOf(schema.Field(j)))
			d.Release()
			if err != nil {
				rec.Release()
				releaseAll2(cols)
				return err
			}
			cols = append(cols, a)
		}
		rec.Release()
		*out = append(*out, newRecord(schema, cols, len(rows)))
	}
	return nil
}

// shortest keeps, per (first, last) node pair, the matches of the fewest
// edges: the first found (output=any) or all of them (output=all).
func (m *matcher) shortest(rows []int32) []int32 {
	type group struct {
		best int
		rows []int32
	}
	acc := matchAccess{m, rows}
	groups := map[[2]int32]*group{}
	var order [][2]int32
	for i, r := range rows {
		k := [2]int32{acc.node(i, m.s.First), acc.node(i, m.s.Last)}
		l := 0
		for e := range m.s.Edges {
			es, _ := acc.path(i, e)
			l += len(es)
		}
		g := groups[k]
		if g == nil {
			g = &group{best: l}
			groups[k] = g
			order = append(order, k)
		}
		switch {
		case l < g.best:
			g.best, g.rows = l, append(g.rows[:0], r)
		case l == g.best && (len(g.rows) == 0 || m.s.OutputAll):
			g.rows = append(g.rows, r)
		}
	}
	var out []int32
	for _, k := range order {
		out = append(out, groups[k].rows...)
	}
	return out
}

// bfs finds the shortest paths of a pattern (a)-[e*min..max]-(b) (min 0 or
// 1) by a breadth-first search from each candidate a: per reached node the
// edges that reach it at its distance, then the paths back from each
// candidate b: the first (output=any) or all of them (output=all). Targets
// come in order of distance.
func (m *matcher) bfs() error {
	s := m.s
	e := s.Edges[0]
	nn := int(m.g.Nodes.NumRows())
	dist := make([]int32, nn)
	for i := range dist {
		dist[i] = -1
	}
	preds := make([][]int32, nn)
	var touched, queue []int32
	okFirst, okLast := m.nodeOK[s.First], m.nodeOK[s.Last]
	var back func(src, cur int32, rev []int32) error
	back = func(src, cur int32, rev []int32) error {
		if cur == src {
			pe := m.pathE[0][:0]
			pn := append(m.pathN[0][:0], src)
			at := src
			for i := len(rev) - 1; i >= 0; i-- {
				x := rev[i]
				next := m.g.Dst[x]
				if next == at {
					next = m.g.Src[x]
				}
				pe = append(pe, x)
				pn = append(pn, next)
				at = next
			}
			m.pathE[0], m.pathN[0] = pe, pn
			return m.emit()
		}
		for _, x := range preds[cur] {
			prev := m.g.Src[x]
			if prev == cur || dist[prev] != dist[cur]-1 {
				prev = m.g.Dst[x]
			}
			if err := back(src, prev, append(rev, x)); err != nil {
				return err
			}
			if !s.OutputAll {
				break
			}
		}
		return nil
	}
	for src := int32(0); src < int32(nn); src++ {
		if okFirst != nil && !okFirst[src] {
			continue
		}
		for _, t := range touched {
			dist[t], preds[t] = -1, preds[t][:0]
		}
		touched = append(touched[:0], src)
		queue = append(queue[:0], src)
		dist[src] = 0
		for qi := 0; qi < len(queue); qi++ {
			cur := queue[qi]
			if int(dist[cur]) >= e.Max {
				continue
			}
			err := m.neighbors(cur, 0, true, func(x, next int32) error {
				switch dist[next] {
				case -1:
					dist[next] = dist[cur] + 1
					touched = append(touched, next)
					queue = append(queue, next)
					preds[next] = append(preds[next], x)
				case dist[cur] + 1:
					preds[next] = append(preds[next], x)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		m.bind[s.First] = src
		for _, t := range queue {
			if int(dist[t]) < e.Min || okLast != nil && !okLast[t] {
				continue
			}
			m.bind[s.Last] = t
			if err := back(src, t, nil); err != nil {
				return err
			}
		}
	}
	return nil
}
