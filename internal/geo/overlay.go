package geo

import (
	"math"
	"sort"

	"github.com/golang/geo/s2"
)

// Polygon overlay (union, intersection) on the sphere. Every input edge is
// split where it meets the other inputs' boundaries; each piece is kept or
// dropped by where its midpoint lies; the kept pieces are chained into
// loops. Loops start at the kept piece of the lowest input edge (inputs in
// order, then loops, then edges), as S2's builder orders them, so results
// list vertices in the order Kusto prints them.

const (
	ovSnap = 1e-13 // radians (~0.6 µm): points closer than this are one vertex
)

type ovInput struct {
	loops [][]s2.Point // shells counter-clockwise, holes clockwise
	poly  *s2.Polygon  // for containment tests
}

type ovPiece struct {
	a, b  s2.Point
	input int
	order int // global input edge id, then piece index
}

type overlay struct {
	orig   map[s2.Point]LngLat // input vertices as given
	inputs []ovInput
	snaps  []s2.Point
	splits [][]s2.Point // per input: points where others' boundaries meet it
}

func (o *overlay) snap(p s2.Point) s2.Point {
	for _, q := range o.snaps {
		if p.Distance(q).Radians() < ovSnap {
			return q
		}
	}
	o.snaps = append(o.snaps, p)
	return p
}

// newOverlay prepares the polygons of the shapes, in order.
func newOverlay(shapes []*Shape) *overlay {
	o := &overlay{orig: map[s2.Point]LngLat{}}
	for _, s := range shapes {
		for _, rings := range s.Polygons {
			var in ovInput
			var loops []*s2.Loop
			for i, r := range rings {
				l := s2Loop(r)
				loops = append(loops, s2Loop(r))
				pts := make([]s2.Point, 0, l.NumVertices())
				for k := 0; k < l.NumVertices(); k++ {
					pts = append(pts, o.snap(l.Vertex(k)))
				}
				if i > 0 { // a hole runs clockwise
					for a, b := 0, len(pts)-1; a < b; a, b = a+1, b-1 {
						pts[a], pts[b] = pts[b], pts[a]
					}
				}
				in.loops = append(in.loops, pts)
				for _, v := range r {
					if _, ok := o.orig[s2Point(v)]; !ok {
						o.orig[s2Point(v)] = v
					}
				}
			}
			in.poly = s2.PolygonFromLoops(loops)
			o.inputs = append(o.inputs, in)
		}
	}
	return o
}

func loopEdges(l []s2.Point, f func(a, b s2.Point)) {
	for k := range l {
		f(l[k], l[(k+1)%len(l)])
	}
}

// pieces splits the edges of input i at the boundaries of the inputs in
// others, recording the meeting points.
func (o *overlay) pieces(i int, others []int, order *int) []ovPiece {
	var out []ovPiece
	for _, l := range o.inputs[i].loops {
		loopEdges(l, func(a, b s2.Point) {
			ab := a.Distance(b).Radians()
			type cut struct {
				t float64
				p s2.Point
			}
			cuts := []cut{{0, a}, {ab, b}}
			for _, j := range others {
				for _, ol := range o.inputs[j].loops {
					loopEdges(ol, func(c, d s2.Point) {
						for _, v := range []s2.Point{c, d} {
							if v != a && v != b && v.Distance(s2.Project(v, a, b)).Radians() < ovSnap {
								cuts = append(cuts, cut{a.Distance(v).Radians(), v})
							}
						}
						if s2.CrossingSign(a, b, c, d) == s2.Cross {
							x := o.snap(s2.Intersection(a, b, c, d))
							cuts = append(cuts, cut{a.Distance(x).Radians(), x})
						}
					})
				}
			}
			sort.SliceStable(cuts, func(x, y int) bool { return cuts[x].t < cuts[y].t })
			prev := a
			for _, c := range cuts[1:] {
				if c.p == prev {
					continue
				}
				if c.p != a && c.p != b {
					o.splits = append(o.splits, []s2.Point{c.p})
				}
				out = append(out, ovPiece{a: prev, b: c.p, input: i, order: *order})
				*order++
				prev = c.p
			}
		})
	}
	return out
}

