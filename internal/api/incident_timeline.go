package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/store"
)

// Bounds of an incident's timeline: the triggering events read from the
// state store, and the device telemetry an analyst may ask for around
// the incident (?telemetry=N rows).
const (
	maxTimelineEvents    = 1000
	maxTimelineTelemetry = 1000
	maxTimelineDevices   = 50
	// telemetryMargin widens the incident's activity window on both sides:
	// what happened on its devices just before the first alert (delivery,
	// reconnaissance) and just after the last.
	telemetryMargin = time.Hour
)

// telemetryTables are the device tables the timeline reads.
var telemetryTables = []string{
	"DeviceProcessEvents", "DeviceNetworkEvents", "DeviceFileEvents", "DeviceRegistryEvents",
	"DeviceLogonEvents", "DeviceImageLoadEvents", "DeviceEvents",
}

type timelineItem struct {
	Time    time.Time `json:"time"`
	Type    string    `json:"type"` // alert, evidence, event, telemetry, comment, activity
	AlertID string    `json:"alertId,omitempty"`
	Title   string    `json:"title,omitempty"`
	Actor   string    `json:"actor,omitempty"`
	Action  string    `json:"action,omitempty"`
	Table   string    `json:"table,omitempty"`
	Data    any       `json:"data,omitempty"`
}

// incidentTimeline is the incident's story in time order: its alerts, their
// evidence, the events that triggered them (the rules' result rows), the
// analysts' comments and activity, and on request the raw telemetry of its
// devices from an hour before its first activity to an hour after its last.
func (s *Server) incidentTimeline(w http.ResponseWriter, r *http.Request) {
	telemetry := 0
	if v := r.URL.Query().Get("telemetry"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxTimelineTelemetry {
			s.writeError(w, r, &Error{http.StatusBadRequest, CodeInvalid, "telemetry must be a number of rows from 0 to " + strconv.Itoa(maxTimelineTelemetry)})
			return
		}
		telemetry = n
	}
	in, alerts, ids, err := s.loadIncidentAlerts(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	items := []timelineItem{}
	for _, a := range alerts {
		items = append(items, timelineItem{Time: a.Time.UTC(), Type: "alert", AlertID: a.AlertID, Title: a.Title, Data: viewIncidentAlert(&a, "")})
	}
	evidence, err := s.alertEvidence(r, ids)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, ev := range evidence {
		t, _ := ev["Timestamp"].(time.Time)
		id, _ := ev["AlertId"].(string)
		items = append(items, timelineItem{Time: t.UTC(), Type: "evidence", AlertID: id, Data: ev})
	}
	truncated := false
	events := 0
	for _, id := range ids {
		if events >= maxTimelineEvents {
			truncated = true
			break
		}
		triggers, err := s.state.AlertTriggers(ctx, id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		for _, t := range triggers {
			if events >= maxTimelineEvents {
				truncated = true
				break
			}
			items = append(items, timelineItem{Time: t.Activity.UTC(), Type: "event", AlertID: id, Data: t.Row})
			events++
		}
	}
	if telemetry > 0 {
		rows, cut, err := s.deviceTelemetry(ctx, in, telemetry)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		items = append(items, rows...)
		truncated = truncated || cut
	}
	comments, err := s.state.IncidentComments(ctx, in.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, c := range comments {
		items = append(items, timelineItem{Time: c.CreatedAt.UTC(), Type: "comment", Actor: c.Author, Data: c.Text})
	}
	activity, err := s.state.IncidentActivity(ctx, in.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, a := range activity {
		items = append(items, timelineItem{Time: a.Time.UTC(), Type: "activity", Actor: a.Actor, Action: a.Action, Data: rawOrNull(a.Details)})
	}
	slices.SortStableFunc(items, func(a, b timelineItem) int { return a.Time.Compare(b.Time) })
	writeJSON(w, http.StatusOK, struct {
		Items []timelineItem `json:"items"`
		// Truncated: more triggering events or telemetry rows exist than
		// the timeline holds.
		Truncated bool `json:"truncated"`
	}{items, truncated})
}

// deviceTelemetry reads up to limit rows of the incident's devices'
// telemetry, in time order, around the incident's activity.
func (s *Server) deviceTelemetry(ctx context.Context, in *state.Incident, limit int) ([]timelineItem, bool, error) {
	if s.events == nil || len(in.Devices) == 0 || in.FirstActivity.IsZero() {
		return nil, false, nil
	}
	devices := make([]string, 0, min(len(in.Devices), maxTimelineDevices))
	for _, d := range in.Devices[:min(len(in.Devices), maxTimelineDevices)] {
		devices = append(devices, strings.ToLower(d))
	}
	var parts []string
	for _, t := range telemetryTables {
		parts = append(parts, `SELECT "Timestamp", '`+t+`' AS "Table", "ReportId", CAST(to_json(t) AS VARCHAR) AS "Row"
			FROM (SELECT * EXCLUDE ("__IngestionTime") FROM "`+t+`") t
			WHERE "Timestamp" BETWEEN $2 AND $3 AND (list_contains($1::VARCHAR[], lower("DeviceName")) OR list_contains($1::VARCHAR[], lower("DeviceId")))`)
	}
	q := strings.Join(parts, "\nUNION ALL\n") + "\nORDER BY \"Timestamp\", \"Table\", \"ReportId\""
	from, to := in.FirstActivity.Add(-telemetryMargin).UTC(), in.LastActivity.Add(telemetryMargin).UTC()
	res, err := s.events.Query(ctx, store.Query{SQL: q, Args: []any{devices, from, to}, MaxRows: limit})
	if err != nil {
		return nil, false, err
	}
	out := make([]timelineItem, 0, len(res.Rows))
	for _, row := range res.Rows {
		t, _ := row[0].(time.Time)
		table, _ := row[1].(string)
		text, _ := row[3].(string)
		out = append(out, timelineItem{Time: t.UTC(), Type: "telemetry", Table: table, Data: rawOrNull(text)})
	}
	return out, res.Truncated, nil
}
