package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/incident"
	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/store"
)

// Incidents (the queue and the analyst's workflow):
//
//	GET   /api/v1/incidents                 the queue: filters, search, sort, cursor paging, counts
//	GET   /api/v1/incidents/{id}            alerts, entities, evidence, reasons, story graph, comments, activity
//	PATCH /api/v1/incidents/{id}            assign, status, classify, tag, comment (If-Match: version)
//	POST  /api/v1/incidents/{id}/comments   add a comment
//	POST  /api/v1/incidents/{id}/merge      merge other incidents into this one
//	GET   /api/v1/incidents/{id}/timeline   alerts, evidence, triggering events, device telemetry, comments, activity in time order
//	POST  /api/v1/incidents/bulk            one change to many incidents
//	POST  /api/v1/alerts/{id}/incident      move an alert to another incident, or a new one

// incidentView is an incident as the API shows it.
type incidentView struct {
	ID               int64          `json:"id"`
	Name             string         `json:"name"`
	Severity         string         `json:"severity"`
	Status           string         `json:"status"`
	Assignee         string         `json:"assignee"`
	Classification   string         `json:"classification"`
	Determination    string         `json:"determination"`
	Tags             []string       `json:"tags"`
	SystemTags       []string       `json:"systemTags"`
	Categories       []string       `json:"categories"`
	Techniques       []string       `json:"techniques"`
	ImpactedAssets   impactedAssets `json:"impactedAssets"`
	ServiceSources   []string       `json:"serviceSources"`
	DetectionSources []string       `json:"detectionSources"`
	AlertCount       int            `json:"alertCount"`
	EntityCount      int            `json:"entityCount"`
	FirstActivity    *time.Time     `json:"firstActivity"`
	LastActivity     *time.Time     `json:"lastActivity"`
	RedirectTo       int64          `json:"redirectTo,omitempty"`
	Investigations   []string       `json:"investigations"`
	Actions          []string       `json:"actions"`
	CreatedAt        time.Time      `json:"createdAt"`
	UpdatedAt        time.Time      `json:"updatedAt"`
	ResolvedAt       *time.Time     `json:"resolvedAt"`
	Version          int64          `json:"version"`
}

