package parser

import (
	"testing"

	"github.com/vigilsec/vigil/internal/kql/ast"
)

// TestStatements checks the tree of each kind of statement.
func TestStatements(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		q := mustParse(t, in)
		if got := ast.Dump(q.Stmts[0]); got != want {
			t.Errorf("%s\n got: %s\nwant: %s", in, got, want)
		}
	}
	f("let x = 1",
		"LetStmt{Name: Ident(x), Value: Lit(long 1)}")
	f("let f = (a:long, b:string = \"x\", T:(c:int), U:(*)) { let y = a + 1; T | where c > y }",
		"LetStmt{Name: Ident(f), Value: FuncLit{Params: [Param{Name: Ident(a), Type: Type(long)}, Param{Name: Ident(b), Type: Type(string), Default: Str(\"x\")}, Param{Name: Ident(T), Type: SchemaType{Columns: [ColumnDecl{Name: Ident(c), Type: Type(int)}]}}, Param{Name: Ident(U), Type: SchemaType{Columns: [ColumnDecl(*)]}}], Body: [LetStmt{Name: Ident(y), Value: BinaryExpr{X: Ident(a), Op: +, Y: Lit(long 1)}}, ExprStmt{X: PipeExpr{Source: Ident(T), Ops: [WhereOp{Pred: BinaryExpr{X: Ident(c), Op: >, Y: Ident(y)}}]}}]}}")
	f("let f = view () { T }",
		"LetStmt{Name: Ident(f), Value: FuncLit{Body: [ExprStmt{X: Ident(T)}]}}")
	f("let f = () { }",
		"LetStmt{Name: Ident(f), Value: FuncLit{}}")
	f("let m = materialize(T | take 1)",
		"LetStmt{Name: Ident(m), Value: CallExpr{Fun: Ident(materialize), Args: [PipeExpr{Source: Ident(T), Ops: [TakeOp{Count: Lit(long 1)}]}]}}")
	f("let t = T | where x",
		"LetStmt{Name: Ident(t), Value: PipeExpr{Source: Ident(T), Ops: [WhereOp{Pred: Ident(x)}]}}")
	f("let ['my var'] = 1",
		"LetStmt{Name: Ident([\"my var\"]), Value: Lit(long 1)}")
	f("set notruncation",
		"SetStmt{Name: Ident(notruncation)}")
	f("set truncationmaxrecords = 1000",
		"SetStmt{Name: Ident(truncationmaxrecords), Value: Lit(long 1000)}")
	f("declare query_parameters(from:datetime = datetime(2020-01-01), n:long = 10, s:string = \"a\", w:string = word)",
		"QueryParamsStmt{Params: [Param{Name: Ident(from), Type: Type(datetime), Default: Typed(datetime(2020-01-01))}, Param{Name: Ident(n), Type: Type(long), Default: Lit(long 10)}, Param{Name: Ident(s), Type: Type(string), Default: Str(\"a\")}, Param{Name: Ident(w), Type: Type(string), Default: Ident(word)}]}")
	f("alias database db = cluster(\"c\").database(\"d\")",
		"AliasStmt{Name: Ident(db), Value: CallExpr{Fun: SelectorExpr{X: CallExpr{Fun: Ident(cluster), Args: [Str(\"c\")]}, Sel: Ident(database)}, Args: [Str(\"d\")]}}")
	f("restrict access to (T, U*, database(\"d\").*)",
		"RestrictStmt{Tables: [Ident(T), Wildcard(U*), Wildcard{Qualifier: CallExpr{Fun: Ident(database), Args: [Str(\"d\")]}, Pattern: \"*\"}]}")
	f("declare pattern p",
		"PatternStmt{Name: Ident(p)}")
	f("declare pattern country = (name:string)[state:string] { (\"USA\").[\"WA\"] = { print c = \"Olympia\" }; (\"x\") = { let y = 1; print y; }; }",
		"PatternStmt{Name: Ident(country), Params: [Param{Name: Ident(name), Type: Type(string)}], PathParam: Param{Name: Ident(state), Type: Type(string)}, Matches: [PatternMatch{Args: [Str(\"USA\")], PathValue: Str(\"WA\"), Body: [ExprStmt{X: PipeExpr{Ops: [PrintOp{Exprs: [NamedExpr{Names: [Ident(c)], X: Str(\"Olympia\")}]}]}}]}, PatternMatch{Args: [Str(\"x\")], Body: [LetStmt{Name: Ident(y), Value: Lit(long 1)}, ExprStmt{X: PipeExpr{Ops: [PrintOp{Exprs: [Ident(y)]}]}}]}]}")
}

