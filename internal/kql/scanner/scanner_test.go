package scanner

import (
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/kql/token"
)

// render writes tokens compactly: punctuation as itself, others as KIND:text.
func render(toks []token.Token) string {
	var parts []string
	for _, t := range toks {
		switch {
		case t.Kind == token.EOF:
		case t.Kind.IsPunct():
			parts = append(parts, t.Lit)
		default:
			parts = append(parts, t.Kind.String()+":"+t.Lit)
		}
	}
	return strings.Join(parts, " ")
}

func TestScan(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		toks, _, errs := Tokenize(in)
		if len(errs) > 0 {
			t.Errorf("Tokenize(%q): unexpected errors: %v", in, errs)
		}
		if got := render(toks); got != want {
			t.Errorf("Tokenize(%q)\n got: %s\nwant: %s", in, got, want)
		}
	}
	f("", "")
	f("  // only a comment\n", "")
	f("T | where x > 1", "IDENT:T | IDENT:where IDENT:x > LONG:1")
	f("$left.a == $right.b", "IDENT:$left . IDENT:a == IDENT:$right . IDENT:b")
	f("_x x_1 Écoute", "IDENT:_x IDENT:x_1 IDENT:Écoute")

	// Dashed keywords are one token only when the whole word matches.
	f("mv-expand project-away a-b project-awayx", "KEYWORD:mv-expand KEYWORD:project-away IDENT:a - IDENT:b IDENT:project - IDENT:awayx")
	f("graph-shortest-paths top-nested granny-asc", "KEYWORD:graph-shortest-paths KEYWORD:top-nested KEYWORD:granny-asc")
	f("make-series make-seriesx make - series", "KEYWORD:make-series IDENT:make - IDENT:seriesx IDENT:make - IDENT:series")

	// Negated operators and in~.
	f("a !in~ b !in c in~ d !has e !contains_cs f", "IDENT:a KEYWORD:!in~ IDENT:b KEYWORD:!in IDENT:c KEYWORD:in~ IDENT:d KEYWORD:!has IDENT:e KEYWORD:!contains_cs IDENT:f")
	f("a != b !~ c <> d =~ e", "IDENT:a != IDENT:b !~ IDENT:c <> IDENT:d =~ IDENT:e")
	f("x !between (1 .. 2)", "IDENT:x KEYWORD:!between ( LONG:1 .. LONG:2 )")

	// Punctuation.
	f("( ) [ ] { } , ; : . .. | = == => < <= > >= + - * / %", "( ) [ ] { } , ; : . .. | = == => < <= > >= + - * / %")
	f("a-->b", "IDENT:a - - > IDENT:b")
	f("(a)<-[e*1..3]-(b)", "( IDENT:a ) < - [ IDENT:e * LONG:1 .. LONG:3 ] - ( IDENT:b )")

	// Numbers.
	f("1 0x1F 0XaB 1.5 5. 1e5 1.5e-3 1E+10 5.e3", "LONG:1 LONG:0x1F LONG:0XaB REAL:1.5 REAL:5. REAL:1e5 REAL:1.5e-3 REAL:1E+10 REAL:5.e3")
	f("1..2 1...2", "LONG:1 .. LONG:2 REAL:1. .. LONG:2")
	f("1.x", "LONG:1 . IDENT:x")
	f(".5", ". LONG:5")
	f("123abc 1a 2mins 1e 0x 1e5x", "IDENT:123abc IDENT:1a IDENT:2mins IDENT:1e IDENT:0x IDENT:1e5x")

	// Timespans.
	f("1d 2h 30m 10s 100ms 5microsecond 1tick 1.5d", "TIMESPAN:1d TIMESPAN:2h TIMESPAN:30m TIMESPAN:10s TIMESPAN:100ms TIMESPAN:5microsecond TIMESPAN:1tick TIMESPAN:1.5d")
	f("2days 3hours 4minutes 5seconds 6milliseconds 7ticks 8microseconds 9nanoseconds", "TIMESPAN:2days TIMESPAN:3hours TIMESPAN:4minutes TIMESPAN:5seconds TIMESPAN:6milliseconds TIMESPAN:7ticks TIMESPAN:8microseconds TIMESPAN:9nanoseconds")
	f("1min 1sec 1hr 1hrs 1day 1milli 1micro 1nano 1millisec", "TIMESPAN:1min TIMESPAN:1sec TIMESPAN:1hr TIMESPAN:1hrs TIMESPAN:1day TIMESPAN:1milli TIMESPAN:1micro TIMESPAN:1nano TIMESPAN:1millisec")
	f("1.d", "LONG:1 . IDENT:d")

	// Booleans are literals in every case KQL accepts; others are names.
	f("true False TRUE tRue truex", "BOOL:true BOOL:False BOOL:TRUE IDENT:tRue IDENT:truex")

	// Typed literals: the body is free text up to ")".
	f("datetime(2024-01-01 10:00)", "TYPED:datetime(2024-01-01 10:00)")
	f("datetime(null) timespan(1d) time(15 seconds) bool(true) int(null) long(-1)", "TYPED:datetime(null) TYPED:timespan(1d) TYPED:time(15 seconds) TYPED:bool(true) TYPED:int(null) TYPED:long(-1)")
	f("real(+inf) real(nan) decimal(1.5) guid(74be27de-1e4e-49d9-b579-fe0b331d3642) date(2020-01-01)", "TYPED:real(+inf) TYPED:real(nan) TYPED:decimal(1.5) TYPED:guid(74be27de-1e4e-49d9-b579-fe0b331d3642) TYPED:date(2020-01-01)")
	f("datetime (2020)", "IDENT:datetime ( LONG:2020 )")
	f("todatetime(x) datetime_diff('d', a, b)", "IDENT:todatetime ( IDENT:x ) IDENT:datetime_diff ( STRING:'d' , IDENT:a , IDENT:b )")
	f("dynamic([1])", "IDENT:dynamic ( [ LONG:1 ] )")

	// Raw GUIDs are one token (the parser rejects them outside guid(...)).
	f("74be27de-1e4e-49d9-b579-fe0b331d3642", "GUID:74be27de-1e4e-49d9-b579-fe0b331d3642")

	// Strings.
	f(`'a' "b" 'it''s'`, `STRING:'a' STRING:"b" STRING:'it' STRING:'s'`)
	f(`@"C:\x""y" @'a''b'`, `STRING:@"C:\x""y" STRING:@'a''b'`)
	f(`h"secret" H'x' h@'y' H@"z"`, `STRING:h"secret" STRING:H'x' STRING:h@'y' STRING:H@"z"`)
	f("```multi\nline``` h```x```", "STRING:```multi\nline``` STRING:h```x```")
	f(`"\t\n\\\"\'\u0041\x41\101\U0001F600"`, `STRING:"\t\n\\\"\'\u0041\x41\101\U0001F600"`)
	f("h hx", "IDENT:h IDENT:hx")

	// Comments end at the end of the line.
	f("a // b | c\n| d", "IDENT:a | IDENT:d")
	f("a // b\r| d", "IDENT:a | IDENT:d")

	// White space includes Unicode spaces and a byte order mark.
	f("\uFEFFa\u00a0b\u202fc", "IDENT:a IDENT:b IDENT:c")
}

