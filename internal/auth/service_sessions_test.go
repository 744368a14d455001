package auth

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

func TestLoginAndSession(t *testing.T) {
	e := newEnv(t)
	const pw = "alice's long password"
	alice := e.user("alice", RoleAnalyst, pw)

	p, cookie, err := e.svc.Login(e.ctx, "ALICE", pw, "198.51.100.4", "req-1")
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != KindUser || p.Name != "alice" || p.Role != RoleAnalyst || p.UserID != alice.UserID ||
		len(p.SessionHash) != 32 || len(p.CSRFToken) < 32 || p.MustChangePassword {
		t.Errorf("principal = %+v", p)
	}
	if len(cookie) != sessionSecretLen || !inAlphabet(cookie) {
		t.Errorf("cookie secret %q", cookie)
	}
	e.checkAudit(e.lastAudit("user.login"), "user:alice", "user.login", "user:alice", "success")

	sess, err := e.st.SessionByHash(e.ctx, p.SessionHash)
	if err != nil {
		t.Fatal(err)
	}
	if !sess.ExpiresAt.Equal(e.clock.Now().Add(12*time.Hour)) || sess.Remote != "198.51.100.4" {
		t.Errorf("session = %+v", sess)
	}

	got, err := e.svc.AuthenticateSession(e.ctx, cookie)
	if err != nil {
		t.Fatal(err)
	}
	if got.Actor() != "user:alice" || got.CSRFToken != p.CSRFToken || string(got.SessionHash) != string(p.SessionHash) {
		t.Errorf("AuthenticateSession = %+v, want %+v", got, p)
	}

	// Role changes apply to live sessions.
	u, _ := e.st.UserByID(e.ctx, alice.UserID)
	u.Role = RoleReader
	if err := e.st.UpdateUser(e.ctx, u, state.Audit{Actor: "test", Action: "test.setup"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.AuthenticateSession(e.ctx, cookie); got == nil || got.Role != RoleReader {
		t.Errorf("role after change = %+v", got)
	}

	for _, bad := range []string{"", cookie[1:], cookie + "A", strings.Repeat("A", sessionSecretLen), cookie[:42] + "-"} {
		if _, err := e.svc.AuthenticateSession(e.ctx, bad); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("AuthenticateSession(%q) = %v, want ErrUnauthenticated", bad, err)
		}
	}

	// Disabling a user ends their sessions' use.
	u.Disabled = true
	if err := e.st.UpdateUser(e.ctx, u, state.Audit{Actor: "test", Action: "test.setup"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AuthenticateSession(e.ctx, cookie); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("disabled user's session: %v", err)
	}
	e.noSecrets(pw, cookie)
}

func TestSessionExpiry(t *testing.T) {
	e := newEnv(t)
	e.svc = NewService(e.st, Options{Now: e.clock.Now, SessionTTL: time.Hour})
	e.user("bob", RoleReader, "bob's long password")
	p, cookie, err := e.svc.Login(e.ctx, "bob", "bob's long password", "", "")
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour - time.Microsecond)
	if _, err := e.svc.AuthenticateSession(e.ctx, cookie); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	e.clock.Advance(time.Microsecond)
	if _, err := e.svc.AuthenticateSession(e.ctx, cookie); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("at expiry: %v, want ErrUnauthenticated", err)
	}
	if _, err := e.st.SessionByHash(e.ctx, p.SessionHash); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("expired session not deleted: %v", err)
	}
	// Housekeeping finds nothing left.
	if n, err := e.svc.PurgeExpiredSessions(e.ctx); err != nil || n != 0 {
		t.Errorf("PurgeExpiredSessions = %d, %v", n, err)
	}
}

func TestPurgeExpiredSessions(t *testing.T) {
	e := newEnv(t)
	e.user("bob", RoleReader, "bob's long password")
	for range 3 {
		if _, _, err := e.svc.Login(e.ctx, "bob", "bob's long password", "", ""); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := e.svc.PurgeExpiredSessions(e.ctx); n != 0 {
		t.Errorf("purged %d live sessions", n)
	}
	e.clock.Advance(13 * time.Hour)
	if n, err := e.svc.PurgeExpiredSessions(e.ctx); err != nil || n != 3 {
		t.Errorf("PurgeExpiredSessions = %d, %v; want 3", n, err)
	}
}

// Every failure is the same bare error and an audited failure.
func TestLoginFailures(t *testing.T) {
	e := newEnv(t)
	const pw = "carol's long password"
	e.user("carol", RoleReader, pw)
	dis := e.user("dave", RoleReader, pw)
	u, _ := e.st.UserByID(e.ctx, dis.UserID)
	u.Disabled = true
	if err := e.st.UpdateUser(e.ctx, u, state.Audit{Actor: "test", Action: "test.setup"}); err != nil {
		t.Fatal(err)
	}

	f := func(user, pass, reason, target string) {
		t.Helper()
		p, cookie, err := e.svc.Login(e.ctx, user, pass, "203.0.113.9", "req-x")
		if err != ErrUnauthenticated || p != nil || cookie != "" {
			t.Errorf("Login(%q, %q) = %v, %q, %v; want bare ErrUnauthenticated", user, pass, p, cookie, err)
		}
		a := e.lastAudit("user.login")
		e.checkAudit(a, "anonymous", "user.login", target, "failure")
		if d := details(t, a); d["reason"] != reason {
			t.Errorf("Login(%q, %q) reason = %v, want %q", user, pass, d["reason"], reason)
		}
		if a.Remote != "203.0.113.9" || a.RequestID != "req-x" {
			t.Errorf("audit remote/request = %q %q", a.Remote, a.RequestID)
		}
	}
	f("carol", "wrong password!!", "wrong password", "user:carol")
	f("carol", "", "wrong password", "user:carol")
	f("carol", strings.ToUpper(pw), "wrong password", "user:carol")
	f("nobody", pw, "unknown user", "user:nobody")
	f("dave", pw, "user disabled", "user:dave")
	f("", pw, "unknown user", "user:")
	f("bad name!", pw, "unknown user", "user:bad name!")
	long := strings.Repeat("x", 200)
	f(long, pw, "unknown user", "user:"+strings.Repeat("x", 64)+"…")

	if n := len(e.audits("user.login")); n != 8 {
		t.Errorf("%d user.login entries, want 8", n)
	}
	e.noSecrets(pw, "wrong password!!")
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	e.user("erin", RoleReader, "erin's long password")
	p, cookie, err := e.svc.Login(e.ctx, "erin", "erin's long password", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Logout(e.ctx, p, "192.0.2.3", "req-l"); err != nil {
		t.Fatal(err)
	}
	e.checkAudit(e.lastAudit("user.logout"), "user:erin", "user.logout", "user:erin", "success")
	if _, err := e.svc.AuthenticateSession(e.ctx, cookie); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("session after logout: %v", err)
	}
	if err := e.svc.Logout(e.ctx, p, "", ""); err != nil {
		t.Errorf("second logout: %v", err)
	}
	if n := len(e.audits("user.logout")); n != 1 {
		t.Errorf("%d user.logout entries, want 1", n)
	}
	for _, bad := range []*Principal{nil, {Kind: KindToken, TokenID: "x"}, {Kind: KindUser, Name: "erin"}} {
		if err := e.svc.Logout(e.ctx, bad, "", ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("Logout(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
}
