package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/state"
)

// Detection rules:
//
//	GET    /api/v1/rules             built-in and custom rules, with their last runs
//	POST   /api/v1/rules             create a custom rule (JSON or YAML body, detect's shape)
//	GET    /api/v1/rules/{id}        one rule and its definition; ETag is its version
//	PUT    /api/v1/rules/{id}        replace a custom rule; If-Match: the version read
//	DELETE /api/v1/rules/{id}        delete a custom rule; If-Match: the version read
//	POST   /api/v1/rules/{id}/run    run it now over its lookback
//	GET    /api/v1/rules/{id}/runs   its kept run records (rule_runs.go)
//
// A custom rule with a built-in rule's id replaces that rule (to tune
// or disable it); deleting it brings the built-in one back. Every change
// is audited; a query error answers 400 with its line and column.

// rulesOf wires the rule registry and the scheduler's run records.
type rulesOf struct {
	registry *detect.Registry
	runs     func() map[string]detect.Run
}

// LoadRules compiles the custom rules stored in the state store into the
// registry; a rule that no longer compiles (after an upgrade) is
// reported and left out.
func LoadRules(ctx context.Context, st state.Store, reg *detect.Registry, report func(id string, err error)) error {
	list, err := st.ListRules(ctx)
	if err != nil {
		return err
	}
	for _, sr := range list {
		c, err := compileStored(sr)
		if err != nil {
			report(sr.ID, err)
			continue
		}
		reg.Set(c)
	}
	return nil
}

func compileStored(sr state.Rule) (*detect.Compiled, error) {
	r, err := detect.ParseRule([]byte(sr.Definition))
	if err != nil {
		return nil, err
	}
	return detect.Compile(r)
}

type ruleView struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Frequency  string   `json:"frequency"`
	Severity   string   `json:"severity"`
	Techniques []string `json:"techniques"`
	Enabled    bool     `json:"enabled"`
	Builtin    bool     `json:"builtin"`
	Continuous bool     `json:"continuous"`
	Version    int64    `json:"version,omitempty"`
	Definition string   `json:"definition,omitempty"`
	LastRun    *runView `json:"lastRun,omitempty"`
	// LastRuns are the kept run records, newest first (one rule's view).
	LastRuns  []storedRunView `json:"lastRuns,omitempty"`
	UpdatedBy string          `json:"updatedBy,omitempty"`
	UpdatedAt *time.Time      `json:"updatedAt,omitempty"`
	Actions   []string        `json:"actions,omitempty"`
}

type runView struct {
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Started   time.Time `json:"started"`
	Seconds   float64   `json:"durationSeconds"`
	Alerts    int       `json:"alerts"`
	Truncated bool      `json:"truncated"`
	Error     string    `json:"error,omitempty"`
}

func (s *Server) viewRule(c *detect.Compiled) ruleView {
	r := c.Rule
	v := ruleView{ID: r.ID, Name: r.Name, Frequency: string(r.Frequency), Severity: string(r.Severity), Techniques: r.Techniques,
		Enabled: r.Enabled, Continuous: c.Continuous(), Builtin: s.rules.registry.Builtin(r.ID)}
	for _, a := range r.Actions {
		v.Actions = append(v.Actions, string(a))
	}
	if v.Techniques == nil {
		v.Techniques = []string{}
	}
	if s.rules.runs != nil {
		if run, ok := s.rules.runs()[r.ID]; ok {
			v.LastRun = &runView{From: run.From, To: run.To, Started: run.Started, Seconds: run.Duration.Seconds(),
				Alerts: len(run.Alerts), Truncated: run.Truncated, Error: run.Err}
		}
	}
	return v
}

func (s *Server) listRules(w http.ResponseWriter, r *http.Request) {
	out := []ruleView{}
	stored := map[string]state.Rule{}
	if list, err := s.state.ListRules(r.Context()); err == nil {
		for _, sr := range list {
			stored[sr.ID] = sr
		}
	}
	for _, c := range s.rules.registry.Rules() {
		v := s.viewRule(c)
		if sr, ok := stored[c.Rule.ID]; ok {
			v.Builtin, v.Version = false, sr.Version
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": out})
}

func (s *Server) getRule(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	sr, err := s.state.RuleByID(r.Context(), id)
	if err != nil && !errors.Is(err, state.ErrNotFound) {
		s.writeError(w, r, err)
		return
	}
	for _, c := range s.rules.registry.Rules() {
		if c.Rule.ID != id {
			continue
		}
		v := s.viewRule(c)
		if v.LastRuns, err = s.storedRuns(r, id, 10); err != nil {
			s.writeError(w, r, err)
			return
		}
		if sr != nil {
			v.Builtin, v.Version, v.Definition, v.UpdatedBy = false, sr.Version, sr.Definition, sr.UpdatedBy
			t := sr.UpdatedAt.UTC()
			v.UpdatedAt = &t
			w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(sr.Version, 10)))
		}
		writeJSON(w, http.StatusOK, v)
		return
	}
	s.writeError(w, r, &Error{http.StatusNotFound, CodeNotFound, "no rule with this id"})
}

