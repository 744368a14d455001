package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// The aggregate functions of summarize.
func init() {
	simple := func(sqlFn string) aggFunc {
		return func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
			return ctx.add(sqlFn + "(" + g.aggArg(ctx, x, 0) + ")")
		}
	}
	// ifForm compiles f_if(x, predicate) as f(x) FILTER (WHERE predicate).
	ifForm := func(sqlFn string) aggFunc {
		return func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
			return ctx.add(sqlFn + "(" + g.aggArg(ctx, x, 0) + ") FILTER (WHERE " + g.aggArg(ctx, x, 1) + ")")
		}
	}
	registerAgg(func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		if len(x.Args) == 1 && !isStar(x.Args[0]) {
			return ctx.add("count(" + g.aggArg(ctx, x, 0) + ")")
		}
		return ctx.add("count(*)")
	}, "count")
	registerAgg(func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		return ctx.add("count(*) FILTER (WHERE " + g.aggArg(ctx, x, 0) + ")")
	}, "countif")
	registerAgg(func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		return ctx.add("count(DISTINCT " + g.aggArg(ctx, x, 0) + ")")
	}, "dcount", "count_distinct")
	registerAgg(func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		return ctx.add("count(DISTINCT " + g.aggArg(ctx, x, 0) + ") FILTER (WHERE " + g.aggArg(ctx, x, 1) + ")")
	}, "dcountif", "count_distinctif")
	// Over no values (an empty table, all nulls) Kusto's sum is 0, its
	// avg NaN and its stdev and variance 0.
	orElse := func(f aggFunc, v string, numericOnly bool) aggFunc {
		return func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
			s := f(g, ctx, x)
			// A pivot's cell without rows stays empty.
			if ctx.filter != "" || numericOnly && !isNumeric(g.argType(x, 0)) {
				return s
			}
			return "coalesce(" + s + ", " + v + ")"
		}
	}
	registerAgg(orElse(simple("sum"), "0", true), "sum")
	registerAgg(orElse(ifForm("sum"), "0", true), "sumif")
	registerAgg(orElse(func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		return ctx.add("avg(CAST(" + g.aggArg(ctx, x, 0) + " AS DOUBLE))")
	}, "CAST('NaN' AS DOUBLE)", false), "avg")
	registerAgg(orElse(func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		return ctx.add("avg(CAST(" + g.aggArg(ctx, x, 0) + " AS DOUBLE)) FILTER (WHERE " + g.aggArg(ctx, x, 1) + ")")
	}, "CAST('NaN' AS DOUBLE)", false), "avgif")
	registerAgg(minMax("min"), "min")
	registerAgg(minMax("max"), "max")
	registerAgg(ifForm("min"), "minif")
	registerAgg(ifForm("max"), "maxif")
	registerAgg(orElse(simple("stddev_samp"), "0", false), "stdev")
	registerAgg(orElse(simple("stddev_pop"), "0", false), "stdevp")
	registerAgg(orElse(simple("var_samp"), "0", false), "variance")
	registerAgg(orElse(simple("var_pop"), "0", false), "variancep")
	registerAgg(orElse(ifForm("stddev_samp"), "0", false), "stdevif")
	registerAgg(orElse(ifForm("var_samp"), "0", false), "varianceif")
	registerAgg(simple("first"), "take_any", "any")
	registerAgg(ifForm("first"), "take_anyif", "anyif")
	registerAgg(makeList(false, false), "make_list", "makelist")
	registerAgg(makeList(false, true), "make_list_if")
	registerAgg(makeList(true, false), "make_set", "makeset")
	registerAgg(makeList(true, true), "make_set_if")
	registerAgg(func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		v := g.aggJSON(ctx, x, 0)
		return ctx.add("coalesce(to_json(list(" + v + ")), '[]')")
	}, "make_list_with_nulls")
	registerAgg(func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		v := g.aggArg(ctx, x, 0)
		return ctx.add("coalesce(list_reduce(list(CAST(" + v + " AS JSON)) FILTER (WHERE json_type(CAST(" + v + " AS JSON)) = 'OBJECT'), (a, b) -> json_merge_patch(a, b)), '{}')")
	}, "make_bag", "make_dictionary")
	registerAgg(func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		v := g.aggArg(ctx, x, 0)
		p := g.aggArg(ctx, x, 1)
		return ctx.add("quantile_disc(" + v + ", CAST(" + p + " AS DOUBLE) / 100)")
	}, "percentile")
	registerAgg(func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		// An exact sketch: the distinct values (see aggs_more.go).
		v := g.aggJSON(ctx, x, 0)
		return ctx.add("CAST(to_json(list_sort(list(DISTINCT " + v + ") FILTER (WHERE " + g.aggArg(ctx, x, 0) + " IS NOT NULL))) AS JSON)")
	}, "hll")
}

func minMax(fn string) aggFunc {
	return func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		v := g.aggArg(ctx, x, 0)
		if g.argType(x, 0) == schema.String {
			// KQL's min and max skip empty strings as they skip nulls.
			return ctx.add(fn + "(NULLIF(" + v + ", ''))")
		}
		return ctx.add(fn + "(" + v + ")")
	}
}

// aggJSON compiles an aggregate's argument as a dynamic value.
func (g *gen) aggJSON(ctx *aggCtx, x *ast.CallExpr, i int) string {
	return toJSON(g.aggArg(ctx, x, i), g.argType(x, i))
}

// makeList compiles make_list and make_set (and their _if forms): nulls
// are skipped; an optional size caps the list (default 1,048,576).
func makeList(set, withIf bool) aggFunc {
	return func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		v := g.aggJSON(ctx, x, 0)
		raw := g.aggArg(ctx, x, 0)
		filter := raw + " IS NOT NULL AND json_type(" + v + ") <> 'NULL'"
		next := 1
		if withIf {
			filter += " AND " + g.aggArg(ctx, x, 1)
			next = 2
		}
		list := "list(" + v + ") FILTER (WHERE " + filter + ")"
		if set {
			// make_set takes the elements of arrays, and keeps the
			// order in which values first come.
			if g.argType(x, 0) == schema.Dynamic {
				list = "flatten(list(CASE WHEN json_type(" + v + ") = 'ARRAY' THEN " + hllList(v) + " ELSE [" + v + "] END) FILTER (WHERE " + filter + "))"
			}
			list = orderedDistinct(ctx.add(list))
		}
		if next < len(x.Args) {
			list = "list_slice(" + list + ", 1, CAST(" + g.aggArg(ctx, x, next) + " AS BIGINT))"
		}
		if set {
			return "coalesce(CAST(to_json(" + list + ") AS JSON), CAST('[]' AS JSON))"
		}
		return ctx.add("coalesce(CAST(to_json(" + list + ") AS JSON), CAST('[]' AS JSON))")
	}
}

// orderedDistinct drops the repeated values of a list, keeping each
// value's first place, in O(n log n): sort (value, place) pairs, keep the
// first pair of each value, and sort those back by place.
func orderedDistinct(l string) string {
	s := "list_sort(list_transform(" + l + ", (x, i) -> struct_pack(v := x, i := i)))"
	u := "list_filter(" + s + ", (e, j) -> j = 1 OR " + s + "[j - 1].v IS DISTINCT FROM e.v)"
	return "list_transform(list_sort(list_transform(" + u + ", e -> struct_pack(i := e.i, v := e.v))), e -> e.v)"
}
