// Package scanner turns KQL text into tokens.
//
// The scanner never panics and always advances: every call to Scan consumes
// at least one byte until it returns EOF, and every malformed construct is
// reported once in Errors with its position while scanning continues.
package scanner

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/kql/token"
)

// MaxQuerySize is the largest query the scanner accepts, in bytes. Hunting
// queries are a few kilobytes; the cap bounds the work a single request can
// cause.
const MaxQuerySize = 1 << 20

// Scanner reads the tokens of one query.
type Scanner struct {
	src  string
	file *token.File
	off  int
	errs ErrorList
}

// New returns a scanner for src. A query larger than MaxQuerySize yields a
// single error and no tokens.
func New(src string) *Scanner {
	s := &Scanner{}
	if len(src) > MaxQuerySize {
		s.file = token.NewFile("")
		s.errs.Add(s.file.Position(token.At(0)),
			fmt.Sprintf("query is %d bytes; the limit is %d bytes (1 MiB)", len(src), MaxQuerySize))
		return s
	}
	s.src = src
	s.file = token.NewFile(src)
	return s
}

// File returns the position table of the query.
func (s *Scanner) File() *token.File { return s.file }

// Errors returns the errors found so far, in source order.
func (s *Scanner) Errors() ErrorList { return s.errs }

// Tokenize scans all of src. The returned slice always ends with an EOF
// token.
func Tokenize(src string) ([]token.Token, *token.File, ErrorList) {
	s := New(src)
	toks := make([]token.Token, 0, len(s.src)/4+1)
	for {
		t := s.Scan()
		toks = append(toks, t)
		if t.Kind == token.EOF {
			break
		}
	}
	return toks, s.file, s.errs
}

// maxErrors bounds the errors kept for one query: a megabyte of junk must
// not turn into a million error values. The first ones are what matters.
const maxErrors = 10

func (s *Scanner) errorAt(off int, format string, args ...any) {
	if len(s.errs) >= maxErrors {
		return
	}
	s.errs.Add(s.file.Position(token.At(off)), fmt.Sprintf(format, args...))
}

// peek returns the byte at off, or 0 past the end.
func (s *Scanner) peek(off int) byte {
	if off < len(s.src) {
		return s.src[off]
	}
	return 0
}

func (s *Scanner) tok(kind token.Kind, start int) token.Token {
	return token.Token{Kind: kind, Pos: token.At(start), Lit: s.src[start:s.off]}
}

// Scan returns the next token.
func (s *Scanner) Scan() token.Token {
	s.skipTrivia()
	start := s.off
	if s.off >= len(s.src) {
		return token.Token{Kind: token.EOF, Pos: token.At(len(s.src))}
	}
	c := s.src[s.off]
	switch {
	case c >= 0x80:
		r, size := utf8.DecodeRuneInString(s.src[s.off:])
		if r == utf8.RuneError && size == 1 {
			s.off++
			s.errorAt(start, "invalid UTF-8 encoding")
			return s.tok(token.ILLEGAL, start)
		}
		if unicode.IsLetter(r) {
			return s.scanWord(start)
		}
		s.off += size
		s.errorAt(start, "unexpected character %q", r)
		return s.tok(token.ILLEGAL, start)
	case isLetter(c) || c == '_' || c == '$':
		return s.scanWord(start)
	case isDigit(c):
		return s.scanNumber(start)
	case c == '\'' || c == '"':
		return s.scanString(start, start)
	case c == '@':
		if q := s.peek(s.off + 1); q == '\'' || q == '"' || s.isTripleQuote(s.off+1) {
			return s.scanString(start, s.off+1)
		}
	case c == '`':
		if s.isTripleQuote(s.off) {
			return s.scanString(start, s.off)
		}
	case c == '!':
		return s.scanBang(start)
	}
	if kind, n := punct(s.src[s.off:]); n > 0 {
		s.off += n
		return s.tok(kind, start)
	}
	s.off++
	s.errorAt(start, "unexpected character %q", c)
	return s.tok(token.ILLEGAL, start)
}

