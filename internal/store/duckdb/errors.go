package duckdb

import (
	"fmt"
	"strings"
	"sync"

	"github.com/vigilsec/vigil/internal/store"
)

// DuckDB reports open failures as text only; these fragments are stable
// across its releases and are what tells a lock from a damaged file.
var (
	lockedText  = []string{"could not set lock on file"}
	corruptText = []string{
		"not a valid duckdb database file",
		"corrupt",
		"checksum",
		"failure while replaying wal",
		"serialization error",
		"database file with version number",
		"is not a duckdb database",
	}
)

func containsAny(s string, frags []string) bool {
	s = strings.ToLower(s)
	for _, f := range frags {
		if strings.Contains(s, f) {
			return true
		}
	}
	return false
}

// openError turns a failure to open the database file into an error the
// CLI can print as is: ErrLocked or ErrCorrupt when it is one of those.
func openError(path string, err error) error {
	switch msg := err.Error(); {
	case containsAny(msg, lockedText):
		return fmt.Errorf("%w: %s is in use, probably by another vigil process (%v)", store.ErrLocked, path, err)
	case containsAny(msg, corruptText):
		return fmt.Errorf("%w: %s cannot be read (%v)", store.ErrCorrupt, path, err)
	}
	return fmt.Errorf("duckdb: open %s: %w", path, err)
}

// DuckDB's file lock is per process (fcntl), so two stores in one process
// would both get the file and corrupt it. This registry refuses that.
var (
	openMu    sync.Mutex
	openPaths = map[string]bool{}
)

func claimPath(path string) (release func(), err error) {
	openMu.Lock()
	defer openMu.Unlock()
	if openPaths[path] {
		return nil, fmt.Errorf("%w: %s is already open in this process", store.ErrLocked, path)
	}
	openPaths[path] = true
	return func() {
		openMu.Lock()
		delete(openPaths, path)
		openMu.Unlock()
	}, nil
}
