package geo

import "math"

// destination is the point at angular distance d (radians) from (lng, lat)
// on bearing theta (radians clockwise from north).
func destination(lng, lat, d, theta float64) LngLat {
	φ1, λ1 := lat*math.Pi/180, lng*math.Pi/180
	φ2 := math.Asin(math.Sin(φ1)*math.Cos(d) + math.Cos(φ1)*math.Sin(d)*math.Cos(theta))
	λ2 := λ1 + math.Atan2(math.Sin(theta)*math.Sin(d)*math.Cos(φ1), math.Cos(d)-math.Sin(φ1)*math.Sin(φ2))
	lng2 := math.Mod(λ2*180/math.Pi+540, 360) - 180
	return LngLat{lng2, φ2 * 180 / math.Pi}
}

// PointBuffer returns a polygon of the points within radius meters of the
// point: a regular polygon with its vertices on the circle, with as few
// vertices as keep its edges within tol meters of the circle.
func PointBuffer(lng, lat, radius, tol float64) (string, bool) {
	if !validLngLat(lng, lat) || !(radius > 0) || !(tol > 0) {
		return "", false
	}
	rho := radius / EarthRadius
	if rho >= math.Pi/2 {
		return "", false // more than a hemisphere
	}
	if tol < radius*1e-6 {
		return "", false
	}
	if tol >= radius {
		tol = math.Nextafter(radius, 0)
	}
	n := 4
	for ; n < 1<<20; n *= 2 {
		inner := math.Atan(math.Tan(rho) * math.Cos(math.Pi/float64(n)))
		if (rho-inner)*EarthRadius <= tol {
			break
		}
	}
	// Refine down to the smallest count that still meets the tolerance.
	lo, hi := n/2, n
	for lo+1 < hi {
		m := (lo + hi) / 2
		inner := math.Atan(math.Tan(rho) * math.Cos(math.Pi/float64(m)))
		if (rho-inner)*EarthRadius <= tol {
			hi = m
		} else {
			lo = m
		}
	}
	if hi < 4 {
		hi = 4
	}
	ring := make([]LngLat, 0, hi+1)
	for k := 0; k < hi; k++ {
		// Counter-clockwise: bearings decrease from north.
		ring = append(ring, destination(lng, lat, rho, -2*math.Pi*float64(k)/float64(hi)))
	}
	ring[0] = destination(lng, lat, rho, 0)
	return PolygonJSON(append(ring, ring[0])), true
}

func bearing(a, b LngLat) float64 {
	az, _ := Azimuth(a.Lng, a.Lat, b.Lng, b.Lat)
	return az
}

// LineBuffer returns a polygon of the points within radius meters of the
// (multi)line: the union of a buffer circle around each vertex and a band
// along each edge.
func LineBuffer(text string, radius, tol float64) (string, bool) {
	s, ok := parseCached(text, "line")
	if !ok {
		return "", false
	}
	var parts []*Shape
	for _, l := range s.Lines {
		for i, v := range l {
			c, ok := PointBuffer(v.Lng, v.Lat, radius, tol)
			if !ok {
				return "", false
			}
			cs, ok := ParseGeoJSON(c, "polygon")
			if !ok {
				return "", false
			}
			parts = append(parts, cs)
			if i+1 == len(l) || l[i+1] == v {
				continue
			}
			a, b := v, l[i+1]
			rho := radius / EarthRadius
			tab, tba := bearing(a, b), bearing(b, a)
			band := []LngLat{
				destination(a.Lng, a.Lat, rho, tab+math.Pi/2),
				destination(b.Lng, b.Lat, rho, tba-math.Pi/2),
				destination(b.Lng, b.Lat, rho, tba+math.Pi/2),
				destination(a.Lng, a.Lat, rho, tab-math.Pi/2),
			}
			parts = append(parts, &Shape{Kind: "Polygon", Polygons: [][][]LngLat{{band}}})
		}
	}
	o := newOverlay(parts)
	loops, ok := o.unionLoops()
	if !ok {
		return "", false
	}
	return ovResult(loops, nil, o.orig), true
}
