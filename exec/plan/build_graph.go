package plan

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/kqlhunt/kqlhunt/exec/kernels"
	"github.com/kqlhunt/kqlhunt/exec/ops"
	"github.com/kqlhunt/kqlhunt/lang/ast"
	"github.com/kqlhunt/kqlhunt/lang/check"
	"github.com/kqlhunt/kqlhunt/lang/types"
)

// Graph operators: make-graph builds an ops.GraphSource (or, with
// partitioned-by, runs its subquery over one graph per partition);
// graph-match, graph-shortest-paths and graph-to-table read the
// GraphSource right before them.

func init() {
	RegisterOp("make-graph", buildMakeGraph)
	RegisterOp("graph-match", buildGraphMatch)
	RegisterOp("graph-shortest-paths", buildGraphMatch)
	RegisterOp("graph-to-table", buildGraphToTable)
}

// graphNodeSchema is the Arrow schema of a graph's node record: the node
// properties, then the node id column.
func graphNodeSchema(g *check.GraphSchema) *arrow.Schema {
	s := &types.Schema{Columns: append(append([]types.Column(nil), g.Nodes.Columns...), types.Column{Name: check.NodeIDColumn, Type: idKind(g)})}
	return kernels.Schema(s)
}

func idKind(g *check.GraphSchema) types.Kind {
	if g.IDType == types.Unknown || g.IDType == types.Null {
		return types.Dynamic
	}
	return g.IDType
}

func buildMakeGraph(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	mg := op.(*ast.MakeGraph)
	g, ok := mg.Out().Ref.(*check.GraphSchema)
	if !ok || in == nil {
		return nil, Errorf(op, "make-graph was not checked")
	}
	col := func(id *ast.Ident, s *arrow.Schema) (int, error) {
		ix := s.FieldIndices(id.Name)
		if len(ix) == 0 {
			return -1, Errorf(id, "no column %s", id.Name)
		}
		return ix[0], nil
	}
	spec := &ops.GraphSpec{NodeSchema: graphNodeSchema(g), IDKind: idKind(g), Span: mg.Span()}
	var err error
	if spec.Src, err = col(mg.Src, in.Schema()); err != nil {
		return nil, err
	}
	if spec.Dst, err = col(mg.Dst, in.Schema()); err != nil {
		return nil, err
	}
	var held []arrow.Record
	defer func() {
		for _, r := range held {
			r.Release()
		}
	}()
	for _, nt := range mg.Nodes {
		s, recs, err := b.runTabular(nt.Table)
		if err != nil {
			return nil, err
		}
		held = append(held, recs...)
		if _, err := col(nt.Key, s); err != nil {
			return nil, err
		}
		spec.Tables = append(spec.Tables, ops.GraphNodeTable{Schema: s, Recs: recs, Key: nt.Key.Name})
		spec.KeyNames = append(spec.KeyNames, nt.Key.Name)
	}
	if mg.NodeID != nil {
		spec.KeyNames = append(spec.KeyNames, mg.NodeID.Name)
	}
	if mg.PartitionBy == nil {
		return ops.NewGraphSource(in, spec, b.Mem()), nil
	}
	pc, err := col(mg.PartitionBy, in.Schema())
	if err != nil {
		return nil, err
	}
	ctx := context.Context(b.Ctx())
	if b.Ctx().Context == nil {
		ctx = context.Background()
	}
	pspec := *spec
	pspec.PartitionBy = mg.PartitionBy.Name
	out, err := ops.NewPartition(ctx, b.Mem(), in, pc, func(x ops.Operator) (ops.Operator, error) {
		return b.Pipe(ops.NewGraphSource(x, &pspec, b.Mem()), mg.Partition.Ops)
	}, OutSchema(op))
	if err != nil {
		return nil, Errorf(op, "%v", err)
	}
	return out, nil
}

func graphInput(op ast.Op, in ops.Operator) (*ops.GraphSource, error) {
	src, ok := in.(*ops.GraphSource)
	if !ok {
		if in != nil {
			in.Close()
		}
		return nil, Errorf(op, "%s reads the graph of the make-graph right before it", op.OpName())
	}
	return src, nil
}

func buildGraphToTable(b *Builder, op ast.Op, in ops.Operator) (ops.Operator, error) {
	info, ok := op.Out().Ref.(*check.GraphTableInfo)
	if !ok {
		return nil, Errorf(op, "graph-to-table was not checked")
	}
	src, err := graphInput(op, in)
	if err != nil {
		return nil, err
	}
	name := func(id *ast.Ident) string {
		if id == nil {
			return ""
		}
		return id.Name
	}
	p := info.Part
	ids := []string{name(p.NodeID)}
	if p.Edges {
		ids = []string{name(p.SourceID), name(p.TargetID)}
	}
	return ops.NewGraphToTable(src, p.Edges, ids, OutSchema(op), b.Mem()), nil
}

