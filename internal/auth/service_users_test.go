package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestCreateUser(t *testing.T) {
	e := newEnv(t)
	admin := e.user("root", RoleAdmin, "root password 123")
	const pw = "bob's initial password"
	u, err := e.svc.CreateUser(e.ctx, admin, "bob", pw, RoleReader, "192.0.2.5", "req-u")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Username != "bob" || u.Role != RoleReader || !u.MustChangePassword || u.Disabled {
		t.Errorf("user = %+v", u)
	}
	if ok, _ := VerifyPassword(u.PasswordHash, pw); !ok {
		t.Errorf("stored hash does not verify")
	}
	a := e.lastAudit("user.create")
	e.checkAudit(a, "user:root", "user.create", "user:bob", "success")
	if d := details(t, a); d["username"] != "bob" || d["role"] != RoleReader || len(d) != 2 {
		t.Errorf("details = %v", d)
	}

	if _, err := e.svc.CreateUser(e.ctx, admin, "BOB", pw, RoleReader, "", ""); !errors.Is(err, ErrConflict) {
		t.Errorf("CreateUser(BOB) = %v, want ErrConflict", err)
	}
	if n := len(e.audits("user.create")); n != 1 {
		t.Errorf("%d user.create entries, want 1", n)
	}

	// The new user must change the password before anything else.
	p, _, err := e.svc.Login(e.ctx, "bob", pw, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if !p.MustChangePassword || p.Can(PermHunt) || !p.Can(PermReadSelf) {
		t.Errorf("new user principal = %+v", p)
	}
	e.noSecrets(pw)
}

func TestCreateUserValidation(t *testing.T) {
	e := newEnv(t)
	admin := e.user("root", RoleAdmin, "root password 123")
	const pw = "a good long password"
	bad := func(name, pass, role string) {
		t.Helper()
		if _, err := e.svc.CreateUser(e.ctx, admin, name, pass, role, "", ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("CreateUser(%q, %q, %q) = %v, want ErrInvalid", name, pass, role, err)
		}
	}
	bad("", pw, RoleReader)
	bad(strings.Repeat("a", 65), pw, RoleReader)
	bad("a b", pw, RoleReader)
	bad("a/b", pw, RoleReader)
	bad("a:b", pw, RoleReader)
	bad("ädmin", pw, RoleReader)
	bad("x\x00", pw, RoleReader)
	bad("ok", pw, "")
	bad("ok", pw, "root")
	bad("ok", "short", RoleReader)
	bad("ok", strings.Repeat("p", MaxPasswordBytes+1), RoleReader)

	for _, name := range []string{"a", "Z", "alice.smith@example.com", "svc_x-1", strings.Repeat("a", 64)} {
		if _, err := e.svc.CreateUser(e.ctx, admin, name, pw, RoleReader, "", ""); err != nil {
			t.Errorf("CreateUser(%q) = %v", name, err)
		}
	}
}

func TestCreateUserPermissions(t *testing.T) {
	e := newEnv(t)
	analyst := e.user("ann", RoleAnalyst, "analyst password 1")
	tokenAdmin := &Principal{Kind: KindToken, Name: "automation", TokenID: "AAAAAAAAAAAA", Role: RoleAdmin}
	if _, err := e.svc.CreateUser(e.ctx, analyst, "eve", "eve's long password", RoleAdmin, "", ""); !errors.Is(err, ErrForbidden) {
		t.Errorf("analyst CreateUser = %v, want ErrForbidden", err)
	}
	e.checkAudit(e.lastAudit("user.create"), "user:ann", "user.create", "user:eve", "denied")
	if _, err := e.svc.CreateUser(e.ctx, nil, "eve", "eve's long password", RoleAdmin, "", ""); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("nil CreateUser = %v", err)
	}
	if _, err := e.svc.CreateUser(e.ctx, tokenAdmin, "eve", "eve's long password", RoleAdmin, "", ""); err != nil {
		t.Errorf("admin token CreateUser = %v", err)
	}
	e.checkAudit(e.lastAudit("user.create"), "token:AAAAAAAAAAAA (automation)", "user.create", "user:eve", "success")
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	const oldPw, newPw = "frank's old password", "frank's new password"
	e.user("frank", RoleAnalyst, oldPw)
	login := func(pw string) (*Principal, string, error) {
		return e.svc.Login(e.ctx, "frank", pw, "", "")
	}
	pA, cookieA, err := login(oldPw)
	if err != nil {
		t.Fatal(err)
	}
	_, cookieB, err := login(oldPw)
	if err != nil {
		t.Fatal(err)
	}

	err = e.svc.ChangePassword(e.ctx, pA, "not the password", newPw, "192.0.2.8", "req-c")
	if !errors.Is(err, ErrWrongPassword) || !errors.Is(err, ErrInvalid) || errors.Is(err, ErrUnauthenticated) {
		t.Errorf("wrong current password: %v", err)
	}
	e.checkAudit(e.lastAudit("user.password_change"), "user:frank", "user.password_change", "user:frank", "failure")
	for _, bad := range []string{"", "too short", oldPw, strings.Repeat("p", MaxPasswordBytes+1)} {
		if err := e.svc.ChangePassword(e.ctx, pA, oldPw, bad, "", ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("ChangePassword(new %q) = %v, want ErrInvalid", bad, err)
		}
	}
	if n := len(e.audits("user.password_change")); n != 1 {
		t.Errorf("%d user.password_change entries, want 1", n)
	}

	if err := e.svc.ChangePassword(e.ctx, pA, oldPw, newPw, "192.0.2.8", "req-c"); err != nil {
		t.Fatal(err)
	}
	e.checkAudit(e.lastAudit("user.password_change"), "user:frank", "user.password_change", "user:frank", "success")
	if _, err := e.svc.AuthenticateSession(e.ctx, cookieA); err != nil {
		t.Errorf("the session that changed the password was ended: %v", err)
	}
	if _, err := e.svc.AuthenticateSession(e.ctx, cookieB); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("other session survived the password change: %v", err)
	}
	if _, _, err := login(oldPw); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("old password still works: %v", err)
	}
	if _, _, err := login(newPw); err != nil {
		t.Errorf("new password: %v", err)
	}
	e.noSecrets(oldPw, newPw, cookieA, cookieB)

	tok := &Principal{Kind: KindToken, TokenID: "AAAAAAAAAAAA", Name: "t", Role: RoleAdmin}
	if err := e.svc.ChangePassword(e.ctx, tok, oldPw, newPw, "", ""); !errors.Is(err, ErrForbidden) {
		t.Errorf("token ChangePassword = %v, want ErrForbidden", err)
	}
	if err := e.svc.ChangePassword(e.ctx, nil, oldPw, newPw, "", ""); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("nil ChangePassword = %v", err)
	}
}
