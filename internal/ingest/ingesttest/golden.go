package ingesttest

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/ingest"
)

// Update is the -update flag: golden files are rewritten, not compared.
var Update = flag.Bool("update", false, "rewrite the golden output files")

// CaseTimeout bounds one golden case, so that a hang fails the case
// instead of the whole run.
const CaseTimeout = 30 * time.Second

// CheckGolden compares got with the golden file at path, or writes it
// with -update.
func CheckGolden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, d)
	}
}

// Cases runs every testdata/<case>/<input> as a subtest named after the
// case: run turns the input file into the bytes that
// testdata/<case>/output.json holds. A case that fails on its own is not
// compared (nor written with -update); one that takes longer than
// CaseTimeout fails.
func Cases(t *testing.T, input string, run func(t *testing.T, path string) []byte) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*", input))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, in := range paths {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			done := make(chan struct{})
			var got []byte
			go func() {
				defer close(done) // also when run calls t.Fatal
				got = run(t, in)
			}()
			select {
			case <-done:
			case <-time.After(CaseTimeout):
				t.Fatalf("%s: no result after %v", in, CaseTimeout)
			}
			if t.Failed() {
				return
			}
			CheckGolden(t, filepath.Join(dir, "output.json"), got)
		})
	}
}

// GoldenCases runs every testdata/<case>/input.ndjson through a fresh set
// of the package's normalizers (see NormalizeLine) and compares the rows
// per table and each line's outcome with output.json.
func GoldenCases(t *testing.T, ns func() []ingest.Normalizer) {
	t.Helper()
	Cases(t, "input.ndjson", func(t *testing.T, path string) []byte {
		return goldenJSON(t, RunFile(t, ns(), path))
	})
}

// goldenJSON is the output.json of GoldenCases.
func goldenJSON(t testing.TB, results []Result) []byte {
	doc := struct {
		Counts  map[string]int `json:"counts"`
		Records []Result       `json:"records"`
	}{Counts(results), results}
	got, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(got, '\n')
}
