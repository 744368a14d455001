package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// More aggregates: bitwise, covariance, make_bag_if, weighted
// percentiles, and exact forms of the hll and tdigest sketches.
//
// The sketches are exact: hll(x) is the JSON array of the distinct values
// of x, tdigest(x) the JSON array of [value, weight] pairs sorted by
// value. Their readers (dcount_hll, percentile_tdigest, rank_tdigest, ...)
// give the exact answers, which are within any approximation Kusto
// allows; the price is memory in proportion to the distinct values.
func init() {
	ifForm := func(sqlFn string, nargs int) aggFunc {
		return func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
			s := sqlFn + "("
			for i := 0; i < nargs; i++ {
				if i > 0 {
					s += ", "
				}
				s += g.aggArg(ctx, x, i)
			}
			s += ")"
			if len(x.Args) > nargs {
				s += " FILTER (WHERE " + g.aggArg(ctx, x, nargs) + ")"
			}
			return ctx.add(s)
		}
	}
	registerAgg(ifForm("bit_and", 1), "binary_all_and")
	registerAgg(ifForm("bit_or", 1), "binary_all_or")
	registerAgg(ifForm("bit_xor", 1), "binary_all_xor")
	numeric := func(f aggFunc) aggFunc {
		return func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
			for i := 0; i < 2 && i < len(x.Args); i++ {
				if !isNumeric(g.argType(x, i)) {
					g.failf(x.Pos(), "covariance of a %s value is not supported", g.argType(x, i))
				}
			}
			return f(g, ctx, x)
		}
	}
	covar := func(fn string) aggFunc {
		return func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
			s := fn + "(CAST(" + g.aggArg(ctx, x, 0) + " AS DOUBLE), CAST(" + g.aggArg(ctx, x, 1) + " AS DOUBLE))"
			if len(x.Args) > 2 {
				s += " FILTER (WHERE " + g.aggArg(ctx, x, 2) + ")"
			}
			return ctx.add(s)
		}
	}
	registerAgg(numeric(covar("covar_samp")), "covariance", "covarianceif")
	registerAgg(numeric(covar("covar_pop")), "covariancep", "covariancepif")
	zero := func(f aggFunc) aggFunc {
		return func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
			if ctx.filter != "" {
				return f(g, ctx, x)
			}
			return "coalesce(" + f(g, ctx, x) + ", 0)"
		}
	}
	registerAgg(zero(ifForm("var_pop", 1)), "variancepif")
	registerAgg(zero(ifForm("stddev_pop", 1)), "stdevpif")
	registerAgg(func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		v := g.aggArg(ctx, x, 0)
		p := g.aggArg(ctx, x, 1)
		return ctx.add("coalesce(list_reduce(list(CAST(" + v + " AS JSON)) FILTER (WHERE (" + p + ") AND json_type(CAST(" + v + " AS JSON)) = 'OBJECT'), (a, b) -> json_merge_patch(a, b)), '{}')")
	}, "make_bag_if")

	// percentilew(x, w, p) and the _array forms.
	registerAgg(func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		if len(x.Args) != 3 {
			g.failf(x.Pos(), "percentilew takes a value, a weight and a percentile")
		}
		l, tot := g.weightedList(ctx, x, g.aggArg(ctx, x, 1))
		return weightedPick(l, tot, "CAST("+g.expr(valueOf(x.Args[2]), nil)+" AS DOUBLE)")
	}, "percentilew")
	registerAgg(func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		return g.percentilesArray(ctx, x, false)
	}, "percentiles_array")
	registerAgg(func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		return g.percentilesArray(ctx, x, true)
	}, "percentilesw_array")

	// Exact hll: the distinct values as a JSON array.
	hll := func(withIf bool) aggFunc {
		return func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
			v := g.aggJSON(ctx, x, 0)
			filter := g.aggArg(ctx, x, 0) + " IS NOT NULL"
			if withIf {
				filter += " AND (" + g.aggArg(ctx, x, 1) + ")"
			}
			return ctx.add("CAST(to_json(list_sort(list(DISTINCT " + v + ") FILTER (WHERE " + filter + "))) AS JSON)")
		}
	}
	registerAgg(hll(true), "hll_if")
	registerAgg(func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		v := g.aggArg(ctx, x, 0)
		return ctx.add("CAST(to_json(list_sort(list_distinct(flatten(list(" + hllList(v) + "))))) AS JSON)")
	}, "hll_merge")

	// Exact tdigest: the [value, weight] pairs sorted by value.
	registerAgg(func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		t := g.argType(x, 0)
		if !isNumeric(t) {
			g.failf(x.Pos(), "tdigest of a %s value is not supported", t)
		}
		v := "CAST(" + g.aggArg(ctx, x, 0) + " AS DOUBLE)"
		w := "1.0"
		if len(x.Args) > 1 {
			w = "CAST(" + g.aggArg(ctx, x, 1) + " AS DOUBLE)"
		}
		return ctx.add("CAST(to_json(list([" + v + ", " + w + "] ORDER BY " + v + ") FILTER (WHERE " + v + " IS NOT NULL AND " + w + " > 0)) AS JSON)")
	}, "tdigest")
	registerAgg(func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		v := g.aggArg(ctx, x, 0)
		return ctx.add("CAST(to_json(list_sort(flatten(list(" + tdigestList(v) + ")))) AS JSON)")
	}, "merge_tdigest", "tdigest_merge")
}

