package eval

import (
	"fmt"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// The prefilter of a program is a necessary condition of its leading
// where clauses, in conjunctive form: every clause must hold for a row to
// pass them, and a clause holds when the value of one of its anchors'
// columns contains the anchor's literal once lowercased. Set uses it to
// skip a program on rows that cannot pass its filters, without running
// them.
//
// For an ASCII value, each string test below implies that the
// ASCII-lowercased value contains the lowercased literal. Non-ASCII
// values are not scanned (Set treats every anchor on such a value as
// present), because Unicode case folding can map a non-ASCII character
// onto an ASCII one (the Kelvin sign K folds to k, and a (?i) regex folds
// the long s ſ with s). A literal that is still not ASCII once lowercased
// (an emoji) says only that the value is not ASCII: these tests compare
// with the literal lowercased by strings.ToLower, which keeps ASCII text
// ASCII. Regex literals are not used that way, as a (?i) pattern's ſ
// matches an ASCII s.

// anchor: the input column col's value contains lit, case-insensitively
// (lit is lowercase ASCII and not empty); or, when wide is set, the value
// is not ASCII; or, when num is set, the integer column col's value is
// *num.
type anchor struct {
	col  int
	lit  string
	wide bool
	num  *int64
}

// wideScore rates "the value is not ASCII": rare in Windows telemetry.
const wideScore = 12

// numScore rates an integer equality (an event ID) like a literal of
// this length.
const numScore = 10

// clause holds when any of its anchors does.
type clause []anchor

// maxClauses bounds the clauses a program keeps: the most selective ones.
const maxClauses = 4

// clauses returns a necessary condition of pred being true, as clauses
// that must all hold; nil when none is known.
func (k *compiler) clauses(e ast.Expr) []clause {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return k.clauses(x.X)
	case *ast.BinaryExpr:
		switch x.Op {
		case ast.And:
			return append(k.clauses(x.X), k.clauses(x.Y)...)
		case ast.Or:
			// Either side may hold: (a1 and a2) or (b1 and b2) needs
			// a1 or b1, a1 or b2, a2 or b1 and a2 or b2; the best few
			// clauses of each side are paired.
			a, b := top(k.clauses(x.X), orSide), top(k.clauses(x.Y), orSide)
			if a == nil || b == nil {
				return nil
			}
			var out []clause
			for _, ca := range a {
				for _, cb := range b {
					out = append(out, append(append(clause{}, ca...), cb...))
				}
			}
			return out
		}
		return k.binaryClause(x)
	case *ast.InExpr:
		return k.inClauses(x)
	}
	return nil
}

// binaryClause handles the comparisons and string operators with a
// column on one side and a string constant on the other.
func (k *compiler) binaryClause(x *ast.BinaryExpr) []clause {
	switch x.Op {
	case ast.Eql, ast.EqTilde:
		if x.Op == ast.Eql {
			if c := k.numClause(x.X, x.Y); c != nil {
				return c
			}
			if c := k.numClause(x.Y, x.X); c != nil {
				return c
			}
		}
		if col, ok := k.stringColumn(x.X); ok {
			if s, ok := k.constString(x.Y); ok {
				return one(col, s)
			}
		}
		if col, ok := k.stringColumn(x.Y); ok {
			if s, ok := k.constString(x.X); ok {
				return one(col, s)
			}
		}
		if col, ok := k.jsonTextColumn(x.X); ok {
			if s, ok := k.constString(x.Y); ok {
				return jsonOne(col, s)
			}
		}
		return nil
	case ast.MatchesRegex:
		col, ok := k.stringColumn(x.X)
		if !ok {
			return nil
		}
		p, ok := k.constString(x.Y)
		if !ok {
			return nil
		}
		return regexClause(col, p)
	}
	switch x.Op.String() {
	case "contains", "contains_cs", "startswith", "startswith_cs", "endswith", "endswith_cs",
		"has", "has_cs", "hasprefix", "hasprefix_cs", "hassuffix", "hassuffix_cs":
		if col, ok := k.stringColumn(x.X); ok {
			if s, ok := k.constString(x.Y); ok {
				return one(col, s)
			}
		} else if col, ok := k.jsonTextColumn(x.X); ok {
			if s, ok := k.constString(x.Y); ok {
				return jsonOne(col, s)
			}
		}
	}
	return nil
}

