// Package geo implements Kusto's geospatial functions (geo_*) in pure Go,
// on the unit sphere of package s2 scaled to the Earth's mean radius.
// Invalid input gives ok=false (null in KQL), never a panic.
package geo

import (
	"encoding/json"
	"sync"

	"github.com/golang/geo/s2"
	"math"
	"strconv"
	"strings"
)

// EarthRadius is the Earth's mean radius in meters (WGS-84 based, as Kusto
// uses for its spherical computations).
const EarthRadius = 6371010.0

func validLngLat(lng, lat float64) bool {
	return lng >= -180 && lng <= 180 && lat >= -90 && lat <= 90 &&
		!math.IsNaN(lng) && !math.IsNaN(lat)
}

// LngLat is a point in degrees.
type LngLat struct{ Lng, Lat float64 }

// Shape is a parsed GeoJSON geometry: Points, LineStrings (Lines) or
// Polygons (each a list of rings; ring 0 is the shell).
type Shape struct {
	Kind     string // "Point", "LineString", "Polygon" (Multi* folded in)
	Points   []LngLat
	Lines    [][]LngLat
	Polygons [][][]LngLat

	polyOnce sync.Once
	polys    []*s2.Polygon
}

type rawGeo struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

func parsePos(v []float64) (LngLat, bool) {
	if len(v) < 2 || len(v) > 3 {
		return LngLat{}, false
	}
	p := LngLat{v[0], v[1]}
	return p, validLngLat(p.Lng, p.Lat)
}

func parseSeq(v [][]float64) ([]LngLat, bool) {
	out := make([]LngLat, 0, len(v))
	for _, x := range v {
		p, ok := parsePos(x)
		if !ok {
			return nil, false
		}
		out = append(out, p)
	}
	return out, true
}

// ParseGeoJSON parses a GeoJSON geometry of the given family: "line"
// accepts LineString and MultiLineString, "polygon" Polygon and
// MultiPolygon, "point" Point and MultiPoint.
func ParseGeoJSON(text, family string) (*Shape, bool) {
	var r rawGeo
	if err := json.Unmarshal([]byte(text), &r); err != nil || len(r.Coordinates) == 0 {
		return nil, false
	}
	s := &Shape{}
	switch r.Type {
	case "Point":
		if family != "point" {
			return nil, false
		}
		var c []float64
		if json.Unmarshal(r.Coordinates, &c) != nil {
			return nil, false
		}
		p, ok := parsePos(c)
		if !ok {
			return nil, false
		}
		s.Kind, s.Points = "Point", []LngLat{p}
	case "LineString", "MultiLineString":
		if family != "line" {
			return nil, false
		}
		var lines [][][]float64
		if r.Type == "LineString" {
			var c [][]float64
			if json.Unmarshal(r.Coordinates, &c) != nil {
				return nil, false
			}
			lines = [][][]float64{c}
		} else if json.Unmarshal(r.Coordinates, &lines) != nil || len(lines) == 0 {
			return nil, false
		}
		for _, l := range lines {
			seq, ok := parseSeq(l)
			if !ok || !validLine(seq) {
				return nil, false
			}
			s.Lines = append(s.Lines, seq)
		}
		s.Kind = "LineString"
	case "Polygon", "MultiPolygon":
		if family != "polygon" {
			return nil, false
		}
		var polys [][][][]float64
		if r.Type == "Polygon" {
			var c [][][]float64
			if json.Unmarshal(r.Coordinates, &c) != nil {
				return nil, false
			}
			polys = [][][][]float64{c}
		} else if json.Unmarshal(r.Coordinates, &polys) != nil || len(polys) == 0 {
			return nil, false
		}
		for _, pc := range polys {
			if len(pc) == 0 {
				return nil, false
			}
			var rings [][]LngLat
			for _, rc := range pc {
				seq, ok := parseSeq(rc)
				if !ok || !validRing(seq) {
					return nil, false
				}
				rings = append(rings, seq[:len(seq)-1])
			}
			s.Polygons = append(s.Polygons, rings)
		}
		s.Kind = "Polygon"
	default:
		return nil, false
	}
	return s, true
}

func validLine(seq []LngLat) bool {
	if len(seq) < 2 {
		return false
	}
	for _, p := range seq[1:] {
		if p != seq[0] {
			return true
		}
	}
	return false
}

// validRing: closed, at least 3 distinct vertices.
func validRing(seq []LngLat) bool {
	if len(seq) < 4 || seq[0] != seq[len(seq)-1] {
		return false
	}
	distinct := map[LngLat]bool{}
	for _, p := range seq {
		distinct[p] = true
	}
	return len(distinct) >= 3
}

func fmtNum(f float64) string {
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func fmtPos(p LngLat) string { return "[" + fmtNum(p.Lng) + "," + fmtNum(p.Lat) + "]" }

// PointJSON renders a GeoJSON Point.
func PointJSON(p LngLat) string {
	return `{"type":"Point","coordinates":` + fmtPos(p) + `}`
}

func ringJSON(r []LngLat) string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i, p := range r {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(fmtPos(p))
	}
	sb.WriteByte(']')
	return sb.String()
}

// PolygonJSON renders a GeoJSON Polygon from closed rings.
func PolygonJSON(rings ...[]LngLat) string {
	var sb strings.Builder
	sb.WriteString(`{"type":"Polygon","coordinates":[`)
	for i, r := range rings {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(ringJSON(r))
	}
	sb.WriteString("]}")
	return sb.String()
}

// LineJSON renders a GeoJSON LineString.
func LineJSON(l []LngLat) string {
	return `{"type":"LineString","coordinates":` + ringJSON(l) + `}`
}

// StringsJSON renders a JSON array of strings.
func StringsJSON(v []string) string {
	b, _ := json.Marshal(v)
	if v == nil {
		return "[]"
	}
	return string(b)
}

// jsonArray splits a JSON array into its elements' JSON texts.
func jsonArray(text string) ([]string, bool) {
	var raw []json.RawMessage
	if json.Unmarshal([]byte(text), &raw) != nil {
		return nil, false
	}
	out := make([]string, len(raw))
	for i, r := range raw {
		out[i] = string(r)
	}
	return out, true
}
