package api

import (
	"net/http"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

type userView struct {
	ID                 int64     `json:"id"`
	Username           string    `json:"username"`
	Role               string    `json:"role"`
	MustChangePassword bool      `json:"mustChangePassword"`
	Disabled           bool      `json:"disabled"`
	CreatedAt          time.Time `json:"createdAt"`
}

func viewUser(u *state.User) userView {
	return userView{ID: u.ID, Username: u.Username, Role: u.Role, MustChangePassword: u.MustChangePassword,
		Disabled: u.Disabled, CreatedAt: u.CreatedAt.UTC()}
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	users, err := s.state.ListUsers(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]userView, 0, len(users))
	for i := range users {
		out = append(out, viewUser(&users[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

type createUserRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Role     string `json:"role"`
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var req createUserRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.auth.CreateUser(r.Context(), principal(r.Context()), req.Username, req.Password, req.Role, clientAddr(r), requestID(r.Context()))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, viewUser(u))
}