// skipTrivia skips white space and // comments.
func (s *Scanner) skipTrivia() {
	for s.off < len(s.src) {
		c := s.src[s.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			s.off++
		case c == '/' && s.peek(s.off+1) == '/':
			for s.off < len(s.src) && s.src[s.off] != '\n' && s.src[s.off] != '\r' {
				s.off++
			}
		case c >= 0x80:
			r, size := utf8.DecodeRuneInString(s.src[s.off:])
			if r == utf8.RuneError || !isSpace(r) {
				return
			}
			s.off += size
		default:
			return
		}
	}
}

// punct matches the punctuation and operator symbols, longest first.
func punct(s string) (token.Kind, int) {
	c := s[0]
	var c2 byte
	if len(s) > 1 {
		c2 = s[1]
	}
	switch c {
	case '(':
		return token.LPAREN, 1
	case ')':
		return token.RPAREN, 1
	case '[':
		return token.LBRACK, 1
	case ']':
		return token.RBRACK, 1
	case '{':
		return token.LBRACE, 1
	case '}':
		return token.RBRACE, 1
	case '|':
		return token.PIPE, 1
	case ',':
		return token.COMMA, 1
	case ';':
		return token.SEMICOLON, 1
	case ':':
		return token.COLON, 1
	case '.':
		if c2 == '.' {
			return token.DOTDOT, 2
		}
		return token.DOT, 1
	case '+':
		return token.ADD, 1
	case '-':
		return token.SUB, 1
	case '*':
		return token.MUL, 1
	case '/':
		return token.QUO, 1
	case '%':
		return token.REM, 1
	case '<':
		switch c2 {
		case '=':
			return token.LEQ, 2
		case '>':
			return token.LTGT, 2
		}
		return token.LSS, 1
	case '>':
		if c2 == '=' {
			return token.GEQ, 2
		}
		return token.GTR, 1
	case '=':
		switch c2 {
		case '=':
			return token.EQL, 2
		case '>':
			return token.ARROW, 2
		case '~':
			return token.EQTILDE, 2
		}
		return token.ASSIGN, 1
	}
	return token.ILLEGAL, 0
}

// scanBang reads "!=", "!~" and the negated operators such as !has and !in~.
func (s *Scanner) scanBang(start int) token.Token {
	switch s.peek(s.off + 1) {
	case '=':
		s.off += 2
		return s.tok(token.NEQ, start)
	case '~':
		s.off += 2
		return s.tok(token.NEQTILDE, start)
	}
	end := s.off + 1
	for end < len(s.src) && isIdentByte(s.src[end]) {
		end++
	}
	word := s.src[s.off:end]
	if word == "!in" && s.peek(end) == '~' {
		end++
		word = s.src[s.off:end]
	}
	if token.IsNegatedKeyword(word) && !s.isIdentCharAt(end) {
		s.off = end
		return s.tok(token.KEYWORD, start)
	}
	s.off++
	s.errorAt(start, "unexpected '!': negate with not(...) or an operator such as !=, !has, !contains, !in")
	return s.tok(token.ILLEGAL, start)
}

// scanWord reads an identifier or a word-like token: booleans, typed
// literals, obfuscated strings, raw GUIDs, in~ and the dashed keywords.
func (s *Scanner) scanWord(start int) token.Token {
	if n := rawGUIDLen(s.src[start:]); n > 0 {
		s.off += n
		return s.tok(token.GUID, start)
	}
	s.off = s.identEnd(start)
	word := s.src[start:s.off]

	if (word == "h" || word == "H") && s.isStringStart(s.off) {
		q := s.off
		if s.peek(q) == '@' {
			q++
		}
		return s.scanString(start, q)
	}
	if token.IsBoolWord(word) {
		return s.tok(token.BOOL, start)
	}
	if token.IsTypedLiteralWord(word) && s.peek(s.off) == '(' {
		return s.scanTypedLiteral(start)
	}
	if word == "in" && s.peek(s.off) == '~' {
		s.off++
		return s.tok(token.KEYWORD, start)
	}
	if s.peek(s.off) == '-' {
		if kw := token.DashedKeywordPrefix(s.src[start:]); len(kw) > len(word) && kw[len(word)] == '-' &&
			!s.isIdentCharAt(start+len(kw)) {
			s.off = start + len(kw)
			return s.tok(token.KEYWORD, start)
		}
	}
	return s.tok(token.IDENT, start)
}

