package ingest_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/formats"
	"github.com/vigilsec/vigil/internal/store"
)

// recorder keeps every batch appended, in order.
type recorder struct{ tables map[string][][]any }

func (r *recorder) Append(_ context.Context, b store.Batch) error {
	for _, t := range b.Tables {
		r.tables[t.Table] = append(r.tables[t.Table], t.Rows...)
	}
	return nil
}

// ingestFiles runs the recordings through a pipeline and returns the rows
// it appended per table, in order, and the summary.
func ingestFiles(t *testing.T, files []string, batchRows int) (map[string][][]any, ingest.Summary) {
	t.Helper()
	rec := &recorder{tables: map[string][][]any{}}
	p, err := ingest.NewPipeline(formats.Registry(), rec, ingest.Options{BatchRows: batchRows})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		err = ingest.ReadLines(ctx, p, filepath.Base(name), f, nil)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return rec.tables, p.Summary()
}

// The fast paths change no row: every recording of the shared datasets,
// ingested with small batches appended in the background and the
// canonical-JSON shortcut, yields exactly the rows (same tables, order and
// values) of one synchronous append with every value through
// store.Normalize, as before.
func TestPipelineFastPathsStoreSameRows(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/datasets/attack/*.ndjson.gz")
	if len(files) == 0 {
		t.Skip("shared datasets not present")
	}
	// Every third recording keeps the test quick; they cover Sysmon,
	// Security, Winlogbeat-shaped and cloud records.
	var some []string
	for i := 0; i < len(files); i += 3 {
		some = append(some, files[i])
	}
	files = some
	got, gotSum := ingestFiles(t, files, 997)
	prev := ingest.SetFastCanonical(false)
	want, wantSum := ingestFiles(t, files, math.MaxInt)
	ingest.SetFastCanonical(prev)

	if !reflect.DeepEqual(gotSum, wantSum) {
		t.Fatalf("summaries differ:\nfast %+v\nslow %+v", gotSum, wantSum)
	}
	if len(got) != len(want) {
		t.Fatalf("tables: fast %d, slow %d", len(got), len(want))
	}
	total := 0
	for table, w := range want {
		g := got[table]
		if len(g) != len(w) {
			t.Fatalf("%s: fast %d rows, slow %d", table, len(g), len(w))
		}
		for i := range w {
			if !reflect.DeepEqual(g[i], w[i]) {
				t.Fatalf("%s row %d differs:\nfast %v\nslow %v", table, i, g[i], w[i])
			}
		}
		total += len(w)
	}
	t.Logf("%d files, %d records, %d rows identical", len(files), wantSum.Records, total)
}
