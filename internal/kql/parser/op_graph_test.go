package parser

import (
	"testing"

	"github.com/vigilsec/vigil/internal/kql/ast"
)

// TestGraphOperators checks the tree of make-graph, graph-match,
// graph-shortest-paths, graph-to-table and graph-mark-components.
func TestGraphOperators(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := ast.Dump(lastOp(t, in)); got != want {
			t.Errorf("%s\n got: %s\nwant: %s", in, got, want)
		}
	}
	f("E | make-graph a --> b with N on id",
		"MakeGraphOp{Source: Ident(a), Directed: true, Target: Ident(b), Tables: [GraphNodeTable{Table: Ident(N), Key: Ident(id)}]}")
	f("E | make-graph a -- b with N1 on id1, (N2 | where x) on id2",
		"MakeGraphOp{Source: Ident(a), Target: Ident(b), Tables: [GraphNodeTable{Table: Ident(N1), Key: Ident(id1)}, GraphNodeTable{Table: ParenExpr{X: PipeExpr{Source: Ident(N2), Ops: [WhereOp{Pred: Ident(x)}]}}, Key: Ident(id2)}]}")
	f("E | make-graph a --> b with_node_id=name",
		"MakeGraphOp{Source: Ident(a), Directed: true, Target: Ident(b), NodeID: Option{Name: \"with_node_id\", Value: Ident(name)}}")
	f("E | make-graph a --> b with N on id partitioned-by tenant (graph-match (x)-->(y) project x.id)",
		"MakeGraphOp{Source: Ident(a), Directed: true, Target: Ident(b), Tables: [GraphNodeTable{Table: Ident(N), Key: Ident(id)}], PartitionKey: Ident(tenant), Partition: PipeExpr{Ops: [GraphMatchOp{Patterns: [GraphPattern{Nodes: [GraphNode{Name: Ident(x)}, GraphNode{Name: Ident(y)}], Edges: [GraphEdge{Dir: right}]}], Exprs: [SelectorExpr{X: Ident(x), Sel: Ident(id)}]}]}}")
	f("G | graph-match (a)-[e]->(b) where a.x == 1 project a.name, b = b.name",
		"GraphMatchOp{Patterns: [GraphPattern{Nodes: [GraphNode{Name: Ident(a)}, GraphNode{Name: Ident(b)}], Edges: [GraphEdge{Dir: right, Bracketed: true, Name: Ident(e)}]}], Pred: BinaryExpr{X: SelectorExpr{X: Ident(a), Sel: Ident(x)}, Op: ==, Y: Lit(long 1)}, Exprs: [SelectorExpr{X: Ident(a), Sel: Ident(name)}, NamedExpr{Names: [Ident(b)], X: SelectorExpr{X: Ident(b), Sel: Ident(name)}}]}")
	f("G | graph-match cycles=none (a)<-[e*1..3]-(b), (b)--(c), (c)-->(d)<--(e) project x = 1",
		"GraphMatchOp{Options: [Option{Name: \"cycles\", Value: Ident(none)}], Patterns: [GraphPattern{Nodes: [GraphNode{Name: Ident(a)}, GraphNode{Name: Ident(b)}], Edges: [GraphEdge{Dir: left, Bracketed: true, Name: Ident(e), Min: Lit(long 1), Max: Lit(long 3)}]}, GraphPattern{Nodes: [GraphNode{Name: Ident(b)}, GraphNode{Name: Ident(c)}], Edges: [GraphEdge{}]}, GraphPattern{Nodes: [GraphNode{Name: Ident(c)}, GraphNode{Name: Ident(d)}, GraphNode{Name: Ident(e)}], Edges: [GraphEdge{Dir: right}, GraphEdge{Dir: left}]}], Exprs: [NamedExpr{Names: [Ident(x)], X: Lit(long 1)}]}")
	f("G | graph-match (a)-[*2..5]-(b)",
		"GraphMatchOp{Patterns: [GraphPattern{Nodes: [GraphNode{Name: Ident(a)}, GraphNode{Name: Ident(b)}], Edges: [GraphEdge{Bracketed: true, Min: Lit(long 2), Max: Lit(long 5)}]}]}")
	f("G | graph-shortest-paths output=all (s)-[e*1..5]->(d) where s.x == 1 project d.name",
		"GraphShortestPathsOp{Options: [Option{Name: \"output\", Value: Ident(all)}], Patterns: [GraphPattern{Nodes: [GraphNode{Name: Ident(s)}, GraphNode{Name: Ident(d)}], Edges: [GraphEdge{Dir: right, Bracketed: true, Name: Ident(e), Min: Lit(long 1), Max: Lit(long 5)}]}], Pred: BinaryExpr{X: SelectorExpr{X: Ident(s), Sel: Ident(x)}, Op: ==, Y: Lit(long 1)}, Exprs: [SelectorExpr{X: Ident(d), Sel: Ident(name)}]}")
	f("G | graph-to-table nodes as N with_node_id=id, edges as E with_source_id=s with_target_id=t",
		"GraphToTableOp{Parts: [GraphToTablePart{Kind: \"nodes\", Name: Ident(N), Options: [Option{Name: \"with_node_id\", Value: Ident(id)}]}, GraphToTablePart{Kind: \"edges\", Name: Ident(E), Options: [Option{Name: \"with_source_id\", Value: Ident(s)}, Option{Name: \"with_target_id\", Value: Ident(t)}]}]}")
	f("G | graph-to-table edges",
		"GraphToTableOp{Parts: [GraphToTablePart{Kind: \"edges\"}]}")
	f("G | graph-mark-components kind=weak with_component_id=c",
		"GraphMarkComponentsOp{Options: [Option{Name: \"kind\", Value: Ident(weak)}, Option{Name: \"with_component_id\", Value: Ident(c)}]}")
}
