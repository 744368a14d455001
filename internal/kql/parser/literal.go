package parser

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/scanner"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// parseLiteral parses a literal, including a signed number (-1, +1.5, -1d)
// written without a space after the sign, dynamic(...) and typeof(...).
// It returns nil if there is no literal.
func (p *parser) parseLiteral() ast.Expr {
	switch p.tok.Kind {
	case token.STRING:
		return p.parseStringLit()
	case token.BOOL:
		return p.basicLit(ast.LitBool)
	case token.LONG:
		return p.basicLit(ast.LitLong)
	case token.REAL:
		return p.basicLit(ast.LitReal)
	case token.TIMESPAN:
		return p.basicLit(ast.LitTimespan)
	case token.TYPED:
		return p.parseTypedLit()
	case token.GUID:
		p.errorf(p.tok.Pos, "a GUID must be written guid(%s)", p.tok.Lit)
		return p.basicLit(ast.LitGUID)
	case token.SUB, token.ADD:
		next := p.peek(1)
		if p.adjacent(0) && (next.Kind == token.LONG || next.Kind == token.REAL || next.Kind == token.TIMESPAN) {
			kind := map[token.Kind]ast.LitKind{token.LONG: ast.LitLong, token.REAL: ast.LitReal, token.TIMESPAN: ast.LitTimespan}[next.Kind]
			lit := &ast.BasicLit{ValuePos: p.tok.Pos, Kind: kind, Value: p.tok.Lit + next.Lit}
			p.next()
			p.next()
			return lit
		}
	case token.IDENT:
		if p.peek(1).Kind == token.LPAREN {
			switch p.tok.Lit {
			case "dynamic":
				return p.parseDynamic()
			case "typeof":
				return p.parseTypeOf()
			}
		}
	}
	return nil
}

func (p *parser) basicLit(kind ast.LitKind) *ast.BasicLit {
	lit := &ast.BasicLit{ValuePos: p.tok.Pos, Kind: kind, Value: p.tok.Lit}
	p.next()
	return lit
}

// parseTypedLit splits a TYPED token: datetime(2024-01-01) has type
// datetime and body 2024-01-01.
func (p *parser) parseTypedLit() *ast.TypedLit {
	lit := p.tok.Lit
	open := 0
	for open < len(lit) && lit[open] != '(' {
		open++
	}
	t := &ast.TypedLit{TypePos: p.tok.Pos, Type: lit[:open]}
	body := lit[open+1:]
	if len(body) > 0 && body[len(body)-1] == ')' {
		t.Rparen = p.tok.Pos + token.Pos(len(lit)-1)
		body = body[:len(body)-1]
	}
	t.Body = body
	p.next()
	return t
}

// parseDynamic parses dynamic(json).
func (p *parser) parseDynamic() *ast.DynamicLit {
	d := &ast.DynamicLit{Dynamic: p.tok.Pos}
	p.next()
	d.Lparen = p.expect(token.LPAREN, " after dynamic")
	d.Value = p.parseJSONValue()
	if d.Value == nil {
		p.errorExpected("a JSON value in dynamic(...)")
	}
	d.Rparen = p.expectClosing(token.RPAREN, " after the dynamic value")
	return d
}

// parseJSONValue parses a value inside dynamic(...): a literal, null, an
// array or an object. Names and computed values are not allowed there.
func (p *parser) parseJSONValue() ast.Expr {
	p.enter()
	defer p.leave()
	switch p.tok.Kind {
	case token.LBRACK:
		a := &ast.JSONArray{Lbrack: p.tok.Pos}
		p.next()
		if p.tok.Kind != token.RBRACK {
			a.Elems = p.parseCommaList(p.parseJSONValue, "a JSON value", true)
		}
		a.Rbrack = p.expectClosing(token.RBRACK, " after the array elements")
		return a
	case token.LBRACE:
		o := &ast.JSONObject{Lbrace: p.tok.Pos}
		p.next()
		for p.tok.Kind != token.RBRACE || len(o.Pairs) > 0 {
			if p.tok.Kind != token.STRING {
				p.errorExpected("a string property name")
				break
			}
			// A key is one string: adjacent strings do not concatenate here.
			pair := &ast.JSONPair{Key: &ast.StringLit{Parts: []ast.StringPart{{Pos: p.tok.Pos, Raw: p.tok.Lit}}}}
			pair.Key.Value, _ = scanner.Unquote(p.tok.Lit)
			p.next()
			pair.Colon = p.expect(token.COLON, " after the property name")
			pair.Value = p.parseJSONValue()
			if pair.Value == nil {
				p.errorExpected("a JSON value")
			}
			o.Pairs = append(o.Pairs, pair)
			if _, ok := p.got(token.COMMA); !ok {
				break
			}
		}
		o.Rbrace = p.expectClosing(token.RBRACE, " after the object properties")
		return o
	case token.IDENT:
		if p.tok.Lit == "null" {
			return p.basicLit(ast.LitNull)
		}
		if p.tok.Lit == "dynamic" && p.peek(1).Kind == token.LPAREN {
			return p.parseDynamic()
		}
		return nil
	case token.SUB:
		// A sign with a space before the number, which Kusto accepts in
		// JSON: keep it as a unary minus so the positions stay exact.
		if k := p.peek(1).Kind; !p.adjacent(0) && (k == token.LONG || k == token.REAL) {
			u := &ast.UnaryExpr{OpPos: p.tok.Pos, Op: token.SUB}
			p.next()
			u.X = p.parseLiteral()
			return u
		}
	}
	return p.parseLiteral()
}

// parseTypeOf parses typeof(type) or typeof(name:type, ...).
func (p *parser) parseTypeOf() *ast.TypeOfExpr {
	t := &ast.TypeOfExpr{TypeOf: p.tok.Pos}
	p.next()
	s := &ast.SchemaType{Lparen: p.tok.Pos}
	t.Schema = s
	p.next() // ( (checked by the caller)
	if p.tok.Kind.IsWord() && p.peek(1).Kind == token.RPAREN {
		s.Columns = []*ast.ColumnDecl{{Type: &ast.ScalarType{NamePos: p.tok.Pos, Name: p.tok.Lit}}}
		p.next()
	} else if p.tok.Kind != token.RPAREN {
		s.Columns = p.parseColumnDecls(starFirst)
	}
	s.Rparen = p.expectClosing(token.RPAREN, " after the type")
	return t
}
