package parser

import (
	"errors"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/scanner"
)

func TestParseAPI(t *testing.T) {
	q, err := Parse("T | take 1")
	if err != nil || q == nil || len(q.Stmts) != 1 {
		t.Fatalf("Parse = %v, %v", q, err)
	}

	// The error is an ErrorList with every error, one "line:col: msg" per line.
	q, err = Parse("T | take\n| where;\nU | bogus")
	var list scanner.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %T is not a scanner.ErrorList", err)
	}
	want := "2:1: expected an expression after take, found '|'\n" +
		"2:8: expected an expression after where, found ';'\n" +
		"3:5: expected a query operator after '|', found 'bogus'"
	if err.Error() != want {
		t.Errorf("errors:\n%s\nwant:\n%s", err, want)
	}
	if len(list) != 3 || list[1].Pos.Line != 2 || list[1].Pos.Column != 8 {
		t.Errorf("error positions are wrong: %#v", list)
	}
	// The partial tree is returned for diagnostics.
	if q == nil || len(q.Stmts) != 2 {
		t.Errorf("partial tree: %s", ast.Dump(q))
	}
}

// TestLimits checks that hostile input is rejected quickly, with an error
// rather than a crash or a hang.
func TestLimits(t *testing.T) {
	f := func(name, src, want string) {
		t.Helper()
		var err error
		withWatchdog(t, func() { _, err = Parse(src) })
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error containing %q", name, err, want)
		}
		if err != nil && strings.Count(err.Error(), "\n") >= maxErrors {
			t.Errorf("%s: %d errors reported, want fewer than %d", name, strings.Count(err.Error(), "\n")+1, maxErrors)
		}
	}
	deep := func(open, close string, n int) string {
		return "print " + strings.Repeat(open, n) + "1" + strings.Repeat(close, n)
	}
	f("parens", deep("(", ")", MaxDepth+10), "nested too deeply")
	f("calls", deep("f(", ")", MaxDepth+10), "nested too deeply")
	f("dynamic", "print dynamic("+strings.Repeat("[", MaxDepth+10)+strings.Repeat("]", MaxDepth+10)+")", "nested too deeply")
	f("subqueries", "T"+strings.Repeat(" | join (T", MaxDepth)+strings.Repeat(") on x", MaxDepth), "nested too deeply")
	f("unbalanced 1 MiB", strings.Repeat("(", scanner.MaxQuerySize), "nested too deeply")
	f("functions", "let f = () {"+strings.Repeat(" let g = () {", MaxDepth)+" 1 }", "nested too deeply")
	f("too large", "print '"+strings.Repeat("x", scanner.MaxQuerySize)+"'", "the limit is 1048576 bytes")
	f("junk", strings.Repeat("#", 100000), "unexpected character '#'")
	f("many errors", strings.Repeat("T | ; ", 10000), "expected a query operator")

	// Just below the cap parses.
	if _, err := Parse(deep("(", ")", MaxDepth/2)); err != nil {
		t.Errorf("nesting %d: %v", MaxDepth/2, err)
	}
	// Long flat input is fine.
	if _, err := Parse("print " + strings.Repeat("1 + ", 50000) + "1"); err != nil {
		t.Errorf("long sum: %v", err)
	}
	if _, err := Parse("T" + strings.Repeat(" | where x", 20000)); err != nil {
		t.Errorf("long pipeline: %v", err)
	}
}

// TestParseRecoversPanics checks that a bug that panics inside the parser
// reaches the caller as an error, not as a crash.
func TestParseRecoversPanics(t *testing.T) {
	testHookParse = func() { panic("boom") }
	defer func() { testHookParse = nil }()
	q, err := Parse("T | take 1")
	if q != nil || err == nil || !strings.Contains(err.Error(), internalError+": boom") {
		t.Errorf("Parse = %v, %v; want an internal error", q, err)
	}
	var list scanner.ErrorList
	if !errors.As(err, &list) {
		t.Errorf("error %T is not a scanner.ErrorList", err)
	}
}
