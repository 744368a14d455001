package parser

import (
	"testing"

	"github.com/vigilsec/vigil/internal/kql/ast"
)

// TestExpr parses "print <expr>" and checks the structure of the first
// printed expression.
func TestExpr(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		op := lastOp(t, "print "+in)
		if got := sexpr(op.(*ast.PrintOp).Exprs[0]); got != want {
			t.Errorf("print %s\n got: %s\nwant: %s", in, got, want)
		}
	}
	// Arithmetic precedence and associativity.
	f("1 + 2 * 3", "(+ 1 (* 2 3))")
	f("1 - 2 - 3", "(- (- 1 2) 3)")
	f("8 / 4 % 3", "(% (/ 8 4) 3)")
	f("(1 + 2) * 3", "(* {(+ 1 2)} 3)")
	f("-x + 1", "(+ (- x) 1)")
	f("-x.y", "(- (. x y))")
	f("-(-1)", "(- {(- 1)})")
	f("+1", "(+ 1)")

	// Logical and comparison levels.
	f("a or b and c", "(or a (and b c))")
	f("a and b or c and d", "(or (and a b) (and c d))")
	f("a == 1 and b != 2 or c <> 3", "(or (and (== a 1) (!= b 2)) (!= c 3))")
	f("1 < 2 == true", "(== (< 1 2) true)")
	f("true == 1 < 2", "(== true (< 1 2))")
	f("a + 1 > b * 2", "(> (+ a 1) (* b 2))")

	// String operators bind tighter than arithmetic, as in Kusto.
	f(`a has "x" * 2`, `(* (has a "x") 2)`)
	f(`1 + a has "x"`, `(+ 1 (has a "x"))`)
	f(`a =~ "x" and b !~ "y"`, `(and (=~ a "x") (!~ b "y"))`)
	f(`a contains "x" or a !contains_cs "y"`, `(or (contains a "x") (!contains_cs a "y"))`)
	f(`a hasprefix "x"`, `(hasprefix a "x")`)
	f(`a !hassuffix_cs "x"`, `(!hassuffix_cs a "x")`)
	f(`a startswith "x"`, `(startswith a "x")`)
	f(`a !endswith "x"`, `(!endswith a "x")`)
	f(`a matches regex "x+"`, `(matches regex a "x+")`)
	f(`a containscs "x"`, `(contains_cs a "x")`) // legacy spelling folds
	f(`a notcontains "x"`, `(!contains a "x")`)
	f(`a like "x"`, `(like a "x")`)
	f(`Col:"x"`, `(: Col "x")`)

	// in, between and friends.
	f("a in (1, 2, 3)", "(in a 1 2 3)")
	f(`a !in ("x")`, `(!in a "x")`)
	f(`a in~ ("x", "y")`, `(in~ a "x" "y")`)
	f(`a !in~ ("x")`, `(!in~ a "x")`)
	f(`a has_any ("x", "y")`, `(has_any a "x" "y")`)
	f(`a has_all (list)`, `(has_all a list)`)
	f("a + 1 in (2)", "(in (+ a 1) 2)")
	f("a in (T | project b)", "(in a (| T Project))")
	f("a in ((T | project b))", "(in a {(| T Project)})")
	f("a in (range x from 1 to 2 step 1)", "(in a (| <nil> Range))")
	f("x between (1 .. 10)", "(between x 1 10)")
	f("x !between (1 .. 2 + 3)", "(!between x 1 (+ 2 3))")
	f("Timestamp between (ago(1d) .. now())", "(between Timestamp (call ago 1d) (call now))")
	f("x between (1..10) and y", "(and (between x 1 10) y)")

	// Literals.
	f("42", "42")
	f("0x2A", "0x2A")
	f("1.5e3", "1.5e3")
	f("5.", "5.")
	f("1d", "1d")
	f("1.5h", "1.5h")
	f("true", "true")
	f("FALSE", "FALSE")
	f(`"a" 'b' @"c"`, `"abc"`)
	f(`h"secret"`, `"secret"`)
	f("datetime(2024-01-01 10:00)", "datetime(2024-01-01 10:00)")
	f("datetime(null)", "datetime(null)")
	f("int(null)", "int(null)")
	f("real(+inf)", "real(+inf)")
	f("guid(74be27de-1e4e-49d9-b579-fe0b331d3642)", "guid(74be27de-1e4e-49d9-b579-fe0b331d3642)")
	f("time(15 seconds)", "time(15 seconds)")
	f(`dynamic({"a": [1, -2, {"b": null}], "c": datetime(2020-01-01)})`, `dynamic({"a":[1,-2,{"b":null}],"c":datetime(2020-01-01)})`)
	f("dynamic([])", "dynamic([])")
	f("dynamic(null)", "dynamic(null)")
	f("dynamic([- 1])", "dynamic([(- 1)])")
	f("typeof(string)", "typeofSchemaType{Columns: [ColumnDecl{Type: Type(string)}]}")

	// Names, paths and calls.
	f("['Full Location']", "['Full Location']")
	f(`["x"]`, "['x']")
	f("$left.a == $right.b", "(== (. $left a) (. $right b))")
	f(`a.b[0]["c"]`, `([] ([] (. a b) 0) "c")`)
	f(`a.['b c']`, `(. a ['b c'])`)
	f(`params["q"].[name]`, `([] ([] params "q") name)`)
	f("f()", "(call f)")
	f("f(x, mode=inner)", "(call f x (= mode inner))")
	f("count(*)", "(call count *)")
	f("arg_max(Timestamp, *)", "(call arg_max Timestamp *)")
	f(`database("db").T`, `(. (call database "db") T)`)
	f(`cluster("c").database("d").T`, `(. (call (. (call cluster "c") database) "d") T)`)
	f("f (x)", "(call f x)") // a space before "(" still makes a call
	f("2mins", "2mins")      // KQL names may start with digits
	f("toscalar(T | count)", "(call toscalar (| T Count))")
	f("toscalar kind=nooptimization (T | count)", "(call toscalar kind=nooptimization (| T Count))")
	f("x = 1", "(= x 1)")
	f("(a, b) = f()", "(= (a b) (call f))")
	f("where = 1", "(= where 1)") // a keyword may name a new column
	f("kind", "kind")             // and some keywords may be referenced

	// Star as the left operand of a search term.
	f(`* has "x"`, `(has * "x")`)
}

