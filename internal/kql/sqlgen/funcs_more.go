package sqlgen

import (
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
