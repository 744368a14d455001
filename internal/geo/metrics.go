package geo

import (
	"math"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"
)

func angleMeters(a s1.Angle) float64 { return a.Radians() * EarthRadius }

// Distance returns the geodesic distance in meters between two points on
// the sphere.
func Distance(lng1, lat1, lng2, lat2 float64) (float64, bool) {
	if !validLngLat(lng1, lat1) || !validLngLat(lng2, lat2) {
		return 0, false
	}
	a := s2.LatLngFromDegrees(lat1, lng1)
	b := s2.LatLngFromDegrees(lat2, lng2)
	return angleMeters(a.Distance(b)), true
}

// InCircle reports whether the point lies within radius meters of the
// center; ok=false for invalid points or a negative radius.
func InCircle(lng, lat, clng, clat, radius float64) (bool, bool) {
	d, ok := Distance(lng, lat, clng, clat)
	if !ok || !(radius >= 0) || math.IsInf(radius, 0) {
		return false, false
	}
	return d <= radius, true
}

// Azimuth returns the initial bearing in radians (clockwise from north,
// 0..2π) from point 1 to point 2; ok=false for equal or invalid points.
func Azimuth(lng1, lat1, lng2, lat2 float64) (float64, bool) {
	if !validLngLat(lng1, lat1) || !validLngLat(lng2, lat2) || (lng1 == lng2 && lat1 == lat2) {
		return 0, false
	}
	φ1, φ2 := lat1*math.Pi/180, lat2*math.Pi/180
	Δλ := (lng2 - lng1) * math.Pi / 180
	y := math.Sin(Δλ) * math.Cos(φ2)
	x := math.Cos(φ1)*math.Sin(φ2) - math.Sin(φ1)*math.Cos(φ2)*math.Cos(Δλ)
	θ := math.Atan2(y, x)
	if θ < 0 {
		θ += 2 * math.Pi
	}
	return θ, true
}

func s2Loop(ring []LngLat) *s2.Loop {
	pts := make([]s2.Point, 0, len(ring))
	for _, p := range ring {
		q := s2Point(p)
		if len(pts) > 0 && pts[len(pts)-1] == q {
			continue
		}
		pts = append(pts, q)
	}
	l := s2.LoopFromPoints(pts)
	l.Normalize()
	return l
}

// PolygonArea returns the area in square meters of a GeoJSON
// (multi)polygon; the polygons of a multipolygon count once where they
// overlap.
func PolygonArea(text string) (float64, bool) {
	s, ok := parseCached(text, "polygon")
	if !ok {
		return 0, false
	}
	var a float64
	for _, p := range merged(s) {
		a += p.Area()
	}
	return a * EarthRadius * EarthRadius, true
}

// merged returns the polygons of s, merged into their union when s is a
// multipolygon whose parts overlap.
func merged(s *Shape) []*s2.Polygon {
	ps := polygons(s)
	if len(ps) < 2 {
		return ps
	}
	overlap := false
	for i := range ps {
		for j := i + 1; j < len(ps); j++ {
			if ps[i].Intersects(ps[j]) {
				overlap = true
			}
		}
	}
	if !overlap {
		return ps
	}
	loops, ok := newOverlay([]*Shape{s}).unionLoops()
	if !ok {
		return ps
	}
	var sl []*s2.Loop
	for _, l := range loops {
		sl = append(sl, s2.LoopFromPoints(l))
	}
	return []*s2.Polygon{regionOf(sl)}
}

func ringLength(r []LngLat, closed bool) float64 {
	var sum float64
	n := len(r)
	if !closed {
		n--
	}
	for i := 0; i < n; i++ {
		a, b := r[i], r[(i+1)%len(r)]
		sum += s2Point(a).Distance(s2Point(b)).Radians()
	}
	return sum * EarthRadius
}

// PolygonPerimeter returns the length in meters of all rings.
func PolygonPerimeter(text string) (float64, bool) {
	s, ok := parseCached(text, "polygon")
	if !ok {
		return 0, false
	}
	var sum float64
	for _, rings := range s.Polygons {
		for _, r := range rings {
			sum += ringLength(r, true)
		}
	}
	return sum, true
}

