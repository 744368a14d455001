package scanner

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/kql/token"
)

// scanString reads a string literal. start is where the token starts (at
// the h of h'...' or the @ of @'...'); q is where the quote starts.
//
// Forms: '...' and "..." with backslash escapes; verbatim @'...' and @"..."
// where a doubled quote stands for one quote; multi-line ```...```. None but
// the multi-line form may span lines.
func (s *Scanner) scanString(start, q int) token.Token {
	verbatim := q > start && s.src[q-1] == '@'
	if s.isTripleQuote(q) {
		end := strings.Index(s.src[q+3:], "```")
		if end < 0 {
			s.off = len(s.src)
			s.errorAt(start, "multi-line string literal not terminated: expected ```")
			return s.tok(token.STRING, start)
		}
		s.off = q + 3 + end + 3
		s.checkUTF8(start)
		return s.tok(token.STRING, start)
	}
	quote := s.src[q]
	s.off = q + 1
	for s.off < len(s.src) {
		c := s.src[s.off]
		switch {
		case c == quote:
			if verbatim && s.peek(s.off+1) == quote {
				s.off += 2
				continue
			}
			s.off++
			s.checkUTF8(start)
			return s.tok(token.STRING, start)
		case c == '\n' || c == '\r':
			s.errorAt(start, "string literal not terminated: expected %c before the end of the line", quote)
			s.checkUTF8(start)
			return s.tok(token.STRING, start)
		case c == '\\' && !verbatim:
			n := escapeLen(s.src[s.off:])
			if n > 0 {
				if _, err := decodeEscape(s.src[s.off : s.off+n]); err != nil {
					s.errorAt(s.off, "invalid escape sequence %q in string literal: not a character", s.src[s.off:s.off+n])
				}
			}
			if n == 0 {
				// Report and step over the backslash and the character after
				// it, so the rest of the string scans normally.
				n = 1
				if next := s.peek(s.off + 1); next != 0 && next != '\n' && next != '\r' {
					_, size := utf8.DecodeRuneInString(s.src[s.off+1:])
					n += size
				}
				s.errorAt(s.off, "invalid escape sequence %q in string literal", s.src[s.off:s.off+n])
			}
			s.off += n
		default:
			s.off++
		}
	}
	s.errorAt(start, "string literal not terminated: expected %c", quote)
	s.checkUTF8(start)
	return s.tok(token.STRING, start)
}

// checkUTF8 reports a string whose bytes are not valid UTF-8: such bytes
// cannot be represented in the engine's strings.
func (s *Scanner) checkUTF8(start int) {
	if !utf8.ValidString(s.src[start:s.off]) {
		s.errorAt(start, "invalid UTF-8 encoding in string literal")
	}
}

// escapeLen returns the length of the escape sequence at the start of s
// (which begins with a backslash), or 0 if it is not a valid escape.
func escapeLen(s string) int {
	if len(s) < 2 {
		return 0
	}
	switch c := s[1]; c {
	case '\\', '\'', '"', 'a', 'b', 'f', 'n', 'r', 't', 'v':
		return 2
	case 'x':
		return hexRun(s, 2, 2)
	case 'u':
		return hexRun(s, 2, 4)
	case 'U':
		return hexRun(s, 2, 8)
	default:
		if n := octalLen(s[1:]); n > 0 {
			return 1 + n
		}
	}
	return 0
}

// hexRun returns from+n if s[from:from+n] are all hex digits, else 0.
func hexRun(s string, from, n int) int {
	if len(s) < from+n {
		return 0
	}
	for i := from; i < from+n; i++ {
		if !isHex(s[i]) {
			return 0
		}
	}
	return from + n
}

// octalLen returns the length of the octal escape at the start of s: one to
// three octal digits, three only when the first is at most 3.
func octalLen(s string) int {
	isOct := func(i int) bool { return i < len(s) && s[i] >= '0' && s[i] <= '7' }
	switch {
	case !isOct(0):
		return 0
	case !isOct(1):
		return 1
	case isOct(2) && s[0] <= '3':
		return 3
	}
	return 2
}

// Unquote returns the value of a string literal token: it strips the h and
// @ prefixes and the quotes, decodes escapes in regular strings and doubled
// quotes in verbatim strings.
func Unquote(lit string) (string, error) {
	s := lit
	if strings.HasPrefix(s, "h") || strings.HasPrefix(s, "H") {
		s = s[1:]
	}
	verbatim := strings.HasPrefix(s, "@")
	if verbatim {
		s = s[1:]
	}
	if strings.HasPrefix(s, "```") {
		if len(s) < 6 || !strings.HasSuffix(s, "```") {
			return "", errors.New("unterminated multi-line string literal")
		}
		return s[3 : len(s)-3], nil
	}
	if len(s) < 2 || (s[0] != '\'' && s[0] != '"') || s[len(s)-1] != s[0] {
		return "", fmt.Errorf("malformed string literal %q", lit)
	}
	quote := s[0]
	body := s[1 : len(s)-1]
	if verbatim {
		return strings.ReplaceAll(body, string([]byte{quote, quote}), string(quote)), nil
	}
	if !strings.Contains(body, `\`) {
		return body, nil
	}
	var b strings.Builder
	for i := 0; i < len(body); {
		if body[i] != '\\' {
			b.WriteByte(body[i])
			i++
			continue
		}
		n := escapeLen(body[i:])
		if n == 0 {
			return "", fmt.Errorf("invalid escape sequence in %q", lit)
		}
		r, err := decodeEscape(body[i : i+n])
		if err != nil {
			return "", err
		}
		// A \u high surrogate followed by a \u low surrogate is one
		// character, as in the UTF-16 strings Kusto uses.
		if utf16.IsSurrogate(r) && r < 0xDC00 {
			if m := escapeLen(body[i+n:]); m == 6 && body[i+n+1] == 'u' {
				r2, _ := decodeEscape(body[i+n : i+n+m])
				if c := utf16.DecodeRune(r, r2); c != utf8.RuneError {
					b.WriteRune(c)
					i += n + m
					continue
				}
			}
		}
		if utf16.IsSurrogate(r) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
		i += n
	}
	return b.String(), nil
}

// decodeEscape decodes one escape sequence of known-valid form.
func decodeEscape(e string) (rune, error) {
	switch e[1] {
	case '\\', '\'', '"':
		return rune(e[1]), nil
	case 'a':
		return '\a', nil
	case 'b':
		return '\b', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'v':
		return '\v', nil
	case 'x', 'u', 'U':
		var v int64
		for i := 2; i < len(e); i++ {
			v = v<<4 | int64(hexVal(e[i]))
		}
		if v > utf8.MaxRune {
			return 0, fmt.Errorf("escape sequence %s is not a valid character", e)
		}
		return rune(v), nil
	}
	var v rune
	for i := 1; i < len(e); i++ {
		v = v<<3 | rune(e[i]-'0')
	}
	return v, nil
}

func hexVal(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// Quote returns a double-quoted KQL string literal for s, escaping what
// must be escaped. The printer uses it for string values that carry no
// source text.
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == utf8.RuneError {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