func TestScanErrors(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		_, _, errs := Tokenize(in)
		if got := errs.Error(); got != want {
			t.Errorf("Tokenize(%q) errors\n got: %s\nwant: %s", in, got, want)
		}
	}
	f("print \"abc", `1:7: string literal not terminated: expected "`)
	f("print 'abc\n| take 1", `1:7: string literal not terminated: expected ' before the end of the line`)
	f(`print "a\qb"`, `1:9: invalid escape sequence "\\q" in string literal`)
	f(`print "\u00"`, `1:8: invalid escape sequence "\\u" in string literal`)
	f(`print "\UFFFFFFFF"`, `1:8: invalid escape sequence "\\UFFFFFFFF" in string literal: not a character`)
	f("print ```abc", "1:7: multi-line string literal not terminated: expected ```")
	f("print datetime(2020-01-01", "1:7: datetime literal not terminated: expected ')'")
	f("print datetime(2020-01-01\n)", "1:7: datetime literal not terminated: expected ')'")
	f("print !true", "1:7: unexpected '!': negate with not(...) or an operator such as !=, !has, !contains, !in")
	f("a !has_any b", "1:3: unexpected '!': negate with not(...) or an operator such as !=, !has, !contains, !in")
	f("print #x", `1:7: unexpected character '#'`)
	f("print 1 ? 2", `1:9: unexpected character '?'`)
	f("x @ y", `1:3: unexpected character '@'`)
	f("x ` y", "1:3: unexpected character '`'")
	f("a\x00b", `1:2: unexpected character '\x00'`)
	f("a\xffb", `1:2: invalid UTF-8 encoding`)
	f("print '\xff'", `1:7: invalid UTF-8 encoding in string literal`)
	f("a\u00a7b", `1:2: unexpected character '§'`)
	// Columns count characters, not bytes.
	f("print 'é', \"x", `1:12: string literal not terminated: expected "`)
	f("print 1,\n  2, 'x", "2:6: string literal not terminated: expected '")
	f(strings.Repeat("a", MaxQuerySize+1), "1:1: query is 1048577 bytes; the limit is 1048576 bytes (1 MiB)")
}

