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
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/store"
)

// networkRow is a DeviceNetworkEvents row to a remote address.
func networkRow(ts time.Time, ip, url string) []any {
	tbl, _ := schema.Lookup("DeviceNetworkEvents")
	r := make([]any, len(tbl.Columns))
	for i, c := range tbl.Columns {
		switch c.Name {
		case "Timestamp":
			r[i] = ts
		case "DeviceId":
			r[i] = "dev1"
		case "DeviceName":
			r[i] = "ws1"
		case "RemoteIP":
			r[i] = ip
		case "RemoteUrl":
			r[i] = url
		case "ReportId":
			r[i] = ts.Unix()
		}
	}
	return r
}

func TestIndicatorsAPI(t *testing.T) {
	f := newHuntFixture(t)
	p := f.withPipeline()
	stream := detect.NewStreaming(f.srv.events, detect.Static{})
	stream.Alerts = p
	ctx := context.Background()
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	send := func(ts time.Time, ip, url string) {
		t.Helper()
		if err := stream.Append(ctx, store.Batch{Tables: []store.TableRows{{Table: "DeviceNetworkEvents", Rows: [][]any{networkRow(ts, ip, url)}}}}); err != nil {
			t.Fatal(err)
		}
	}
	alertCount := func() int64 {
		t.Helper()
		res, err := f.srv.events.Query(ctx, store.Query{SQL: `SELECT count(DISTINCT "AlertId") FROM "AlertInfo"`})
		if err != nil {
			t.Fatal(err)
		}
		return res.Rows[0][0].(int64)
	}

	const ipInd = `{"indicatorType":"IpAddress","indicatorValue":"203.0.113.9","action":"Audit","generateAlert":true,"title":"C2 address","severity":"High"}`
	if rec := f.do(t, "POST", "/api/v1/indicators", auth.RoleReader, ipInd); rec.Code != http.StatusForbidden {
		t.Errorf("reader: %d", rec.Code)
	}
	for bad, want := range map[string]string{
		`{"indicatorType":"IpAddress","indicatorValue":"203.0.113","action":"Audit","generateAlert":true}`:  "IpAddress",
		`{"indicatorType":"IpAddress","indicatorValue":"203.0.113.9","action":"Audit"}`:                     "generateAlert",
		`{"indicatorType":"FileSha1","indicatorValue":"abc","action":"Block"}`:                              "40 hex digits",
		`{"indicatorType":"Registry","indicatorValue":"x","action":"Block"}`:                                "not one of",
		`{"indicatorType":"IpAddress","indicatorValue":"203.0.113.9","action":"Nuke","generateAlert":true}`: "Nuke",
	} {
		if rec := f.do(t, "POST", "/api/v1/indicators", auth.RoleAnalyst, bad); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s: %d %s", bad, rec.Code, rec.Body)
		}
	}
	send(t0, "203.0.113.9", "")
	if n := alertCount(); n != 0 {
		t.Fatalf("%d alerts before the indicator exists", n)
	}
	rec := f.do(t, "POST", "/api/v1/indicators", auth.RoleAnalyst, ipInd)
	var ind struct {
		ID        string `json:"id"`
		CreatedBy string `json:"createdBy"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &ind); err != nil || rec.Code != http.StatusCreated || ind.ID == "" || ind.CreatedBy == "" {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(t, "POST", "/api/v1/indicators", auth.RoleAnalyst, ipInd); rec.Code != http.StatusConflict {
		t.Errorf("create twice: %d", rec.Code)
	}
	// In force in the stream without a restart.
	send(t0.Add(time.Minute), "203.0.113.9", "")
	if n := alertCount(); n != 1 {
		t.Fatalf("%d alerts after the indicator was created, want 1", n)
	}
	// Replace it: Warn, no alert; a later event raises nothing new.
	upd := strings.Replace(ipInd, `"Audit","generateAlert":true`, `"Warn","generateAlert":false`, 1)
	if rec := f.do(t, "PUT", "/api/v1/indicators/"+ind.ID, auth.RoleAnalyst, upd); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"action":"Warn"`) {
		t.Errorf("update: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(t, "PUT", "/api/v1/indicators/tinope", auth.RoleAnalyst, upd); rec.Code != http.StatusBadRequest {
		t.Errorf("update under another id: %d", rec.Code)
	}
	send(t0.Add(25*time.Hour), "203.0.113.9", "")
	if n := alertCount(); n != 1 {
		t.Errorf("%d alerts after the indicator stopped alerting, want 1", n)
	}

	// Imports: Defender's CSV with a bad line, a STIX bundle.
	csvText := "IndicatorType,IndicatorValue,Action,Severity,Title,GenerateAlert\n" +
		"DomainName,evil.example,Audit,High,Bad domain,true\n" +
		"IpAddress,not-an-ip,Block,High,x,true\n" +
		"FileSha256," + strings.Repeat("ab", 32) + ",Block,Medium,bad file,true\n"
	rec = f.doH(t, "POST", "/api/v1/indicators/import", auth.RoleAnalyst, csvText, map[string]string{"Content-Type": "text/csv"})
	var imp struct {
		Imported int      `json:"imported"`
		Errors   []string `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &imp); err != nil || rec.Code != http.StatusOK || imp.Imported != 2 || len(imp.Errors) != 1 || !strings.Contains(imp.Errors[0], "line 3") {
		t.Errorf("CSV import: %d %s", rec.Code, rec.Body)
	}
	stix := `{"type":"bundle","id":"bundle--1","objects":[{"type":"indicator","id":"indicator--1","name":"Phish URL","pattern_type":"stix",
		"pattern":"[url:value = 'http://phish.example/login']","valid_from":"2024-01-01T00:00:00Z"}]}`
	rec = f.doH(t, "POST", "/api/v1/indicators/import", auth.RoleAnalyst, stix, map[string]string{"Content-Type": "application/json"})
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"imported":1`) {
		t.Errorf("STIX import: %d %s", rec.Code, rec.Body)
	}
	if rec := f.doH(t, "POST", "/api/v1/indicators/import", auth.RoleAnalyst, "x", map[string]string{"Content-Type": "text/plain"}); rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("import of text/plain: %d", rec.Code)
	}
	send(t0.Add(2*time.Minute), "198.51.100.1", "https://cdn.evil.example/payload")
	if n := alertCount(); n != 2 {
		t.Errorf("%d alerts after a subdomain of an imported domain was reached, want 2", n)
	}

	// Defender's API: submit (AlertAndBlock is Block with an alert), list, delete.
	rec = f.do(t, "POST", "/api/indicators", auth.RoleAnalyst, `{"indicatorValue":"198.51.100.77","indicatorType":"IpAddress","action":"AlertAndBlock",
		"title":"From Defender tooling","description":"d","severity":"Low","application":"demo","rbacGroupNames":["all"]}`)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"action":"Block"`) || !strings.Contains(rec.Body.String(), `"generateAlert":true`) {
		t.Errorf("Defender submit: %d %s", rec.Code, rec.Body)
	}
	rec = f.do(t, "GET", "/api/indicators", auth.RoleReader, "")
	var list struct {
		Value []map[string]any `json:"value"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.Value) != 5 {
		t.Errorf("Defender list: %d indicators %s", len(list.Value), rec.Body)
	}
	rec = f.do(t, "POST", "/api/indicators/import", auth.RoleAnalyst, `{"Indicators":[{"indicatorValue":"`+strings.Repeat("cd", 20)+`","indicatorType":"FileSha1","action":"Allowed","title":"our tool"},{"indicatorValue":"x","indicatorType":"Url","action":"Block"}]}`)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"imported":1`) {
		t.Errorf("Defender import: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(t, "DELETE", "/api/indicators/"+ind.ID, auth.RoleAnalyst, ""); rec.Code != http.StatusNoContent {
		t.Errorf("delete: %d", rec.Code)
	}
	if rec := f.do(t, "GET", "/api/v1/indicators/"+ind.ID, auth.RoleReader, ""); rec.Code != http.StatusNotFound {
		t.Errorf("after delete: %d", rec.Code)
	}
	if rec := f.do(t, "DELETE", "/api/v1/indicators/"+ind.ID, auth.RoleAnalyst, ""); rec.Code != http.StatusNotFound {
		t.Errorf("delete twice: %d", rec.Code)
	}
	entries, _ := f.st.ListAudit(ctx, state.AuditFilter{Action: "indicator."})
	if len(entries) != 7 {
		t.Errorf("%d indicator audit entries, want 7 (create, update, 2 imports, submit, import, delete)", len(entries))
	}
}

func TestRuleRunsAPI(t *testing.T) {
	f := newHuntFixture(t)
	f.withPipeline()
	if rec := f.do(t, "POST", "/api/v1/rules", auth.RoleAnalyst, ruleJSON); rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	for i := 0; i < 2; i++ {
		if rec := f.do(t, "POST", "/api/v1/rules/r-curl/run", auth.RoleAnalyst, ""); rec.Code != http.StatusOK {
			t.Fatalf("run: %d %s", rec.Code, rec.Body)
		}
	}
	rec := f.do(t, "GET", "/api/v1/rules/r-curl/runs?limit=1", auth.RoleReader, "")
	var runs struct {
		Runs []storedRunView `json:"runs"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &runs); err != nil || len(runs.Runs) != 1 {
		t.Fatalf("runs: %d %s", rec.Code, rec.Body)
	}
	if r := runs.Runs[0]; r.Trigger != "manual" || r.Status != "success" || r.Interval != "4h0m0s" || r.Started.IsZero() {
		t.Errorf("run %+v", r)
	}
	rec = f.do(t, "GET", "/api/v1/rules/r-curl", auth.RoleReader, "")
	var v ruleView
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || len(v.LastRuns) != 2 {
		t.Errorf("rule's last runs: %s", rec.Body)
	}
	if rec := f.do(t, "GET", "/api/v1/rules/r-nope/runs", auth.RoleReader, ""); rec.Code != http.StatusNotFound {
		t.Errorf("unknown rule: %d", rec.Code)
	}
	if rec := f.do(t, "GET", "/api/v1/rules/r-curl/runs?limit=0", auth.RoleReader, ""); rec.Code != http.StatusBadRequest {
		t.Errorf("limit=0: %d", rec.Code)
	}
}
