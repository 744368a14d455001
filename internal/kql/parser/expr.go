package parser

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// KQL's expression grammar, lowest precedence first:
//
//	or
//	and
//	== != <> in !in in~ !in~ has_any has_all between !between   (no chaining)
//	< <= > >=                                                    (no chaining)
//	+ -
//	* / %
//	=~ !~ has contains startswith ... matches regex :           (string operators)
//	- + (unary, applied to a postfix expression)
//	x.y x[i] f(...) and primaries
//
// The string operators bind tighter than arithmetic, as in Kusto.

// requireExpr reports a missing expression and returns x unchanged.
func (p *parser) requireExpr(x ast.Expr, context string) ast.Expr {
	if x == nil {
		p.errorExpected("an expression " + context)
	}
	return x
}

// parseExpr parses a scalar expression (no pipe, no name =).
func (p *parser) parseExpr() ast.Expr {
	return p.parseOr()
}

func (p *parser) parseOr() ast.Expr {
	x := p.parseAnd()
	for x != nil && p.isWord("or") {
		pos := p.tok.Pos
		p.next()
		y := p.requireExpr(p.parseAnd(), "after 'or'")
		x = &ast.BinaryExpr{X: x, OpPos: pos, Op: ast.Or, Y: y}
	}
	return x
}

func (p *parser) parseAnd() ast.Expr {
	x := p.parseEquality()
	for x != nil && p.isWord("and") {
		pos := p.tok.Pos
		p.next()
		y := p.requireExpr(p.parseEquality(), "after 'and'")
		x = &ast.BinaryExpr{X: x, OpPos: pos, Op: ast.And, Y: y}
	}
	return x
}

// equalityOp returns the equality-level operator at the current token.
func (p *parser) equalityOp() (ast.BinaryOp, bool) {
	switch p.tok.Kind {
	case token.EQL:
		return ast.Eql, true
	case token.NEQ, token.LTGT:
		return ast.Neq, true
	case token.IDENT, token.KEYWORD:
		switch p.tok.Lit {
		case "in":
			// make-series ... on t in range(...) is not the in operator.
			if p.peekWord(1, "range") {
				return 0, false
			}
			return ast.In, true
		case "!in":
			return ast.NotIn, true
		case "in~":
			return ast.InCs, true
		case "!in~":
			return ast.NotInCs, true
		case "has_any":
			return ast.HasAny, true
		case "has_all":
			return ast.HasAll, true
		case "between":
			return ast.Between, true
		case "!between":
			return ast.NotBetween, true
		}
	}
	return 0, false
}

func (p *parser) parseEquality() ast.Expr {
	x := p.parseRelational()
	for n := 0; x != nil; n++ {
		op, ok := p.equalityOp()
		if !ok {
			break
		}
		if n > 0 {
			p.errorf(p.tok.Pos, "unexpected '%s': comparisons do not chain, add parentheses", p.tok.Lit)
		}
		pos := p.tok.Pos
		p.next()
		switch op {
		case ast.Between, ast.NotBetween:
			x = p.parseBetween(x, pos, op == ast.NotBetween)
		case ast.Eql, ast.Neq:
			y := p.requireExpr(p.parseRelational(), "after '"+op.String()+"'")
			x = &ast.BinaryExpr{X: x, OpPos: pos, Op: op, Y: y}
		default:
			x = p.parseInList(x, pos, op)
		}
	}
	return x
}

// parseInList parses the (list) of in, !in, in~, !in~, has_any, has_all.
// The list is either expressions or a single tabular expression:
// x in (T | project y). As in Kusto, a pipeline cannot be one of several
// elements.
func (p *parser) parseInList(x ast.Expr, pos token.Pos, op ast.BinaryOp) ast.Expr {
	p.enter()
	defer p.leave()
	e := &ast.InExpr{X: x, OpPos: pos, Op: op}
	e.Lparen = p.expect(token.LPAREN, " after '"+op.String()+"'")
	if !e.Lparen.IsValid() {
		return e
	}
	first := p.parsePipeExpr(startGeneral)
	if first == nil {
		p.errorExpected("an expression")
	} else {
		e.List = append(e.List, first)
		if _, isPipe := first.(*ast.PipeExpr); isPipe && p.tok.Kind == token.COMMA {
			p.errorf(p.tok.Pos, "a subquery must be the only element of the '%s' list", op)
		}
		for p.tok.Kind == token.COMMA {
			p.next()
			x := p.parseExpr()
			if x == nil {
				p.errorExpected("an expression after ','")
				break
			}
			e.List = append(e.List, x)
		}
	}
	e.Rparen = p.expectClosing(token.RPAREN, " after the list")
	return e
}

