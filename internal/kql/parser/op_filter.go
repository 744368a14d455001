package parser

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// where pred, filter pred. As in Kusto, the predicate may be written
// name = value; the binder rejects it with a hint to use ==.
func (p *parser) parseWhere() ast.Operator {
	o := &ast.WhereOp{Where: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	o.Pred = p.requireExpr(p.parseNamedExpr(), "after where")
	return o
}

// take n, limit n.
func (p *parser) parseTake() ast.Operator {
	o := &ast.TakeOp{Take: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	o.Count = p.requireExpr(p.parseNamedExpr(), "after take")
	return o
}

// sample n.
func (p *parser) parseSample() ast.Operator {
	o := &ast.SampleOp{Sample: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	o.Count = p.requireExpr(p.parseNamedExpr(), "after sample")
	return o
}

// sample-distinct n of col.
func (p *parser) parseSampleDistinct() ast.Operator {
	o := &ast.SampleDistinctOp{SampleDistinct: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	o.Count = p.requireExpr(p.parseNamedExpr(), "after sample-distinct")
	o.Of = p.expectWord("of", " after the sample size")
	o.X = p.requireExpr(p.parseNamedExpr(), "after of")
	return o
}

// count [as name].
func (p *parser) parseCount() ast.Operator {
	o := &ast.CountOp{Count: p.tok.Pos}
	p.next()
	if pos, ok := p.gotWord("as"); ok {
		o.As = pos
		o.Name = p.parseName(token.Binding, "after count as")
	}
	return o
}

// distinct *, distinct a, b.
func (p *parser) parseDistinct() ast.Operator {
	o := &ast.DistinctOp{Distinct: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	o.Exprs = p.parseCommaList(func() ast.Expr {
		if p.tok.Kind == token.MUL {
			s := &ast.Star{Star: p.tok.Pos}
			p.next()
			return s
		}
		return p.parseNamedExpr()
	}, "a column or '*'", true)
	return o
}

// serialize [name = expr, ...].
func (p *parser) parseSerialize() ast.Operator {
	o := &ast.SerializeOp{Serialize: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	o.Exprs = p.parseExprList("an expression", false)
	return o
}

// getschema [kind=csl].
func (p *parser) parseGetSchema() ast.Operator {
	o := &ast.GetSchemaOp{GetSchema: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	return o
}

// consume [decodeblocks=true].
func (p *parser) parseConsume() ast.Operator {
	o := &ast.ConsumeOp{Consume: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	return o
}

// as [hint.materialized=true] name.
func (p *parser) parseAs() ast.Operator {
	o := &ast.AsOp{As: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	o.Name = p.parseName(token.Binding, "after as")
	return o
}

// assert-schema (schema).
func (p *parser) parseAssertSchema() ast.Operator {
	o := &ast.AssertSchemaOp{AssertSchema: p.tok.Pos}
	p.next()
	o.Schema = p.parseSchema("schema", noStar)
	return o
}

// invoke f(args), invoke database("d").f(args).
func (p *parser) parseInvoke() ast.Operator {
	o := &ast.InvokeOp{Invoke: p.tok.Pos}
	p.next()
	x := p.parsePostfix()
	if _, ok := x.(*ast.CallExpr); !ok {
		if x == nil {
			p.errorExpected("a function call after invoke")
		} else {
			p.errorf(x.Pos(), "expected a function call after invoke")
		}
	}
	o.Call = x
	return o
}
