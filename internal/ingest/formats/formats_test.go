package formats

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/store"
)

var update = flag.Bool("update", false, "rewrite testdata/datasets.golden.json")

// datasets is the shared recordings folder, beside the repository.
const datasets = "../../../../shared/datasets/attack"

type countingStore struct{ rows map[string]int64 }

func (c *countingStore) Append(_ context.Context, b store.Batch) error {
	for _, t := range b.Tables {
		c.rows[t.Table] += int64(len(t.Rows))
	}
	return nil
}

// TestEveryDatasetIngests runs every recording through the full registry
// in auto mode: no record may be rejected or fall to the raw catch-all,
// and the rows per table must match the golden counts.
func TestEveryDatasetIngests(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(datasets, "*.ndjson.gz"))
	if len(files) == 0 {
		t.Skip("shared datasets not present")
	}
	got := map[string]map[string]int64{}
	for _, f := range files {
		cs := &countingStore{rows: map[string]int64{}}
		p, err := ingest.NewPipeline(Registry(), cs, ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := ingest.ReadLines(context.Background(), p, filepath.Base(f), fh, nil); err != nil {
			t.Fatal(err)
		}
		fh.Close()
		if err := p.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		sum := p.Summary()
		if sum.Rejected != 0 {
			t.Errorf("%s: %d rejected, first: %+v", filepath.Base(f), sum.Rejected, sum.Errors[0])
		}
		if n := cs.rows["RawEvents"]; n != 0 {
			t.Errorf("%s: %d records fell to RawEvents: no normalizer recognised them", filepath.Base(f), n)
		}
		got[filepath.Base(f)] = cs.rows
	}
	golden := filepath.Join("testdata", "datasets.golden.json")
	if *update {
		b, _ := json.MarshalIndent(got, "", " ")
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(golden, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	var want map[string]map[string]int64
	json.Unmarshal(b, &want)
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for table, w := range want[n] {
			if got[n][table] != w {
				t.Errorf("%s: %s has %d rows, want %d", n, table, got[n][table], w)
			}
		}
		for table, g := range got[n] {
			if _, ok := want[n][table]; !ok {
				t.Errorf("%s: unexpected %d rows in %s", n, g, table)
			}
		}
	}
}

// TestDetectionIsExclusive checks that every recorded record is claimed by
// exactly one source normalizer, so registration order cannot change
// where a record goes.
func TestDetectionIsExclusive(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(datasets, "*.ndjson.gz"))
	if len(files) == 0 {
		t.Skip("shared datasets not present")
	}
	reg := Registry()
	var ns []ingest.Normalizer
	for _, f := range reg.Formats() {
		n, _ := reg.Lookup(f)
		if f != "raw" {
			ns = append(ns, n)
		}
	}
	var parser fastjson.Parser
	for _, f := range files {
		fh, _ := os.Open(f)
		rc, _, err := ingest.Decompress(fh)
		if err != nil {
			t.Fatal(err)
		}
		lr := ingest.NewLineReader(rc, ingest.MaxLineBytes)
		for n := 0; n < 2000; n++ {
			line, no, err := lr.Next()
			if err != nil {
				break
			}
			in := ingest.Input{Record: ingest.Record{Source: f, Line: no, Data: line}}
			if bytes.HasPrefix(bytes.TrimSpace(line), []byte("{")) {
				in.JSON, _ = parser.ParseBytes(line)
			}
			var claims []string
			for _, n := range ns {
				if n.Detect(&in) {
					claims = append(claims, n.Format())
				}
			}
			if len(claims) != 1 {
				t.Errorf("%s:%d claimed by %v", filepath.Base(f), no, claims)
				break
			}
		}
		rc.Close()
		fh.Close()
	}
}
