package sqlite

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vigilsec/vigil/internal/state"
)

func TestTokens(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 123456789, time.FixedZone("X", 3600))

	a := &state.Token{ID: "aaaaaaaaaaaa", Name: "shipper", Role: "ingest", SecretHash: []byte{1, 2, 3},
		CreatedBy: "user:alice", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	if err := s.CreateToken(ctx, a, aud("token.create", "token:aaaaaaaaaaaa")); err != nil {
		t.Fatal(err)
	}
	if !a.CreatedAt.Equal(t0.Truncate(time.Microsecond)) || a.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v, want %v rounded in UTC", a.CreatedAt, t0)
	}
	b := &state.Token{ID: "bbbbbbbbbbbb", Name: "ci", Role: "reader", SecretHash: []byte{4}, CreatedBy: "cli:root"}
	if err := s.CreateToken(ctx, b, aud("token.create", "token:bbbbbbbbbbbb")); err != nil {
		t.Fatal(err)
	}
	if b.CreatedAt.IsZero() || !b.ExpiresAt.IsZero() {
		t.Errorf("token b times: %+v", b)
	}

	got, err := s.TokenByID(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got); diff != "" {
		t.Errorf("TokenByID (-want +got):\n%s", diff)
	}
	if _, err := s.TokenByID(ctx, "nope"); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("TokenByID(nope) = %v, want ErrNotFound", err)
	}
	before := auditCount(t, s)
	dup := &state.Token{ID: a.ID, Name: "dup", Role: "reader", SecretHash: []byte{9}}
	if err := s.CreateToken(ctx, dup, aud("token.create", "token:dup")); !errors.Is(err, state.ErrConflict) {
		t.Errorf("CreateToken(dup id) = %v, want ErrConflict", err)
	}
	if auditCount(t, s) != before {
		t.Errorf("conflicting CreateToken wrote an audit entry")
	}

	used := t0.Add(time.Minute)
	if err := s.TouchToken(ctx, a.ID, used); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchToken(ctx, "nope", used); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("TouchToken(nope) = %v, want ErrNotFound", err)
	}
	if auditCount(t, s) != before {
		t.Errorf("TouchToken wrote an audit entry")
	}

	revoked := t0.Add(2 * time.Minute)
	if err := s.RevokeToken(ctx, a.ID, revoked, aud("token.revoke", "token:"+a.ID)); err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Action != "token.revoke" || e.Target != "token:"+a.ID {
		t.Errorf("audit = %+v", e)
	}
	before = auditCount(t, s)
	if err := s.RevokeToken(ctx, a.ID, revoked, aud("token.revoke", "token:"+a.ID)); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("RevokeToken(revoked) = %v, want ErrNotFound", err)
	}
	if err := s.RevokeToken(ctx, "nope", revoked, aud("token.revoke", "token:nope")); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("RevokeToken(unknown) = %v, want ErrNotFound", err)
	}
	if auditCount(t, s) != before {
		t.Errorf("failed RevokeToken wrote an audit entry")
	}

	want := *a
	want.LastUsedAt, want.RevokedAt = round(used), round(revoked)
	all, err := s.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// b was created now, a in 2030: oldest first.
	if diff := cmp.Diff([]state.Token{*b, want}, all); diff != "" {
		t.Errorf("ListTokens (-want +got):\n%s", diff)
	}
}
