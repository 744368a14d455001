package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/incident"
	"github.com/vigilsec/vigil/internal/state"
)

// Defender's incidents API, in its shapes, so scripts and SOAR playbooks
// written for Defender work against Vigil:
//
//	GET   /api/incidents        OData: $top (≤100), $skip, $filter on status, severity, lastUpdateTime, createdTime, assignedTo
//	GET   /api/incidents/{id}
//	PATCH /api/incidents/{id}   status, assignedTo, classification, determination, tags, comment
//	GET   /api/alerts           OData: $top (≤1000), $skip, $filter on status, severity, lastUpdateTime
//
// Statuses map New ↔ Active; a merged incident is Redirected.
// Determination NoEnoughDataToValidate is Vigil's InsufficientData.

type defIncident struct {
	IncidentID         int64        `json:"incidentId"`
	IncidentWebURL     string       `json:"incidentUri"`
	RedirectIncidentID *int64       `json:"redirectIncidentId"`
	IncidentName       string       `json:"incidentName"`
	CreatedTime        time.Time    `json:"createdTime"`
	LastUpdateTime     time.Time    `json:"lastUpdateTime"`
	AssignedTo         *string      `json:"assignedTo"`
	Classification     string       `json:"classification"`
	Determination      string       `json:"determination"`
	Status             string       `json:"status"`
	Severity           string       `json:"severity"`
	Tags               []string     `json:"tags"`
	SystemTags         []string     `json:"systemTags"`
	Comments           []defComment `json:"comments"`
	Alerts             []defAlert   `json:"alerts"`
}

type defComment struct {
	Comment     string    `json:"comment"`
	CreatedBy   string    `json:"createdBy"`
	CreatedTime time.Time `json:"createdTime"`
}

type defAlert struct {
	AlertID            string      `json:"alertId"`
	ID                 string      `json:"id"` // Defender for Endpoint's alert API names it id
	IncidentID         int64       `json:"incidentId"`
	ServiceSource      string      `json:"serviceSource"`
	CreationTime       time.Time   `json:"creationTime"`
	LastUpdatedTime    time.Time   `json:"lastUpdatedTime"`
	ResolvedTime       *time.Time  `json:"resolvedTime"`
	FirstActivity      time.Time   `json:"firstActivity"`
	LastActivity       time.Time   `json:"lastActivity"`
	Title              string      `json:"title"`
	Description        string      `json:"description"`
	Category           string      `json:"category"`
	Status             string      `json:"status"`
	Severity           string      `json:"severity"`
	InvestigationID    *string     `json:"investigationId"`
	InvestigationState string      `json:"investigationState"`
	Classification     *string     `json:"classification"`
	Determination      *string     `json:"determination"`
	DetectionSource    string      `json:"detectionSource"`
	AssignedTo         *string     `json:"assignedTo"`
	ActorName          *string     `json:"actorName"`
	ThreatFamilyName   *string     `json:"threatFamilyName"`
	MitreTechniques    []string    `json:"mitreTechniques"`
	Devices            []defDevice `json:"devices"`
	Entities           []defEntity `json:"entities"`
}

type defDevice struct {
	DeviceID      string `json:"deviceId,omitempty"`
	DeviceDNSName string `json:"deviceDnsName"`
}

