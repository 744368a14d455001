package geo

import (
	"math"
	"sort"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"
)

func s2Angle(f float64) s1.Angle { return s1.Angle(f) }

// edgeCrossings returns the fractions (by angle) along edge a-b where it
// crosses or touches an edge of the given chains.
func edgeCrossings(a, b s2.Point, chains [][]LngLat) []float64 {
	ab := a.Distance(b).Radians()
	var ts []float64
	if ab == 0 {
		return nil
	}
	for _, c := range chains {
		for j := 0; j+1 < len(c); j++ {
			p, q := s2Point(c[j]), s2Point(c[j+1])
			if s2.CrossingSign(a, b, p, q) == s2.DoNotCross {
				continue
			}
			x := s2.Intersection(a, b, p, q)
			ts = append(ts, a.Distance(x).Radians()/ab)
		}
	}
	return ts
}

func containsAny(pgs []*s2.Polygon, p s2.Point) bool {
	for _, pg := range pgs {
		if pg.ContainsPoint(p) {
			return true
		}
	}
	return false
}

// IntersectionLinePolygon returns the parts of the (multi)line inside the
// (multi)polygon as a GeoJSON LineString or MultiLineString, or an empty
// GeometryCollection when there are none.
func IntersectionLinePolygon(lt, pt string) (string, bool) {
	l, ok1 := parseCached(lt, "line")
	p, ok2 := parseCached(pt, "polygon")
	if !ok1 || !ok2 {
		return "", false
	}
	pgs := polygons(p)
	rings := polygonRingsAsLines(p)
	var pieces [][]LngLat
	for _, line := range l.Lines {
		var cur []LngLat
		flush := func() {
			if len(cur) >= 2 {
				pieces = append(pieces, cur)
			}
			cur = nil
		}
		for i := 0; i+1 < len(line); i++ {
			a, b := s2Point(line[i]), s2Point(line[i+1])
			ab := a.Distance(b)
			ts := append(edgeCrossings(a, b, rings), 0, 1)
			sort.Float64s(ts)
			for k := 0; k+1 < len(ts); k++ {
				t0, t1 := ts[k], ts[k+1]
				if t1-t0 < 1e-15 {
					continue
				}
				mid := s2.InterpolateAtDistance(ab*s2Angle((t0+t1)/2), a, b)
				if !containsAny(pgs, mid) {
					flush()
					continue
				}
				start := line[i]
				if t0 > 0 {
					start = lngLatOf(s2.InterpolateAtDistance(ab*s2Angle(t0), a, b))
				}
				end := line[i+1]
				if t1 < 1 {
					end = lngLatOf(s2.InterpolateAtDistance(ab*s2Angle(t1), a, b))
				}
				if len(cur) == 0 {
					cur = append(cur, start)
				}
				cur = append(cur, end)
			}
		}
		flush()
	}
	if len(pieces) == 0 {
		return `{"type":"GeometryCollection","geometries":[]}`, true
	}
	return linesJSON(pieces), true
}

// Intersection2Lines returns the intersection of two (multi)lines: its
// points (Point, MultiPoint), its shared stretches (LineString,
// MultiLineString), both (GeometryCollection), or an empty
// GeometryCollection.
func Intersection2Lines(t1, t2 string) (string, bool) {
	l1, ok1 := parseCached(t1, "line")
	l2, ok2 := parseCached(t2, "line")
	if !ok1 || !ok2 {
		return "", false
	}
	var points []LngLat
	var segs [][]LngLat
	for _, la := range l1.Lines {
		for i := 0; i+1 < len(la); i++ {
			a, b := s2Point(la[i]), s2Point(la[i+1])
			if a == b {
				continue
			}
			n := s2.Point{Vector: a.PointCross(b).Normalize()}
			ab := a.Distance(b).Radians()
			for _, lb := range l2.Lines {
				for j := 0; j+1 < len(lb); j++ {
					c, d := s2Point(lb[j]), s2Point(lb[j+1])
					if c == d {
						continue
					}
					if abs(c.Dot(n.Vector)) < 1e-15 && abs(d.Dot(n.Vector)) < 1e-15 {
						// Same great circle: the shared stretch, if any.
						tc, td := along(a, n, c), along(a, n, d)
						if tc > td {
							tc, td = td, tc
						}
						if td-tc > 3.14159 {
							continue // the short edge c-d runs the other way round
						}
						lo, hi := max(tc, 0), min(td, ab)
						switch {
						case hi-lo > 1e-15:
							segs = append(segs, []LngLat{pointAt(a, b, lo), pointAt(a, b, hi)})
						case hi-lo >= 0:
							points = append(points, pointAt(a, b, lo))
						}
						continue
					}
					if s2.CrossingSign(a, b, c, d) == s2.DoNotCross {
						continue
					}
					points = append(points, lngLatOf(s2.Intersection(a, b, c, d)))
				}
			}
		}
	}
	segs = mergeSegments(segs)
	// Drop points on a shared stretch and repeated points.
	var pts []LngLat
	seen := map[LngLat]bool{}
	for _, p := range points {
		if seen[p] || onSegments(p, segs) {
			continue
		}
		seen[p] = true
		pts = append(pts, p)
	}
	var parts []string
	if len(pts) == 1 {
		parts = append(parts, PointJSON(pts[0]))
	} else if len(pts) > 1 {
		parts = append(parts, `{"type":"MultiPoint","coordinates":`+ringJSON(pts)+`}`)
	}
	if len(segs) > 0 {
		parts = append(parts, linesJSON(segs))
	}
	switch len(parts) {
	case 0:
		return `{"type":"GeometryCollection","geometries":[]}`, true
	case 1:
		return parts[0], true
	}
	return `{"type":"GeometryCollection","geometries":[` + parts[0] + "," + parts[1] + "]}", true
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// along is the signed angle from a to p around the great circle with
// normal n.
func along(a, n, p s2.Point) float64 {
	return atan2(n.Cross(a.Vector).Dot(p.Vector), a.Dot(p.Vector))
}

func pointAt(a, b s2.Point, dist float64) LngLat {
	if dist == 0 {
		return lngLatOf(a)
	}
	return lngLatOf(s2.InterpolateAtDistance(s2Angle(dist), a, b))
}

// mergeSegments joins stretches that continue one another.
func mergeSegments(segs [][]LngLat) [][]LngLat {
	var out [][]LngLat
	for _, s := range segs {
		if n := len(out); n > 0 && out[n-1][len(out[n-1])-1] == s[0] {
			out[n-1] = append(out[n-1], s[1:]...)
			continue
		}
		out = append(out, s)
	}
	return out
}

func onSegments(p LngLat, segs [][]LngLat) bool {
	q := s2Point(p)
	for _, s := range segs {
		for i := 0; i+1 < len(s); i++ {
			if q.Distance(s2.Project(q, s2Point(s[i]), s2Point(s[i+1]))).Radians() < 1e-12 {
				return true
			}
		}
	}
	return false
}

func atan2(y, x float64) float64 { return math.Atan2(y, x) }
