// Package parser parses KQL queries into the tree of package ast.
//
// The parser is hand-written recursive descent over the whole query
// language: statements, every tabular operator of the KQL reference with
// its documented options, and scalar expressions with KQL's precedence. It
// follows Microsoft's own analyzer (../shared/tools/kusto-oracle) on what
// is and is not valid syntax.
//
// Errors are collected, not fatal: each one names what was expected and
// where ("1:17: expected ')' after the arguments, found '|'"). After an
// error the parser resynchronises at the next "|", ";" or closing bracket,
// so one mistake does not hide the next. Recovery always terminates: every
// loop consumes a token per iteration or stops, nesting is capped at
// MaxDepth, and the parser gives up after a handful of errors.
//
// Deliberate differences from Microsoft's analyzer, which accepts these
// and rejects most of them later: control commands (.show ...) and client
// parameters ({name}) are not queries here; a bracketed expression cannot
// stand alone as a value ([0] must follow an expression); macro-expand,
// graph-merge, partition-by and execute-and-cache are reported as
// unsupported.
package parser

import (
	"fmt"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/scanner"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// MaxDepth is the deepest nesting the parser accepts: brackets, calls,
// function bodies and operators inside operators each count one level.
// Deeper input is rejected with an error instead of growing the stack
// without bound.
const MaxDepth = 256

// maxErrors is the number of errors after which the parser stops: by then
// the rest is mostly noise caused by the first ones.
const maxErrors = 10

// Parse parses a query. On success the error is nil. Otherwise it is a
// scanner.ErrorList with every error found, in source order, and the
// returned query is the part that could be parsed (possibly nil): it is
// fit for display and diagnostics, not for execution.
func Parse(src string) (q *ast.Query, err error) {
	var p *parser
	defer func() {
		if r := recover(); r != nil {
			// A bug in the parser must not take down the service: report
			// it as an error at the current token. Fuzzers look for this
			// message.
			var pos token.Position
			if p != nil {
				pos = p.file.Position(p.tok.Pos)
			}
			err = scanner.ErrorList{{Pos: pos, Msg: fmt.Sprintf("%s: %v", internalError, r)}}
			q = nil
		}
	}()
	p = newParser(src)
	q = p.parse()
	return q, p.errs.Err()
}

// testHookParse, when set by a test, runs at the start of parsing: it lets
// the tests check that Parse turns a panic into an error.
var testHookParse func()

// parse parses the whole query. It stops early, keeping what was parsed,
// when the parser bails out; other panics propagate (Parse recovers
// them; the fuzzers call parse directly so that they see the stack).
func (p *parser) parse() (q *ast.Query) {
	q = &ast.Query{}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
		}
		p.errs.Sort()
	}()
	if testHookParse != nil {
		testHookParse()
	}
	p.parseQuery(q)
	return q
}

// internalError starts the message of an error that is a parser bug.
const internalError = "internal parser error"

// bailout is panicked to stop parsing early (too many errors, too deep).
type bailout struct{}

type parser struct {
	file  *token.File
	toks  []token.Token
	i     int         // index of the current token in toks
	tok   token.Token // toks[i]
	errs  scanner.ErrorList
	depth int

	reported map[int]bool // offsets that already have an error
	noCloser struct {     // where expectClosing last found no closing bracket
		i int
		k token.Kind
	}
}

func newParser(src string) *parser {
	toks, file, errs := scanner.Tokenize(src)
	p := &parser{file: file, toks: toks, tok: toks[0], errs: errs}
	p.noCloser.i = -1
	return p
}

// ----------------------------------------------------------------------------
// Tokens

func (p *parser) next() {
	if p.tok.Kind != token.EOF {
		p.i++
		p.tok = p.toks[p.i]
	}
}

// peek returns the token n places ahead (peek(0) is the current token).
func (p *parser) peek(n int) token.Token {
	if j := p.i + n; j < len(p.toks) {
		return p.toks[j]
	}
	return p.toks[len(p.toks)-1]
}

// isWord reports whether the current token is the word w (an identifier or
// a lexer keyword).
func (p *parser) isWord(w string) bool { return p.tok.Kind.IsWord() && p.tok.Lit == w }

// peekWord reports whether the token n places ahead is the word w.
func (p *parser) peekWord(n int, w string) bool {
	t := p.peek(n)
	return t.Kind.IsWord() && t.Lit == w
}

// gotWord consumes the word w if it is the current token.
func (p *parser) gotWord(w string) (token.Pos, bool) {
	if p.isWord(w) {
		pos := p.tok.Pos
		p.next()
		return pos, true
	}
	return token.NoPos, false
}

