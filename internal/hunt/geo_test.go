package hunt

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// geoRun runs one KQL query on the engine and renders its rows as
// "a | b" lines.
func geoRun(t *testing.T, eng *Engine, q string) string {
	t.Helper()
	res, err := eng.Run(context.Background(), Request{Query: q})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	var rows []string
	for _, r := range res.Rows {
		var cells []string
		for _, c := range r {
			if b, ok := c.([]byte); ok {
				c = string(b)
			}
			cells = append(cells, fmt.Sprint(c))
		}
		rows = append(rows, strings.Join(cells, " | "))
	}
	return strings.Join(rows, "\n")
}

// TestGeoFunctions checks the geo_* functions end to end through the
// vigil_geo_* UDFs: column and literal arguments, defaults, nulls for
// invalid input, result types.
func TestGeoFunctions(t *testing.T) {
	eng := &Engine{Store: openTestStore(t), Now: func() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }}
	cases := []struct{ q, want string }{
		{`print geo_point_to_geohash(-80.195829, 25.802215, 8)`, "dhwfz15h"},
		{`print geo_point_to_geohash(-122.303404, 47.570482)`, "c23n8"},
		{`print isempty(geo_point_to_geohash(1, 1, int(null)))`, "true"},
		{`print geo_point_to_s2cell(-80.195829, 25.802215, 8)`, "88d9b"},
		{`print isempty(geo_point_to_s2cell(300, 1))`, "true"},
		{`print tostring(geo_geohash_to_central_point("sunny"))`, `{"type":"Point","coordinates":[42.47314453125,23.70849609375]}`},
		{`print isnull(geo_s2cell_to_polygon("a"))`, "true"},
		{`print array_length(geo_s2cell_neighbors('89c259'))`, "8"},
		{`datatable(lng:real, lat:real)[-122.143564, 47.535677, -122.137575, 47.630683]
		  | project geo_point_in_circle(lng, lat, -122.100896, 47.527351, 3500)`, "true\nfalse"},
		{`print isnull(geo_point_in_circle(1, 1, 1, 1, -1))`, "true"},
		{`print round(geo_distance_2points(-122.3, 47.6, -122.3, 47.6), 3)`, "0"},
		{`print round(geo_distance_2points(0, 0, 0, 1), 3)`, "111195.101"},
		{`print round(geo_distance_2points(0, 0, 0, 1, false), 3)`, "111195.101"},
		{`print round(geo_distance_2points(0, 0, 0, 1, true), 3)`, "110574.389"}, // WGS-84 meridian arc, 0° to 1°
		{`print d = dynamic({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]})
		  | project geo_point_in_polygon(5, 5, d), geo_point_in_polygon(15, 5, d)`, "true | false"},
		{`print isnull(geo_point_in_polygon(1, 1, dynamic({"type":"Polygon","coordinates":[[[0,0],[10,10],[10,10],[0,0]]]})))`, "true"},
		{`print gettype(geo_polygon_area(dynamic({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]})))`, "real"},
		{`print isnull(geo_azimuth(5, 10, 5, 10))`, "true"},
		{`print round(geo_distance_2points(-122.407628, 47.578557, -118.275287, 34.019056), 4)`, "1.546754352e+06"}, // Kusto documents 1546754.35197381
		{`print array_length(geo_polygon_to_s2cells(dynamic({"type":"Polygon","coordinates":[[[0,0],[0,50],[100,50],[0,0]]]}), 5))`, "286"},
		{`print geo_h3cell_parent('862a1072fffffff', 1), geo_h3cell_level('862a1072fffffff'), array_length(geo_h3cell_children('862a1072fffffff'))`, "812a3ffffffffff | 6 | 7"},
		{`print tostring(geo_intersection_2polygons(dynamic({"type":"Polygon","coordinates":[[[2,45],[0,45],[1,44],[2,45]]]}), dynamic({"type":"Polygon","coordinates":[[[3,44],[2,45],[2,43],[3,44]]]})))`,
			`{"type":"Point","coordinates":[2,45]}`},
		{`datatable(p:dynamic)[dynamic({"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,2],[0,0]]]}), dynamic({"type":"Polygon","coordinates":[[[1,1],[3,1],[3,3],[1,3],[1,1]]]})]
		  | summarize a = make_list(p) | project u = geo_union_polygons_array(a)
		  | project geo_point_in_polygon(2.5, 2.5, u), geo_point_in_polygon(0.5, 2.5, u), array_length(u.coordinates[0])`, "true | false | 9"},
		{`print b = geo_point_buffer(10, 10, 1000) | project geo_point_in_polygon(10, 10, b), geo_point_in_polygon(10.02, 10, b)`, "true | false"},
		{`print tostring(geo_line_densify(dynamic({"type":"LineString","coordinates":[[50, 50], [51, 51]]})))`,
			`{"type":"LineString","coordinates":[[50,50],[50.125,50.125],[50.25,50.25],[50.375,50.375],[50.5,50.5],[50.625,50.625],[50.75,50.75],[50.875,50.875],[51,51]]}`},
	}
	for _, c := range cases {
		if got := geoRun(t, eng, c.q); got != c.want {
			t.Errorf("%s\n got %q\nwant %q", c.q, got, c.want)
		}
	}
	// What the UDFs cannot do fails the query clearly.
	for _, q := range []string{
		`print geo_polygon_to_s2cells(dynamic({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}), 5, 100)`,
	} {
		if _, err := eng.Run(context.Background(), Request{Query: q}); err == nil {
			t.Errorf("%s: want an error", q)
		}
	}
}

