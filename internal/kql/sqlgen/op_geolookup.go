package sqlgen

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
)

// geoLookup compiles evaluate geo_polygon_lookup(LookupTable, Polygon,
// Longitude, Latitude, [radius], [return_unmatched], [lookup_area_radius],
// [return_lookup_key]) and geo_line_lookup (the same with radius
// required): a join of each input point with the lookup rows whose
// polygon contains it (or lies within radius meters of it) or whose line
// lies within radius meters. Every match gives a row; return_unmatched
// keeps points that match nothing. lookup_area_radius is a hint for
// Kusto's index and changes no result.
func (g *gen) geoLookup(plugin string, x *ast.EvaluateOp, in *rel) *rel {
	line := plugin == "geo_line_lookup"
	args, named := pluginArgs(x)
	required := 4
	if line {
		required = 5
	}
	if len(args) < required {
		g.failf(x.Pos(), "%s needs a lookup table, its %s column, a longitude and a latitude%s", plugin,
			map[bool]string{true: "line", false: "polygon"}[line], map[bool]string{true: " and a radius", false: ""}[line])
	}
	var radius ast.Expr
	if len(args) > 4 {
		radius = args[4]
	}
	unmatched := false
	if len(args) > 5 {
		unmatched = g.constBool(args[5])
	}
	for k, v := range named {
		switch k {
		case "radius":
			radius = v
		case "return_unmatched":
			unmatched = g.constBool(v)
		case "lookup_area_radius", "return_lookup_key":
		default:
			g.failf(v.Pos(), "unknown argument %s of %s", k, plugin)
		}
	}
	right := g.tabular(args[0])
	key := valueOf(args[1])
	keyName := ""
	if id, ok := key.(*ast.Ident); ok {
		keyName = id.Name
	}
	lon := g.asType(arg{sql: g.expr(valueOf(args[2]), in), typ: g.typeOf(valueOf(args[2])), e: args[2]}, schema.Real)
	lat := g.asType(arg{sql: g.expr(valueOf(args[3]), in), typ: g.typeOf(valueOf(args[3])), e: args[3]}, schema.Real)
	shape := "CAST(" + toJSON(g.expr(key, right), g.typeOf(key)) + " AS VARCHAR)"
	l := g.cte(plugin, x.Pos(), "SELECT "+selectCols(in.cols)+", "+lon+" AS \"__lon\", "+lat+" AS \"__lat\" FROM "+in.name, in.cols)
	r := g.cte(plugin, x.Pos(), "SELECT "+selectCols(right.cols)+", "+shape+" AS \"__shape\" FROM "+right.name, right.cols)
	point := `l."__lon", l."__lat", r."__shape"`
	var cond string
	switch {
	case line:
		cond = geoFuncs["geo_distance_point_to_line"].udf + "(" + point + ") <= " + g.radius(radius)
	case radius != nil:
		cond = geoFuncs["geo_distance_point_to_polygon"].udf + "(" + point + ") <= " + g.radius(radius)
	default:
		cond = "coalesce(" + geoFuncs["geo_point_in_polygon"].udf + "(" + point + "), false)"
	}
	returnKey := check.GeoLookupReturnsKey(plugin, x.Plugin.Args)
	var rest []check.Column
	for _, c := range right.cols {
		if returnKey || c.Name != keyName {
			rest = append(rest, c)
		}
	}
	cols := g.tableCols(x)
	if len(cols) != len(in.cols)+len(rest) {
		g.failf(x.Pos(), "%s: unexpected output columns", plugin)
	}
	sel := make([]string, len(cols))
	for i, c := range cols {
		if i < len(in.cols) {
			sel[i] = "l." + quote(in.cols[i].Name) + " AS " + quote(c.Name)
		} else {
			sel[i] = "r." + quote(rest[i-len(in.cols)].Name) + " AS " + quote(c.Name)
		}
	}
	join := " JOIN "
	if unmatched {
		join = " LEFT JOIN "
	}
	body := "SELECT " + strings.Join(sel, ", ") + " FROM " + l + " AS l" + join + r + " AS r ON " + cond
	return g.step(plugin, x.Pos(), body, cols)
}

// radius compiles a lookup's radius in meters.
func (g *gen) radius(e ast.Expr) string {
	v := valueOf(e)
	return g.asType(arg{sql: g.expr(v, nil), typ: g.typeOf(v), e: e}, schema.Real)
}
