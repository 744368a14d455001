package ast

import "github.com/vigilsec/vigil/internal/kql/token"

// MakeGraphOp is make-graph src --> dst [with Nodes on id, ... |
// with_node_id=name] [partitioned-by col (graph operators)]. Directed is
// false for "--".
type MakeGraphOp struct {
	MakeGraph     token.Pos
	Options       []*Option
	Source        *Ident
	Arrow         token.Pos
	Directed      bool
	Target        *Ident
	With          token.Pos
	Tables        []*GraphNodeTable
	NodeID        *Option // with_node_id=name
	PartitionedBy token.Pos
	PartitionKey  *Ident
	Lparen        token.Pos
	Partition     Expr
	Rparen        token.Pos
}

// GraphNodeTable is one "Nodes on id" of make-graph ... with.
type GraphNodeTable struct {
	Table Expr
	On    token.Pos
	Key   *Ident
}

// GraphMatchOp is graph-match [cycles=...] patterns [where pred] [project ...].
type GraphMatchOp struct {
	GraphMatch token.Pos
	Options    []*Option
	Patterns   []*GraphPattern
	Where      token.Pos
	Pred       Expr
	Project    token.Pos
	Exprs      []Expr
}

// GraphShortestPathsOp is graph-shortest-paths [output=any|all] patterns
// [where pred] project ...
type GraphShortestPathsOp struct {
	GraphShortestPaths token.Pos
	Options            []*Option
	Patterns           []*GraphPattern
	Where              token.Pos
	Pred               Expr
	Project            token.Pos
	Exprs              []Expr
}

// GraphPattern is a path pattern such as (a)-[e*1..3]->(b)<--(c). It has
// one more node than edges: Edges[i] connects Nodes[i] and Nodes[i+1].
type GraphPattern struct {
	Nodes []*GraphNode
	Edges []*GraphEdge
}

// GraphNode is (name) in a pattern; Name may be nil.
type GraphNode struct {
	Lparen token.Pos
	Name   *Ident
	Rparen token.Pos
}

// EdgeDir is the direction of a pattern edge.
type EdgeDir uint8

// The edge directions.
const (
	EdgeAny   EdgeDir = iota // -- or -[e]-
	EdgeRight                // --> or -[e]->
	EdgeLeft                 // <-- or <-[e]-
)

func (d EdgeDir) String() string {
	switch d {
	case EdgeRight:
		return "right"
	case EdgeLeft:
		return "left"
	}
	return "any"
}

// GraphEdge is an edge of a pattern: -->, <--, --, or a bracketed edge
// -[name*min..max]-> with an optional name and length range.
type GraphEdge struct {
	Start     token.Pos // first character ("-" or "<")
	Dir       EdgeDir
	Bracketed bool
	Lbrack    token.Pos
	Name      *Ident
	Star      token.Pos
	Min       Expr
	DotDot    token.Pos
	Max       Expr
	Rbrack    token.Pos
	Last      token.Pos // last character ("-" or ">")
}

// GraphToTableOp is graph-to-table nodes [as N] [with_node_id=x] [, edges
// [as E] [with_source_id=s] [with_target_id=t]].
type GraphToTableOp struct {
	GraphToTable token.Pos
	Parts        []*GraphToTablePart
}

// GraphToTablePart is the nodes or the edges part of graph-to-table.
type GraphToTablePart struct {
	KindPos token.Pos
	Kind    string // nodes or edges
	As      token.Pos
	Name    *Ident
	Options []*Option
}

// GraphMarkComponentsOp is graph-mark-components [kind=...] [with_component_id=name].
type GraphMarkComponentsOp struct {
	GraphMarkComponents token.Pos
	Options             []*Option
}

func (o *MakeGraphOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.MakeGraph
}

func (o *MakeGraphOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	arrow := 2
	if o.Directed {
		arrow = 3
	}
	return maxPos(kwEnd(o.MakeGraph, 10), endOfList(o.Options), endOf(o.Source), kwEnd(o.Arrow, arrow),
		endOf(o.Target), kwEnd(o.With, 4), endOfList(o.Tables), endOf(o.NodeID),
		kwEnd(o.PartitionedBy, 14), endOf(o.PartitionKey), kwEnd(o.Lparen, 1), endOf(o.Partition), kwEnd(o.Rparen, 1))
}

func (o *GraphNodeTable) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return posOf(o.Table)
}

func (o *GraphNodeTable) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(endOf(o.Table), kwEnd(o.On, 2), endOf(o.Key))
}

func (o *GraphMatchOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.GraphMatch
}

func (o *GraphMatchOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.GraphMatch, 11), endOfList(o.Options), endOfList(o.Patterns), kwEnd(o.Where, 5),
		endOf(o.Pred), kwEnd(o.Project, 7), endOfList(o.Exprs))
}

func (o *GraphShortestPathsOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.GraphShortestPaths
}

func (o *GraphShortestPathsOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.GraphShortestPaths, 20), endOfList(o.Options), endOfList(o.Patterns), kwEnd(o.Where, 5),
		endOf(o.Pred), kwEnd(o.Project, 7), endOfList(o.Exprs))
}

func (x *GraphPattern) Pos() token.Pos {
	if x == nil || len(x.Nodes) == 0 {
		return token.NoPos
	}
	return x.Nodes[0].Pos()
}

func (x *GraphPattern) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(endOfList(x.Nodes), endOfList(x.Edges))
}

func (x *GraphNode) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.Lparen
}

func (x *GraphNode) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(x.Lparen, 1), endOf(x.Name), kwEnd(x.Rparen, 1))
}

func (x *GraphEdge) Pos() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return x.Start
}

func (x *GraphEdge) End() token.Pos {
	if x == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(x.Start, 1), kwEnd(x.Lbrack, 1), endOf(x.Name), kwEnd(x.Star, 1), endOf(x.Min),
		kwEnd(x.DotDot, 2), endOf(x.Max), kwEnd(x.Rbrack, 1), kwEnd(x.Last, 1))
}

func (o *GraphToTableOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.GraphToTable
}

func (o *GraphToTableOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.GraphToTable, 14), endOfList(o.Parts))
}

func (o *GraphToTablePart) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.KindPos
}

func (o *GraphToTablePart) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.KindPos, len(o.Kind)), kwEnd(o.As, 2), endOf(o.Name), endOfList(o.Options))
}

func (o *GraphMarkComponentsOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.GraphMarkComponents
}

func (o *GraphMarkComponentsOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.GraphMarkComponents, 21), endOfList(o.Options))
}

func (*MakeGraphOp) operatorNode()           {}
func (*GraphMatchOp) operatorNode()          {}
func (*GraphShortestPathsOp) operatorNode()  {}
func (*GraphToTableOp) operatorNode()        {}
func (*GraphMarkComponentsOp) operatorNode() {}
