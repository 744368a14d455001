package geo

import (
	"math"
	"strings"
)

// Kind is the SQL-facing type of a UDF argument or result.
type Kind int

const (
	Double Kind = iota // float64
	Text               // string
	Bool               // bool
	Long               // int64
	JSON               // string holding JSON (a dynamic value)
)

// Func is one geo function as exposed to SQL: Call gets the arguments in
// the Go types of Args (float64, string) and returns a value of Result's
// Go type, or ok=false for a null result.
type Func struct {
	Name   string
	Args   []Kind
	Result Kind
	Call   func(a []any) (any, bool)
}

func f(a []any, i int) float64 { return a[i].(float64) }
func s(a []any, i int) string  { return a[i].(string) }

// intArg converts a numeric argument to an int, rejecting fractions and
// out-of-range values.
func intArg(v float64) (int, bool) {
	if math.IsNaN(v) || v != math.Trunc(v) || v < -1<<31 || v > 1<<31 {
		return 0, false
	}
	return int(v), true
}

func wrap[T any](v T, ok bool) (any, bool) { return v, ok }

// Funcs lists the UDFs, named vigil_geo_*.
var Funcs = []Func{
	{"vigil_geo_distance_2points", []Kind{Double, Double, Double, Double, Double}, Double, func(a []any) (any, bool) {
		if f(a, 4) != 0 { // use_spheroid
			return wrap(DistanceSpheroid(f(a, 0), f(a, 1), f(a, 2), f(a, 3)))
		}
		return wrap(Distance(f(a, 0), f(a, 1), f(a, 2), f(a, 3)))
	}},
	{"vigil_geo_point_in_circle", []Kind{Double, Double, Double, Double, Double}, Bool, func(a []any) (any, bool) {
		return wrap(InCircle(f(a, 0), f(a, 1), f(a, 2), f(a, 3), f(a, 4)))
	}},
	{"vigil_geo_azimuth", []Kind{Double, Double, Double, Double}, Double, func(a []any) (any, bool) {
		return wrap(Azimuth(f(a, 0), f(a, 1), f(a, 2), f(a, 3)))
	}},
	{"vigil_geo_point_in_polygon", []Kind{Double, Double, JSON}, Bool, func(a []any) (any, bool) {
		return wrap(InPolygon(f(a, 0), f(a, 1), s(a, 2)))
	}},
	{"vigil_geo_distance_point_to_line", []Kind{Double, Double, JSON}, Double, func(a []any) (any, bool) {
		return wrap(DistanceToLine(f(a, 0), f(a, 1), s(a, 2)))
	}},
	{"vigil_geo_distance_point_to_polygon", []Kind{Double, Double, JSON}, Double, func(a []any) (any, bool) {
		return wrap(DistanceToPolygon(f(a, 0), f(a, 1), s(a, 2)))
	}},
	{"vigil_geo_closest_point_on_line", []Kind{Double, Double, JSON}, JSON, func(a []any) (any, bool) {
		return wrap(ClosestPointOnLine(f(a, 0), f(a, 1), s(a, 2)))
	}},
	{"vigil_geo_closest_point_on_polygon", []Kind{Double, Double, JSON}, JSON, func(a []any) (any, bool) {
		return wrap(ClosestPointOnPolygon(f(a, 0), f(a, 1), s(a, 2)))
	}},
	{"vigil_geo_polygon_area", []Kind{JSON}, Double, func(a []any) (any, bool) { return wrap(PolygonArea(s(a, 0))) }},
	{"vigil_geo_polygon_perimeter", []Kind{JSON}, Double, func(a []any) (any, bool) { return wrap(PolygonPerimeter(s(a, 0))) }},
	{"vigil_geo_polygon_centroid", []Kind{JSON}, JSON, func(a []any) (any, bool) { return wrap(PolygonCentroid(s(a, 0))) }},
	{"vigil_geo_line_length", []Kind{JSON}, Double, func(a []any) (any, bool) { return wrap(LineLength(s(a, 0))) }},
	{"vigil_geo_line_centroid", []Kind{JSON}, JSON, func(a []any) (any, bool) { return wrap(LineCentroid(s(a, 0))) }},
	{"vigil_geo_intersects_2lines", []Kind{JSON, JSON}, Bool, func(a []any) (any, bool) {
		return wrap(Intersects2Lines(s(a, 0), s(a, 1)))
	}},
	{"vigil_geo_intersects_line_with_polygon", []Kind{JSON, JSON}, Bool, func(a []any) (any, bool) {
		return wrap(IntersectsLinePolygon(s(a, 0), s(a, 1)))
	}},
	{"vigil_geo_intersects_2polygons", []Kind{JSON, JSON}, Bool, func(a []any) (any, bool) {
		return wrap(Intersects2Polygons(s(a, 0), s(a, 1)))
	}},
	{"vigil_geo_point_to_geohash", []Kind{Double, Double, Double}, Text, func(a []any) (any, bool) {
		n, ok := intArg(f(a, 2))
		if !ok {
			return nil, false
		}
		return wrap(GeohashEncode(f(a, 0), f(a, 1), n))
	}},
	{"vigil_geo_geohash_to_central_point", []Kind{Text}, JSON, func(a []any) (any, bool) {
		w, so, e, n, ok := GeohashBounds(s(a, 0))
		if !ok {
			return nil, false
		}
		return PointJSON(LngLat{(w + e) / 2, (so + n) / 2}), true
	}},
	{"vigil_geo_geohash_to_polygon", []Kind{Text}, JSON, func(a []any) (any, bool) {
		w, so, e, n, ok := GeohashBounds(s(a, 0))
		if !ok {
			return nil, false
		}
		return PolygonJSON([]LngLat{{w, so}, {e, so}, {e, n}, {w, n}, {w, so}}), true
	}},
	{"vigil_geo_geohash_neighbors", []Kind{Text}, JSON, func(a []any) (any, bool) {
		v, ok := GeohashNeighbors(s(a, 0))
		return StringsJSON(v), ok
	}},
	{"vigil_geo_point_to_s2cell", []Kind{Double, Double, Double}, Text, func(a []any) (any, bool) {
		n, ok := intArg(f(a, 2))
		if !ok {
			return nil, false
		}
		return wrap(S2Token(f(a, 0), f(a, 1), n))
	}},
	{"vigil_geo_s2cell_to_central_point", []Kind{Text}, JSON, func(a []any) (any, bool) {
		p, ok := S2Center(s(a, 0))
		if !ok {
			return nil, false
		}
		return PointJSON(p), true
	}},
	{"vigil_geo_s2cell_to_polygon", []Kind{Text}, JSON, func(a []any) (any, bool) {
		r, ok := S2Polygon(s(a, 0))
		if !ok {
			return nil, false
		}
		return PolygonJSON(r), true
	}},
	{"vigil_geo_s2cell_neighbors", []Kind{Text}, JSON, func(a []any) (any, bool) {
		v, ok := S2Neighbors(s(a, 0))
		return StringsJSON(v), ok
	}},
	{"vigil_geo_line_interpolate_point", []Kind{JSON, Double}, JSON, func(a []any) (any, bool) {
		return wrap(LineInterpolatePoint(s(a, 0), f(a, 1)))
	}},
	{"vigil_geo_line_locate_point", []Kind{JSON, Double, Double}, Double, func(a []any) (any, bool) {
		return wrap(LineLocatePoint(s(a, 0), f(a, 1), f(a, 2)))
	}},
	{"vigil_geo_line_densify", []Kind{JSON, Double}, JSON, func(a []any) (any, bool) {
		return wrap(LineDensify(s(a, 0), f(a, 1)))
	}},
	{"vigil_geo_polygon_densify", []Kind{JSON, Double}, JSON, func(a []any) (any, bool) {
		return wrap(PolygonDensify(s(a, 0), f(a, 1)))
	}},
	{"vigil_geo_line_simplify", []Kind{JSON, Double}, JSON, func(a []any) (any, bool) {
		return wrap(LineSimplify(s(a, 0), f(a, 1)))
	}},
	{"vigil_geo_polygon_simplify", []Kind{JSON, Double}, JSON, func(a []any) (any, bool) {
		return wrap(PolygonSimplify(s(a, 0), f(a, 1)))
	}},
	{"vigil_geo_polygon_to_s2cells", []Kind{JSON, Double}, JSON, func(a []any) (any, bool) {
		n, ok := intArg(f(a, 1))
		if !ok {
			return nil, false
		}
		return wrap(PolygonToS2Cells(s(a, 0), n))
	}},
	{"vigil_geo_line_to_s2cells", []Kind{JSON, Double}, JSON, func(a []any) (any, bool) {
		n, ok := intArg(f(a, 1))
		if !ok {
			return nil, false
		}
		return wrap(LineToS2Cells(s(a, 0), n))
	}},
	{"vigil_geo_intersection_line_with_polygon", []Kind{JSON, JSON}, JSON, func(a []any) (any, bool) {
		return wrap(IntersectionLinePolygon(s(a, 0), s(a, 1)))
	}},
	{"vigil_geo_intersection_2lines", []Kind{JSON, JSON}, JSON, func(a []any) (any, bool) {
		return wrap(Intersection2Lines(s(a, 0), s(a, 1)))
	}},
	{"vigil_geo_h3cell_level", []Kind{Text}, Long, func(a []any) (any, bool) { return wrap(H3Level(s(a, 0))) }},
	{"vigil_geo_h3cell_parent", []Kind{Text}, Text, func(a []any) (any, bool) { return wrap(H3Parent(s(a, 0), -1)) }},
	{"vigil_geo_h3cell_parent_at", []Kind{Text, Double}, Text, func(a []any) (any, bool) {
		n, ok := intArg(f(a, 1))
		if !ok || n < 0 {
			return nil, false
		}
		return wrap(H3Parent(s(a, 0), n))
	}},
	{"vigil_geo_h3cell_children", []Kind{Text}, JSON, func(a []any) (any, bool) { return wrap(H3Children(s(a, 0), -1)) }},
	{"vigil_geo_h3cell_children_at", []Kind{Text, Double}, JSON, func(a []any) (any, bool) {
		n, ok := intArg(f(a, 1))
		if !ok || n < 0 {
			return nil, false
		}
		return wrap(H3Children(s(a, 0), n))
	}},
	{"vigil_geo_point_to_h3cell", []Kind{Double, Double, Double}, Text, func(a []any) (any, bool) {
		n, ok := intArg(f(a, 2))
		if !ok {
			return nil, false
		}
		return wrap(H3FromPoint(f(a, 0), f(a, 1), n))
	}},
	{"vigil_geo_h3cell_to_central_point", []Kind{Text}, JSON, func(a []any) (any, bool) {
		p, ok := H3Center(s(a, 0))
		if !ok {
			return nil, false
		}
		return PointJSON(p), true
	}},
	{"vigil_geo_h3cell_to_polygon", []Kind{Text}, JSON, func(a []any) (any, bool) {
		ring, ok := H3Polygon(s(a, 0))
		if !ok {
			return nil, false
		}
		return PolygonJSON(ring), true
	}},
	{"vigil_geo_h3cell_neighbors", []Kind{Text}, JSON, func(a []any) (any, bool) {
		cells, ok := H3Neighbors(s(a, 0))
		if !ok {
			return nil, false
		}
		return StringsJSON(cells), true
	}},
	{"vigil_geo_h3cell_rings", []Kind{Text, Double}, JSON, func(a []any) (any, bool) {
		n, ok := intArg(f(a, 1))
		if !ok {
			return nil, false
		}
		rings, ok := H3Rings(s(a, 0), n)
		if !ok {
			return nil, false
		}
		parts := make([]string, len(rings))
		for i, r := range rings {
			parts[i] = StringsJSON(r)
		}
		return "[" + strings.Join(parts, ",") + "]", true
	}},
	{"vigil_geo_polygon_to_h3cells", []Kind{JSON, Double}, JSON, func(a []any) (any, bool) {
		n, ok := intArg(f(a, 1))
		if !ok {
			return nil, false
		}
		cells, ok := PolygonToH3Cells(s(a, 0), n)
		if !ok {
			return nil, false
		}
		return StringsJSON(cells), true
	}},
	{"vigil_geo_union_polygons_array", []Kind{JSON}, JSON, func(a []any) (any, bool) { return wrap(UnionPolygons(s(a, 0))) }},
	{"vigil_geo_intersection_2polygons", []Kind{JSON, JSON}, JSON, func(a []any) (any, bool) {
		return wrap(Intersection2Polygons(s(a, 0), s(a, 1)))
	}},
	{"vigil_geo_point_buffer", []Kind{Double, Double, Double, Double}, JSON, func(a []any) (any, bool) {
		return wrap(PointBuffer(f(a, 0), f(a, 1), f(a, 2), f(a, 3)))
	}},
	{"vigil_geo_line_buffer", []Kind{JSON, Double, Double}, JSON, func(a []any) (any, bool) {
		return wrap(LineBuffer(s(a, 0), f(a, 1), f(a, 2)))
	}},
	{"vigil_geo_angle", []Kind{Double, Double, Double, Double, Double, Double}, Double, func(a []any) (any, bool) {
		return wrap(Angle(f(a, 0), f(a, 1), f(a, 2), f(a, 3), f(a, 4), f(a, 5)))
	}},
}

// Lookup returns the function named name.
func Lookup(name string) (Func, bool) {
	for _, fn := range Funcs {
		if fn.Name == name {
			return fn, true
		}
	}
	return Func{}, false
}
