package parser

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/scanner"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// scanName returns the number of tokens of the name that starts n tokens
// ahead, or 0 if there is none. A name is an identifier that is not
// reserved for the use, or a bracketed name: ['x'], ["x"], ['a' 'b'].
func (p *parser) scanName(n int, use token.NameUse) int {
	t := p.peek(n)
	switch t.Kind {
	case token.IDENT:
		if token.IsReserved(t.Lit, use) {
			return 0
		}
		return 1
	case token.LBRACK:
		return p.scanBracketedName(n)
	}
	return 0
}

// scanBracketedName returns the token count of [ string... ] at n, or 0.
func (p *parser) scanBracketedName(n int) int {
	if p.peek(n).Kind != token.LBRACK {
		return 0
	}
	j := n + 1
	for p.peek(j).Kind == token.STRING {
		j++
	}
	if j == n+1 || p.peek(j).Kind != token.RBRACK {
		return 0
	}
	return j - n + 1
}

// tryName parses a name if one starts here, else returns nil without error.
func (p *parser) tryName(use token.NameUse) *ast.Ident {
	switch p.scanName(0, use) {
	case 0:
		return nil
	case 1:
		id := &ast.Ident{NamePos: p.tok.Pos, Name: p.tok.Lit}
		p.next()
		return id
	}
	return p.parseBracketedName()
}

// parseName parses a name or reports it missing; the result is never nil so
// that the tree stays well-formed.
func (p *parser) parseName(use token.NameUse, context string) *ast.Ident {
	if id := p.tryName(use); id != nil {
		return id
	}
	p.errorExpected("a name " + context)
	return &ast.Ident{NamePos: p.tok.Pos}
}

// parseBracketedName parses ['name'] (the caller checked the shape).
func (p *parser) parseBracketedName() *ast.Ident {
	id := &ast.Ident{NamePos: p.tok.Pos, Bracketed: true}
	p.next() // [
	lit := p.parseStringLit()
	id.Name = lit.Value
	id.Rbrack = p.expect(token.RBRACK, " after the bracketed name")
	return id
}

// parseWord parses any word as a name: option values such as inner or
// shuffle, chart types, types. It does not check reserved words.
func (p *parser) parseWord(context string) *ast.Ident {
	if p.tok.Kind.IsWord() || p.tok.Kind == token.BOOL {
		id := &ast.Ident{NamePos: p.tok.Pos, Name: p.tok.Lit}
		p.next()
		return id
	}
	if p.scanBracketedName(0) > 0 {
		return p.parseBracketedName()
	}
	p.errorExpected(context)
	return &ast.Ident{NamePos: p.tok.Pos}
}

// scanWildcard returns the token count of a name pattern with "*" at n:
// "*", Device*, *Id, a*b*c. The parts must touch each other.
func (p *parser) scanWildcard(n int) int {
	isPart := func(t token.Token) bool {
		return t.Kind == token.IDENT || t.Kind == token.LONG || t.Kind == token.MUL
	}
	t := p.peek(n)
	switch {
	case t.Kind == token.MUL:
	case t.Kind == token.IDENT && p.peek(n+1).Kind == token.MUL && p.adjacent(n):
	default:
		return 0
	}
	j := n + 1
	for isPart(p.peek(j)) && p.adjacent(j-1) {
		j++
	}
	return j - n
}

// parseWildcard parses a name pattern of n tokens.
func (p *parser) parseWildcard(n int) *ast.Wildcard {
	w := &ast.Wildcard{NamePos: p.tok.Pos}
	var b strings.Builder
	for ; n > 0; n-- {
		b.WriteString(p.tok.Lit)
		p.next()
	}
	w.Pattern = b.String()
	return w
}

// parseNameOrWildcard parses a column name or a name pattern, as in
// project-away and project-keep.
func (p *parser) parseNameOrWildcard() ast.Expr {
	if n := p.scanWildcard(0); n > 0 {
		return p.parseWildcard(n)
	}
	if id := p.tryName(token.Reference); id != nil {
		return id
	}
	return nil
}

// entityForm says what parseEntity accepts besides names and paths.
type entityForm uint8

const (
	// entityCalls allows calls: database("db"), view(), cluster("c").database("d").T.
	entityCalls entityForm = 1 << iota
	// entityWildcards allows a name pattern in place of the name or of the
	// last element of the path: Device*, database("d").Device*.
	entityWildcards
	// entityParens allows a parenthesized pipeline (union's operands).
	entityParens
)

// parseEntity parses a reference to a table, a column or another entity: a
// name, a bracketed name and a path of those, plus the forms allowed.
// Without calls, a "(" after the name is left alone: partition by Key
// (subquery) is not a call of Key.
func (p *parser) parseEntity(form entityForm) ast.Expr {
	wildcards := form&entityWildcards != 0
	calls := form&entityCalls != 0
	if form&entityParens != 0 && p.tok.Kind == token.LPAREN {
		return p.parseParen()
	}
	if wildcards {
		if n := p.scanWildcard(0); n > 0 {
			return p.parseWildcard(n)
		}
	}
	id := p.tryName(token.Reference)
	if id == nil {
		return nil
	}
	var x ast.Expr = id
	if calls && p.tok.Kind == token.LPAREN {
		x = p.parseCall(x)
	}
	for {
		switch p.tok.Kind {
		case token.DOT:
			dot := p.tok.Pos
			p.next()
			if wildcards {
				if n := p.scanWildcard(0); n > 0 {
					w := p.parseWildcard(n)
					w.Qualifier, w.Dot = x, dot
					return w
				}
			}
			sel := p.parseName(token.Reference, "after '.'")
			x = &ast.SelectorExpr{X: x, Dot: dot, Sel: sel}
			if calls && p.tok.Kind == token.LPAREN {
				x = p.parseCall(x)
			}
		case token.LBRACK:
			x = p.parseIndex(x)
		default:
			return x
		}
	}
}

