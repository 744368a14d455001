package auth

import (
	"context"
	"fmt"

	"github.com/vigilsec/vigil/internal/state"
)

// MaxUsernameLen bounds a username.
const MaxUsernameLen = 64

// checkUsername accepts 1-64 characters of [A-Za-z0-9._@-]. Usernames are
// unique ignoring case.
func checkUsername(name string) error {
	if name == "" || len(name) > MaxUsernameLen {
		return invalidf("username must be 1 to %d characters", MaxUsernameLen)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '.' || c == '_' || c == '@' || c == '-') {
			return invalidf("username may hold only letters, digits and . _ @ -")
		}
	}
	return nil
}

// CreateUser creates a local user for actor, who needs users:manage and
// every permission of role. The new user must change the password at first
// login: it is one the administrator knows. A username taken in any case
// is ErrConflict.
func (s *Service) CreateUser(ctx context.Context, actor *Principal, username, password, role, remote, requestID string) (*state.User, error) {
	if actor == nil {
		return nil, ErrUnauthenticated
	}
	if !actor.Can(PermManageUsers) {
		return nil, s.deny(ctx, actor, PermManageUsers, "user.create", "user:"+clip(username, 64), remote, requestID)
	}
	if err := checkUsername(username); err != nil {
		return nil, err
	}
	if !ValidRole(role) {
		return nil, invalidf("unknown role %q", role)
	}
	if !actor.mayGrant(role) {
		return nil, fmt.Errorf("%w: cannot grant role %s", ErrForbidden, role)
	}
	if err := CheckPasswordPolicy(password); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	now := s.now()
	u := &state.User{Username: username, PasswordHash: hash, Role: role,
		MustChangePassword: true, CreatedAt: now, UpdatedAt: now}
	rec := s.audit(actor.Actor(), "user.create", "user:"+username, remote, requestID, outcomeSuccess,
		map[string]any{"username": username, "role": role})
	if err := s.st.CreateUser(ctx, u, rec); err != nil {
		return nil, err
	}
	return u, nil
}

// ChangePassword changes p's own password, given the current one. It
// clears MustChangePassword and ends every other session of the user (one
// opened with the old password may be an intruder's). A wrong current
// password is ErrWrongPassword and is audited as a failure.
func (s *Service) ChangePassword(ctx context.Context, p *Principal, oldPw, newPw, remote, requestID string) error {
	if p == nil {
		return ErrUnauthenticated
	}
	if p.Kind != KindUser || p.UserID == 0 {
		return fmt.Errorf("%w: only a portal user has a password", ErrForbidden)
	}
	u, err := s.st.UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	target := "user:" + u.Username
	ok, err := VerifyPassword(u.PasswordHash, oldPw)
	if err != nil {
		return err
	}
	if !ok {
		rec := s.audit(p.Actor(), "user.password_change", target, remote, requestID, outcomeFailure,
			map[string]any{"reason": "wrong current password"})
		if err := s.st.Record(ctx, rec); err != nil {
			s.log.Warn("auth: recording a failed password change failed", "err", err)
		}
		return ErrWrongPassword
	}
	if err := CheckPasswordPolicy(newPw); err != nil {
		return err
	}
	if newPw == oldPw {
		return invalidf("the new password must differ from the current one")
	}
	hash, err := HashPassword(newPw)
	if err != nil {
		return err
	}
	u.PasswordHash, u.MustChangePassword = hash, false
	rec := s.audit(p.Actor(), "user.password_change", target, remote, requestID, outcomeSuccess, nil)
	if err := s.st.UpdateUser(ctx, u, rec); err != nil {
		return err
	}
	p.MustChangePassword = false
	// After the change, so that a session opened with the old password in
	// between is ended too. Should this fail, the caller sees the error and
	// the password is changed; a retry needs the new password.
	if _, err := s.st.DeleteUserSessions(ctx, u.ID, p.SessionHash); err != nil {
		return fmt.Errorf("auth: password changed but other sessions not ended: %w", err)
	}
	return nil
}
