package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/detect"
)

func TestAlertsAPI(t *testing.T) {
	f := newHuntFixture(t)
	t0 := time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)
	var alerts []detect.Alert
	for i := 0; i < 5; i++ {
		sev := detect.Medium
		if i == 4 {
			sev = detect.High
		}
		alerts = append(alerts, detect.Alert{ID: "vc" + string(rune('a'+i)), Title: "Shadow copies deleted on ws" + string(rune('1'+i)),
			Severity: sev, Category: "Impact", Techniques: []string{"T1490"}, Timestamp: t0.Add(time.Duration(i) * time.Minute),
			Evidence: []detect.Evidence{{EntityType: "Machine", EvidenceRole: "Impacted", Fields: map[string]any{"DeviceId": "d" + string(rune('1'+i)), "DeviceName": "ws"}}}})
	}
	if err := f.srv.events.Append(context.Background(), detect.Batch(alerts)); err != nil {
		t.Fatal(err)
	}
	list := func(role, query string) (int, detect.AlertPage) {
		rec := f.do(t, "GET", "/api/v1/alerts?"+query, role, "")
		var p detect.AlertPage
		_ = json.Unmarshal(rec.Body.Bytes(), &p)
		return rec.Code, p
	}
	if code, _ := list(auth.RoleIngest, ""); code != http.StatusForbidden {
		t.Errorf("ingest token: %d", code)
	}
	// Paging, newest first, two at a time.
	var ids []string
	cursor := ""
	for pages := 0; pages < 5; pages++ {
		code, p := list(auth.RoleReader, "limit=2&cursor="+url.QueryEscape(cursor))
		if code != http.StatusOK {
			t.Fatalf("page %d: %d", pages, code)
		}
		for _, a := range p.Alerts {
			ids = append(ids, a.AlertID)
		}
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	if got := len(ids); got != 5 || ids[0] != "vce" || ids[4] != "vca" {
		t.Errorf("paged ids %v", ids)
	}
	if _, p := list(auth.RoleAnalyst, "severity=high"); len(p.Alerts) != 1 || p.Alerts[0].AttackTechniques[0] != "T1490" {
		t.Errorf("severity=high: %+v", p.Alerts)
	}
	if _, p := list(auth.RoleAnalyst, "title=WS2&since=2024-01-01T10:00:00Z"); len(p.Alerts) != 1 {
		t.Errorf("title filter: %+v", p.Alerts)
	}
	for _, bad := range []string{"limit=0", "since=yesterday", "cursor=!!"} {
		if code, _ := list(auth.RoleReader, bad); code != http.StatusBadRequest {
			t.Errorf("%s: %d", bad, code)
		}
	}
	rec := f.do(t, "GET", "/api/v1/alerts/vcc", auth.RoleReader, "")
	var d detect.AlertDetail
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("get: %d %s", rec.Code, rec.Body)
	}
	if len(d.Evidence) != 1 || d.Evidence[0]["EntityType"] != "Machine" || d.Evidence[0]["DeviceId"] != "d3" {
		t.Errorf("evidence %+v", d.Evidence)
	}
	if rec := f.do(t, "GET", "/api/v1/alerts/nope", auth.RoleReader, ""); rec.Code != http.StatusNotFound {
		t.Errorf("unknown alert: %d", rec.Code)
	}
}

func TestAlertTriage(t *testing.T) {
	f := newHuntFixture(t)
	a := detect.Alert{ID: "vcx", Title: "t", Severity: detect.High, Timestamp: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		Evidence: []detect.Evidence{{EntityType: "Machine", EvidenceRole: "Impacted", Fields: map[string]any{"DeviceId": "d"}}}}
	if err := f.srv.events.Append(context.Background(), detect.Batch([]detect.Alert{a})); err != nil {
		t.Fatal(err)
	}
	patch := func(role, version, body string) int {
		return f.doH(t, "PATCH", "/api/v1/alerts/vcx", role, body, map[string]string{"If-Match": version}).Code
	}
	if c := patch(auth.RoleReader, `"0"`, `{"status":"InProgress"}`); c != http.StatusForbidden {
		t.Errorf("reader: %d", c)
	}
	if c := patch(auth.RoleAnalyst, `"0"`, `{"status":"Done"}`); c != http.StatusBadRequest {
		t.Errorf("bad status: %d", c)
	}
	if c := patch(auth.RoleAnalyst, `"0"`, `{"classification":"FalsePositive","determination":"Malware"}`); c != http.StatusBadRequest {
		t.Errorf("determination of another classification: %d", c)
	}
	if c := patch(auth.RoleAnalyst, `"0"`, `{"status":"InProgress","assignee":"alice"}`); c != http.StatusOK {
		t.Errorf("first triage: %d", c)
	}
	if c := patch(auth.RoleAnalyst, `"0"`, `{"status":"Resolved"}`); c != http.StatusPreconditionFailed {
		t.Errorf("stale triage: %d", c)
	}
	if c := patch(auth.RoleAdmin, `"1"`, `{"status":"Resolved","classification":"TruePositive","determination":"Malware"}`); c != http.StatusOK {
		t.Errorf("second triage: %d", c)
	}
	if rec := f.do(t, "POST", "/api/v1/alerts/vcx/comments", auth.RoleAnalyst, `{"text":"host isolated"}`); rec.Code != http.StatusCreated {
		t.Errorf("comment: %d %s", rec.Code, rec.Body)
	}
	rec := f.do(t, "GET", "/api/v1/alerts/vcx", auth.RoleReader, "")
	body := rec.Body.String()
	for _, want := range []string{`"status":"Resolved"`, `"assignee":"alice"`, `"determination":"Malware"`, `"version":2`, `"text":"host isolated"`, `"EntityType":"Machine"`} {
		if !strings.Contains(body, want) {
			t.Errorf("alert lacks %s: %s", want, body)
		}
	}
	rec = f.do(t, "GET", "/api/v1/alerts", auth.RoleReader, "")
	if !strings.Contains(rec.Body.String(), `"status":"Resolved"`) {
		t.Errorf("list lacks the status: %s", rec.Body)
	}
}