// inClauses: in and in~ need one of the items (the union); has_any too;
// has_all needs each of them.
func (k *compiler) inClauses(x *ast.InExpr) []clause {
	if x.Op != ast.In && x.Op != ast.InCs && x.Op != ast.HasAny && x.Op != ast.HasAll {
		return nil
	}
	if len(x.List) == 0 {
		return nil
	}
	if x.Op == ast.In {
		if _, ok := k.intColumn(x.X); ok {
			var u clause
			for _, e := range x.List {
				c := k.numClause(x.X, e)
				if c == nil {
					return nil
				}
				u = append(u, c[0]...)
			}
			return []clause{u}
		}
	}
	oneOf := one
	col, ok := k.stringColumn(x.X)
	if !ok {
		if col, ok = k.jsonTextColumn(x.X); !ok {
			return nil
		}
		oneOf = jsonOne
	}
	var items []string
	for _, e := range x.List {
		s, ok := k.constString(e)
		if !ok {
			return nil
		}
		items = append(items, s)
	}
	if x.Op == ast.HasAll {
		var out []clause
		for _, s := range items {
			if c := oneOf(col, s); c != nil {
				out = append(out, c...)
			}
		}
		return out
	}
	var u clause
	for _, s := range items {
		c := oneOf(col, s)
		if c == nil {
			return nil
		}
		u = append(u, c[0]...)
	}
	return []clause{dedupe(u)}
}

// dedupe drops repeated anchors (jsonOne's fallbacks) from a clause.
func dedupe(c clause) clause {
	out := c[:0:0]
	seen := map[anchor]bool{}
	for _, a := range c {
		if a.num != nil {
			out = append(out, a)
			continue
		}
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

// one is the clause "col contains s" (lowercased), or "col is not ASCII"
// when s lowercased is not ASCII, or nil for an empty s. It is lowercased
// first because Unicode lowercases some non-ASCII letters to ASCII ones
// (İ to i, the Kelvin sign to k): a case-insensitive test for "İ" is one
// for "i". A case-sensitive test for a non-ASCII literal holds only on a
// non-ASCII value, which marks every anchor of its column anyway.
func one(col int, s string) []clause {
	if s == "" {
		return nil
	}
	n := strings.ToLower(s)
	if !isASCII(n) {
		return []clause{{{col: col, wide: true}}}
	}
	return []clause{{{col: col, lit: n}}}
}

// stringColumn resolves e to a string column of the input row.
func (k *compiler) stringColumn(e ast.Expr) (int, bool) {
	return k.rowColumn(e, func(t schema.Type) bool { return t == schema.String })
}

// intColumn resolves e to an int or long column of the input row.
func (k *compiler) intColumn(e ast.Expr) (int, bool) {
	return k.rowColumn(e, isInteger)
}

// rowColumn resolves e, a column name in any parentheses, to the index of
// an input-row column whose type passes want.
func (k *compiler) rowColumn(e ast.Expr, want func(schema.Type) bool) (int, bool) {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			break
		}
		e = p.X
	}
	id, ok := e.(*ast.Ident)
	if !ok || k.layout == nil {
		return 0, false
	}
	i := k.find(id.Name)
	if i < 0 {
		return 0, false
	}
	lc := k.layout[i]
	if lc.slot >= 0 || !want(lc.typ) {
		return 0, false
	}
	return -1 - lc.slot, true
}

// numClause is "col == n" for an integer column and an integer literal.
func (k *compiler) numClause(colExpr, litExpr ast.Expr) []clause {
	col, ok := k.intColumn(colExpr)
	if !ok {
		return nil
	}
	for {
		p, ok := litExpr.(*ast.ParenExpr)
		if !ok {
			break
		}
		litExpr = p.X
	}
	lit, ok := litExpr.(*ast.BasicLit)
	if !ok || lit.Kind != ast.LitLong {
		return nil
	}
	n, err := strconv.ParseInt(lit.Value, 0, 64)
	if err != nil {
		return nil
	}
	return []clause{{{col: col, num: &n}}}
}

// constString reads a string literal, or a let name bound to a constant
// string (a column of the same name wins, as in ident).
func (k *compiler) constString(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return k.constString(x.X)
	case *ast.StringLit:
		return x.Value, true
	case *ast.Ident:
		if k.layout != nil && k.find(x.Name) >= 0 {
			return "", false
		}
		if b := k.sc.lookup(x.Name); b != nil && b.e != nil && b.e.konst && b.e.t == schema.String {
			s, ok := b.e.f(nil).(string)
			return s, ok
		}
	}
	return "", false
}

