package parser

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// summarize [hint.*] [aggs] [by keys [bin = size]].
func (p *parser) parseSummarize() ast.Operator {
	o := &ast.SummarizeOp{Summarize: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	if !p.isWord("by") {
		o.Aggs = p.parseExprList("an aggregation", false)
	}
	if pos, ok := p.gotWord("by"); ok {
		o.By = pos
		o.ByExprs = p.parseCommaList(func() ast.Expr {
			if p.isLegacyBin() {
				return nil
			}
			return p.parseNamedExpr()
		}, "a grouping expression", true)
		if p.isLegacyBin() {
			o.Bin = p.parseOption("bin", 1)
		}
	}
	return o
}

// isLegacyBin reports the legacy "bin = size" clause of summarize ... by.
func (p *parser) isLegacyBin() bool {
	return p.isWord("bin") && p.peek(1).Kind == token.ASSIGN
}

// sort by expr [asc|desc] [nulls first|last], ... (also order by).
func (p *parser) parseSort() ast.Operator {
	o := &ast.SortOp{Sort: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	o.By = p.expectWord("by", " after sort")
	o.Items = p.parseOrderedList()
	return o
}

// top n by expr [asc|desc] [nulls first|last].
func (p *parser) parseTop() ast.Operator {
	o := &ast.TopOp{Top: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	o.Count = p.requireExpr(p.parseNamedExpr(), "after top")
	o.By = p.expectWord("by", " after the number of rows")
	if x := p.requireExpr(p.parseNamedExpr(), "after by"); x != nil {
		o.Item = p.parseOrdered(x, true)
	}
	return o
}

// top-hitters n of col [by expr].
func (p *parser) parseTopHitters() ast.Operator {
	o := &ast.TopHittersOp{TopHitters: p.tok.Pos}
	p.next()
	o.Count = p.requireExpr(p.parseNamedExpr(), "after top-hitters")
	o.Of = p.expectWord("of", " after the number of values")
	o.X = p.requireExpr(p.parseNamedExpr(), "after of")
	if pos, ok := p.gotWord("by"); ok {
		o.By = pos
		o.ByExpr = p.requireExpr(p.parseNamedExpr(), "after by")
	}
	return o
}

// top-nested [n] of expr [with others = v] by agg [asc|desc], top-nested ...
func (p *parser) parseTopNested() ast.Operator {
	o := &ast.TopNestedOp{}
	for {
		c := &ast.TopNestedClause{TopNested: p.tok.Pos}
		p.next()
		if !p.isWord("of") {
			c.Count = p.parseNamedExpr()
		}
		c.Of = p.expectWord("of", " in top-nested")
		c.X = p.requireExpr(p.parseNamedExpr(), "after of")
		if pos, ok := p.gotWord("with"); ok {
			c.With = pos
			c.Others = p.expectWord("others", " after with")
			c.Assign = p.expect(token.ASSIGN, " after others")
			c.OthersValue = p.requireExpr(p.parseExpr(), "after others =")
		}
		c.By = p.expectWord("by", " in top-nested")
		if x := p.requireExpr(p.parseNamedExpr(), "after by"); x != nil {
			c.Item = p.parseOrdered(x, true)
		}
		o.Clauses = append(o.Clauses, c)
		if p.tok.Kind != token.COMMA || !p.peekWord(1, "top-nested") {
			return o
		}
		p.next()
	}
}

// reduce [kind=source] by expr [with threshold=t, characters="c"].
func (p *parser) parseReduce() ast.Operator {
	o := &ast.ReduceOp{Reduce: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	o.By = p.expectWord("by", " after reduce")
	o.X = p.requireExpr(p.parseNamedExpr(), "after by")
	if pos, ok := p.gotWord("with"); ok {
		o.With = pos
		for {
			name, n := p.scanOptionName()
			if n == 0 || p.peek(n).Kind != token.ASSIGN {
				p.errorExpected("threshold= or characters= after with")
				break
			}
			o.WithOptions = append(o.WithOptions, p.parseOption(name, n))
			if _, ok := p.got(token.COMMA); !ok {
				break
			}
		}
	}
	return o
}

// make-series aggs on axis (from a to b step c | in range(a, b, c)) [by keys].
func (p *parser) parseMakeSeries() ast.Operator {
	o := &ast.MakeSeriesOp{MakeSeries: p.tok.Pos}
	p.next()
	o.Options = p.parseOptions()
	for {
		x := p.parseNamedExpr()
		if x == nil {
			p.errorExpected("an aggregation")
			break
		}
		agg := &ast.MakeSeriesAgg{X: x}
		if pos, ok := p.gotWord("default"); ok {
			agg.Default = pos
			agg.Assign = p.expect(token.ASSIGN, " after default")
			agg.DefaultValue = p.requireExpr(p.parseNamedExpr(), "after default =")
		}
		o.Aggs = append(o.Aggs, agg)
		if _, ok := p.got(token.COMMA); !ok {
			break
		}
	}
	o.On = p.expectWord("on", " after the make-series aggregations")
	o.OnExpr = p.requireExpr(p.parseNamedExpr(), "after on")
	switch {
	case p.isWord("from") || p.isWord("to") || p.isWord("step"):
		if pos, ok := p.gotWord("from"); ok {
			o.From = pos
			o.FromExpr = p.requireExpr(p.parseExpr(), "after from")
		}
		if pos, ok := p.gotWord("to"); ok {
			o.To = pos
			o.ToExpr = p.requireExpr(p.parseExpr(), "after to")
		}
		o.Step = p.expectWord("step", " in make-series")
		o.StepExpr = p.requireExpr(p.parseExpr(), "after step")
	default:
		o.In = p.expectWord("in", " or from/to/step after the make-series axis")
		o.Range = p.expectWord("range", " after in")
		o.Lparen = p.expect(token.LPAREN, " after range")
		if o.Lparen.IsValid() {
			o.RangeArgs = p.parseExprList("a range argument", true)
			o.Rparen = p.expectClosing(token.RPAREN, " after the range arguments")
		}
	}
	if pos, ok := p.gotWord("by"); ok {
		o.By = pos
		o.ByExprs = p.parseExprList("a grouping expression", true)
	}
	return o
}
