package geo

import (
	"math"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"
)

// lineFractions returns the edges of a (multi)line with their lengths in
// radians, and the total.
func lineEdges(s *Shape) (edges [][2]s2.Point, lens []float64, total float64) {
	for _, l := range s.Lines {
		for i := 0; i+1 < len(l); i++ {
			a, b := s2Point(l[i]), s2Point(l[i+1])
			d := a.Distance(b).Radians()
			edges = append(edges, [2]s2.Point{a, b})
			lens = append(lens, d)
			total += d
		}
	}
	return edges, lens, total
}

// LineInterpolatePoint returns the GeoJSON point at the given fraction
// (0..1) of the line's length.
func LineInterpolatePoint(text string, fraction float64) (string, bool) {
	s, ok := parseCached(text, "line")
	if !ok || !(fraction >= 0 && fraction <= 1) {
		return "", false
	}
	edges, lens, total := lineEdges(s)
	target := fraction * total
	for i, e := range edges {
		if target <= lens[i] || i == len(edges)-1 {
			t := 0.0
			if lens[i] > 0 {
				t = math.Min(target/lens[i], 1)
			}
			p := s2.InterpolateAtDistance(s1.Angle(t*lens[i]), e[0], e[1])
			return PointJSON(lngLatOf(p)), true
		}
		target -= lens[i]
	}
	return "", false
}

// LineLocatePoint returns the fraction (0..1) of the line's length at the
// line's point nearest to the given point.
func LineLocatePoint(text string, lng, lat float64) (float64, bool) {
	p, ok := validPoint(lng, lat)
	if !ok {
		return 0, false
	}
	s, ok := parseCached(text, "line")
	if !ok {
		return 0, false
	}
	edges, lens, total := lineEdges(s)
	if total == 0 {
		return 0, false
	}
	best := s1.InfAngle()
	var at, before float64
	for i, e := range edges {
		q := s2.Project(p, e[0], e[1])
		if d := p.Distance(q); d < best {
			best = d
			at = before + e[0].Distance(q).Radians()
		}
		before += lens[i]
	}
	return math.Min(at/total, 1), true
}

// densifyEdge appends to out the points after a on the planar edge a-b,
// halving it until each planar piece lies within tol meters of its
// geodesic.
func densifyEdge(out []LngLat, a, b LngLat, tol float64, depth int) []LngLat {
	mid := LngLat{(a.Lng + b.Lng) / 2, (a.Lat + b.Lat) / 2}
	if depth < 24 {
		d := angleMeters(s2Point(mid).Distance(s2.Project(s2Point(mid), s2Point(a), s2Point(b))))
		if d > tol {
			out = densifyEdge(out, a, mid, tol, depth+1)
			return densifyEdge(out, mid, b, tol, depth+1)
		}
	}
	return append(out, b)
}

// maxDensifyPoints bounds a densified geometry as Kusto does.
const maxDensifyPoints = 10485760

func densify(seq []LngLat, tol float64, budget *int) []LngLat {
	out := []LngLat{seq[0]}
	for i := 0; i+1 < len(seq); i++ {
		n := len(out)
		out = densifyEdge(out, seq[i], seq[i+1], tol, 0)
		if *budget -= len(out) - n; *budget < 0 {
			return nil
		}
	}
	return out
}

func validDensifyTolerance(t float64) bool { return t >= 0.1 && t <= 10000 }

// LineDensify converts the planar edges of a (multi)line to geodesics.
func LineDensify(text string, tol float64) (string, bool) {
	s, ok := parseCached(text, "line")
	if !ok || !validDensifyTolerance(tol) {
		return "", false
	}
	var lines [][]LngLat
	budget := maxDensifyPoints
	for _, l := range s.Lines {
		d := densify(l, tol, &budget)
		if d == nil {
			return "", false
		}
		lines = append(lines, d)
	}
	return linesJSON(lines), true
}

// PolygonDensify converts the planar edges of a (multi)polygon to geodesics.
func PolygonDensify(text string, tol float64) (string, bool) {
	s, ok := parseCached(text, "polygon")
	if !ok || !validDensifyTolerance(tol) {
		return "", false
	}
	var polys [][][]LngLat
	budget := maxDensifyPoints
	for _, rings := range s.Polygons {
		var out [][]LngLat
		for _, r := range rings {
			d := densify(append(append([]LngLat{}, r...), r[0]), tol, &budget)
			if d == nil {
				return "", false
			}
			out = append(out, d)
		}
		polys = append(polys, out)
	}
	return polygonsJSON(polys), true
}

// simplifyDP is Douglas-Peucker on the sphere: it keeps the vertices
// farther than tol meters from the geodesic between kept vertices.
func simplifyDP(seq []LngLat, tol float64) []LngLat {
	if len(seq) <= 2 {
		return seq
	}
	keep := make([]bool, len(seq))
	keep[0], keep[len(seq)-1] = true, true
	var rec func(i, j int)
	rec = func(i, j int) {
		if j <= i+1 {
			return
		}
		a, b := s2Point(seq[i]), s2Point(seq[j])
		far, at := -1.0, -1
		for k := i + 1; k < j; k++ {
			p := s2Point(seq[k])
			d := angleMeters(p.Distance(s2.Project(p, a, b)))
			if d > far {
				far, at = d, k
			}
		}
		if far > tol {
			keep[at] = true
			rec(i, at)
			rec(at, j)
		}
	}
	rec(0, len(seq)-1)
	var out []LngLat
	for i, k := range keep {
		if k {
			out = append(out, seq[i])
		}
	}
	return out
}

func validSimplifyTolerance(t float64) bool { return t >= 0 && t < 7800000 }