// LineLength returns the length in meters of a (multi)line.
func LineLength(text string) (float64, bool) {
	s, ok := parseCached(text, "line")
	if !ok {
		return 0, false
	}
	var sum float64
	for _, l := range s.Lines {
		sum += ringLength(l, false)
	}
	return sum, true
}

// PolygonCentroid returns the centroid of a (multi)polygon as a GeoJSON point.
func PolygonCentroid(text string) (string, bool) {
	s, ok := parseCached(text, "polygon")
	if !ok {
		return "", false
	}
	var c s2.Point
	for _, p := range merged(s) {
		for _, l := range p.Loops() {
			lc := l.Centroid()
			if l.IsHole() {
				c.Vector = c.Vector.Sub(lc.Vector)
			} else {
				c.Vector = c.Vector.Add(lc.Vector)
			}
		}
	}
	if c.Norm() == 0 {
		return "", false
	}
	return PointJSON(lngLatOf(s2.Point{Vector: c.Normalize()})), true
}

// LineCentroid returns the centroid of a (multi)line as a GeoJSON point.
func LineCentroid(text string) (string, bool) {
	s, ok := parseCached(text, "line")
	if !ok {
		return "", false
	}
	var c s2.Point
	for _, l := range s.Lines {
		for i := 0; i+1 < len(l); i++ {
			c.Vector = c.Vector.Add(edgeCentroid(s2Point(l[i]), s2Point(l[i+1])).Vector)
		}
	}
	if c.Norm() == 0 {
		return "", false
	}
	return PointJSON(lngLatOf(s2.Point{Vector: c.Normalize()})), true
}

// edgeCentroid is the integral of the unit vectors along the geodesic
// edge ab: its midpoint direction scaled by 2·sin(θ/2).
func edgeCentroid(a, b s2.Point) s2.Point {
	sum := a.Add(b.Vector)
	theta := a.Distance(b).Radians()
	if theta == 0 || sum.Norm() == 0 {
		return s2.Point{}
	}
	return s2.Point{Vector: sum.Normalize().Mul(2 * math.Sin(theta/2))}
}

func validPoint(lng, lat float64) (s2.Point, bool) {
	if !validLngLat(lng, lat) {
		return s2.Point{}, false
	}
	return s2Point(LngLat{lng, lat}), true
}

// closestOnLines returns the point of the lines nearest to p and its distance.
func closestOnLines(p s2.Point, lines [][]LngLat) (s2.Point, s1.Angle) {
	best := s1.InfAngle()
	var bp s2.Point
	for _, l := range lines {
		for i := 0; i+1 < len(l); i++ {
			a, b := s2Point(l[i]), s2Point(l[i+1])
			q := s2.Project(p, a, b)
			if d := p.Distance(q); d < best {
				best, bp = d, q
			}
		}
	}
	return bp, best
}

// DistanceToLine returns the distance in meters from the point to a (multi)line.
func DistanceToLine(lng, lat float64, text string) (float64, bool) {
	p, ok := validPoint(lng, lat)
	if !ok {
		return 0, false
	}
	s, ok := parseCached(text, "line")
	if !ok {
		return 0, false
	}
	_, d := closestOnLines(p, s.Lines)
	return angleMeters(d), true
}

func polygonRingsAsLines(s *Shape) [][]LngLat {
	var lines [][]LngLat
	for _, rings := range s.Polygons {
		for _, r := range rings {
			lines = append(lines, append(append([]LngLat{}, r...), r[0]))
		}
	}
	return lines
}

// DistanceToPolygon returns the distance in meters from the point to a
// (multi)polygon: 0 inside it.
func DistanceToPolygon(lng, lat float64, text string) (float64, bool) {
	p, ok := validPoint(lng, lat)
	if !ok {
		return 0, false
	}
	s, ok := parseCached(text, "polygon")
	if !ok {
		return 0, false
	}
	for _, pg := range polygons(s) {
		if pg.ContainsPoint(p) {
			return 0, true
		}
	}
	_, d := closestOnLines(p, polygonRingsAsLines(s))
	return angleMeters(d), true
}

// InPolygon reports whether the (multi)polygon contains the point.
func InPolygon(lng, lat float64, text string) (bool, bool) {
	p, ok := validPoint(lng, lat)
	if !ok {
		return false, false
	}
	s, ok := parseCached(text, "polygon")
	if !ok {
		return false, false
	}
	for _, pg := range polygons(s) {
		if pg.ContainsPoint(p) {
			return true, true
		}
	}
	return false, true
}

