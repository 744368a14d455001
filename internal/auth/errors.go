package auth

import (
	"errors"
	"fmt"

	"github.com/vigilsec/vigil/internal/state"
)

// Errors the API layer maps to status codes; test them with errors.Is.
// Detail is added with fmt.Errorf("%w: ...").
var (
	// ErrUnauthenticated: no valid credentials (401). Its detail, when
	// present, is for the server log, never for the client.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrForbidden: valid credentials without the permission (403).
	ErrForbidden = errors.New("forbidden")
	// ErrInvalid: the request itself is wrong (400).
	ErrInvalid = errors.New("invalid request")

	// ErrNotFound and ErrConflict are the store's, so errors.Is works with
	// either name (404, 409).
	ErrNotFound = state.ErrNotFound
	ErrConflict = state.ErrConflict

	// ErrWrongPassword: the current password given to ChangePassword is
	// wrong. It is an ErrInvalid, not an ErrUnauthenticated, so that the
	// portal does not end the session that made the request.
	ErrWrongPassword = fmt.Errorf("%w: the current password is wrong", ErrInvalid)
)

// invalidf returns an ErrInvalid with detail.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}
