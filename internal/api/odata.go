package api

import (
	"fmt"
	"strings"
	"time"
)

// odataTerm is one comparison of an OData $filter: field op value.
type odataTerm struct {
	Field string
	Op    string // eq, ne, gt, ge, lt, le
	Value string
	Pos   int // byte offset of the field in the filter
}

// maxFilterLen bounds a $filter's length.
const maxFilterLen = 4096

// parseODataFilter reads the subset of OData $filter that Defender's
// incident and alert APIs accept: comparisons joined by "and", each
// "field op value" with a quoted string ('it”s'), a bare date-time or
// number, or null; parentheses around a comparison are allowed. Errors
// name the byte offset.
func parseODataFilter(s string) ([]odataTerm, error) {
	if len(s) > maxFilterLen {
		return nil, fmt.Errorf("$filter is longer than %d bytes", maxFilterLen)
	}
	p := &odataParser{s: s}
	var terms []odataTerm
	for {
		p.space()
		if p.i >= len(s) {
			if len(terms) == 0 {
				return nil, fmt.Errorf("$filter is empty")
			}
			return terms, nil
		}
		if len(terms) > 0 {
			w, at := p.word()
			if !strings.EqualFold(w, "and") {
				return nil, fmt.Errorf("$filter: expected \"and\" at byte %d, found %q (only \"and\" joins comparisons)", at, w)
			}
			p.space()
		}
		open := 0
		for p.i < len(s) && s[p.i] == '(' {
			open++
			p.i++
			p.space()
		}
		field, at := p.word()
		if field == "" {
			return nil, fmt.Errorf("$filter: expected a property name at byte %d", at)
		}
		p.space()
		op, opAt := p.word()
		switch strings.ToLower(op) {
		case "eq", "ne", "gt", "ge", "lt", "le":
		default:
			return nil, fmt.Errorf("$filter: expected eq, ne, gt, ge, lt or le at byte %d, found %q", opAt, op)
		}
		p.space()
		val, err := p.value()
		if err != nil {
			return nil, err
		}
		for ; open > 0; open-- {
			p.space()
			if p.i >= len(s) || s[p.i] != ')' {
				return nil, fmt.Errorf("$filter: expected ) at byte %d", p.i)
			}
			p.i++
		}
		terms = append(terms, odataTerm{Field: field, Op: strings.ToLower(op), Value: val, Pos: at})
		if len(terms) > 50 {
			return nil, fmt.Errorf("$filter has more than 50 comparisons")
		}
	}
}

type odataParser struct {
	s string
	i int
}

func (p *odataParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// word reads a name: letters, digits, '_', '/' and '.'.
func (p *odataParser) word() (string, int) {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '_' || c == '/' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			p.i++
			continue
		}
		break
	}
	return p.s[start:p.i], start
}

// value reads a quoted string or a bare literal (date-time, number,
// null, an enum name).
func (p *odataParser) value() (string, error) {
	if p.i >= len(p.s) {
		return "", fmt.Errorf("$filter: expected a value at byte %d", p.i)
	}
	if p.s[p.i] == '\'' {
		start := p.i
		p.i++
		var b strings.Builder
		for p.i < len(p.s) {
			c := p.s[p.i]
			if c == '\'' {
				if p.i+1 < len(p.s) && p.s[p.i+1] == '\'' {
					b.WriteByte('\'')
					p.i += 2
					continue
				}
				p.i++
				return b.String(), nil
			}
			b.WriteByte(c)
			p.i++
		}
		return "", fmt.Errorf("$filter: unterminated string starting at byte %d", start)
	}
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != ' ' && p.s[p.i] != ')' && p.s[p.i] != '\t' {
		p.i++
	}
	if p.i == start {
		return "", fmt.Errorf("$filter: expected a value at byte %d", start)
	}
	return p.s[start:p.i], nil
}

// odataTime reads a date-time literal.
func odataTime(t odataTerm) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if v, err := time.Parse(layout, t.Value); err == nil {
			return v.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("$filter: %s at byte %d needs a date-time such as 2026-11-26T10:00:00Z, not %q", t.Field, t.Pos, t.Value)
}

// timeRange narrows [since, until) by one comparison on a time.
func timeRange(t odataTerm, since, until *time.Time) error {
	v, err := odataTime(t)
	if err != nil {
		return err
	}
	switch t.Op {
	case "ge":
		*since = later(*since, v)
	case "gt":
		*since = later(*since, v.Add(time.Microsecond))
	case "lt":
		*until = earlier(*until, v)
	case "le":
		*until = earlier(*until, v.Add(time.Microsecond))
	case "eq":
		*since, *until = later(*since, v), earlier(*until, v.Add(time.Microsecond))
	default:
		return fmt.Errorf("$filter: %s at byte %d takes eq, gt, ge, lt or le", t.Field, t.Pos)
	}
	return nil
}

func later(a, b time.Time) time.Time {
	if a.IsZero() || b.After(a) {
		return b
	}
	return a
}

func earlier(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

// enumValues turns eq/ne comparisons on an enum into the set of allowed
// values (intersected over several comparisons).
func enumValues(t odataTerm, all []string, cur []string) ([]string, error) {
	var match string
	for _, v := range all {
		if strings.EqualFold(v, t.Value) {
			match = v
		}
	}
	if match == "" {
		return nil, fmt.Errorf("$filter: %s at byte %d must be one of %s, not %q", t.Field, t.Pos, strings.Join(all, ", "), t.Value)
	}
	var set []string
	switch t.Op {
	case "eq":
		set = []string{match}
	case "ne":
		for _, v := range all {
			if v != match {
				set = append(set, v)
			}
		}
	default:
		return nil, fmt.Errorf("$filter: %s at byte %d takes eq or ne", t.Field, t.Pos)
	}
	if cur == nil {
		return set, nil
	}
	var out []string
	for _, v := range cur {
		for _, w := range set {
			if v == w {
				out = append(out, v)
			}
		}
	}
	if out == nil {
		out = []string{} // nothing can match
	}
	return out, nil
}