// regexClause is the literals one of which every match of pattern
// contains, when they can be proven.
func regexClause(col int, pattern string) []clause {
	re, err := syntax.Parse(namedGroup.ReplaceAllString(pattern, "(?P<$1>"), syntax.Perl)
	if err != nil {
		return nil
	}
	lits := required(re.Simplify())
	if lits == nil {
		return nil
	}
	var c clause
	for _, s := range lits {
		if !isASCII(s) {
			return nil // (?i)ſ matches s
		}
		a := one(col, s)
		if a == nil {
			return nil
		}
		c = append(c, a[0]...)
	}
	return []clause{c}
}

// required returns strings one of which every match of re contains, or
// nil. Case-folded literals count: for ASCII text, a folded match of
// "abc" contains "abc" once lowercased.
func required(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return nil
		}
		return []string{string(re.Rune)}
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
		return nil
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			r := required(s)
			if r == nil {
				return nil
			}
			out = append(out, r...)
		}
		return out
	case syntax.OpConcat:
		var bestLits []string
		consider := func(r []string) {
			if r != nil && (bestLits == nil || litScore(r) > litScore(bestLits)) {
				bestLits = r
			}
		}
		// Adjacent literals make one longer required string, and so do
		// a literal and the text every match of the next piece starts
		// with ("(?:\{\d\})+ requires "{), or the text every match of
		// the piece before ends with and a literal.
		var run []rune
		for _, s := range re.Sub {
			if s.Op == syntax.OpLiteral {
				run = append(run, s.Rune...)
				continue
			}
			if len(run) > 0 {
				consider([]string{string(append(run, affix(s, true)...))})
			}
			consider(required(s))
			run = append([]rune(nil), affix(s, false)...)
		}
		if len(run) > 0 {
			consider([]string{string(run)})
		}
		return bestLits
	}
	return nil
}

// affix is the text every match of re starts with (prefix true) or ends
// with, as far as it can be proven; nil when none.
func affix(re *syntax.Regexp, prefix bool) []rune {
	switch re.Op {
	case syntax.OpLiteral:
		return re.Rune
	case syntax.OpCapture, syntax.OpPlus:
		return affix(re.Sub[0], prefix)
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return affix(re.Sub[0], prefix)
		}
	case syntax.OpConcat:
		// The literals at that end, then the affix of the first piece
		// that is not a literal.
		var out []rune
		n := len(re.Sub)
		for i := 0; i < n; i++ {
			s := re.Sub[i]
			if !prefix {
				s = re.Sub[n-1-i]
			}
			part := s.Rune
			if s.Op != syntax.OpLiteral {
				part = affix(s, prefix)
			}
			if prefix {
				out = append(out, part...)
			} else {
				out = append(append([]rune(nil), part...), out...)
			}
			if s.Op != syntax.OpLiteral {
				break
			}
		}
		return out
	}
	return nil
}

// litScore rates how rarely one of lits is expected in a value: the
// shortest decides.
func litScore(lits []string) int {
	m := -1
	for _, s := range lits {
		if m < 0 || len(s) < m {
			m = len(s)
		}
	}
	return m
}

func clauseScore(c clause) int {
	m := -1
	for _, a := range c {
		n := len(a.lit)
		switch {
		case a.num != nil:
			n = numScore
		case a.wide:
			n = wideScore
		}
		if m < 0 || n < m {
			m = n
		}
	}
	// Fewer alternatives hit less often.
	return m*64 - len(c)
}

// orSide is how many clauses of each side of an or are paired.
const orSide = 3

// top is the n most selective clauses, or nil.
func top(cs []clause, n int) []clause {
	if len(cs) == 0 {
		return nil
	}
	out := append([]clause(nil), cs...)
	sort.SliceStable(out, func(i, j int) bool { return clauseScore(out[i]) > clauseScore(out[j]) })
	return out[:min(n, len(out))]
}

// pickClauses keeps the most selective clauses, deduplicating anchors
// within each.
func pickClauses(cs []clause) []clause {
	var out []clause
	for _, c := range cs {
		seen := map[string]bool{}
		var d clause
		for _, a := range c {
			key := fmt.Sprint(a.col, ":", a.lit, a.wide)
			if a.num != nil {
				key = fmt.Sprint(a.col, "=", *a.num)
			}
			if !seen[key] {
				seen[key] = true
				d = append(d, a)
			}
		}
		out = append(out, d)
	}
	sort.SliceStable(out, func(i, j int) bool { return clauseScore(out[i]) > clauseScore(out[j]) })
	if len(out) > maxClauses {
		out = out[:maxClauses]
	}
	return out
}
