package auth

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/state/sqlite"
)

func TestBootstrap(t *testing.T) {
	e := newEnv(t)
	pw, created, err := e.svc.Bootstrap(e.ctx, e.dir)
	if err != nil || !created {
		t.Fatalf("Bootstrap = %v, %v", created, err)
	}
	if len(pw) < 20 || !inAlphabet(pw) || CheckPasswordPolicy(pw) != nil {
		t.Errorf("bootstrap password %q", pw)
	}
	path := filepath.Join(e.dir, AdminPasswordFileName)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s mode %v, want 0600", path, fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(path); string(b) != pw+"\n" {
		t.Errorf("file holds %q, want the password", b)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(e.dir, ".admin-password*")); len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	u, err := e.st.UserByName(e.ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != RoleAdmin || !u.MustChangePassword || u.Disabled {
		t.Errorf("admin = %+v", u)
	}
	a := e.lastAudit("user.create")
	e.checkAudit(a, "system", "user.create", "user:admin", "success")
	e.noSecrets(pw)

	// Idempotent: users exist, nothing happens.
	pw2, created, err := e.svc.Bootstrap(e.ctx, e.dir)
	if err != nil || created || pw2 != "" {
		t.Errorf("second Bootstrap = %q, %v, %v", pw2, created, err)
	}
	if b, _ := os.ReadFile(path); string(b) != pw+"\n" {
		t.Errorf("second Bootstrap changed the file")
	}
	if n := len(e.audits("user.create")); n != 1 {
		t.Errorf("%d user.create entries, want 1", n)
	}

	// The admin can log in, must change the password, and then may act.
	p, _, err := e.svc.Login(e.ctx, "admin", pw, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.CreateToken(e.ctx, p, "x", RoleReader, time.Time{}, "", ""); err == nil {
		t.Errorf("admin created a token before changing the bootstrap password")
	}
	if err := e.svc.ChangePassword(e.ctx, p, pw, "a brand new admin password", "", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.CreateToken(e.ctx, p, "x", RoleReader, time.Time{}, "", ""); err != nil {
		t.Errorf("CreateToken after password change: %v", err)
	}
}

// A file left by a Bootstrap that crashed before creating the user is
// reused, not replaced and not an obstacle.
func TestBootstrapReusesFile(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(e.dir, AdminPasswordFileName)
	const left = "LeftOverPassword1234567"
	if err := os.WriteFile(path, []byte(left+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pw, created, err := e.svc.Bootstrap(e.ctx, e.dir)
	if err != nil || !created || pw != left {
		t.Fatalf("Bootstrap = %q, %v, %v; want the file's password", pw, created, err)
	}
	if _, _, err := e.svc.Login(e.ctx, "admin", left, "", ""); err != nil {
		t.Errorf("login with the reused password: %v", err)
	}
}

func TestBootstrapRefusesUnsafeFile(t *testing.T) {
	f := func(name string, setup func(path string)) {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			path := filepath.Join(e.dir, AdminPasswordFileName)
			setup(path)
			if _, created, err := e.svc.Bootstrap(e.ctx, e.dir); err == nil || created {
				t.Errorf("Bootstrap = %v, %v; want an error", created, err)
			}
			if n, _ := e.st.CountUsers(e.ctx); n != 0 {
				t.Errorf("%d users created", n)
			}
		})
	}
	f("world-readable", func(path string) {
		os.WriteFile(path, []byte("LeftOverPassword1234567\n"), 0o644)
		os.Chmod(path, 0o644)
	})
	f("symlink", func(path string) {
		target := filepath.Join(filepath.Dir(path), "elsewhere")
		os.WriteFile(target, []byte("LeftOverPassword1234567\n"), 0o600)
		os.Symlink(target, path)
	})
	f("too short", func(path string) {
		os.WriteFile(path, []byte("short\n"), 0o600)
	})
	f("empty", func(path string) {
		os.WriteFile(path, nil, 0o600)
	})
	f("missing dir", func(path string) {
		os.RemoveAll(filepath.Dir(path))
	})
}

// Two services on one data dir (a server and a CLI starting together)
// bootstrap once, and the password that is returned is the one in force.
func TestBootstrapConcurrent(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var svcs []*Service
	for range 3 {
		st, err := sqlite.Open(filepath.Join(dir, "state.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		svcs = append(svcs, NewService(st, Options{}))
	}
	type result struct {
		pw      string
		created bool
		err     error
	}
	results := make([]result, len(svcs))
	var wg sync.WaitGroup
	for i, s := range svcs {
		wg.Go(func() {
			pw, created, err := s.Bootstrap(ctx, dir)
			results[i] = result{pw, created, err}
		})
	}
	wg.Wait()
	var winners []string
	for _, r := range results {
		if r.err != nil {
			t.Errorf("Bootstrap: %v", r.err)
		}
		if r.created {
			winners = append(winners, r.pw)
		}
	}
	if len(winners) != 1 {
		t.Fatalf("%d Bootstraps created the admin, want 1", len(winners))
	}
	b, _ := os.ReadFile(filepath.Join(dir, AdminPasswordFileName))
	if strings.TrimSpace(string(b)) != winners[0] {
		t.Errorf("file password differs from the returned one")
	}
	if _, _, err := svcs[0].Login(ctx, "admin", winners[0], "", ""); err != nil {
		t.Errorf("login: %v", err)
	}
}
