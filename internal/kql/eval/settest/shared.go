package settest

import (
	"os"
	"path/filepath"
)

// The shared datasets sit beside the repository: ../shared from its root.
var (
	// AttackDir holds the recorded attacks (OTRF Security-Datasets).
	AttackDir = Shared("datasets", "attack")
	// SigmaDir holds the SigmaHQ Windows rules.
	SigmaDir = Shared("datasets", "sigma", "rules", "windows")
)

// Shared returns a path under the shared datasets, found from the
// working directory up to the repository root (the directory holding
// go.mod); "" when there is none.
func Shared(parts ...string) string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(append([]string{dir, "..", "shared"}, parts...)...)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
