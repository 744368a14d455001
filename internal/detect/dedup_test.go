package detect

import (
	"context"
	"fmt"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/state/sqlite"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// alertFixture is an event store and a state store in a temp dir.
type alertFixture struct {
	ev store.Store
	st *sqlite.Store
}

func newAlertFixture(t *testing.T) alertFixture {
	t.Helper()
	dir := t.TempDir()
	ev, err := duckdb.Open(filepath.Join(dir, "events"), store.Options{RetentionInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ev.Close() })
	st, err := sqlite.Open(filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return alertFixture{ev: ev, st: st}
}

// alertCounts is AlertInfo's alert ids with their recorded counts and
// first and last activity.
func (f alertFixture) alertCounts(t *testing.T) []string {
	t.Helper()
	res, err := f.ev.Query(context.Background(), store.Query{SQL: `SELECT "AlertId", count(*) FROM "AlertInfo" GROUP BY 1 ORDER BY 1`})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range res.Rows {
		if r[1] != int64(1) {
			t.Errorf("AlertInfo holds %v rows of %v", r[1], r[0])
		}
		ids = append(ids, r[0].(string))
	}
	act, err := f.st.AlertActivity(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, id := range ids {
		a := act[id]
		out = append(out, fmt.Sprintf("%s n=%d %s..%s", id, a.Count, a.FirstActivity.Format("15:04"), a.LastActivity.Format("15:04")))
	}
	return out
}

// shadowRows are vssadmin deletions on three hosts over two days, and
// noise; a quarter of them match the rule.
func shadowRows() [][]any {
	var rows [][]any
	for i := 0; i < 96; i++ {
		file, cmd := "vssadmin.exe", "vssadmin delete shadows /all"
		if i%4 == 3 {
			file, cmd = "cmd.exe", "cmd /c dir"
		}
		rows = append(rows, processRow(map[string]any{
			"Timestamp": t0.Add(time.Duration(i) * 30 * time.Minute), "ReportId": int64(i), "DeviceId": fmt.Sprint("dev", i%3),
			"DeviceName": fmt.Sprint("host", i%3), "AccountName": "alice", "AccountDomain": "corp", "FileName": file, "ProcessCommandLine": cmd,
		}))
	}
	return rows
}

// The stream (batches in a shuffled order, some sent twice) and the
// scheduler (overlapping lookbacks) raise the same deduplicated alerts
// with the same counts; replaying changes nothing; a restarted pipeline
// remembers from the state store.
func TestDedupStreamAndScheduledAgree(t *testing.T) {
	rows := shadowRows()
	r := shadowRule()
	r.Enabled = true
	cont, err := Compile(r)
	if err != nil {
		t.Fatal(err)
	}
	// Stream.
	sf := newAlertFixture(t)
	send := func(p *Pipeline, rows [][]any) {
		s := NewStreaming(sf.ev, Static{cont})
		s.Alerts = p
		s.Now = func() time.Time { return t0.Add(72 * time.Hour) }
		if err := s.Append(context.Background(), store.Batch{Tables: []store.TableRows{{Table: "DeviceProcessEvents", Rows: rows}}}); err != nil {
			t.Fatal(err)
		}
	}
	p := NewPipeline(DefaultDedupWindow, sf.st)
	p.OnError = func(err error) { t.Error(err) }
	shuffled := append([][]any(nil), rows...)
	rand.New(rand.NewSource(1)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for i := 0; i < len(shuffled); i += 7 {
		send(p, shuffled[i:min(i+7, len(shuffled))])
	}
	streamed := sf.alertCounts(t)
	// Replay everything through a new pipeline (a restart): nothing changes.
	p2 := NewPipeline(DefaultDedupWindow, sf.st)
	send(p2, rows)
	send(p2, rows[:10])
	if again := sf.alertCounts(t); strings.Join(again, "\n") != strings.Join(streamed, "\n") {
		t.Errorf("replay changed the alerts:\n%s\nthen\n%s", strings.Join(streamed, "\n"), strings.Join(again, "\n"))
	}

	// Scheduler: a 1 h rule over the stored events, every hour for two days.
	hf := newAlertFixture(t)
	if err := hf.ev.Append(context.Background(), store.Batch{Tables: []store.TableRows{{Table: "DeviceProcessEvents", Rows: rows}}}); err != nil {
		t.Fatal(err)
	}
	r2 := shadowRule()
	r2.Enabled, r2.Frequency = true, Every1h
	sched, err := Compile(r2)
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(time.Hour)
	sch := &Scheduler{Engine: &hunt.Engine{Store: hf.ev}, Store: hf.ev, Rules: Static{sched}, Now: func() time.Time { return now },
		Alerts: NewPipeline(DefaultDedupWindow, hf.st)}
	next := map[string]time.Time{"r1": now}
	for ; !now.After(t0.Add(50 * time.Hour)); now = now.Add(time.Hour) {
		sch.RunDue(context.Background(), next)
	}
	scheduled := hf.alertCounts(t)
	if strings.Join(scheduled, "\n") != strings.Join(streamed, "\n") {
		t.Errorf("stream and scheduler differ:\n%s\nvs\n%s", strings.Join(streamed, "\n"), strings.Join(scheduled, "\n"))
	}
	// 72 matching rows on 3 hosts from 08:00 on day 1 to 07:30 on day 3:
	// one alert per host and UTC day.
	want := 0
	for _, s := range streamed {
		var n int
		fmt.Sscanf(strings.Fields(s)[1], "n=%d", &n)
		want += n
	}
	if len(streamed) != 9 || want != 72 {
		t.Errorf("%d alerts counting %d rows, want 9 counting 72:\n%s", len(streamed), want, strings.Join(streamed, "\n"))
	}
	// The triggering rows are kept with the alert.
	id := strings.Fields(streamed[0])[0]
	trig, err := sf.st.AlertTriggers(context.Background(), id)
	if err != nil || len(trig) == 0 || !strings.Contains(string(trig[0].Row), `"ProcessCommandLine":"vssadmin delete shadows /all"`) {
		t.Errorf("triggers of %s: %v %v", id, trig, err)
	}
}

// Without a window each row is its own alert, as before deduplication.
func TestNoWindowKeepsOneAlertPerRow(t *testing.T) {
	f := newAlertFixture(t)
	c, _ := Compile(shadowRule())
	rows := shadowRows()[:8]
	alerts, _, err := c.Match(t0, "DeviceProcessEvents", rows)
	if err != nil {
		t.Fatal(err)
	}
	p := NewPipeline(0, f.st)
	got, err := p.Raise(context.Background(), f.ev, t0, alerts)
	if err != nil || len(got) != 6 || got[0].ID != alerts[0].ID {
		t.Fatalf("raised %d, %v", len(got), err)
	}
	if again, _ := NewPipeline(0, f.st).Raise(context.Background(), f.ev, t0, alerts); len(again) != 0 {
		t.Errorf("raised again: %d", len(again))
	}
}

func tuningRule(t *testing.T, js string) *TuningRule {
	t.Helper()
	r, err := ParseTuningRule([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Hide rules drop alerts (counted as hits); resolve rules raise them
// resolved, with a comment, audited.
func TestTuningHidesAndResolves(t *testing.T) {
	f := newAlertFixture(t)
	ctx := context.Background()
	hide := tuningRule(t, `{"name":"backup host","action":"Hide","conditions":[{"field":"deviceName","operator":"equals","value":"HOST1"}]}`)
	resolve := tuningRule(t, `{"name":"admin tests","action":"Resolve","comment":"change ticket 42","conditions":[
		{"field":"ruleId","operator":"equals","value":"r1"},{"field":"processCommandLine","operator":"regex","value":"(?i)delete\\s+SHADOWS"}]}`)
	expired := tuningRule(t, `{"name":"old","action":"Hide","expires":"2020-01-01T00:00:00Z","conditions":[{"field":"deviceName","operator":"startsWith","value":"host"}]}`)
	for _, r := range []*TuningRule{hide, resolve, expired} {
		sr := &state.TuningRule{Name: r.Name, Definition: []byte(`{}`), CreatedBy: "user:a"}
		if err := f.st.CreateTuningRule(ctx, sr, state.Audit{Actor: "user:a", Action: "alerttuning.create"}); err != nil {
			t.Fatal(err)
		}
		r.ID = sr.ID
	}
	set, err := NewTuning([]*TuningRule{expired, resolve, hide})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := Compile(shadowRule())
	alerts, _, _ := c.Match(t0, "DeviceProcessEvents", shadowRows()[:12]) // 9 rows on host0..2
	p := NewPipeline(DefaultDedupWindow, f.st)
	p.OnError = func(err error) { t.Error(err) }
	p.SetTuning(set)
	got, err := p.Raise(ctx, f.ev, t0, alerts)
	if err != nil || len(got) != 2 {
		t.Fatalf("raised %d alerts, %v; want host0 and host2", len(got), err)
	}
	for _, a := range got {
		st, err := f.st.AlertState(ctx, a.ID)
		if err != nil || st.Status != "Resolved" || st.UpdatedBy != "tuning:"+resolve.ID {
			t.Errorf("%s: state %+v %v", a.ID, st, err)
		}
		cs, _ := f.st.AlertComments(ctx, a.ID)
		if len(cs) != 1 || !strings.Contains(cs[0].Text, "admin tests") || !strings.Contains(cs[0].Text, "ticket 42") {
			t.Errorf("%s: comments %+v", a.ID, cs)
		}
	}
	h, _ := f.st.TuningRuleByID(ctx, hide.ID)
	rs, _ := f.st.TuningRuleByID(ctx, resolve.ID)
	if h.Hits != 3 || rs.Hits != 2 {
		t.Errorf("hits: hide %d (want 3), resolve %d (want 2)", h.Hits, rs.Hits)
	}
	es, _ := f.st.ListAudit(ctx, state.AuditFilter{Action: "alert.tune"})
	if len(es) != 2 {
		t.Errorf("%d alert.tune audit entries", len(es))
	}
}

func TestTuningConditions(t *testing.T) {
	a := &Alert{RuleID: "r1", Title: "Shadow copies deleted on ws1", Severity: High, Category: "Impact",
		Row:      map[string]any{"DeviceName": "WS1", "InitiatingProcessAccountName": "svc-backup", "FolderPath": `C:\Windows\System32\vssadmin.exe`},
		Evidence: []Evidence{{EntityType: "File", Fields: map[string]any{"SHA1": strings.Repeat("ab", 20)}}}}
	f := func(field, op, value string, want bool) {
		t.Helper()
		r := &TuningRule{Name: "x", Action: HideAlert, Conditions: []TuningCondition{{Field: field, Operator: op, Value: value}}}
		if err := r.Check(); err != nil {
			t.Fatalf("%s %s %s: %v", field, op, value, err)
		}
		if got := r.Matches(a); got != want {
			t.Errorf("%s %s %q = %v, want %v", field, op, value, got, want)
		}
	}
	f("deviceName", "equals", "ws1", true)
	f("deviceName", "equals", "ws", false)
	f("accountName", "equals", "SVC-BACKUP", true)
	f("folderPath", "startsWith", `c:\windows\`, true)
	f("folderPath", "endsWith", `VSSADMIN.EXE`, true)
	f("folderPath", "contains", `system32`, true)
	f("folderPath", "regex", `System32\\vss`, true)
	f("folderPath", "regex", `system32\\vss`, false)
	f("sha1", "equals", strings.Repeat("AB", 20), true)
	f("title", "contains", "shadow copies", true)
	f("severity", "equals", "high", true)
	f("ruleId", "equals", "r2", false)
	f("remoteIp", "equals", "10.0.0.1", false)

	bad := func(js, want string) {
		t.Helper()
		_, err := ParseTuningRule([]byte(js))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", js, err, want)
		}
	}
	bad(`{"name":"x","action":"Hide","conditions":[]}`, "at least one condition")
	bad(`{"name":"x","action":"Delete","conditions":[{"field":"title","operator":"equals","value":"a"}]}`, `action "Delete"`)
	bad(`{"name":"x","action":"Hide","conditions":[{"field":"colour","operator":"equals","value":"a"}]}`, `condition 1: field "colour"`)
	bad(`{"name":"x","action":"Hide","conditions":[{"field":"title","operator":"like","value":"a"}]}`, `condition 1: operator "like"`)
	bad(`{"name":"x","action":"Hide","conditions":[{"field":"title","operator":"regex","value":"("}]}`, "condition 1: regex")
	bad(`{"name":"","action":"Hide","conditions":[{"field":"title","operator":"equals","value":""}]}`, "name must")
	bad(`{"name":"x","action":"Hide","conditions":[{"field":"title","operator":"equals","value":"a"}],"extra":1}`, "unknown field")
}

func FuzzParseTuningRule(f *testing.F) {
	f.Add([]byte(`{"name":"x","action":"Hide","conditions":[{"field":"title","operator":"regex","value":"a+"}]}`))
	f.Add([]byte(`{"name":"x","action":"Resolve","expires":"2030-01-01T00:00:00Z","conditions":[{"field":"deviceName","operator":"startsWith","value":"ws"}]}`))
	f.Add([]byte(`{`))
	a := &Alert{RuleID: "r", Title: "t", Row: map[string]any{"DeviceName": "ws1"}}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseTuningRule(b)
		if err != nil {
			return
		}
		if len(r.Conditions) == 0 {
			t.Fatal("a rule without conditions was accepted")
		}
		_ = r.Matches(a)
	})
}

func TestDedupBucketsAreAligned(t *testing.T) {
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	ev := []Evidence{{EntityType: "Machine", Fields: map[string]any{"DeviceId": "d"}}}
	ids := map[string]bool{}
	for _, ts := range []time.Time{day, day.Add(23*time.Hour + 59*time.Minute), day.Add(24 * time.Hour)} {
		ids[groupID("r", dedupBucket(ts, DefaultDedupWindow), ev)] = true
	}
	if len(ids) != 2 {
		t.Errorf("%d groups, want 2 (one per UTC day)", len(ids))
	}
	other := groupID("r", day, []Evidence{{EntityType: "Machine", Fields: map[string]any{"DeviceId": "e"}}})
	related := groupID("r", day, append(ev, Evidence{EntityType: "File", Fields: map[string]any{"SHA1": "x"}}))
	if ids[other] || !ids[related] {
		t.Errorf("another device must be another alert; a related file must not")
	}
}

// Paths raising the same alerts at once (the stream and a scheduled run)
// write each alert once and count each row once.
func TestConcurrentRaiseWritesOnce(t *testing.T) {
	f := newAlertFixture(t)
	c, _ := Compile(shadowRule())
	alerts, _, err := c.Match(t0, "DeviceProcessEvents", shadowRows()[:40])
	if err != nil {
		t.Fatal(err)
	}
	p := NewPipeline(DefaultDedupWindow, f.st)
	p.OnError = func(err error) { t.Error(err) }
	done := make(chan struct{})
	for i := 0; i < 4; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			if _, err := p.Raise(context.Background(), f.ev, t0, alerts); err != nil {
				t.Error(err)
			}
		}()
	}
	for i := 0; i < 4; i++ {
		<-done
	}
	got := f.alertCounts(t) // fails on an alert written twice
	total := 0
	for _, s := range got {
		var n int
		fmt.Sscanf(strings.Fields(s)[1], "n=%d", &n)
		total += n
	}
	// 30 matches on 3 hosts from 08:00 to 03:30 the next day.
	if len(got) != 6 || total != 30 {
		t.Errorf("%d alerts counting %d rows, want 6 counting 30:\n%s", len(got), total, strings.Join(got, "\n"))
	}
}