// got consumes a token of kind k if it is the current token.
func (p *parser) got(k token.Kind) (token.Pos, bool) {
	if p.tok.Kind == k {
		pos := p.tok.Pos
		p.next()
		return pos, true
	}
	return token.NoPos, false
}

// adjacent reports whether the tokens at offsets n and n+1 touch, with no
// space between them: mv-expand's "-->" and wildcards such as Device* are
// written that way.
func (p *parser) adjacent(n int) bool {
	return p.peek(n).End() == p.peek(n+1).Pos
}

// ----------------------------------------------------------------------------
// Errors

// errorAt records an error. A second error at the same position is dropped:
// it is almost always a consequence of the first (often a scanner error).
func (p *parser) errorAt(pos token.Pos, msg string) {
	if !pos.IsValid() {
		pos = p.tok.Pos // a part that is missing: report where parsing stopped
	}
	position := p.file.Position(pos)
	if p.reported == nil {
		p.reported = make(map[int]bool)
		for _, e := range p.errs {
			p.reported[e.Pos.Offset] = true
		}
	}
	if p.reported[position.Offset] {
		return
	}
	p.reported[position.Offset] = true
	p.errs.Add(position, msg)
	if len(p.errs) >= maxErrors {
		panic(bailout{})
	}
}

func (p *parser) errorf(pos token.Pos, format string, args ...any) {
	p.errorAt(pos, fmt.Sprintf(format, args...))
}

// errorExpected reports that what was expected at the current token. When
// a name or an expression was expected ("a name", "an expression") and a
// keyword was found, the message says how to use the keyword as a name.
func (p *parser) errorExpected(what string) {
	found := p.tok.String()
	wantsNoun := strings.HasPrefix(what, "a ") || strings.HasPrefix(what, "an ")
	if wantsNoun && p.tok.Kind == token.IDENT && (token.IsReserved(p.tok.Lit, token.Reference) || token.IsReserved(p.tok.Lit, token.Column)) {
		found = fmt.Sprintf("keyword '%s' (write ['%s'] to use it as a name)", p.tok.Lit, p.tok.Lit)
	}
	p.errorf(p.tok.Pos, "expected %s, found %s", what, found)
}

// expect consumes a token of kind k or reports it missing. The token is not
// consumed on a mismatch: it is usually the start of what follows, and
// the callers' loops and resynchronisation guarantee progress.
func (p *parser) expect(k token.Kind, context string) token.Pos {
	if pos, ok := p.got(k); ok {
		return pos
	}
	p.errorExpected(quote(k) + context)
	return token.NoPos
}

// expectWord consumes the word w or reports it missing.
func (p *parser) expectWord(w, context string) token.Pos {
	if pos, ok := p.gotWord(w); ok {
		return pos
	}
	p.errorExpected("'" + w + "'" + context)
	return token.NoPos
}

// expectClosing consumes the closing bracket k. When it is missing, it
// reports the error and skips to the matching closing bracket if there is
// one before the end of the statement, so that an error inside a list does
// not cascade into the rest of the query.
func (p *parser) expectClosing(k token.Kind, context string) token.Pos {
	if pos, ok := p.got(k); ok {
		return pos
	}
	p.errorExpected(quote(k) + context)
	// Unwinding deep nesting calls this again and again at the same token;
	// one scan per token and kind keeps recovery linear.
	if p.noCloser.i == p.i && p.noCloser.k == k {
		return token.NoPos
	}
	p.noCloser.i, p.noCloser.k = p.i, k
	depth := 0
	for j := p.i; j < len(p.toks); j++ {
		switch t := p.toks[j].Kind; t {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth == 0 {
				if t != k {
					return token.NoPos
				}
				for p.i < j {
					p.next()
				}
				pos := p.tok.Pos
				p.next()
				return pos
			}
			depth--
		case token.SEMICOLON:
			if depth == 0 {
				return token.NoPos
			}
		case token.EOF:
			return token.NoPos
		}
	}
	return token.NoPos
}

func quote(k token.Kind) string { return "'" + k.String() + "'" }

// enter and leave bound the recursion depth.
func (p *parser) enter() {
	p.depth++
	if p.depth > MaxDepth {
		p.errorf(p.tok.Pos, "query is nested too deeply (more than %d levels)", MaxDepth)
		panic(bailout{})
	}
}

func (p *parser) leave() { p.depth-- }

// syncStatement skips to just after the next ";" that is not inside
// brackets, or to the end of the query. It always consumes at least one
// token unless at the end.
func (p *parser) syncStatement() {
	depth := 0
	for p.tok.Kind != token.EOF {
		switch p.tok.Kind {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth > 0 {
				depth--
			}
		case token.SEMICOLON:
			if depth == 0 {
				p.next()
				return
			}
		}
		p.next()
	}
}

