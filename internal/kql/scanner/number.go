package scanner

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/token"
)

// timespanSuffixes are the units a number may carry to form a timespan
// literal (1d, 1.5h, 100ms). They are tried longest first.
var timespanSuffixes = []string{
	"milliseconds", "microseconds", "nanoseconds",
	"millisecond", "microsecond", "nanosecond",
	"millisec", "microsec", "nanosec",
	"minutes", "seconds",
	"millis", "micros", "minute", "second",
	"milli", "micro", "nanos", "hours", "ticks",
	"nano", "hour", "tick", "days",
	"min", "sec", "day", "hrs",
	"ms", "hr",
	"m", "s", "d", "h",
}

// scanNumber reads a token that starts with a digit. In KQL that is a real,
// a timespan, a long, a raw GUID or an identifier such as 2mins: the forms
// are tried in that order, and a number may not run into a letter.
func (s *Scanner) scanNumber(start int) token.Token {
	if n := rawGUIDLen(s.src[start:]); n > 0 {
		s.off = start + n
		return s.tok(token.GUID, start)
	}
	if end := s.realEnd(start); end > 0 {
		s.off = end
		return s.tok(token.REAL, start)
	}
	if end := s.timespanEnd(start); end > 0 {
		s.off = end
		return s.tok(token.TIMESPAN, start)
	}
	if end := s.longEnd(start); end > 0 {
		s.off = end
		return s.tok(token.LONG, start)
	}
	// Digits followed by a letter or underscore: an identifier.
	s.off = s.identEnd(s.digitsEnd(start))
	return s.tok(token.IDENT, start)
}

func (s *Scanner) digitsEnd(off int) int {
	for off < len(s.src) && isDigit(s.src[off]) {
		off++
	}
	return off
}

// realEnd returns the end of a real literal at off, or 0: digits with a
// fraction and/or an exponent. "1..2" is not a real: ".." is the range
// token of between(1..2).
func (s *Scanner) realEnd(off int) int {
	p := s.digitsEnd(off)
	if s.peek(p) == '.' && (s.peek(p+1) != '.' || s.peek(p+2) == '.') {
		p = s.digitsEnd(p + 1)
		if e := s.exponentEnd(p); e > 0 {
			p = e
		}
	} else {
		e := s.exponentEnd(p)
		if e == 0 {
			return 0
		}
		p = e
	}
	if s.isIdentCharAt(p) {
		return 0
	}
	return p
}

func (s *Scanner) exponentEnd(off int) int {
	if c := s.peek(off); c != 'e' && c != 'E' {
		return 0
	}
	off++
	if c := s.peek(off); c == '+' || c == '-' {
		off++
	}
	end := s.digitsEnd(off)
	if end == off {
		return 0
	}
	return end
}

func (s *Scanner) timespanEnd(off int) int {
	p := s.digitsEnd(off)
	if s.peek(p) == '.' {
		if f := s.digitsEnd(p + 1); f > p+1 {
			p = f
		}
	}
	rest := s.src[p:]
	for _, suf := range timespanSuffixes {
		if strings.HasPrefix(rest, suf) {
			if s.isIdentCharAt(p + len(suf)) {
				return 0
			}
			return p + len(suf)
		}
	}
	return 0
}

func (s *Scanner) longEnd(off int) int {
	if s.src[off] == '0' && (s.peek(off+1) == 'x' || s.peek(off+1) == 'X') && isHex(s.peek(off+2)) {
		p := off + 2
		for p < len(s.src) && isHex(s.src[p]) {
			p++
		}
		if !s.isIdentCharAt(p) {
			return p
		}
	}
	p := s.digitsEnd(off)
	if s.isIdentCharAt(p) {
		return 0
	}
	return p
}