// parseBetween parses the (low .. high) of between and !between.
func (p *parser) parseBetween(x ast.Expr, pos token.Pos, not bool) ast.Expr {
	p.enter()
	defer p.leave()
	e := &ast.BetweenExpr{X: x, OpPos: pos, Not: not}
	e.Lparen = p.expect(token.LPAREN, " after between")
	if !e.Lparen.IsValid() {
		return e
	}
	e.Low = p.requireExpr(p.parseExpr(), "for the lower bound")
	e.DotDot = p.expect(token.DOTDOT, " between the bounds")
	e.High = p.requireExpr(p.parseExpr(), "for the upper bound")
	e.Rparen = p.expectClosing(token.RPAREN, " after the bounds")
	return e
}

func (p *parser) relationalOp() (ast.BinaryOp, bool) {
	switch p.tok.Kind {
	case token.LSS:
		return ast.Lss, true
	case token.LEQ:
		return ast.Leq, true
	case token.GTR:
		return ast.Gtr, true
	case token.GEQ:
		return ast.Geq, true
	}
	return 0, false
}

func (p *parser) parseRelational() ast.Expr {
	x := p.parseAdditive()
	for n := 0; x != nil; n++ {
		op, ok := p.relationalOp()
		if !ok {
			break
		}
		if n > 0 {
			p.errorf(p.tok.Pos, "unexpected '%s': comparisons do not chain, add parentheses", p.tok.Lit)
		}
		pos := p.tok.Pos
		p.next()
		y := p.requireExpr(p.parseAdditive(), "after '"+op.String()+"'")
		x = &ast.BinaryExpr{X: x, OpPos: pos, Op: op, Y: y}
	}
	return x
}

func (p *parser) parseAdditive() ast.Expr {
	x := p.parseMultiplicative()
	for x != nil && (p.tok.Kind == token.ADD || p.tok.Kind == token.SUB) {
		op := ast.Add
		if p.tok.Kind == token.SUB {
			op = ast.Sub
		}
		pos := p.tok.Pos
		p.next()
		y := p.requireExpr(p.parseMultiplicative(), "after '"+op.String()+"'")
		x = &ast.BinaryExpr{X: x, OpPos: pos, Op: op, Y: y}
	}
	return x
}

func (p *parser) parseMultiplicative() ast.Expr {
	x := p.parseStringOps()
	for x != nil {
		var op ast.BinaryOp
		switch p.tok.Kind {
		case token.MUL:
			op = ast.Mul
		case token.QUO:
			op = ast.Quo
		case token.REM:
			op = ast.Rem
		default:
			return x
		}
		pos := p.tok.Pos
		p.next()
		y := p.requireExpr(p.parseStringOps(), "after '"+op.String()+"'")
		x = &ast.BinaryExpr{X: x, OpPos: pos, Op: op, Y: y}
	}
	return x
}

// stringOps maps the string operator words to operators. Kusto's legacy
// spellings (containscs, notcontains, ...) fold into the current ones.
var stringOps = map[string]ast.BinaryOp{
	"has": ast.Has, "!has": ast.NotHas, "has_cs": ast.HasCs, "!has_cs": ast.NotHasCs,
	"hasprefix": ast.HasPrefix, "!hasprefix": ast.NotHasPrefix,
	"hasprefix_cs": ast.HasPrefixCs, "!hasprefix_cs": ast.NotHasPrefixCs,
	"hassuffix": ast.HasSuffix, "!hassuffix": ast.NotHasSuffix,
	"hassuffix_cs": ast.HasSuffixCs, "!hassuffix_cs": ast.NotHasSuffixCs,
	"contains": ast.Contains, "!contains": ast.NotContains, "notcontains": ast.NotContains,
	"contains_cs": ast.ContainsCs, "containscs": ast.ContainsCs,
	"!contains_cs": ast.NotContainsCs, "notcontainscs": ast.NotContainsCs,
	"startswith": ast.StartsWith, "!startswith": ast.NotStartsWith,
	"startswith_cs": ast.StartsWithCs, "!startswith_cs": ast.NotStartsWithCs,
	"endswith": ast.EndsWith, "!endswith": ast.NotEndsWith,
	"endswith_cs": ast.EndsWithCs, "!endswith_cs": ast.NotEndsWithCs,
	"like": ast.Like, "notlike": ast.NotLike, "likecs": ast.LikeCs, "notlikecs": ast.NotLikeCs,
}

