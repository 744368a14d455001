package detect

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/state/sqlite"
)

// BenchmarkAlertPipeline measures what the alert pipeline adds to a
// streamed batch that raises alerts: the baseline is evaluating the rule
// on the batch (1,000 rows, a quarter matching, 100 alerts after the
// per-run cap); then the same with the pipeline in memory
// (deduplication, no ledger) and with the SQLite ledger (counts and
// triggering rows written, one transaction per batch).
func BenchmarkAlertPipeline(b *testing.B) {
	c, err := Compile(shadowRule())
	if err != nil {
		b.Fatal(err)
	}
	batch := func(n int) [][]any {
		var rows [][]any
		for i := 0; i < 1000; i++ {
			file, cmd := "vssadmin.exe", "vssadmin delete shadows /all"
			if i%4 != 0 {
				file, cmd = "svchost.exe", "svchost -k netsvcs"
			}
			rows = append(rows, processRow(map[string]any{"Timestamp": t0.Add(time.Duration(n*1000+i) * time.Second), "ReportId": int64(n*1000 + i),
				"DeviceId": fmt.Sprint("dev", i%50), "DeviceName": fmt.Sprint("host", i%50), "FileName": file, "ProcessCommandLine": cmd}))
		}
		return rows
	}
	batches := make([][][]any, 64)
	for i := range batches {
		batches[i] = batch(i)
	}
	run := func(b *testing.B, p *Pipeline) {
		ctx := context.Background()
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			alerts, _, err := c.Match(t0, "DeviceProcessEvents", batches[i%len(batches)])
			if err != nil {
				b.Fatal(err)
			}
			if p != nil {
				pr := p.Prepare(ctx, t0, alerts, nil)
				p.Commit(ctx, pr)
			}
		}
		b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "events/s")
	}
	b.Run("match-only", func(b *testing.B) { run(b, nil) })
	b.Run("pipeline-memory", func(b *testing.B) { run(b, NewPipeline(DefaultDedupWindow, nil)) })
	b.Run("pipeline-sqlite", func(b *testing.B) {
		st, err := sqlite.Open(filepath.Join(b.TempDir(), "state.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		run(b, NewPipeline(DefaultDedupWindow, st))
	})
}