type impactedAssets struct {
	Devices   []string `json:"devices"`
	Users     []string `json:"users"`
	Mailboxes []string `json:"mailboxes"`
	Apps      []string `json:"apps"`
	IPs       []string `json:"ips"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func nn(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func viewIncident(in *state.Incident) incidentView {
	return incidentView{ID: in.ID, Name: in.Name, Severity: in.Severity, Status: in.Status, Assignee: in.Assignee,
		Classification: in.Classification, Determination: in.Determination, Tags: nn(in.Tags), SystemTags: nn(in.SystemTags),
		Categories: nn(in.Categories), Techniques: nn(in.Techniques),
		ImpactedAssets: impactedAssets{Devices: nn(in.Devices), Users: nn(in.Users), Mailboxes: nn(in.Mailboxes), Apps: nn(in.Apps), IPs: nn(in.IPs)},
		ServiceSources: nn(in.ServiceSources), DetectionSources: nn(in.DetectionSources), AlertCount: in.AlertCount, EntityCount: in.EntityCount,
		FirstActivity: timePtr(in.FirstActivity), LastActivity: timePtr(in.LastActivity), RedirectTo: in.RedirectTo,
		Investigations: nn(in.Investigations), Actions: nn(in.Actions), CreatedAt: in.CreatedAt.UTC(), UpdatedAt: in.UpdatedAt.UTC(),
		ResolvedAt: timePtr(in.ResolvedAt), Version: in.Version}
}

// listValues reads a repeatable, comma-separated query parameter.
func listValues(q map[string][]string, name string) []string {
	var out []string
	for _, v := range q[name] {
		for _, one := range strings.Split(v, ",") {
			if one = strings.TrimSpace(one); one != "" {
				out = append(out, one)
			}
		}
	}
	return out
}

func parseBoolParam(q map[string][]string, name string) (bool, error) {
	v := ""
	if vs := q[name]; len(vs) > 0 {
		v = vs[0]
	}
	switch v {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, errInvalid(name + " must be true or false")
}

func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := state.IncidentFilter{Statuses: listValues(q, "status"), Severities: listValues(q, "severity"), Assignees: listValues(q, "assignee"),
		ServiceSources: listValues(q, "serviceSource"), DetectionSources: listValues(q, "detectionSource"), Tags: listValues(q, "tag"),
		Categories: listValues(q, "category"), Classifications: listValues(q, "classification"), Entity: strings.TrimSpace(q.Get("entity")),
		Search: strings.TrimSpace(q.Get("search")), Cursor: q.Get("cursor"), Desc: true, Sort: "lastActivity"}
	// "unassigned" selects incidents without an owner.
	for i, a := range f.Assignees {
		if a == "unassigned" {
			f.Assignees[i] = ""
		}
	}
	var err error
	for _, name := range []string{"since", "until"} {
		v := q.Get(name)
		if v == "" || err != nil {
			continue
		}
		t, perr := time.Parse(time.RFC3339Nano, v)
		if perr != nil {
			err = errInvalid(name + " must be an RFC 3339 time, e.g. 2026-11-26T10:00:00Z")
		} else if name == "since" {
			f.Since = t
		} else {
			f.Until = t
		}
	}
	if err == nil {
		f.MultiSource, err = parseBoolParam(q, "multiSource")
	}
	if err == nil {
		f.MultiCategory, err = parseBoolParam(q, "multiCategory")
	}
	if v := q.Get("limit"); v != "" && err == nil {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 || n > 1000 {
			err = errInvalid("limit must be an integer in 1..1000")
		}
		f.Limit = n
	}
	if v := q.Get("sort"); v != "" && err == nil {
		f.Desc = strings.HasPrefix(v, "-")
		f.Sort = strings.TrimPrefix(v, "-")
		switch f.Sort {
		case "lastActivity", "firstActivity", "createdAt", "updatedAt", "severity", "alertCount", "id":
		default:
			err = errInvalid("sort must be one of lastActivity, firstActivity, createdAt, updatedAt, severity, alertCount, id; a leading - sorts descending")
		}
	}
	for _, st := range f.Statuses {
		if err == nil && !slices.Contains([]string{"New", "InProgress", "Resolved"}, st) {
			err = errInvalid("status must be New, InProgress or Resolved")
		}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.state.ListIncidents(r.Context(), f)
	if errors.Is(err, state.ErrBadCursor) {
		err = errInvalid("cursor is not one a listing with this sort returned")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Items  []incidentView `json:"items"`
		Next   string         `json:"next,omitempty"`
		Total  int            `json:"total"`
		Counts struct {
			Severity map[string]int `json:"severity"`
			Status   map[string]int `json:"status"`
		} `json:"counts"`
	}{Items: make([]incidentView, len(page.Items)), Next: page.Next, Total: page.Total}
	for i := range page.Items {
		out.Items[i] = viewIncident(&page.Items[i])
	}
	out.Counts.Severity, out.Counts.Status = page.CountsBySeverity, page.CountsByStatus
	writeJSON(w, http.StatusOK, out)
}

// incidentID reads {id}.
func incidentID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(r.PathValue("id"), "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, &Error{http.StatusNotFound, CodeNotFound, "no incident with this id"}
	}
	return id, nil
}

func (s *Server) loadIncident(r *http.Request) (*state.Incident, error) {
	id, err := incidentID(r)
	if err != nil {
		return nil, err
	}
	in, err := s.state.IncidentByID(r.Context(), id)
	if errors.Is(err, state.ErrNotFound) {
		return nil, &Error{http.StatusNotFound, CodeNotFound, "no incident with this id"}
	}
	return in, err
}

// loadIncidentAlerts is loadIncident with the incident's alerts and their
// ids.
func (s *Server) loadIncidentAlerts(r *http.Request) (*state.Incident, []state.IncidentAlert, []string, error) {
	in, err := s.loadIncident(r)
	if err != nil {
		return nil, nil, nil, err
	}
	alerts, err := s.state.IncidentAlerts(r.Context(), in.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	ids := make([]string, len(alerts))
	for i, a := range alerts {
		ids[i] = a.AlertID
	}
	return in, alerts, ids, nil
}

type incidentAlertView struct {
	AlertID         string                 `json:"alertId"`
	Title           string                 `json:"title"`
	Severity        string                 `json:"severity"`
	Category        string                 `json:"category"`
	Time            time.Time              `json:"time"`
	ServiceSource   string                 `json:"serviceSource"`
	DetectionSource string                 `json:"detectionSource"`
	Techniques      []string               `json:"techniques"`
	Entities        []state.IncidentEntity `json:"entities"`
	Reasons         []state.LinkReason     `json:"reasons"`
	LinkedAt        time.Time              `json:"linkedAt"`
	Status          string                 `json:"status"`
}

type entityView struct {
	Kind      string    `json:"kind"`
	Value     string    `json:"value"`
	Alerts    int       `json:"alerts"`
	FirstSeen time.Time `json:"firstSeen"`
	LastSeen  time.Time `json:"lastSeen"`
}

type incidentActivityView struct {
	ID      int64     `json:"id"`
	Time    time.Time `json:"time"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Details any       `json:"details"`
}

