package geo

import "testing"

func BenchmarkInPolygon(b *testing.B) {
	for i := 0; i < b.N; i++ {
		InPolygon(-73.96, 40.78, centralPark)
	}
}