// TestGeoLookups: the lookup plugins match points to polygons and lines,
// keep or drop the key, keep unmatched points on request, and treat
// invalid shapes as matching nothing.
func TestGeoLookups(t *testing.T) {
	eng := &Engine{Store: openTestStore(t), Now: func() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }}
	const data = `let zones = datatable(zone:string, poly:dynamic)[
		"square", dynamic({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}),
		"broken", dynamic({"type":"Polygon","coordinates":"nope"}),
		"big", dynamic({"type":"Polygon","coordinates":[[[-1,-1],[2,-1],[2,2],[-1,2],[-1,-1]]]})];
		let roads = datatable(road:string, geom:dynamic)[
		"equator", dynamic({"type":"LineString","coordinates":[[0,0],[10,0]]})];
		let pts = datatable(name:string, lon:real, lat:real)["in", 0.5, 0.5, "edge", 1.5, 1.5, "out", 5, 5];
		`
	for _, c := range []struct{ q, want string }{
		{`pts | evaluate geo_polygon_lookup(zones, poly, lon, lat) | project name, zone | sort by name asc, zone asc`,
			"edge | big\nin | big\nin | square"},
		{`pts | evaluate geo_polygon_lookup(zones, poly, lon, lat, return_unmatched = true) | where name == "out" | project name, zone`,
			"out | "},
		{`pts | evaluate geo_polygon_lookup(zones, poly, lon, lat) | getschema | project ColumnName`,
			"name\nlon\nlat\nzone"},
		{`pts | evaluate geo_polygon_lookup(zones, poly, lon, lat, return_lookup_key = true) | getschema | project ColumnName`,
			"name\nlon\nlat\nzone\npoly"},
		{`pts | evaluate geo_line_lookup(roads, geom, lon, 0.0001 * lat * lat, 100) | project name, road | sort by name asc`,
			"edge | equator\nin | equator"},
		{`pts | evaluate geo_line_lookup(roads, geom, lon, lat, 100) | count`, "0"},
	} {
		if got := geoRun(t, eng, data+c.q); got != c.want {
			t.Errorf("%s:\ngot  %q\nwant %q", c.q, got, c.want)
		}
	}
	for _, bad := range []string{
		`pts | evaluate geo_line_lookup(roads, geom, lon, lat)`,
		`pts | evaluate geo_polygon_lookup(zones, poly, lon)`,
		`pts | evaluate geo_polygon_lookup(zones, poly, lon, lat, frobnicate = 1)`,
	} {
		if _, err := eng.Run(context.Background(), Request{Query: data + bad}); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
