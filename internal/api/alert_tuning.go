package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/state"
)

// Alert tuning (suppression) rules, Defender's model:
//
//	GET    /api/v1/alert-tuning        every tuning rule, with its hits
//	POST   /api/v1/alert-tuning        create one
//	GET    /api/v1/alert-tuning/{id}   one; ETag is its version
//	PUT    /api/v1/alert-tuning/{id}   replace it; If-Match: the version read
//	DELETE /api/v1/alert-tuning/{id}   delete it; If-Match: the version read
//
// A rule applies to alerts raised after the change, in the stream and in
// scheduled runs alike. Every change is audited.

// LoadTuning reads the stored tuning rules into the alert pipeline; a
// rule that no longer validates (after an upgrade) is reported and left
// out.
func LoadTuning(ctx context.Context, st state.Store, p *detect.Pipeline, report func(id string, err error)) error {
	list, err := st.ListTuningRules(ctx)
	if err != nil {
		return err
	}
	var rules []*detect.TuningRule
	for _, sr := range list {
		r, err := detect.ParseTuningRule(sr.Definition)
		if err != nil {
			report(sr.ID, err)
			continue
		}
		r.ID = sr.ID
		rules = append(rules, r)
	}
	set, err := detect.NewTuning(rules)
	if err != nil {
		return err
	}
	p.SetTuning(set)
	return nil
}

type tuningView struct {
	*detect.TuningRule
	Version   int64      `json:"version"`
	Hits      int64      `json:"hits"`
	LastHit   *time.Time `json:"lastHit,omitempty"`
	CreatedBy string     `json:"createdBy"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedBy string     `json:"updatedBy"`
	UpdatedAt time.Time  `json:"updatedAt"`
}

func viewTuning(sr *state.TuningRule) (tuningView, error) {
	r, err := detect.ParseTuningRule(sr.Definition)
	if err != nil {
		return tuningView{}, err
	}
	r.ID = sr.ID
	v := tuningView{TuningRule: r, Version: sr.Version, Hits: sr.Hits, CreatedBy: sr.CreatedBy, CreatedAt: sr.CreatedAt.UTC(),
		UpdatedBy: sr.UpdatedBy, UpdatedAt: sr.UpdatedAt.UTC()}
	if !sr.LastHit.IsZero() {
		t := sr.LastHit.UTC()
		v.LastHit = &t
	}
	return v, nil
}

// reloadTuning puts the stored rules in force after a change.
func (s *Server) reloadTuning(ctx context.Context) {
	if s.opts.Alerts == nil {
		return
	}
	if err := LoadTuning(ctx, s.state, s.opts.Alerts, func(id string, err error) {
		s.log.WarnContext(ctx, "stored alert tuning rule does not validate; it is not applied", "rule", id, "err", err)
	}); err != nil {
		s.log.ErrorContext(ctx, "reloading alert tuning rules failed; the previous ones stay in force", "err", err)
	}
}

// readTuning reads and validates a tuning rule body; it returns the
// definition to store (without id).
func (s *Server) readTuning(w http.ResponseWriter, r *http.Request) (*detect.TuningRule, []byte, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	b, err := io.ReadAll(r.Body)
	if err != nil {
		s.writeError(w, r, err)
		return nil, nil, false
	}
	tr, err := detect.ParseTuningRule(b)
	if err != nil {
		s.writeError(w, r, errInvalid(err.Error()))
		return nil, nil, false
	}
	if id := r.PathValue("id"); tr.ID != "" && tr.ID != id {
		s.writeError(w, r, errInvalid("the body's id differs from the path's"))
		return nil, nil, false
	}
	tr.ID = ""
	def, err := json.Marshal(tr)
	if err != nil {
		s.writeError(w, r, err)
		return nil, nil, false
	}
	return tr, def, true
}

func (s *Server) listTuning(w http.ResponseWriter, r *http.Request) {
	list, err := s.state.ListTuningRules(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := []tuningView{}
	for i := range list {
		v, err := viewTuning(&list[i])
		if err != nil {
			s.log.WarnContext(r.Context(), "stored alert tuning rule does not validate", "rule", list[i].ID, "err", err)
			continue
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": out})
}

func (s *Server) getTuning(w http.ResponseWriter, r *http.Request) {
	sr, err := s.state.TuningRuleByID(r.Context(), r.PathValue("id"))
	if errors.Is(err, state.ErrNotFound) {
		err = &Error{http.StatusNotFound, CodeNotFound, "no alert tuning rule with this id"}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := viewTuning(sr)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(sr.Version, 10)))
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) createTuning(w http.ResponseWriter, r *http.Request) {
	tr, def, ok := s.readTuning(w, r)
	if !ok {
		return
	}
	p := principal(r.Context())
	sr := &state.TuningRule{Name: tr.Name, Definition: def, CreatedBy: p.Actor()}
	// The id is chosen here so that the audit entry, written in the same
	// transaction, names it.
	sr.ID = newTuningID()
	a := audit(r, p, "alerttuning.create", "alerttuning:"+sr.ID)
	a.Details = def
	if err := s.state.CreateTuningRule(r.Context(), sr, a); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.reloadTuning(r.Context())
	v, err := viewTuning(sr)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", strconv.Quote("1"))
	writeJSON(w, http.StatusCreated, v)
}

func tuningVersionError(err error) error {
	switch {
	case errors.Is(err, state.ErrConflict):
		return &Error{http.StatusPreconditionFailed, CodeConflict, "the tuning rule changed since you read it: read it again"}
	case errors.Is(err, state.ErrNotFound):
		return &Error{http.StatusNotFound, CodeNotFound, "no alert tuning rule with this id"}
	}
	return err
}

func (s *Server) updateTuning(w http.ResponseWriter, r *http.Request) {
	version, err := ifMatch(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	tr, def, ok := s.readTuning(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	p := principal(r.Context())
	sr := &state.TuningRule{ID: id, Name: tr.Name, Definition: def, Version: version, UpdatedBy: p.Actor()}
	a := audit(r, p, "alerttuning.update", "alerttuning:"+id)
	a.Details = def
	if err := s.state.UpdateTuningRule(r.Context(), sr, a); err != nil {
		s.writeError(w, r, tuningVersionError(err))
		return
	}
	s.reloadTuning(r.Context())
	got, err := s.state.TuningRuleByID(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := viewTuning(got)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(got.Version, 10)))
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) deleteTuning(w http.ResponseWriter, r *http.Request) {
	version, err := ifMatch(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	p := principal(r.Context())
	if err := s.state.DeleteTuningRule(r.Context(), id, version, audit(r, p, "alerttuning.delete", "alerttuning:"+id)); err != nil {
		s.writeError(w, r, tuningVersionError(err))
		return
	}
	s.reloadTuning(r.Context())
	w.WriteHeader(http.StatusNoContent)
}

// newTuningID is a random tuning rule id.
func newTuningID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "tun_" + hex.EncodeToString(b)
}
