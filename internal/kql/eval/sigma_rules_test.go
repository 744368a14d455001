package eval_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vigilsec/vigil/internal/detect/sigma"
	"github.com/vigilsec/vigil/internal/kql/eval"
	"github.com/vigilsec/vigil/internal/kql/eval/settest"
)

// sigmaWindowsDir holds SigmaHQ's Windows rules in the shared datasets,
// next to the repository.
var sigmaWindowsDir = settest.SigmaDir

// The rule-set tests and benchmark live in package eval; the Sigma
// compiler imports eval, so only this external test file may call it.
func init() { eval.SigmaRules = compileSigmaWindows }

// compileSigmaWindows compiles every SigmaHQ Windows rule with the
// in-tree compiler and returns the KQL of those that compile, in file
// order. Rules that do not compile are left out, as the product does.
func compileSigmaWindows() (queries []string, source string, err error) {
	if _, err := os.Stat(sigmaWindowsDir); err != nil {
		return nil, "", err
	}
	var files []string
	err = filepath.WalkDir(sigmaWindowsDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	sort.Strings(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, "", err
		}
		for _, res := range sigma.CompileFile(data, nil) {
			if res.Err == nil {
				queries = append(queries, res.Rule.Query)
			}
		}
	}
	return queries, "sigma.CompileFile(" + sigmaWindowsDir + ")", nil
}
