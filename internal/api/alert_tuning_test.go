package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/state"
)

// withPipeline gives the fixture's server a deduplicating pipeline on
// its state store, as internal/server wires it.
func (f *huntFixture) withPipeline() *detect.Pipeline {
	p := detect.NewPipeline(detect.DefaultDedupWindow, f.st)
	f.srv.opts.Alerts = p
	return p
}

func testAlert(id, device string, ts time.Time) detect.Alert {
	return detect.Alert{ID: id, RuleID: "r-test", Title: "Suspicious thing on " + device, Severity: detect.Medium, Category: "Execution", Timestamp: ts,
		Row:      map[string]any{"Timestamp": ts, "ReportId": int64(len(id)), "DeviceName": device, "ProcessCommandLine": "tool.exe --scan"},
		Evidence: []detect.Evidence{{EntityType: "Machine", EvidenceRole: "Impacted", Fields: map[string]any{"DeviceName": device}}}}
}

func TestAlertTuningAPI(t *testing.T) {
	f := newHuntFixture(t)
	p := f.withPipeline()
	const rule = `{"name":"scanner on lab hosts","action":"Hide","conditions":[{"field":"deviceName","operator":"startsWith","value":"lab-"},{"field":"processCommandLine","operator":"contains","value":"--SCAN"}]}`
	if rec := f.do(t, "POST", "/api/v1/alert-tuning", auth.RoleReader, rule); rec.Code != http.StatusForbidden {
		t.Errorf("reader: %d", rec.Code)
	}
	for bad, want := range map[string]string{
		`{"name":"x","action":"Hide","conditions":[{"field":"deviceName","operator":"regex","value":"("}]}`:            "condition 1: regex",
		`{"name":"x","action":"Hide","conditions":[]}`:                                                                 "at least one condition",
		`{"name":"x","action":"Hide","conditions":[{"field":"deviceName","operator":"equals","value":"a"}],"scope":1}`: "unknown field",
	} {
		rec := f.do(t, "POST", "/api/v1/alert-tuning", auth.RoleAnalyst, bad)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s: %d %s", bad, rec.Code, rec.Body)
		}
	}
	rec := f.do(t, "POST", "/api/v1/alert-tuning", auth.RoleAnalyst, rule)
	var created struct {
		ID      string `json:"id"`
		Version int64  `json:"version"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil || rec.Code != http.StatusCreated || created.ID == "" || rec.Header().Get("ETag") != `"1"` {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	// In force at once: the lab host's alert is hidden, the other raised.
	t0 := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	got, err := p.Raise(context.Background(), f.srv.events, t0, []detect.Alert{testAlert("o1", "lab-7", t0), testAlert("o2", "ws-1", t0)})
	if err != nil || len(got) != 1 || got[0].Title != "Suspicious thing on ws-1" {
		t.Fatalf("raised %+v, %v", got, err)
	}
	path := "/api/v1/alert-tuning/" + created.ID
	rec = f.do(t, "GET", path, auth.RoleReader, "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"hits":1`) || !strings.Contains(rec.Body.String(), `"createdBy":"token:`) {
		t.Errorf("get: %d %s", rec.Code, rec.Body)
	}
	// Resolve instead of hide; a stale version is refused.
	upd := strings.Replace(rule, `"Hide"`, `"Resolve"`, 1)
	if rec := f.doH(t, "PUT", path, auth.RoleAnalyst, upd, nil); rec.Code != http.StatusPreconditionRequired {
		t.Errorf("update without If-Match: %d", rec.Code)
	}
	if rec := f.doH(t, "PUT", path, auth.RoleAnalyst, upd, map[string]string{"If-Match": `"1"`}); rec.Code != http.StatusOK || rec.Header().Get("ETag") != `"2"` {
		t.Errorf("update: %d %s", rec.Code, rec.Body)
	}
	if rec := f.doH(t, "PUT", path, auth.RoleAnalyst, upd, map[string]string{"If-Match": `"1"`}); rec.Code != http.StatusPreconditionFailed {
		t.Errorf("stale update: %d", rec.Code)
	}
	t1 := t0.Add(48 * time.Hour)
	got, _ = p.Raise(context.Background(), f.srv.events, t1, []detect.Alert{testAlert("o3", "lab-7", t1)})
	if len(got) != 1 {
		t.Fatalf("resolve rule: raised %d", len(got))
	}
	rec = f.do(t, "GET", "/api/v1/alerts/"+got[0].ID, auth.RoleReader, "")
	if !strings.Contains(rec.Body.String(), `"status":"Resolved"`) || !strings.Contains(rec.Body.String(), "scanner on lab hosts") {
		t.Errorf("resolved alert: %s", rec.Body)
	}
	rec = f.do(t, "GET", "/api/v1/alert-tuning", auth.RoleReader, "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"hits":2`) {
		t.Errorf("list: %d %s", rec.Code, rec.Body)
	}
	if rec := f.doH(t, "DELETE", path, auth.RoleAnalyst, "", map[string]string{"If-Match": `"2"`}); rec.Code != http.StatusNoContent {
		t.Errorf("delete: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(t, "GET", path, auth.RoleReader, ""); rec.Code != http.StatusNotFound {
		t.Errorf("after delete: %d", rec.Code)
	}
	// Deleted: no longer applied.
	t2 := t1.Add(48 * time.Hour)
	got, _ = p.Raise(context.Background(), f.srv.events, t2, []detect.Alert{testAlert("o4", "lab-7", t2)})
	if st, err := f.st.AlertState(context.Background(), got[0].ID); err == nil {
		t.Errorf("alert after the rule's deletion is %+v", st)
	}
	entries, _ := f.st.ListAudit(context.Background(), state.AuditFilter{Action: "alerttuning."})
	if len(entries) != 3 {
		t.Errorf("%d alerttuning audit entries, want create, update, delete", len(entries))
	}
}

