package duckdb

import (
	"context"
	"testing"

	"github.com/vigilsec/vigil/internal/store"
)

// TestQueryProfile: a profiled query reports the rows it scanned and its
// CPU time, run after run; an error still answers.
func TestQueryProfile(t *testing.T) {
	s := openTables(t, t.TempDir(), testOptions(), second)
	ctx := context.Background()
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE "nums" AS SELECT range AS n FROM range(12345)`); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		res, err := s.Query(ctx, store.Query{SQL: `SELECT count(*) FROM "nums" WHERE n % 3 = 0`, Profile: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Stats == nil || res.Stats.RowsScanned != 12345 || res.Stats.CPU <= 0 {
			t.Fatalf("run %d: stats %+v", i, res.Stats)
		}
	}
	if _, err := s.Query(ctx, store.Query{SQL: `SELECT nosuch FROM "nums"`, Profile: true}); err == nil {
		t.Fatal("bad query ran")
	}
	if res := mustQuery(t, s, `SELECT count(*) FROM "nums"`); res.Stats != nil {
		t.Errorf("unprofiled query has stats %+v", res.Stats)
	}
}
