package geo

import (
	"math"
	"strings"
	"testing"
)

const centralPark = `{"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807266235352,40.80068603561921],[-73.98201942443848,40.76825672305777],[-73.97317886352539,40.76455136505513],[-73.9495,40.7969]]]}`

func near(t *testing.T, name string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.15g, want %.15g", name, got, want)
	}
}

// Expected values are Kusto's documented outputs.
func TestMetrics(t *testing.T) {
	a, ok := PolygonArea(centralPark)
	if !ok {
		t.Fatal("area: not ok")
	}
	near(t, "area", a, 3475207.28346606)
	d, _ := DistanceToPolygon(-73.9839, 40.7705, centralPark)
	near(t, "distance to polygon", d, 259.940756070596)
	l, _ := LineLength(`{"type":"LineString","coordinates":[[-73.95807266235352,40.800426144169315],[-73.94966125488281,40.79691751000055],[-73.97317886352539,40.764486356930334]]}`)
	near(t, "line length", l, 4922.48016992081)
	az, _ := Azimuth(5, 10, 10, -40)
	near(t, "azimuth", az, 3.05459939796449)
	if _, ok := Azimuth(5, 10, 5, 10); ok {
		t.Error("azimuth of equal points: want null")
	}
	in, ok := InCircle(-122.143564, 47.535677, -122.100896, 47.527351, 3500)
	if !in || !ok {
		t.Error("in circle: want true")
	}
	if _, ok := InCircle(1, 1, 1, 1, -1); ok {
		t.Error("negative radius: want null")
	}
	// Vincenty's classic test line (Flinders Peak to Buninyong): 54972.271 m.
	sd, _ := DistanceSpheroid(144.42486788888888, -37.95103341666667, 143.92649552777778, -37.65282113888889)
	if math.Abs(sd-54972.271) > 0.001 {
		t.Errorf("spheroid distance %.4f", sd)
	}
	ang, _ := Angle(0, 10, 0, 5, 3, -10)
	near(t, "angle", ang, 2.94493843406882)
	if _, ok := Angle(0, 10, 0, 10, 3, -10); ok {
		t.Error("angle with equal points: want null")
	}
	f, _ := LineLocatePoint(`{"type":"LineString","coordinates":[[-73.95796, 40.80042], [-73.97317, 40.764486]]}`, -73.965, 40.792)
	near(t, "locate", f, 0.25560135100307552)
}

func TestGeohash(t *testing.T) {
	if h, _ := GeohashEncode(-80.195829, 25.802215, 8); h != "dhwfz15h" {
		t.Errorf("geohash %q", h)
	}
	if _, ok := GeohashEncode(200, 1, 8); ok {
		t.Error("invalid longitude: want null")
	}
	n, _ := GeohashNeighbors("sunny")
	if got := strings.Join(n, ","); got != "sunnt,sunpj,sunnx,sunpn,sunnv,sunpp,sunnz,sunnw" {
		t.Errorf("neighbors %s", got)
	}
	if _, _, _, _, ok := GeohashBounds("a"); ok {
		t.Error("geohash 'a': want invalid")
	}
}

func TestS2(t *testing.T) {
	if tok, _ := S2Token(-80.195829, 25.802215, 8); tok != "88d9b" {
		t.Errorf("s2 token %q", tok)
	}
	if _, ok := S2Token(1, 1, 35); ok {
		t.Error("level 35: want null")
	}
	n, _ := S2Neighbors("89c259")
	if got := strings.Join(n, ","); got != "89c25d,89c2f9,89c251,89c257,89c25f,89c25b,89c2f7,89c2f5" {
		t.Errorf("s2 neighbors %s", got)
	}
	p, _ := S2Center("1234567")
	near(t, "s2 center lng", p.Lng, 9.86830731850408)
	near(t, "s2 center lat", p.Lat, 27.468392925827604)
	for _, bad := range []string{"a", "", "zz", "00000000000000000"} {
		if _, ok := S2Center(bad); ok {
			t.Errorf("s2 token %q: want invalid", bad)
		}
	}
	cells, ok := PolygonToS2Cells(`{"type":"Polygon","coordinates":[[[0,0],[0,50],[100,50],[0,0]]]}`, 5)
	if !ok || strings.Count(cells, ",")+1 != 286 {
		t.Errorf("polygon to s2 cells at level 5: %d cells", strings.Count(cells, ",")+1)
	}
	if _, ok := PolygonToS2Cells(`{"type":"Polygon","coordinates":[[[0,0],[0,50],[100,50],[0,0]]]}`, 30); ok {
		t.Error("level 30 covering: want null")
	}
}

func TestH3Index(t *testing.T) {
	if lvl, ok := H3Level("862a1072fffffff"); !ok || lvl != 6 {
		t.Errorf("level %d %v", lvl, ok)
	}
	for _, c := range []struct {
		res  int
		want string
	}{{-1, "852a1073fffffff"}, {1, "812a3ffffffffff"}, {6, "862a1072fffffff"}} {
		if got, _ := H3Parent("862a1072fffffff", c.res); got != c.want {
			t.Errorf("parent at %d: %q, want %q", c.res, got, c.want)
		}
	}
	if _, ok := H3Parent("862a1072fffffff", 15); ok {
		t.Error("parent below the cell: want null")
	}
	kids, _ := H3Children("862a1072fffffff", -1)
	if kids != `["872a10728ffffff","872a10729ffffff","872a1072affffff","872a1072bffffff","872a1072cffffff","872a1072dffffff","872a1072effffff"]` {
		t.Errorf("children %s", kids)
	}
	// A pentagon (base cell 4 at resolution 0) has 6 children.
	if kids, _ := H3Children("8009fffffffffff", -1); strings.Count(kids, ",")+1 != 6 {
		t.Errorf("pentagon children %s", kids)
	}
	for _, bad := range []string{"abc", "123", "", "ffffffffffffffff", "862a1072ffffff7"} {
		if _, ok := H3Level(bad); ok {
			t.Errorf("h3 %q: want invalid", bad)
		}
	}
}

