package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// TestConvertToSegments is a tool for benchmarks, not a test: with
// VIGIL_SEGMENT_CONVERT="SRC DST" it copies the store in SRC to DST with
// every base table's rows moved into one segment per table (what a bulk
// import leaves after compaction), so the same queries can be timed over
// the base tables and over segments.
func TestConvertToSegments(t *testing.T) {
	arg := os.Getenv("VIGIL_SEGMENT_CONVERT")
	if arg == "" {
		t.Skip("set VIGIL_SEGMENT_CONVERT='SRC DST'")
	}
	src, dst, _ := strings.Cut(arg, " ")
	if err := os.MkdirAll(filepath.Join(dst, segmentsDir), 0o750); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(src, FileName), filepath.Join(dst, FileName))
	// Open once through the store: migrates to the current format.
	s, err := Open(dst, store.Options{RetentionInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	names := s.names
	s.Close()

	db, err := sql.Open("duckdb", filepath.Join(dst, FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for i, name := range names {
		tb, _ := schema.Lookup(name)
		if tb == nil {
			continue
		}
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM main."+quoteIdent(name)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			continue
		}
		var cols []string
		for _, c := range tb.Columns {
			q := quoteIdent(c.Name)
			if c.Type == schema.TimeSpan {
				q = "epoch_us(" + q + ") AS " + q
			}
			cols = append(cols, q)
		}
		cols = append(cols, quoteIdent(schema.IngestionTimeColumn))
		id := int64(i + 1)
		rel := segmentPath(name, id)
		abs := filepath.Join(dst, segmentsDir, rel)
		if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := db.ExecContext(ctx, fmt.Sprintf("COPY (SELECT %s FROM main.%s) TO %s (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE %d)",
			strings.Join(cols, ", "), quoteIdent(name), sqlString(abs), segmentRowGroup)); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(abs)
		if err != nil {
			t.Fatal(err)
		}
		var minI, maxI time.Time
		var minT, maxT sql.NullTime
		ts := "NULL"
		if _, _, ok := tb.Column("Timestamp"); ok {
			ts = `"Timestamp"`
		}
		if err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT min(%[1]s), max(%[1]s), min(%[2]s), max(%[2]s) FROM main.%[3]s",
			quoteIdent(schema.IngestionTimeColumn), ts, quoteIdent(name))).Scan(&minI, &maxI, &minT, &maxT); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO "+segmentsTable+" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			id, name, rel, columnList(tb), n, fi.Size(), minI, maxI, minT, maxT); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "DELETE FROM main."+quoteIdent(name)); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d rows, %d bytes, %v", name, n, fi.Size(), time.Since(start).Round(time.Millisecond))
	}
	if _, err := db.ExecContext(ctx, "CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
