// Package token defines the lexical tokens of the Kusto Query Language
// (KQL), source positions, and the keyword tables shared by the scanner,
// the parser and the printer.
//
// KQL keywords are contextual: most of them (from, step, kind, count, ...)
// are also valid names, so the scanner reports every word as IDENT and the
// parser decides by context. Only the words that cannot be names in any
// context are lexed specially: operator names with a dash (mv-expand), the
// negated string operators (!has, !in~) and in~. See keywords.go.
package token

import "strconv"

// Kind is the kind of a lexical token.
type Kind uint8

// The token kinds.
const (
	ILLEGAL Kind = iota // a character or sequence the scanner rejected
	EOF

	IDENT    // Timestamp, $left, _x, 2mins (KQL names may start with digits)
	KEYWORD  // mv-expand, project-away, !contains, in~, ...
	BOOL     // true, false, True, FALSE
	LONG     // 42, 0x2A
	REAL     // 1.5, 1e3, 5.
	TIMESPAN // 1d, 1.5h, 100ms, 5microseconds
	STRING   // 'a', "a", @"a", h'a', ```a```
	TYPED    // a typed literal whose body is free text: datetime(2024-01-01 10:00), int(null)
	GUID     // a bare GUID such as 74be27de-1e4e-49d9-b579-fe0b331d3642

	LPAREN    // (
	RPAREN    // )
	LBRACK    // [
	RBRACK    // ]
	LBRACE    // {
	RBRACE    // }
	COMMA     // ,
	SEMICOLON // ;
	COLON     // :
	DOT       // .
	DOTDOT    // ..
	PIPE      // |

	ASSIGN   // =
	EQL      // ==
	NEQ      // !=
	LTGT     // <>
	EQTILDE  // =~
	NEQTILDE // !~
	LSS      // <
	LEQ      // <=
	GTR      // >
	GEQ      // >=
	ARROW    // =>

	ADD // +
	SUB // -
	MUL // *
	QUO // /
	REM // %

	numKinds
)

var kindNames = [...]string{
	ILLEGAL:  "ILLEGAL",
	EOF:      "EOF",
	IDENT:    "IDENT",
	KEYWORD:  "KEYWORD",
	BOOL:     "BOOL",
	LONG:     "LONG",
	REAL:     "REAL",
	TIMESPAN: "TIMESPAN",
	STRING:   "STRING",
	TYPED:    "TYPED",
	GUID:     "GUID",

	LPAREN:    "(",
	RPAREN:    ")",
	LBRACK:    "[",
	RBRACK:    "]",
	LBRACE:    "{",
	RBRACE:    "}",
	COMMA:     ",",
	SEMICOLON: ";",
	COLON:     ":",
	DOT:       ".",
	DOTDOT:    "..",
	PIPE:      "|",

	ASSIGN:   "=",
	EQL:      "==",
	NEQ:      "!=",
	LTGT:     "<>",
	EQTILDE:  "=~",
	NEQTILDE: "!~",
	LSS:      "<",
	LEQ:      "<=",
	GTR:      ">",
	GEQ:      ">=",
	ARROW:    "=>",

	ADD: "+",
	SUB: "-",
	MUL: "*",
	QUO: "/",
	REM: "%",
}

// String returns the punctuation text of k, or its name for the other kinds.
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// IsLiteral reports whether k is a literal token kind.
func (k Kind) IsLiteral() bool { return k >= BOOL && k <= GUID }

// IsPunct reports whether k is punctuation or an operator symbol.
func (k Kind) IsPunct() bool { return k >= LPAREN && k < numKinds }

// IsWord reports whether k is a word: an identifier or a lexer keyword.
func (k Kind) IsWord() bool { return k == IDENT || k == KEYWORD }

// Token is one lexical token. Lit is the exact source text of the token,
// including quotes and prefixes for strings, so End is Pos plus len(Lit).
type Token struct {
	Kind Kind
	Pos  Pos
	Lit  string
}

// End returns the position just after the token.
func (t Token) End() Pos {
	if !t.Pos.IsValid() {
		return NoPos
	}
	return t.Pos + Pos(len(t.Lit))
}

// String describes the token for error messages: 'where', '|', end of query.
func (t Token) String() string {
	switch t.Kind {
	case EOF:
		return "end of query"
	case STRING:
		return "string " + shorten(t.Lit)
	case LONG, REAL, TIMESPAN, TYPED, GUID, BOOL:
		return "literal " + shorten(t.Lit)
	case ILLEGAL:
		return strconv.Quote(shorten(t.Lit))
	}
	return "'" + shorten(t.Lit) + "'"
}

// shorten keeps error messages readable when a token is very long.
func shorten(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	n := max
	for n > 0 && s[n]&0xC0 == 0x80 { // do not cut a UTF-8 sequence
		n--
	}
	return s[:n] + "..."
}
