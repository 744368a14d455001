package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/state"
)

// MaxTokenNameChars bounds a token's name (a label such as "fluent-bit on
// web-3").
const MaxTokenNameChars = 64

// checkTokenName accepts 1-64 printable characters.
func checkTokenName(name string) error {
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxTokenNameChars {
		return invalidf("token name must be 1 to %d characters", MaxTokenNameChars)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return invalidf("token name must be printable")
		}
	}
	return nil
}

// CreateToken creates an API token with role for actor, who needs
// tokens:manage and every permission of role. A zero expiresAt means the
// token never expires; otherwise it must be in the future. text is the
// only copy of the secret: hand it to the owner and forget it.
func (s *Service) CreateToken(ctx context.Context, actor *Principal, name, role string, expiresAt time.Time, remote, requestID string) (text string, tok *state.Token, err error) {
	if actor == nil {
		return "", nil, ErrUnauthenticated
	}
	if !actor.Can(PermManageTokens) {
		return "", nil, s.deny(ctx, actor, PermManageTokens, "token.create", "", remote, requestID)
	}
	if err := checkTokenName(name); err != nil {
		return "", nil, err
	}
	if !ValidRole(role) {
		return "", nil, invalidf("unknown role %q", role)
	}
	if !actor.mayGrant(role) {
		return "", nil, fmt.Errorf("%w: cannot grant role %s", ErrForbidden, role)
	}
	now := s.now()
	if !expiresAt.IsZero() && !expiresAt.After(now) {
		return "", nil, invalidf("expiry must be in the future")
	}
	// A 12-character id collides with negligible probability; retry anyway
	// rather than fail a request on it.
	for range 3 {
		text, id, hash, err := GenerateToken()
		if err != nil {
			return "", nil, err
		}
		tok = &state.Token{ID: id, Name: name, Role: role, SecretHash: hash,
			CreatedBy: actor.Actor(), CreatedAt: now, ExpiresAt: expiresAt}
		rec := s.audit(actor.Actor(), "token.create", "token:"+id, remote, requestID, outcomeSuccess,
			map[string]any{"name": name, "role": role, "expiresAt": timeOrNil(expiresAt)})
		err = s.st.CreateToken(ctx, tok, rec)
		if errors.Is(err, state.ErrConflict) {
			continue
		}
		if err != nil {
			return "", nil, err
		}
		return text, tok, nil
	}
	return "", nil, errors.New("auth: could not allocate a token id")
}

// RevokeToken revokes token id for actor, who needs tokens:manage. An
// unknown or already revoked token is ErrNotFound.
func (s *Service) RevokeToken(ctx context.Context, actor *Principal, id, remote, requestID string) error {
	if actor == nil {
		return ErrUnauthenticated
	}
	target := "token:" + clip(id, TokenIDLen)
	if !actor.Can(PermManageTokens) {
		return s.deny(ctx, actor, PermManageTokens, "token.revoke", target, remote, requestID)
	}
	if !validTokenID(id) {
		return invalidf("malformed token id")
	}
	tok, err := s.st.TokenByID(ctx, id)
	if err != nil {
		return err
	}
	rec := s.audit(actor.Actor(), "token.revoke", target, remote, requestID, outcomeSuccess,
		map[string]any{"name": tok.Name, "role": tok.Role})
	return s.st.RevokeToken(ctx, id, s.now(), rec)
}

// AuthenticateToken returns the principal of an API token's text. Malformed,
// unknown, wrong, expired and revoked tokens are all ErrUnauthenticated
// (with a detail for the server log). Failures are not audited: they cost
// an attacker nothing, and each record would be a write.
func (s *Service) AuthenticateToken(ctx context.Context, text string) (*Principal, error) {
	id, secret, err := ParseToken(text)
	if err != nil {
		return nil, fmt.Errorf("%w: malformed token", ErrUnauthenticated)
	}
	tok, err := s.st.TokenByID(ctx, id)
	if errors.Is(err, state.ErrNotFound) {
		return nil, fmt.Errorf("%w: unknown token", ErrUnauthenticated)
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(digest(secret), tok.SecretHash) != 1 {
		return nil, fmt.Errorf("%w: wrong token secret", ErrUnauthenticated)
	}
	now := s.now()
	switch {
	case !tok.RevokedAt.IsZero():
		return nil, fmt.Errorf("%w: token revoked", ErrUnauthenticated)
	case !tok.ExpiresAt.IsZero() && !now.Before(tok.ExpiresAt):
		return nil, fmt.Errorf("%w: token expired", ErrUnauthenticated)
	case !ValidRole(tok.Role):
		return nil, fmt.Errorf("%w: token has unknown role %q", ErrUnauthenticated, tok.Role)
	}
	if tok.LastUsedAt.IsZero() || now.Sub(tok.LastUsedAt) >= s.touchEvery {
		// Bookkeeping: a busy store must not fail an authenticated request.
		if err := s.st.TouchToken(ctx, id, now); err != nil {
			s.log.Warn("auth: recording token use failed", "token", id, "err", err)
		}
	}
	return &Principal{Kind: KindToken, Name: tok.Name, Role: tok.Role, TokenID: tok.ID}, nil
}
