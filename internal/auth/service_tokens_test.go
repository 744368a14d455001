package auth

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

func TestTokenLifecycle(t *testing.T) {
	e := newEnv(t)
	admin := e.user("root", RoleAdmin, "root password 123")
	exp := e.clock.Now().Add(time.Hour)

	text, tok, err := e.svc.CreateToken(e.ctx, admin, "fluent-bit web-3", RoleIngest, exp, "192.0.2.7", "req-1")
	if err != nil {
		t.Fatal(err)
	}
	id, secret, err := ParseToken(text)
	if err != nil || id != tok.ID {
		t.Fatalf("token text %q: %v", text, err)
	}
	if tok.Name != "fluent-bit web-3" || tok.Role != RoleIngest || tok.CreatedBy != "user:root" ||
		!tok.ExpiresAt.Equal(exp) || !tok.CreatedAt.Equal(e.clock.Now()) {
		t.Errorf("token = %+v", tok)
	}
	a := e.lastAudit("token.create")
	e.checkAudit(a, "user:root", "token.create", "token:"+tok.ID, "success")
	if a.Remote != "192.0.2.7" || a.RequestID != "req-1" {
		t.Errorf("audit remote/request = %q %q", a.Remote, a.RequestID)
	}
	d := details(t, a)
	if d["name"] != "fluent-bit web-3" || d["role"] != RoleIngest || d["expiresAt"] != "2030-06-01T13:00:00Z" {
		t.Errorf("audit details = %v", d)
	}

	p, err := e.svc.AuthenticateToken(e.ctx, text)
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != KindToken || p.Role != RoleIngest || p.TokenID != tok.ID || p.Name != tok.Name {
		t.Errorf("principal = %+v", p)
	}
	if p.Actor() != "token:"+tok.ID+" (fluent-bit web-3)" || !p.Can(PermIngest) || p.Can(PermHunt) {
		t.Errorf("principal %q permissions wrong", p.Actor())
	}

	lastUsed := func() time.Time {
		t.Helper()
		got, err := e.st.TokenByID(e.ctx, tok.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.LastUsedAt
	}
	first := e.clock.Now()
	if !lastUsed().Equal(first) {
		t.Errorf("LastUsedAt = %v after first use, want %v", lastUsed(), first)
	}
	e.clock.Advance(59 * time.Second)
	if _, err := e.svc.AuthenticateToken(e.ctx, text); err != nil {
		t.Fatal(err)
	}
	if !lastUsed().Equal(first) {
		t.Errorf("LastUsedAt written again within a minute")
	}
	e.clock.Advance(time.Second)
	if _, err := e.svc.AuthenticateToken(e.ctx, text); err != nil {
		t.Fatal(err)
	}
	if !lastUsed().Equal(e.clock.Now()) {
		t.Errorf("LastUsedAt not updated after a minute")
	}

	// Wrong, unknown and malformed tokens.
	last := secret[len(secret)-1]
	wrong := text[:len(text)-1] + map[bool]string{true: "A", false: "B"}[last != 'A']
	otherID := TokenPrefix + "ZZZZZZZZZZZZ_" + secret
	for _, bad := range []string{wrong, otherID, "", "vgl_", text + " ", strings.ToUpper(text), "Bearer " + text} {
		if _, err := e.svc.AuthenticateToken(e.ctx, bad); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("AuthenticateToken(%q) = %v, want ErrUnauthenticated", bad, err)
		}
	}

	// Expiry is exclusive: at ExpiresAt the token is dead.
	e.clock.Advance(exp.Sub(e.clock.Now()) - time.Microsecond)
	if _, err := e.svc.AuthenticateToken(e.ctx, text); err != nil {
		t.Errorf("just before expiry: %v", err)
	}
	e.clock.Advance(time.Microsecond)
	if _, err := e.svc.AuthenticateToken(e.ctx, text); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("at expiry: %v, want ErrUnauthenticated", err)
	}

	e.noSecrets(text, secret)
}

func TestTokenRevoke(t *testing.T) {
	e := newEnv(t)
	admin := e.user("root", RoleAdmin, "root password 123")
	text, tok, err := e.svc.CreateToken(e.ctx, admin, "ci", RoleReader, time.Time{}, "local", "")
	if err != nil {
		t.Fatal(err)
	}
	// No expiry: valid years later.
	e.clock.Advance(10 * 365 * 24 * time.Hour)
	if _, err := e.svc.AuthenticateToken(e.ctx, text); err != nil {
		t.Fatalf("never-expiring token: %v", err)
	}
	if d := details(t, e.lastAudit("token.create")); d["expiresAt"] != nil {
		t.Errorf("expiresAt detail = %v, want null", d["expiresAt"])
	}

	if err := e.svc.RevokeToken(e.ctx, admin, tok.ID, "192.0.2.1", "req-9"); err != nil {
		t.Fatal(err)
	}
	a := e.lastAudit("token.revoke")
	e.checkAudit(a, "user:root", "token.revoke", "token:"+tok.ID, "success")
	if d := details(t, a); d["name"] != "ci" {
		t.Errorf("revoke details = %v", d)
	}
	if _, err := e.svc.AuthenticateToken(e.ctx, text); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("revoked token: %v, want ErrUnauthenticated", err)
	}
	if err := e.svc.RevokeToken(e.ctx, admin, tok.ID, "", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoke twice: %v, want ErrNotFound", err)
	}
	if err := e.svc.RevokeToken(e.ctx, admin, "AAAAAAAAAAAA", "", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoke unknown: %v, want ErrNotFound", err)
	}
	if err := e.svc.RevokeToken(e.ctx, admin, text, "", ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("revoke by token text: %v, want ErrInvalid", err)
	}
	if n := len(e.audits("token.revoke")); n != 1 {
		t.Errorf("%d token.revoke entries, want 1", n)
	}
	_, secret, _ := ParseToken(text)
	e.noSecrets(text, secret)
}

