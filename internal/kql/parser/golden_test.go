package parser

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/kql/ast"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden parses testdata/golden/<case>/input.kql and compares the tree
// with ast.txt. Run go test -update to rewrite the golden files, then
// review the diff.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "golden", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(dir, "input.kql"))
			if err != nil {
				t.Fatal(err)
			}
			var q *ast.Query
			withWatchdog(t, func() { q, err = Parse(string(src)) })
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := ast.DumpIndent(q)
			golden := filepath.Join(dir, "ast.txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("tree differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// withWatchdog runs f and fails the test if it does not finish in time, as
// go/printer's tests do: a parser bug must not hang the test run. f runs
// on another goroutine, so it must not call t.Fatal.
func withWatchdog(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("did not finish within 10s")
	}
}
