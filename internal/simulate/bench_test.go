package simulate

import (
	"context"
	"io"
	"testing"

	"github.com/vigilsec/vigil/internal/store"
)

// BenchmarkGenerate measures the bulk NDJSON path (`vigil simulate
// --out`): rows generated, encoded and written to a discarding writer.
func BenchmarkGenerate(b *testing.B) {
	const events = 1_000_000
	var bytes int64
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
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(bytes)/float64(events*b.N), "bytes/event")
	b.ReportMetric(0, "ns/op")
}

type byteCounter struct{ n int64 }

func (c *byteCounter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*byteCounter)(nil)

// BenchmarkGenerateRows measures the store path (Generate into a Sink):
// rows as []any in the canonical Go types, handed over in batches.
func BenchmarkGenerateRows(b *testing.B) {
	const events = 300_000
	for i := 0; i < b.N; i++ {
		g, err := New(Config{Seed: 42})
		if err != nil {
			b.Fatal(err)
		}
		if err := g.Generate(context.Background(), events, sinkFunc(func(context.Context, store.Batch) error { return nil })); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(0, "ns/op")
}
