package geo

import "strings"

const geohashAlphabet = "0123456789bcdefghjkmnpqrstuvwxyz"

// GeohashEncode returns the geohash of the point with the given accuracy
// (1..18 characters), or ok=false for an invalid point or accuracy.
func GeohashEncode(lng, lat float64, accuracy int) (string, bool) {
	if !validLngLat(lng, lat) || accuracy < 1 || accuracy > 18 {
		return "", false
	}
	lngR := [2]float64{-180, 180}
	latR := [2]float64{-90, 90}
	var sb strings.Builder
	even := true
	bit, ch := 0, 0
	for sb.Len() < accuracy {
		if even {
			mid := (lngR[0] + lngR[1]) / 2
			if lng >= mid {
				ch = ch<<1 | 1
				lngR[0] = mid
			} else {
				ch <<= 1
				lngR[1] = mid
			}
		} else {
			mid := (latR[0] + latR[1]) / 2
			if lat >= mid {
				ch = ch<<1 | 1
				latR[0] = mid
			} else {
				ch <<= 1
				latR[1] = mid
			}
		}
		even = !even
		if bit++; bit == 5 {
			sb.WriteByte(geohashAlphabet[ch])
			bit, ch = 0, 0
		}
	}
	return sb.String(), true
}

// GeohashBounds decodes a geohash to its bounding box (west, south, east,
// north); ok=false for an empty, too long or invalid geohash.
func GeohashBounds(h string) (w, s, e, n float64, ok bool) {
	if len(h) == 0 || len(h) > 18 {
		return 0, 0, 0, 0, false
	}
	lngR := [2]float64{-180, 180}
	latR := [2]float64{-90, 90}
	even := true
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		v := strings.IndexByte(geohashAlphabet, c)
		if v < 0 {
			return 0, 0, 0, 0, false
		}
		for b := 4; b >= 0; b-- {
			bit := v >> b & 1
			if even {
				mid := (lngR[0] + lngR[1]) / 2
				if bit == 1 {
					lngR[0] = mid
				} else {
					lngR[1] = mid
				}
			} else {
				mid := (latR[0] + latR[1]) / 2
				if bit == 1 {
					latR[0] = mid
				} else {
					latR[1] = mid
				}
			}
			even = !even
		}
	}
	return lngR[0], latR[0], lngR[1], latR[1], true
}

// GeohashNeighbors returns the geohashes of the up to 8 cells around h, in
// the order Kusto lists them (cells beyond
// the poles are left out; longitude wraps).
func GeohashNeighbors(h string) ([]string, bool) {
	w, s, e, n, ok := GeohashBounds(h)
	if !ok {
		return nil, false
	}
	dl, dt := e-w, n-s
	cl, ct := (w+e)/2, (s+n)/2
	var out []string
	for _, d := range geohashNeighborOrder {
		lng := cl + float64(d[0])*dl
		lat := ct + float64(d[1])*dt
		if lat > 90 || lat < -90 {
			continue
		}
		if lng > 180 {
			lng -= 360
		} else if lng < -180 {
			lng += 360
		}
		g, ok := GeohashEncode(lng, lat, len(h))
		if ok {
			out = append(out, g)
		}
	}
	return out, true
}

var geohashNeighborOrder = [8][2]int{{-1, -1}, {-1, 1}, {1, -1}, {0, 1}, {-1, 0}, {1, 1}, {1, 0}, {0, -1}}
