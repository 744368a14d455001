package parser

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// join [kind=...] [hint.*=...] right [on conditions | where condition].
// Kusto parses a join without a condition and rejects it in the binder,
// so the parser does too.
func (p *parser) parseJoin() ast.Operator {
	o := &ast.JoinOp{Join: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	o.Right = p.requireExpr(p.parseExpr(), "for the right side of join")
	if pos, ok := p.gotWord("on"); ok {
		o.On = pos
		o.OnExprs = p.parseCommaList(p.parseExpr, "a join condition", true)
	} else if pos, ok := p.gotWord("where"); ok {
		o.Where = pos
		o.WhereExpr = p.requireExpr(p.parseExpr(), "after where")
	}
	return o
}

// lookup [kind=leftouter|inner] right on conditions.
func (p *parser) parseLookup() ast.Operator {
	o := &ast.LookupOp{Lookup: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	o.Right = p.requireExpr(p.parseExpr(), "for the right side of lookup")
	o.On = p.expectWord("on", " after the lookup table")
	if o.On.IsValid() {
		o.OnExprs = p.parseCommaList(p.parseExpr, "a lookup condition", true)
	}
	return o
}

// union [kind=inner|outer] [withsource=T] [isfuzzy=true] tables.
func (p *parser) parseUnion() ast.Operator {
	o := &ast.UnionOp{Union: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions("best_effort")
	o.Tables = p.parseCommaList(func() ast.Expr { return p.parseEntity(entityCalls | entityWildcards | entityParens) }, "a table", true)
	return o
}

// parseTableList parses in (tables) of find and search.
func (p *parser) parseTableList() (in, lparen token.Pos, tables []ast.Expr, rparen token.Pos) {
	in = p.tok.Pos
	p.next()
	lparen = p.expect(token.LPAREN, " after in")
	if !lparen.IsValid() {
		return
	}
	tables = p.parseCommaList(func() ast.Expr { return p.parseEntity(entityCalls | entityWildcards) }, "a table", true)
	rparen = p.expectClosing(token.RPAREN, " after the tables")
	return
}

// find [withsource=T] [in (tables)] where pred [project cols | project-smart].
func (p *parser) parseFind() ast.Operator {
	o := &ast.FindOp{Find: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions("datascope")
	if p.isWord("in") {
		o.In, o.Lparen, o.Tables, o.Rparen = p.parseTableList()
	}
	needWhere := o.In.IsValid()
	for _, opt := range o.Options {
		needWhere = needWhere || opt.Name != "datascope"
	}
	if needWhere {
		o.Where = p.expectWord("where", " before the find predicate")
	} else if pos, ok := p.gotWord("where"); ok {
		o.Where = pos
	}
	o.Pred = p.requireExpr(p.parseSearchPredicate(), "for find")
	switch {
	case p.isWord("project-smart"):
		o.Project = p.tok.Pos
		o.ProjectSmart = true
		p.next()
	case p.isWord("project"):
		o.Project = p.tok.Pos
		p.next()
		o.Columns = p.parseCommaList(p.parseFindColumn, "a column", true)
	}
	return o
}

// parseFindColumn parses a column of find ... project: pack_all(), pack(*), *, name or
// name:type.
func (p *parser) parseFindColumn() ast.Expr {
	if p.tok.Kind == token.MUL {
		s := &ast.Star{Star: p.tok.Pos}
		p.next()
		return s
	}
	if (p.isWord("pack") || p.isWord("pack_all")) && p.peek(1).Kind == token.LPAREN {
		return p.parseCall(p.parseWord(""))
	}
	name := p.tryName(token.Reference)
	if name == nil {
		return nil
	}
	if p.tok.Kind != token.COLON {
		return name
	}
	c := &ast.ColumnDecl{Name: name, Colon: p.tok.Pos}
	p.next()
	c.Type = p.parseType(noStar)
	return c
}

// search [kind=...] [in (tables)] pred.
func (p *parser) parseSearch() ast.Operator {
	o := &ast.SearchOp{Search: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions("datascope")
	if p.isWord("in") {
		o.In, o.Lparen, o.Tables, o.Rparen = p.parseTableList()
	}
	o.Pred = p.requireExpr(p.parseSearchPredicate(), "for search")
	return o
}

// parseSearchPredicate parses the predicate of search and find, which may
// be a lone "*" (search *), optionally followed by "and" and more terms.
func (p *parser) parseSearchPredicate() ast.Expr {
	if x := p.parseExpr(); x != nil {
		return x
	}
	if p.tok.Kind != token.MUL {
		return nil
	}
	var x ast.Expr = &ast.Star{Star: p.tok.Pos}
	p.next()
	if pos, ok := p.gotWord("and"); ok {
		y := p.requireExpr(p.parseExpr(), "after 'and'")
		x = &ast.BinaryExpr{X: x, OpPos: pos, Op: ast.And, Y: y}
	}
	return x
}
