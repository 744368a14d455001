package sqlgen

import (
	"encoding/json"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// Readers of the exact hll and tdigest sketches of aggs_more.go.
func init() {
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "CAST(json_array_length(CAST(" + a[0].sql + " AS JSON)) AS BIGINT)"
	}, "dcount_hll")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 16)
		var ls []string
		for _, v := range a {
			ls = append(ls, "coalesce("+hllList(v.sql)+", [])")
		}
		return "CAST(to_json(list_sort(list_distinct(flatten([" + strings.Join(ls, ", ") + "])))) AS JSON)"
	}, "hll_merge")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 16)
		var ls []string
		for _, v := range a {
			ls = append(ls, "coalesce("+tdigestList(v.sql)+", [])")
		}
		return "CAST(to_json(list_sort(flatten([" + strings.Join(ls, ", ") + "]))) AS JSON)"
	}, "merge_tdigest", "tdigest_merge")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 3)
		return g.tdigestValue(x, tdigestPick(a[0].sql, "CAST("+a[1].sql+" AS DOUBLE)"))
	}, "percentile_tdigest")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, -1)
		if len(a) == 2 && a[1].typ == schema.Dynamic {
			return "CAST(to_json(list_transform(from_json(CAST(" + a[1].sql + " AS JSON), '[\"DOUBLE\"]'), p -> " + tdigestPick(a[0].sql, "p") + ")) AS JSON)"
		}
		var items []string
		for _, p := range a[1:] {
			items = append(items, tdigestPick(a[0].sql, "CAST("+p.sql+" AS DOUBLE)"))
		}
		return "CAST(to_json([" + strings.Join(items, ", ") + "]) AS JSON)"
	}, "percentiles_array_tdigest")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		if !isNumeric(a[1].typ) {
			g.failf(x.Pos(), "rank_tdigest of a %s value is not supported", a[1].typ)
		}
		return "CAST(" + tdigestRank(a[0].sql, "CAST("+a[1].sql+" AS DOUBLE)") + " AS DOUBLE)"
	}, "rank_tdigest")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		if !isNumeric(a[1].typ) {
			g.failf(x.Pos(), "percentrank_tdigest of a %s value is not supported", a[1].typ)
		}
		l := tdigestList(a[0].sql)
		return "CAST(100.0 * " + tdigestRank(a[0].sql, "CAST("+a[1].sql+" AS DOUBLE)") + " / nullif(list_sum(list_transform(" + l + ", e -> e[2])), 0) AS DOUBLE)"
	}, "percentrank_tdigest")
}

// tdigestPick is the nearest-rank percentile p of an exact tdigest.
func tdigestPick(d, p string) string {
	l := "list_transform(" + tdigestList(d) + ", e -> struct_pack(v := e[1], w := e[2]))"
	tot := "list_sum(list_transform(" + tdigestList(d) + ", e -> e[2]))"
	return weightedPick(l, tot, p)
}

// tdigestRank is the total weight of the values up to v.
func tdigestRank(d, v string) string {
	return "coalesce(list_sum(list_transform(list_filter(" + tdigestList(d) + ", e -> e[1] <= " + v + "), e -> e[2])), 0)"
}

// tdigestValue gives a percentile (a DOUBLE) the call's result type.
func (g *gen) tdigestValue(x *ast.CallExpr, v string) string {
	t := g.typeOf(x)
	switch t {
	case schema.Dynamic, schema.Invalid:
		return "CAST(to_json(" + v + ") AS JSON)"
	case schema.Int, schema.Long, schema.Real, schema.Decimal:
		return "CAST(" + v + " AS " + sqlType(t) + ")"
	}
	g.failf(x.Pos(), "percentile_tdigest as %s is not supported", t)
	return ""
}

// columnNamesOf is column_names_of(T): T's column names as a dynamic
// array, known when the query compiles.
func (g *gen) columnNamesOf(r *rel) string {
	names := make([]string, len(r.cols))
	for i, c := range r.cols {
		names[i] = c.Name
	}
	b, _ := json.Marshal(names)
	return "CAST(" + g.param(string(b)) + " AS JSON)"
}

// maxRange is the most elements range() gives, as in Kusto.
const maxRange = 1048576

