package api

import (
	"net/http"
	"time"

	"github.com/vigilsec/vigil/internal/config"
	"github.com/vigilsec/vigil/internal/state"
)

type tokenView struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	CreatedBy  string     `json:"createdBy"`
	CreatedAt  time.Time  `json:"createdAt"`
	ExpiresAt  *time.Time `json:"expiresAt"`
	RevokedAt  *time.Time `json:"revokedAt"`
	LastUsedAt *time.Time `json:"lastUsedAt"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func viewToken(t *state.Token) tokenView {
	return tokenView{ID: t.ID, Name: t.Name, Role: t.Role, CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt.UTC(),
		ExpiresAt: optTime(t.ExpiresAt), RevokedAt: optTime(t.RevokedAt), LastUsedAt: optTime(t.LastUsedAt)}
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) {
	toks, err := s.state.ListTokens(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]tokenView, 0, len(toks))
	for i := range toks {
		out = append(out, viewToken(&toks[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": out})
}

type createTokenRequest struct {
	Name string `json:"name"`
	Role string `json:"role"`
	// ExpiresIn is a duration ("90d", "12h"); empty means no expiry.
	ExpiresIn string `json:"expiresIn"`
}

type createTokenResponse struct {
	tokenView
	// Token is the secret, shown this once; only its hash is stored.
	Token string `json:"token"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	var req createTokenRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	var expires time.Time
	if req.ExpiresIn != "" {
		d, err := config.ParseDuration(req.ExpiresIn)
		if err != nil || d <= 0 {
			s.writeError(w, r, errInvalid("expiresIn must be a positive duration such as 90d or 12h"))
			return
		}
		expires = time.Now().Add(d)
	}
	text, tok, err := s.auth.CreateToken(r.Context(), principal(r.Context()), req.Name, req.Role, expires, clientAddr(r), requestID(r.Context()))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, createTokenResponse{tokenView: viewToken(tok), Token: text})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	if err := s.auth.RevokeToken(r.Context(), principal(r.Context()), r.PathValue("id"), clientAddr(r), requestID(r.Context())); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
