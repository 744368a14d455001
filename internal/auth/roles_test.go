package auth

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAllowed(t *testing.T) {
	f := func(role string, p Permission, want bool) {
		t.Helper()
		if got := Allowed(role, p); got != want {
			t.Errorf("Allowed(%q, %q) = %v, want %v", role, p, got, want)
		}
	}
	// admin: everything.
	for _, p := range AllPermissions() {
		f("admin", p, true)
	}
	f("analyst", PermReadSelf, true)
	f("analyst", PermHunt, true)
	f("analyst", PermReadEvents, true)
	f("analyst", PermReadIncidents, true)
	f("analyst", PermManageIncidents, true)
	f("analyst", PermIngest, false)
	f("analyst", PermReadAudit, false)
	f("analyst", PermManageTokens, false)
	f("analyst", PermManageUsers, false)
	f("analyst", PermManageSettings, false)

	f("reader", PermReadSelf, true)
	f("reader", PermHunt, true)
	f("reader", PermReadEvents, true)
	f("reader", PermReadIncidents, true)
	f("reader", PermManageIncidents, false)
	f("reader", PermIngest, false)
	f("reader", PermReadAudit, false)
	f("reader", PermManageTokens, false)
	f("reader", PermManageUsers, false)
	f("reader", PermManageSettings, false)

	f("ingest", PermReadSelf, true)
	f("ingest", PermIngest, true)
	f("ingest", PermHunt, false)
	f("ingest", PermReadEvents, false)
	f("ingest", PermReadIncidents, false)
	f("ingest", PermManageIncidents, false)
	f("ingest", PermReadAudit, false)
	f("ingest", PermManageTokens, false)
	f("ingest", PermManageUsers, false)
	f("ingest", PermManageSettings, false)
	f("analyst", PermManageRules, true)
	f("reader", PermManageRules, false)
	f("ingest", PermManageRules, false)

	// Unknown roles and permissions: nothing. Roles are case-sensitive.
	f("", PermReadSelf, false)
	f("Admin", PermReadSelf, false)
	f("root", PermManageUsers, false)
	f("admin", "everything", false)
	f("admin", "", false)
}

func TestPermissionStrings(t *testing.T) {
	want := []Permission{"self:read", "hunting:run", "events:read", "events:ingest",
		"incidents:read", "incidents:manage", "audit:read", "tokens:manage",
		"users:manage", "settings:manage", "rules:manage"}
	if diff := cmp.Diff(want, AllPermissions()); diff != "" {
		t.Errorf("AllPermissions (-want +got):\n%s", diff)
	}
	for role, ps := range RolePermissions {
		for _, p := range ps {
			if !slices.Contains(want, p) {
				t.Errorf("role %s grants unknown permission %q", role, p)
			}
		}
	}
}

func TestRoles(t *testing.T) {
	if diff := cmp.Diff([]string{"admin", "analyst", "ingest", "reader"}, Roles()); diff != "" {
		t.Errorf("Roles (-want +got):\n%s", diff)
	}
	for _, r := range Roles() {
		if !ValidRole(r) {
			t.Errorf("ValidRole(%q) = false", r)
		}
	}
	for _, r := range []string{"", "ADMIN", "admin ", "superuser"} {
		if ValidRole(r) {
			t.Errorf("ValidRole(%q) = true", r)
		}
	}
}