// ClosestPointOnLine returns the GeoJSON point of the (multi)line nearest to the point.
func ClosestPointOnLine(lng, lat float64, text string) (string, bool) {
	p, ok := validPoint(lng, lat)
	if !ok {
		return "", false
	}
	s, ok := parseCached(text, "line")
	if !ok {
		return "", false
	}
	q, _ := closestOnLines(p, s.Lines)
	return PointJSON(lngLatOf(q)), true
}

// ClosestPointOnPolygon returns the GeoJSON point of the (multi)polygon
// nearest to the point (the point itself when inside).
func ClosestPointOnPolygon(lng, lat float64, text string) (string, bool) {
	p, ok := validPoint(lng, lat)
	if !ok {
		return "", false
	}
	s, ok := parseCached(text, "polygon")
	if !ok {
		return "", false
	}
	for _, pg := range polygons(s) {
		if pg.ContainsPoint(p) {
			return PointJSON(LngLat{lng, lat}), true
		}
	}
	q, _ := closestOnLines(p, polygonRingsAsLines(s))
	return PointJSON(lngLatOf(q)), true
}

func edgesCross(l1, l2 [][]LngLat) bool {
	for _, a := range l1 {
		for i := 0; i+1 < len(a); i++ {
			a0, a1 := s2Point(a[i]), s2Point(a[i+1])
			for _, b := range l2 {
				for j := 0; j+1 < len(b); j++ {
					if s2.CrossingSign(a0, a1, s2Point(b[j]), s2Point(b[j+1])) != s2.DoNotCross ||
						a0 == s2Point(b[j]) || a0 == s2Point(b[j+1]) || a1 == s2Point(b[j]) || a1 == s2Point(b[j+1]) {
						return true
					}
				}
			}
		}
	}
	return false
}

// Intersects2Lines reports whether two (multi)lines intersect.
func Intersects2Lines(t1, t2 string) (bool, bool) {
	s1, ok1 := parseCached(t1, "line")
	s2_, ok2 := parseCached(t2, "line")
	if !ok1 || !ok2 {
		return false, false
	}
	return edgesCross(s1.Lines, s2_.Lines), true
}

// IntersectsLinePolygon reports whether a (multi)line and a (multi)polygon intersect.
func IntersectsLinePolygon(lt, pt string) (bool, bool) {
	l, ok1 := parseCached(lt, "line")
	p, ok2 := parseCached(pt, "polygon")
	if !ok1 || !ok2 {
		return false, false
	}
	if edgesCross(l.Lines, polygonRingsAsLines(p)) {
		return true, true
	}
	for _, pg := range polygons(p) {
		if pg.ContainsPoint(s2Point(l.Lines[0][0])) {
			return true, true
		}
	}
	return false, true
}

// Intersects2Polygons reports whether two (multi)polygons intersect.
func Intersects2Polygons(t1, t2 string) (bool, bool) {
	a, ok1 := parseCached(t1, "polygon")
	b, ok2 := parseCached(t2, "polygon")
	if !ok1 || !ok2 {
		return false, false
	}
	for _, pa := range polygons(a) {
		for _, pb := range polygons(b) {
			if pa.Intersects(pb) {
				return true, true
			}
		}
	}
	return edgesCross(polygonRingsAsLines(a), polygonRingsAsLines(b)), true
}

// Angle returns the clockwise angle in radians [0, 2π) at point 2 from
// the line [p1, p2] to the line [p2, p3]; ok=false for invalid, equal or
// antipodal points.
func Angle(lng1, lat1, lng2, lat2, lng3, lat3 float64) (float64, bool) {
	for _, q := range [][4]float64{{lng1, lat1, lng2, lat2}, {lng2, lat2, lng3, lat3}} {
		d, ok := Distance(q[0], q[1], q[2], q[3])
		if !ok || d == 0 || d >= math.Pi*EarthRadius*(1-1e-12) {
			return 0, false
		}
	}
	a1, ok1 := Azimuth(lng2, lat2, lng1, lat1)
	a3, ok3 := Azimuth(lng2, lat2, lng3, lat3)
	if !ok1 || !ok3 {
		return 0, false
	}
	a := math.Mod(a3-a1+4*math.Pi, 2*math.Pi)
	return a, true
}
