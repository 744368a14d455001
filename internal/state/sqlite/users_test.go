package sqlite

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vigilsec/vigil/internal/state"
)

func TestUsers(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)

	if n, err := s.CountUsers(ctx); err != nil || n != 0 {
		t.Fatalf("CountUsers = %d, %v; want 0", n, err)
	}
	alice := &state.User{Username: "Alice", PasswordHash: "$argon2id$x", Role: "admin", MustChangePassword: true}
	if err := s.CreateUser(ctx, alice, aud("user.create", "user:Alice")); err != nil {
		t.Fatal(err)
	}
	if alice.ID == 0 || alice.CreatedAt.IsZero() || !alice.UpdatedAt.Equal(alice.CreatedAt) {
		t.Fatalf("CreateUser did not set ID and times: %+v", alice)
	}
	if e := lastAudit(t, s); e.Action != "user.create" || e.Target != "user:Alice" || e.Outcome != "success" {
		t.Errorf("audit = %+v", e)
	}

	bob := &state.User{Username: "bob", PasswordHash: "h", Role: "reader", Disabled: true}
	if err := s.CreateUser(ctx, bob, aud("user.create", "user:bob")); err != nil {
		t.Fatal(err)
	}

	for _, name := range []string{"Alice", "alice", "ALICE"} {
		got, err := s.UserByName(ctx, name)
		if err != nil {
			t.Fatalf("UserByName(%q): %v", name, err)
		}
		if diff := cmp.Diff(alice, got); diff != "" {
			t.Errorf("UserByName(%q) (-want +got):\n%s", name, diff)
		}
	}
	got, err := s.UserByID(ctx, bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(bob, got); diff != "" {
		t.Errorf("UserByID (-want +got):\n%s", diff)
	}
	if _, err := s.UserByName(ctx, "carol"); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("UserByName(carol) = %v, want ErrNotFound", err)
	}
	if _, err := s.UserByID(ctx, 999); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("UserByID(999) = %v, want ErrNotFound", err)
	}

	all, err := s.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]state.User{*alice, *bob}, all); diff != "" {
		t.Errorf("ListUsers (-want +got):\n%s", diff)
	}
	if n, err := s.CountUsers(ctx); err != nil || n != 2 {
		t.Errorf("CountUsers = %d, %v; want 2", n, err)
	}

	upd := *alice
	upd.Role, upd.MustChangePassword, upd.PasswordHash = "analyst", false, "new"
	if err := s.UpdateUser(ctx, &upd, aud("user.update", "user:Alice")); err != nil {
		t.Fatal(err)
	}
	got, _ = s.UserByID(ctx, alice.ID)
	if diff := cmp.Diff(&upd, got); diff != "" {
		t.Errorf("after UpdateUser (-want +got):\n%s", diff)
	}
	if !got.CreatedAt.Equal(alice.CreatedAt) {
		t.Errorf("UpdateUser changed CreatedAt")
	}

	ghost := state.User{ID: 999, Username: "ghost"}
	before := auditCount(t, s)
	if err := s.UpdateUser(ctx, &ghost, aud("user.update", "user:ghost")); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("UpdateUser(unknown) = %v, want ErrNotFound", err)
	}
	renamed := *bob
	renamed.Username = "ALICE"
	if err := s.UpdateUser(ctx, &renamed, aud("user.update", "user:bob")); !errors.Is(err, state.ErrConflict) {
		t.Errorf("UpdateUser(rename onto alice) = %v, want ErrConflict", err)
	}
	if after := auditCount(t, s); after != before {
		t.Errorf("failed updates wrote %d audit entries", after-before)
	}
}

// A failed change writes no audit record: both are one transaction.
func TestCreateUserConflictWritesNoAudit(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	if err := s.CreateUser(ctx, &state.User{Username: "alice", Role: "admin"}, aud("user.create", "user:alice")); err != nil {
		t.Fatal(err)
	}
	before := auditCount(t, s)
	for _, name := range []string{"alice", "Alice", "ALICE"} {
		err := s.CreateUser(ctx, &state.User{Username: name, Role: "reader"}, aud("user.create", "user:"+name))
		if !errors.Is(err, state.ErrConflict) {
			t.Errorf("CreateUser(%q) = %v, want ErrConflict", name, err)
		}
	}
	if after := auditCount(t, s); after != before {
		t.Errorf("conflicting CreateUser wrote %d audit entries", after-before)
	}
	if n, _ := s.CountUsers(ctx); n != 1 {
		t.Errorf("CountUsers = %d, want 1", n)
	}
}

// An audit entry the store rejects rolls back the change it describes.
func TestInvalidAuditRollsBack(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	bad := []state.Audit{
		{Action: "user.create"}, // no actor
		{Actor: "system"},       // no action
		{Actor: "system", Action: "x", Details: []byte("{")}, // not JSON
	}
	for _, a := range bad {
		if err := s.CreateUser(ctx, &state.User{Username: "alice"}, a); err == nil {
			t.Errorf("CreateUser with audit %+v succeeded", a)
		}
	}
	if n, _ := s.CountUsers(ctx); n != 0 {
		t.Errorf("CountUsers = %d, want 0", n)
	}
}