func init() {
	// range(start, stop [, step]): the dynamic array start, start+step,
	// ... up to stop, for numbers, datetimes (timespan step) and
	// timespans.
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 3)
		start, stop := a[0], a[1]
		step := arg{sql: "1", typ: schema.Long}
		if len(a) == 3 {
			step = a[2]
		}
		limit := g.param(int64(maxRange - 1))
		count := func(diff, stepv string) string {
			return "list_transform(range(0, CASE WHEN " + stepv + " = 0 THEN 0 ELSE least(CAST(floor((" + diff + ") / (" + stepv + ")) AS BIGINT), " + limit + ") + 1 END), i -> "
		}
		var list string
		switch start.typ {
		case schema.DateTime, schema.TimeSpan:
			if step.typ != schema.TimeSpan || stop.typ != start.typ {
				g.failf(x.Pos(), "range of a %s needs a %s end and a timespan step", start.typ, start.typ)
			}
			s0, s1 := start.sql, stop.sql
			us := toUS(step.sql)
			var diff string
			if start.typ == schema.DateTime {
				diff = "CAST(epoch_us(" + s1 + ") - epoch_us(" + s0 + ") AS DOUBLE)"
			} else {
				diff = "CAST(" + toUS(s1) + " - " + toUS(s0) + " AS DOUBLE)"
			}
			elem := "(" + s0 + " + to_microseconds(i * " + us + "))"
			list = count(diff, "CAST("+us+" AS DOUBLE)") + toJSON(elem, start.typ) + ")"
		default:
			if !isNumeric(start.typ) || !isNumeric(stop.typ) || !isNumeric(step.typ) {
				g.failf(x.Pos(), "range of %s, %s and %s values is not supported", start.typ, stop.typ, step.typ)
			}
			t := "BIGINT"
			for _, v := range []arg{start, stop, step} {
				if v.typ == schema.Real || v.typ == schema.Decimal {
					t = "DOUBLE"
				}
			}
			s0 := "CAST(" + start.sql + " AS " + t + ")"
			st := "CAST(" + step.sql + " AS " + t + ")"
			diff := "CAST(" + stop.sql + " AS DOUBLE) - CAST(" + start.sql + " AS DOUBLE)"
			list = count(diff, "CAST("+step.sql+" AS DOUBLE)") + s0 + " + i * " + st + ")"
		}
		return "CAST(to_json(" + list + ") AS JSON)"
	}, "range")
}

// userArgs puts the arguments of a user function call in the order of
// its parameters: positional ones first, then name=value ones by name
// (f(12, c=7), f(c=7, a=12)). Missing ones are nil.
func (g *gen) userArgs(params []*ast.Param, args []ast.Expr, name string, at ast.Node) []ast.Expr {
	out := make([]ast.Expr, len(params))
	if len(args) > len(params) {
		g.failf(at.Pos(), "function '%s' takes %d arguments, not %d", name, len(params), len(args))
	}
	for i, a := range args {
		ne, ok := a.(*ast.NamedExpr)
		if !ok || len(ne.Names) != 1 {
			out[i] = a
			continue
		}
		j := -1
		for k, p := range params {
			if p != nil && p.Name != nil && p.Name.Name == ne.Names[0].Name {
				j = k
			}
		}
		if j < 0 {
			g.failf(a.Pos(), "function '%s' has no parameter '%s'", name, ne.Names[0].Name)
		}
		if out[j] != nil {
			g.failf(a.Pos(), "parameter '%s' of '%s' is given twice", ne.Names[0].Name, name)
		}
		out[j] = ne.X
	}
	return out
}

func init() {
	// bin_auto(x) is bin_at(x, size, at) with the query's options
	// query_bin_auto_size and query_bin_auto_at.
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		size := g.sets["query_bin_auto_size"]
		if size == nil {
			g.failf(x.Pos(), "bin_auto needs set query_bin_auto_size=...")
		}
		sa := arg{sql: g.expr(size, nil), typ: g.typeOf(size), e: size}
		at := ""
		if v := g.sets["query_bin_auto_at"]; v != nil {
			at = g.coerce(g.expr(v, nil), g.typeOf(v), a[0].typ)
		}
		return g.bin(a[0], sa, at)
	}, "bin_auto")
}
