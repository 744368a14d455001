package parser

import (
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/kql/ast"
)

// These tests target the known failure modes of a small public KQL-to-SQL
// compiler (runreveal/pql): it hangs on some parenthesized expressions, and
// it accepts syntax it does not know, emitting a placeholder instead of an
// error. A security team's query engine must do neither.

// TestParenthesesTerminate parses parenthesized expressions of every shape,
// balanced or not, each under a watchdog, and checks the structure of the
// balanced ones.
func TestParenthesesTerminate(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		var err error
		var got string
		withWatchdog(t, func() {
			q, e := Parse("print " + in)
			err = e
			if e == nil {
				op := q.Stmts[0].(*ast.ExprStmt).X.(*ast.PipeExpr).Ops[0].(*ast.PrintOp)
				got = sexpr(op.Exprs[0])
			}
		})
		switch {
		case want == "error" && err == nil:
			t.Errorf("%q parsed, want an error", in)
		case want != "error" && err != nil:
			t.Errorf("%q: %v", in, err)
		case want != "error" && got != want:
			t.Errorf("%q\n got: %s\nwant: %s", in, got, want)
		}
	}
	f("(1)", "{1}")
	f("((((1))))", "{{{{1}}}}")
	f("(1 + (2 * (3 - (4 / 5))))", "{(+ 1 {(* 2 {(- 3 {(/ 4 5)})})})}")
	f("(a) and (b) or ((c))", "(or (and {a} {b}) {{c}})")
	f("f((1), ((2)), g((3)))", "(call f {1} {{2}} (call g {3}))")
	f("(T | where (a))", "{(| T Where)}")
	f("((T | take 1) | count)", "{(| {(| T Take)} Count)}")
	f("(x in ((1), (2)))", "{(in x {1} {2})}")
	f("(x between ((1) .. (2)))", "{(between x {1} {2})}")
	f("(dynamic([[[1]]]))", "{dynamic([[[1]]])}")
	f("((a).b)[(0)]", "([] {(. {a} b)} {0})")
	for _, in := range []string{
		"(", ")", "((", "))", "(1", "1)", "((1)", "(1))", "()", "(())", "( , )", "(1,2)", "f(", "f(()", "f())",
		"((((((((((", "))))))))))", "(" + strings.Repeat("(1 + ", 50), "(a b c)", "(T | )", "(| where x)",
		"(let x = 1)", "([)]", "{(})", "(1 +)", "(+)", "(x in (1)", "(x between (1 .. ))", "dynamic((1))",
		strings.Repeat("(", 100000), strings.Repeat(")", 100000), strings.Repeat("()", 50000), strings.Repeat("f(", 3000),
	} {
		f(in, "error")
	}
}

// TestUnknownSyntaxIsAnError checks that constructs KQL does not have are
// errors, never silently dropped or accepted.
func TestUnknownSyntaxIsAnError(t *testing.T) {
	for _, in := range []string{
		"T | frobnicate x",
		"T | select a, b",
		"SELECT * FROM T",
		"T | where x ~~ 'a'",
		"T | where x is null",
		"T | where x = = 1",
		"T | where not x",
		"T | where !x",
		"T | where x !like 'a'",
		"T | where x !has_any ('a')",
		"T | where x !matches regex 'a'",
		"T | where x in [1, 2]",
		"T | where x in 1, 2",
		"T | sort by x ascending",
		"T | sort x",
		"T | top by x",
		"T | take -",
		"T | summarize count() group by x",
		"T | extend x = y[",
		"T | extend x = case x when 1 then 2 end",
		"T | project x as y",
		"T | join kind=inner on x",
		"T | mv-expand x to long",
		"T | parse x with",
		"T | render",
		"T | where x > 1 |",
		"T | where x > 1 ||",
		"T || where x",
		"T | where x ? 1 : 2",
		"T | where x @ y",
		"T | where x == 1 == 2",
		"T | where a < b < c",
		"T | where x == 1 extra",
		"T | limit 10 20",
		"T | distinct",
		"T | extend",
		"T | lookup U",
		"T | union",
		"let x = ; T",
		"let = 1; T",
		"T; ; U",
		"T U",
		"T | where x; garbage (",
		"print 1.2.3",
		"print 'a",
		"print \"\\z\"",
		"print datetime(",
		"print dynamic({a: 1})",
		"print dynamic([x])",
		"print dynamic([1 + 2])",
		"print typeof(",
		"print f(x,)",
		"print f(,x)",
		"print [x]",
		"print x.",
		"print x[]",
		"print - -1",
		"print x ==",
		"print toscalar(materialize(T))",
		"print 74be27de-1e4e-49d9-b579-fe0b331d3642",
		"T | macro-expand g as X (T)",
		"T | graph-merge G",
		".show tables",
		"#connect",
		"T | where x == 1 /* block comments are not KQL */",
	} {
		var err error
		withWatchdog(t, func() { _, err = Parse(in) })
		if err == nil {
			t.Errorf("%q: accepted, want an error", in)
		}
	}
}