// TestQueryStructure checks how statements are separated.
func TestQueryStructure(t *testing.T) {
	f := func(in string, want ...string) {
		t.Helper()
		q := mustParse(t, in)
		var got []string
		for _, s := range q.Stmts {
			got = append(got, opNameOrType(s))
		}
		if len(got) != len(want) {
			t.Errorf("%q: got statements %v, want %v", in, got, want)
			return
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%q: got statements %v, want %v", in, got, want)
				return
			}
		}
	}
	f("")
	f("// only a comment")
	f("T", "ExprStmt")
	f("T;", "ExprStmt")
	f("let x = 1;", "LetStmt")
	f("let x = 1", "LetStmt")
	f("let x = 1; let y = 2; T | take x", "LetStmt", "LetStmt", "ExprStmt")
	f("T; U", "ExprStmt", "ExprStmt") // a batch of two queries
	f("set x; declare query_parameters(a:long); alias database d = cluster('c').database('d'); restrict access to (T); T",
		"SetStmt", "QueryParamsStmt", "AliasStmt", "RestrictStmt", "ExprStmt")
}

func opNameOrType(s ast.Stmt) string {
	d := ast.Dump(s)
	for i, c := range d {
		if c == '{' {
			return d[:i]
		}
	}
	return d
}

func TestStatementErrors(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		checkError(t, in, want)
	}
	// Two queries without a semicolon: the most common mistake in shared
	// hunting queries, which Kusto rejects too.
	f("T | take 1\nU | take 1", "2:1: expected ';' between statements, found 'U'")
	f("T | sort by a desc\n\nU", "3:1: expected ';' between statements, found 'U'")
	f("print 1;;", "1:9: unexpected ';': empty statement")
	f(";", "1:1: unexpected ';': empty statement")
	f("let = 1", "1:5: expected a name after let, found '='")
	f("let x 1", "1:7: expected '=' after the name in let, found literal 1")
	f("let x =", "1:8: expected an expression after '=', found end of query")
	f("let where = 1", "1:5: expected a name after let, found keyword 'where' (write ['where'] to use it as a name)")
	f("let f = (a:long) a", "1:18: expected '{' to start the function body, found 'a'")
	f("let f = (a:long, ) { a }", "1:18: expected a parameter name, found ')'")
	f("let f = (a) { a }", "1:13: expected ';' between statements, found '{'")
	f("let f = (a:) { a }", "1:12: expected a type, found ')'")
	f("let f = (T:(x:string, *)) { T }", "1:23: '*' must stand alone in a tabular parameter type: (*)")
	f("print datatable(x:string, *) []", "1:27: '*' is not allowed in this schema")
	f("T | evaluate p() : (a:string, *)", "1:31: '*' must come first in the schema")
	f("let f = () { let y = 1 y }", "1:24: expected ';' after the statement, found 'y'")
	f("let f = () { T", "1:15: expected '}' to end the function body, found end of query")
	f("set", "1:4: expected a name after set, found end of query")
	f("declare query_parameters()", "1:26: declare query_parameters needs at least one parameter")
	f("declare x", "1:9: expected 'query_parameters' after declare, found 'x'")
	f("alias db = x", "1:7: expected 'database' after alias, found 'db'")
	f("restrict access (T)", "1:17: expected 'to' after restrict access, found '('")
	f("declare pattern p = (a:string) { }", "1:34: expected a pattern mapping (values) = { query };, found '}'")
	f(".show tables", "1:1: control commands such as .show are not supported; only queries are")
	f("#connect cluster('x')", "1:1: unexpected character '#'")
	f("take 1", "1:6: expected ';' between statements, found literal 1")
	f("Trigger & isolate", "1:9: unexpected character '&'")
}
