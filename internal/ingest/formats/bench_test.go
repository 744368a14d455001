package formats_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/enrich"
	"github.com/vigilsec/vigil/internal/ingest/formats"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// sysmonLines returns the Sysmon records of a real recording, repeated
// to n lines.
func sysmonLines(b *testing.B, n int) [][]byte {
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
	out := make([][]byte, n)
	for i := range out {
		out[i] = base[i%len(base)]
	}
	return out
}

// BenchmarkIngestSysmon measures end-to-end ingestion of Sysmon events
// (decode, normalize with raw copies, enrich, durable append to DuckDB)
// against the naive baseline in the same run: encoding/json into
// map[string]any, then the same rows through the same store.
//
//	go test -run '^$' -bench IngestSysmon -benchtime 1x ./internal/ingest/formats -events 200000
func BenchmarkIngestSysmon(b *testing.B) {
	lines := sysmonLines(b, *benchEvents)
	ctx := context.Background()
	b.Run("vigil", func(b *testing.B) {
		for b.Loop() {
			st, err := duckdb.Open(b.TempDir(), store.Options{RetentionInterval: -1})
			if err != nil {
				b.Fatal(err)
			}
			enrichers, _ := enrich.Default(ctx, nil)
			p, _ := ingest.NewPipeline(formats.Registry(), st, ingest.Options{Enrichers: enrichers, BatchRows: 50_000})
			start := time.Now()
			for i, l := range lines {
				if _, err := p.Add(ctx, ingest.Record{Source: "bench", Line: int64(i + 1), Data: l}); err != nil {
					b.Fatal(err)
				}
			}
			if err := p.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(len(lines))/time.Since(start).Seconds(), "events/s")
			st.Close()
		}
	})
	b.Run("naive", func(b *testing.B) {
		// The rows Vigil produced, appended after a naive decode of
		// every line, so the baseline pays the same store cost.
		var rows []store.Batch
		cap := &capture{batches: &rows}
		p, _ := ingest.NewPipeline(formats.Registry(), cap, ingest.Options{BatchRows: 50_000})
		for i, l := range lines {
			p.Add(ctx, ingest.Record{Source: "bench", Line: int64(i + 1), Data: l})
		}
		p.Flush(ctx)
		for b.Loop() {
			st, err := duckdb.Open(b.TempDir(), store.Options{RetentionInterval: -1})
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			for _, l := range lines {
				var m map[string]any
				if err := json.Unmarshal(l, &m); err != nil {
					b.Fatal(err)
				}
			}
			for _, batch := range rows {
				batch.Canonical = false
				if err := st.Append(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(lines))/time.Since(start).Seconds(), "events/s")
			st.Close()
		}
	})
}

var benchEvents = flag.Int("events", 100_000, "events for BenchmarkIngestSysmon")

type capture struct{ batches *[]store.Batch }

func (c *capture) Append(_ context.Context, b store.Batch) error {
	*c.batches = append(*c.batches, b)
	return nil
}
