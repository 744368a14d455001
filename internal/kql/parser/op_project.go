package parser

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// project [name =] expr, ...
func (p *parser) parseProject() ast.Operator {
	o := &ast.ProjectOp{Project: p.tok.Pos}
	p.next()
	o.Exprs = p.parseExprList("an expression", false)
	return o
}

// extend [name =] expr, ...
func (p *parser) parseExtend() ast.Operator {
	o := &ast.ExtendOp{Extend: p.tok.Pos}
	p.next()
	o.Exprs = p.parseExprList("an expression", true)
	return o
}

// print [name =] expr, ...
func (p *parser) parsePrint() ast.Operator {
	o := &ast.PrintOp{Print: p.tok.Pos}
	p.next()
	o.Exprs = p.parseExprList("an expression", true)
	return o
}

// project-away col, pattern*, ...
func (p *parser) parseProjectAway() ast.Operator {
	o := &ast.ProjectAwayOp{ProjectAway: p.tok.Pos}
	p.next()
	o.Cols = p.parseCommaList(p.parseNameOrWildcard, "a column name", false)
	return o
}

// project-keep col, pattern*, ...
func (p *parser) parseProjectKeep() ast.Operator {
	o := &ast.ProjectKeepOp{ProjectKeep: p.tok.Pos}
	p.next()
	o.Cols = p.parseCommaList(p.parseNameOrWildcard, "a column name", false)
	return o
}

// project-rename new = old, ...
func (p *parser) parseProjectRename() ast.Operator {
	o := &ast.ProjectRenameOp{ProjectRename: p.tok.Pos}
	p.next()
	o.Exprs = p.parseExprList("new = old", false)
	return o
}

// project-reorder col [asc|desc|granny-asc|granny-desc], ...
func (p *parser) parseProjectReorder() ast.Operator {
	o := &ast.ProjectReorderOp{ProjectReorder: p.tok.Pos}
	p.next()
	for {
		x := p.parseNameOrWildcard()
		if x == nil {
			if len(o.Items) > 0 {
				p.errorExpected("a column name after ','")
			}
			break
		}
		o.Items = append(o.Items, p.parseOrdered(x, false))
		if _, ok := p.got(token.COMMA); !ok {
			break
		}
	}
	return o
}

// project-by-names names, ...: names are strings, dynamic arrays or
// expressions that compute them.
func (p *parser) parseProjectByNames() ast.Operator {
	o := &ast.ProjectByNamesOp{ProjectByNames: p.tok.Pos}
	p.next()
	o.Exprs = p.parseCommaList(p.parseExpr, "a column name expression", true)
	return o
}

// range x from a to b step c.
func (p *parser) parseRange() ast.Operator {
	o := &ast.RangeOp{Range: p.tok.Pos}
	p.next()
	o.Name = p.parseName(token.Binding, "after range")
	o.From = p.expectWord("from", " after the range column")
	o.FromExpr = p.requireExpr(p.parseExpr(), "after from")
	o.To = p.expectWord("to", " after the range start")
	o.ToExpr = p.requireExpr(p.parseExpr(), "after to")
	o.Step = p.expectWord("step", " after the range end")
	o.StepExpr = p.requireExpr(p.parseExpr(), "after step")
	return o
}
