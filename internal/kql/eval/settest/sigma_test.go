package settest

import (
	"os"
	"testing"

	"github.com/vigilsec/vigil/internal/kql/eval"
)

// TestSigmaCompiles translates the shared Sigma rules; nearly all must
// compile for continuous evaluation, or the benchmarks built on them
// would not be representative.
func TestSigmaCompiles(t *testing.T) {
	if _, err := os.Stat(SigmaDir); err != nil {
		t.Skipf("Sigma rules not available: %v", err)
	}
	rules, err := Sigma(SigmaDir)
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	tables := map[string]int{}
	for _, r := range rules {
		if _, err := eval.CompileText(r.Query, r.Table); err != nil {
			bad++
			if bad <= 5 {
				t.Logf("%s: %v\n%s", r.ID, err, r.Query)
			}
			continue
		}
		tables[r.Table]++
	}
	t.Logf("%d rules translated, %d do not compile; per table %v", len(rules), bad, tables)
	if len(rules) < 2000 || bad > len(rules)/50 {
		t.Errorf("%d rules translated, %d do not compile", len(rules), bad)
	}
}
