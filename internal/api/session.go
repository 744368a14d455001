package api

import (
	"net/http"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Username           string    `json:"username"`
	Role               string    `json:"role"`
	CSRFToken          string    `json:"csrfToken"`
	MustChangePassword bool      `json:"mustChangePassword"`
	ExpiresAt          time.Time `json:"expiresAt"`
}

// login starts a portal session: an HttpOnly, Secure, SameSite=Strict
// cookie plus a CSRF token the portal sends back on every unsafe request.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, secret, err := s.auth.Login(r.Context(), req.Username, req.Password, clientAddr(r), requestID(r.Context()))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	expires := time.Now().Add(s.opts.SessionTTL)
	http.SetCookie(w, &http.Cookie{
		Name:     s.cookieName(),
		Value:    secret,
		Path:     "/",
		Expires:  expires,
		HttpOnly: true,
		Secure:   !s.opts.InsecureHTTP,
		SameSite: http.SameSiteStrictMode,
	})
	writeJSON(w, http.StatusOK, loginResponse{
		Username: p.Name, Role: p.Role, CSRFToken: p.CSRFToken,
		MustChangePassword: p.MustChangePassword, ExpiresAt: expires.UTC(),
	})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	p := principal(r.Context())
	if p.Kind != "user" || len(p.SessionHash) == 0 {
		s.writeError(w, r, errInvalid("logout ends a portal session; revoke a token with DELETE /api/v1/tokens/{id}"))
		return
	}
	if err := s.auth.Logout(r.Context(), p, clientAddr(r), requestID(r.Context())); err != nil {
		s.writeError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: !s.opts.InsecureHTTP, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
}

type passwordRequest struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	p := principal(r.Context())
	if p.Kind != "user" {
		s.writeError(w, r, errInvalid("only a signed-in user has a password"))
		return
	}
	var req passwordRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.auth.ChangePassword(r.Context(), p, req.CurrentPassword, req.NewPassword, clientAddr(r), requestID(r.Context())); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type meResponse struct {
	Kind               string   `json:"kind"`
	Name               string   `json:"name"`
	Role               string   `json:"role"`
	Permissions        []string `json:"permissions"`
	UserID             int64    `json:"userId,omitempty"`
	TokenID            string   `json:"tokenId,omitempty"`
	MustChangePassword bool     `json:"mustChangePassword,omitempty"`
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	p := principal(r.Context())
	perms := []string{}
	for _, perm := range auth.RolePermissions[p.Role] {
		perms = append(perms, string(perm))
	}
	writeJSON(w, http.StatusOK, meResponse{
		Kind: p.Kind, Name: p.Name, Role: p.Role, Permissions: perms,
		UserID: p.UserID, TokenID: p.TokenID, MustChangePassword: p.MustChangePassword,
	})
}
