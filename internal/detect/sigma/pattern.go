package sigma

import (
	"regexp"
	"strings"
)

// pattern is a Sigma string value: literal text with the wildcards *
// (any run of characters) and ? (one character). A backslash escapes *, ?
// and itself; before any other character it is literal, as in pySigma, so
// that Windows paths need no doubling.
type pattern []piece

type piece struct {
	lit  string
	wild byte // 0 for a literal, '*' or '?'
}

func parsePattern(s string) pattern {
	var p pattern
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p = append(p, piece{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '?' || s[i+1] == '\\'):
			lit.WriteByte(s[i+1])
			i++
		case c == '*' || c == '?':
			flush()
			p = append(p, piece{wild: c})
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return p.norm()
}

// literalPattern is text without wildcards (an encoded value).
func literalPattern(s string) pattern {
	if s == "" {
		return nil
	}
	return pattern{{lit: s}}
}

// norm merges adjacent literals and runs of *.
func (p pattern) norm() pattern {
	var out pattern
	for _, x := range p {
		n := len(out)
		switch {
		case x.wild == 0 && x.lit == "":
			continue
		case x.wild == 0 && n > 0 && out[n-1].wild == 0:
			out[n-1].lit += x.lit
		case x.wild == '*' && n > 0 && out[n-1].wild == '*':
		default:
			out = append(out, x)
		}
	}
	return out
}

func (p pattern) hasWild() bool {
	for _, x := range p {
		if x.wild != 0 {
			return true
		}
	}
	return false
}

// text is the pattern's literal text (for a pattern without wildcards).
func (p pattern) text() string {
	var b strings.Builder
	for _, x := range p {
		if x.wild != 0 {
			b.WriteByte(x.wild)
		} else {
			b.WriteString(x.lit)
		}
	}
	return b.String()
}

// wrap adds leading and trailing * as contains, startswith and endswith
// ask for.
func (p pattern) wrap(lead, trail bool) pattern {
	out := append(pattern(nil), p...)
	if lead {
		out = append(pattern{{wild: '*'}}, out...)
	}
	if trail {
		out = append(out, piece{wild: '*'})
	}
	return out.norm()
}

// regex is the pattern as an anchored RE2 expression; * also matches line
// breaks, as Sigma's wildcard matches any characters.
func (p pattern) regex() string {
	var b strings.Builder
	b.WriteString("^")
	for _, x := range p {
		switch x.wild {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(x.lit))
		}
	}
	b.WriteString("$")
	return b.String()
}

// op is how a pattern compares with a string: its simplest KQL form.
type op int

const (
	opEq op = iota
	opContains
	opStartsWith
	opEndsWith
	opRegex
	opAny // * alone: any non-empty value
)

// shape reduces a pattern to an operator and its literal: *x* is
// contains, x* startswith, *x endswith; anything else with wildcards is a
// regular expression.
func (p pattern) shape() (op, string) {
	n := len(p)
	switch {
	case n == 0:
		return opEq, ""
	case !p.hasWild():
		return opEq, p.text()
	case n == 1 && p[0].wild == '*':
		return opAny, ""
	case n == 3 && p[0].wild == '*' && p[2].wild == '*' && p[1].wild == 0:
		return opContains, p[1].lit
	case n == 2 && p[0].wild == 0 && p[1].wild == '*':
		return opStartsWith, p[0].lit
	case n == 2 && p[0].wild == '*' && p[1].wild == 0:
		return opEndsWith, p[1].lit
	}
	return opRegex, p.regex()
}
