package api

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/vigilsec/vigil/internal/auth"
)

// SessionCookie is the portal session cookie's name. The __Host- prefix
// makes browsers refuse it unless it is Secure, host-only and Path=/.
const (
	SessionCookie         = "__Host-vigil_session"
	SessionCookieInsecure = "vigil_session" // plain-HTTP loopback only
	CSRFHeader            = "X-CSRF-Token"
)

func principal(ctx context.Context) *auth.Principal {
	p, _ := ctx.Value(keyPrincipal).(*auth.Principal)
	return p
}

func (s *Server) cookieName() string {
	if s.opts.InsecureHTTP {
		return SessionCookieInsecure
	}
	return SessionCookie
}

// authenticate finds the caller from a bearer token or a session cookie.
// A session authenticates unsafe methods only with the CSRF token.
func (s *Server) authenticate(r *http.Request) (*auth.Principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return nil, errUnauthenticated()
		}
		return s.auth.AuthenticateToken(r.Context(), strings.TrimSpace(tok))
	}
	c, err := r.Cookie(s.cookieName())
	if err != nil || c.Value == "" {
		return nil, errUnauthenticated()
	}
	p, err := s.auth.AuthenticateSession(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	if !safeMethod(r.Method) {
		got := r.Header.Get(CSRFHeader)
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(p.CSRFToken)) != 1 {
			return nil, &Error{http.StatusForbidden, CodeCSRF, "missing or wrong " + CSRFHeader + " header for a session request"}
		}
	}
	return p, nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// allowedWhilePasswordMustChange are the only routes a session whose
// password must change may use.
var allowedWhilePasswordMustChange = map[string]bool{
	"GET /api/v1/me":           true,
	"POST /api/v1/me/password": true,
	"POST /api/v1/auth/logout": true,
}

// require wraps a handler with authentication and a permission check.
func (s *Server) require(perm auth.Permission, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if p.MustChangePassword && !allowedWhilePasswordMustChange[r.Pattern] {
			s.writeError(w, r, &Error{http.StatusForbidden, CodePasswordChange,
				"change the one-time password first: POST /api/v1/me/password"})
			return
		}
		if !p.Can(perm) {
			s.denied(r, p, perm)
			s.writeError(w, r, errForbidden(perm))
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), keyPrincipal, p)))
	}
}
