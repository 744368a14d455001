package sigma

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// sigmaDir holds SigmaHQ's rules, outside the repository (next to it, in
// the shared checkout).
const sigmaDir = "../../../../shared/datasets/sigma/rules"

// compileFloor is the share of SigmaHQ's Windows rules that must compile.
const compileFloor = 0.95

// ruleFiles lists the .yml files under dir.
func ruleFiles(t testing.TB, dir string) []string {
	t.Helper()
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("SigmaHQ rules not available: %v", err)
	}
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// TestSigmaHQWindows compiles every Windows rule of SigmaHQ, checks each
// through detect.Compile (syntax, binding, the native evaluator for
// continuous rules), and prints the rate and the failures by reason.
func TestSigmaHQWindows(t *testing.T) {
	files := ruleFiles(t, filepath.Join(sigmaDir, "windows"))
	total, ok, continuous := 0, 0, 0
	byReason := map[Reason][]string{}
	tables := map[string]int{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, res := range CompileFile(data, nil) {
			total++
			if res.Err != nil {
				reason := Reason("other")
				if e, isSigma := res.Err.(*Error); isSigma {
					reason = e.Reason
				}
				byReason[reason] = append(byReason[reason], fmt.Sprintf("%s: %v", strings.TrimPrefix(f, sigmaDir+"/"), res.Err))
				continue
			}
			ok++
			if res.Compiled.Continuous() {
				continuous++
			}
			tables[strings.SplitN(res.Rule.Query, "\n", 2)[0]]++
		}
	}
	rate := float64(ok) / float64(total)
	t.Logf("compiled %d of %d Windows rules (%.1f%%); %d continuous", ok, total, 100*rate, continuous)
	reasons := make([]Reason, 0, len(byReason))
	for r := range byReason {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool { return len(byReason[reasons[i]]) > len(byReason[reasons[j]]) })
	for _, r := range reasons {
		t.Logf("%5d  %s", len(byReason[r]), r)
		for _, line := range byReason[r] {
			t.Logf("         %s", line)
		}
	}
	for tbl, n := range tables {
		t.Logf("table %-24s %d rules", tbl, n)
	}
	if rate < compileFloor {
		t.Errorf("compile rate %.1f%% is below %.0f%%", 100*rate, 100*compileFloor)
	}
}