// parseStringLit parses one or more adjacent string literals.
func (p *parser) parseStringLit() *ast.StringLit {
	lit := &ast.StringLit{}
	var b strings.Builder
	for p.tok.Kind == token.STRING {
		lit.Parts = append(lit.Parts, ast.StringPart{Pos: p.tok.Pos, Raw: p.tok.Lit})
		// The scanner already reported malformed strings; decode what can be.
		v, _ := scanner.Unquote(p.tok.Lit)
		b.WriteString(v)
		p.next()
	}
	lit.Value = b.String()
	return lit
}

// ----------------------------------------------------------------------------
// Operator options: name=value parameters after an operator keyword.

// knownOptions are the parameter names Kusto accepts after any operator
// that takes parameters (its "known" parameters). Operators add their own.
var knownOptions = map[string]bool{
	"bagexpansion": true, "bin_legacy": true, "__crossCluster": true, "__crossDB": true,
	"decodeblocks": true, "expandoutput": true,
	"hint.concurrency": true, "hint.distribution": true, "hint.materialized": true,
	"hint.num_partitions": true, "hint.pass_filters": true, "hint.pass_filters_column": true,
	"hint.progressive_top": true, "hint.remote": true, "hint.shufflekey": true,
	"hint.spread": true, "hint.strategy": true,
	"__id": true, "isfuzzy": true, "__isFuzzy": true, "kind": true, "__noWithSource": true,
	"__packedColumn": true, "__sourceColumnIndex": true, "cycles": true,
	"with_match_id": true, "with_itemindex": true, "withsource": true, "with_source": true,
	"with_step_name": true, "force_remote": true,
}

// scanOptionName returns the name and token count of an option name at
// the current token (hint.strategy is three adjacent tokens), or 0.
func (p *parser) scanOptionName() (string, int) { return p.scanOptionNameAt(0) }

// scanOptionNameAt is scanOptionName k tokens ahead.
func (p *parser) scanOptionNameAt(k int) (string, int) {
	if !p.peek(k).Kind.IsWord() {
		return "", 0
	}
	name, n := p.peek(k).Lit, 1
	for p.peek(k+n).Kind == token.DOT && p.peek(k+n+1).Kind.IsWord() && p.adjacent(k+n-1) && p.adjacent(k+n) {
		name += "." + p.peek(k+n+1).Lit
		n += 2
	}
	return name, n
}

// parseOptions parses name=value options as long as the name is a known
// option (or one of extra) followed by "=".
func (p *parser) parseOptions(extra ...string) []*ast.Option {
	var opts []*ast.Option
	for {
		name, n := p.scanOptionName()
		if n == 0 || p.peek(n).Kind != token.ASSIGN || !(knownOptions[name] || contains(extra, name)) {
			return opts
		}
		opts = append(opts, p.parseOption(name, n))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseOption parses the option whose name spans n tokens, and its value.
func (p *parser) parseOption(name string, n int) *ast.Option {
	o := &ast.Option{NamePos: p.tok.Pos, Name: name}
	for ; n > 0; n-- {
		p.next()
	}
	o.Assign = p.expect(token.ASSIGN, " after "+name)
	o.Value = p.parseOptionValue(name)
	return o
}

// parseOptionValue parses the value of an option: a literal or a word.
func (p *parser) parseOptionValue(name string) ast.Expr {
	if x := p.parseLiteral(); x != nil {
		return x
	}
	if p.tok.Kind.IsWord() || p.scanBracketedName(0) > 0 {
		return p.parseWord("")
	}
	p.errorExpected("a value for " + name)
	return nil
}

// parseWithProps parses with (name = value, ...), the properties of
// externaldata, parse-kv and render. value parses one property value.
func (p *parser) parseWithProps(value func(name string) ast.Expr) *ast.WithProps {
	w := &ast.WithProps{With: p.tok.Pos}
	p.next()
	w.Lparen = p.expect(token.LPAREN, " after with")
	if !w.Lparen.IsValid() {
		return w
	}
	for p.tok.Kind != token.RPAREN {
		name, n := p.scanOptionName()
		if n == 0 {
			p.errorExpected("a property name")
			break
		}
		o := &ast.Option{NamePos: p.tok.Pos, Name: name}
		for ; n > 0; n-- {
			p.next()
		}
		o.Assign = p.expect(token.ASSIGN, " after "+name)
		o.Value = value(name)
		w.Props = append(w.Props, o)
		if _, ok := p.got(token.COMMA); !ok {
			break
		}
	}
	w.Rparen = p.expectClosing(token.RPAREN, " after the properties")
	return w
}

// parseCommaList parses elements separated by commas. It stops before the
// first token that cannot start an element; an element missing after a
// comma is an error. If required, at least one element must be present.
func (p *parser) parseCommaList(elem func() ast.Expr, what string, required bool) []ast.Expr {
	var list []ast.Expr
	x := elem()
	if x == nil {
		if required {
			p.errorExpected(what)
		}
		return nil
	}
	list = append(list, x)
	for p.tok.Kind == token.COMMA {
		p.next()
		x := elem()
		if x == nil {
			p.errorExpected(what + " after ','")
			break
		}
		list = append(list, x)
	}
	return list
}
