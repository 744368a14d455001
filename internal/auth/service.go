package auth

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

// Options configure a Service; zero values take the defaults.
type Options struct {
	Now        func() time.Time // default time.Now
	SessionTTL time.Duration    // portal session lifetime; default 12h
	// TouchInterval: a token's LastUsedAt is written at most this often,
	// so that a busy shipper does not turn every request into a write.
	// Default 1 minute.
	TouchInterval time.Duration
	Logger        *slog.Logger // default: discard
}

// Service authenticates principals and manages users, tokens and sessions
// over a state.Store. It is safe for concurrent use.
type Service struct {
	st         state.Store
	now        func() time.Time
	sessionTTL time.Duration
	touchEvery time.Duration
	log        *slog.Logger
}

// NewService returns a Service over st.
func NewService(st state.Store, opts Options) *Service {
	s := &Service{st: st, now: opts.Now, sessionTTL: opts.SessionTTL,
		touchEvery: opts.TouchInterval, log: opts.Logger}
	if s.now == nil {
		s.now = time.Now
	}
	if s.sessionTTL <= 0 {
		s.sessionTTL = 12 * time.Hour
	}
	if s.touchEvery <= 0 {
		s.touchEvery = time.Minute
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Outcomes of an audit record.
const (
	outcomeSuccess = "success"
	outcomeFailure = "failure"
	outcomeDenied  = "denied"
)

// audit builds an audit record. details must marshal (plain maps of
// strings, numbers and times) and must never hold a secret.
func (s *Service) audit(actor, action, target, remote, requestID, outcome string, details map[string]any) state.Audit {
	a := state.Audit{Time: s.now(), Actor: actor, Action: action, Target: target,
		Remote: remote, RequestID: requestID, Outcome: outcome}
	if len(details) > 0 {
		b, err := json.Marshal(details)
		if err != nil {
			// Only a programming error gets here; keep the record anyway.
			b = []byte(`{"error":"details not serialisable"}`)
		}
		a.Details = b
	}
	return a
}

// deny records that actor was refused action on target and returns an
// ErrForbidden naming the permission.
func (s *Service) deny(ctx context.Context, actor *Principal, perm Permission, action, target, remote, requestID string) error {
	rec := s.audit(actor.Actor(), action, target, remote, requestID, outcomeDenied,
		map[string]any{"permission": perm})
	if err := s.st.Record(ctx, rec); err != nil {
		s.log.Warn("auth: recording a denied request failed", "action", action, "err", err)
	}
	return forbidden(perm)
}

// forbidden is an ErrForbidden naming the missing permission.
func forbidden(perm Permission) error {
	return &permissionError{perm}
}

type permissionError struct{ perm Permission }

func (e *permissionError) Error() string { return ErrForbidden.Error() + ": needs " + string(e.perm) }
func (e *permissionError) Unwrap() error { return ErrForbidden }

// timeOrNil is t for a JSON audit detail, or nil when t is zero.
func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}
