package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/incident"
	"github.com/vigilsec/vigil/internal/state"
)

// incidentFixture is the hunting fixture with an incident engine and
// three alerts: two on ws1 (one incident), one on ws2.
func incidentFixture(t *testing.T) *huntFixture {
	t.Helper()
	f := newHuntFixture(t)
	set := incident.Defaults()
	set.FlushAfter = 0
	e, err := incident.New(f.st, set)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.srv.opts.Incidents = e
	t0 := time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)
	mk := func(id, title, dev, cat string, sev detect.Severity, at time.Duration) detect.Alert {
		return detect.Alert{ID: id, Title: title, Severity: sev, Category: cat, Techniques: []string{"T1059"}, Timestamp: t0.Add(at),
			Evidence: []detect.Evidence{{EntityType: "Machine", EvidenceRole: "Impacted", Fields: map[string]any{"DeviceId": "id-" + dev, "DeviceName": dev}},
				{EntityType: "User", EvidenceRole: "Impacted", Fields: map[string]any{"AccountName": "u-" + dev, "AccountDomain": "corp", "AccountSid": "S-1-5-21-9-" + dev}}}}
	}
	alerts := []detect.Alert{mk("va1", "Encoded PowerShell on ws1", "ws1", "Execution", detect.Medium, 0),
		mk("va2", "LSASS memory dump on ws1", "ws1", "CredentialAccess", detect.High, time.Minute),
		mk("vb1", "Shadow copies deleted on ws2", "ws2", "Impact", detect.Low, 2*time.Minute)}
	if err := f.srv.events.Append(context.Background(), detect.Batch(alerts)); err != nil {
		t.Fatal(err)
	}
	if err := e.Ingest(context.Background(), incident.FromDetect(alerts)); err != nil {
		t.Fatal(err)
	}
	return f
}

type incidentList struct {
	Items  []incidentView `json:"items"`
	Next   string         `json:"next"`
	Total  int            `json:"total"`
	Counts struct {
		Severity map[string]int `json:"severity"`
		Status   map[string]int `json:"status"`
	} `json:"counts"`
}

