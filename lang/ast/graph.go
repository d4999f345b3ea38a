package ast

import (
	"strconv"
	"strings"
)

// Graph operators (docs/grammar.md, "Graphs"). make-graph turns its input
// rows into the edges of a graph; graph-match, graph-shortest-paths and
// graph-to-table read that graph. graph-merge stays a Generic operator.

// MakeGraph is `make-graph Src --> Dst [with T on K [, T2 on K2]]
// [with_node_id=Name] [partitioned-by Col ( subquery )]`.
type MakeGraph struct {
	OpBase
	Src, Dst    *Ident
	Nodes       []*GraphNodeTable // `with T on K, ...`
	NodeID      *Ident            // with_node_id=Name
	PartitionBy *Ident            // partitioned-by Col
	Partition   *Pipe             // the subquery run on each partition's graph (no source)
}

// GraphNodeTable is `T on K` in make-graph's `with` clause.
type GraphNodeTable struct {
	Pos
	Table Expr
	Key   *Ident
}

// GraphNode is a node element of a pattern: `(n)` or `()` (Name nil).
type GraphNode struct {
	Pos
	Name *Ident
}

// GraphEdge is an edge element of a pattern: `-[e]->`, `<-[e]-`, `-[e]-`,
// `-->`, `<--`, `--`, with an optional `*min..max` length range.
type GraphEdge struct {
	Pos
	Name     *Ident // nil for anonymous edges
	Dir      string // "->" (left to right), "<-" (right to left), "-" (any direction)
	VarLen   bool   // `*min..max` given
	Min, Max int    // 1, 1 for fixed edges
}

// GraphPath is one comma-separated sequence of a pattern:
// Nodes[0] Edges[0] Nodes[1] ... with len(Edges) == len(Nodes)-1.
type GraphPath struct {
	Pos
	Nodes []*GraphNode
	Edges []*GraphEdge
}

// GraphMatch is `graph-match [cycles=C] Pattern [where P] project ...` and
// `graph-shortest-paths [output=O] Pattern [where P] project ...`
// (Shortest set).
type GraphMatch struct {
	OpBase
	Shortest bool
	Options  []*Option // cycles=..., output=...
	Paths    []*GraphPath
	Where    Expr // nil when absent
	Project  []*NamedExpr
}

// GraphTablePart is `nodes [as N] [with_node_id=C]` or
// `edges [as E] [with_source_id=C] [with_target_id=C]`.
type GraphTablePart struct {
	Pos
	Edges    bool
	As       *Ident
	NodeID   *Ident
	SourceID *Ident
	TargetID *Ident
}

// GraphToTable is `graph-to-table nodes ...` / `edges ...` / both.
type GraphToTable struct {
	OpBase
	Parts []*GraphTablePart
}

func (*MakeGraph) opNode()    {}
func (*GraphMatch) opNode()   {}
func (*GraphToTable) opNode() {}

func (*MakeGraph) OpName() string    { return "make-graph" }
func (*GraphToTable) OpName() string { return "graph-to-table" }
func (g *GraphMatch) OpName() string {
	if g.Shortest {
		return "graph-shortest-paths"
	}
	return "graph-match"
}

// Option returns the value of option name (lower case) as written, or "".
func (g *GraphMatch) Option(name string) string {
	for _, o := range g.Options {
		if strings.EqualFold(o.Name, name) {
			switch v := o.Value.(type) {
			case *Ident:
				return strings.ToLower(v.Name)
			case *Literal:
				if s, ok := v.Value.(string); ok {
					return strings.ToLower(s)
				}
			}
		}
	}
	return ""
}

// String prints an edge element as written in canonical form.
func (e *GraphEdge) String() string {
	inner := ""
	if e.Name != nil {
		inner = e.Name.Name
	}
	if e.VarLen {
		inner += "*" + strconv.Itoa(e.Min) + ".." + strconv.Itoa(e.Max)
	}
	if inner == "" {
		switch e.Dir {
		case "->":
			return "-->"
		case "<-":
			return "<--"
		}
		return "--"
	}
	switch e.Dir {
	case "->":
		return "-[" + inner + "]->"
	case "<-":
		return "<-[" + inner + "]-"
	}
	return "-[" + inner + "]-"
}

func (p *printer) graphPath(g *GraphPath) {
	for i, n := range g.Nodes {
		if i > 0 {
			p.WriteString(g.Edges[i-1].String())
		}
		p.WriteString("(")
		if n.Name != nil {
			p.ident(n.Name)
		}
		p.WriteString(")")
	}
}

// graphOp prints the graph operators.
func (p *printer) graphOp(o Op) {
	switch x := o.(type) {
	case *MakeGraph:
		p.WriteString("make-graph ")
		p.ident(x.Src)
		p.WriteString(" --> ")
		p.ident(x.Dst)
		if len(x.Nodes) > 0 {
			p.WriteString(" with ")
			for i, n := range x.Nodes {
				if i > 0 {
					p.WriteString(", ")
				}
				p.expr(n.Table, precPostfix)
				p.WriteString(" on ")
				p.ident(n.Key)
			}
		}
		if x.NodeID != nil {
			p.WriteString(" with_node_id=")
			p.ident(x.NodeID)
		}
		if x.PartitionBy != nil {
			p.WriteString(" partitioned-by ")
			p.ident(x.PartitionBy)
			p.WriteString(" (")
			p.subPipe(x.Partition)
			p.WriteString(")")
		}
	case *GraphMatch:
		p.WriteString(x.OpName())
		p.opts(x.Options)
		for i, g := range x.Paths {
			if i > 0 {
				p.WriteString(",")
			}
			p.WriteString(" ")
			p.graphPath(g)
		}
		if x.Where != nil {
			p.WriteString(" where ")
			p.expr(x.Where, 0)
		}
		if len(x.Project) > 0 {
			p.WriteString(" project ")
			p.nameds(x.Project)
		}
	case *GraphToTable:
		p.WriteString("graph-to-table")
		for i, t := range x.Parts {
			if i > 0 {
				p.WriteString(",")
			}
			if t.Edges {
				p.WriteString(" edges")
			} else {
				p.WriteString(" nodes")
			}
			if t.As != nil {
				p.WriteString(" as ")
				p.ident(t.As)
			}
			for _, c := range []struct {
				n  string
				id *Ident
			}{{"with_node_id", t.NodeID}, {"with_source_id", t.SourceID}, {"with_target_id", t.TargetID}} {
				if c.id != nil {
					p.WriteString(" " + c.n + "=")
					p.ident(c.id)
				}
			}
		}
	}
}
