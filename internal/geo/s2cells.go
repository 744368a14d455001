package geo

import (
	"github.com/golang/geo/s2"
)

func s2Point(p LngLat) s2.Point { return s2.PointFromLatLng(s2.LatLngFromDegrees(p.Lat, p.Lng)) }

func lngLatOf(p s2.Point) LngLat {
	ll := s2.LatLngFromPoint(p)
	return LngLat{ll.Lng.Degrees(), ll.Lat.Degrees()}
}

// S2Token returns the token of the level-level S2 cell holding the point
// (level 0..30).
func S2Token(lng, lat float64, level int) (string, bool) {
	if !validLngLat(lng, lat) || level < 0 || level > 30 {
		return "", false
	}
	id := s2.CellIDFromLatLng(s2.LatLngFromDegrees(lat, lng)).Parent(level)
	return id.ToToken(), true
}

func parseS2Token(tok string) (s2.CellID, bool) {
	if tok == "" || len(tok) > 16 {
		return 0, false
	}
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return 0, false
		}
	}
	id := s2.CellIDFromToken(tok)
	return id, id.IsValid()
}

// S2Center returns the center of the cell named by token.
func S2Center(tok string) (LngLat, bool) {
	id, ok := parseS2Token(tok)
	if !ok {
		return LngLat{}, false
	}
	return lngLatOf(id.Point()), true
}

// S2Polygon returns the closed ring of the cell's four vertices.
func S2Polygon(tok string) ([]LngLat, bool) {
	id, ok := parseS2Token(tok)
	if !ok {
		return nil, false
	}
	c := s2.CellFromCellID(id)
	ring := make([]LngLat, 0, 5)
	for _, k := range s2VertexOrder {
		ring = append(ring, lngLatOf(c.Vertex(k)))
	}
	return append(ring, ring[0]), true
}

var s2VertexOrder = [4]int{0, 1, 2, 3}

// S2Neighbors returns the tokens of the cells around the cell (edge and
// vertex neighbors at its level).
func S2Neighbors(tok string) ([]string, bool) {
	id, ok := parseS2Token(tok)
	if !ok {
		return nil, false
	}
	all := id.AllNeighbors(id.Level())
	if len(all) != 8 {
		out := make([]string, 0, len(all))
		for _, n := range all {
			out = append(out, n.ToToken())
		}
		return out, true
	}
	// AllNeighbors lists LB, RB, B, T, L, R, LT, RT; Kusto's documented
	// output lists RT first and R before L.
	out := make([]string, 0, 8)
	for _, k := range [8]int{7, 0, 1, 2, 3, 5, 4, 6} {
		out = append(out, all[k].ToToken())
	}
	return out, true
}