// Deduplicated alerts show their count, activity and triggering rows.
func TestAlertActivityAndTriggers(t *testing.T) {
	f := newHuntFixture(t)
	p := f.withPipeline()
	t0 := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	var alerts []detect.Alert
	for i, m := range []int{30, 0, 90} {
		alerts = append(alerts, testAlert("occ"+string(rune('a'+i)), "ws-1", t0.Add(time.Duration(m)*time.Minute)))
	}
	got, err := p.Raise(context.Background(), f.srv.events, t0, alerts)
	if err != nil || len(got) != 1 {
		t.Fatalf("raised %d, %v", len(got), err)
	}
	rec := f.do(t, "GET", "/api/v1/alerts", auth.RoleReader, "")
	var page struct {
		Alerts []struct {
			AlertID       string    `json:"alertId"`
			Count         int64     `json:"count"`
			FirstActivity time.Time `json:"firstActivity"`
			LastActivity  time.Time `json:"lastActivity"`
		} `json:"alerts"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || len(page.Alerts) != 1 {
		t.Fatalf("list: %s", rec.Body)
	}
	a := page.Alerts[0]
	if a.Count != 3 || !a.FirstActivity.Equal(t0) || !a.LastActivity.Equal(t0.Add(90*time.Minute)) {
		t.Errorf("activity %+v", a)
	}
	rec = f.do(t, "GET", "/api/v1/alerts/"+a.AlertID, auth.RoleReader, "")
	var d struct {
		Count            int64 `json:"count"`
		TriggeringEvents []struct {
			Timestamp time.Time      `json:"timestamp"`
			Row       map[string]any `json:"row"`
		} `json:"triggeringEvents"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil || d.Count != 3 || len(d.TriggeringEvents) != 3 {
		t.Fatalf("detail: %s", rec.Body)
	}
	if te := d.TriggeringEvents[0]; !te.Timestamp.Equal(t0) || te.Row["ProcessCommandLine"] != "tool.exe --scan" {
		t.Errorf("first triggering event %+v", te)
	}
}
