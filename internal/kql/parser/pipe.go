package parser

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// pipeStart says how a pipeline may start.
type pipeStart uint8

const (
	// startGeneral is a pipeline in a statement, in parentheses, in an in
	// list: it starts with an expression, or with one of the operators
	// that produce a table (print, range, union, ...) or whose name cannot
	// be a table name (where, project, mv-expand, ...). "take 1" there is
	// the name take followed by junk, as in Kusto.
	startGeneral pipeStart = iota
	// startOperator is a sub-query that reads an implicit input: the
	// operands of mv-apply, partition and facet. It must start with an
	// operator, any operator.
	startOperator
	// startAny is a fork branch: any operator, or an expression.
	startAny
)

// sourceOperators are the operators that start a pipeline although their
// names may also be names.
var sourceOperators = map[string]bool{
	"print": true, "range": true, "union": true, "search": true, "find": true, "evaluate": true,
}

// parsePipeExpr parses a pipeline: an expression or an operator, then
// "| operator" any number of times. It returns nil if nothing was parsed.
func (p *parser) parsePipeExpr(start pipeStart) ast.Expr {
	pipe := &ast.PipeExpr{}
	opFirst := start != startGeneral || p.tok.Kind == token.KEYWORD ||
		p.tok.Kind == token.IDENT && (sourceOperators[p.tok.Lit] || token.IsReserved(p.tok.Lit, token.Reference))
	if opFirst {
		if op := p.parseOperator(); op != nil {
			pipe.Bars = append(pipe.Bars, token.NoPos)
			pipe.Ops = append(pipe.Ops, op)
		} else if start == startOperator {
			return nil
		}
	}
	if len(pipe.Ops) == 0 {
		pipe.Source = p.parseExpr()
		if pipe.Source == nil {
			return nil
		}
	}
	for p.tok.Kind == token.PIPE {
		bar := p.tok.Pos
		p.next()
		op := p.parseOperator()
		if op == nil {
			p.errorExpected("a query operator after '|'")
			p.syncOperator()
			continue
		}
		pipe.Bars = append(pipe.Bars, bar)
		pipe.Ops = append(pipe.Ops, op)
	}
	if len(pipe.Ops) == 0 {
		return pipe.Source
	}
	return pipe
}

// unsupportedOperators are operators of the full Kusto language that
// Vigil does not parse. They are reported by name rather than as unknown
// words.
var unsupportedOperators = map[string]string{
	"macro-expand":      "macro-expand (entity groups) is not supported",
	"graph-merge":       "graph-merge is not supported",
	"partition-by":      "partition-by is not supported; use partition",
	"execute-and-cache": "execute-and-cache is not supported",
	"__executeAndCache": "__executeAndCache is not supported",
}

