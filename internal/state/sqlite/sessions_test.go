package sqlite

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vigilsec/vigil/internal/state"
)

func TestSessions(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	u := &state.User{Username: "alice", Role: "admin"}
	if err := s.CreateUser(ctx, u, aud("user.create", "user:alice")); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	mk := func(h byte, expires time.Time) *state.Session {
		t.Helper()
		sess := &state.Session{Hash: []byte{h, h}, UserID: u.ID, CSRFToken: "csrf", ExpiresAt: expires, Remote: "10.0.0.1"}
		if err := s.CreateSession(ctx, sess, aud("user.login", "user:alice")); err != nil {
			t.Fatal(err)
		}
		return sess
	}
	s1 := mk(1, now.Add(time.Hour))
	s2 := mk(2, now.Add(time.Hour))
	s3 := mk(3, now.Add(-time.Second))

	got, err := s.SessionByHash(ctx, s1.Hash)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s1, got); diff != "" {
		t.Errorf("SessionByHash (-want +got):\n%s", diff)
	}
	if _, err := s.SessionByHash(ctx, []byte{9}); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("SessionByHash(unknown) = %v, want ErrNotFound", err)
	}

	before := auditCount(t, s)
	if err := s.CreateSession(ctx, &state.Session{Hash: s1.Hash, UserID: u.ID, ExpiresAt: now}, aud("user.login", "")); !errors.Is(err, state.ErrConflict) {
		t.Errorf("CreateSession(dup) = %v, want ErrConflict", err)
	}
	if err := s.CreateSession(ctx, &state.Session{Hash: []byte{7}, UserID: 999, ExpiresAt: now}, aud("user.login", "")); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("CreateSession(unknown user) = %v, want ErrNotFound", err)
	}
	if auditCount(t, s) != before {
		t.Errorf("failed CreateSession wrote an audit entry")
	}

	if n, err := s.DeleteExpiredSessions(ctx, now); err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	if _, err := s.SessionByHash(ctx, s3.Hash); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("expired session survived: %v", err)
	}

	s4 := mk(4, now.Add(time.Hour))
	if n, err := s.DeleteUserSessions(ctx, u.ID, s1.Hash); err != nil || n != 2 {
		t.Errorf("DeleteUserSessions(keep s1) = %d, %v; want 2", n, err)
	}
	for _, gone := range []*state.Session{s2, s4} {
		if _, err := s.SessionByHash(ctx, gone.Hash); !errors.Is(err, state.ErrNotFound) {
			t.Errorf("session %x survived DeleteUserSessions", gone.Hash)
		}
	}
	if _, err := s.SessionByHash(ctx, s1.Hash); err != nil {
		t.Errorf("kept session: %v", err)
	}

	if err := s.DeleteSession(ctx, s1.Hash, aud("user.logout", "user:alice")); err != nil {
		t.Fatal(err)
	}
	if e := lastAudit(t, s); e.Action != "user.logout" {
		t.Errorf("audit = %+v", e)
	}
	before = auditCount(t, s)
	if err := s.DeleteSession(ctx, s1.Hash, aud("user.logout", "user:alice")); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("DeleteSession(gone) = %v, want ErrNotFound", err)
	}
	if auditCount(t, s) != before {
		t.Errorf("failed DeleteSession wrote an audit entry")
	}

	mk(5, now.Add(time.Hour))
	mk(6, now.Add(time.Hour))
	if n, err := s.DeleteUserSessions(ctx, u.ID, nil); err != nil || n != 2 {
		t.Errorf("DeleteUserSessions(all) = %d, %v; want 2", n, err)
	}
}
