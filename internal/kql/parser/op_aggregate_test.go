package parser

import (
	"testing"

	"github.com/vigilsec/vigil/internal/kql/ast"
)

// TestAggregateOperators checks the tree of summarize, sort, top, top-hitters, top-nested, reduce and make-series.
func TestAggregateOperators(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := ast.Dump(lastOp(t, in)); got != want {
			t.Errorf("%s\n got: %s\nwant: %s", in, got, want)
		}
	}
	f("T | summarize count() by bin(Timestamp, 1h)",
		"SummarizeOp{Aggs: [CallExpr{Fun: Ident(count)}], ByExprs: [CallExpr{Fun: Ident(bin), Args: [Ident(Timestamp), Lit(timespan 1h)]}]}")
	f("T | summarize c = count(), dcount(DeviceId) by DeviceName, bin(Timestamp, 1d)",
		"SummarizeOp{Aggs: [NamedExpr{Names: [Ident(c)], X: CallExpr{Fun: Ident(count)}}, CallExpr{Fun: Ident(dcount), Args: [Ident(DeviceId)]}], ByExprs: [Ident(DeviceName), CallExpr{Fun: Ident(bin), Args: [Ident(Timestamp), Lit(timespan 1d)]}]}")
	f("T | summarize hint.shufflekey=DeviceId hint.strategy=shuffle hint.num_partitions=10 arg_max(Timestamp, *) by DeviceId",
		"SummarizeOp{Options: [Option{Name: \"hint.shufflekey\", Value: Ident(DeviceId)}, Option{Name: \"hint.strategy\", Value: Ident(shuffle)}, Option{Name: \"hint.num_partitions\", Value: Lit(long 10)}], Aggs: [CallExpr{Fun: Ident(arg_max), Args: [Ident(Timestamp), Star]}], ByExprs: [Ident(DeviceId)]}")
	f("T | summarize",
		"SummarizeOp{}")
	f("T | summarize by x",
		"SummarizeOp{ByExprs: [Ident(x)]}")
	f("T | summarize (a, b) = arg_max(Timestamp, x) by y",
		"SummarizeOp{Aggs: [NamedExpr{Names: [Ident(a), Ident(b)], X: CallExpr{Fun: Ident(arg_max), Args: [Ident(Timestamp), Ident(x)]}}], ByExprs: [Ident(y)]}")
	f("T | summarize count() by x bin = 1h",
		"SummarizeOp{Aggs: [CallExpr{Fun: Ident(count)}], ByExprs: [Ident(x)], Bin: Option{Name: \"bin\", Value: Lit(timespan 1h)}}")
	f("T | sort by a desc, b asc nulls first, c nulls last",
		"SortOp{Items: [OrderedExpr{X: Ident(a), Dir: desc}, OrderedExpr{X: Ident(b), Dir: asc, Nulls: first}, OrderedExpr{X: Ident(c), Nulls: last}]}")
	f("T | order by a",
		"SortOp{Items: [OrderedExpr{X: Ident(a)}]}")
	f("T | sort hint.strategy=parallel by a",
		"SortOp{Options: [Option{Name: \"hint.strategy\", Value: Ident(parallel)}], Items: [OrderedExpr{X: Ident(a)}]}")
	f("T | top 10 by Timestamp desc nulls last",
		"TopOp{Count: Lit(long 10), Item: OrderedExpr{X: Ident(Timestamp), Dir: desc, Nulls: last}}")
	f("T | top 5 by x",
		"TopOp{Count: Lit(long 5), Item: OrderedExpr{X: Ident(x)}}")
	f("T | top-hitters 5 of Col by Size",
		"TopHittersOp{Count: Lit(long 5), X: Ident(Col), ByExpr: Ident(Size)}")
	f("T | top-hitters 5 of Col",
		"TopHittersOp{Count: Lit(long 5), X: Ident(Col)}")
	f("T | top-nested 2 of State with others = \"Other\" by sum(x) desc, top-nested of City by c = count(), top-nested 3 of Z by max(y) asc",
		"TopNestedOp{Clauses: [TopNestedClause{Count: Lit(long 2), X: Ident(State), OthersValue: Str(\"Other\"), Item: OrderedExpr{X: CallExpr{Fun: Ident(sum), Args: [Ident(x)]}, Dir: desc}}, TopNestedClause{X: Ident(City), Item: OrderedExpr{X: NamedExpr{Names: [Ident(c)], X: CallExpr{Fun: Ident(count)}}}}, TopNestedClause{Count: Lit(long 3), X: Ident(Z), Item: OrderedExpr{X: CallExpr{Fun: Ident(max), Args: [Ident(y)]}, Dir: asc}}]}")
	f("T | reduce by Msg",
		"ReduceOp{X: Ident(Msg)}")
	f("T | reduce kind=source by Msg with threshold=0.1, characters=\"-_\"",
		"ReduceOp{Options: [Option{Name: \"kind\", Value: Ident(source)}], X: Ident(Msg), WithOptions: [Option{Name: \"threshold\", Value: Lit(real 0.1)}, Option{Name: \"characters\", Value: Str(\"-_\")}]}")
	f("T | make-series c = count() default = 0, avg(x) on Timestamp from ago(7d) to now() step 1h by DeviceName",
		"MakeSeriesOp{Aggs: [MakeSeriesAgg{X: NamedExpr{Names: [Ident(c)], X: CallExpr{Fun: Ident(count)}}, DefaultValue: Lit(long 0)}, MakeSeriesAgg{X: CallExpr{Fun: Ident(avg), Args: [Ident(x)]}}], OnExpr: Ident(Timestamp), FromExpr: CallExpr{Fun: Ident(ago), Args: [Lit(timespan 7d)]}, ToExpr: CallExpr{Fun: Ident(now)}, StepExpr: Lit(timespan 1h), ByExprs: [Ident(DeviceName)]}")
	f("T | make-series c = count() on Timestamp in range(ago(7d), now(), 1h)",
		"MakeSeriesOp{Aggs: [MakeSeriesAgg{X: NamedExpr{Names: [Ident(c)], X: CallExpr{Fun: Ident(count)}}}], OnExpr: Ident(Timestamp), RangeArgs: [CallExpr{Fun: Ident(ago), Args: [Lit(timespan 7d)]}, CallExpr{Fun: Ident(now)}, Lit(timespan 1h)]}")
	f("T | make-series kind=nonempty c = count() on Timestamp step 1h",
		"MakeSeriesOp{Options: [Option{Name: \"kind\", Value: Ident(nonempty)}], Aggs: [MakeSeriesAgg{X: NamedExpr{Names: [Ident(c)], X: CallExpr{Fun: Ident(count)}}}], OnExpr: Ident(Timestamp), StepExpr: Lit(timespan 1h)}")
	f("T | make-series c = count() on Timestamp from ago(1d) step 1h",
		"MakeSeriesOp{Aggs: [MakeSeriesAgg{X: NamedExpr{Names: [Ident(c)], X: CallExpr{Fun: Ident(count)}}}], OnExpr: Ident(Timestamp), FromExpr: CallExpr{Fun: Ident(ago), Args: [Lit(timespan 1d)]}, StepExpr: Lit(timespan 1h)}")
}
