package parser

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// make-graph src --> dst [with Nodes on id, ... | with_node_id=name]
// [partitioned-by col (graph operators)].
func (p *parser) parseMakeGraph() ast.Operator {
	o := &ast.MakeGraphOp{MakeGraph: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	o.Source = p.parseName(token.Reference, "for the source column of make-graph")
	switch {
	case p.isArrow(token.SUB, token.SUB, token.GTR):
		o.Arrow, o.Directed = p.tok.Pos, true
		p.skip(3)
	case p.isArrow(token.SUB, token.SUB):
		o.Arrow = p.tok.Pos
		p.skip(2)
	default:
		p.errorExpected("'-->' or '--' between the source and target columns")
	}
	o.Target = p.parseName(token.Reference, "for the target column of make-graph")
	switch {
	case p.isWord("with_node_id") && p.peek(1).Kind == token.ASSIGN:
		o.NodeID = p.parseOption("with_node_id", 1)
	case p.isWord("with"):
		o.With = p.tok.Pos
		p.next()
		for {
			t := &ast.GraphNodeTable{Table: p.requireExpr(p.parseUnary(), "for a node table")}
			t.On = p.expectWord("on", " after the node table")
			t.Key = p.parseName(token.Reference, "for the node id column")
			o.Tables = append(o.Tables, t)
			if _, ok := p.got(token.COMMA); !ok {
				break
			}
		}
	}
	if pos, ok := p.gotWord("partitioned-by"); ok {
		o.PartitionedBy = pos
		o.PartitionKey = p.parseName(token.Reference, "after partitioned-by")
		o.Lparen, o.Partition, o.Rparen = p.parseSubquery(startOperator, "before the graph operators")
	}
	return o
}

// isArrow reports whether the next tokens are the given kinds, touching.
func (p *parser) isArrow(kinds ...token.Kind) bool {
	for i, k := range kinds {
		if p.peek(i).Kind != k || (i > 0 && !p.adjacent(i-1)) {
			return false
		}
	}
	return true
}

func (p *parser) skip(n int) {
	for ; n > 0; n-- {
		p.next()
	}
}

// graph-match [cycles=...] pattern, ... [where pred] [project ...].
func (p *parser) parseGraphMatch() ast.Operator {
	o := &ast.GraphMatchOp{GraphMatch: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	o.Patterns = p.parseGraphPatterns()
	o.Where, o.Pred, o.Project, o.Exprs = p.parseGraphClauses()
	return o
}

// graph-shortest-paths [output=any|all] pattern, ... [where pred] project ...
func (p *parser) parseGraphShortestPaths() ast.Operator {
	o := &ast.GraphShortestPathsOp{GraphShortestPaths: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions("output")
	o.Patterns = p.parseGraphPatterns()
	o.Where, o.Pred, o.Project, o.Exprs = p.parseGraphClauses()
	return o
}

func (p *parser) parseGraphClauses() (where token.Pos, pred ast.Expr, project token.Pos, exprs []ast.Expr) {
	if pos, ok := p.gotWord("where"); ok {
		where = pos
		pred = p.requireExpr(p.parseExpr(), "after where")
	}
	if pos, ok := p.gotWord("project"); ok {
		project = pos
		exprs = p.parseExprList("an expression", true)
	}
	return
}

func (p *parser) parseGraphPatterns() []*ast.GraphPattern {
	var list []*ast.GraphPattern
	for {
		pat := p.parseGraphPattern()
		if pat == nil {
			p.errorExpected("a graph pattern such as (a)-[e]->(b)")
			return list
		}
		list = append(list, pat)
		if _, ok := p.got(token.COMMA); !ok {
			return list
		}
	}
}

// parseGraphPattern parses (node) edge (node) edge (node) ...
func (p *parser) parseGraphPattern() *ast.GraphPattern {
	if p.tok.Kind != token.LPAREN {
		return nil
	}
	pat := &ast.GraphPattern{}
	pat.Nodes = append(pat.Nodes, p.parseGraphNode())
	for {
		e := p.parseGraphEdge()
		if e == nil {
			return pat
		}
		pat.Edges = append(pat.Edges, e)
		if p.tok.Kind != token.LPAREN {
			p.errorExpected("'(' to start the node after the edge")
			return pat
		}
		pat.Nodes = append(pat.Nodes, p.parseGraphNode())
	}
}

func (p *parser) parseGraphNode() *ast.GraphNode {
	n := &ast.GraphNode{Lparen: p.tok.Pos}
	p.next()
	n.Name = p.tryName(token.Column)
	n.Rparen = p.expectClosing(token.RPAREN, " after the node")
	return n
}

// parseGraphEdge parses -->, <--, --, -[e*1..3]->, <-[e]-, -[e]- or returns
// nil if no edge starts here.
func (p *parser) parseGraphEdge() *ast.GraphEdge {
	e := &ast.GraphEdge{Start: p.tok.Pos}
	switch {
	case p.isArrow(token.SUB, token.SUB, token.GTR):
		e.Dir, e.Last = ast.EdgeRight, p.peek(2).Pos
		p.skip(3)
		return e
	case p.isArrow(token.LSS, token.SUB, token.SUB):
		e.Dir, e.Last = ast.EdgeLeft, p.peek(2).Pos
		p.skip(3)
		return e
	case p.isArrow(token.SUB, token.SUB):
		e.Dir, e.Last = ast.EdgeAny, p.peek(1).Pos
		p.skip(2)
		return e
	case p.isArrow(token.LSS, token.SUB, token.LBRACK):
		e.Dir = ast.EdgeLeft
		p.skip(2)
	case p.isArrow(token.SUB, token.LBRACK):
		p.skip(1)
	default:
		return nil
	}
	e.Bracketed = true
	e.Lbrack = p.tok.Pos
	p.next()
	e.Name = p.tryName(token.Column)
	if pos, ok := p.got(token.MUL); ok {
		e.Star = pos
		e.Min = p.requireExpr(p.parseUnary(), "for the minimum path length")
		e.DotDot = p.expect(token.DOTDOT, " in the path length range")
		e.Max = p.requireExpr(p.parseUnary(), "for the maximum path length")
	}
	e.Rbrack = p.expect(token.RBRACK, " to close the edge")
	switch {
	case p.isArrow(token.SUB, token.GTR) && e.Dir != ast.EdgeLeft:
		e.Dir, e.Last = ast.EdgeRight, p.peek(1).Pos
		p.skip(2)
	case p.tok.Kind == token.SUB:
		e.Last = p.tok.Pos
		p.next()
	default:
		p.errorExpected("'-' or '->' to end the edge")
	}
	return e
}

// graph-to-table nodes [as N] [with_node_id=x], edges [as E]
// [with_source_id=s] [with_target_id=t].
func (p *parser) parseGraphToTable() ast.Operator {
	o := &ast.GraphToTableOp{GraphToTable: p.tok.Pos}
	p.next()
	for {
		if !p.isWord("nodes") && !p.isWord("edges") {
			p.errorExpected("'nodes' or 'edges'")
			return o
		}
		part := &ast.GraphToTablePart{KindPos: p.tok.Pos, Kind: p.tok.Lit}
		p.next()
		if pos, ok := p.gotWord("as"); ok {
			part.As = pos
			part.Name = p.parseName(token.Binding, "after as")
		}
		part.Options = p.parseOptions("with_node_id", "with_source_id", "with_target_id")
		o.Parts = append(o.Parts, part)
		if _, ok := p.got(token.COMMA); !ok {
			return o
		}
	}
}

// graph-mark-components [kind=weak|strong] [with_component_id=name].
func (p *parser) parseGraphMarkComponents() ast.Operator {
	o := &ast.GraphMarkComponentsOp{GraphMarkComponents: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions("with_component_id")
	return o
}
