package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// Geospatial functions (geo_*) compile to the vigil_geo_* scalar UDFs that
// the DuckDB store registers from package internal/geo. Coordinates go in
// as DOUBLE, GeoJSON (dynamic) as its JSON text, cell tokens as VARCHAR;
// a UDF gives NULL for invalid input as Kusto does.

// geoArg is how one argument is passed to a UDF.
type geoArg int

const (
	gNum  geoArg = iota // DOUBLE
	gDyn                // dynamic, passed as JSON text
	gText               // string
)

type geoFunc struct {
	udf      string
	args     []geoArg
	defaults []any // values of trailing optional arguments (bind parameters)
	// unsupported is how many further optional KQL arguments the UDF
	// does not take: they compile only as a literal false or 0 (their
	// default), e.g. use_spheroid, preserve_crossing, radius.
	unsupported int
	// short, when set, is the UDF called when the trailing optional
	// arguments are left out (their default depends on another value).
	short string
}

var geoFuncs = map[string]geoFunc{
	"geo_distance_2points":               {"vigil_geo_distance_2points", []geoArg{gNum, gNum, gNum, gNum, gNum}, []any{float64(0)}, 0, ""},
	"geo_point_in_circle":                {"vigil_geo_point_in_circle", []geoArg{gNum, gNum, gNum, gNum, gNum}, nil, 0, ""},
	"geo_azimuth":                        {"vigil_geo_azimuth", []geoArg{gNum, gNum, gNum, gNum}, nil, 0, ""},
	"geo_point_in_polygon":               {"vigil_geo_point_in_polygon", []geoArg{gNum, gNum, gDyn}, nil, 0, ""},
	"geo_distance_point_to_line":         {"vigil_geo_distance_point_to_line", []geoArg{gNum, gNum, gDyn}, nil, 0, ""},
	"geo_distance_point_to_polygon":      {"vigil_geo_distance_point_to_polygon", []geoArg{gNum, gNum, gDyn}, nil, 0, ""},
	"geo_closest_point_on_line":          {"vigil_geo_closest_point_on_line", []geoArg{gNum, gNum, gDyn}, nil, 0, ""},
	"geo_closest_point_on_polygon":       {"vigil_geo_closest_point_on_polygon", []geoArg{gNum, gNum, gDyn}, nil, 0, ""},
	"geo_polygon_area":                   {"vigil_geo_polygon_area", []geoArg{gDyn}, nil, 0, ""},
	"geo_polygon_perimeter":              {"vigil_geo_polygon_perimeter", []geoArg{gDyn}, nil, 0, ""},
	"geo_polygon_centroid":               {"vigil_geo_polygon_centroid", []geoArg{gDyn}, nil, 0, ""},
	"geo_line_length":                    {"vigil_geo_line_length", []geoArg{gDyn}, nil, 0, ""},
	"geo_line_centroid":                  {"vigil_geo_line_centroid", []geoArg{gDyn}, nil, 0, ""},
	"geo_intersects_2lines":              {"vigil_geo_intersects_2lines", []geoArg{gDyn, gDyn}, nil, 0, ""},
	"geo_intersects_line_with_polygon":   {"vigil_geo_intersects_line_with_polygon", []geoArg{gDyn, gDyn}, nil, 0, ""},
	"geo_intersects_2polygons":           {"vigil_geo_intersects_2polygons", []geoArg{gDyn, gDyn}, nil, 0, ""},
	"geo_point_to_geohash":               {"vigil_geo_point_to_geohash", []geoArg{gNum, gNum, gNum}, []any{float64(5)}, 0, ""},
	"geo_geohash_to_central_point":       {"vigil_geo_geohash_to_central_point", []geoArg{gText}, nil, 0, ""},
	"geo_geohash_to_polygon":             {"vigil_geo_geohash_to_polygon", []geoArg{gText}, nil, 0, ""},
	"geo_geohash_neighbors":              {"vigil_geo_geohash_neighbors", []geoArg{gText}, nil, 0, ""},
	"geo_point_to_s2cell":                {"vigil_geo_point_to_s2cell", []geoArg{gNum, gNum, gNum}, []any{float64(11)}, 0, ""},
	"geo_s2cell_to_central_point":        {"vigil_geo_s2cell_to_central_point", []geoArg{gText}, nil, 0, ""},
	"geo_s2cell_to_polygon":              {"vigil_geo_s2cell_to_polygon", []geoArg{gText}, nil, 0, ""},
	"geo_s2cell_neighbors":               {"vigil_geo_s2cell_neighbors", []geoArg{gText}, nil, 0, ""},
	"geo_angle":                          {"vigil_geo_angle", []geoArg{gNum, gNum, gNum, gNum, gNum, gNum}, nil, 0, ""},
	"geo_line_buffer":                    {"vigil_geo_line_buffer", []geoArg{gDyn, gNum, gNum}, []any{float64(10)}, 0, ""},
	"geo_point_buffer":                   {"vigil_geo_point_buffer", []geoArg{gNum, gNum, gNum, gNum}, []any{float64(10)}, 0, ""},
	"geo_union_polygons_array":           {"vigil_geo_union_polygons_array", []geoArg{gDyn}, nil, 0, ""},
	"geo_intersection_2polygons":         {"vigil_geo_intersection_2polygons", []geoArg{gDyn, gDyn}, nil, 0, ""},
	"geo_h3cell_level":                   {"vigil_geo_h3cell_level", []geoArg{gText}, nil, 0, ""},
	"geo_h3cell_parent":                  {"vigil_geo_h3cell_parent_at", []geoArg{gText, gNum}, []any{nil}, 0, "vigil_geo_h3cell_parent"},
	"geo_h3cell_children":                {"vigil_geo_h3cell_children_at", []geoArg{gText, gNum}, []any{nil}, 0, "vigil_geo_h3cell_children"},
	"geo_point_to_h3cell":                {"vigil_geo_point_to_h3cell", []geoArg{gNum, gNum, gNum}, []any{float64(6)}, 0, ""},
	"geo_h3cell_to_central_point":        {"vigil_geo_h3cell_to_central_point", []geoArg{gText}, nil, 0, ""},
	"geo_h3cell_to_polygon":              {"vigil_geo_h3cell_to_polygon", []geoArg{gText}, nil, 0, ""},
	"geo_h3cell_neighbors":               {"vigil_geo_h3cell_neighbors", []geoArg{gText}, nil, 0, ""},
	"geo_h3cell_rings":                   {"vigil_geo_h3cell_rings", []geoArg{gText, gNum}, nil, 0, ""},
	"geo_polygon_to_h3cells":             {"vigil_geo_polygon_to_h3cells", []geoArg{gDyn, gNum}, []any{float64(6)}, 1, ""},
	"geo_intersection_line_with_polygon": {"vigil_geo_intersection_line_with_polygon", []geoArg{gDyn, gDyn}, nil, 0, ""},
	"geo_intersection_2lines":            {"vigil_geo_intersection_2lines", []geoArg{gDyn, gDyn}, nil, 0, ""},
	"geo_line_interpolate_point":         {"vigil_geo_line_interpolate_point", []geoArg{gDyn, gNum}, nil, 0, ""},
	"geo_line_locate_point":              {"vigil_geo_line_locate_point", []geoArg{gDyn, gNum, gNum}, nil, 1, ""},
	"geo_line_densify":                   {"vigil_geo_line_densify", []geoArg{gDyn, gNum}, []any{float64(10)}, 1, ""},
	"geo_polygon_densify":                {"vigil_geo_polygon_densify", []geoArg{gDyn, gNum}, []any{float64(10)}, 1, ""},
	"geo_line_simplify":                  {"vigil_geo_line_simplify", []geoArg{gDyn, gNum}, []any{float64(10)}, 0, ""},
	"geo_polygon_simplify":               {"vigil_geo_polygon_simplify", []geoArg{gDyn, gNum}, []any{float64(10)}, 0, ""},
	"geo_polygon_to_s2cells":             {"vigil_geo_polygon_to_s2cells", []geoArg{gDyn, gNum}, []any{float64(11)}, 1, ""},
	"geo_line_to_s2cells":                {"vigil_geo_line_to_s2cells", []geoArg{gDyn, gNum}, []any{float64(11)}, 1, ""},
}

