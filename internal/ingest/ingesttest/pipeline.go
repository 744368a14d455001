package ingesttest

import (
	"context"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/store"
)

// Store is an in-memory ingest.Appender for pipeline tests. It counts
// the rows appended per table and, with Keep, keeps them. It is safe for
// concurrent use.
type Store struct {
	// Keep keeps the appended rows for Rows.
	Keep bool
	// Appended, when not nil, is signalled after each append without
	// blocking (give it a buffer of one).
	Appended chan struct{}

	mu     sync.Mutex
	counts map[string]int
	rows   map[string][][]any
}

func (s *Store) Append(_ context.Context, b store.Batch) error {
	s.mu.Lock()
	if s.counts == nil {
		s.counts, s.rows = map[string]int{}, map[string][][]any{}
	}
	for _, t := range b.Tables {
		s.counts[t.Table] += len(t.Rows)
		if s.Keep {
			s.rows[t.Table] = append(s.rows[t.Table], t.Rows...)
		}
	}
	s.mu.Unlock()
	if s.Appended != nil {
		select {
		case s.Appended <- struct{}{}:
		default:
		}
	}
	return nil
}

// Count returns how many rows of a table were appended.
func (s *Store) Count(table string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[table]
}

// Counts returns the rows appended per table.
func (s *Store) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		c[k] = v
	}
	return c
}

// Rows returns the appended rows of a table (with Keep).
func (s *Store) Rows(table string) [][]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rows[table]
}

// Epoch is the clock of the harness's raw catch-all, for records without
// a time of their own.
func Epoch() time.Time { return time.Unix(0, 0) }

// Pipeline returns a pipeline that detects ns ahead of the raw catch-all
// (ingest.Raw stamped with Epoch), as the server registers them, and the
// Store it appends to.
func Pipeline(t testing.TB, ns []ingest.Normalizer) (*ingest.Pipeline, *Store) {
	t.Helper()
	reg := ingest.NewRegistry(append(append([]ingest.Normalizer(nil), ns...), ingest.Raw{Now: Epoch})...)
	s := &Store{}
	p, err := ingest.NewPipeline(reg, s, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p, s
}

// RunLines feeds lines through a Pipeline of ns; nil lines (blank, see
// ReadLines) are passed over, and line n is at index n-1. It returns the
// pipeline's summary and the rows appended per table.
func RunLines(t testing.TB, ns []ingest.Normalizer, source string, lines [][]byte) (ingest.Summary, map[string]int) {
	t.Helper()
	p, s := Pipeline(t, ns)
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
	return p.Summary(), s.Counts()
}

// IngestFile streams an NDJSON file (maybe compressed) through a Pipeline
// of ns as the server would: lines of more than 1 MiB are rejected, and
// the file's base name is the records' source.
func IngestFile(t testing.TB, ns []ingest.Normalizer, path string) ingest.Summary {
	t.Helper()
	r := Open(t, path)
	defer r.Close()
	p, _ := Pipeline(t, ns)
	source := filepath.Base(path)
	lr := ingest.NewLineReader(r, 1<<20)
	ctx := context.Background()
	for {
		line, n, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			p.Reject(source, n, err.Error())
			continue
		}
		if _, err := p.Add(ctx, ingest.Record{Source: source, Line: n, Data: line}); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return p.Summary()
}

// PipelineGolden runs the golden inputs testdata/<case>/input.ndjson
// through a Pipeline of ns: the records a golden case expects to fail
// (with an error other than "not detected", which the raw catch-all takes)
// must be the only ones rejected.
func PipelineGolden(t *testing.T, ns func() []ingest.Normalizer) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*", "input.ndjson"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	var lines [][]byte
	want := 0
	for _, path := range paths {
		for _, r := range RunFile(t, ns(), path) {
			if r.Error != "" && r.Error != "not detected" {
				want++
			}
		}
		lines = append(lines, ReadLines(t, path)...)
	}
	sum, _ := RunLines(t, ns(), "golden", lines)
	if int(sum.Rejected) != want {
		t.Errorf("rejected %d, want %d: %+v", sum.Rejected, want, sum.Errors)
	}
}
