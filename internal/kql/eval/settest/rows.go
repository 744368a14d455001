package settest

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/formats"
	"github.com/vigilsec/vigil/internal/store"
)

// rowSink keeps what a pipeline appends, per table.
type rowSink struct {
	rows    map[string][][]any
	batches []store.Batch
}

func (s *rowSink) Append(_ context.Context, b store.Batch) error {
	for _, t := range b.Tables {
		s.rows[t.Table] = append(s.rows[t.Table], t.Rows...)
	}
	s.batches = append(s.batches, b)
	return nil
}

// Ingested is the recorded attacks as the ingest pipeline makes them.
type Ingested struct {
	// Rows per table, in the schema's column order.
	Rows map[string][][]any
	// Batches are the appends the pipeline made, in order.
	Batches []store.Batch
}

// AttackRows runs every recorded attack under dir through the ingest
// pipeline (all formats detected, as the server does), with batches of
// batchRows rows (0: the pipeline's default).
func AttackRows(dir string, batchRows int) (*Ingested, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.ndjson.gz"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	sink := &rowSink{rows: map[string][][]any{}}
	p, err := ingest.NewPipeline(formats.Registry(), sink, ingest.Options{BatchRows: batchRows})
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	for _, path := range paths {
		if err := ingestFile(ctx, p, path); err != nil {
			return nil, err
		}
	}
	if err := p.Flush(ctx); err != nil {
		return nil, err
	}
	return &Ingested{Rows: sink.rows, Batches: sink.batches}, nil
}

func ingestFile(ctx context.Context, p *ingest.Pipeline, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	source := filepath.Base(path)
	lr := ingest.NewLineReader(zr, 1<<20)
	for {
		line, n, err := lr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			p.Reject(source, n, err.Error())
			continue
		}
		if _, err := p.Add(ctx, ingest.Record{Source: source, Line: n, Data: line}); err != nil {
			return err
		}
	}
}
