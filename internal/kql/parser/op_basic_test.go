package parser

import (
	"testing"

	"github.com/vigilsec/vigil/internal/kql/ast"
)

// TestBasicOperators checks the tree of where, take, sample, count, distinct, serialize, getschema, consume, as, assert-schema, invoke and the project family.
func TestBasicOperators(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := ast.Dump(lastOp(t, in)); got != want {
			t.Errorf("%s\n got: %s\nwant: %s", in, got, want)
		}
	}
	f("T | where x > 1",
		"WhereOp{Pred: BinaryExpr{X: Ident(x), Op: >, Y: Lit(long 1)}}")
	f("T | filter x > 1",
		"WhereOp{Pred: BinaryExpr{X: Ident(x), Op: >, Y: Lit(long 1)}}")
	f("T | where x = 1",
		"WhereOp{Pred: NamedExpr{Names: [Ident(x)], X: Lit(long 1)}}")
	f("T | take 10",
		"TakeOp{Count: Lit(long 10)}")
	f("T | limit 10",
		"TakeOp{Count: Lit(long 10)}")
	f("T | sample 5",
		"SampleOp{Count: Lit(long 5)}")
	f("T | sample-distinct 5 of Col",
		"SampleDistinctOp{Count: Lit(long 5), X: Ident(Col)}")
	f("T | count",
		"CountOp{}")
	f("T | count as N",
		"CountOp{Name: Ident(N)}")
	f("T | distinct *",
		"DistinctOp{Exprs: [Star]}")
	f("T | distinct a, b",
		"DistinctOp{Exprs: [Ident(a), Ident(b)]}")
	f("T | distinct hint.shufflekey=a hint.strategy=shuffle a",
		"DistinctOp{Options: [Option{Name: \"hint.shufflekey\", Value: Ident(a)}, Option{Name: \"hint.strategy\", Value: Ident(shuffle)}], Exprs: [Ident(a)]}")
	f("T | serialize",
		"SerializeOp{}")
	f("T | serialize rn = row_number()",
		"SerializeOp{Exprs: [NamedExpr{Names: [Ident(rn)], X: CallExpr{Fun: Ident(row_number)}}]}")
	f("T | getschema",
		"GetSchemaOp{}")
	f("T | getschema kind=csl",
		"GetSchemaOp{Options: [Option{Name: \"kind\", Value: Ident(csl)}]}")
	f("T | consume decodeblocks=true",
		"ConsumeOp{Options: [Option{Name: \"decodeblocks\", Value: Lit(bool true)}]}")
	f("T | as hint.materialized=true X",
		"AsOp{Options: [Option{Name: \"hint.materialized\", Value: Lit(bool true)}], Name: Ident(X)}")
	f("T | assert-schema (a:string, b:long)",
		"AssertSchemaOp{Schema: SchemaType{Columns: [ColumnDecl{Name: Ident(a), Type: Type(string)}, ColumnDecl{Name: Ident(b), Type: Type(long)}]}}")
	f("T | invoke FileProfile(SHA1, 1000)",
		"InvokeOp{Call: CallExpr{Fun: Ident(FileProfile), Args: [Ident(SHA1), Lit(long 1000)]}}")
	f("T | invoke database(\"d\").f()",
		"InvokeOp{Call: CallExpr{Fun: SelectorExpr{X: CallExpr{Fun: Ident(database), Args: [Str(\"d\")]}, Sel: Ident(f)}}}")
	f("T | project a, b = c + 1, (d, e) = f(x)",
		"ProjectOp{Exprs: [Ident(a), NamedExpr{Names: [Ident(b)], X: BinaryExpr{X: Ident(c), Op: +, Y: Lit(long 1)}}, NamedExpr{Names: [Ident(d), Ident(e)], X: CallExpr{Fun: Ident(f), Args: [Ident(x)]}}]}")
	f("T | project",
		"ProjectOp{}")
	f("T | project-away a, b*, *c",
		"ProjectAwayOp{Cols: [Ident(a), Wildcard(b*), Wildcard(*c)]}")
	f("T | project-keep a*, b",
		"ProjectKeepOp{Cols: [Wildcard(a*), Ident(b)]}")
	f("T | project-rename new = old, ['x y'] = z",
		"ProjectRenameOp{Exprs: [NamedExpr{Names: [Ident(new)], X: Ident(old)}, NamedExpr{Names: [Ident([\"x y\"])], X: Ident(z)}]}")
	f("T | project-reorder b asc, a* desc, c granny-asc, d granny-desc",
		"ProjectReorderOp{Items: [OrderedExpr{X: Ident(b), Dir: asc}, OrderedExpr{X: Wildcard(a*), Dir: desc}, OrderedExpr{X: Ident(c), Dir: granny-asc}, OrderedExpr{X: Ident(d), Dir: granny-desc}]}")
	f("T | project-by-names \"a\", dynamic([\"b\"]), column_names_of(T)",
		"ProjectByNamesOp{Exprs: [Str(\"a\"), DynamicLit{Value: JSONArray{Elems: [Str(\"b\")]}}, CallExpr{Fun: Ident(column_names_of), Args: [Ident(T)]}]}")
	f("T | extend a = 1, b",
		"ExtendOp{Exprs: [NamedExpr{Names: [Ident(a)], X: Lit(long 1)}, Ident(b)]}")
	f("print x = 1, 2",
		"PrintOp{Exprs: [NamedExpr{Names: [Ident(x)], X: Lit(long 1)}, Lit(long 2)]}")
	f("range x from 1 to 10 step 2",
		"RangeOp{Name: Ident(x), FromExpr: Lit(long 1), ToExpr: Lit(long 10), StepExpr: Lit(long 2)}")
	f("range t from ago(1d) to now() step 1h",
		"RangeOp{Name: Ident(t), FromExpr: CallExpr{Fun: Ident(ago), Args: [Lit(timespan 1d)]}, ToExpr: CallExpr{Fun: Ident(now)}, StepExpr: Lit(timespan 1h)}")
}
