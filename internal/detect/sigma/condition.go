package sigma

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
)

// A condition is Sigma's boolean expression over a rule's search
// identifiers:
//
//	expr    = and { "or" and }
//	and     = unary { "and" unary }
//	unary   = "not" unary | primary
//	primary = "(" expr ")" | quant "of" (pattern | "them") | identifier
//	quant   = "1" | "any" | "all" | number
//
// Identifiers in "x of" may hold * wildcards; "them" is every search
// identifier not starting with "_".

type condToken struct {
	text string
	pos  int // 1-based column in the condition
}

func lexCondition(s string) ([]condToken, error) {
	var toks []condToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, condToken{string(c), i + 1})
			i++
		case c == '|':
			return nil, fmt.Errorf("column %d: aggregations in the condition (| count() ...) are deprecated and not supported; write a correlation rule", i+1)
		case isIdentByte(c):
			j := i
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			toks = append(toks, condToken{s[i:j], i + 1})
			i = j
		default:
			return nil, fmt.Errorf("column %d: unexpected character %q", i+1, c)
		}
	}
	return toks, nil
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '*' || c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// condParser builds the predicate of a condition from the compiled
// search identifiers.
type condParser struct {
	toks   []condToken
	i      int
	src    string
	search map[string]expr
	used   map[string]bool
	depth  int
}

// maxConditionDepth bounds nesting, so hostile input cannot exhaust the
// stack.
const maxConditionDepth = 200

func parseCondition(src string, search map[string]expr, used map[string]bool) (expr, error) {
	toks, err := lexCondition(src)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, fmt.Errorf("the condition is empty")
	}
	p := &condParser{toks: toks, src: src, search: search, used: used}
	x, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, p.errf("unexpected %q", p.toks[p.i].text)
	}
	return x, nil
}

func (p *condParser) errf(format string, a ...any) error {
	pos := len(p.src) + 1
	if p.i < len(p.toks) {
		pos = p.toks[p.i].pos
	}
	return fmt.Errorf("column %d: %s", pos, fmt.Sprintf(format, a...))
}

func (p *condParser) peek() string {
	if p.i < len(p.toks) {
		return strings.ToLower(p.toks[p.i].text)
	}
	return ""
}

func (p *condParser) or() (expr, error) {
	x, err := p.and()
	if err != nil {
		return nil, err
	}
	xs := []expr{x}
	for p.peek() == "or" {
		p.i++
		y, err := p.and()
		if err != nil {
			return nil, err
		}
		xs = append(xs, y)
	}
	return or(xs...), nil
}

func (p *condParser) and() (expr, error) {
	x, err := p.unary()
	if err != nil {
		return nil, err
	}
	xs := []expr{x}
	for p.peek() == "and" {
		p.i++
		y, err := p.unary()
		if err != nil {
			return nil, err
		}
		xs = append(xs, y)
	}
	return and(xs...), nil
}

func (p *condParser) unary() (expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxConditionDepth {
		return nil, p.errf("the condition nests deeper than %d", maxConditionDepth)
	}
	if p.peek() == "not" {
		p.i++
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return not(x), nil
	}
	return p.primary()
}

func (p *condParser) primary() (expr, error) {
	t := p.peek()
	switch t {
	case "":
		return nil, p.errf("the condition ends early")
	case "(":
		p.i++
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, p.errf("missing )")
		}
		p.i++
		return x, nil
	case ")", "and", "or", "of":
		return nil, p.errf("unexpected %q", p.toks[p.i].text)
	}
	if p.i+1 < len(p.toks) && strings.EqualFold(p.toks[p.i+1].text, "of") {
		return p.quantified()
	}
	name := p.toks[p.i].text
	x, ok := p.search[name]
	if !ok {
		return nil, p.errf("no search identifier %q in the detection", name)
	}
	p.used[name] = true
	p.i++
	return x, nil
}

// quantified reads "1 of x*", "all of them", "2 of sel_*".
func (p *condParser) quantified() (expr, error) {
	q := p.peek()
	p.i += 2 // quantifier, "of"
	if p.i >= len(p.toks) {
		return nil, p.errf("\"of\" needs an identifier pattern or \"them\"")
	}
	target := p.toks[p.i].text
	var names []string
	for name := range p.search {
		if strings.EqualFold(target, "them") {
			if !strings.HasPrefix(name, "_") {
				names = append(names, name)
			}
		} else if ok, _ := path.Match(target, name); ok {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, p.errf("%q matches no search identifier", target)
	}
	p.i++
	sort.Strings(names)
	xs := make([]expr, len(names))
	for i, n := range names {
		xs[i] = p.search[n]
		p.used[n] = true
	}
	switch q {
	case "1", "any":
		return or(xs...), nil
	case "all":
		return and(xs...), nil
	}
	n, err := strconv.Atoi(q)
	if err != nil || n < 1 {
		return nil, fmt.Errorf("quantifier %q is not 1, any, all or a count", q)
	}
	return atLeast(n, xs)
}

// maxCombinations bounds "n of" expanded into an or of ands.
const maxCombinations = 256

// atLeast is "n of xs": an or over every n-subset.
func atLeast(n int, xs []expr) (expr, error) {
	if n > len(xs) {
		return constExpr(false), nil
	}
	var out []expr
	var pick func(start int, chosen []expr) bool
	pick = func(start int, chosen []expr) bool {
		if len(chosen) == n {
			out = append(out, and(append([]expr(nil), chosen...)...))
			return len(out) <= maxCombinations
		}
		for i := start; i < len(xs); i++ {
			if !pick(i+1, append(chosen, xs[i])) {
				return false
			}
		}
		return true
	}
	if !pick(0, nil) {
		return nil, fmt.Errorf("\"%d of\" over %d identifiers has more than %d combinations", n, len(xs), maxCombinations)
	}
	return or(out...), nil
}