// syncOperator skips the rest of a bad operator: up to the next "|" or ";"
// or an unmatched closing bracket, at the current nesting level.
func (p *parser) syncOperator() {
	depth := 0
	for p.tok.Kind != token.EOF {
		switch p.tok.Kind {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth == 0 {
				return
			}
			depth--
		case token.PIPE, token.SEMICOLON:
			if depth == 0 {
				return
			}
		}
		p.next()
	}
}

// ----------------------------------------------------------------------------
// Statements

func (p *parser) parseQuery(q *ast.Query) {
	for p.tok.Kind != token.EOF {
		if p.tok.Kind == token.SEMICOLON {
			p.errorf(p.tok.Pos, "unexpected ';': empty statement")
			p.next()
			continue
		}
		start := p.i
		if s := p.parseStatement(); s != nil {
			q.Stmts = append(q.Stmts, s)
		}
		switch {
		case p.tok.Kind == token.SEMICOLON:
			p.next()
		case p.tok.Kind == token.EOF:
		default:
			p.errorExpected("';' between statements")
			p.syncStatement()
		}
		if p.i == start && p.tok.Kind != token.EOF {
			p.next() // cannot happen, but never loop without progress
		}
	}
}

func (p *parser) parseStatement() ast.Stmt {
	if p.tok.Kind.IsWord() {
		switch p.tok.Lit {
		case "let":
			return p.parseLet()
		case "set":
			return p.parseSet()
		case "declare":
			return p.parseDeclare()
		case "alias":
			return p.parseAlias()
		case "restrict":
			return p.parseRestrict()
		}
	}
	x := p.parsePipeExpr(startGeneral)
	if x == nil {
		if p.tok.Kind == token.DOT && p.peek(1).Kind.IsWord() && p.adjacent(0) {
			p.errorf(p.tok.Pos, "control commands such as .%s are not supported; only queries are", p.peek(1).Lit)
			return nil
		}
		p.errorExpected("a query statement")
		return nil
	}
	return &ast.ExprStmt{X: x}
}

// parseLet parses let name = value, where value is an expression, a
// function, or materialize(...).
func (p *parser) parseLet() *ast.LetStmt {
	s := &ast.LetStmt{Let: p.tok.Pos}
	p.next()
	s.Name = p.parseName(token.Binding, "after let")
	s.Assign = p.expect(token.ASSIGN, " after the name in let")
	switch {
	case p.isWord("materialize") && p.peek(1).Kind == token.LPAREN:
		s.Value = p.parseSpecialCall()
	case p.isFuncStart():
		s.Value = p.parseFuncLit()
	default:
		s.Value = p.parsePipeExpr(startGeneral)
		if s.Value == nil {
			p.errorExpected("an expression after '='")
		}
	}
	return s
}

// isFuncStart reports whether a function literal starts here: view (...),
// () or (name: ...).
func (p *parser) isFuncStart() bool {
	if p.isWord("view") && p.peek(1).Kind == token.LPAREN {
		return true
	}
	if p.tok.Kind != token.LPAREN {
		return false
	}
	if p.peek(1).Kind == token.RPAREN {
		return true
	}
	n := p.scanName(1, token.Column)
	return n > 0 && p.peek(1+n).Kind == token.COLON
}

// parseFuncLit parses [view] (params) { body }.
func (p *parser) parseFuncLit() *ast.FuncLit {
	p.enter()
	defer p.leave()
	f := &ast.FuncLit{}
	if pos, ok := p.gotWord("view"); ok {
		f.View = pos
	}
	f.Lparen, f.Params, f.Rparen = p.parseParams("function parameters")
	f.Lbrace, f.Body, f.Rbrace = p.parseBody("function body")
	return f
}

// parseBody parses { let ...; ...; expression [;] }, the body of functions
// and of pattern mappings.
func (p *parser) parseBody(what string) (lbrace token.Pos, body []ast.Stmt, rbrace token.Pos) {
	p.enter()
	defer p.leave()
	lbrace = p.expect(token.LBRACE, " to start the "+what)
	if !lbrace.IsValid() {
		return
	}
	for p.isWord("let") || p.isWord("declare") {
		var s ast.Stmt
		if p.isWord("let") {
			s = p.parseLet()
		} else {
			s = p.parseDeclare()
		}
		if s != nil {
			body = append(body, s)
		}
		p.expect(token.SEMICOLON, " after the statement")
	}
	if p.tok.Kind != token.RBRACE {
		if x := p.parsePipeExpr(startGeneral); x != nil {
			body = append(body, &ast.ExprStmt{X: x})
			p.got(token.SEMICOLON)
		}
	}
	rbrace = p.expectClosing(token.RBRACE, " to end the "+what)
	return
}