// TestScanAlwaysAdvances checks the scanner's two promises on inputs built
// to trip it: no panic, and progress on every call.
func TestScanAlwaysAdvances(t *testing.T) {
	inputs := []string{
		"!", "!!", "!in", "!in~", "@", "@'", `@"`, "h'", "```", "``", "`", "0x", "1e", "1e+", "1.",
		"datetime(", "int(", "'\\", `"\`, `"\u`, "\xff\xfe", "$", "$$", "--", "<-", "...", "a-", "mv-",
		"project-", "\r", "\r\n", strings.Repeat("(", 1000), strings.Repeat("'", 1001),
	}
	for _, in := range inputs {
		s := New(in)
		prev := -1
		for i := 0; ; i++ {
			tok := s.Scan()
			if tok.Kind == token.EOF {
				break
			}
			if tok.Pos.Offset() <= prev || len(tok.Lit) == 0 {
				t.Fatalf("%q: token %d (%v) does not advance", in, i, tok)
			}
			prev = tok.Pos.Offset()
			if i > len(in) {
				t.Fatalf("%q: more tokens than bytes", in)
			}
		}
	}
}

func TestIsIdentifier(t *testing.T) {
	f := func(in string, want bool) {
		t.Helper()
		if got := IsIdentifier(in); got != want {
			t.Errorf("IsIdentifier(%q) = %v, want %v", in, got, want)
		}
	}
	f("Timestamp", true)
	f("_x", true)
	f("$left", true)
	f("2mins", true)
	f("Écoute", true)
	f("where", true) // lexically an identifier; the parser decides by context
	f("", false)
	f("a b", false)
	f("1d", false)
	f("42", false)
	f("true", false)
	f("mv-expand", false)
	f("a-b", false)
	f("a.b", false)
	f("x'", false)

	for _, w := range []string{"mv-expand", "true", "FALSE", "where", "x"} {
		if !IsWord(w) {
			t.Errorf("IsWord(%q) = false", w)
		}
	}
	for _, w := range []string{"1d", "a b", "", "'x'", "a-b"} {
		if IsWord(w) {
			t.Errorf("IsWord(%q) = true", w)
		}
	}
}