func TestExprErrors(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		checkError(t, in, want)
	}
	f("print 1 == 2 == 3", "1:14: unexpected '==': comparisons do not chain, add parentheses")
	f("print 1 < 2 < 3", "1:13: unexpected '<': comparisons do not chain, add parentheses")
	f("print - -1", "1:9: expected an expression after unary '-', found '-'")
	f("print 1 +", "1:10: expected an expression after '+', found end of query")
	f("print a and", "1:12: expected an expression after 'and', found end of query")
	f("print x in ()", "1:13: expected an expression, found ')'")
	f("print x in 1", "1:12: expected '(' after 'in', found literal 1")
	f("print x between (1, 2)", "1:19: expected '..' between the bounds, found ','")
	f("print f(1,)", "1:11: expected an argument after ',', found ')'")
	f("print f(1 2)", "1:11: expected ')' after the arguments, found literal 2")
	f("print (1", "1:9: expected ')' to close the parenthesized expression, found end of query")
	f("print )", "1:7: expected an expression, found ')'")
	f("print where", "1:7: expected an expression, found keyword 'where' (write ['where'] to use it as a name)")
	f("print x.title", "1:9: expected a name after '.', found keyword 'title' (write ['title'] to use it as a name)")
	f("print dynamic([1, 2,])", "1:21: expected a JSON value after ',', found ']'")
	f("print dynamic(x)", "1:15: expected a JSON value in dynamic(...), found 'x'")
	f(`print dynamic({"a" "b": 1})`, `1:20: expected ':' after the property name, found string "b"`)
	f(`print dynamic({"a": 1,})`, `1:23: expected a string property name, found '}'`)
	f("print 74be27de-1e4e-49d9-b579-fe0b331d3642", "1:7: a GUID must be written guid(74be27de-1e4e-49d9-b579-fe0b331d3642)")
	f("print toscalar(materialize(T))", "1:16: materialize(...) is only allowed as the value of a let statement")
	f("print [0]", "1:7: expected an expression, found '['")
	f("print f(x, kind=inner)", "1:12: 'kind' is a keyword: write ['kind'] to use it as a column name")
	f("print and = 1", "1:7: 'and' is a keyword: write ['and'] to use it as a column name")
	f(`print "a\qb"`, `1:9: invalid escape sequence "\\q" in string literal`)
	f("print x !has_any (1)", "1:9: unexpected '!': negate with not(...) or an operator such as !=, !has, !contains, !in")
}