func init() {
	for name, gf := range geoFuncs {
		gf := gf
		register(func(g *gen, x *ast.CallExpr, a []arg) string {
			return g.geoCall(x, a, gf)
		}, name)
	}
}

func (g *gen) geoCall(x *ast.CallExpr, a []arg, gf geoFunc) string {
	low := len(gf.args) - len(gf.defaults)
	g.need(x, a, low, len(gf.args)+gf.unsupported)
	for _, extra := range a[min(len(a), len(gf.args)):] {
		if b, ok := extra.e.(*ast.BasicLit); !ok || (b.Value != "false" && b.Value != "0") {
			g.failf(x.Pos(), "%s: this optional argument is supported only as its default (false or 0)", x.Fun.(*ast.Ident).Name)
		}
	}
	a = a[:min(len(a), len(gf.args))]
	udf, kinds := gf.udf, gf.args
	if gf.short != "" && len(a) < len(gf.args) {
		udf, kinds = gf.short, gf.args[:len(a)]
	}
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		if i >= len(a) {
			parts[i] = g.typedParam(gf.defaults[i-low], schema.Real)
			continue
		}
		switch k {
		case gNum:
			parts[i] = g.asType(a[i], schema.Real)
		case gDyn:
			parts[i] = "CAST(" + toJSON(a[i].sql, a[i].typ) + " AS VARCHAR)"
		default:
			parts[i] = g.asString(a[i])
		}
	}
	call := udf + "("
	for i, p := range parts {
		if i > 0 {
			call += ", "
		}
		call += p
	}
	call += ")"
	switch t := g.typeOf(x); t {
	case schema.String:
		return "coalesce(" + call + ", '')"
	case schema.Dynamic:
		return "CAST(" + call + " AS JSON)"
	case schema.Real:
		return call
	case schema.Bool:
		return call
	default:
		return "CAST(" + call + " AS " + sqlType(t) + ")"
	}
}
