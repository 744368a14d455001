package geo

import (
	"sync"

	"github.com/golang/geo/s2"
)

// A query usually passes the same GeoJSON literal on every row; parsing
// it and building its S2 polygons dominates the cost of a call, so the
// last few parsed shapes are kept. Cached shapes are shared: callers must
// not modify them.

const shapeCacheSize = 64

type cacheKey struct{ text, family string }

type cachedShape struct {
	s  *Shape
	ok bool
}

var shapeCache = struct {
	sync.Mutex
	m map[cacheKey]cachedShape
}{m: map[cacheKey]cachedShape{}}

// parseCached is ParseGeoJSON with a small cache of recent texts.
func parseCached(text, family string) (*Shape, bool) {
	if len(text) > 256<<10 {
		return ParseGeoJSON(text, family)
	}
	k := cacheKey{text, family}
	shapeCache.Lock()
	c, hit := shapeCache.m[k]
	shapeCache.Unlock()
	if hit {
		return c.s, c.ok
	}
	s, ok := ParseGeoJSON(text, family)
	shapeCache.Lock()
	if len(shapeCache.m) >= shapeCacheSize {
		clear(shapeCache.m)
	}
	shapeCache.m[k] = cachedShape{s, ok}
	shapeCache.Unlock()
	return s, ok
}

// polygons builds one s2.Polygon per GeoJSON polygon of s, once.
func polygons(s *Shape) []*s2.Polygon {
	s.polyOnce.Do(func() {
		out := make([]*s2.Polygon, 0, len(s.Polygons))
		for _, rings := range s.Polygons {
			loops := make([]*s2.Loop, 0, len(rings))
			for _, r := range rings {
				loops = append(loops, s2Loop(r))
			}
			out = append(out, s2.PolygonFromLoops(loops))
		}
		s.polys = out
	})
	return s.polys
}