// parseOperator parses the tabular operator at the current token, or
// returns nil (without error) if the token does not start one.
func (p *parser) parseOperator() ast.Operator {
	if !p.tok.Kind.IsWord() {
		return nil
	}
	p.enter()
	defer p.leave()
	if msg, ok := unsupportedOperators[p.tok.Lit]; ok {
		p.errorf(p.tok.Pos, "%s", msg)
		return nil
	}
	switch p.tok.Lit {
	case "as":
		return p.parseAs()
	case "assert-schema":
		return p.parseAssertSchema()
	case "consume":
		return p.parseConsume()
	case "count":
		if p.peek(1).Kind != token.LPAREN { // count() is the aggregate
			return p.parseCount()
		}
	case "distinct":
		return p.parseDistinct()
	case "evaluate":
		return p.parseEvaluate()
	case "extend":
		return p.parseExtend()
	case "facet":
		return p.parseFacet()
	case "find":
		return p.parseFind()
	case "fork":
		return p.parseFork()
	case "getschema":
		return p.parseGetSchema()
	case "graph-mark-components":
		return p.parseGraphMarkComponents()
	case "graph-match":
		return p.parseGraphMatch()
	case "graph-shortest-paths":
		return p.parseGraphShortestPaths()
	case "graph-to-table":
		return p.parseGraphToTable()
	case "invoke":
		return p.parseInvoke()
	case "join":
		return p.parseJoin()
	case "lookup":
		return p.parseLookup()
	case "make-graph":
		return p.parseMakeGraph()
	case "make-series":
		return p.parseMakeSeries()
	case "mv-apply", "mvapply":
		return p.parseMvApply()
	case "mv-expand", "mvexpand":
		return p.parseMvExpand()
	case "parse", "parse-where":
		return p.parseParse()
	case "parse-kv":
		return p.parseParseKv()
	case "partition":
		return p.parsePartition()
	case "print":
		return p.parsePrint()
	case "project":
		return p.parseProject()
	case "project-away":
		return p.parseProjectAway()
	case "project-keep":
		return p.parseProjectKeep()
	case "project-rename":
		return p.parseProjectRename()
	case "project-reorder":
		return p.parseProjectReorder()
	case "project-by-names":
		return p.parseProjectByNames()
	case "range":
		if p.peek(1).Kind != token.LPAREN { // range() is the function
			return p.parseRange()
		}
	case "reduce":
		return p.parseReduce()
	case "render":
		return p.parseRender()
	case "sample":
		return p.parseSample()
	case "sample-distinct":
		return p.parseSampleDistinct()
	case "scan":
		return p.parseScan()
	case "search":
		return p.parseSearch()
	case "serialize":
		return p.parseSerialize()
	case "sort", "order":
		return p.parseSort()
	case "summarize":
		return p.parseSummarize()
	case "take", "limit":
		return p.parseTake()
	case "top":
		return p.parseTop()
	case "top-hitters":
		return p.parseTopHitters()
	case "top-nested":
		return p.parseTopNested()
	case "union":
		return p.parseUnion()
	case "where", "filter":
		return p.parseWhere()
	}
	return nil
}

// parseExprList parses a comma list of (named) expressions, the body of
// extend, project, print, summarize and most other operators.
func (p *parser) parseExprList(what string, required bool) []ast.Expr {
	return p.parseCommaList(p.parseNamedExpr, what, required)
}

// parseSubquery parses ( pipeline ), the operand of mv-apply, partition,
// make-graph and fork.
func (p *parser) parseSubquery(start pipeStart, context string) (lparen token.Pos, x ast.Expr, rparen token.Pos) {
	lparen = p.expect(token.LPAREN, " "+context)
	if !lparen.IsValid() {
		return
	}
	x = p.parsePipeExpr(start)
	if x == nil {
		if start == startOperator {
			p.errorExpected("a query operator in the subquery")
		} else {
			p.errorExpected("a query in the subquery")
		}
	}
	rparen = p.expectClosing(token.RPAREN, " after the subquery")
	return
}

// parseOrdered parses expr [asc|desc|granny-asc|granny-desc] [nulls
// first|last]. withNulls is false for project-reorder.
func (p *parser) parseOrdered(x ast.Expr, withNulls bool) *ast.OrderedExpr {
	o := &ast.OrderedExpr{X: x}
	if p.tok.Kind.IsWord() {
		switch p.tok.Lit {
		case "asc":
			o.Dir = ast.SortAsc
		case "desc":
			o.Dir = ast.SortDesc
		case "granny-asc":
			o.Dir = ast.SortGrannyAsc
		case "granny-desc":
			o.Dir = ast.SortGrannyDesc
		}
		if o.Dir != ast.SortDefault {
			o.DirPos = p.tok.Pos
			p.next()
		}
	}
	if withNulls && p.isWord("nulls") {
		o.NullsPos = p.tok.Pos
		p.next()
		switch {
		case p.isWord("first"):
			o.Nulls = ast.NullsFirst
		case p.isWord("last"):
			o.Nulls = ast.NullsLast
		default:
			p.errorExpected("'first' or 'last' after nulls")
			return o
		}
		o.WhichPos = p.tok.Pos
		p.next()
	}
	return o
}

// parseOrderedList parses a comma list of ordered expressions.
func (p *parser) parseOrderedList() []*ast.OrderedExpr {
	var items []*ast.OrderedExpr
	for {
		x := p.parseNamedExpr()
		if x == nil {
			p.errorExpected("an expression to sort by")
			return items
		}
		items = append(items, p.parseOrdered(x, true))
		if _, ok := p.got(token.COMMA); !ok {
			return items
		}
	}
}
