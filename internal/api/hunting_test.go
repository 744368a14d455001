package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/state/sqlite"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

var huntNow = time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)

type huntFixture struct {
	srv    *Server
	h      http.Handler
	st     state.Store
	tokens map[string]string // role -> bearer token
}

// newHuntFixture serves the API on a temp state store and a temp DuckDB
// event store holding two DeviceProcessEvents rows.
func newHuntFixture(t testing.TB) *huntFixture {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ev, err := duckdb.Open(filepath.Join(dir, "events"), store.Options{RetentionInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ev.Close() })
	tbl, _ := schema.Lookup("DeviceProcessEvents")
	row := func(ts time.Time, file string, pid int64) []any {
		r := make([]any, len(tbl.Columns))
		for i, c := range tbl.Columns {
			switch c.Name {
			case "Timestamp":
				r[i] = ts
			case "DeviceName":
				r[i] = "ws1"
			case "FileName":
				r[i] = file
			case "ProcessId":
				r[i] = pid
			}
		}
		return r
	}
	err = ev.Append(context.Background(), store.Batch{Tables: []store.TableRows{{Table: "DeviceProcessEvents", Rows: [][]any{
		row(time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC), "cmd.exe", 10),
		row(time.Date(2024, 1, 1, 10, 0, 1, 500_000_000, time.UTC), "power\"shell.exe", 20),
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	authn := auth.NewService(st, auth.Options{})
	s := New(Options{}, slog.New(slog.NewTextHandler(io.Discard, nil)), authn, st, ev, NewMetrics(), nil, nil)
	s.hunting.Now = func() time.Time { return huntNow }
	f := &huntFixture{srv: s, h: s.Handler(), st: st, tokens: map[string]string{}}
	for _, role := range []string{auth.RoleAdmin, auth.RoleAnalyst, auth.RoleReader, auth.RoleIngest} {
		text, _, err := authn.CreateToken(context.Background(), auth.SystemPrincipal(), role+"-tok", role, time.Time{}, "test", "")
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[role] = text
	}
	return f
}

func (f *huntFixture) do(t *testing.T, method, path, role, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

func queryBody(q string) string {
	b, _ := json.Marshal(map[string]string{"Query": q})
	return string(b)
}

func TestHuntAuth(t *testing.T) {
	f := newHuntFixture(t)
	body := queryBody("DeviceProcessEvents | count")
	for _, path := range []string{"/api/advancedhunting/run", "/v1.0/security/runHuntingQuery"} {
		if rec := f.do(t, "POST", path, "", body); rec.Code != http.StatusUnauthorized {
			t.Errorf("%s without credentials: %d", path, rec.Code)
		}
		if rec := f.do(t, "POST", path, auth.RoleIngest, body); rec.Code != http.StatusForbidden {
			t.Errorf("%s with an ingest token: %d %s", path, rec.Code, rec.Body)
		}
		for _, role := range []string{auth.RoleReader, auth.RoleAnalyst, auth.RoleAdmin} {
			if rec := f.do(t, "POST", path, role, body); rec.Code != http.StatusOK {
				t.Errorf("%s as %s: %d %s", path, role, rec.Code, rec.Body)
			}
		}
	}
	if rec := f.do(t, "GET", "/api/advancedhunting/resources", auth.RoleAnalyst, ""); rec.Code != http.StatusForbidden {
		t.Errorf("resources as analyst: %d", rec.Code)
	}
}

func TestHuntDefenderBody(t *testing.T) {
	f := newHuntFixture(t)
	q := `DeviceProcessEvents | order by Timestamp asc
| extend Dyn = dynamic({"a":[1,"x"]}), Span = 1d + 2h + 3500ms, Neg = -90s, Dec = todecimal("1.25"), Int = toint(7), Real = 0.5, Flag = true, Nothing = long(null)
| project Timestamp, FileName, ProcessId, Dyn, Span, Neg, Dec, Int, Real, Flag, Nothing`
	rec := f.do(t, "POST", "/api/advancedhunting/run", auth.RoleReader, queryBody(q))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	raw := rec.Body.String()
	var body struct {
		Stats struct {
			ExecutionTime     *float64
			DatasetStatistics []struct {
				TableRowCount int `json:"table_row_count"`
			} `json:"dataset_statistics"`
			Truncated *bool
		}
		Schema  []struct{ Name, Type string }
		Results []map[string]json.RawMessage
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	if body.Stats.ExecutionTime == nil || body.Stats.Truncated == nil || *body.Stats.Truncated ||
		len(body.Stats.DatasetStatistics) != 1 || body.Stats.DatasetStatistics[0].TableRowCount != 2 {
		t.Errorf("Stats: %s", raw)
	}
	var schemaGot []string
	for _, c := range body.Schema {
		schemaGot = append(schemaGot, c.Name+":"+c.Type)
	}
	wantSchema := "Timestamp:DateTime FileName:String ProcessId:Int64 Dyn:Object Span:TimeSpan Neg:TimeSpan Dec:Decimal Int:Int32 Real:Double Flag:Boolean Nothing:Int64"
	if got := strings.Join(schemaGot, " "); got != wantSchema {
		t.Errorf("Schema:\n got %s\nwant %s", got, wantSchema)
	}
	want := []string{
		`{"Timestamp":"2024-01-01T10:00:00Z","FileName":"cmd.exe","ProcessId":10,"Dyn":{"a":[1,"x"]},"Span":"1.02:00:03.5000000","Neg":"-00:01:30","Dec":1.25,"Int":7,"Real":0.5,"Flag":true,"Nothing":null}`,
		`{"Timestamp":"2024-01-01T10:00:01.5Z","FileName":"power\"shell.exe","ProcessId":20,`,
	}
	for _, w := range want {
		if !strings.Contains(raw, w) {
			t.Errorf("body lacks %s\n%s", w, raw)
		}
	}
	// Keys keep the query's column order, Stats/Schema/Results their order.
	if i, j, k := strings.Index(raw, `"Stats"`), strings.Index(raw, `"Schema"`), strings.Index(raw, `"Results"`); !(i >= 0 && i < j && j < k) {
		t.Errorf("top-level order: %s", raw)
	}
	if rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", rec.Header().Get("Content-Type"))
	}

	// Every run is audited with the query's hash and rows.
	entries, err := f.st.ListAudit(context.Background(), state.AuditFilter{Action: "hunting.run"})
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit: %v %d entries", err, len(entries))
	}
	var d map[string]any
	_ = json.Unmarshal(entries[0].Details, &d)
	if entries[0].Actor != "token:"+tokenID(t, f, auth.RoleReader)+" (reader-tok)" || d["rows"] != 2.0 || len(d["queryHash"].(string)) != 64 || d["api"] != "defender" {
		t.Errorf("audit entry: %+v %s", entries[0], entries[0].Details)
	}

	// The report lists the run for administrators.
	rec = f.do(t, "GET", "/api/advancedhunting/resources", auth.RoleAdmin, "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"rows":2`) || !strings.Contains(rec.Body.String(), `"query":"DeviceProcessEvents | order by`) {
		t.Errorf("resources: %d %s", rec.Code, rec.Body)
	}
}

func tokenID(t *testing.T, f *huntFixture, role string) string {
	t.Helper()
	toks, err := f.st.ListTokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range toks {
		if tok.Role == role {
			return tok.ID
		}
	}
	t.Fatalf("no %s token", role)
	return ""
}

func TestHuntGraphBody(t *testing.T) {
	f := newHuntFixture(t)
	rec := f.do(t, "POST", "/v1.0/security/runHuntingQuery", auth.RoleAnalyst,
		`{"Query":"DeviceProcessEvents | where FileName == 'cmd.exe' | project Timestamp, FileName","Timespan":"P30D"}`)
	want := `{"schema":[{"name":"Timestamp","type":"DateTime"},{"name":"FileName","type":"String"}],"results":[{"Timestamp":"2024-01-01T10:00:00Z","FileName":"cmd.exe"}]}` + "\n"
	if rec.Code != 200 || rec.Body.String() != want {
		t.Errorf("status %d\n got %s\nwant %s", rec.Code, rec.Body, want)
	}
	// A Timespan that ends before the rows finds none.
	rec = f.do(t, "POST", "/v1.0/security/runHuntingQuery", auth.RoleAnalyst, `{"Query":"DeviceProcessEvents | count","Timespan":"PT1H"}`)
	if !strings.Contains(rec.Body.String(), `"results":[{"Count":0}]`) {
		t.Errorf("PT1H: %s", rec.Body)
	}
}

func TestHuntErrors(t *testing.T) {
	f := newHuntFixture(t)
	type errBody struct {
		Error struct {
			Code, Message, RequestID string
			Line, Column             int
		}
	}
	check := func(body string, status int, code string, line, col int) {
		t.Helper()
		rec := f.do(t, "POST", "/api/advancedhunting/run", auth.RoleAnalyst, body)
		var e errBody
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || rec.Code != status || e.Error.Code != code ||
			e.Error.Line != line || e.Error.Column != col || e.Error.Message == "" || e.Error.RequestID == "" {
			t.Errorf("%s: %d %s; want %d %s %d:%d", body, rec.Code, rec.Body, status, code, line, col)
		}
	}
	check(queryBody("DeviceProcessEvents\n| where FileName == "), 400, "BadRequest", 2, 21)
	check(queryBody("DeviceProcessEvents\n| project NoSuchColumn"), 400, "BadRequest", 2, 11)
	check(queryBody("  "), 400, "BadRequest", 0, 0)
	check(`{"Query":1}`, 400, "BadRequest", 0, 0)
	check(`{"Query":"print 1","Other":1}`, 400, "BadRequest", 0, 0)
	check(`{"Query":"print 1"} {}`, 400, "BadRequest", 0, 0)
	check(`{"Query":"print 1","Timespan":"P1D/2024-01-01T00:00:00Z"}`, 400, "BadRequest", 0, 0)
	check(`{"Query":"print 1","Timespan":"thirty days"}`, 400, "BadRequest", 0, 0)
	check(`{"Query":`, 400, "BadRequest", 0, 0)
	check(``, 400, "BadRequest", 0, 0)
	check(`{"Query":"`+strings.Repeat("a", maxHuntBody)+`"}`, 413, "PayloadTooLarge", 0, 0)
	check(`{"Query":"`+strings.Repeat("a", hunt.MaxQueryBytes+1)+`"}`, 413, "PayloadTooLarge", 0, 0)
}

func TestHuntTruncated(t *testing.T) {
	f := newHuntFixture(t)
	f.srv.hunting.maxRows = 1
	rec := f.do(t, "POST", "/api/advancedhunting/run", auth.RoleAdmin, queryBody("DeviceProcessEvents | project FileName"))
	var body struct {
		Stats   struct{ Truncated bool }
		Results []map[string]any
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != 200 {
		t.Fatalf("%d %v %s", rec.Code, err, rec.Body)
	}
	if !body.Stats.Truncated || len(body.Results) != 1 || rec.Header().Get("X-Vigil-Truncated") != "true" {
		t.Errorf("truncation not reported: %s", rec.Body)
	}
}

func TestHuntLimits(t *testing.T) {
	f := newHuntFixture(t)
	// A user at the concurrency limit waits, then gets 429.
	f.srv.hunting.Limiter = hunt.NewLimiter(1, 10*time.Millisecond)
	actor := "token:" + tokenID(t, f, auth.RoleAnalyst) + " (analyst-tok)"
	release, err := f.srv.hunting.Limiter.Acquire(context.Background(), actor)
	if err != nil {
		t.Fatal(err)
	}
	rec := f.do(t, "POST", "/api/advancedhunting/run", auth.RoleAnalyst, queryBody("print 1"))
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), `"code":"TooManyRequests"`) {
		t.Errorf("over the limit: %d %s", rec.Code, rec.Body)
	}
	// Other users are not held back by it.
	if rec := f.do(t, "POST", "/api/advancedhunting/run", auth.RoleReader, queryBody("print 1")); rec.Code != 200 {
		t.Errorf("another user: %d %s", rec.Code, rec.Body)
	}
	release()
	if rec := f.do(t, "POST", "/api/advancedhunting/run", auth.RoleAnalyst, queryBody("print 1")); rec.Code != 200 {
		t.Errorf("after release: %d %s", rec.Code, rec.Body)
	}

	// A query over its time limit gets 408 naming the limit.
	f.srv.hunting.timeout = time.Nanosecond
	rec = f.do(t, "POST", "/api/advancedhunting/run", auth.RoleAnalyst, queryBody("DeviceProcessEvents | count"))
	if rec.Code != http.StatusRequestTimeout || !strings.Contains(rec.Body.String(), `"code":"Timeout"`) {
		t.Errorf("timeout: %d %s", rec.Code, rec.Body)
	}
	entries, _ := f.st.ListAudit(context.Background(), state.AuditFilter{Action: "hunting.run"})
	failures := 0
	for _, e := range entries {
		if e.Outcome == "failure" {
			failures++
		}
	}
	if len(entries) != 4 || failures != 2 {
		t.Errorf("audit: %d runs, %d failures; want 4 and 2", len(entries), failures)
	}
}

// TestHuntCPUBudget: a user over the CPU budget gets 429 with
// Retry-After; the resources report shows rows scanned and CPU per run.
func TestHuntCPUBudget(t *testing.T) {
	f := newHuntFixture(t)
	f.srv.hunting.Budget = hunt.NewCPUBudget(time.Nanosecond, time.Hour)
	q := queryBody("DeviceProcessEvents | where FileName != 'x' | count")
	rec := f.do(t, "POST", "/api/advancedhunting/run", auth.RoleAnalyst, q)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"total cpu":"`) || !strings.Contains(rec.Body.String(), `"input_dataset_statistics":{"rows":{"scanned":2}}`) {
		t.Fatalf("first query: %d %s", rec.Code, rec.Body)
	}
	rec = f.do(t, "POST", "/api/advancedhunting/run", auth.RoleAnalyst, q)
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "CPU budget") {
		t.Fatalf("over budget: %d %s", rec.Code, rec.Body)
	}
	if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra < 3000 || ra > 3600 {
		t.Errorf("Retry-After %q", rec.Header().Get("Retry-After"))
	}
	if rec := f.do(t, "POST", "/api/advancedhunting/run", auth.RoleReader, q); rec.Code != 200 {
		t.Errorf("another user: %d", rec.Code)
	}
	rec = f.do(t, "GET", "/api/advancedhunting/resources", auth.RoleAdmin, "")
	var v struct {
		Limits struct{ CPUBudgetSeconds float64 }
		Users  []struct {
			User             string
			RowsScanned      int64
			CPUSeconds       float64
			CPUWindowSeconds float64
		}
		Runs []struct {
			RowsScanned int64
			CPUSeconds  float64
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if v.Limits.CPUBudgetSeconds <= 0 || len(v.Users) != 2 || len(v.Runs) != 3 {
		t.Fatalf("resources %s", rec.Body)
	}
	for _, u := range v.Users {
		if u.RowsScanned != 2 || u.CPUSeconds <= 0 || u.CPUWindowSeconds <= 0 {
			t.Errorf("user %+v", u)
		}
	}
}

// FuzzParseHuntRequest checks the request decoder never panics and that
// what it accepts is a usable request.
func FuzzParseHuntRequest(f *testing.F) {
	for _, seed := range []string{
		`{"Query":"DeviceProcessEvents | take 1"}`,
		`{"query":"print 1","timespan":"P30D"}`,
		`{"Query":"print 1","Timespan":"PT1.5S"}`,
		`{"Query":"print 1","Timespan":"2023-12-01T00:00:00Z"}`,
		`{"Query":"print 1","Timespan":"P1Y2M3W4DT5H6M7S"}`,
		`{"Query":"x","Timespan":"P1D/2024-01-01T00:00:00Z"}`,
		`{"Query":null}`, `[]`, `{}`, `{"Query":"\u0000"}`, `{"Query":"a"}{"Query":"b"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := parseHuntRequest(data, huntNow)
		if err != nil {
			if _, ok := err.(*huntError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if strings.TrimSpace(req.Query) == "" || req.Timespan < 0 {
			t.Fatalf("accepted %q as %+v", data, req)
		}
	})
}
