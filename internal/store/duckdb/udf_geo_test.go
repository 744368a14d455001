package duckdb

import (
	"context"
	"testing"

	"github.com/vigilsec/vigil/internal/store"
)

func TestGeoUDFsOnEveryConnection(t *testing.T) {
	s, err := Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	// Hold several connections at once so the pool opens new ones.
	var conns []interface{ Close() error }
	for i := 0; i < 3; i++ {
		c, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var h string
		if err := c.QueryRowContext(ctx, "SELECT vigil_geo_point_to_geohash(?, ?, ?)", -80.195829, 25.802215, 8.0).Scan(&h); err != nil {
			t.Fatal(err)
		}
		if h != "dhwfz15h" {
			t.Fatalf("conn %d: geohash %q", i, h)
		}
		var n any
		if err := c.QueryRowContext(ctx, "SELECT vigil_geo_point_to_geohash(200.0, 1.0, 8.0)").Scan(&n); err != nil || n != nil {
			t.Fatalf("invalid point: %v %v", n, err)
		}
	}
	for _, c := range conns {
		c.Close()
	}
}