// classify tells where piece p lies relative to input j: 1 inside, -1
// outside, 2 on its boundary running the same way, -2 running opposite.
func (o *overlay) classify(p ovPiece, j int) int {
	mid := s2.Point{Vector: p.a.Add(p.b.Vector).Normalize()}
	dir := p.b.Sub(p.a.Vector)
	for _, l := range o.inputs[j].loops {
		res := 0
		loopEdges(l, func(c, d s2.Point) {
			if res == 0 && mid.Distance(s2.Project(mid, c, d)).Radians() < ovSnap {
				if dir.Dot(d.Sub(c.Vector)) > 0 {
					res = 2
				} else {
					res = -2
				}
			}
		})
		if res != 0 {
			return res
		}
	}
	if o.inputs[j].poly.ContainsPoint(mid) {
		return 1
	}
	return -1
}

// assemble chains the kept pieces into loops; ok=false if they do not close.
func assemble(kept []ovPiece) ([][]s2.Point, bool) {
	sort.SliceStable(kept, func(x, y int) bool { return kept[x].order < kept[y].order })
	from := map[s2.Point][]int{}
	for i, p := range kept {
		from[p.a] = append(from[p.a], i)
	}
	used := make([]bool, len(kept))
	var loops [][]s2.Point
	for i := range kept {
		if used[i] {
			continue
		}
		start := kept[i].a
		var loop []s2.Point
		cur := i
		for {
			used[cur] = true
			loop = append(loop, kept[cur].a)
			end := kept[cur].b
			if end == start {
				break
			}
			next := -1
			for _, k := range from[end] {
				if !used[k] {
					next = k
					break
				}
			}
			if next < 0 || len(loop) > len(kept) {
				return nil, false
			}
			cur = next
		}
		if len(loop) >= 3 {
			loops = append(loops, loop)
		}
	}
	return loops, true
}

// ovResult renders loops as GeoJSON (Polygon or MultiPolygon; holes go
// with the shell holding them) plus stray points; empty gives an empty
// GeometryCollection.
func ovResult(loops [][]s2.Point, points []s2.Point, orig map[s2.Point]LngLat) string {
	type poly struct {
		shell *s2.Loop
		rings [][]LngLat
	}
	var polys []*poly
	var holes [][]s2.Point
	for _, l := range loops {
		sl := s2.LoopFromPoints(l)
		if sl.Area() > 2*math.Pi {
			holes = append(holes, l)
			continue
		}
		polys = append(polys, &poly{shell: sl, rings: [][]LngLat{closedRing(l, orig)}})
	}
	for _, h := range holes {
		var best *poly
		for _, p := range polys {
			if p.shell.ContainsPoint(h[0]) && (best == nil || p.shell.Area() < best.shell.Area()) {
				best = p
			}
		}
		if best != nil {
			best.rings = append(best.rings, closedRing(h, orig))
		}
	}
	var parts []string
	for _, p := range points {
		parts = append(parts, PointJSON(lngLatOr(p, orig)))
	}
	if len(polys) > 0 {
		var all [][][]LngLat
		for _, p := range polys {
			all = append(all, p.rings)
		}
		parts = append(parts, polygonsJSON(all))
	}
	switch len(parts) {
	case 0:
		return `{"type":"GeometryCollection","geometries":[]}`
	case 1:
		return parts[0]
	}
	out := `{"type":"GeometryCollection","geometries":[`
	for i, p := range parts {
		if i > 0 {
			out += ","
		}
		out += p
	}
	return out + "]}"
}

func lngLatOr(p s2.Point, orig map[s2.Point]LngLat) LngLat {
	if v, ok := orig[p]; ok {
		return v
	}
	return lngLatOf(p)
}

func closedRing(l []s2.Point, orig map[s2.Point]LngLat) []LngLat {
	r := make([]LngLat, 0, len(l)+1)
	for _, p := range l {
		r = append(r, lngLatOr(p, orig))
	}
	return append(r, r[0])
}

// maxOverlayEdges bounds the work of one overlay (it compares every edge
// with every other).
const maxOverlayEdges = 4000

func (o *overlay) numEdges() int {
	n := 0
	for _, in := range o.inputs {
		for _, l := range in.loops {
			n += len(l)
		}
	}
	return n
}