// parseSet parses set name [= value].
func (p *parser) parseSet() *ast.SetStmt {
	s := &ast.SetStmt{Set: p.tok.Pos}
	p.next()
	s.Name = p.parseName(token.Binding, "after set")
	if pos, ok := p.got(token.ASSIGN); ok {
		s.Assign = pos
		s.Value = p.requireExpr(p.parseExpr(), "after '='")
	}
	return s
}

// parseDeclare parses declare query_parameters(...) and declare pattern.
func (p *parser) parseDeclare() ast.Stmt {
	declare := p.tok.Pos
	p.next()
	if p.isWord("pattern") {
		return p.parsePattern(declare)
	}
	s := &ast.QueryParamsStmt{Declare: declare}
	s.QueryParameters = p.expectWord("query_parameters", " after declare")
	s.Lparen, s.Params, s.Rparen = p.parseParams("query parameters")
	if len(s.Params) == 0 && s.Rparen.IsValid() {
		p.errorf(s.Rparen, "declare query_parameters needs at least one parameter")
	}
	return s
}

// parsePattern parses declare pattern name [= (args) [[path:type]] {
// (values).[path] = { query }; ... }].
func (p *parser) parsePattern(declare token.Pos) *ast.PatternStmt {
	s := &ast.PatternStmt{Declare: declare, Pattern: p.tok.Pos}
	p.next()
	s.Name = p.parseName(token.Binding, "after declare pattern")
	pos, ok := p.got(token.ASSIGN)
	if !ok {
		return s
	}
	s.Assign = pos
	s.Lparen, s.Params, s.Rparen = p.parseParams("pattern arguments")
	if pos, ok := p.got(token.LBRACK); ok {
		s.PathLbrack = pos
		prm := &ast.Param{Name: p.parseName(token.Column, "for the pattern path")}
		prm.Colon = p.expect(token.COLON, " after the path name")
		prm.Type = p.parseType(starAlone)
		s.PathParam = prm
		s.PathRbrack = p.expectClosing(token.RBRACK, " after the pattern path")
	}
	s.Lbrace = p.expect(token.LBRACE, " to start the pattern mappings")
	if !s.Lbrace.IsValid() {
		return s
	}
	for p.tok.Kind == token.LPAREN {
		m := &ast.PatternMatch{Lparen: p.tok.Pos}
		p.next()
		m.Args = p.parseCommaList(p.parseExpr, "a pattern argument value", true)
		m.Rparen = p.expectClosing(token.RPAREN, " after the pattern arguments")
		if pos, ok := p.got(token.DOT); ok {
			m.Dot = pos
			m.PathLbrack = p.expect(token.LBRACK, " after '.'")
			m.PathValue = p.requireExpr(p.parseExpr(), "for the pattern path")
			m.PathRbrack = p.expectClosing(token.RBRACK, " after the pattern path")
		}
		m.Assign = p.expect(token.ASSIGN, " before the pattern query")
		m.Lbrace, m.Body, m.Rbrace = p.parseBody("pattern query")
		m.Semi = p.expect(token.SEMICOLON, " after the pattern mapping")
		s.Matches = append(s.Matches, m)
	}
	if len(s.Matches) == 0 {
		p.errorExpected("a pattern mapping (values) = { query };")
	}
	s.Rbrace = p.expectClosing(token.RBRACE, " after the pattern mappings")
	return s
}

// parseAlias parses alias database name = expr.
func (p *parser) parseAlias() *ast.AliasStmt {
	s := &ast.AliasStmt{Alias: p.tok.Pos}
	p.next()
	s.Database = p.expectWord("database", " after alias")
	s.Name = p.parseName(token.Binding, "after alias database")
	s.Assign = p.expect(token.ASSIGN, " after the alias name")
	s.Value = p.requireExpr(p.parseExpr(), "after '='")
	return s
}

// parseRestrict parses restrict access to (tables).
func (p *parser) parseRestrict() *ast.RestrictStmt {
	s := &ast.RestrictStmt{Restrict: p.tok.Pos}
	p.next()
	s.Access = p.expectWord("access", " after restrict")
	s.To = p.expectWord("to", " after restrict access")
	s.Lparen = p.expect(token.LPAREN, " before the list of tables")
	if s.Lparen.IsValid() {
		s.Tables = p.parseCommaList(func() ast.Expr { return p.parseEntity(entityCalls | entityWildcards) }, "a table name", true)
		s.Rparen = p.expectClosing(token.RPAREN, " after the list of tables")
	}
	return s
}
