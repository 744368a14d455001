package parser

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// parseDataTable parses datatable(schema) [values]. The values are
// literals, row after row; a trailing comma is allowed.
func (p *parser) parseDataTable() ast.Expr {
	d := &ast.DataTableExpr{DataTable: p.tok.Pos}
	p.next()
	d.Options = p.parseOptions()
	d.Schema = p.parseSchema("datatable schema", noStar)
	d.Lbrack = p.expect(token.LBRACK, " before the datatable values")
	if !d.Lbrack.IsValid() {
		return d
	}
	p.got(token.COMMA) // Kusto tolerates a leading comma
	d.Values = p.parseLiteralList(token.RBRACK, "a literal value")
	d.Rbrack = p.expectClosing(token.RBRACK, " after the datatable values")
	return d
}

// parseLiteralList parses literals separated by commas up to the closing
// token, allowing a trailing comma.
func (p *parser) parseLiteralList(closing token.Kind, what string) []ast.Expr {
	var list []ast.Expr
	for p.tok.Kind != closing {
		x := p.parseLiteral()
		if x == nil {
			p.errorExpected(what)
			break
		}
		list = append(list, x)
		if _, ok := p.got(token.COMMA); !ok {
			break
		}
	}
	return list
}

// parseExternalData parses externaldata(schema) [uris] [with (props)].
func (p *parser) parseExternalData() ast.Expr {
	e := &ast.ExternalDataExpr{Keyword: p.tok.Pos, Name: p.tok.Lit}
	p.next()
	e.Options = p.parseOptions()
	e.Schema = p.parseSchema("externaldata schema", noStar)
	e.Lbrack = p.expect(token.LBRACK, " before the externaldata URIs")
	if e.Lbrack.IsValid() {
		e.URIs = p.parseLiteralList(token.RBRACK, "a URI string")
		e.Rbrack = p.expectClosing(token.RBRACK, " after the externaldata URIs")
	}
	if p.isWord("with") {
		e.With = p.parseWithProps(p.parsePropertyValue)
	}
	return e
}

// parsePropertyValue parses the value of a with(...) property: a literal,
// a raw GUID or a word.
func (p *parser) parsePropertyValue(name string) ast.Expr {
	if p.tok.Kind == token.GUID {
		return p.basicLit(ast.LitGUID)
	}
	return p.parseOptionValue(name)
}
