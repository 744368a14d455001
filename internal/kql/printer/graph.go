package printer

import "github.com/vigilsec/vigil/internal/kql/ast"

func (p *printer) makeGraph(o *ast.MakeGraphOp) {
	p.print("make-graph")
	p.options(o.Options)
	p.print(" ")
	p.ident(o.Source)
	if o.Directed {
		p.print(" --> ")
	} else {
		p.print(" -- ")
	}
	p.ident(o.Target)
	if o.NodeID != nil {
		p.print(" ")
		p.option(o.NodeID)
	}
	if len(o.Tables) > 0 {
		p.print(" with ")
		for i, t := range o.Tables {
			if i > 0 {
				p.print(", ")
			}
			p.graphNodeTable(t)
		}
	}
	if o.PartitionKey != nil {
		p.print(" partitioned-by ")
		p.ident(o.PartitionKey)
		p.print(" ")
		p.subquery(o.Partition)
	}
}

func (p *printer) graphNodeTable(t *ast.GraphNodeTable) {
	p.expr(t.Table, ast.PrecUnary)
	p.print(" on ")
	p.ident(t.Key)
}

func (p *printer) graphClauses(patterns []*ast.GraphPattern, pred ast.Expr, exprs []ast.Expr) {
	p.print(" ")
	for i, pat := range patterns {
		if i > 0 {
			p.print(", ")
		}
		p.graphPattern(pat)
	}
	if pred != nil {
		p.print(" where ")
		p.expr(pred, ast.PrecOr)
	}
	if len(exprs) > 0 {
		p.print(" project ")
		p.exprList(exprs)
	}
}

func (p *printer) graphPattern(pat *ast.GraphPattern) {
	for i, n := range pat.Nodes {
		if i > 0 && i-1 < len(pat.Edges) {
			p.graphEdge(pat.Edges[i-1])
		}
		p.graphNode(n)
	}
}

func (p *printer) graphNode(n *ast.GraphNode) {
	p.print("(")
	p.ident(n.Name)
	p.print(")")
}

func (p *printer) graphEdge(e *ast.GraphEdge) {
	if !e.Bracketed {
		switch e.Dir {
		case ast.EdgeRight:
			p.print("-->")
		case ast.EdgeLeft:
			p.print("<--")
		default:
			p.print("--")
		}
		return
	}
	if e.Dir == ast.EdgeLeft {
		p.print("<-[")
	} else {
		p.print("-[")
	}
	p.ident(e.Name)
	if e.Min != nil || e.Max != nil {
		p.print("*")
		p.expr(e.Min, ast.PrecUnary)
		p.print("..")
		p.expr(e.Max, ast.PrecUnary)
	}
	if e.Dir == ast.EdgeRight {
		p.print("]->")
	} else {
		p.print("]-")
	}
}

func (p *printer) graphToTablePart(part *ast.GraphToTablePart) {
	p.print(part.Kind)
	if part.Name != nil {
		p.print(" as ")
		p.ident(part.Name)
	}
	p.options(part.Options)
}