// stringOpAt returns the string operator n tokens ahead and its length in
// tokens (2 for "matches regex"), or 0.
func (p *parser) stringOpAt(n int) (ast.BinaryOp, int) {
	t := p.peek(n)
	switch t.Kind {
	case token.EQTILDE:
		return ast.EqTilde, 1
	case token.NEQTILDE:
		return ast.NeqTilde, 1
	case token.COLON:
		return ast.Search, 1
	case token.IDENT, token.KEYWORD:
		if op, ok := stringOps[t.Lit]; ok {
			return op, 1
		}
		if t.Lit == "matches" && p.peekWord(n+1, "regex") {
			return ast.MatchesRegex, 2
		}
	}
	return 0, 0
}

func (p *parser) parseStringOps() ast.Expr {
	x := p.parseUnary()
	for x != nil {
		op, n := p.stringOpAt(0)
		if n == 0 {
			return x
		}
		pos := p.tok.Pos
		for ; n > 0; n-- {
			p.next()
		}
		y := p.requireExpr(p.parseUnary(), "after '"+op.String()+"'")
		x = &ast.BinaryExpr{X: x, OpPos: pos, Op: op, Y: y}
	}
	return x
}

// parseUnary parses -x and +x. As in Kusto the operand is a postfix
// expression, so - -x needs parentheses.
func (p *parser) parseUnary() ast.Expr {
	if p.tok.Kind == token.SUB || p.tok.Kind == token.ADD {
		u := &ast.UnaryExpr{OpPos: p.tok.Pos, Op: p.tok.Kind}
		p.next()
		u.X = p.requireExpr(p.parsePostfix(), "after unary '"+u.Op.String()+"'")
		return u
	}
	return p.parsePostfix()
}

// parsePostfix parses a primary expression followed by .member and [index].
func (p *parser) parsePostfix() ast.Expr {
	x := p.parsePrimary()
	if x == nil {
		return nil
	}
	for {
		switch p.tok.Kind {
		case token.DOT:
			dot := p.tok.Pos
			p.next()
			if p.tok.Kind == token.LBRACK && p.scanBracketedName(0) == 0 {
				e := p.parseIndex(x).(*ast.IndexExpr)
				e.Dot = dot
				x = e
				continue
			}
			sel := p.parseName(token.Reference, "after '.'")
			x = &ast.SelectorExpr{X: x, Dot: dot, Sel: sel}
			if p.tok.Kind == token.LPAREN {
				x = p.parseCall(x)
			}
		case token.LBRACK:
			x = p.parseIndex(x)
		default:
			return x
		}
	}
}

func (p *parser) parseIndex(x ast.Expr) ast.Expr {
	p.enter()
	defer p.leave()
	e := &ast.IndexExpr{X: x, Lbrack: p.tok.Pos}
	p.next()
	e.Index = p.requireExpr(p.parseExpr(), "in '[ ]'")
	e.Rbrack = p.expectClosing(token.RBRACK, " after the index")
	return e
}

// parsePrimary parses a literal, a name, a call, a parenthesized expression
// or one of the tabular expressions that may appear in expressions
// (datatable, externaldata). It returns nil, without an error, when no
// expression starts at the current token.
func (p *parser) parsePrimary() ast.Expr {
	switch p.tok.Kind {
	case token.LONG, token.REAL, token.TIMESPAN, token.BOOL, token.STRING, token.TYPED, token.GUID:
		return p.parseLiteral()
	case token.LPAREN:
		return p.parseParen()
	case token.LBRACK:
		if p.scanBracketedName(0) > 0 {
			return p.parseBracketedName()
		}
		return nil
	case token.MUL:
		// * has "x", * == 1: the search form that tests every column.
		if _, n := p.stringOpAt(1); n > 0 || p.peek(1).Kind == token.EQL {
			s := &ast.Star{Star: p.tok.Pos}
			p.next()
			return s
		}
		return nil
	case token.IDENT:
	default:
		return nil
	}

	next := p.peek(1).Kind
	switch p.tok.Lit {
	case "dynamic":
		if next == token.LPAREN {
			return p.parseDynamic()
		}
	case "typeof":
		if next == token.LPAREN {
			return p.parseTypeOf()
		}
	case "datatable":
		return p.parseDataTable()
	case "externaldata", "external_data":
		return p.parseExternalData()
	case "toscalar", "totable":
		return p.parseSpecialCall()
	case "materialize":
		if next == token.LPAREN {
			p.errorf(p.tok.Pos, "materialize(...) is only allowed as the value of a let statement")
			return p.parseSpecialCall()
		}
	}
	id := p.tryName(token.Reference)
	if id == nil {
		return nil
	}
	if p.tok.Kind == token.LPAREN {
		return p.parseCall(id)
	}
	return id
}

