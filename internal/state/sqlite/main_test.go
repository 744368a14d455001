package sqlite

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

// TestMain doubles as the child process of the multi-process tests: with
// childEnv set, the test binary runs runChild instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild())
	}
	os.Exit(m.Run())
}

// openTest opens a new store in a temporary directory, closed at cleanup.
func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// aud is a minimal valid audit entry.
func aud(action, target string) state.Audit {
	return state.Audit{Actor: "system", Action: action, Target: target, Remote: "local",
		Details: json.RawMessage(`{"k":"v"}`)}
}

// auditCount is the number of audit entries (up to the listing cap).
func auditCount(t *testing.T, s *Store) int {
	t.Helper()
	es, err := s.ListAudit(ctxT(t), state.AuditFilter{Limit: maxAuditLimit})
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

// lastAudit is the newest audit entry.
func lastAudit(t *testing.T, s *Store) state.AuditEntry {
	t.Helper()
	es, err := s.ListAudit(ctxT(t), state.AuditFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 {
		t.Fatalf("no audit entries")
	}
	return es[0]
}
