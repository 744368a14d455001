package simulate

import (
	"context"
	"encoding/json"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// The benchmarks report events/s (wall clock) and events/cpu-s (per
// second of CPU the process used, user and system): on a machine shared
// with other work the second is the one that holds from run to run, and
// events/s on two idle cores is at most twice it.

// cpuTime is the CPU the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportRates(b *testing.B, events, bytes int64, cpu0 time.Duration) {
	cpu := (cpuTime() - cpu0).Seconds()
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	if cpu > 0 {
		b.ReportMetric(float64(events)/cpu, "events/cpu-s")
	}
	if bytes > 0 {
		b.ReportMetric(float64(bytes)/b.Elapsed().Seconds()/1e6, "MB/s")
		b.ReportMetric(float64(bytes)/float64(events), "bytes/event")
	}
	b.ReportMetric(0, "ns/op")
}

// BenchmarkGenerate measures the bulk NDJSON path (`vigil simulate
// --out`): rows generated, encoded and written to a discarding writer.
func BenchmarkGenerate(b *testing.B) {
	const events = 1_000_000
	var bytes, busy, slots int64
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		g, err := New(Config{Seed: 42})
		if err != nil {
			b.Fatal(err)
		}
		cw := &byteCounter{}
		if err := g.WriteNDJSON(context.Background(), events, cw); err != nil {
			b.Fatal(err)
		}
		bytes += cw.n
		busy += g.busy.Load()
		slots += g.slots.Load()
	}
	reportRates(b, events*int64(b.N), bytes, cpu0)
	reportBusy(b, busy, slots)
}

// BenchmarkGenerateCompressed measures `vigil simulate --out F.ndjson.gz`
// and `.zst`: BenchmarkGenerate plus each chunk compressed by the worker
// that made it. MB/s and bytes/event are of the compressed output.
func BenchmarkGenerateCompressed(b *testing.B) {
	const events = 300_000
	for _, c := range []Compression{Zstd, Gzip} {
		b.Run(c.String(), func(b *testing.B) {
			var bytes, busy, slots int64
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				g, err := New(Config{Seed: 42})
				if err != nil {
					b.Fatal(err)
				}
				cw := &byteCounter{}
				if err := g.WriteNDJSONCompressed(context.Background(), events, cw, c); err != nil {
					b.Fatal(err)
				}
				bytes += cw.n
				busy += g.busy.Load()
				slots += g.slots.Load()
			}
			reportRates(b, events*int64(b.N), bytes, cpu0)
			reportBusy(b, busy, slots)
		})
	}
}

// BenchmarkGenerateStdJSON is the baseline for BenchmarkGenerate: the
// same rows generated as values (the store path) and encoded the obvious
// way, one encoding/json object per row. It is some 25 times slower, so it
// makes a quarter of the rows (the same first quarter; compare
// events/cpu-s).
func BenchmarkGenerateStdJSON(b *testing.B) {
	const events = 250_000
	var bytes int64
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		g, err := New(Config{Seed: 42})
		if err != nil {
			b.Fatal(err)
		}
		cw := &byteCounter{}
		enc := json.NewEncoder(cw)
		sink := sinkFunc(func(_ context.Context, batch store.Batch) error {
			for _, tr := range batch.Tables {
				st, _ := schema.Lookup(tr.Table)
				for _, r := range tr.Rows {
					m := map[string]any{"$table": tr.Table}
					for k, v := range r {
						if v != nil {
							m[st.Columns[k].Name] = v
						}
					}
					if err := enc.Encode(m); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err := g.Generate(context.Background(), events, sink); err != nil {
			b.Fatal(err)
		}
		bytes += cw.n
	}
	reportRates(b, events*int64(b.N), bytes, cpu0)
}

// reportBusy reports how much of the time the generating workers were
// busy: below 100% the merge order left a worker idle while shards waited
// for their turn. On a loaded machine the workers' time includes waiting
// for a CPU, so it reads high; it is the merge's own losses it shows.
func reportBusy(b *testing.B, busy, slots int64) {
	if slots > 0 {
		b.ReportMetric(100*float64(busy)/float64(slots), "busy%")
	}
}

type byteCounter struct{ n int64 }

func (c *byteCounter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*byteCounter)(nil)

// BenchmarkGenerateRows measures the store path (Generate into a Sink):
// rows as []any in the canonical Go types, handed over in batches.
func BenchmarkGenerateRows(b *testing.B) {
	const events = 1_000_000
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		g, err := New(Config{Seed: 42})
		if err != nil {
			b.Fatal(err)
		}
		if err := g.Generate(context.Background(), events, sinkFunc(func(context.Context, store.Batch) error { return nil })); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, events*int64(b.N), 0, cpu0)
}