func isNumeric(t schema.Type) bool {
	switch t {
	case schema.Int, schema.Long, schema.Real, schema.Decimal:
		return true
	}
	return false
}

// hllList reads an exact hll sketch as a list of JSON values.
func hllList(sql string) string {
	return "from_json(CAST(" + sql + " AS JSON), '[\"JSON\"]')"
}

// tdigestList reads an exact tdigest as a list of [value, weight] pairs.
func tdigestList(sql string) string {
	return "from_json(CAST(" + sql + " AS JSON), '[[\"DOUBLE\"]]')"
}

// weightedList adds the aggregate list of (value, weight) structs sorted
// by value and the total weight; it returns their column names.
func (g *gen) weightedList(ctx *aggCtx, x *ast.CallExpr, w string) (list, total string) {
	v := g.aggArg(ctx, x, 0)
	w = "CAST(" + w + " AS DOUBLE)"
	filter := " FILTER (WHERE " + v + " IS NOT NULL AND " + w + " > 0)"
	list = ctx.add("list(struct_pack(v := " + v + ", w := " + w + ") ORDER BY " + v + ")" + filter)
	total = ctx.add("sum(" + w + ")" + filter)
	return list, total
}

// weightedPick is the nearest-rank percentile p (0..100) of a list of
// (v, w) structs sorted by v: the first value whose running weight
// reaches p% of the total.
func weightedPick(list, total, p string) string {
	acc := "list_prepend(struct_pack(v := " + list + "[1].v, w := CAST(0 AS DOUBLE)), " + list + ")"
	return "(list_reduce(list_transform(" + acc + ", e -> struct_pack(v := e.v, w := e.w, d := false)), " +
		"(a, e) -> CASE WHEN a.d THEN a ELSE struct_pack(v := e.v, w := a.w + e.w, d := a.w + e.w >= " + total + " * (" + p + ") / 100.0) END)).v"
}

// weightedPercentiles compiles percentiles over (v, w) for each p.
func (g *gen) weightedPercentiles(ctx *aggCtx, x *ast.CallExpr, w string, ps []ast.Expr) []string {
	l, tot := g.weightedList(ctx, x, w)
	var out []string
	for _, p := range ps {
		out = append(out, weightedPick(l, tot, "CAST("+g.expr(valueOf(p), nil)+" AS DOUBLE)"))
	}
	return out
}

// percentilesArray compiles percentiles_array(x, p...) and
// percentilesw_array(x, w, p...): the percentiles as one dynamic array.
// The percentiles are literals or one dynamic array literal.
func (g *gen) percentilesArray(ctx *aggCtx, x *ast.CallExpr, weighted bool) string {
	first := 1
	w := "1"
	if weighted {
		first = 2
		if len(x.Args) < 3 {
			g.failf(x.Pos(), "percentilesw_array takes a value, a weight and percentiles")
		}
		w = g.aggArg(ctx, x, 1)
	} else if len(x.Args) < 2 {
		g.failf(x.Pos(), "percentiles_array takes a value and percentiles")
	}
	vt := g.argType(x, 0)
	l, tot := g.weightedList(ctx, x, w)
	var items []string
	ps := x.Args[first:]
	if len(ps) == 1 && g.typeOf(valueOf(ps[0])) == schema.Dynamic {
		arr := g.expr(valueOf(ps[0]), nil)
		return "CAST(to_json(list_transform(from_json(CAST(" + arr + " AS JSON), '[\"DOUBLE\"]'), p -> " +
			jsonOfType(weightedPick(l, tot, "p"), vt) + ")) AS JSON)"
	}
	for _, p := range ps {
		items = append(items, jsonOfType(weightedPick(l, tot, "CAST("+g.expr(valueOf(p), nil)+" AS DOUBLE)"), vt))
	}
	s := "CAST(to_json([" + items[0]
	for _, it := range items[1:] {
		s += ", " + it
	}
	return s + "]) AS JSON)"
}

// jsonOfType is a value of type t as a JSON value.
func jsonOfType(sql string, t schema.Type) string {
	return "CAST(" + toJSON(sql, t) + " AS JSON)"
}

// maxSchemaDepth is how deep buildschema follows nested values: DuckDB
// binds the nested lambdas of each level in time that grows fast with
// the depth (about 0.1 s at 2 levels, 1 s at 4), so deeper values fail
// clearly when the query runs.
const maxSchemaDepth = 3

