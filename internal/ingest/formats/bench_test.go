package formats_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/enrich"
	"github.com/vigilsec/vigil/internal/ingest/formats"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// sysmonBase returns the Sysmon records of a real recording.
func sysmonBase(b *testing.B) [][]byte {
	f, err := os.Open(filepath.Join("../../../../shared/datasets/attack", "metasploit_comsvcs_lsass_memory_dump.ndjson.gz"))
	if err != nil {
		b.Skip("shared datasets not present")
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	var base [][]byte
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"Microsoft-Windows-Sysmon/Operational"`) {
			base = append(base, append([]byte(nil), sc.Bytes()...))
		}
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return base
}

// BenchmarkIngestSysmon measures end-to-end ingestion of -events Sysmon
// events (the real records of one recording, repeated): decode,
// normalize with raw copies on every core (AddMany), enrich, durable
// append to DuckDB, and the final checkpoint at Close. The naive baseline runs in the same
// process: encoding/json into map[string]any for every line, then the
// same rows (Vigil's, for the same record) through the same store's
// DuckDB appender (BulkMinRows -1) in batches of the same size. Both report events/s and the store's bytes
// on disk per event; run each under /usr/bin/time -v for peak RSS:
//
//	go test -run '^$' -bench IngestSysmon -benchtime 1x ./internal/ingest/formats -events 5000000
func BenchmarkIngestSysmon(b *testing.B) {
	base := sysmonBase(b)
	n := *benchEvents
	ctx := context.Background()
	b.Run("vigil", func(b *testing.B) {
		for b.Loop() {
			dir := b.TempDir()
			st, err := duckdb.Open(dir, store.Options{RetentionInterval: -1})
			if err != nil {
				b.Fatal(err)
			}
			enrichers, _ := enrich.Default(ctx, nil)
			p, _ := ingest.NewPipeline(formats.Registry(), st, ingest.Options{Enrichers: enrichers, BatchRows: *benchBatchRows})
			cpu0 := cpuTime()
			start := time.Now()
			// In chunks through AddMany, as ReadLines hands them over.
			recs := make([]ingest.Record, 0, 2048)
			for i := 0; i < n; i++ {
				recs = append(recs, ingest.Record{Source: "bench", Line: int64(i + 1), Data: base[i%len(base)]})
				if len(recs) == cap(recs) || i == n-1 {
					if _, err := p.AddMany(ctx, recs); err != nil {
						b.Fatal(err)
					}
					recs = recs[:0]
				}
			}
			if err := p.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			if err := st.Close(); err != nil {
				b.Fatal(err)
			}
			report(b, n, time.Since(start), cpuTime()-cpu0, dir)
			if s := p.Summary(); s.Rejected != 0 {
				b.Fatalf("%d records rejected: %+v", s.Rejected, s.Errors[0])
			}
		}
	})
	b.Run("pipeline-discard", func(b *testing.B) {
		for _, w := range []int{1, runtime.GOMAXPROCS(0)} {
			b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) { benchDiscard(b, base, n, w) })
		}
	})
	b.Run("readlines-discard", func(b *testing.B) {
		benchReadLines(b, base, min(n, 300_000))
	})
	b.Run("naive", func(b *testing.B) {
		// Vigil's rows for each distinct record, so the baseline stores
		// exactly what Vigil stores without paying for normalization.
		rows := make([][]tableRow, len(base))
		for i, l := range base {
			c := &capture{}
			p, _ := ingest.NewPipeline(formats.Registry(), c, ingest.Options{})
			if _, err := p.Add(ctx, ingest.Record{Source: "bench", Line: int64(i + 1), Data: l}); err != nil {
				b.Fatal(err)
			}
			if err := p.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			rows[i] = c.rows
		}
		for b.Loop() {
			dir := b.TempDir()
			// The naive path writes through DuckDB's appender, as the
			// ingestion issue defines the baseline (not the segments).
			st, err := duckdb.Open(dir, store.Options{RetentionInterval: -1, BulkMinRows: -1})
			if err != nil {
				b.Fatal(err)
			}
			cpu0 := cpuTime()
			start := time.Now()
			pending := map[string]*store.TableRows{}
			var order []string
			npending := 0
			flush := func() {
				batch := store.Batch{}
				for _, name := range order {
					batch.Tables = append(batch.Tables, *pending[name])
				}
				if err := st.Append(ctx, batch); err != nil {
					b.Fatal(err)
				}
				pending, order, npending = map[string]*store.TableRows{}, order[:0], 0
			}
			for i := 0; i < n; i++ {
				var m map[string]any
				if err := json.Unmarshal(base[i%len(base)], &m); err != nil {
					b.Fatal(err)
				}
				for _, r := range rows[i%len(base)] {
					tr, ok := pending[r.table]
					if !ok {
						tr = &store.TableRows{Table: r.table}
						pending[r.table] = tr
						order = append(order, r.table)
					}
					tr.Rows = append(tr.Rows, r.values)
					npending++
				}
				if npending >= *benchBatchRows {
					flush()
				}
			}
			if npending > 0 {
				flush()
			}
			if err := st.Close(); err != nil {
				b.Fatal(err)
			}
			report(b, n, time.Since(start), cpuTime()-cpu0, dir)
		}
	})
}

// benchDiscard runs the full pipeline (decode, normalize with raw copies,
// enrichment, value checks) on the given number of workers into an
// appender that drops every batch, so it measures normalization alone:
// events/s and CPU µs per event (the process's user and system time,
// every goroutine included). Records go in through AddMany in chunks of
// 2,048, as ReadLines hands them over.
func benchDiscard(b *testing.B, base [][]byte, n, workers int) {
	ctx := context.Background()
	const chunk = 2048
	recs := make([]ingest.Record, 0, chunk)
	for b.Loop() {
		enrichers, _ := enrich.Default(ctx, nil)
		p, _ := ingest.NewPipeline(formats.Registry(), discard{}, ingest.Options{Enrichers: enrichers, BatchRows: *benchBatchRows, Workers: workers})
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		alloc0 := ms.TotalAlloc
		cpu0 := cpuTime()
		start := time.Now()
		for i := 0; i < n; i++ {
			recs = append(recs, ingest.Record{Source: "bench", Line: int64(i + 1), Data: base[i%len(base)]})
			if len(recs) == chunk || i == n-1 {
				if _, err := p.AddMany(ctx, recs); err != nil {
					b.Fatal(err)
				}
				recs = recs[:0]
			}
		}
		if err := p.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		d, cpu := time.Since(start), cpuTime()-cpu0
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(n)/d.Seconds(), "events/s")
		b.ReportMetric(float64(ms.TotalAlloc-alloc0)/float64(n), "alloc-B/event")
		if cpu > 0 {
			b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/event")
		}
		if s := p.Summary(); s.Rejected != 0 {
			b.Fatalf("%d records rejected: %+v", s.Rejected, s.Errors[0])
		}
	}
}

// benchReadLines is file import without the store: n events as one
// gzip-compressed NDJSON file through ReadLines (decompression, line
// framing, the pipeline on every core) into a discarding appender.
func benchReadLines(b *testing.B, base [][]byte, n int) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	for i := 0; i < n; i++ {
		zw.Write(base[i%len(base)])
		zw.Write([]byte{'\n'})
	}
	zw.Close()
	ctx := context.Background()
	for b.Loop() {
		enrichers, _ := enrich.Default(ctx, nil)
		p, _ := ingest.NewPipeline(formats.Registry(), discard{}, ingest.Options{Enrichers: enrichers, BatchRows: *benchBatchRows})
		cpu0 := cpuTime()
		start := time.Now()
		if err := ingest.ReadLines(ctx, p, "bench.ndjson.gz", bytes.NewReader(gz.Bytes()), nil); err != nil {
			b.Fatal(err)
		}
		if err := p.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		d, cpu := time.Since(start), cpuTime()-cpu0
		b.ReportMetric(float64(n)/d.Seconds(), "events/s")
		if cpu > 0 {
			b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/event")
		}
		if s := p.Summary(); s.Rejected != 0 || s.Records != int64(n) {
			b.Fatalf("%d records, %d rejected", s.Records, s.Rejected)
		}
	}
}

// discard is an appender that drops every batch.
type discard struct{}

func (discard) Append(context.Context, store.Batch) error { return nil }

func report(b *testing.B, n int, d, cpu time.Duration, dir string) {
	b.ReportMetric(float64(n)/d.Seconds(), "events/s")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/event")
	}
	var size int64
	filepath.WalkDir(dir, func(_ string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			if fi, err := e.Info(); err == nil {
				size += fi.Size()
			}
		}
		return nil
	})
	b.ReportMetric(float64(size)/float64(n), "disk-bytes/event")
}

var benchEvents = flag.Int("events", 100_000, "events for BenchmarkIngestSysmon")

// benchBatchRows is the pipeline's batch in every run (its default).
var benchBatchRows = flag.Int("batch-rows", 50_000, "rows per append for BenchmarkIngestSysmon")

type tableRow struct {
	table  string
	values []any
}

// capture keeps the rows a pipeline appended.
type capture struct{ rows []tableRow }

func (c *capture) Append(_ context.Context, b store.Batch) error {
	for _, tr := range b.Tables {
		for _, vals := range tr.Rows {
			c.rows = append(c.rows, tableRow{tr.Table, vals})
		}
	}
	return nil
}
