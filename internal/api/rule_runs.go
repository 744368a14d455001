package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

// Rule runs, as the state store keeps them (the last state.MaxRuleRuns
// of each rule, scheduled and manual):
//
//	GET /api/v1/rules/{id}/runs   newest first; limit (1..100)

type storedRunView struct {
	ID        int64     `json:"id"`
	Trigger   string    `json:"trigger"`
	Status    string    `json:"status"`
	Started   time.Time `json:"started"`
	Seconds   float64   `json:"durationSeconds"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Interval  string    `json:"interval"`
	Alerts    int       `json:"alerts"`
	Truncated bool      `json:"truncated"`
	Error     string    `json:"error,omitempty"`
}

func viewRun(r state.RuleRun) storedRunView {
	return storedRunView{ID: r.ID, Trigger: r.Trigger, Status: r.Status, Started: r.Started.UTC(), Seconds: r.Duration.Seconds(),
		From: r.From.UTC(), To: r.To.UTC(), Interval: r.To.Sub(r.From).String(), Alerts: r.Alerts, Truncated: r.Truncated, Error: r.Error}
}

// ruleExists reports whether a rule is in force (built-in or custom).
func (s *Server) ruleExists(id string) bool {
	for _, c := range s.rules.registry.Rules() {
		if c.Rule.ID == id {
			return true
		}
	}
	return false
}

func (s *Server) storedRuns(r *http.Request, id string, limit int) ([]storedRunView, error) {
	runs, err := s.state.RuleRuns(r.Context(), id, limit)
	if err != nil {
		return nil, err
	}
	out := make([]storedRunView, len(runs))
	for i, run := range runs {
		out[i] = viewRun(run)
	}
	return out, nil
}

func (s *Server) listRuleRuns(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	limit := state.MaxRuleRuns
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > state.MaxRuleRuns {
			s.writeError(w, r, errInvalid("limit must be an integer in 1.."+strconv.Itoa(state.MaxRuleRuns)))
			return
		}
		limit = n
	}
	runs, err := s.storedRuns(r, id, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(runs) == 0 && !s.ruleExists(id) {
		s.writeError(w, r, &Error{http.StatusNotFound, CodeNotFound, "no rule with this id"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"runs": runs})
}
