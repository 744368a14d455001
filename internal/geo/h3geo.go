package geo

import (
	h3 "github.com/uber/h3-go/v4"
)

// H3 geometry (the cell of a point, a cell's boundary and neighbors, the
// cells of a polygon) through Uber's H3 library, the reference
// implementation Kusto's functions use; the index operations without
// geometry are in h3.go.

// maxH3Cells caps the cells one call returns, so a polygon at a fine
// resolution cannot exhaust memory (Kusto refuses such calls too).
const maxH3Cells = 1 << 20

func h3Cell(tok string) (h3.Cell, bool) {
	h, ok := parseH3(tok)
	if !ok {
		return 0, false
	}
	return h3.Cell(h), true
}

// H3FromPoint returns the token of the resolution-res H3 cell holding
// the point (res 0..15).
func H3FromPoint(lng, lat float64, res int) (string, bool) {
	if !validLngLat(lng, lat) || res < 0 || res > h3MaxRes {
		return "", false
	}
	return h3Token(uint64(h3.LatLngToCell(h3.NewLatLng(lat, lng), res))), true
}

// H3Center returns the center of the cell.
func H3Center(tok string) (LngLat, bool) {
	c, ok := h3Cell(tok)
	if !ok {
		return LngLat{}, false
	}
	ll := h3.CellToLatLng(c)
	return LngLat{ll.Lng, ll.Lat}, true
}

// H3Polygon returns the cell's boundary as a closed ring.
func H3Polygon(tok string) ([]LngLat, bool) {
	c, ok := h3Cell(tok)
	if !ok {
		return nil, false
	}
	b := h3.CellToBoundary(c)
	ring := make([]LngLat, 0, len(b)+1)
	for _, v := range b {
		ring = append(ring, LngLat{v.Lng, v.Lat})
	}
	return append(ring, ring[0]), true
}

// H3Rings returns the cells at grid distance 0, 1, ... k from the cell,
// one array per distance.
func H3Rings(tok string, k int) ([][]string, bool) {
	c, ok := h3Cell(tok)
	if !ok || k < 0 || k > 142 { // Kusto's documented range
		return nil, false
	}
	rings := h3.GridDiskDistances(c, k)
	out := make([][]string, len(rings))
	for i, r := range rings {
		out[i] = make([]string, 0, len(r))
		for _, cell := range r {
			if cell != 0 {
				out[i] = append(out[i], h3Token(uint64(cell)))
			}
		}
	}
	return out, true
}

// H3Neighbors returns the cells adjacent to the cell.
func H3Neighbors(tok string) ([]string, bool) {
	rings, ok := H3Rings(tok, 1)
	if !ok || len(rings) < 2 {
		return nil, ok
	}
	return rings[1], true
}

// PolygonToH3Cells returns the resolution-res cells whose centers lie in
// the polygon (or multipolygon), as H3's polyfill does.
func PolygonToH3Cells(text string, res int) ([]string, bool) {
	if res < 0 || res > h3MaxRes {
		return nil, false
	}
	shape, ok := ParseGeoJSON(text, "polygon")
	if !ok {
		return nil, false
	}
	// Refuse before H3 allocates: a polygon holding far more cells than
	// the cap (a continent at resolution 15) would exhaust memory.
	if area, ok := PolygonArea(text); !ok || area/h3.HexagonAreaAvgM2(res) > maxH3Cells {
		return nil, false
	}
	var out []string
	for _, rings := range shape.Polygons {
		poly := h3.GeoPolygon{GeoLoop: h3Loop(rings[0])}
		for _, hole := range rings[1:] {
			poly.Holes = append(poly.Holes, h3Loop(hole))
		}
		for _, c := range h3.PolygonToCells(poly, res) {
			if len(out) >= maxH3Cells {
				return nil, false
			}
			out = append(out, h3Token(uint64(c)))
		}
	}
	if out == nil {
		out = []string{}
	}
	return out, true
}

func h3Loop(ring []LngLat) h3.GeoLoop {
	loop := make(h3.GeoLoop, len(ring))
	for i, p := range ring {
		loop[i] = h3.NewLatLng(p.Lat, p.Lng)
	}
	return loop
}
