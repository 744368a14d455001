package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/state"
)

const ruleJSON = `{"id":"r-curl","name":"curl on a workstation","frequency":"1h","severity":"Low","category":"Execution",
 "techniques":["T1105"],"title":"curl on {{DeviceName}}",
 "query":"DeviceProcessEvents | where FileName == \"curl\" | project Timestamp, ReportId, DeviceId, DeviceName"}`

func (f *huntFixture) doH(t *testing.T, method, path, role, body string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

func TestRulesAPI(t *testing.T) {
	f := newHuntFixture(t)
	if rec := f.do(t, "POST", "/api/v1/rules", auth.RoleReader, ruleJSON); rec.Code != http.StatusForbidden {
		t.Errorf("reader creating a rule: %d", rec.Code)
	}
	// A query error comes back with its position.
	bad := strings.Replace(ruleJSON, `FileName == \"curl\"`, `FileNam == \"curl\"`, 1)
	rec := f.do(t, "POST", "/api/v1/rules", auth.RoleAnalyst, bad)
	var eb struct{ Error struct{ Line, Column int } }
	_ = json.Unmarshal(rec.Body.Bytes(), &eb)
	if rec.Code != http.StatusBadRequest || eb.Error.Line != 1 || eb.Error.Column != 29 {
		t.Errorf("bad query: %d %s", rec.Code, rec.Body)
	}
	rec = f.do(t, "POST", "/api/v1/rules", auth.RoleAnalyst, ruleJSON)
	if rec.Code != http.StatusCreated || rec.Header().Get("ETag") != `"1"` {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(t, "POST", "/api/v1/rules", auth.RoleAnalyst, ruleJSON); rec.Code != http.StatusConflict {
		t.Errorf("create twice: %d", rec.Code)
	}
	rec = f.do(t, "GET", "/api/v1/rules", auth.RoleReader, "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"id":"r-curl"`) {
		t.Errorf("list: %d %s", rec.Code, rec.Body)
	}
	// Updates need the version read; a stale one is refused.
	upd := strings.Replace(ruleJSON, `"severity":"Low"`, `"severity":"Medium"`, 1)
	if rec := f.doH(t, "PUT", "/api/v1/rules/r-curl", auth.RoleAnalyst, upd, nil); rec.Code != http.StatusPreconditionRequired {
		t.Errorf("update without If-Match: %d", rec.Code)
	}
	if rec := f.doH(t, "PUT", "/api/v1/rules/r-curl", auth.RoleAnalyst, upd, map[string]string{"If-Match": `"1"`}); rec.Code != http.StatusOK || rec.Header().Get("ETag") != `"2"` {
		t.Errorf("update: %d %s", rec.Code, rec.Body)
	}
	if rec := f.doH(t, "PUT", "/api/v1/rules/r-curl", auth.RoleAnalyst, upd, map[string]string{"If-Match": `"1"`}); rec.Code != http.StatusPreconditionFailed {
		t.Errorf("stale update: %d", rec.Code)
	}
	rec = f.do(t, "GET", "/api/v1/rules/r-curl", auth.RoleReader, "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"severity":"Medium"`) || rec.Header().Get("ETag") != `"2"` {
		t.Errorf("get: %d %s", rec.Code, rec.Body)
	}
	rec = f.do(t, "POST", "/api/v1/rules/r-curl/run", auth.RoleAnalyst, "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"alerts":0`) {
		t.Errorf("run: %d %s", rec.Code, rec.Body)
	}
	if rec := f.doH(t, "DELETE", "/api/v1/rules/r-curl", auth.RoleAnalyst, "", map[string]string{"If-Match": `"2"`}); rec.Code != http.StatusNoContent {
		t.Errorf("delete: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(t, "GET", "/api/v1/rules/r-curl", auth.RoleReader, ""); rec.Code != http.StatusNotFound {
		t.Errorf("after delete: %d", rec.Code)
	}
	entries, err := f.st.ListAudit(context.Background(), state.AuditFilter{Action: "rule."})
	if err != nil || len(entries) != 4 {
		t.Errorf("audit: %d entries (create, update, run, delete), %v", len(entries), err)
	}
}
