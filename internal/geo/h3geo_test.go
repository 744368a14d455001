package geo

import (
	"fmt"
	"testing"
)

func TestH3Geometry(t *testing.T) {
	// Documented outputs of Kusto's geo_h3cell_* functions.
	if got, _ := H3Neighbors("862a1072fffffff"); fmt.Sprint(got) != "[862a10727ffffff 862a10707ffffff 862a1070fffffff 862a10777ffffff 862a100dfffffff 862a100d7ffffff]" {
		t.Errorf("neighbors %v", got)
	}
	rings, _ := H3Rings("861f8894fffffff", 2)
	if fmt.Sprint(rings) != "[[861f8894fffffff] [861f88947ffffff 861f8895fffffff 861f88867ffffff 861f8d497ffffff 861f8d4b7ffffff 861f8896fffffff] [861f88967ffffff 861f88977ffffff 861f88957ffffff 861f8882fffffff 861f88877ffffff 861f88847ffffff 861f8886fffffff 861f8d49fffffff 861f8d487ffffff 861f8d4a7ffffff 861f8d59fffffff 861f8d597ffffff]]" {
		t.Errorf("rings %v", rings)
	}
	poly, _ := H3Polygon("862a1072fffffff")
	if len(poly) != 7 || fmt.Sprintf("%.6f %.6f", poly[0].Lng, poly[0].Lat) != "-74.002274 40.735376" || poly[0] != poly[6] {
		t.Errorf("polygon %v", poly)
	}
	cells, _ := PolygonToH3Cells(`{"type":"Polygon","coordinates":[[[-3.659,40.553],[-3.913,40.409],[-3.729,40.273],[-3.524,40.440],[-3.659,40.553]]]}`, 6)
	if len(cells) != 13 {
		t.Errorf("polyfill: %d cells %v", len(cells), cells)
	}
	if tok, _ := H3FromPoint(1, 1, 10); tok == "" {
		t.Error("point to cell")
	} else if lvl, _ := H3Level(tok); lvl != 10 {
		t.Errorf("level %d", lvl)
	}
	// Bad input: no answer, never a crash or a huge allocation.
	for _, bad := range []func() bool{
		func() bool { _, ok := H3FromPoint(200, 0, 5); return ok },
		func() bool { _, ok := H3FromPoint(0, 0, 16); return ok },
		func() bool { _, ok := H3Rings("862a1072fffffff", 5000); return ok },
		func() bool { _, ok := H3Neighbors("zz"); return ok },
		func() bool { _, ok := H3Polygon("862a1072ffffff7"); return ok },
		func() bool {
			_, ok := PolygonToH3Cells(`{"type":"Polygon","coordinates":[[[-60,-60],[60,-60],[60,60],[-60,60],[-60,-60]]]}`, 15)
			return ok
		},
	} {
		if bad() {
			t.Error("bad input answered")
		}
	}
}