type defEntity struct {
	EntityType         string `json:"entityType"`
	SHA1               string `json:"sha1,omitempty"`
	SHA256             string `json:"sha256,omitempty"`
	FileName           string `json:"fileName,omitempty"`
	ProcessCommandLine string `json:"processCommandLine,omitempty"`
	IPAddress          string `json:"ipAddress,omitempty"`
	URL                string `json:"url,omitempty"`
	AccountName        string `json:"accountName,omitempty"`
	DomainName         string `json:"domainName,omitempty"`
	UserSid            string `json:"userSid,omitempty"`
	AADUserID          string `json:"aadUserId,omitempty"`
	UserPrincipalName  string `json:"userPrincipalName,omitempty"`
	MailboxAddress     string `json:"mailboxAddress,omitempty"`
	Sender             string `json:"sender,omitempty"`
	ApplicationName    string `json:"applicationName,omitempty"`
	DeviceID           string `json:"deviceId,omitempty"`
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Status and determination names between Vigil and Defender.
func defStatus(in *state.Incident) string {
	switch {
	case in.RedirectTo != 0:
		return "Redirected"
	case in.Status == "New":
		return "Active"
	}
	return in.Status
}

var defDeterminations = map[string]string{"InsufficientData": "NoEnoughDataToValidate"}

func fromDefDetermination(d string) string {
	for v, def := range defDeterminations {
		if strings.EqualFold(d, def) {
			return v
		}
	}
	return d
}

func defEntities(a *state.IncidentAlert) ([]defDevice, []defEntity) {
	devices, ents := []defDevice{}, []defEntity{}
	for _, e := range a.Entities {
		key := func(prefix string) string {
			for _, k := range e.Keys {
				if v, ok := strings.CutPrefix(k, prefix); ok {
					return v
				}
			}
			return ""
		}
		switch e.Kind {
		case incident.KindDevice:
			devices = append(devices, defDevice{DeviceID: key("devid:"), DeviceDNSName: e.Value})
		case incident.KindAccount:
			d := defEntity{EntityType: "User", UserSid: key("sid:"), AADUserID: key("aad:"), UserPrincipalName: key("upn:")}
			if acct := key("acct:"); acct != "" {
				d.DomainName, d.AccountName, _ = strings.Cut(acct, `\`)
			}
			ents = append(ents, d)
		case incident.KindMailbox:
			ents = append(ents, defEntity{EntityType: "MailBox", MailboxAddress: e.Value, UserPrincipalName: e.Value})
		case incident.KindSender:
			ents = append(ents, defEntity{EntityType: "MailMessage", Sender: e.Value})
		case incident.KindIP:
			ents = append(ents, defEntity{EntityType: "Ip", IPAddress: e.Value})
		case incident.KindURL:
			ents = append(ents, defEntity{EntityType: "Url", URL: e.Value})
		case incident.KindFile:
			ents = append(ents, defEntity{EntityType: "File", SHA1: key("sha1:"), SHA256: key("sha256:"), FileName: e.Value})
		case incident.KindProcess:
			ents = append(ents, defEntity{EntityType: "Process", ProcessCommandLine: e.Value})
		case incident.KindApp:
			ents = append(ents, defEntity{EntityType: "CloudApplication", ApplicationName: e.Value})
		}
	}
	return devices, ents
}

func defAlertOf(a *state.IncidentAlert, st state.AlertState, updated time.Time) defAlert {
	status := st.Status
	if status == "" {
		status = "New"
	}
	devices, ents := defEntities(a)
	out := defAlert{AlertID: a.AlertID, ID: a.AlertID, IncidentID: a.IncidentID, ServiceSource: a.ServiceSource,
		CreationTime: a.LinkedAt.UTC(), LastUpdatedTime: updated.UTC(), FirstActivity: a.Time.UTC(), LastActivity: a.Time.UTC(),
		Title: a.Title, Category: a.Category, Status: status, Severity: a.Severity, InvestigationState: "UnsupportedAlertType",
		Classification: strPtr(st.Classification), Determination: strPtr(defDeterminations[st.Determination]),
		DetectionSource: a.DetectionSource, AssignedTo: strPtr(st.Assignee), MitreTechniques: nn(a.Techniques), Devices: devices, Entities: ents}
	if out.Determination == nil {
		out.Determination = strPtr(st.Determination)
	}
	if status == "Resolved" {
		out.ResolvedTime = timePtr(st.UpdatedAt)
	}
	return out
}

// defIncidentOf builds an incident in Defender's shape, with its alerts
// and comments.
func (s *Server) defIncidentOf(ctx context.Context, in *state.Incident) (defIncident, error) {
	out := defIncident{IncidentID: in.ID, IncidentWebURL: "/incidents/" + strconv.FormatInt(in.ID, 10), IncidentName: in.Name,
		CreatedTime: in.CreatedAt.UTC(), LastUpdateTime: in.UpdatedAt.UTC(), AssignedTo: strPtr(in.Assignee),
		Classification: in.Classification, Determination: in.Determination, Status: defStatus(in), Severity: in.Severity,
		Tags: nn(in.Tags), SystemTags: nn(in.SystemTags), Comments: []defComment{}, Alerts: []defAlert{}}
	if out.Classification == "" {
		out.Classification = "Unknown"
	}
	if out.Determination == "" {
		out.Determination = "NotAvailable"
	} else if d, ok := defDeterminations[out.Determination]; ok {
		out.Determination = d
	}
	if in.RedirectTo != 0 {
		to := in.RedirectTo
		out.RedirectIncidentID = &to
	}
	comments, err := s.state.IncidentComments(ctx, in.ID)
	if err != nil {
		return out, err
	}
	for _, c := range comments {
		out.Comments = append(out.Comments, defComment{Comment: c.Text, CreatedBy: c.Author, CreatedTime: c.CreatedAt.UTC()})
	}
	alerts, err := s.state.IncidentAlerts(ctx, in.ID)
	if err != nil {
		return out, err
	}
	ids := make([]string, len(alerts))
	for i, a := range alerts {
		ids[i] = a.AlertID
	}
	states, err := s.state.AlertStates(ctx, ids)
	if err != nil {
		return out, err
	}
	for i := range alerts {
		st := states[alerts[i].AlertID]
		out.Alerts = append(out.Alerts, defAlertOf(&alerts[i], st, later(alerts[i].LinkedAt, st.UpdatedAt)))
	}
	return out, nil
}

// odataPage reads $top and $skip.
func odataPage(q map[string][]string, maxTop int) (top, skip int, err error) {
	top = maxTop
	get := func(name string) string {
		if v := q[name]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if v := get("$top"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 || n > maxTop {
			return 0, 0, errInvalid("$top must be an integer in 1.." + strconv.Itoa(maxTop))
		}
		top = n
	}
	if v := get("$skip"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 0 || n > 1_000_000 {
			return 0, 0, errInvalid("$skip must be a non-negative integer")
		}
		skip = n
	}
	return top, skip, nil
}

func writeOData(w http.ResponseWriter, context string, value any) {
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": "/api/$metadata#" + context, "value": value})
}

var defIncidentStatuses = []string{"Active", "InProgress", "Resolved", "Redirected"}

func (s *Server) defListIncidents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	top, skip, err := odataPage(q, 100)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f := state.IncidentFilter{Limit: top, Skip: skip, Sort: "updatedAt", Desc: true, IncludeRedirected: true}
	var statuses, sevs []string
	if v := q.Get("$filter"); v != "" {
		terms, perr := parseODataFilter(v)
		if perr != nil {
			s.writeError(w, r, errInvalid(perr.Error()))
			return
		}
		for _, t := range terms {
			switch strings.ToLower(t.Field) {
			case "status":
				statuses, err = enumValues(t, defIncidentStatuses, statuses)
			case "severity":
				sevs, err = enumValues(t, []string{"Informational", "Low", "Medium", "High"}, sevs)
			case "lastupdatetime":
				err = timeRange(t, &f.UpdatedSince, &f.UpdatedUntil)
			case "createdtime":
				err = timeRange(t, &f.CreatedSince, &f.CreatedUntil)
			case "assignedto":
				if t.Op != "eq" {
					err = errors.New("$filter: assignedTo at byte " + strconv.Itoa(t.Pos) + " takes eq")
				} else if strings.EqualFold(t.Value, "null") {
					f.Assignees = []string{""}
				} else {
					f.Assignees = []string{t.Value}
				}
			default:
				err = errors.New("$filter: cannot filter on " + strconv.Quote(t.Field) + " (byte " + strconv.Itoa(t.Pos) + "); filter on status, severity, lastUpdateTime, createdTime or assignedTo")
			}
			if err != nil {
				s.writeError(w, r, errInvalid(err.Error()))
				return
			}
		}
	}
	if (statuses != nil && len(statuses) == 0) || (sevs != nil && len(sevs) == 0) {
		writeOData(w, "Incidents", []defIncident{})
		return
	}
	f.Severities = sevs
	if statuses != nil {
		redirected := false
		for _, st := range statuses {
			switch st {
			case "Active":
				f.Statuses = append(f.Statuses, "New")
			case "Redirected":
				redirected = true
			default:
				f.Statuses = append(f.Statuses, st)
			}
		}
		f.IncludeRedirected = redirected
		if redirected && len(f.Statuses) == 0 {
			f.OnlyRedirected = true
		} else if redirected {
			f.Statuses = append(f.Statuses, "Resolved")
		}
	}
	page, err := s.state.ListIncidents(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]defIncident, 0, len(page.Items))
	for i := range page.Items {
		d, err := s.defIncidentOf(r.Context(), &page.Items[i])
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out = append(out, d)
	}
	writeOData(w, "Incidents", out)
}

func (s *Server) defGetIncident(w http.ResponseWriter, r *http.Request) {
	in, err := s.loadIncident(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.defIncidentOf(r.Context(), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) defUpdateIncident(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req struct {
		Status         *string   `json:"status"`
		AssignedTo     *string   `json:"assignedTo"`
		Classification *string   `json:"classification"`
		Determination  *string   `json:"determination"`
		Tags           *[]string `json:"tags"`
		Comment        string    `json:"comment"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	// Defender's API takes no version; an If-Match, when sent, is checked.
	version := int64(-1)
	if r.Header.Get("If-Match") != "" {
		if version, err = incidentIfMatch(r); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	p := incident.Patch{Assignee: req.AssignedTo, Tags: req.Tags, Comment: req.Comment, Classification: req.Classification}
	if req.Status != nil {
		st := *req.Status
		switch strings.ToLower(st) {
		case "active", "new":
			st = "New"
		case "redirected":
			s.writeError(w, r, errInvalid("status Redirected is set by merging incidents, not by an update"))
			return
		}
		p.Status = &st
	}
	if req.Classification != nil && strings.EqualFold(*req.Classification, "Unknown") {
		empty := ""
		p.Classification = &empty
	}
	if req.Determination != nil {
		d := fromDefDetermination(*req.Determination)
		if strings.EqualFold(d, "NotAvailable") {
			d = ""
		}
		p.Determination = &d
	}
	e := s.engine(w, r)
	if e == nil {
		return
	}
	in, err := e.Update(r.Context(), id, version, p, audit(r, principal(r.Context()), "", ""))
	if err != nil {
		s.writeError(w, r, engineError(err))
		return
	}
	d, err := s.defIncidentOf(r.Context(), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) defListAlerts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	top, skip, err := odataPage(q, 1000)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f := state.IncidentAlertFilter{Limit: top, Skip: skip}
	var statuses, sevs []string
	if v := q.Get("$filter"); v != "" {
		terms, perr := parseODataFilter(v)
		if perr != nil {
			s.writeError(w, r, errInvalid(perr.Error()))
			return
		}
		for _, t := range terms {
			switch strings.ToLower(t.Field) {
			case "status":
				statuses, err = enumValues(t, []string{"New", "InProgress", "Resolved"}, statuses)
			case "severity":
				sevs, err = enumValues(t, []string{"Informational", "Low", "Medium", "High"}, sevs)
			case "lastupdatetime", "lastupdatedtime":
				err = timeRange(t, &f.UpdatedSince, &f.UpdatedUntil)
			default:
				err = errors.New("$filter: cannot filter on " + strconv.Quote(t.Field) + " (byte " + strconv.Itoa(t.Pos) + "); filter on status, severity or lastUpdateTime")
			}
			if err != nil {
				s.writeError(w, r, errInvalid(err.Error()))
				return
			}
		}
	}
	if (statuses != nil && len(statuses) == 0) || (sevs != nil && len(sevs) == 0) {
		writeOData(w, "Alerts", []defAlert{})
		return
	}
	f.Statuses, f.Severities = statuses, sevs
	rows, err := s.state.ListIncidentAlerts(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]defAlert, 0, len(rows))
	for i := range rows {
		a := &rows[i]
		out = append(out, defAlertOf(&a.IncidentAlert, state.AlertState{Status: a.Status, Assignee: a.Assignee,
			Classification: a.Classification, Determination: a.Determination, UpdatedAt: a.UpdatedAt}, a.UpdatedAt))
	}
	writeOData(w, "Alerts", out)
}