// unionLoops returns the loops of the union of all inputs.
func (o *overlay) unionLoops() ([][]s2.Point, bool) {
	if o.numEdges() > maxOverlayEdges {
		return nil, false
	}
	order := 0
	var kept []ovPiece
	for i := range o.inputs {
		var others []int
		for j := range o.inputs {
			if j != i {
				others = append(others, j)
			}
		}
		for _, p := range o.pieces(i, others, &order) {
			keep := true
			for _, j := range others {
				c := o.classify(p, j)
				if c == 1 || c == -2 || (c == 2 && j < i) {
					keep = false
					break
				}
			}
			if keep {
				kept = append(kept, p)
			}
		}
	}
	return assemble(kept)
}

// UnionPolygons returns the union of the (multi)polygons in the JSON array.
func UnionPolygons(arr string) (string, bool) {
	texts, ok := jsonArray(arr)
	if !ok || len(texts) == 0 {
		return "", false
	}
	var shapes []*Shape
	for _, t := range texts {
		s, ok := parseCached(t, "polygon")
		if !ok {
			return "", false
		}
		shapes = append(shapes, s)
	}
	o := newOverlay(shapes)
	loops, ok := o.unionLoops()
	if !ok {
		return "", false
	}
	return ovResult(loops, nil, o.orig), true
}

// Intersection2Polygons returns the intersection of two (multi)polygons:
// polygons, points where they only touch, or an empty collection.
func Intersection2Polygons(t1, t2 string) (string, bool) {
	a, ok1 := parseCached(t1, "polygon")
	b, ok2 := parseCached(t2, "polygon")
	if !ok1 || !ok2 {
		return "", false
	}
	// Each side is first merged into one region.
	oa, ob := newOverlay([]*Shape{a}), newOverlay([]*Shape{b})
	ua, ok1 := oa.unionLoops()
	ub, ok2 := ob.unionLoops()
	if !ok1 || !ok2 {
		return "", false
	}
	o := &overlay{}
	for _, loops := range [][][]s2.Point{ua, ub} {
		var in ovInput
		var sl []*s2.Loop
		for _, l := range loops {
			pts := make([]s2.Point, len(l))
			for k, p := range l {
				pts[k] = o.snap(p)
			}
			in.loops = append(in.loops, pts)
			ll := s2.LoopFromPoints(append([]s2.Point(nil), l...))
			sl = append(sl, ll)
		}
		in.poly = regionOf(sl)
		o.inputs = append(o.inputs, in)
	}
	if o.numEdges() > maxOverlayEdges {
		return "", false
	}
	order := 0
	var kept []ovPiece
	for i := 0; i < 2; i++ {
		for _, p := range o.pieces(i, []int{1 - i}, &order) {
			c := o.classify(p, 1-i)
			if c == 1 || (c == 2 && i == 0) {
				kept = append(kept, p)
			}
		}
	}
	loops, ok := assemble(kept)
	if !ok {
		return "", false
	}
	onLoop := map[s2.Point]bool{}
	for _, l := range loops {
		for _, p := range l {
			onLoop[p] = true
		}
	}
	// Points where the boundaries meet outside any result loop.
	var points []s2.Point
	seen := map[s2.Point]bool{}
	for _, sp := range o.splits {
		p := sp[0]
		if !onLoop[p] && !seen[p] {
			seen[p] = true
			points = append(points, p)
		}
	}
	// Shared vertices touch too.
	for _, l := range o.inputs[0].loops {
		for _, p := range l {
			if onLoop[p] || seen[p] {
				continue
			}
			for _, m := range o.inputs[1].loops {
				for _, q := range m {
					if p == q {
						seen[p] = true
						points = append(points, p)
					}
				}
			}
		}
	}
	for k, v := range ob.orig {
		oa.orig[k] = v
	}
	return ovResult(loops, points, oa.orig), true
}

// regionOf builds a polygon from oriented loops (shells counter-clockwise,
// holes clockwise) for containment tests.
func regionOf(loops []*s2.Loop) *s2.Polygon {
	for _, l := range loops {
		l.Normalize()
	}
	return s2.PolygonFromLoops(loops)
}
