package printer

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/parser"
	"github.com/vigilsec/vigil/internal/kql/token"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestPrint checks the printed form of single constructs and that each
// round-trips.
func TestPrint(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := roundTrip(t, in, in); got != want {
			t.Errorf("Print(%q)\n got: %q\nwant: %q", in, got, want)
		}
	}
	f("T", "T")
	f("T|where x>1|take 10", "T\n| where x > 1\n| take 10")
	f("let x=1;T|take x", "let x = 1;\nT\n| take x")
	f("T | filter a | limit 5 | order by b", "T\n| where a\n| take 5\n| sort by b")
	f("print a<>b, c containscs d, e notcontains f", "print a != b, c contains_cs d, e !contains f")
	f("print (1+2)*3, -x, -(-1), a.b[0]", "print (1 + 2) * 3, -x, -(-1), a.b[0]")
	f("print x.['a b'], y.[k], ['c d']", "print x.['a b'], y.[k], ['c d']")
	f(`print @"C:\x", 'a' "b", h"s"`, `print @"C:\x", 'a' "b", h"s"`)
	f("print x in (1,2), y !in~ ('a'), z between (1..2), w !between (3 .. 4)",
		"print x in (1, 2), y !in~ ('a'), z between (1 .. 2), w !between (3 .. 4)")
	f("print dynamic([1,- 2,{'a':null}])", "print dynamic([1, - 2, {'a': null}])")
	f("datatable(a:long)[-1, +2,]", "datatable(a:long) [-1, +2]")
	f("T | join kind=inner (U|where x) on $left.a==$right.b", "T\n| join kind=inner (U | where x) on $left.a == $right.b")
	f("T | summarize c=count() by bin(Timestamp,1h)", "T\n| summarize c = count() by bin(Timestamp, 1h)")
	f("T | sort by a desc nulls first", "T\n| sort by a desc nulls first")
	f("T | project-reorder a granny-asc", "T\n| project-reorder a granny-asc")
	f("union Device*, database('d').T*", "union Device*, database('d').T*")
	f("T | mv-expand to typeof(string)", "T\n| mv-expand to typeof(string)")
	f("T | evaluate bag_unpack(x) : (*, a:string)", "T\n| evaluate bag_unpack(x) : (*, a:string)")
	f("let f=view(T:(*)){T|count};f", "let f = view (T:(*)) { T | count };\nf")
	f("E | make-graph a-->b with_node_id=n", "E\n| make-graph a --> b with_node_id=n")
	f("G | graph-match (a)<-[e*1..3]-(b)--(c)", "G\n| graph-match (a)<-[e*1..3]-(b)--(c)")
	f("print toscalar kind=nooptimization (T|count)", "print toscalar kind=nooptimization (T | count)")
	f("T | scan with (step s: x => y = 1;)", "T\n| scan with ( step s: x => y = 1; )")
	f("T | render timechart with (ycolumns=a,b, title='t')", "T\n| render timechart with (ycolumns=a, b, title='t')")
	f("T | render barchart by a, b", "T\n| render barchart by a, b")
	f("T | partition by k { T | take 1 }", "T\n| partition by k { T | take 1 }")
	f("search * and x", "search * and x")
	f("declare pattern p", "declare pattern p")
}

// TestPrintHandBuiltTrees checks that trees that did not come from the
// parser print as valid KQL: the printer adds the parentheses precedence
// needs and brackets names that cannot be written bare.
func TestPrintHandBuiltTrees(t *testing.T) {
	id := func(n string) *ast.Ident { return &ast.Ident{Name: n} }
	lit := func(v string) *ast.BasicLit { return &ast.BasicLit{Kind: ast.LitLong, Value: v} }
	bin := func(x ast.Expr, op ast.BinaryOp, y ast.Expr) *ast.BinaryExpr {
		return &ast.BinaryExpr{X: x, Op: op, Y: y}
	}
	f := func(x ast.Expr, want string) {
		t.Helper()
		got := Print(x)
		if got != want {
			t.Errorf("Print = %q, want %q", got, want)
		}
		if _, err := parser.Parse("print " + got); err != nil {
			t.Errorf("Print = %q does not parse: %v", got, err)
		}
	}
	f(bin(bin(id("a"), ast.Add, id("b")), ast.Mul, id("c")), "(a + b) * c")
	f(bin(id("a"), ast.Sub, bin(id("b"), ast.Sub, id("c"))), "a - (b - c)")
	f(bin(bin(id("a"), ast.Sub, id("b")), ast.Sub, id("c")), "a - b - c")
	f(bin(bin(id("a"), ast.Eql, id("b")), ast.Eql, id("c")), "(a == b) == c")
	f(bin(bin(id("a"), ast.Lss, id("b")), ast.Lss, id("c")), "(a < b) < c")
	f(bin(bin(id("a"), ast.Or, id("b")), ast.And, id("c")), "(a or b) and c")
	f(bin(bin(id("a"), ast.Add, id("b")), ast.Has, lit("1")), "(a + b) has 1")
	f(&ast.UnaryExpr{Op: token.SUB, X: &ast.UnaryExpr{Op: token.SUB, X: id("x")}}, "-(-x)")
	f(&ast.UnaryExpr{Op: token.SUB, X: bin(id("a"), ast.Add, id("b"))}, "-(a + b)")
	f(&ast.SelectorExpr{X: bin(id("a"), ast.Add, id("b")), Sel: id("c")}, "(a + b).c")
	f(&ast.InExpr{X: bin(id("a"), ast.Eql, id("b")), Op: ast.In, List: []ast.Expr{lit("1")}}, "(a == b) in (1)")
	f(id("a b"), "['a b']")
	f(id("it's"), `["it's"]`)
	f(&ast.Ident{Name: "where", Bracketed: true}, "['where']")
	f(id("1d"), "['1d']")
	f(&ast.StringLit{Value: "a\"b\n"}, `"a\"b\n"`)
}

// TestGolden prints the parser's golden queries and compares the result
// with testdata/golden/<case>.kql. Run go test -update to rewrite them.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("..", "parser", "testdata", "golden", "*", "input.kql"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, in := range inputs {
		name := filepath.Base(filepath.Dir(in))
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got := roundTrip(t, name, string(src))
			golden := filepath.Join("testdata", "golden", name+".kql")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(strings.TrimSuffix(string(want), "\n"), got); diff != "" {
				t.Errorf("printed query differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// TestPrintNodes prints every node of the golden trees on its own: each
// kind of node has a printed form.
func TestPrintNodes(t *testing.T) {
	inputs, _ := filepath.Glob(filepath.Join("..", "parser", "testdata", "golden", "*", "input.kql"))
	for _, in := range inputs {
		src, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		q, err := parser.Parse(string(src))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		ast.Inspect(q, func(n ast.Node) bool {
			if n != nil && Print(n) == "" {
				if s, ok := n.(*ast.SchemaType); !ok || len(s.Columns) > 0 {
					t.Errorf("%s: %T prints as nothing", in, n)
				}
			}
			return true
		})
	}
}
