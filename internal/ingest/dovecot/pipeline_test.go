package dovecot

import (
	"context"
	"os"
	"testing"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/store"
)

type memStore struct{ rows map[string]int }

func (m *memStore) Append(_ context.Context, b store.Batch) error {
	for _, t := range b.Tables {
		m.rows[t.Table] += len(t.Rows)
	}
	return nil
}

// pipelineRun feeds lines through the real pipeline, with the package's
// normalizers detected ahead of the raw catch-all.
func pipelineRun(t *testing.T, source string, lines [][]byte) (ingest.Summary, map[string]int) {
	t.Helper()
	reg := ingest.NewRegistry(append(normalizers(), ingest.Raw{})...)
	m := &memStore{rows: map[string]int{}}
	p, err := ingest.NewPipeline(reg, m, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, l := range lines {
		if l == nil {
			continue
		}
		if _, err := p.Add(ctx, ingest.Record{Source: source, Line: int64(i + 1), Data: l}); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return p.Summary(), m.rows
}

// TestPipeline runs the golden inputs through the pipeline: the records
// a golden case expects to fail are the only ones rejected.
func TestPipeline(t *testing.T) {
	var lines [][]byte
	want := 0
	for _, c := range []string{"reference_samples", "authentication", "directory", "events"} {
		path := "testdata/" + c + "/input.ndjson"
		if _, err := os.Stat(path); err != nil {
			continue
		}
		for _, r := range runFile(t, normalizers(), path) {
			if r.Error != "" && r.Error != "not detected" {
				want++
			}
		}
		lines = append(lines, readLines(t, path)...)
	}
	sum, _ := pipelineRun(t, "golden", lines)
	if int(sum.Rejected) != want {
		t.Errorf("rejected %d, want %d: %+v", sum.Rejected, want, sum.Errors)
	}
}