func buildGraphMatch(b *Builder, op ast.Op, in ops.Operator) (out ops.Operator, err error) {
	info, ok := op.Out().Ref.(*check.GraphMatchInfo)
	if !ok {
		return nil, Errorf(op, "%s was not checked", op.OpName())
	}
	src, err := graphInput(op, in)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			src.Close()
		}
	}()
	nodeSchema := graphNodeSchema(info.Graph)
	edgeSchema := src.Schema()
	virtual := kernels.Schema(info.Virtual)
	spec := &ops.MatchSpec{NodeVars: len(info.NodeVars), Virtual: virtual, Shortest: info.Shortest, OutputAll: info.Output == "all"}
	switch info.Cycles {
	case "none":
		spec.Cycles = ops.CyclesNone
	case "all":
		spec.Cycles = ops.CyclesAll
	}
	if info.Shortest {
		spec.Cycles = ops.CyclesNone // shortest paths are simple paths
		p := info.Paths[0]
		spec.First, spec.Last = p[0], p[len(p)-1]
	}
	for _, e := range info.Edges {
		me := ops.MatchEdge{Min: e.Min, Max: e.Max, VarLen: e.VarLen, Left: e.Left, Right: e.Right}
		switch e.Dir {
		case "->":
			me.Dir = 1
		case "<-":
			me.Dir = -1
		}
		spec.Edges = append(spec.Edges, me)
	}
	for i, c := range info.Cols {
		gc := ops.GraphColSpec{Node: c.Node, Edge: c.Edge, Agg: c.Agg, Field: virtual.Field(i)}
		switch c.Kind {
		case check.ColNodeProp:
			gc.Kind = ops.GColNodeProp
			gc.Prop = nodeSchema.FieldIndices(c.Prop)[0]
		case check.ColNodeID:
			gc.Kind = ops.GColNodeID
			gc.Prop = nodeSchema.NumFields() - 1
		case check.ColDegreeIn:
			gc.Kind = ops.GColDegreeIn
		case check.ColDegreeOut:
			gc.Kind = ops.GColDegreeOut
		case check.ColEdgeProp:
			gc.Kind = ops.GColEdgeProp
			ix := edgeSchema.FieldIndices(c.Prop)
			if len(ix) == 0 {
				return nil, Errorf(op, "the edges have no column %s", c.Prop)
			}
			gc.Prop = ix[0]
		case check.ColEdgeAgg, check.ColInnerAgg:
			gc.Kind = ops.GColEdgeAgg
			s := edgeSchema
			if c.Kind == check.ColInnerAgg {
				gc.Kind = ops.GColInnerAgg
				s = nodeSchema
			}
			ev, err := b.Compile(c.Inner, s)
			if err != nil {
				return nil, err
			}
			gc.Inner = ev
		}
		spec.Cols = append(spec.Cols, gc)
	}
	// where conjuncts: node and edge filters over the columns of one variable
	sub := func(keep func(c check.GraphCol) bool) ([]int, *arrow.Schema) {
		var idx []int
		var fields []arrow.Field
		for i, c := range info.Cols {
			if keep(c) {
				idx = append(idx, i)
				fields = append(fields, virtual.Field(i))
			}
		}
		return idx, arrow.NewSchema(fields, nil)
	}
	for _, cj := range info.Conjuncts {
		switch {
		case cj.AllEdge >= 0:
			ev, err := b.Compile(cj.Pred, edgeSchema)
			if err != nil {
				return nil, err
			}
			spec.AllFilters = append(spec.AllFilters, ops.MatchFilter{Var: cj.AllEdge, Eval: ev})
		case cj.Node >= 0:
			idx, s := sub(func(c check.GraphCol) bool {
				return c.Node == cj.Node && (c.Kind == check.ColNodeProp || c.Kind == check.ColNodeID || c.Kind == check.ColDegreeIn || c.Kind == check.ColDegreeOut)
			})
			ev, err := b.Compile(cj.X, s)
			if err != nil {
				return nil, err
			}
			spec.NodeFilters = append(spec.NodeFilters, ops.MatchFilter{Var: cj.Node, Cols: idx, Schema: s, Eval: ev})
		case cj.Edge >= 0:
			idx, s := sub(func(c check.GraphCol) bool { return c.Edge == cj.Edge && c.Kind == check.ColEdgeProp })
			ev, err := b.Compile(cj.X, s)
			if err != nil {
				return nil, err
			}
			spec.EdgeFilters = append(spec.EdgeFilters, ops.MatchFilter{Var: cj.Edge, Cols: idx, Schema: s, Eval: ev})
		default:
			ev, err := b.Compile(cj.X, virtual)
			if err != nil {
				return nil, err
			}
			spec.Residual = append(spec.Residual, ev)
			spec.PathResidual = spec.PathResidual || cj.UsesPath
		}
	}
	for _, it := range info.Project {
		ev, err := b.Compile(it.X, virtual)
		if err != nil {
			return nil, err
		}
		spec.Project = append(spec.Project, ev)
	}
	return ops.NewGraphMatch(src, spec, OutSchema(op), b.Ctx()), nil
}
