package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigilsec/vigil/internal/state"
)

// Session secrets.
const (
	sessionSecretLen = 43 // ≈ 256 bits
	csrfTokenLen     = 32
)

// dummyHash is verified when a login names no user, so that an unknown
// user costs the same argon2id work as a wrong password and timing does
// not reveal which usernames exist. Its password is random and discarded;
// its parameters must stay those of HashPassword (a test checks).
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$jv/78+rhclI1yRSU7qt+kA$DKd/MUMWv9HZpX8+21Fa6jT9/SGCSSBMt5KqmtauvJg"

// Login checks a username and password and opens a portal session. It
// returns the principal and the cookie secret (the only copy). Every
// failure — unknown user, wrong password, disabled user — is the bare
// ErrUnauthenticated after the same work, and is audited as a failed
// "user.login" with the reason.
func (s *Service) Login(ctx context.Context, username, password, remote, requestID string) (p *Principal, cookieSecret string, err error) {
	var u *state.User
	if checkUsername(username) == nil {
		u, err = s.st.UserByName(ctx, username)
		if err != nil && !errors.Is(err, state.ErrNotFound) {
			return nil, "", err
		}
	}
	reason := ""
	if u == nil {
		VerifyPassword(dummyHash, password)
		reason = "unknown user"
	} else {
		ok, err := VerifyPassword(u.PasswordHash, password)
		switch {
		case err != nil:
			s.log.Error("auth: stored password hash is unusable", "user", u.Username, "err", err)
			reason = "unusable password hash"
		case !ok:
			reason = "wrong password"
		case u.Disabled:
			reason = "user disabled"
		case !ValidRole(u.Role):
			reason = "unknown role"
		}
	}
	if reason != "" {
		rec := s.audit("anonymous", "user.login", "user:"+clip(username, 64), remote, requestID,
			outcomeFailure, map[string]any{"reason": reason})
		if err := s.st.Record(ctx, rec); err != nil {
			s.log.Warn("auth: recording a failed login failed", "err", err)
		}
		return nil, "", ErrUnauthenticated
	}

	secret, err := randomString(sessionSecretLen)
	if err != nil {
		return nil, "", err
	}
	csrf, err := randomString(csrfTokenLen)
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	sess := &state.Session{Hash: digest(secret), UserID: u.ID, CSRFToken: csrf,
		CreatedAt: now, ExpiresAt: now.Add(s.sessionTTL), Remote: remote}
	p = userPrincipal(u, sess)
	rec := s.audit(p.Actor(), "user.login", "user:"+u.Username, remote, requestID, outcomeSuccess,
		map[string]any{"expiresAt": timeOrNil(sess.ExpiresAt)})
	if err := s.st.CreateSession(ctx, sess, rec); err != nil {
		return nil, "", err
	}
	return p, secret, nil
}

// AuthenticateSession returns the principal of a session cookie's secret.
// An expired session is deleted (with every other expired one).
func (s *Service) AuthenticateSession(ctx context.Context, cookieSecret string) (*Principal, error) {
	if len(cookieSecret) != sessionSecretLen || !inAlphabet(cookieSecret) {
		return nil, fmt.Errorf("%w: malformed session cookie", ErrUnauthenticated)
	}
	sess, err := s.st.SessionByHash(ctx, digest(cookieSecret))
	if errors.Is(err, state.ErrNotFound) {
		return nil, fmt.Errorf("%w: unknown session", ErrUnauthenticated)
	}
	if err != nil {
		return nil, err
	}
	if now := s.now(); !now.Before(sess.ExpiresAt) {
		if _, err := s.st.DeleteExpiredSessions(ctx, now); err != nil {
			s.log.Warn("auth: deleting expired sessions failed", "err", err)
		}
		return nil, fmt.Errorf("%w: session expired", ErrUnauthenticated)
	}
	u, err := s.st.UserByID(ctx, sess.UserID)
	if errors.Is(err, state.ErrNotFound) {
		return nil, fmt.Errorf("%w: session of a removed user", ErrUnauthenticated)
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled || !ValidRole(u.Role) {
		return nil, fmt.Errorf("%w: user disabled", ErrUnauthenticated)
	}
	return userPrincipal(u, sess), nil
}

// Logout ends p's session. A session already gone is not an error.
func (s *Service) Logout(ctx context.Context, p *Principal, remote, requestID string) error {
	if p == nil || p.Kind != KindUser || len(p.SessionHash) == 0 {
		return invalidf("not a portal session")
	}
	rec := s.audit(p.Actor(), "user.logout", "user:"+p.Name, remote, requestID, outcomeSuccess, nil)
	err := s.st.DeleteSession(ctx, p.SessionHash, rec)
	if errors.Is(err, state.ErrNotFound) {
		return nil
	}
	return err
}

// PurgeExpiredSessions deletes expired sessions; for a housekeeping loop.
func (s *Service) PurgeExpiredSessions(ctx context.Context) (int64, error) {
	return s.st.DeleteExpiredSessions(ctx, s.now())
}

// userPrincipal is the principal of u through sess. The role is the user's
// current one, not the one they had at login.
func userPrincipal(u *state.User, sess *state.Session) *Principal {
	return &Principal{Kind: KindUser, Name: u.Username, Role: u.Role, UserID: u.ID,
		SessionHash: sess.Hash, CSRFToken: sess.CSRFToken, MustChangePassword: u.MustChangePassword}
}

// clip shortens attacker-supplied text kept in the audit log.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