// LineSimplify simplifies a (multi)line; a line that shrinks below the
// tolerance disappears, and with all lines gone the result is null.
func LineSimplify(text string, tol float64) (string, bool) {
	s, ok := parseCached(text, "line")
	if !ok || !validSimplifyTolerance(tol) {
		return "", false
	}
	var lines [][]LngLat
	for _, l := range s.Lines {
		out := simplifyDP(l, tol)
		span := 0.0
		for _, p := range out[1:] {
			span = math.Max(span, angleMeters(s2Point(out[0]).Distance(s2Point(p))))
		}
		if span < tol || !validLine(out) {
			continue
		}
		lines = append(lines, out)
	}
	if len(lines) == 0 {
		return "", false
	}
	return linesJSON(lines), true
}

// PolygonSimplify simplifies a (multi)polygon; rings that collapse below
// the tolerance disappear, and with all shells gone the result is null.
func PolygonSimplify(text string, tol float64) (string, bool) {
	s, ok := parseCached(text, "polygon")
	if !ok || !validSimplifyTolerance(tol) {
		return "", false
	}
	var polys [][][]LngLat
	for _, rings := range s.Polygons {
		var out [][]LngLat
		for i, r := range rings {
			closed := simplifyDP(append(append([]LngLat{}, r...), r[0]), tol)
			if !validRing(closed) || ringSpan(closed) < tol {
				if i == 0 {
					break
				}
				continue
			}
			out = append(out, closed)
		}
		if len(out) > 0 {
			polys = append(polys, out)
		}
	}
	if len(polys) == 0 {
		return "", false
	}
	return polygonsJSON(polys), true
}

func ringSpan(r []LngLat) float64 {
	span := 0.0
	for i := range r {
		for j := i + 1; j < len(r); j++ {
			span = math.Max(span, angleMeters(s2Point(r[i]).Distance(s2Point(r[j]))))
		}
	}
	return span
}

func linesJSON(lines [][]LngLat) string {
	if len(lines) == 1 {
		return LineJSON(lines[0])
	}
	out := `{"type":"MultiLineString","coordinates":[`
	for i, l := range lines {
		if i > 0 {
			out += ","
		}
		out += ringJSON(l)
	}
	return out + "]}"
}

func polygonsJSON(polys [][][]LngLat) string {
	if len(polys) == 1 {
		return PolygonJSON(polys[0]...)
	}
	out := `{"type":"MultiPolygon","coordinates":[`
	for i, rings := range polys {
		if i > 0 {
			out += ","
		}
		out += "["
		for j, r := range rings {
			if j > 0 {
				out += ","
			}
			out += ringJSON(r)
		}
		out += "]"
	}
	return out + "]}"
}

// maxCoverCells bounds a covering as Kusto does.
const maxCoverCells = 65536

// PolygonToS2Cells returns the tokens of the level-level S2 cells covering
// the (multi)polygon, or ok=false when the level is invalid or the
// covering would hold more than 65,536 cells.
func PolygonToS2Cells(text string, level int) (string, bool) {
	s, ok := parseCached(text, "polygon")
	if !ok || level < 0 || level > 30 {
		return "", false
	}
	var union s2.CellUnion
	for _, p := range polygons(s) {
		// Cells inside plus cells along the boundary.
		est := p.Area()/s2.AvgAreaMetric.Value(level) + 2*ringsLength(p)/s2.AvgEdgeMetric.Value(level)
		if est > maxCoverCells {
			return "", false
		}
		rc := &s2.RegionCoverer{MinLevel: level, MaxLevel: level, LevelMod: 1, MaxCells: 1 << 30}
		union = append(union, rc.Covering(p)...)
	}
	union.Normalize()
	var out []string
	for _, id := range union {
		if id.Level() < level {
			for c := id.ChildBeginAtLevel(level); c != id.ChildEndAtLevel(level); c = c.Next() {
				out = append(out, c.ToToken())
			}
			continue
		}
		out = append(out, id.ToToken())
	}
	if len(out) > maxCoverCells {
		return "", false
	}
	return StringsJSON(out), true
}

// LineToS2Cells returns the tokens of the level-level S2 cells covering
// the (multi)line, or ok=false when the level is invalid or the covering
// would hold more than 65,536 cells.
func LineToS2Cells(text string, level int) (string, bool) {
	s, ok := parseCached(text, "line")
	if !ok || level < 0 || level > 30 {
		return "", false
	}
	var union s2.CellUnion
	for _, l := range s.Lines {
		pts := make([]s2.Point, 0, len(l))
		for _, p := range l {
			pts = append(pts, s2Point(p))
		}
		pl := s2.Polyline(pts)
		if est := ringLength(l, false) / EarthRadius / s2.AvgEdgeMetric.Value(level); est > maxCoverCells {
			return "", false
		}
		rc := &s2.RegionCoverer{MinLevel: level, MaxLevel: level, LevelMod: 1, MaxCells: 1 << 30}
		union = append(union, rc.Covering(&pl)...)
	}
	union.Normalize()
	var out []string
	for _, id := range union {
		for c := id.ChildBeginAtLevel(level); c != id.ChildEndAtLevel(level); c = c.Next() {
			out = append(out, c.ToToken())
		}
	}
	if len(out) > maxCoverCells {
		return "", false
	}
	return StringsJSON(out), true
}

// ringsLength is the total length in radians of a polygon's loops.
func ringsLength(p *s2.Polygon) float64 {
	var sum float64
	for _, l := range p.Loops() {
		for i := 0; i < l.NumVertices(); i++ {
			sum += l.Vertex(i).Distance(l.Vertex(i + 1)).Radians()
		}
	}
	return sum
}