func TestCreateTokenValidation(t *testing.T) {
	e := newEnv(t)
	admin := e.user("root", RoleAdmin, "root password 123")
	future := e.clock.Now().Add(time.Hour)
	f := func(name, role string, exp time.Time) {
		t.Helper()
		if _, _, err := e.svc.CreateToken(e.ctx, admin, name, role, exp, "", ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("CreateToken(%q, %q, %v) = %v, want ErrInvalid", name, role, exp, err)
		}
	}
	f("", RoleReader, future)
	f(strings.Repeat("n", 65), RoleReader, future)
	f("tab\there", RoleReader, future)
	f("nl\n", RoleReader, future)
	f("bad\xffutf8", RoleReader, future)
	f("ok", "", future)
	f("ok", "root", future)
	f("ok", "Admin", future)
	f("ok", RoleReader, e.clock.Now())
	f("ok", RoleReader, e.clock.Now().Add(-time.Hour))
	if _, _, err := e.svc.CreateToken(e.ctx, admin, strings.Repeat("ñ", 64), RoleReader, future, "", ""); err != nil {
		t.Errorf("64-character name: %v", err)
	}
	if n := len(e.audits("token.create")); n != 1 {
		t.Errorf("%d token.create entries, want 1", n)
	}
}

func TestTokenPermissions(t *testing.T) {
	e := newEnv(t)
	admin := e.user("root", RoleAdmin, "root password 123")
	analyst := e.user("ann", RoleAnalyst, "analyst password 1")
	future := e.clock.Now().Add(time.Hour)

	_, tok, err := e.svc.CreateToken(e.ctx, admin, "x", RoleReader, future, "", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*Principal{
		analyst,
		{Kind: KindToken, Name: "shipper", TokenID: "AAAAAAAAAAAA", Role: RoleIngest},
		{Kind: KindUser, Name: "root", Role: RoleAdmin, MustChangePassword: true},
	} {
		if _, _, err := e.svc.CreateToken(e.ctx, p, "y", RoleReader, future, "", "r"); !errors.Is(err, ErrForbidden) {
			t.Errorf("%s CreateToken = %v, want ErrForbidden", p.Actor(), err)
		}
		e.checkAudit(e.lastAudit("token.create"), p.Actor(), "token.create", "", "denied")
		if err := e.svc.RevokeToken(e.ctx, p, tok.ID, "", ""); !errors.Is(err, ErrForbidden) {
			t.Errorf("%s RevokeToken = %v, want ErrForbidden", p.Actor(), err)
		}
		e.checkAudit(e.lastAudit("token.revoke"), p.Actor(), "token.revoke", "token:"+tok.ID, "denied")
	}
	if _, _, err := e.svc.CreateToken(e.ctx, nil, "y", RoleReader, future, "", ""); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("nil actor: %v", err)
	}
	if err := e.svc.RevokeToken(e.ctx, nil, tok.ID, "", ""); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("nil actor: %v", err)
	}

	// The CLI acts as an administrator and is named in CreatedBy.
	_, tok2, err := e.svc.CreateToken(e.ctx, CLIPrincipal("root"), "cli-made", RoleAdmin, future, "local", "")
	if err != nil {
		t.Fatal(err)
	}
	if tok2.CreatedBy != "cli:root" {
		t.Errorf("CreatedBy = %q", tok2.CreatedBy)
	}
	e.checkAudit(e.lastAudit("token.create"), "cli:root", "token.create", "token:"+tok2.ID, "success")

	// Still valid: no revocation went through.
	got, err := e.st.TokenByID(e.ctx, tok.ID)
	if err != nil || !got.RevokedAt.IsZero() {
		t.Errorf("token after denied revokes: %+v, %v", got, err)
	}
}

// A role that is no longer known (a downgrade, a hand edit) authenticates
// nobody.
func TestTokenUnknownRole(t *testing.T) {
	e := newEnv(t)
	text, id, hash, err := GenerateToken()
	if err != nil {
		t.Fatal(err)
	}
	tok := &state.Token{ID: id, Name: "old", Role: "superuser", SecretHash: hash, CreatedBy: "test"}
	if err := e.st.CreateToken(e.ctx, tok, state.Audit{Actor: "test", Action: "test.setup"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AuthenticateToken(e.ctx, text); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("AuthenticateToken = %v, want ErrUnauthenticated", err)
	}
}