// parseParen parses ( pipeline ).
func (p *parser) parseParen() ast.Expr {
	p.enter()
	defer p.leave()
	e := &ast.ParenExpr{Lparen: p.tok.Pos}
	p.next()
	e.X = p.requireExpr(p.parsePipeExpr(startGeneral), "in parentheses")
	e.Rparen = p.expectClosing(token.RPAREN, " to close the parenthesized expression")
	return e
}

// parseCall parses the argument list of a call of fun.
func (p *parser) parseCall(fun ast.Expr) *ast.CallExpr {
	p.enter()
	defer p.leave()
	c := &ast.CallExpr{Fun: fun, Lparen: p.tok.Pos}
	p.next()
	if p.tok.Kind != token.RPAREN {
		c.Args = p.parseCommaList(p.parseArg, "an argument", true)
	}
	c.Rparen = p.expectClosing(token.RPAREN, " after the arguments")
	return c
}

// parseArg parses a call argument: *, name = value, or an expression.
func (p *parser) parseArg() ast.Expr {
	if p.tok.Kind == token.MUL {
		if k := p.peek(1).Kind; k == token.COMMA || k == token.RPAREN {
			s := &ast.Star{Star: p.tok.Pos}
			p.next()
			return s
		}
	}
	return p.parseNamedExpr()
}

// parseSpecialCall parses toscalar(...), totable(...) and materialize(...),
// whose argument is a pipeline. toscalar and totable may carry a kind=
// parameter before the parenthesis.
func (p *parser) parseSpecialCall() ast.Expr {
	p.enter()
	defer p.leave()
	fun := &ast.Ident{NamePos: p.tok.Pos, Name: p.tok.Lit}
	p.next()
	c := &ast.CallExpr{Fun: fun}
	if fun.Name != "materialize" {
		c.Options = p.parseOptions()
	}
	c.Lparen = p.expect(token.LPAREN, " after "+fun.Name)
	if !c.Lparen.IsValid() {
		return c
	}
	if x := p.requireExpr(p.parsePipeExpr(startGeneral), "in "+fun.Name+"(...)"); x != nil {
		c.Args = []ast.Expr{x}
	}
	c.Rparen = p.expectClosing(token.RPAREN, " after the argument of "+fun.Name)
	return c
}

// parseNamedExpr parses name = expr, (a, b) = expr, or an expression.
func (p *parser) parseNamedExpr() ast.Expr {
	reserved := p.tok.Kind == token.IDENT && p.peek(1).Kind == token.ASSIGN && token.IsReserved(p.tok.Lit, token.Column)
	if n := p.scanName(0, token.Column); reserved || n > 0 && p.peek(n).Kind == token.ASSIGN {
		var name *ast.Ident
		if reserved {
			// Report, then read on as if the name had been bracketed.
			p.errorf(p.tok.Pos, "'%s' is a keyword: write ['%s'] to use it as a column name", p.tok.Lit, p.tok.Lit)
			name = &ast.Ident{NamePos: p.tok.Pos, Name: p.tok.Lit}
			p.next()
		} else {
			name = p.tryName(token.Column)
		}
		e := &ast.NamedExpr{Names: []*ast.Ident{name}}
		e.Assign = p.tok.Pos
		p.next()
		e.X = p.requireExpr(p.parseExpr(), "after '='")
		return e
	}
	if n := p.scanNameList(); n > 0 && p.peek(n).Kind == token.ASSIGN {
		e := &ast.NamedExpr{Lparen: p.tok.Pos}
		p.next()
		for {
			e.Names = append(e.Names, p.tryName(token.Column))
			if _, ok := p.got(token.COMMA); !ok {
				break
			}
		}
		e.Rparen = p.expect(token.RPAREN, " after the names")
		e.Assign = p.expect(token.ASSIGN, " after the names")
		e.X = p.requireExpr(p.parseExpr(), "after '='")
		return e
	}
	return p.parseExpr()
}

// scanNameList returns the token count of (name, name, ...) at the current
// token, or 0.
func (p *parser) scanNameList() int {
	if p.tok.Kind != token.LPAREN {
		return 0
	}
	j := 1
	for {
		n := p.scanName(j, token.Column)
		if n == 0 {
			return 0
		}
		j += n
		switch p.peek(j).Kind {
		case token.COMMA:
			j++
		case token.RPAREN:
			return j + 1
		default:
			return 0
		}
	}
}
