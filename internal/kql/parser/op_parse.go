package parser

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// parse [kind=simple|regex|relaxed] [flags=...] expr with pattern, and
// parse-where. The pattern is a sequence, without commas, of "*", string
// literals and captured columns (name or name:type).
func (p *parser) parseParse() ast.Operator {
	o := &ast.ParseOp{Parse: p.tok.Pos, Where: p.tok.Lit == "parse-where"}
	p.next()
	o.Options = p.parseOptions("flags")
	o.X = p.requireExpr(p.parseExpr(), "to parse")
	o.With = p.expectWord("with", " before the parse pattern")
	if !o.With.IsValid() {
		return o
	}
	for {
		var item ast.Expr
		switch {
		case p.tok.Kind == token.MUL:
			item = &ast.Star{Star: p.tok.Pos}
			p.next()
		case p.tok.Kind == token.STRING:
			item = p.parseStringLit()
		default:
			name := p.tryName(token.Column)
			if name == nil {
				break
			}
			if p.tok.Kind == token.COLON {
				c := &ast.ColumnDecl{Name: name, Colon: p.tok.Pos}
				p.next()
				c.Type = p.parseType(noStar)
				item = c
			} else {
				item = name
			}
		}
		if item == nil {
			break
		}
		o.Pattern = append(o.Pattern, item)
	}
	if len(o.Pattern) == 0 {
		p.errorExpected("a parse pattern after with")
	}
	return o
}

// parse-kv expr as (schema) [with (pair_delimiter=..., kv_delimiter=...,
// quote=..., escape=..., greedy=..., regex=...)].
func (p *parser) parseParseKv() ast.Operator {
	o := &ast.ParseKvOp{ParseKv: p.tok.Pos}
	p.next()
	o.X = p.requireExpr(p.parseExpr(), "to parse")
	o.As = p.expectWord("as", " before the parse-kv schema")
	o.Schema = p.parseSchema("parse-kv schema", noStar)
	if p.isWord("with") {
		o.With = p.parseWithProps(p.parseOptionValue)
	}
	return o
}
