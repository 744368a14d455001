package duckdb

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/store"
)

// TestBackgroundCheckpoint: once the log passes the soft limit, the
// checkpointer folds it into the database while the store stays usable,
// and nothing appended is lost.
func TestBackgroundCheckpoint(t *testing.T) {
	soft, every := walSoftLimit, checkpointEvery
	walSoftLimit, checkpointEvery = 64<<10, 20*time.Millisecond
	t.Cleanup(func() { walSoftLimit, checkpointEvery = soft, every })

	dir := t.TempDir()
	s := openTables(t, dir, testOptions(), second)
	wal := s.Path() + ".wal"
	const batches, per = 20, 500
	for b := range batches {
		rows := make([][]any, per)
		for i := range rows {
			rows[i] = []any{int64(b*per + i), strings.Repeat("x", 200)}
		}
		mustAppend(t, s, store.Batch{Tables: []store.TableRows{{Table: "Second", Rows: rows}}})
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		fi, err := os.Stat(wal)
		if err != nil || fi.Size() < walSoftLimit {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the log is still %d bytes", fi.Size())
		}
		time.Sleep(20 * time.Millisecond)
	}
	res, err := s.Query(t.Context(), store.Query{SQL: `SELECT count(*) FROM "Second"`})
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Rows[0][0].(int64); n != batches*per {
		t.Errorf("%d rows, want %d", n, batches*per)
	}
}