func init() {
	// buildschema(v): the union of the types of the dynamic values v.
	// A value's schema is its type name (long, double, string, bool), an
	// object of the schemas of its keys, or, for an array, an object whose
	// "`indexer`" key holds the schema of its elements; several schemas
	// at one place give an array of them (the type names, then one merged
	// object).
	registerAgg(func(g *gen, ctx *aggCtx, x *ast.CallExpr) string {
		v := g.aggJSON(ctx, x, 0)
		l := ctx.add("list(CAST(" + v + " AS JSON)) FILTER (WHERE " + v + " IS NOT NULL)")
		return "CAST(" + schemaOfList(l, 0) + " AS JSON)"
	}, "buildschema")
}

// schemaOfList is the schema text of the JSON values of list l. Each
// value gives entries (k, v, c): a scalar gives (NULL, value, false), an
// object or array a marker (NULL, NULL, true) and one entry per key or
// element ("`indexer`"); the schema is built from the entries, so that
// each level nests as few lambdas as possible (DuckDB binds nested
// lambdas in time exponential in their depth).
func schemaOfList(l string, depth int) string {
	e, m, a := lambdaVar(), lambdaVar(), lambdaVar()
	kind := "json_type(" + e + ")"
	marker := "struct_pack(k := CAST(NULL AS VARCHAR), v := CAST(NULL AS JSON), c := true)"
	entries := "flatten(list_transform(" + l + ", " + e + " -> CASE " + kind +
		" WHEN 'OBJECT' THEN list_prepend(" + marker + ", list_transform(map_entries(CAST(" + e + " AS MAP(VARCHAR, JSON))), " + m + " -> struct_pack(k := " + m + ".key, v := " + m + ".value, c := false)))" +
		" WHEN 'ARRAY' THEN list_prepend(" + marker + ", list_transform(CAST(" + e + " AS JSON[]), " + a + " -> struct_pack(k := '`indexer`', v := " + a + ", c := false)))" +
		" WHEN 'NULL' THEN []" +
		" ELSE [struct_pack(k := CAST(NULL AS VARCHAR), v := " + e + ", c := false)] END))"
	return bind(entries, func(en string) string {
		y, k, t := lambdaVar(), lambdaVar(), lambdaVar()
		ty := "json_type(" + y + ".v)"
		names := "list_transform(list_filter(" + en + ", " + y + " -> " + y + ".k IS NULL AND NOT " + y + ".c), " + y + " -> CASE " + ty +
			" WHEN 'UBIGINT' THEN 'long' WHEN 'BIGINT' THEN 'long' WHEN 'DOUBLE' THEN 'double' WHEN 'VARCHAR' THEN 'string' WHEN 'BOOLEAN' THEN 'bool' ELSE lower(" + ty + ") END)"
		types := "list_transform(" + bind(names, orderedDistinct) + ", " + t + " -> CAST(to_json(" + t + ") AS VARCHAR))"
		containers := "len(list_filter(" + en + ", " + y + " -> " + y + ".c)) > 0"
		var obj string
		if depth >= maxSchemaDepth {
			obj = "CAST(error('buildschema: values nested deeper than " + itoa(maxSchemaDepth) + " levels are not supported') AS VARCHAR)"
		} else {
			keys := bind("list_transform(list_filter("+en+", "+y+" -> "+y+".k IS NOT NULL), "+y+" -> "+y+".k)", orderedDistinct)
			child := "list_transform(list_filter(" + en + ", " + y + " -> " + y + ".k = " + k + "), " + y + " -> " + y + ".v)"
			obj = "'{' || array_to_string(list_transform(" + keys + ", " + k + " -> CAST(to_json(" + k + ") AS VARCHAR) || ':' || " + schemaOfList(child, depth+1) + "), ',') || '}'"
		}
		// One type: "t"; several, or types and an object: [..., {...}].
		// The type names are quoted and hold no '","'.
		txt := "coalesce(array_to_string(" + types + ", ','), '')"
		head := bind(txt, func(tt string) string {
			return "(CASE WHEN " + containers + " THEN (CASE WHEN " + tt + " = '' THEN '' ELSE '[' || " + tt + " || ',' END)" +
				" WHEN " + tt + " = '' THEN NULL WHEN strpos(" + tt + ", '\",\"') = 0 THEN " + tt + " ELSE '[' || " + tt + " END)"
		})
		tail := bind(txt, func(tt string) string {
			return "(CASE WHEN " + containers + " THEN (CASE WHEN " + tt + " = '' THEN '' ELSE ']' END)" +
				" WHEN strpos(" + tt + ", '\",\"') = 0 THEN '' ELSE ']' END)"
		})
		return head + " || (CASE WHEN " + containers + " THEN " + obj + " ELSE '' END) || " + tail
	})
}
