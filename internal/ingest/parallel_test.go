package ingest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/enrich"
	"github.com/vigilsec/vigil/internal/ingest/formats"
	"github.com/vigilsec/vigil/internal/store"
)

// ingestWith reads the inputs through a pipeline of reg with the given
// workers and fresh default enrichers, and returns the rows appended per
// table, in order, and the summary.
func ingestWith(t *testing.T, reg *ingest.Registry, workers, batchRows int, inputs map[string][]byte, names []string) (map[string][][]any, ingest.Summary) {
	t.Helper()
	ctx := context.Background()
	enrichers, err := enrich.Default(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{tables: map[string][][]any{}}
	p, err := ingest.NewPipeline(reg, rec, ingest.Options{Workers: workers, BatchRows: batchRows, Enrichers: enrichers})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if err := ingest.ReadLines(ctx, p, name, bytes.NewReader(inputs[name]), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if p.Records() != p.Summary().Records {
		t.Errorf("Records() = %d, summary says %d", p.Records(), p.Summary().Records)
	}
	return rec.tables, p.Summary()
}

func sameRows(t *testing.T, what string, got, want map[string][][]any) int {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d tables, sequential %d", what, len(got), len(want))
	}
	total := 0
	for table, w := range want {
		g := got[table]
		if len(g) != len(w) {
			t.Fatalf("%s: %s has %d rows, sequential %d", what, table, len(g), len(w))
		}
		for i := range w {
			if !reflect.DeepEqual(g[i], w[i]) {
				t.Fatalf("%s: %s row %d differs:\nparallel   %v\nsequential %v", what, table, i, g[i], w[i])
			}
		}
		total += len(w)
	}
	return total
}

// Normalizing on several goroutines changes nothing: every recording of
// the shared datasets, with bad lines mixed in, gives the same rows in
// the same order, the same rejected records with their line numbers, and
// the same summary as one worker. Three workers on two cores interleave
// the chunks differently from run to run; domain-controller detection
// (which remembers earlier records) and the enrichers' device and account
// memory are what order could break.
func TestParallelStoresSameRowsAsSequential(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/datasets/attack/*.ndjson.gz")
	if len(files) == 0 {
		t.Skip("shared datasets not present")
	}
	inputs := map[string][]byte{}
	var names []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, filepath.Base(f))
		inputs[filepath.Base(f)] = b
	}
	// One plain file of a recording's lines (a domain's, with Kerberos
	// and directory events) with rejects between them.
	plain, err := gunzipLines("../../../shared/datasets/attack/purplesharp_ad_playbook_I.ndjson.gz")
	if err != nil {
		t.Fatal(err)
	}
	var mixed bytes.Buffer
	for i, l := range plain {
		mixed.Write(l)
		mixed.WriteByte('\n')
		switch i % 97 {
		case 3:
			mixed.WriteString("{\"EventID\": 1, truncated\n")
		case 50:
			mixed.WriteString(`{"EventID":"x","Channel":"Security","Hostname":"h","TimeCreated":"2024-01-01T00:00:00Z"}` + "\n")
		}
	}
	names = append(names, "mixed.ndjson")
	inputs["mixed.ndjson"] = mixed.Bytes()

	want, wantSum := ingestWith(t, formats.Registry(), 1, 5000, inputs, names)
	got, gotSum := ingestWith(t, formats.Registry(), 3, 5000, inputs, names)
	if !reflect.DeepEqual(gotSum, wantSum) {
		t.Fatalf("summaries differ:\nparallel   %+v\nsequential %+v", gotSum, wantSum)
	}
	if wantSum.Rejected < int64(len(plain)/97) {
		t.Fatal("the mixed file's bad lines were not rejected")
	}
	n := sameRows(t, "datasets", got, want)
	t.Logf("%d files, %d records (%d rejected), %d rows identical", len(names), wantSum.Records, wantSum.Rejected, n)
}

func gunzipLines(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rc, _, err := ingest.Decompress(f)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, err
	}
	return bytes.Split(bytes.TrimSpace(b), []byte("\n")), nil
}

// running numbers each record it accepts after the ones before it, as a
// normalizer that learns from the stream would: out of order it can only
// answer ErrNeedsOrder. It rejects records with "bad", and panics on
// "boom".
type running struct {
	n         atomic.Int64
	unordered atomic.Int64 // calls marked Unordered
}

func (*running) Format() string               { return "running" }
func (*running) Detect(in *ingest.Input) bool { return true }
func (r *running) Normalize(in *ingest.Input, out *ingest.RowSet) error {
	switch {
	case bytes.Contains(in.Data, []byte("boom")):
		panic("boom")
	case bytes.Contains(in.Data, []byte("bad")):
		return fmt.Errorf("bad record")
	}
	if in.Unordered {
		r.unordered.Add(1)
		if bytes.Contains(in.Data, []byte("stateful")) {
			return ingest.ErrNeedsOrder
		}
		out.New("RawEvents").Set("TimeGenerated", time.Unix(0, 0).UTC()).Set("SourceName", string(in.Data))
		return nil
	}
	if bytes.Contains(in.Data, []byte("stateful")) {
		out.New("RawEvents").Set("TimeGenerated", time.Unix(0, 0).UTC()).Set("SourceName", strconv.FormatInt(r.n.Add(1), 10))
		return nil
	}
	out.New("RawEvents").Set("TimeGenerated", time.Unix(0, 0).UTC()).Set("SourceName", string(in.Data))
	return nil
}

// A normalizer that needs order gets it: records it refuses out of order
// are normalized again in turn, so its running numbers follow the input,
// and AddMany's per-record errors are Add's.
func TestAddManyOrdersStatefulRecords(t *testing.T) {
	var recs []ingest.Record
	for i := range 1000 {
		kind := "plain"
		switch {
		case i%7 == 0:
			kind = "stateful"
		case i%101 == 5:
			kind = "bad"
		case i%211 == 9:
			kind = "boom"
		}
		recs = append(recs, ingest.Record{Source: "s", Line: int64(i + 1), Data: []byte(kind + " " + strconv.Itoa(i))})
	}
	run := func(workers int) (*recorder, ingest.Summary, []*ingest.RecordError, *running) {
		n := &running{}
		rec := &recorder{tables: map[string][][]any{}}
		p, _ := ingest.NewPipeline(ingest.NewRegistry(n), rec, ingest.Options{Workers: workers, BatchRows: 64})
		ctx := context.Background()
		var errs []*ingest.RecordError
		for lo := 0; lo < len(recs); lo += 300 {
			e, err := p.AddMany(ctx, recs[lo:min(lo+300, len(recs))])
			if err != nil {
				t.Fatal(err)
			}
			errs = append(errs, e...)
		}
		if err := p.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		return rec, p.Summary(), errs, n
	}
	seqRec, seqSum, seqErrs, _ := run(1)
	parRec, parSum, parErrs, par := run(4)
	if par.unordered.Load() == 0 {
		t.Fatal("four workers normalized nothing out of order")
	}
	if !reflect.DeepEqual(parSum, seqSum) {
		t.Fatalf("summaries differ:\nparallel   %+v\nsequential %+v", parSum, seqSum)
	}
	if !reflect.DeepEqual(parErrs, seqErrs) || len(seqErrs) != len(recs) {
		t.Fatalf("per-record errors differ (%d, %d entries)", len(parErrs), len(seqErrs))
	}
	sameRows(t, "running", parRec.tables, seqRec.tables)
	rows := seqRec.tables["RawEvents"]
	// The 143 stateful records (every 7th) are numbered 1..143 in order.
	next := int64(1)
	for _, r := range rows {
		for _, v := range r {
			if s, ok := v.(string); ok && !strings.Contains(s, " ") {
				if s != strconv.FormatInt(next, 10) {
					t.Fatalf("stateful record numbered %s, want %d", s, next)
				}
				next++
			}
		}
	}
	if next != 144 {
		t.Fatalf("%d stateful rows, want 143", next-1)
	}
	if seqSum.Rejected == 0 || !strings.Contains(seqSum.Errors[0].Reason, "bad record") {
		t.Fatalf("rejects %+v", seqSum.Errors)
	}
}

type failingStore struct{}

func (failingStore) Append(context.Context, store.Batch) error { return errors.New("disk full") }

// afterReturn fails a test that reads it once ReadLines has returned.
type afterReturn struct {
	r        io.Reader
	returned atomic.Bool
	late     atomic.Int64
}

// Read is slow, so that the reading goroutine is busy when the pipeline
// fails.
func (a *afterReturn) Read(b []byte) (int, error) {
	if a.returned.Load() {
		a.late.Add(1)
	}
	time.Sleep(20 * time.Microsecond)
	return a.r.Read(b[:min(len(b), 512)])
}

// ReadLines reads a chunk ahead on a goroutine of its own; when the store
// fails it returns the failure, and that goroutine has stopped reading by
// then (a request body must not be read after its handler returns).
func TestReadLinesStopsReadingOnStoreFailure(t *testing.T) {
	var in bytes.Buffer
	for i := range 100_000 {
		fmt.Fprintf(&in, "{\"n\":%d,\"host\":\"h\",\"@timestamp\":\"2024-01-01T00:00:00Z\"}\n", i)
	}
	r := &afterReturn{r: &in}
	p, _ := ingest.NewPipeline(ingest.NewRegistry(ingest.Raw{}), failingStore{}, ingest.Options{BatchRows: 100})
	err := ingest.ReadLines(context.Background(), p, "s", r, nil)
	r.returned.Store(true)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("ReadLines = %v, want the store's failure", err)
	}
	if in.Len() == 0 {
		t.Error("the whole input was read despite the failure")
	}
	time.Sleep(10 * time.Millisecond) // a reader still running would read now
	if n := r.late.Load(); n != 0 {
		t.Fatalf("%d reads after ReadLines returned", n)
	}
}
