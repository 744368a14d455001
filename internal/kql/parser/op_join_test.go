package parser

import (
	"testing"

	"github.com/vigilsec/vigil/internal/kql/ast"
)

// TestJoinUnionFindSearch checks the tree of join, lookup, union, find and search.
func TestJoinUnionFindSearch(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := ast.Dump(lastOp(t, in)); got != want {
			t.Errorf("%s\n got: %s\nwant: %s", in, got, want)
		}
	}
	f("T | join (U) on a",
		"JoinOp{Right: ParenExpr{X: Ident(U)}, OnExprs: [Ident(a)]}")
	f("T | join kind=leftouter hint.strategy=broadcast hint.remote=left (U | where x) on $left.a == $right.b, c",
		"JoinOp{Options: [Option{Name: \"kind\", Value: Ident(leftouter)}, Option{Name: \"hint.strategy\", Value: Ident(broadcast)}, Option{Name: \"hint.remote\", Value: Ident(left)}], Right: ParenExpr{X: PipeExpr{Source: Ident(U), Ops: [WhereOp{Pred: Ident(x)}]}}, OnExprs: [BinaryExpr{X: SelectorExpr{X: Ident($left), Sel: Ident(a)}, Op: ==, Y: SelectorExpr{X: Ident($right), Sel: Ident(b)}}, Ident(c)]}")
	f("T | join kind=inner U on a",
		"JoinOp{Options: [Option{Name: \"kind\", Value: Ident(inner)}], Right: Ident(U), OnExprs: [Ident(a)]}")
	f("T | join kind=leftanti (U) on a",
		"JoinOp{Options: [Option{Name: \"kind\", Value: Ident(leftanti)}], Right: ParenExpr{X: Ident(U)}, OnExprs: [Ident(a)]}")
	f("T | join kind=rightsemi (U) on a",
		"JoinOp{Options: [Option{Name: \"kind\", Value: Ident(rightsemi)}], Right: ParenExpr{X: Ident(U)}, OnExprs: [Ident(a)]}")
	f("T | join kind=fullouter (U) on a",
		"JoinOp{Options: [Option{Name: \"kind\", Value: Ident(fullouter)}], Right: ParenExpr{X: Ident(U)}, OnExprs: [Ident(a)]}")
	f("T | join kind=innerunique hint.shufflekey=a hint.num_partitions=4 (U) on a",
		"JoinOp{Options: [Option{Name: \"kind\", Value: Ident(innerunique)}, Option{Name: \"hint.shufflekey\", Value: Ident(a)}, Option{Name: \"hint.num_partitions\", Value: Lit(long 4)}], Right: ParenExpr{X: Ident(U)}, OnExprs: [Ident(a)]}")
	f("T | join (U) where a == b",
		"JoinOp{Right: ParenExpr{X: Ident(U)}, WhereExpr: BinaryExpr{X: Ident(a), Op: ==, Y: Ident(b)}}")
	f("T | join (U)",
		"JoinOp{Right: ParenExpr{X: Ident(U)}}")
	f("T | lookup (U) on a",
		"LookupOp{Right: ParenExpr{X: Ident(U)}, OnExprs: [Ident(a)]}")
	f("T | lookup kind=leftouter U on $left.a == $right.b",
		"LookupOp{Options: [Option{Name: \"kind\", Value: Ident(leftouter)}], Right: Ident(U), OnExprs: [BinaryExpr{X: SelectorExpr{X: Ident($left), Sel: Ident(a)}, Op: ==, Y: SelectorExpr{X: Ident($right), Sel: Ident(b)}}]}")
	f("union T, U",
		"UnionOp{Tables: [Ident(T), Ident(U)]}")
	f("union kind=outer withsource=Src isfuzzy=true T, (U | where x), Device*, database(\"d\").Proc*, ['My Table'], f(1)",
		"UnionOp{Options: [Option{Name: \"kind\", Value: Ident(outer)}, Option{Name: \"withsource\", Value: Ident(Src)}, Option{Name: \"isfuzzy\", Value: Lit(bool true)}], Tables: [Ident(T), ParenExpr{X: PipeExpr{Source: Ident(U), Ops: [WhereOp{Pred: Ident(x)}]}}, Wildcard(Device*), Wildcard{Qualifier: CallExpr{Fun: Ident(database), Args: [Str(\"d\")]}, Pattern: \"Proc*\"}, Ident([\"My Table\"]), CallExpr{Fun: Ident(f), Args: [Lit(long 1)]}]}")
	f("T | union U",
		"UnionOp{Tables: [Ident(U)]}")
	f("union hint.concurrency=2 hint.spread=3 best_effort=true T",
		"UnionOp{Options: [Option{Name: \"hint.concurrency\", Value: Lit(long 2)}, Option{Name: \"hint.spread\", Value: Lit(long 3)}, Option{Name: \"best_effort\", Value: Lit(bool true)}], Tables: [Ident(T)]}")
	f("find \"x\"",
		"FindOp{Pred: Str(\"x\")}")
	f("find in (T, U*) where x == 1",
		"FindOp{Tables: [Ident(T), Wildcard(U*)], Pred: BinaryExpr{X: Ident(x), Op: ==, Y: Lit(long 1)}}")
	f("find withsource=Src in (T) where x has \"a\" project a, b:string, pack(*)",
		"FindOp{Options: [Option{Name: \"withsource\", Value: Ident(Src)}], Tables: [Ident(T)], Pred: BinaryExpr{X: Ident(x), Op: has, Y: Str(\"a\")}, Columns: [Ident(a), ColumnDecl{Name: Ident(b), Type: Type(string)}, CallExpr{Fun: Ident(pack), Args: [Star]}]}")
	f("find where * has \"x\" project-smart",
		"FindOp{Pred: BinaryExpr{X: Star, Op: has, Y: Str(\"x\")}, ProjectSmart: true}")
	f("find datascope=hotcache \"x\"",
		"FindOp{Options: [Option{Name: \"datascope\", Value: Ident(hotcache)}], Pred: Str(\"x\")}")
	f("search \"x\"",
		"SearchOp{Pred: Str(\"x\")}")
	f("search kind=case_sensitive \"X\"",
		"SearchOp{Options: [Option{Name: \"kind\", Value: Ident(case_sensitive)}], Pred: Str(\"X\")}")
	f("search in (T, U*) \"x\"",
		"SearchOp{Tables: [Ident(T), Wildcard(U*)], Pred: Str(\"x\")}")
	f("search *",
		"SearchOp{Pred: Star}")
	f("search * and x == 1",
		"SearchOp{Pred: BinaryExpr{X: Star, Op: and, Y: BinaryExpr{X: Ident(x), Op: ==, Y: Lit(long 1)}}}")
	f("search * has \"x\"",
		"SearchOp{Pred: BinaryExpr{X: Star, Op: has, Y: Str(\"x\")}}")
	f("search Col:\"value\" and \"other\"",
		"SearchOp{Pred: BinaryExpr{X: BinaryExpr{X: Ident(Col), Op: :, Y: Str(\"value\")}, Op: and, Y: Str(\"other\")}}")
}