// maxEvidenceAlerts bounds the alerts whose raw evidence rows a detail
// response carries.
const maxEvidenceAlerts = 200

func (s *Server) getIncident(w http.ResponseWriter, r *http.Request) {
	in, alerts, ids, err := s.loadIncidentAlerts(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	triage, err := s.state.AlertStates(ctx, ids)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	comments, err := s.state.IncidentComments(ctx, in.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	activity, err := s.state.IncidentActivity(ctx, in.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	evidence, err := s.alertEvidence(r, ids)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		incidentView
		Alerts   []incidentAlertView    `json:"alerts"`
		Entities []entityView           `json:"entities"`
		Evidence []map[string]any       `json:"evidence"`
		Reasons  []reasonView           `json:"correlationReasons"`
		Graph    incident.Graph         `json:"graph"`
		Comments []commentView          `json:"comments"`
		Activity []incidentActivityView `json:"activity"`
	}{incidentView: viewIncident(in), Alerts: []incidentAlertView{}, Evidence: evidence, Reasons: []reasonView{},
		Graph: incident.BuildGraph(alerts), Comments: []commentView{}, Activity: []incidentActivityView{}}
	ents := map[string]*entityView{}
	var order []string
	for _, a := range alerts {
		out.Alerts = append(out.Alerts, viewIncidentAlert(&a, triage[a.AlertID].Status))
		for _, rs := range a.Reasons {
			out.Reasons = append(out.Reasons, reasonView{AlertID: a.AlertID, LinkReason: rs})
		}
		for _, e := range a.Entities {
			k := e.Kind + "|" + e.Value
			v := ents[k]
			if v == nil {
				v = &entityView{Kind: e.Kind, Value: e.Value, FirstSeen: a.Time, LastSeen: a.Time}
				ents[k] = v
				order = append(order, k)
			}
			v.Alerts++
			if a.Time.Before(v.FirstSeen) {
				v.FirstSeen = a.Time
			}
			if a.Time.After(v.LastSeen) {
				v.LastSeen = a.Time
			}
		}
	}
	for _, k := range order {
		out.Entities = append(out.Entities, *ents[k])
	}
	for _, c := range comments {
		out.Comments = append(out.Comments, commentView{ID: c.ID, Author: c.Author, Text: c.Text, CreatedAt: c.CreatedAt.UTC()})
	}
	for _, a := range activity {
		out.Activity = append(out.Activity, incidentActivityView{ID: a.ID, Time: a.Time.UTC(), Actor: a.Actor, Action: a.Action, Details: jsonRaw(nil)})
		out.Activity[len(out.Activity)-1].Details = rawOrNull(a.Details)
	}
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(in.Version, 10)))
	writeJSON(w, http.StatusOK, out)
}

type reasonView struct {
	AlertID string `json:"alertId"`
	state.LinkReason
}

func rawOrNull(s string) any {
	if s == "" {
		return nil
	}
	return jsonRawString(s)
}

// jsonRawString is stored JSON passed through as is.
type jsonRawString string

func (j jsonRawString) MarshalJSON() ([]byte, error) { return []byte(j), nil }

