package duckdb

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// BenchmarkAppend measures rows/s into DeviceProcessEvents (63 columns)
// through Append as Parquet segments (segments.go), through the DuckDB
// appender (small batches' path) and, as the baseline in the same run, the same rows through a prepared multi-row INSERT in one
// transaction per batch. "typical" rows carry about 1.2 KB of values
// (sampleRow); "lean" rows keep only device, file, hash and command line
// (about 0.3 KB): they go barely faster, because the driver's appender
// makes one cgo call per string value, empty or not.
//
//	go test -run '^$' -bench BenchmarkAppend -count 3 ./internal/store/duckdb
func BenchmarkAppend(b *testing.B) {
	tb, _ := schema.Lookup("DeviceProcessEvents")
	for _, shape := range []string{"typical", "lean"} {
		batch := benchBatch(tb, shape == "lean")
		b.Run("segments/"+shape, func(b *testing.B) { benchSegments(b, batch) })
		b.Run("appender/"+shape, func(b *testing.B) { benchAppender(b, batch) })
		b.Run("insert/"+shape, func(b *testing.B) { benchInsert(b, batch) })
	}
}

const benchBatchRows = 10_000

// BenchmarkAppendSmall: a live sensor's batch (1,000 rows, the smallest
// that goes to segments) through both paths, for the per-batch cost.
func BenchmarkAppendSmall(b *testing.B) {
	tb, _ := schema.Lookup("DeviceProcessEvents")
	batch := benchBatch(tb, false)
	batch.Tables[0].Rows = batch.Tables[0].Rows[:1000]
	batch.Canonical = true
	for i, row := range batch.Tables[0].Rows {
		for j, c := range tb.Columns {
			v, err := store.Normalize(c, row[j])
			if err != nil {
				b.Fatal(err)
			}
			batch.Tables[0].Rows[i][j] = v
		}
	}
	b.Run("segments", func(b *testing.B) { benchSegments(b, batch) })
	b.Run("appender", func(b *testing.B) { benchAppender(b, batch) })
}

func benchBatch(tb *schema.Table, lean bool) store.Batch {
	keep := map[string]bool{"DeviceId": true, "DeviceName": true, "ActionType": true, "FileName": true,
		"FolderPath": true, "ProcessCommandLine": true, "SHA1": true}
	rows := make([][]any, benchBatchRows)
	for i := range rows {
		rows[i] = sampleRow(tb, int64(i))
		if lean {
			for j, c := range tb.Columns {
				if c.Type == schema.String && !keep[c.Name] {
					rows[i][j] = ""
				}
			}
		}
	}
	return store.Batch{Tables: []store.TableRows{{Table: tb.Name, Rows: rows}}}
}

// benchSegments: the same batches written as Parquet segments.
func benchSegments(b *testing.B, batch store.Batch) { benchPath(b, batch, 1) }

// benchAppender: the same batches through the DuckDB appender.
func benchAppender(b *testing.B, batch store.Batch) { benchPath(b, batch, math.MaxInt) }

// benchPath appends batch with segmentMinRows set to minRows, which picks
// the write path.
func benchPath(b *testing.B, batch store.Batch, minRows int) {
	old := segmentMinRows
	segmentMinRows = minRows
	b.Cleanup(func() { segmentMinRows = old })
	s := benchStore(b)
	b.ResetTimer()
	for b.Loop() {
		if err := s.Append(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch.Len())/b.Elapsed().Seconds(), "rows/s")
}

func benchInsert(b *testing.B, batch store.Batch) {
	s := benchStore(b)
	tr := batch.Tables[0]
	l := s.layouts[tr.Table]
	const perStmt = 50 // 64 columns * 50 rows = 3200 parameters
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", l.width), ",") + ")"
	stmt := fmt.Sprintf("INSERT INTO %s VALUES %s", quoteIdent(tr.Table),
		strings.TrimSuffix(strings.Repeat(row+",", perStmt), ","))
	ps, err := s.wconn.PrepareContext(context.Background(), stmt)
	if err != nil {
		b.Fatal(err)
	}
	defer ps.Close()
	args := make([]any, l.width*perStmt)
	b.ResetTimer()
	for b.Loop() {
		// The same validation and conversion as Append, so that the
		// difference is the write path alone.
		p, err := s.prepare(tr, time.Now(), false)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.wconn.ExecContext(context.Background(), "BEGIN TRANSACTION"); err != nil {
			b.Fatal(err)
		}
		for r := 0; r < benchBatchRows; r += perStmt {
			for i, v := range p.vals[r*l.width : (r+perStmt)*l.width] {
				args[i] = insertArg(v)
			}
			if _, err := ps.Exec(args...); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.wconn.ExecContext(context.Background(), "COMMIT"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch.Len())/b.Elapsed().Seconds(), "rows/s")
}

// insertArg adapts an appender value for a bind parameter: JSON text binds
// as a string.
func insertArg(v driver.Value) any {
	if j, ok := v.(json.RawMessage); ok {
		return string(j)
	}
	return v
}

func benchStore(b *testing.B) *Store {
	s, err := open(b.TempDir(), store.Options{RetentionInterval: -1}, schema.Tables())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkSegmentFile: encoding a 10,000-row batch of
// DeviceProcessEvents as a Parquet segment and writing it, the
// CPU part of the segment path (no commit, no compaction). Take the
// minimum of several runs on a shared machine.
func BenchmarkSegmentFile(b *testing.B) {
	tb, _ := schema.Lookup("DeviceProcessEvents")
	batch := benchBatch(tb, false)
	rows := batch.Tables[0].Rows
	for i, row := range rows {
		for j, c := range tb.Columns {
			v, err := store.Normalize(c, row[j])
			if err != nil {
				b.Fatal(err)
			}
			rows[i][j] = v
		}
	}
	dir := b.TempDir()
	var ec encoderCache
	now := time.Now()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		enc := ec.get(tb)
		if _, err := writeSegment(fmt.Sprintf("%s/%d.parquet", dir, i), func(w io.Writer) error {
			_, err := enc.encode(w, rows, now, false)
			return err
		}); err != nil {
			b.Fatal(err)
		}
		ec.put(enc)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rows)), "ns/row")
}
