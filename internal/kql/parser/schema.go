package parser

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// starRule says where a schema may hold "*" (any other columns).
type starRule uint8

const (
	noStar    starRule = iota // datatable, externaldata, parse-kv: only named columns
	starFirst                 // evaluate's output schema and typeof: (*, a:long)
	starAlone                 // a tabular parameter of any schema: (*)
)

// parseSchema parses (name:type, ...), allowing a trailing comma.
func (p *parser) parseSchema(context string, stars starRule) *ast.SchemaType {
	p.enter()
	defer p.leave()
	s := &ast.SchemaType{}
	s.Lparen = p.expect(token.LPAREN, " to start the "+context)
	if !s.Lparen.IsValid() {
		return s
	}
	p.got(token.COMMA) // Kusto tolerates a leading comma
	if p.tok.Kind != token.RPAREN {
		s.Columns = p.parseColumnDecls(stars)
	}
	s.Rparen = p.expectClosing(token.RPAREN, " to end the "+context)
	return s
}

// parseColumnDecls parses name:type or * items separated by commas; a
// trailing comma is allowed as in Kusto.
func (p *parser) parseColumnDecls(stars starRule) []*ast.ColumnDecl {
	var cols []*ast.ColumnDecl
	for {
		if p.tok.Kind == token.MUL {
			switch {
			case stars == starFirst && len(cols) == 0:
			case stars == starAlone && len(cols) == 0 && p.peek(1).Kind == token.RPAREN:
			case stars == starAlone:
				p.errorf(p.tok.Pos, "'*' must stand alone in a tabular parameter type: (*)")
			case stars == starFirst:
				p.errorf(p.tok.Pos, "'*' must come first in the schema")
			default:
				p.errorf(p.tok.Pos, "'*' is not allowed in this schema")
			}
		}
		c := p.parseColumnDecl()
		if c == nil {
			p.errorExpected("a column declaration name:type")
			return cols
		}
		cols = append(cols, c)
		if _, ok := p.got(token.COMMA); !ok || p.tok.Kind == token.RPAREN {
			return cols
		}
	}
}

func (p *parser) parseColumnDecl() *ast.ColumnDecl {
	if p.tok.Kind == token.MUL {
		c := &ast.ColumnDecl{Star: p.tok.Pos}
		p.next()
		return c
	}
	name := p.tryName(token.Column)
	if name == nil {
		return nil
	}
	c := &ast.ColumnDecl{Name: name}
	c.Colon = p.expect(token.COLON, " after the column name")
	c.Type = p.parseType(noStar)
	return c
}

// parseType parses a scalar type name or a schema.
func (p *parser) parseType(stars starRule) ast.TypeExpr {
	if p.tok.Kind == token.LPAREN {
		return p.parseSchema("schema", stars)
	}
	if p.tok.Kind.IsWord() {
		t := &ast.ScalarType{NamePos: p.tok.Pos, Name: p.tok.Lit}
		p.next()
		return t
	}
	p.errorExpected("a type")
	return nil
}

// parseParams parses (name:type [= default], ...).
func (p *parser) parseParams(what string) (lparen token.Pos, params []*ast.Param, rparen token.Pos) {
	lparen = p.expect(token.LPAREN, " to start the "+what)
	if !lparen.IsValid() {
		return
	}
	for p.tok.Kind != token.RPAREN || len(params) > 0 {
		name := p.tryName(token.Column)
		if name == nil {
			p.errorExpected("a parameter name")
			break
		}
		prm := &ast.Param{Name: name}
		prm.Colon = p.expect(token.COLON, " after the parameter name")
		prm.Type = p.parseType(starAlone)
		if pos, ok := p.got(token.ASSIGN); ok {
			prm.Assign = pos
			prm.Default = p.parseLiteral()
			if prm.Default == nil && p.tok.Kind.IsWord() {
				prm.Default = p.parseWord("")
			}
			if prm.Default == nil {
				p.errorExpected("a default value")
			}
		}
		params = append(params, prm)
		if _, ok := p.got(token.COMMA); !ok {
			break
		}
	}
	rparen = p.expectClosing(token.RPAREN, " to end the "+what)
	return
}
