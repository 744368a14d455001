package auth

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/state/sqlite"
)

// clock is an injectable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a Service over a real SQLite store in a temporary directory.
type env struct {
	t     *testing.T
	ctx   context.Context
	dir   string
	st    *sqlite.Store
	svc   *Service
	clock *clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	c := &clock{t: time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)}
	return &env{t: t, ctx: ctx, dir: dir, st: st, clock: c,
		svc: NewService(st, Options{Now: c.Now})}
}

// user creates a user directly in the store, bypassing the service's
// must-change rule, and returns a principal for it without a session.
func (e *env) user(name, role, pw string) *Principal {
	e.t.Helper()
	h, err := HashPassword(pw)
	if err != nil {
		e.t.Fatal(err)
	}
	u := &state.User{Username: name, PasswordHash: h, Role: role}
	if err := e.st.CreateUser(e.ctx, u, state.Audit{Actor: "test", Action: "test.setup"}); err != nil {
		e.t.Fatal(err)
	}
	return &Principal{Kind: KindUser, Name: name, Role: role, UserID: u.ID}
}

// audits lists audit entries with action (exact, or a "prefix."), newest first.
func (e *env) audits(action string) []state.AuditEntry {
	e.t.Helper()
	es, err := e.st.ListAudit(e.ctx, state.AuditFilter{Action: action, Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	return es
}

// lastAudit is the newest entry with action; it fails the test if none.
func (e *env) lastAudit(action string) state.AuditEntry {
	e.t.Helper()
	es := e.audits(action)
	if len(es) == 0 {
		e.t.Fatalf("no %s audit entry", action)
	}
	return es[0]
}

// checkAudit compares the fields of a that matter.
func (e *env) checkAudit(a state.AuditEntry, actor, action, target, outcome string) {
	e.t.Helper()
	if a.Actor != actor || a.Action != action || a.Target != target || a.Outcome != outcome {
		e.t.Errorf("audit = {actor %q action %q target %q outcome %q}, want {%q %q %q %q}",
			a.Actor, a.Action, a.Target, a.Outcome, actor, action, target, outcome)
	}
}

// details decodes an audit entry's details.
func details(t *testing.T, a state.AuditEntry) map[string]any {
	t.Helper()
	m := map[string]any{}
	if len(a.Details) > 0 {
		if err := json.Unmarshal(a.Details, &m); err != nil {
			t.Fatalf("details %s: %v", a.Details, err)
		}
	}
	return m
}

// noSecrets fails if any secret appears in the audit log, or in the store's
// files at all (database and WAL).
func (e *env) noSecrets(secrets ...string) {
	e.t.Helper()
	all, err := json.Marshal(e.audits(""))
	if err != nil {
		e.t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(e.dir, "state.db*"))
	for _, s := range secrets {
		if s == "" {
			e.t.Fatalf("noSecrets: empty secret")
		}
		if strings.Contains(string(all), s) {
			e.t.Errorf("secret %q appears in the audit log", s)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				e.t.Fatal(err)
			}
			if strings.Contains(string(b), s) {
				e.t.Errorf("secret %q stored in %s", s, filepath.Base(f))
			}
		}
	}
}
