package sigma

import (
	"strconv"
	"strings"
)

// expr is a KQL predicate under construction. The compiler emits the
// shape a prefilter index can read: a column (or, where Sysmon's field has
// no column of its own, an expression) on the left, a literal on the
// right, combined with and, or and not.
type expr interface {
	write(b *strings.Builder, parent int)
}

// Precedence levels, lowest first.
const (
	precOr = iota
	precAnd
	precAtom
)

type andExpr []expr
type orExpr []expr
type notExpr struct{ x expr }

// atom is one comparison, already KQL text.
type atom string

// constExpr is a predicate known at compile time.
type constExpr bool

func (a atom) write(b *strings.Builder, _ int) { b.WriteString(string(a)) }

func (c constExpr) write(b *strings.Builder, _ int) {
	if c {
		b.WriteString("true")
	} else {
		b.WriteString("false")
	}
}

func (n notExpr) write(b *strings.Builder, _ int) {
	b.WriteString("not(")
	n.x.write(b, precOr)
	b.WriteString(")")
}

func (a andExpr) write(b *strings.Builder, parent int) {
	writeList(b, []expr(a), " and ", precAnd, parent)
}
func (o orExpr) write(b *strings.Builder, parent int) {
	writeList(b, []expr(o), " or ", precOr, parent)
}

func writeList(b *strings.Builder, xs []expr, sep string, prec, parent int) {
	paren := parent > prec
	if paren {
		b.WriteString("(")
	}
	for i, x := range xs {
		if i > 0 {
			b.WriteString(sep)
		}
		x.write(b, prec+1)
	}
	if paren {
		b.WriteString(")")
	}
}

// and combines predicates, folding constants and nested ands.
func and(xs ...expr) expr {
	var out andExpr
	for _, x := range xs {
		switch v := x.(type) {
		case constExpr:
			if !v {
				return constExpr(false)
			}
		case andExpr:
			out = append(out, v...)
		default:
			out = append(out, x)
		}
	}
	switch len(out) {
	case 0:
		return constExpr(true)
	case 1:
		return out[0]
	}
	return out
}

// or combines predicates, folding constants and nested ors.
func or(xs ...expr) expr {
	var out orExpr
	for _, x := range xs {
		switch v := x.(type) {
		case constExpr:
			if v {
				return constExpr(true)
			}
		case orExpr:
			out = append(out, v...)
		default:
			out = append(out, x)
		}
	}
	switch len(out) {
	case 0:
		return constExpr(false)
	case 1:
		return out[0]
	}
	return out
}

func not(x expr) expr {
	switch v := x.(type) {
	case constExpr:
		return !v
	case notExpr:
		return v.x
	}
	return notExpr{x}
}

func exprString(x expr) string {
	var b strings.Builder
	x.write(&b, precOr)
	return b.String()
}

// quote writes a KQL string literal. Control characters and non-ASCII
// text are escaped so that any rule text round-trips.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\u`)
			h := strconv.FormatInt(int64(r), 16)
			b.WriteString(strings.Repeat("0", 4-len(h)) + h)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
