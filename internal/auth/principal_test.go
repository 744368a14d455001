package auth

import "testing"

func TestActor(t *testing.T) {
	f := func(p *Principal, want string) {
		t.Helper()
		if got := p.Actor(); got != want {
			t.Errorf("Actor(%+v) = %q, want %q", p, got, want)
		}
	}
	f(&Principal{Kind: KindUser, Name: "alice"}, "user:alice")
	f(&Principal{Kind: KindToken, Name: "fluent-bit", TokenID: "AbCdEfGhIjKl"}, "token:AbCdEfGhIjKl (fluent-bit)")
	f(CLIPrincipal("root"), "cli:root")
	f(SystemPrincipal(), "system")
	f(nil, "anonymous")
}

func TestCan(t *testing.T) {
	f := func(p *Principal, perm Permission, want bool) {
		t.Helper()
		if got := p.Can(perm); got != want {
			t.Errorf("%+v.Can(%q) = %v, want %v", p, perm, got, want)
		}
	}
	admin := &Principal{Kind: KindUser, Name: "a", Role: RoleAdmin}
	f(admin, PermManageUsers, true)
	f(&Principal{Kind: KindToken, Role: RoleIngest}, PermIngest, true)
	f(&Principal{Kind: KindToken, Role: RoleIngest}, PermHunt, false)
	f(&Principal{Kind: KindUser, Role: "nope"}, PermReadSelf, false)
	f(nil, PermReadSelf, false)
	f(CLIPrincipal("root"), PermManageTokens, true)

	// Until the password is changed, only self:read.
	must := &Principal{Kind: KindUser, Name: "admin", Role: RoleAdmin, MustChangePassword: true}
	f(must, PermReadSelf, true)
	for _, p := range AllPermissions() {
		if p != PermReadSelf {
			f(must, p, false)
		}
	}
}

func TestMayGrant(t *testing.T) {
	f := func(p *Principal, role string, want bool) {
		t.Helper()
		if got := p.mayGrant(role); got != want {
			t.Errorf("%+v.mayGrant(%q) = %v, want %v", p, role, got, want)
		}
	}
	admin := &Principal{Role: RoleAdmin}
	for _, r := range Roles() {
		f(admin, r, true)
	}
	analyst := &Principal{Role: RoleAnalyst}
	f(analyst, RoleReader, true)
	f(analyst, RoleAnalyst, true)
	f(analyst, RoleIngest, false)
	f(analyst, RoleAdmin, false)
}