func viewIncidentAlert(a *state.IncidentAlert, status string) incidentAlertView {
	if status == "" {
		status = "New"
	}
	ents := a.Entities
	if ents == nil {
		ents = []state.IncidentEntity{}
	}
	reasons := a.Reasons
	if reasons == nil {
		reasons = []state.LinkReason{}
	}
	return incidentAlertView{AlertID: a.AlertID, Title: a.Title, Severity: a.Severity, Category: a.Category, Time: a.Time.UTC(),
		ServiceSource: a.ServiceSource, DetectionSource: a.DetectionSource, Techniques: nn(a.Techniques), Entities: ents,
		Reasons: reasons, LinkedAt: a.LinkedAt.UTC(), Status: status}
}

// alertEvidence reads the AlertEvidence rows of the first alerts (their
// non-empty columns) from the event store.
func (s *Server) alertEvidence(r *http.Request, ids []string) ([]map[string]any, error) {
	out := []map[string]any{}
	if s.events == nil || len(ids) == 0 {
		return out, nil
	}
	if len(ids) > maxEvidenceAlerts {
		ids = ids[:maxEvidenceAlerts]
	}
	res, err := s.events.Query(r.Context(), store.Query{SQL: `SELECT DISTINCT * EXCLUDE ("__IngestionTime") FROM "AlertEvidence"
		WHERE list_contains($1::VARCHAR[], "AlertId") ORDER BY "Timestamp", "AlertId"`, Args: []any{ids}, MaxRows: 5000})
	if err != nil {
		return nil, err
	}
	for _, row := range res.Rows {
		m := map[string]any{}
		for i, c := range res.Columns {
			if v := row[i]; v != nil && v != "" {
				m[c.Name] = v
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// incidentPatch is the body of PATCH and of bulk updates.
type incidentPatch struct {
	Status         *string   `json:"status"`
	Assignee       *string   `json:"assignee"`
	Classification *string   `json:"classification"`
	Determination  *string   `json:"determination"`
	Tags           *[]string `json:"tags"`
	AddTags        []string  `json:"addTags"`
	RemoveTags     []string  `json:"removeTags"`
	Comment        string    `json:"comment"`
}

func (p incidentPatch) engine() incident.Patch {
	return incident.Patch{Status: p.Status, Assignee: p.Assignee, Classification: p.Classification, Determination: p.Determination,
		Tags: p.Tags, AddTags: p.AddTags, RemoveTags: p.RemoveTags, Comment: p.Comment}
}

// engineError maps the incident engine's errors to API errors.
func engineError(err error) error {
	var re *incident.RedirectedError
	switch {
	case errors.As(err, &re):
		return &Error{http.StatusConflict, CodeConflict, re.Error() + "; change that one instead"}
	case errors.Is(err, incident.ErrVersion):
		return &Error{http.StatusPreconditionFailed, CodeConflict, "the incident changed since you read it: read it again"}
	case errors.Is(err, incident.ErrInvalid):
		return errInvalid(strings.TrimPrefix(err.Error(), incident.ErrInvalid.Error()+": "))
	case errors.Is(err, state.ErrNotFound):
		return &Error{http.StatusNotFound, CodeNotFound, "no such incident or alert"}
	}
	return err
}

// engine answers 503 when the server runs without correlation.
func (s *Server) engine(w http.ResponseWriter, r *http.Request) *incident.Engine {
	if s.opts.Incidents == nil {
		s.writeError(w, r, &Error{http.StatusServiceUnavailable, CodeUnavailable, "incident correlation is not running on this server"})
	}
	return s.opts.Incidents
}

// incidentIfMatch reads the incident version an update is based on.
func incidentIfMatch(r *http.Request) (int64, error) {
	v := strings.Trim(strings.TrimPrefix(r.Header.Get("If-Match"), "W/"), `"`)
	if v == "" {
		return 0, &Error{http.StatusPreconditionRequired, CodeInvalid, "If-Match must carry the version (ETag) you read"}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, errInvalid("If-Match must be an incident version")
	}
	return n, nil
}

func (s *Server) updateIncident(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	version, err := incidentIfMatch(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var p incidentPatch
	if err := decodeJSON(w, r, &p); err != nil {
		s.writeError(w, r, err)
		return
	}
	e := s.engine(w, r)
	if e == nil {
		return
	}
	in, err := e.Update(r.Context(), id, version, p.engine(), audit(r, principal(r.Context()), "", ""))
	if err != nil {
		s.writeError(w, r, engineError(err))
		return
	}
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(in.Version, 10)))
	writeJSON(w, http.StatusOK, viewIncident(in))
}

func (s *Server) commentIncident(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req struct {
		Text string `json:"text"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if strings.TrimSpace(req.Text) == "" {
		s.writeError(w, r, errInvalid("text must not be empty"))
		return
	}
	e := s.engine(w, r)
	if e == nil {
		return
	}
	if _, err := e.Update(r.Context(), id, -1, incident.Patch{Comment: req.Text}, audit(r, principal(r.Context()), "", "")); err != nil {
		s.writeError(w, r, engineError(err))
		return
	}
	cs, err := s.state.IncidentComments(r.Context(), id)
	if err != nil || len(cs) == 0 {
		s.writeError(w, r, fmt.Errorf("reading the comment back: %w", err))
		return
	}
	c := cs[len(cs)-1]
	writeJSON(w, http.StatusCreated, commentView{ID: c.ID, Author: c.Author, Text: c.Text, CreatedAt: c.CreatedAt.UTC()})
}

func (s *Server) mergeIncidents(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req struct {
		Sources []int64 `json:"sources"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(req.Sources) == 0 || len(req.Sources) > 50 {
		s.writeError(w, r, errInvalid("sources must name 1 to 50 incidents to merge into this one"))
		return
	}
	e := s.engine(w, r)
	if e == nil {
		return
	}
	in, err := e.Merge(r.Context(), id, req.Sources, audit(r, principal(r.Context()), "", ""))
	if err != nil {
		s.writeError(w, r, engineError(err))
		return
	}
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(in.Version, 10)))
	writeJSON(w, http.StatusOK, viewIncident(in))
}

// moveAlert links an alert to another incident (incidentId) or, with
// incidentId 0 or absent, unlinks it into a new incident of its own.
func (s *Server) moveAlert(w http.ResponseWriter, r *http.Request) {
	var req struct {
		IncidentID int64 `json:"incidentId"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.IncidentID < 0 {
		s.writeError(w, r, errInvalid("incidentId must be an incident id, or 0 for a new incident"))
		return
	}
	e := s.engine(w, r)
	if e == nil {
		return
	}
	in, err := e.MoveAlert(r.Context(), r.PathValue("id"), req.IncidentID, audit(r, principal(r.Context()), "", ""))
	if err != nil {
		s.writeError(w, r, engineError(err))
		return
	}
	writeJSON(w, http.StatusOK, viewIncident(in))
}

// maxBulk bounds a bulk update.
const maxBulk = 500

func (s *Server) bulkUpdateIncidents(w http.ResponseWriter, r *http.Request) {
	var req struct {
		IDs []int64 `json:"ids"`
		// Versions, optional, by id: a listed incident whose version
		// differs is left alone (412 in its result).
		Versions map[string]int64 `json:"versions"`
		incidentPatch
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(req.IDs) == 0 || len(req.IDs) > maxBulk {
		s.writeError(w, r, errInvalid(fmt.Sprintf("ids must name 1 to %d incidents", maxBulk)))
		return
	}
	e := s.engine(w, r)
	if e == nil {
		return
	}
	type result struct {
		ID      int64  `json:"id"`
		Status  int    `json:"status"`
		Version int64  `json:"version,omitempty"`
		Error   string `json:"error,omitempty"`
	}
	out := struct {
		Results []result `json:"results"`
	}{}
	p := principal(r.Context())
	for _, id := range req.IDs {
		v, ok := req.Versions[strconv.FormatInt(id, 10)]
		if !ok {
			v = -1
		}
		in, err := e.Update(r.Context(), id, v, req.incidentPatch.engine(), audit(r, p, "", ""))
		if err != nil {
			ae, _ := toAPIError(engineError(err))
			out.Results = append(out.Results, result{ID: id, Status: ae.Status, Error: ae.Message})
			continue
		}
		out.Results = append(out.Results, result{ID: id, Status: http.StatusOK, Version: in.Version})
	}
	writeJSON(w, http.StatusOK, out)
}
