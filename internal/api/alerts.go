package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/state"
)

// Alerts, as the detection rules wrote them to AlertInfo and
// AlertEvidence:
//
//	GET /api/v1/alerts        newest first; filters since, until (RFC 3339),
//	                          severity (repeatable), category, title
//	                          (substring); limit (1..1000); cursor (next page)
//	GET /api/v1/alerts/{id}   one alert, its evidence and its triggering events
//
// An alert stands for every time its rule fired on the same impacted
// entities within the deduplication window: count, firstActivity and
// lastActivity say how often and when.
func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f detect.AlertFilter
	var err error
	for _, name := range []string{"since", "until"} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		t, perr := time.Parse(time.RFC3339Nano, v)
		if perr != nil {
			err = errInvalid(name + " must be an RFC 3339 time, e.g. 2026-11-26T10:00:00Z")
			break
		}
		if name == "since" {
			f.Since = t
		} else {
			f.Until = t
		}
	}
	if v := q.Get("limit"); v != "" && err == nil {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 || n > 1000 {
			err = errInvalid("limit must be an integer in 1..1000")
		}
		f.Limit = n
	}
	for _, sev := range q["severity"] {
		for _, one := range strings.Split(sev, ",") {
			if one = strings.TrimSpace(one); one != "" {
				f.Severities = append(f.Severities, one)
			}
		}
	}
	f.Category, f.TitleContains, f.Cursor = q.Get("category"), q.Get("title"), q.Get("cursor")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := detect.ListAlerts(r.Context(), s.events, f)
	if errors.Is(err, detect.ErrBadCursor) {
		err = errInvalid("cursor is not one a listing returned")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ids := make([]string, len(page.Alerts))
	for i, a := range page.Alerts {
		ids[i] = a.AlertID
	}
	states, err := s.state.AlertStates(r.Context(), ids)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	activity, err := s.state.AlertActivity(r.Context(), ids)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Alerts []alertView `json:"alerts"`
		Next   string      `json:"next,omitempty"`
	}{Alerts: make([]alertView, len(page.Alerts)), Next: page.Next}
	for i, a := range page.Alerts {
		out.Alerts[i] = alertView{AlertSummary: a, triageView: triageOf(states[a.AlertID]), activityView: activityOf(a, activity[a.AlertID])}
	}
	writeJSON(w, http.StatusOK, out)
}

// triageView is the analyst's state of an alert; an alert never touched
// is New at version 0.
type triageView struct {
	Status         string `json:"status"`
	Assignee       string `json:"assignee"`
	Classification string `json:"classification"`
	Determination  string `json:"determination"`
	Version        int64  `json:"version"`
}

func triageOf(st state.AlertState) triageView {
	if st.Status == "" {
		st.Status = "New"
	}
	return triageView{Status: st.Status, Assignee: st.Assignee, Classification: st.Classification, Determination: st.Determination, Version: st.Version}
}

type alertView struct {
	detect.AlertSummary
	triageView
	activityView
}

// activityView is how often an alert's rule fired on its entities; an
// alert without a record (raised before deduplication) fired once.
type activityView struct {
	Count         int64     `json:"count"`
	FirstActivity time.Time `json:"firstActivity"`
	LastActivity  time.Time `json:"lastActivity"`
}

func activityOf(a detect.AlertSummary, act state.AlertActivity) activityView {
	if act.Count == 0 {
		return activityView{Count: 1, FirstActivity: a.Timestamp.UTC(), LastActivity: a.Timestamp.UTC()}
	}
	return activityView{Count: act.Count, FirstActivity: act.FirstActivity.UTC(), LastActivity: act.LastActivity.UTC()}
}

// triggerView is one triggering event: the rule's result row.
type triggerView struct {
	Timestamp time.Time       `json:"timestamp"`
	Row       json.RawMessage `json:"row"`
}

type commentView struct {
	ID        int64     `json:"id"`
	Author    string    `json:"author"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"createdAt"`
}

