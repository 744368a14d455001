package parser

import (
	"testing"

	"github.com/vigilsec/vigil/internal/kql/ast"
)

// TestNestedOperators checks the tree of mv-expand, mv-apply, parse, parse-kv, fork, facet, partition, evaluate, scan and render.
func TestNestedOperators(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := ast.Dump(lastOp(t, in)); got != want {
			t.Errorf("%s\n got: %s\nwant: %s", in, got, want)
		}
	}
	f("T | mv-expand x",
		"MvExpandOp{Items: [MvItem{X: Ident(x)}]}")
	f("T | mv-expand kind=array bagexpansion=bag with_itemindex=i y = x to typeof(long), z limit 10",
		"MvExpandOp{Options: [Option{Name: \"kind\", Value: Ident(array)}, Option{Name: \"bagexpansion\", Value: Ident(bag)}, Option{Name: \"with_itemindex\", Value: Ident(i)}], Items: [MvItem{X: NamedExpr{Names: [Ident(y)], X: Ident(x)}, Type: TypeOfExpr{Schema: SchemaType{Columns: [ColumnDecl{Type: Type(long)}]}}}, MvItem{X: Ident(z)}], LimitExpr: Lit(long 10)}")
	f("T | mv-expand to typeof(string)",
		"MvExpandOp{Items: [MvItem{Type: TypeOfExpr{Schema: SchemaType{Columns: [ColumnDecl{Type: Type(string)}]}}}]}")
	f("T | mvexpand x",
		"MvExpandOp{Items: [MvItem{X: Ident(x)}]}")
	f("T | mv-apply y = x to typeof(long) on (summarize sum(y))",
		"MvApplyOp{Items: [MvItem{X: NamedExpr{Names: [Ident(y)], X: Ident(x)}, Type: TypeOfExpr{Schema: SchemaType{Columns: [ColumnDecl{Type: Type(long)}]}}}], Subquery: PipeExpr{Ops: [SummarizeOp{Aggs: [CallExpr{Fun: Ident(sum), Args: [Ident(y)]}]}]}}")
	f("T | mv-apply with_itemindex=i x limit 5 on (top 1 by x | project x)",
		"MvApplyOp{Options: [Option{Name: \"with_itemindex\", Value: Ident(i)}], Items: [MvItem{X: Ident(x)}], LimitExpr: Lit(long 5), Subquery: PipeExpr{Ops: [TopOp{Count: Lit(long 1), Item: OrderedExpr{X: Ident(x)}}, ProjectOp{Exprs: [Ident(x)]}]}}")
	f("T | mv-apply x id j on (take 1)",
		"MvApplyOp{Items: [MvItem{X: Ident(x)}], IDExpr: Ident(j), Subquery: PipeExpr{Ops: [TakeOp{Count: Lit(long 1)}]}}")
	f("T | parse Msg with * \"id=\" Id:long \" user=\" User *",
		"ParseOp{X: Ident(Msg), Pattern: [Star, Str(\"id=\"), ColumnDecl{Name: Ident(Id), Type: Type(long)}, Str(\" user=\"), Ident(User), Star]}")
	f("T | parse kind=regex flags=Ui Msg with \"a=\" A:string \", b=\" B",
		"ParseOp{Options: [Option{Name: \"kind\", Value: Ident(regex)}, Option{Name: \"flags\", Value: Ident(Ui)}], X: Ident(Msg), Pattern: [Str(\"a=\"), ColumnDecl{Name: Ident(A), Type: Type(string)}, Str(\", b=\"), Ident(B)]}")
	f("T | parse kind=relaxed Msg with A \"x\" 'y' B",
		"ParseOp{Options: [Option{Name: \"kind\", Value: Ident(relaxed)}], X: Ident(Msg), Pattern: [Ident(A), Str(\"xy\"), Ident(B)]}")
	f("T | parse-where Msg with * \"x=\" X:int",
		"ParseOp{Where: true, X: Ident(Msg), Pattern: [Star, Str(\"x=\"), ColumnDecl{Name: Ident(X), Type: Type(int)}]}")
	f("T | parse-kv Msg as (a:string, ['b c']:long) with (pair_delimiter=\",\", kv_delimiter=\"=\", quote=\"'\", escape=\"\\\\\", greedy=true)",
		"ParseKvOp{X: Ident(Msg), Schema: SchemaType{Columns: [ColumnDecl{Name: Ident(a), Type: Type(string)}, ColumnDecl{Name: Ident([\"b c\"]), Type: Type(long)}]}, With: WithProps{Props: [Option{Name: \"pair_delimiter\", Value: Str(\",\")}, Option{Name: \"kv_delimiter\", Value: Str(\"=\")}, Option{Name: \"quote\", Value: Str(\"'\")}, Option{Name: \"escape\", Value: Str(\"\\\\\")}, Option{Name: \"greedy\", Value: Lit(bool true)}]}}")
	f("T | parse-kv Msg as (a:string) with (regex=@\"(\\w+)=(\\w+)\")",
		"ParseKvOp{X: Ident(Msg), Schema: SchemaType{Columns: [ColumnDecl{Name: Ident(a), Type: Type(string)}]}, With: WithProps{Props: [Option{Name: \"regex\", Value: Str(\"(\\\\w+)=(\\\\w+)\")}]}}")
	f("T | parse-kv Msg as (a:string)",
		"ParseKvOp{X: Ident(Msg), Schema: SchemaType{Columns: [ColumnDecl{Name: Ident(a), Type: Type(string)}]}}")
	f("T | fork (where x | count) b = (take 1) (summarize by y)",
		"ForkOp{Branches: [ForkBranch{Query: PipeExpr{Ops: [WhereOp{Pred: Ident(x)}, CountOp{}]}}, ForkBranch{Name: Ident(b), Query: PipeExpr{Ops: [TakeOp{Count: Lit(long 1)}]}}, ForkBranch{Query: PipeExpr{Ops: [SummarizeOp{ByExprs: [Ident(y)]}]}}]}")
	f("T | facet by a, b with (take 5 | project a)",
		"FacetOp{Cols: [Ident(a), Ident(b)], Query: ParenExpr{X: PipeExpr{Ops: [TakeOp{Count: Lit(long 5)}, ProjectOp{Exprs: [Ident(a)]}]}}}")
	f("T | facet by a with top 3 by b",
		"FacetOp{Cols: [Ident(a)], Query: PipeExpr{Ops: [TopOp{Count: Lit(long 3), Item: OrderedExpr{X: Ident(b)}}]}}")
	f("T | facet by a",
		"FacetOp{Cols: [Ident(a)]}")
	f("T | partition by DeviceId (top 1 by Timestamp)",
		"PartitionOp{Key: Ident(DeviceId), Query: PipeExpr{Ops: [TopOp{Count: Lit(long 1), Item: OrderedExpr{X: Ident(Timestamp)}}]}}")
	f("T | partition hint.strategy=native hint.materialized=true by DeviceId (summarize count())",
		"PartitionOp{Options: [Option{Name: \"hint.strategy\", Value: Ident(native)}, Option{Name: \"hint.materialized\", Value: Lit(bool true)}], Key: Ident(DeviceId), Query: PipeExpr{Ops: [SummarizeOp{Aggs: [CallExpr{Fun: Ident(count)}]}]}}")
	f("T | partition by DeviceId { T | where x }",
		"PartitionOp{Key: Ident(DeviceId), Braced: true, Query: PipeExpr{Source: Ident(T), Ops: [WhereOp{Pred: Ident(x)}]}}")
	f("T | evaluate bag_unpack(d)",
		"EvaluateOp{Plugin: CallExpr{Fun: Ident(bag_unpack), Args: [Ident(d)]}}")
	f("T | evaluate hint.distribution=per_node bag_unpack(x, 'p_', columnsConflict='keep_source') : (*, a:string)",
		"EvaluateOp{Options: [Option{Name: \"hint.distribution\", Value: Ident(per_node)}], Plugin: CallExpr{Fun: Ident(bag_unpack), Args: [Ident(x), Str(\"p_\"), NamedExpr{Names: [Ident(columnsConflict)], X: Str(\"keep_source\")}]}, Schema: SchemaType{Columns: [ColumnDecl(*), ColumnDecl{Name: Ident(a), Type: Type(string)}]}}")
	f("evaluate pivot(Col, count(), Other)",
		"EvaluateOp{Plugin: CallExpr{Fun: Ident(pivot), Args: [Ident(Col), CallExpr{Fun: Ident(count)}, Ident(Other)]}}")
	f("T | evaluate hint.remote=local python(typeof(*, x:int), 'code')",
		"EvaluateOp{Options: [Option{Name: \"hint.remote\", Value: Ident(local)}], Plugin: CallExpr{Fun: Ident(python), Args: [TypeOfExpr{Schema: SchemaType{Columns: [ColumnDecl(*), ColumnDecl{Name: Ident(x), Type: Type(int)}]}}, Str(\"code\")]}}")
	f("T | scan with (step s1: x > 0;)",
		"ScanOp{Steps: [ScanStep{Name: Ident(s1), Cond: BinaryExpr{X: Ident(x), Op: >, Y: Lit(long 0)}}]}")
	f("T | scan with_match_id=m order by Timestamp asc partition by DeviceId declare (s:long = 0, t:string) with (step a optional output=all: x > 0 => s = a.s + 1, t = \"x\"; step b output=none: y;)",
		"ScanOp{Options: [Option{Name: \"with_match_id\", Value: Ident(m)}], OrderItems: [OrderedExpr{X: Ident(Timestamp), Dir: asc}], PartitionExprs: [Ident(DeviceId)], Decls: [Param{Name: Ident(s), Type: Type(long), Default: Lit(long 0)}, Param{Name: Ident(t), Type: Type(string)}], Steps: [ScanStep{Name: Ident(a), Output: Option{Name: \"output\", Value: Ident(all)}, Cond: BinaryExpr{X: Ident(x), Op: >, Y: Lit(long 0)}, Assigns: [NamedExpr{Names: [Ident(s)], X: BinaryExpr{X: SelectorExpr{X: Ident(a), Sel: Ident(s)}, Op: +, Y: Lit(long 1)}}, NamedExpr{Names: [Ident(t)], X: Str(\"x\")}]}, ScanStep{Name: Ident(b), Output: Option{Name: \"output\", Value: Ident(none)}, Cond: Ident(y)}]}")
	f("T | render timechart",
		"RenderOp{Chart: Ident(timechart)}")
	f("T | render timechart with (title=\"t\", ycolumns=a, b, series=c, xtitle=strcat(\"x\", \"y\"), ymin=0, legend=hidden, kind=stacked)",
		"RenderOp{Chart: Ident(timechart), With: WithProps{Props: [Option{Name: \"title\", Value: Str(\"t\")}, Option{Name: \"ycolumns\", Value: NameList{Names: [Ident(a), Ident(b)]}}, Option{Name: \"series\", Value: NameList{Names: [Ident(c)]}}, Option{Name: \"xtitle\", Value: CallExpr{Fun: Ident(strcat), Args: [Str(\"x\"), Str(\"y\")]}}, Option{Name: \"ymin\", Value: Lit(long 0)}, Option{Name: \"legend\", Value: Ident(hidden)}, Option{Name: \"kind\", Value: Ident(stacked)}]}}")
	f("T | render barchart kind=stacked title=\"x\" by a, b",
		"RenderOp{Chart: Ident(barchart), Props: [Option{Name: \"kind\", Value: Ident(stacked)}, Option{Name: \"title\", Value: Str(\"x\")}, Option{Name: \"by\", Value: NameList{Names: [Ident(a), Ident(b)]}}]}")
	f("T | render columnchart with (xcolumn=a)",
		"RenderOp{Chart: Ident(columnchart), With: WithProps{Props: [Option{Name: \"xcolumn\", Value: Ident(a)}]}}")
}