// identEnd returns the end of the identifier that starts at off. The first
// character has already been checked to be a valid start.
func (s *Scanner) identEnd(off int) int {
	if s.src[off] == '$' {
		off++
	}
	for off < len(s.src) {
		c := s.src[off]
		if c < 0x80 {
			if !isIdentByte(c) {
				break
			}
			off++
			continue
		}
		r, size := utf8.DecodeRuneInString(s.src[off:])
		if r == utf8.RuneError || !(unicode.IsLetter(r) || unicode.IsDigit(r)) {
			break
		}
		off += size
	}
	return off
}

// isIdentCharAt reports whether an identifier character is at off.
func (s *Scanner) isIdentCharAt(off int) bool {
	if off >= len(s.src) {
		return false
	}
	c := s.src[off]
	if c < 0x80 {
		return isIdentByte(c)
	}
	r, _ := utf8.DecodeRuneInString(s.src[off:])
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

func (s *Scanner) isTripleQuote(off int) bool {
	return strings.HasPrefix(s.src[off:], "```")
}

// isStringStart reports whether a quote (or @quote) starts at off, for the
// h prefix of obfuscated strings.
func (s *Scanner) isStringStart(off int) bool {
	c := s.peek(off)
	if c == '@' {
		off++
		c = s.peek(off)
	}
	return c == '\'' || c == '"' || s.isTripleQuote(off)
}

// scanTypedLiteral reads word(body). The body is free text up to the first
// ")" on the same line, as in Kusto: datetime(2024-01-01 10:00:00).
func (s *Scanner) scanTypedLiteral(start int) token.Token {
	word := s.src[start:s.off]
	s.off++ // (
	for s.off < len(s.src) {
		c := s.src[s.off]
		if c == ')' {
			s.off++
			return s.tok(token.TYPED, start)
		}
		if c == '\n' || c == '\r' {
			break
		}
		s.off++
	}
	s.errorAt(start, "%s literal not terminated: expected ')'", word)
	return s.tok(token.TYPED, start)
}

// isSpace reports white space beyond ASCII: Unicode spaces, and the
// invisible characters that pasting from documents and web pages leaves in
// queries (zero width space, word joiner, byte order mark), which Kusto
// also ignores.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200B' || r == '\u2060' || r == '\uFEFF'
}

func isLetter(c byte) bool    { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool     { return '0' <= c && c <= '9' }
func isHex(c byte) bool       { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
func isIdentByte(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' }

// rawGUIDLen returns 36 when s starts with a GUID in 8-4-4-4-12 form.
func rawGUIDLen(s string) int {
	if len(s) < 36 {
		return 0
	}
	for i := 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return 0
			}
		default:
			if !isHex(s[i]) {
				return 0
			}
		}
	}
	return 36
}

// IsIdentifier reports whether name, written bare, scans back as exactly
// one identifier token with the same text.
func IsIdentifier(name string) bool { return scansAs(name, token.IDENT) }

// IsWord reports whether name, written bare, scans back as exactly one
// word: an identifier, a keyword such as mv-expand, or a boolean. The
// printer writes such names bare and brackets the others
// (['name with spaces']).
func IsWord(name string) bool { return scansAs(name, token.IDENT, token.KEYWORD, token.BOOL) }

func scansAs(name string, kinds ...token.Kind) bool {
	if name == "" || len(name) > MaxQuerySize {
		return false
	}
	s := New(name)
	t := s.Scan()
	if t.Lit != name || s.Scan().Kind != token.EOF || len(s.errs) > 0 {
		return false
	}
	for _, k := range kinds {
		if t.Kind == k {
			return true
		}
	}
	return false
}