func TestPointBuffer(t *testing.T) {
	text, ok := PointBuffer(-115.1745008278, 36.1497251277, 20000, 10)
	if !ok {
		t.Fatal("buffer: not ok")
	}
	// Every vertex lies on the circle; the polygon holds the center and
	// its area is close to the cap's.
	s, _ := ParseGeoJSON(text, "polygon")
	for _, v := range s.Polygons[0][0] {
		d, _ := Distance(-115.1745008278, 36.1497251277, v.Lng, v.Lat)
		near(t, "vertex distance", d, 20000)
	}
	if in, _ := InPolygon(-115.1745008278, 36.1497251277, text); !in {
		t.Error("buffer does not hold its center")
	}
	area, _ := PolygonArea(text)
	if capArea := 2 * math.Pi * EarthRadius * EarthRadius * (1 - math.Cos(20000/EarthRadius)); area > capArea || area < capArea*0.998 {
		t.Errorf("buffer area %g, cap %g", area, capArea)
	}
	if _, ok := PointBuffer(200, 1, 0.1, 10); ok {
		t.Error("invalid point: want null")
	}
	if _, ok := PointBuffer(10, 10, -1, 10); ok {
		t.Error("negative radius: want null")
	}
}

func TestLineBuffer(t *testing.T) {
	line := `{"type":"LineString","coordinates":[[-73.97,40.76],[-73.96,40.77],[-73.95,40.765]]}`
	text, ok := LineBuffer(line, 500, 10)
	if !ok {
		t.Fatal("line buffer: not ok")
	}
	for _, p := range [][2]float64{{-73.97, 40.76}, {-73.965, 40.765}, {-73.95, 40.765}, {-73.9525, 40.7655}} {
		if in, _ := InPolygon(p[0], p[1], text); !in {
			t.Errorf("buffer misses %v: %s", p, text)
		}
	}
	if in, _ := InPolygon(-73.96, 40.78, text); in {
		t.Error("buffer holds a point 1 km away")
	}
	if _, ok := LineBuffer(line, 0, 10); ok {
		t.Error("radius 0: want null")
	}
	if _, ok := LineBuffer(`{"type":"LineString"}`, 5, 10); ok {
		t.Error("invalid line: want null")
	}
}

func TestDensifySimplify(t *testing.T) {
	got, _ := PolygonDensify(`{"type":"Polygon","coordinates":[[[10,10],[11,10],[11,11],[10,11],[10,10]]]}`, 10)
	want := `{"type":"Polygon","coordinates":[[[10,10],[10.25,10],[10.5,10],[10.75,10],[11,10],[11,11],[10.75,11],[10.5,11],[10.25,11],[10,11],[10,10]]]}`
	if got != want {
		t.Errorf("densify: %s", got)
	}
	if _, ok := LineDensify(`{"type":"LineString","coordinates":[[1,1],[2,2]]}`, 0); ok {
		t.Error("tolerance 0: want null")
	}
	if _, ok := LineSimplify(`{"type":"LineString","coordinates":[[1.1, 1.1],[1.2,1.2]]}`, 100000); ok {
		t.Error("line shorter than tolerance: want null")
	}
}

func TestInvalidGeoJSON(t *testing.T) {
	for _, s := range []string{
		``, `null`, `[]`, `{"type":"Polygon"}`, `{"type":"Polygon","coordinates":[[[0,0],[10,10],[10,10],[0,0]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1]]]}`, `{"type":"Polygon","coordinates":[[[500,0],[1,0],[1,1],[500,0]]]}`,
		`{"type":"LineString","coordinates":[[1,1]]}`, `{"type":"Polygon","coordinates":[]}`, `{"type":"MultiPolygon","coordinates":[[]]}`,
	} {
		if _, ok := PolygonArea(s); ok {
			t.Errorf("area of %s: want null", s)
		}
	}
}

// FuzzGeoJSON checks that no input makes the GeoJSON functions panic.
func FuzzGeoJSON(f *testing.F) {
	f.Add(centralPark)
	f.Add(`{"type":"MultiLineString","coordinates":[[[1,1],[2,2]],[[3,3],[4,4]]]}`)
	f.Add(`{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]}`)
	f.Add(`{"type":"Point","coordinates":[1,2]}`)
	f.Fuzz(func(t *testing.T, s string) {
		PolygonArea(s)
		PolygonPerimeter(s)
		PolygonCentroid(s)
		InPolygon(1, 1, s)
		DistanceToPolygon(1, 1, s)
		ClosestPointOnPolygon(1, 1, s)
		LineLength(s)
		LineCentroid(s)
		DistanceToLine(1, 1, s)
		LineInterpolatePoint(s, 0.5)
		LineLocatePoint(s, 1, 1)
		LineDensify(s, 1000)
		PolygonDensify(s, 1000)
		LineSimplify(s, 10)
		PolygonSimplify(s, 10)
		LineBuffer(s, 1000, 100)
		Intersects2Lines(s, s)
		Intersects2Polygons(s, s)
		IntersectsLinePolygon(s, s)
		IntersectionLinePolygon(s, s)
		Intersection2Polygons(s, s)
		UnionPolygons("[" + s + "," + centralPark + "]")
		Intersection2Lines(s, s)
		PolygonToS2Cells(s, 3)
		LineToS2Cells(s, 3)
		GeohashNeighbors(s)
		S2Neighbors(s)
		S2Polygon(s)
		H3Parent(s, 2)
		H3Children(s, -1)
	})
}