func (s *Server) getAlert(w http.ResponseWriter, r *http.Request) {
	d, err := detect.GetAlert(r.Context(), s.events, r.PathValue("id"))
	if errors.Is(err, detect.ErrNoAlert) {
		err = &Error{http.StatusNotFound, CodeNotFound, "no alert with this id"}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.state.AlertState(r.Context(), d.AlertID)
	if err != nil && !errors.Is(err, state.ErrNotFound) {
		s.writeError(w, r, err)
		return
	}
	if st == nil {
		st = &state.AlertState{}
	}
	comments, err := s.state.AlertComments(r.Context(), d.AlertID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	activity, err := s.state.AlertActivity(r.Context(), []string{d.AlertID})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	triggers, err := s.state.AlertTriggers(r.Context(), d.AlertID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		*detect.AlertDetail
		triageView
		activityView
		// TriggeringEvents are the first rows that raised the alert
		// (state.MaxStoredRows of them).
		TriggeringEvents []triggerView `json:"triggeringEvents"`
		Comments         []commentView `json:"comments"`
	}{AlertDetail: d, triageView: triageOf(*st), activityView: activityOf(d.AlertSummary, activity[d.AlertID]),
		TriggeringEvents: []triggerView{}, Comments: []commentView{}}
	for _, t := range triggers {
		out.TriggeringEvents = append(out.TriggeringEvents, triggerView{Timestamp: t.Activity.UTC(), Row: t.Row})
	}
	for _, c := range comments {
		out.Comments = append(out.Comments, commentView{ID: c.ID, Author: c.Author, Text: c.Text, CreatedAt: c.CreatedAt.UTC()})
	}
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(st.Version, 10)))
	writeJSON(w, http.StatusOK, out)
}

// updateAlert changes an alert's triage: status, assignee,
// classification, determination. If-Match carries the version read ("0"
// for an alert never touched), so two analysts never silently overwrite
// each other.
func (s *Server) updateAlert(w http.ResponseWriter, r *http.Request) {
	v := strings.Trim(strings.TrimPrefix(r.Header.Get("If-Match"), "W/"), `"`)
	version, verr := strconv.ParseInt(v, 10, 64)
	if v == "" {
		s.writeError(w, r, &Error{http.StatusPreconditionRequired, CodeInvalid, "If-Match must carry the version (ETag) you read"})
		return
	}
	if verr != nil || version < 0 {
		s.writeError(w, r, errInvalid("If-Match must be an alert version"))
		return
	}
	var req struct {
		Status         *string `json:"status"`
		Assignee       *string `json:"assignee"`
		Classification *string `json:"classification"`
		Determination  *string `json:"determination"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	if !s.alertExists(w, r, id) {
		return
	}
	cur, err := s.state.AlertState(r.Context(), id)
	if errors.Is(err, state.ErrNotFound) {
		cur, err = &state.AlertState{AlertID: id, Status: "New"}, nil
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if cur.Version != version {
		s.writeError(w, r, &Error{http.StatusPreconditionFailed, CodeConflict, "the alert changed since you read it: read it again"})
		return
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&cur.Status, req.Status)
	set(&cur.Assignee, req.Assignee)
	set(&cur.Classification, req.Classification)
	set(&cur.Determination, req.Determination)
	if err := detect.CheckTriage(cur.Status, cur.Classification, cur.Determination); err != nil {
		s.writeError(w, r, errInvalid(err.Error()))
		return
	}
	p := principal(r.Context())
	cur.UpdatedBy = p.Actor()
	a := audit(r, p, "alert.update", "alert:"+id)
	a.Details = jsonRaw(map[string]string{"status": cur.Status, "assignee": cur.Assignee, "classification": cur.Classification, "determination": cur.Determination})
	if err := s.state.SetAlertState(r.Context(), cur, a); err != nil {
		if errors.Is(err, state.ErrConflict) {
			err = &Error{http.StatusPreconditionFailed, CodeConflict, "the alert changed since you read it: read it again"}
		}
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(cur.Version, 10)))
	writeJSON(w, http.StatusOK, triageOf(*cur))
}

// maxComment bounds a comment's text.
const maxComment = 16 << 10

func (s *Server) commentAlert(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Text string `json:"text"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	req.Text = strings.TrimSpace(req.Text)
	if req.Text == "" || len(req.Text) > maxComment {
		s.writeError(w, r, errInvalid("text must hold 1 to 16384 bytes"))
		return
	}
	id := r.PathValue("id")
	if !s.alertExists(w, r, id) {
		return
	}
	p := principal(r.Context())
	c := &state.AlertComment{AlertID: id, Author: p.Actor(), Text: req.Text}
	if err := s.state.AddAlertComment(r.Context(), c, audit(r, p, "alert.comment", "alert:"+id)); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, commentView{ID: c.ID, Author: c.Author, Text: c.Text, CreatedAt: c.CreatedAt.UTC()})
}

// alertExists answers 404 (or the store's error) unless AlertInfo holds
// the alert.
func (s *Server) alertExists(w http.ResponseWriter, r *http.Request, id string) bool {
	_, err := detect.GetAlert(r.Context(), s.events, id)
	if errors.Is(err, detect.ErrNoAlert) {
		err = &Error{http.StatusNotFound, CodeNotFound, "no alert with this id"}
	}
	if err != nil {
		s.writeError(w, r, err)
		return false
	}
	return true
}