func TestIncidentsAPI(t *testing.T) {
	f := incidentFixture(t)
	list := func(role, query string) (int, incidentList) {
		t.Helper()
		rec := f.do(t, "GET", "/api/v1/incidents?"+query, role, "")
		var l incidentList
		_ = json.Unmarshal(rec.Body.Bytes(), &l)
		return rec.Code, l
	}
	if code, _ := list(auth.RoleIngest, ""); code != http.StatusForbidden {
		t.Errorf("ingest token: %d", code)
	}
	code, l := list(auth.RoleReader, "")
	if code != http.StatusOK || l.Total != 2 || len(l.Items) != 2 || l.Counts.Severity["High"] != 1 || l.Counts.Status["New"] != 2 {
		t.Fatalf("list: %d %+v", code, l)
	}
	one := l.Items[1]
	if one.Name != "Multi-stage incident involving Execution & Credential access on one endpoint" || one.AlertCount != 2 || one.ImpactedAssets.Devices[0] != "ws1" {
		t.Errorf("incident 1: %+v", one)
	}
	// Filters, search and paging.
	f2 := func(query string, want ...int64) {
		t.Helper()
		code, l := list(auth.RoleReader, query)
		var got []int64
		for _, in := range l.Items {
			got = append(got, in.ID)
		}
		if code != http.StatusOK || len(got) != len(want) || (len(want) > 0 && got[0] != want[0]) {
			t.Errorf("%s: %d %v, want %v", query, code, got, want)
		}
	}
	f2("severity=High", 1)
	f2("category=Impact", 2)
	f2("entity=WS2", 2)
	f2("search=lsass")
	f2("search=credential", 1)
	f2("search=%232", 2)
	f2("search=ws1", 1)
	f2("multiCategory=true", 1)
	f2("sort=id", 1, 2)
	f2("sort=-severity", 1, 2)
	f2("assignee=unassigned", 2, 1)
	f2("since=2024-01-01T10:01:30Z", 2)
	_, p1 := list(auth.RoleReader, "sort=id&limit=1")
	if p1.Next == "" {
		t.Fatal("no cursor")
	}
	f2("sort=id&limit=1&cursor="+url.QueryEscape(p1.Next), 2)
	for _, bad := range []string{"limit=0", "sort=name", "status=Open", "since=yesterday", "cursor=xyz", "multiSource=maybe", "sort=-id&cursor=" + url.QueryEscape(p1.Next)} {
		if code, _ := list(auth.RoleReader, bad); code != http.StatusBadRequest {
			t.Errorf("%s: %d", bad, code)
		}
	}

	// Detail: alerts, reasons, graph, evidence.
	rec := f.do(t, "GET", "/api/v1/incidents/1", auth.RoleReader, "")
	var d struct {
		incidentView
		Alerts   []incidentAlertView `json:"alerts"`
		Evidence []map[string]any    `json:"evidence"`
		Reasons  []reasonView        `json:"correlationReasons"`
		Graph    incident.Graph      `json:"graph"`
		Entities []entityView        `json:"entities"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("detail: %d %s", rec.Code, rec.Body)
	}
	if len(d.Alerts) != 2 || len(d.Evidence) != 4 || len(d.Reasons) != 2 || d.Reasons[1].Kind != "entity" || len(d.Graph.Nodes) != 4 || len(d.Entities) != 2 {
		t.Errorf("detail: %+v", d)
	}
	if rec.Header().Get("ETag") != `"1"` {
		t.Errorf("etag %q", rec.Header().Get("ETag"))
	}
	if rec := f.do(t, "GET", "/api/v1/incidents/99", auth.RoleReader, ""); rec.Code != http.StatusNotFound {
		t.Errorf("missing: %d", rec.Code)
	}

	// PATCH: If-Match, permissions, validation.
	patch := func(role, body, version string) *http.Response {
		t.Helper()
		hdr := map[string]string{}
		if version != "" {
			hdr["If-Match"] = version
		}
		return f.doH(t, "PATCH", "/api/v1/incidents/1", role, body, hdr).Result()
	}
	body := `{"status":"InProgress","assignee":"alice","addTags":["vip"],"comment":"on it"}`
	for _, c := range []struct {
		role, body, version string
		want                int
	}{
		{auth.RoleReader, body, `"1"`, http.StatusForbidden},
		{auth.RoleAnalyst, body, "", http.StatusPreconditionRequired},
		{auth.RoleAnalyst, body, `"7"`, http.StatusPreconditionFailed},
		{auth.RoleAnalyst, `{"status":"Done"}`, `"1"`, http.StatusBadRequest},
		{auth.RoleAnalyst, `{"classification":"FalsePositive","determination":"Malware"}`, `"1"`, http.StatusBadRequest},
		{auth.RoleAnalyst, `{"addTags":["Redirected"]}`, `"1"`, http.StatusBadRequest},
		{auth.RoleAnalyst, `{"nope":1}`, `"1"`, http.StatusBadRequest},
		{auth.RoleAnalyst, body, `"1"`, http.StatusOK},
		{auth.RoleAnalyst, `{"assignee":"bob"}`, `"1"`, http.StatusPreconditionFailed},
	} {
		if res := patch(c.role, c.body, c.version); res.StatusCode != c.want {
			t.Errorf("%s %s %s: %d, want %d", c.role, c.body, c.version, res.StatusCode, c.want)
		}
	}
	f2("assignee=alice&tag=vip&status=InProgress", 1)
	audits, _ := f.st.ListAudit(context.Background(), state.AuditFilter{Action: "incident.update"})
	if len(audits) != 1 || !strings.HasPrefix(audits[0].Actor, "token:") {
		t.Errorf("audit: %+v", audits)
	}
	// Comments, merge, move, bulk, timeline.
	if rec := f.do(t, "POST", "/api/v1/incidents/2/comments", auth.RoleAnalyst, `{"text":"same actor?"}`); rec.Code != http.StatusCreated {
		t.Errorf("comment: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(t, "POST", "/api/v1/incidents/1/merge", auth.RoleAnalyst, `{"sources":[2]}`); rec.Code != http.StatusOK {
		t.Fatalf("merge: %d %s", rec.Code, rec.Body)
	}
	if rec := f.doH(t, "PATCH", "/api/v1/incidents/2", auth.RoleAnalyst, `{"status":"New"}`, map[string]string{"If-Match": `"2"`}); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "merged into incident 1") {
		t.Errorf("patch a merged incident: %d %s", rec.Code, rec.Body)
	}
	rec = f.do(t, "POST", "/api/v1/alerts/vb1/incident", auth.RoleAnalyst, `{}`)
	var moved incidentView
	if json.Unmarshal(rec.Body.Bytes(), &moved); rec.Code != http.StatusOK || moved.ID != 3 || moved.AlertCount != 1 {
		t.Errorf("unlink: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(t, "POST", "/api/v1/alerts/nope/incident", auth.RoleAnalyst, `{"incidentId":1}`); rec.Code != http.StatusNotFound {
		t.Errorf("move unknown alert: %d", rec.Code)
	}
	rec = f.do(t, "POST", "/api/v1/incidents/bulk", auth.RoleAnalyst, `{"ids":[1,3,2,42],"status":"Resolved","classification":"TruePositive","determination":"Malware","versions":{"3":9}}`)
	var bulk struct {
		Results []struct {
			ID     int64 `json:"id"`
			Status int   `json:"status"`
		} `json:"results"`
	}
	json.Unmarshal(rec.Body.Bytes(), &bulk)
	want := []int{200, 412, 409, 404}
	for i, r := range bulk.Results {
		if r.Status != want[i] {
			t.Errorf("bulk %d: %d, want %d", r.ID, r.Status, want[i])
		}
	}
	rec = f.do(t, "GET", "/api/v1/incidents/1/timeline", auth.RoleReader, "")
	var tl struct {
		Items []timelineItem `json:"items"`
	}
	json.Unmarshal(rec.Body.Bytes(), &tl)
	kinds := map[string]int{}
	for _, it := range tl.Items {
		kinds[it.Type]++
	}
	if rec.Code != http.StatusOK || kinds["alert"] != 2 || kinds["evidence"] != 4 || kinds["comment"] != 2 || kinds["activity"] < 3 || kinds["telemetry"] != 0 {
		t.Errorf("timeline: %d %v", rec.Code, kinds)
	}

	// Triggering events, and the devices' telemetry on request.
	err := f.st.RecordAlertActivity(context.Background(), []state.AlertOccurrence{{AlertID: "va1", OccurrenceID: "o1", RuleID: "r1",
		Activity: time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC), Row: json.RawMessage(`{"FileName":"cmd.exe"}`)}})
	if err != nil {
		t.Fatal(err)
	}
	timeline := func(query string) (int, map[string]int, bool) {
		rec := f.do(t, "GET", "/api/v1/incidents/1/timeline"+query, auth.RoleReader, "")
		var tl struct {
			Items     []timelineItem `json:"items"`
			Truncated bool           `json:"truncated"`
		}
		json.Unmarshal(rec.Body.Bytes(), &tl)
		kinds := map[string]int{}
		for i, it := range tl.Items {
			kinds[it.Type]++
			if i > 0 && it.Time.Before(tl.Items[i-1].Time) {
				t.Errorf("timeline%s: item %d out of order", query, i)
			}
			if it.Type == "telemetry" && (it.Table != "DeviceProcessEvents" || !strings.Contains(string(mustJSON(t, it.Data)), `"DeviceName":"ws1"`)) {
				t.Errorf("telemetry item: %+v", it)
			}
		}
		return rec.Code, kinds, tl.Truncated
	}
	if code, kinds, cut := timeline("?telemetry=10"); code != http.StatusOK || kinds["event"] != 1 || kinds["telemetry"] != 2 || cut {
		t.Errorf("timeline with telemetry: %d %v truncated=%v", code, kinds, cut)
	}
	if code, kinds, cut := timeline("?telemetry=1"); code != http.StatusOK || kinds["telemetry"] != 1 || !cut {
		t.Errorf("timeline with 1 telemetry row: %d %v truncated=%v", code, kinds, cut)
	}
	for _, bad := range []string{"?telemetry=x", "?telemetry=-1", "?telemetry=100000"} {
		if code, _, _ := timeline(bad); code != http.StatusBadRequest {
			t.Errorf("timeline%s: %d", bad, code)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestIncidentsWithoutEngine(t *testing.T) {
	f := newHuntFixture(t)
	rec := f.doH(t, "PATCH", "/api/v1/incidents/1", auth.RoleAnalyst, `{}`, map[string]string{"If-Match": `"1"`})
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("no engine: %d", rec.Code)
	}
	if rec := f.do(t, "GET", "/api/v1/incidents", auth.RoleReader, ""); rec.Code != http.StatusOK {
		t.Errorf("reading needs no engine: %d", rec.Code)
	}
}

func TestDefenderIncidentsAPI(t *testing.T) {
	f := incidentFixture(t)
	get := func(path string) (int, []map[string]any) {
		t.Helper()
		rec := f.do(t, "GET", path, auth.RoleReader, "")
		var out struct {
			Value []map[string]any `json:"value"`
		}
		json.Unmarshal(rec.Body.Bytes(), &out)
		return rec.Code, out.Value
	}
	code, v := get("/api/incidents")
	if code != http.StatusOK || len(v) != 2 || v[0]["status"] != "Active" || v[0]["classification"] != "Unknown" || v[0]["determination"] != "NotAvailable" {
		t.Fatalf("list: %d %v", code, v)
	}
	alerts, _ := v[1]["alerts"].([]any)
	if len(alerts) == 0 {
		alerts, _ = v[0]["alerts"].([]any)
	}
	a0, _ := alerts[0].(map[string]any)
	if a0["alertId"] == nil || a0["incidentId"] == nil || len(a0["devices"].([]any)) != 1 || a0["entities"].([]any)[0].(map[string]any)["entityType"] != "User" {
		t.Errorf("alert shape: %v", a0)
	}
	f2 := func(path string, wantCode, wantN int) {
		t.Helper()
		code, v := get(path)
		if code != wantCode || (wantCode == 200 && len(v) != wantN) {
			t.Errorf("%s: %d, %d items; want %d, %d", path, code, len(v), wantCode, wantN)
		}
	}
	q := url.QueryEscape
	f2("/api/incidents?$top=1", 200, 1)
	f2("/api/incidents?$top=1&$skip=1", 200, 1)
	f2("/api/incidents?$skip=2", 200, 0)
	f2("/api/incidents?$filter="+q("severity eq 'High'"), 200, 1)
	f2("/api/incidents?$filter="+q("status eq 'Active' and severity ne 'High'"), 200, 1)
	f2("/api/incidents?$filter="+q("status eq 'Resolved'"), 200, 0)
	f2("/api/incidents?$filter="+q("severity eq 'High' and severity eq 'Low'"), 200, 0)
	f2("/api/incidents?$filter="+q("lastUpdateTime ge 2000-01-01T00:00:00Z"), 200, 2)
	f2("/api/incidents?$filter="+q("lastUpdateTime lt 2000-01-01T00:00:00Z"), 200, 0)
	f2("/api/incidents?$filter="+q("assignedTo eq null"), 200, 2)
	f2("/api/incidents?$top=101", 400, 0)
	f2("/api/incidents?$filter="+q("status eq 'Closed'"), 400, 0)
	f2("/api/incidents?$filter="+q("title eq 'x'"), 400, 0)
	f2("/api/incidents?$filter="+q("status eq 'Active' or status eq 'Resolved'"), 400, 0)
	f2("/api/alerts", 200, 3)
	f2("/api/alerts?$filter="+q("severity eq 'High'"), 200, 1)
	f2("/api/alerts?$filter="+q("status eq 'New'")+"&$top=2", 200, 2)
	f2("/api/alerts?$filter="+q("status eq 'Resolved'"), 200, 0)

	// Update in Defender's words.
	rec := f.do(t, "PATCH", "/api/incidents/1", auth.RoleAnalyst, `{"status":"Resolved","assignedTo":"secop2@contoso.com","classification":"FalsePositive","determination":"NoEnoughDataToValidate","tags":["pen test"],"comment":"pen testing"}`)
	var d defIncident
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("patch: %d %s", rec.Code, rec.Body)
	}
	if d.Status != "Resolved" || *d.AssignedTo != "secop2@contoso.com" || d.Determination != "NoEnoughDataToValidate" || len(d.Comments) != 1 || d.Tags[0] != "pen test" {
		t.Errorf("patched: %+v", d)
	}
	if in, _ := f.st.IncidentByID(context.Background(), 1); in.Determination != "InsufficientData" {
		t.Errorf("stored determination %q", in.Determination)
	}
	for _, c := range []struct {
		role, body string
		want       int
	}{
		{auth.RoleReader, `{"status":"Active"}`, http.StatusForbidden},
		{auth.RoleAnalyst, `{"status":"Redirected"}`, http.StatusBadRequest},
		{auth.RoleAnalyst, `{"status":"Active","classification":"Unknown"}`, http.StatusOK},
	} {
		if rec := f.do(t, "PATCH", "/api/incidents/1", c.role, c.body); rec.Code != c.want {
			t.Errorf("%s: %d %s", c.body, rec.Code, rec.Body)
		}
	}
	if rec := f.do(t, "GET", "/api/incidents/"+strconv.Itoa(2), auth.RoleReader, ""); rec.Code != http.StatusOK {
		t.Errorf("get one: %d", rec.Code)
	}
}

func TestODataFilter(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		terms, err := parseODataFilter(in)
		got := ""
		if err != nil {
			got = "error: " + err.Error()
		} else {
			var parts []string
			for _, t := range terms {
				parts = append(parts, t.Field+" "+t.Op+" ["+t.Value+"]@"+strconv.Itoa(t.Pos))
			}
			got = strings.Join(parts, "; ")
		}
		if !strings.Contains(got, want) {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
	f("status eq 'Active'", "status eq [Active]@0")
	f("  (severity ne 'Low') and lastUpdateTime ge 2026-11-26T10:00:00Z", "severity ne [Low]@3; lastUpdateTime ge [2026-11-26T10:00:00Z]@26")
	f("assignedTo eq 'o''brien'", "[o'brien]")
	f("status EQ 'Active' AND severity eq 'High'", "status eq [Active]@0; severity eq [High]@23")
	f("", "error: $filter is empty")
	f("status", "expected eq, ne, gt, ge, lt or le at byte 6")
	f("status eq 'Active", "unterminated string starting at byte 10")
	f("status eq 'Active' or status eq 'New'", "expected \"and\" at byte 19")
	f("(status eq 'Active'", "expected ) at byte 19")
	f("status like 'x'", "at byte 7")
	f("'x' eq status", "expected a property name at byte 0")
	f(strings.Repeat("a eq 1 and ", 60)+"a eq 1", "more than 50")
}

func FuzzODataFilter(f *testing.F) {
	for _, s := range []string{"status eq 'Active'", "(severity ne 'Low') and lastUpdateTime ge 2026-11-26T10:00:00Z", "a eq 'o''b'", "((x eq 1))", "x eq", "'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		terms, err := parseODataFilter(s)
		if err == nil && len(terms) == 0 {
			t.Fatalf("%q: no terms and no error", s)
		}
		for _, term := range terms {
			if term.Pos < 0 || term.Pos > len(s) {
				t.Fatalf("%q: position %d out of range", s, term.Pos)
			}
		}
	})
}
