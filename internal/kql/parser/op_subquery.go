package parser

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// fork (query) [name=](query) ...
func (p *parser) parseFork() ast.Operator {
	o := &ast.ForkOp{Fork: p.tok.Pos}
	p.next()
	for {
		b := &ast.ForkBranch{}
		if n := p.scanName(0, token.Binding); n > 0 && p.peek(n).Kind == token.ASSIGN {
			b.Name = p.tryName(token.Binding)
			b.Assign = p.tok.Pos
			p.next()
		} else if p.tok.Kind != token.LPAREN {
			break
		}
		b.Lparen, b.Query, b.Rparen = p.parseSubquery(startAny, "to start the fork branch")
		o.Branches = append(o.Branches, b)
	}
	if len(o.Branches) == 0 {
		p.errorExpected("'(' to start a fork branch")
	}
	return o
}

// facet by col, ... [with (operators) | with operator].
func (p *parser) parseFacet() ast.Operator {
	o := &ast.FacetOp{Facet: p.tok.Pos}
	p.next()
	o.By = p.expectWord("by", " after facet")
	o.Cols = p.parseCommaList(func() ast.Expr { return p.parseEntity(0) }, "a column", true)
	if pos, ok := p.gotWord("with"); ok {
		o.With = pos
		if p.tok.Kind == token.LPAREN {
			paren := &ast.ParenExpr{Lparen: p.tok.Pos}
			p.next()
			paren.X = p.parsePipeExpr(startOperator)
			if paren.X == nil {
				p.errorExpected("a query operator in the facet query")
			}
			paren.Rparen = p.expectClosing(token.RPAREN, " after the facet query")
			o.Query = paren
		} else if op := p.parseOperator(); op != nil {
			o.Query = &ast.PipeExpr{Bars: []token.Pos{token.NoPos}, Ops: []ast.Operator{op}}
		} else {
			p.errorExpected("a query operator after with")
		}
	}
	return o
}

// partition [hint.*] by key [in (...)] (subquery), or the legacy
// partition by key { query }.
func (p *parser) parsePartition() ast.Operator {
	o := &ast.PartitionOp{Partition: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	o.By = p.expectWord("by", " after partition")
	o.Key = p.requireExpr(p.parseEntity(0), "to partition by")
	if pos, ok := p.gotWord("in"); ok {
		o.In = pos
		o.Scope = p.requireExpr(p.parsePostfix(), "after in")
	}
	switch p.tok.Kind {
	case token.LPAREN:
		o.Open, o.Query, o.Close = p.parseSubquery(startOperator, "")
	case token.LBRACE:
		o.Braced = true
		o.Open = p.tok.Pos
		p.next()
		o.Query = p.requireExpr(p.parsePipeExpr(startGeneral), "in the partition query")
		o.Close = p.expectClosing(token.RBRACE, " after the partition query")
	default:
		p.errorExpected("'(' or '{' to start the partition subquery")
	}
	return o
}

// evaluate [hint.*] plugin(args) [: (schema)].
func (p *parser) parseEvaluate() ast.Operator {
	o := &ast.EvaluateOp{Evaluate: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	if !p.tok.Kind.IsWord() {
		p.errorExpected("a plugin name after evaluate")
		return o
	}
	name := &ast.Ident{NamePos: p.tok.Pos, Name: p.tok.Lit}
	p.next()
	if p.tok.Kind != token.LPAREN {
		p.errorExpected("'(' after the plugin name")
		o.Plugin = &ast.CallExpr{Fun: name}
		return o
	}
	o.Plugin = p.parseCall(name)
	if pos, ok := p.got(token.COLON); ok {
		o.Colon = pos
		o.Schema = p.parseSchema("output schema", starFirst)
	}
	return o
}

// scan [with_match_id=id] [order by ...] [partition by ...] [declare (...)]
// with (step ...; step ...;).
func (p *parser) parseScan() ast.Operator {
	o := &ast.ScanOp{Scan: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	if pos, ok := p.gotWord("order"); ok {
		o.Order = pos
		o.OrderBy = p.expectWord("by", " after order")
		o.OrderItems = p.parseOrderedList()
	}
	if pos, ok := p.gotWord("partition"); ok {
		o.Partition = pos
		o.PartitionBy = p.expectWord("by", " after partition")
		o.PartitionExprs = p.parseCommaList(p.parseExpr, "a partition expression", true)
	}
	if pos, ok := p.gotWord("declare"); ok {
		o.Declare = pos
		o.DeclLparen, o.Decls, o.DeclRparen = p.parseParams("scan declarations")
	}
	o.With = p.expectWord("with", " before the scan steps")
	if !o.With.IsValid() {
		return o
	}
	o.Lparen = p.expect(token.LPAREN, " before the scan steps")
	if !o.Lparen.IsValid() {
		return o
	}
	for p.isWord("step") {
		o.Steps = append(o.Steps, p.parseScanStep())
	}
	if len(o.Steps) == 0 {
		p.errorExpected("a scan step")
	}
	o.Rparen = p.expectClosing(token.RPAREN, " after the scan steps")
	return o
}

// parseScanStep parses step name [optional] [output=all|last|none]: cond
// [=> name = expr, ...];
func (p *parser) parseScanStep() *ast.ScanStep {
	s := &ast.ScanStep{Step: p.tok.Pos}
	p.next()
	s.Name = p.parseName(token.Column, "after step")
	if pos, ok := p.gotWord("optional"); ok {
		s.Optional = pos
	}
	if p.isWord("output") && p.peek(1).Kind == token.ASSIGN {
		s.Output = p.parseOption("output", 1)
		// A missing value was reported by parseOption.
		if v, ok := s.Output.Value.(*ast.Ident); s.Output.Value != nil &&
			(!ok || v.Bracketed || v.Name != "all" && v.Name != "last" && v.Name != "none") {
			p.errorf(s.Output.Value.Pos(), "expected all, last or none after output=")
		}
	}
	s.Colon = p.expect(token.COLON, " after the step name")
	s.Cond = p.requireExpr(p.parseExpr(), "for the step condition")
	if pos, ok := p.got(token.ARROW); ok {
		s.Arrow = pos
		for {
			name := p.tryName(token.Column)
			if name == nil {
				p.errorExpected("an assignment name = expr after =>")
				break
			}
			a := &ast.NamedExpr{Names: []*ast.Ident{name}}
			a.Assign = p.expect(token.ASSIGN, " after the name")
			a.X = p.requireExpr(p.parseExpr(), "after '='")
			s.Assigns = append(s.Assigns, a)
			if _, ok := p.got(token.COMMA); !ok {
				break
			}
		}
	}
	s.Semi = p.expect(token.SEMICOLON, " after the scan step")
	return s
}
