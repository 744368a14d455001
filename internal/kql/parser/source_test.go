package parser

import (
	"testing"

	"github.com/vigilsec/vigil/internal/kql/ast"
)

// TestSourceExpressions checks datatable and externaldata.
func TestSourceExpressions(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		q := mustParse(t, in)
		if got := ast.Dump(q.Stmts[0].(*ast.ExprStmt).X); got != want {
			t.Errorf("%s\n got: %s\nwant: %s", in, got, want)
		}
	}
	f("datatable(a:string, b:long) [\"x\", 1, 'y', -2,]",
		"DataTableExpr{Schema: SchemaType{Columns: [ColumnDecl{Name: Ident(a), Type: Type(string)}, ColumnDecl{Name: Ident(b), Type: Type(long)}]}, Values: [Str(\"x\"), Lit(long 1), Str(\"y\"), Lit(long -2)]}")
	f("datatable(a:dynamic, b:datetime, c:real, d:bool) [dynamic({\"k\": 1}), datetime(2020-01-01), +1.5, false]",
		"DataTableExpr{Schema: SchemaType{Columns: [ColumnDecl{Name: Ident(a), Type: Type(dynamic)}, ColumnDecl{Name: Ident(b), Type: Type(datetime)}, ColumnDecl{Name: Ident(c), Type: Type(real)}, ColumnDecl{Name: Ident(d), Type: Type(bool)}]}, Values: [DynamicLit{Value: JSONObject{Pairs: [JSONPair{Key: Str(\"k\"), Value: Lit(long 1)}]}}, Typed(datetime(2020-01-01)), Lit(real +1.5), Lit(bool false)]}")
	f("externaldata(a:string, b:long) [h@\"https://x/y.csv\", \"https://z\"] with (format=\"csv\", ignoreFirstRecord=true)",
		"ExternalDataExpr{Name: \"externaldata\", Schema: SchemaType{Columns: [ColumnDecl{Name: Ident(a), Type: Type(string)}, ColumnDecl{Name: Ident(b), Type: Type(long)}]}, URIs: [Str(\"https://x/y.csv\"), Str(\"https://z\")], With: WithProps{Props: [Option{Name: \"format\", Value: Str(\"csv\")}, Option{Name: \"ignoreFirstRecord\", Value: Lit(bool true)}]}}")
	f("externaldata(a:string) [\"x\"]",
		"ExternalDataExpr{Name: \"externaldata\", Schema: SchemaType{Columns: [ColumnDecl{Name: Ident(a), Type: Type(string)}]}, URIs: [Str(\"x\")]}")
}
