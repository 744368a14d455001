package parser

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// mv-expand [kind=...] [bagexpansion=...] [with_itemindex=i] items [limit n].
func (p *parser) parseMvExpand() ast.Operator {
	o := &ast.MvExpandOp{MvExpand: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	o.Items = p.parseMvItems()
	if pos, ok := p.gotWord("limit"); ok {
		o.Limit = pos
		o.LimitExpr = p.requireExpr(p.parseExpr(), "after limit")
	}
	return o
}

// mv-apply [with_itemindex=i] items [limit n] [id x] on (subquery).
func (p *parser) parseMvApply() ast.Operator {
	o := &ast.MvApplyOp{MvApply: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	o.Items = p.parseMvItems()
	if pos, ok := p.gotWord("limit"); ok {
		o.Limit = pos
		o.LimitExpr = p.requireExpr(p.parseExpr(), "after limit")
	}
	if pos, ok := p.gotWord("id"); ok {
		o.ID = pos
		o.IDExpr = p.requireExpr(p.parseExpr(), "after id")
	}
	o.On = p.expectWord("on", " before the mv-apply subquery")
	if o.On.IsValid() {
		o.Lparen, o.Subquery, o.Rparen = p.parseSubquery(startOperator, "after on")
	}
	return o
}

// parseMvItems parses [name =] expr [to typeof(type)], ... A single item
// may be just "to typeof(...)".
func (p *parser) parseMvItems() []*ast.MvItem {
	var items []*ast.MvItem
	for {
		item := &ast.MvItem{}
		if !(p.isWord("to") && len(items) == 0) {
			item.X = p.parseNamedExpr()
			if item.X == nil {
				p.errorExpected("an expression to expand")
				return items
			}
		}
		if pos, ok := p.gotWord("to"); ok {
			item.To = pos
			if p.isWord("typeof") && p.peek(1).Kind == token.LPAREN {
				item.Type = p.parseTypeOf()
			} else {
				p.errorExpected("typeof(...) after to")
			}
		}
		items = append(items, item)
		if item.X == nil || p.tok.Kind != token.COMMA {
			return items
		}
		p.next()
	}
}
