package syslog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden output files")

// goldenNow is the receipt clock of the golden cases.
var goldenNow = time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)

func goldenOptions() Options {
	return Options{Now: func() time.Time { return goldenNow }, Collector: "vigil-collector"}
}

// goldenRecord is one input line's outcome in output.json.
type goldenRecord struct {
	Line   int64       `json:"line"`
	Source string      `json:"source,omitempty"`
	Format string      `json:"format"` // "" when no normalizer detects it
	Error  string      `json:"error,omitempty"`
	Rows   []goldenRow `json:"rows,omitempty"`
}

type goldenRow struct {
	Table  string         `json:"table"`
	Values map[string]any `json:"values"`
}

// TestGolden runs testdata/<case>/input.log through detection and the
// normalizers and compares with output.json (go test -update rewrites
// it). In input.log, "# source: S" sets the Record.Source of the lines
// after it (the listeners' "syslog/udp ADDR" form carries the peer), and
// other lines starting with '#' are comments.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/input.log")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, in := range dirs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			done := make(chan struct{})
			var got []byte
			go func() { // a watchdog: a hang fails the case instead of the run
				defer close(done)
				got = runGolden(t, in)
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("timed out")
			}
			if t.Failed() {
				return
			}
			out := filepath.Join(dir, "output.json")
			if *update {
				if err := os.WriteFile(out, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(out)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if d := cmp.Diff(string(want), string(got)); d != "" {
				t.Errorf("%s differs (-want +got):\n%s", out, d)
			}
		})
	}
}

func runGolden(t *testing.T, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return nil
	}
	opts := goldenOptions()
	// Detection must not depend on the registry's order.
	regA := ingest.NewRegistry(NewCEF(opts), NewSyslog(opts))
	regB := ingest.NewRegistry(NewSyslog(opts), NewCEF(opts))
	var records []goldenRecord
	source := filepath.Base(filepath.Dir(path)) + ".log"
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	var line int64
	for sc.Scan() {
		line++
		text := sc.Text()
		if s, ok := strings.CutPrefix(text, "# source: "); ok {
			source = s
			continue
		}
		if strings.HasPrefix(text, "#") || strings.TrimSpace(text) == "" {
			continue
		}
		rec := goldenRecord{Line: line, Source: source}
		in := &ingest.Input{Record: ingest.Record{Source: source, Line: line, Data: []byte(text)}}
		na, okA := regA.Detect(in)
		nb, okB := regB.Detect(in)
		if okA != okB || (okA && na.Format() != nb.Format()) {
			t.Errorf("line %d: detection depends on order: %v/%v", line, na, nb)
		}
		if !okA {
			records = append(records, rec)
			continue
		}
		rec.Format = na.Format()
		var rs ingest.RowSet
		if err := na.Normalize(in, &rs); err != nil {
			rec.Error = err.Error()
			records = append(records, rec)
			continue
		}
		for _, r := range rs.Rows() {
			rec.Rows = append(rec.Rows, goldenRowOf(t, line, r))
		}
		records = append(records, rec)
	}
	b, err := json.MarshalIndent(records, "", "  ")
	if err != nil {
		t.Error(err)
	}
	return append(b, '\n')
}

// goldenRowOf checks every value as the pipeline does and renders the
// row's non-null columns.
func goldenRowOf(t *testing.T, line int64, r *ingest.Row) goldenRow {
	t.Helper()
	g := goldenRow{Table: r.Table.Name, Values: map[string]any{}}
	for i, v := range r.Values {
		if v == nil {
			continue
		}
		col := r.Table.Columns[i]
		cv, err := store.Normalize(col, v)
		if err != nil {
			t.Errorf("line %d: %s.%s: %v", line, r.Table.Name, col.Name, err)
			continue
		}
		if tm, ok := cv.(time.Time); ok {
			cv = tm.Format(time.RFC3339Nano)
		}
		g.Values[col.Name] = cv
	}
	return g
}

// checkRows fails on a row value the store would reject; fuzzers and
// benchmarks use it.
func checkRows(rs *ingest.RowSet) error {
	for _, r := range rs.Rows() {
		for i, v := range r.Values {
			if v == nil {
				continue
			}
			if _, err := store.Normalize(r.Table.Columns[i], v); err != nil {
				return fmt.Errorf("%s.%s: %w", r.Table.Name, r.Table.Columns[i].Name, err)
			}
		}
	}
	return nil
}
