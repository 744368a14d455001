package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/vigilsec/vigil/internal/state"
)

// Environment of a child process (see TestMain).
const (
	childEnv   = "VIGIL_SQLITE_TEST_CHILD" // the child's name; tokens are <name>-<i>
	childDB    = "VIGIL_SQLITE_TEST_DB"
	childCount = "VIGIL_SQLITE_TEST_COUNT"
)

// runChild opens the store named in the environment and creates tokens in
// it, as `vigil token create` would beside a running server.
func runChild() int {
	name := os.Getenv(childEnv)
	n, _ := strconv.Atoi(os.Getenv(childCount))
	s, err := Open(os.Getenv(childDB))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		return 1
	}
	defer s.Close()
	ctx := context.Background()
	for i := range n {
		if err := createToken(ctx, s, fmt.Sprintf("%s-%d", name, i)); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			return 1
		}
	}
	return 0
}

func createToken(ctx context.Context, s *Store, id string) error {
	tok := &state.Token{ID: id, Name: id, Role: "reader", SecretHash: []byte(id), CreatedBy: "cli:test"}
	return s.CreateToken(ctx, tok, state.Audit{Actor: "cli:test", Action: "token.create", Target: "token:" + id})
}

// Two child processes and the parent open a new file at the same moment
// (racing to migrate it) and write concurrently; every write succeeds and
// every process sees all of them.
func TestMultiProcess(t *testing.T) {
	const n = 60
	path := filepath.Join(t.TempDir(), "state.db")
	var children []*exec.Cmd
	for _, name := range []string{"childA", "childB"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+name, childDB+"="+path, childCount+"="+strconv.Itoa(n))
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		children = append(children, cmd)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := ctxT(t)

	// The parent writes from several goroutines, plus audit-only records
	// and token touches, while the children write.
	var wg sync.WaitGroup
	errs := make(chan error, 4*n)
	for g := range 2 {
		wg.Go(func() {
			for i := range n / 2 {
				id := fmt.Sprintf("parent%d-%d", g, i)
				if err := createToken(ctx, s, id); err != nil {
					errs <- err
					continue
				}
				if err := s.TouchToken(ctx, id, s.now()); err != nil {
					errs <- err
				}
				if err := s.Record(ctx, state.Audit{Actor: "system", Action: "test.tick"}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	for _, c := range children {
		if err := c.Wait(); err != nil {
			t.Errorf("child: %v", err)
		}
	}
	close(errs)
	for err := range errs {
		t.Errorf("parent write: %v", err)
	}

	toks, err := s.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, tk := range toks {
		seen[tk.ID] = true
	}
	for _, prefix := range []string{"childA", "childB"} {
		for i := range n {
			if id := fmt.Sprintf("%s-%d", prefix, i); !seen[id] {
				t.Errorf("token %s missing", id)
			}
		}
	}
	if len(toks) != 3*n {
		t.Errorf("%d tokens, want %d", len(toks), 3*n)
	}
	es, err := s.ListAudit(ctx, state.AuditFilter{Action: "token.create", Limit: maxAuditLimit})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 3*n {
		t.Errorf("%d token.create audit entries, want %d", len(es), 3*n)
	}
	if v, err := s.SchemaVersion(ctx); err != nil || v != knownVersion(t) {
		t.Errorf("SchemaVersion = %d, %v", v, err)
	}
}

// A lock held by another connection beyond the busy timeout is ErrLocked,
// not a hang and not a generic error.
func TestLockedIsErrLocked(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the busy timeout")
	}
	path := filepath.Join(t.TempDir(), "state.db")
	a, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := ctxT(t)
	tx, err := a.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE: holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	err = b.Record(ctx, state.Audit{Actor: "system", Action: "x"})
	if !errors.Is(err, state.ErrLocked) {
		t.Fatalf("Record while locked = %v, want ErrLocked", err)
	}
	// Readers are not blocked by a writer in WAL mode.
	if _, err := b.CountUsers(ctx); err != nil {
		t.Errorf("read while locked: %v", err)
	}
}