// ruleError answers a rule that does not validate, with the position of
// a query error.
func (s *Server) ruleError(w http.ResponseWriter, r *http.Request, err error) {
	var body struct {
		Error struct {
			Code      string `json:"code"`
			Message   string `json:"message"`
			Line      int    `json:"line,omitempty"`
			Column    int    `json:"column,omitempty"`
			RequestID string `json:"requestId"`
		} `json:"error"`
	}
	body.Error.Code, body.Error.Message, body.Error.RequestID = CodeInvalid, err.Error(), requestID(r.Context())
	var re *detect.RuleError
	if errors.As(err, &re) {
		body.Error.Line, body.Error.Column = re.Line, re.Column
	}
	writeJSON(w, http.StatusBadRequest, body)
}

// readRule reads and compiles a rule body.
func (s *Server) readRule(w http.ResponseWriter, r *http.Request) (string, *detect.Compiled, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	b, err := io.ReadAll(r.Body)
	if err != nil {
		s.writeError(w, r, err)
		return "", nil, false
	}
	rule, err := detect.ParseRule(b)
	if err != nil {
		s.ruleError(w, r, err)
		return "", nil, false
	}
	if id := r.PathValue("id"); id != "" && rule.ID != id {
		s.ruleError(w, r, errors.New("the body's id differs from the path's"))
		return "", nil, false
	}
	c, err := detect.Compile(rule)
	if err != nil {
		s.ruleError(w, r, err)
		return "", nil, false
	}
	return string(b), c, true
}

func (s *Server) createRule(w http.ResponseWriter, r *http.Request) {
	def, c, ok := s.readRule(w, r)
	if !ok {
		return
	}
	p := principal(r.Context())
	sr := &state.Rule{ID: c.Rule.ID, Definition: def, CreatedBy: p.Actor()}
	if err := s.state.CreateRule(r.Context(), sr, audit(r, p, "rule.create", "rule:"+sr.ID)); err != nil {
		if errors.Is(err, state.ErrConflict) {
			err = &Error{http.StatusConflict, CodeConflict, "a custom rule with this id exists"}
		}
		s.writeError(w, r, err)
		return
	}
	s.rules.registry.Set(c)
	w.Header().Set("ETag", strconv.Quote("1"))
	v := s.viewRule(c)
	v.Builtin, v.Version, v.Definition = false, 1, def
	writeJSON(w, http.StatusCreated, v)
}

// ifMatch reads the version an update or delete was based on.
func ifMatch(r *http.Request) (int64, error) {
	v := strings.Trim(strings.TrimPrefix(r.Header.Get("If-Match"), "W/"), `"`)
	if v == "" {
		return 0, &Error{http.StatusPreconditionRequired, CodeInvalid, "If-Match must carry the version (ETag) you read, so that no one's change is silently overwritten"}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, errInvalid("If-Match must be a rule version")
	}
	return n, nil
}

func versionError(err error) error {
	switch {
	case errors.Is(err, state.ErrConflict):
		return &Error{http.StatusPreconditionFailed, CodeConflict, "the rule changed since you read it: read it again"}
	case errors.Is(err, state.ErrNotFound):
		return &Error{http.StatusNotFound, CodeNotFound, "no custom rule with this id"}
	}
	return err
}

func (s *Server) updateRule(w http.ResponseWriter, r *http.Request) {
	version, err := ifMatch(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	def, c, ok := s.readRule(w, r)
	if !ok {
		return
	}
	p := principal(r.Context())
	sr := &state.Rule{ID: c.Rule.ID, Definition: def, Version: version, UpdatedBy: p.Actor()}
	if err := s.state.UpdateRule(r.Context(), sr, audit(r, p, "rule.update", "rule:"+sr.ID)); err != nil {
		s.writeError(w, r, versionError(err))
		return
	}
	s.rules.registry.Set(c)
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(sr.Version, 10)))
	v := s.viewRule(c)
	v.Builtin, v.Version, v.Definition = false, sr.Version, def
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) deleteRule(w http.ResponseWriter, r *http.Request) {
	version, err := ifMatch(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	p := principal(r.Context())
	if err := s.state.DeleteRule(r.Context(), id, version, audit(r, p, "rule.delete", "rule:"+id)); err != nil {
		s.writeError(w, r, versionError(err))
		return
	}
	s.rules.registry.Remove(id)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) runRule(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	for _, c := range s.rules.registry.Rules() {
		if c.Rule.ID != id {
			continue
		}
		p := principal(r.Context())
		from, to := c.Window(time.Now(), false)
		run := c.RunInterval(r.Context(), &hunt.Engine{Store: s.events}, from, to)
		run.Trigger = "manual"
		if run.Err == "" {
			fresh, err := s.opts.Alerts.Raise(r.Context(), s.events, time.Now(), run.Alerts)
			if err != nil {
				run.Err = err.Error()
			}
			run.Alerts = fresh
		}
		if err := s.state.AddRuleRun(r.Context(), run.Record()); err != nil {
			s.writeError(w, r, err)
			return
		}
		a := audit(r, p, "rule.run", "rule:"+id)
		a.Details = jsonRaw(map[string]any{"alerts": len(run.Alerts), "error": run.Err})
		if run.Err != "" {
			a.Outcome = "failure"
		}
		if err := s.state.Record(r.Context(), a); err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, runView{From: run.From, To: run.To, Started: run.Started, Seconds: run.Duration.Seconds(),
			Alerts: len(run.Alerts), Truncated: run.Truncated, Error: run.Err})
		return
	}
	s.writeError(w, r, &Error{http.StatusNotFound, CodeNotFound, "no rule with this id"})
}
