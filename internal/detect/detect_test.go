package detect

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

var t0 = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)

func shadowRule() *Rule {
	return &Rule{ID: "r1", Name: "Shadow copy deletion", Frequency: Continuous, Severity: High, Category: "Impact",
		Techniques: []string{"T1490"}, Title: "Shadow copies deleted on {{DeviceName}}",
		Query: `DeviceProcessEvents
| where FileName =~ "vssadmin.exe" and ProcessCommandLine has "delete" and ProcessCommandLine has "shadows"
| project Timestamp, ReportId, DeviceId, DeviceName, AccountName, AccountDomain, FileName, ProcessCommandLine, SHA1`}
}

func TestCompileValidates(t *testing.T) {
	for _, tc := range []struct {
		edit func(r *Rule)
		want string
	}{
		{func(r *Rule) {}, ""},
		{func(r *Rule) { r.Frequency = "5m" }, "frequency"},
		{func(r *Rule) { r.Severity = "Severe" }, "severity"},
		{func(r *Rule) { r.Techniques = []string{"T10"} }, "MITRE"},
		{func(r *Rule) { r.Actions = []Action{"format_disk"} }, "action"},
		{func(r *Rule) { r.Title = "On {{Nope}}" }, "placeholder {{Nope}}"},
		{func(r *Rule) { r.Query = "DeviceProcessEvents | project Timestamp, DeviceId" }, "ReportId"},
		{func(r *Rule) { r.Query = "DeviceProcessEvents | project ReportId, DeviceId" }, "Timestamp"},
		{func(r *Rule) { r.Query = "DeviceProcessEvents | project Timestamp, ReportId, FileName" }, "impacted entity"},
		{func(r *Rule) { r.Query = "DeviceProcessEvents\n| where FileNam == 1" }, "query 2:9"},
		{func(r *Rule) {
			r.Query = "DeviceProcessEvents | summarize arg_max(Timestamp, ReportId) by DeviceId, DeviceName"
		}, "cannot run continuously"},
		{func(r *Rule) {
			r.Frequency = Every1h
			r.Query = "DeviceProcessEvents | summarize arg_max(Timestamp, ReportId) by DeviceId, DeviceName"
		}, ""},
	} {
		r := shadowRule()
		tc.edit(r)
		_, err := Compile(r)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", r.Query, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%+v: error %v, want one containing %q", r, err, tc.want)
		}
		var re *RuleError
		if err != nil && !errors.As(err, &re) {
			t.Errorf("error of type %T", err)
		}
	}
}

func TestLookbacks(t *testing.T) {
	for f, want := range map[Frequency]time.Duration{Every1h: 4 * time.Hour, Every3h: 12 * time.Hour, Every12h: 48 * time.Hour, Every24h: 30 * 24 * time.Hour} {
		if got := f.Lookback(); got != want {
			t.Errorf("%s lookback %s, want %s", f, got, want)
		}
	}
}

// processRow builds a DeviceProcessEvents row from column values.
func processRow(vals map[string]any) []any { return tableRow("DeviceProcessEvents", vals) }

// tableRow builds a row of a table from column values; strings not given
// are empty, as the store keeps them.
func tableRow(table string, vals map[string]any) []any {
	tab, _ := schema.Lookup(table)
	row := make([]any, len(tab.Columns))
	for i, c := range tab.Columns {
		if v, ok := vals[c.Name]; ok {
			row[i] = v
		} else if c.Type == schema.String {
			row[i] = ""
		}
	}
	return row
}

// The continuous path (native evaluator on the batch) and the scheduled
// path (SQL over the stored rows) raise the same alerts, ids included.
func TestContinuousAndScheduledAgree(t *testing.T) {
	var rows [][]any
	cmds := []string{"vssadmin.exe delete shadows /all /quiet", "vssadmin.exe list shadows", "VSSADMIN delete SHADOWS", "cmd /c echo delete shadows"}
	files := []string{"vssadmin.exe", "vssadmin.exe", "VSSADMIN.EXE", "cmd.exe"}
	for i := 0; i < 40; i++ {
		rows = append(rows, processRow(map[string]any{
			"Timestamp": t0.Add(time.Duration(i) * time.Minute), "ReportId": int64(i), "DeviceId": "dev" + string(rune('a'+i%3)),
			"DeviceName": "host" + string(rune('a'+i%3)), "AccountName": "alice", "AccountDomain": "corp",
			"FileName": files[i%4], "ProcessCommandLine": cmds[i%4], "SHA1": "abc",
		}))
	}
	st, err := duckdb.Open(t.TempDir(), store.Options{RetentionInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Append(context.Background(), store.Batch{Tables: []store.TableRows{{Table: "DeviceProcessEvents", Rows: rows}}}); err != nil {
		t.Fatal(err)
	}
	c, err := Compile(shadowRule())
	if err != nil {
		t.Fatal(err)
	}
	streamed, _, err := c.Match(t0.Add(time.Hour), "DeviceProcessEvents", rows)
	if err != nil {
		t.Fatal(err)
	}
	run := c.RunInterval(context.Background(), &hunt.Engine{Store: st}, t0, t0.Add(time.Hour))
	if run.Err != "" {
		t.Fatal(run.Err)
	}
	ids := func(as []Alert) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.ID+" "+a.Title)
		}
		sort.Strings(out)
		return out
	}
	a, b := ids(streamed), ids(run.Alerts)
	if len(a) != 20 {
		t.Errorf("streamed %d alerts, want 20", len(a))
	}
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("streamed and scheduled alerts differ:\n%v\n%v", a, b)
	}
	// A run over an interval reads only its events.
	half := c.RunInterval(context.Background(), &hunt.Engine{Store: st}, t0, t0.Add(20*time.Minute))
	if len(half.Alerts) != 10 {
		t.Errorf("first 20 minutes: %d alerts, want 10", len(half.Alerts))
	}
	al := streamed[0]
	if al.Title != "Shadow copies deleted on hosta" && !strings.HasPrefix(al.Title, "Shadow copies deleted on host") {
		t.Errorf("title %q", al.Title)
	}
	kinds := map[string]bool{}
	for _, e := range al.Evidence {
		kinds[e.EntityType] = true
	}
	for _, k := range []string{"Machine", "User", "File", "Process"} {
		if !kinds[k] {
			t.Errorf("evidence lacks %s: %+v", k, al.Evidence)
		}
	}
	// Alerts land in AlertInfo and AlertEvidence for hunting.
	if err := st.Append(context.Background(), Batch(streamed)); err != nil {
		t.Fatal(err)
	}
	res, err := (&hunt.Engine{Store: st}).Run(context.Background(), hunt.Request{Query: `AlertInfo | join kind=inner (AlertEvidence | where EntityType == "Machine") on AlertId | summarize dcount(AlertId) by DeviceName, AttackTechniques`, Timespan: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 3 || res.Rows[0][1] != `["T1490"]` {
		t.Errorf("alerts by device: %v", res.Rows)
	}
}

func TestAtMost100AlertsPerRun(t *testing.T) {
	r := shadowRule()
	r.Query = `DeviceProcessEvents | project Timestamp, ReportId, DeviceId`
	r.Title = "x"
	c, err := Compile(r)
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]any
	for i := 0; i < 150; i++ {
		rows = append(rows, processRow(map[string]any{"Timestamp": t0.Add(time.Duration(150-i) * time.Second), "ReportId": int64(i), "DeviceId": "d"}))
	}
	alerts, truncated, err := c.Match(t0, "DeviceProcessEvents", rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != MaxAlertsPerRun || !truncated || !alerts[0].Timestamp.Before(alerts[99].Timestamp) {
		t.Errorf("%d alerts, truncated %v", len(alerts), truncated)
	}
}

func TestParseRule(t *testing.T) {
	r, err := ParseRule([]byte("id: x\nname: X\nfrequency: 3h\nseverity: Medium\ntitle: t\nquery: |\n  DeviceProcessEvents | project Timestamp, ReportId, DeviceId\nactions: [isolate_device]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Frequency != Every3h || !r.Enabled || len(r.Actions) != 1 {
		t.Errorf("rule = %+v", r)
	}
	if _, err := Compile(r); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"id: x\nnmae: typo\n", "name: no id\n", "id: [\n"} {
		if _, err := ParseRule([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestBacktestDedupesOverlappingRuns(t *testing.T) {
	var rows [][]any
	for i := 0; i < 10; i++ {
		rows = append(rows, processRow(map[string]any{"Timestamp": t0.Add(time.Duration(i) * 30 * time.Minute), "ReportId": int64(i),
			"DeviceId": "d", "DeviceName": "h", "FileName": "vssadmin.exe", "ProcessCommandLine": "vssadmin delete shadows"}))
	}
	st, err := duckdb.Open(t.TempDir(), store.Options{RetentionInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Append(context.Background(), store.Batch{Tables: []store.TableRows{{Table: "DeviceProcessEvents", Rows: rows}}}); err != nil {
		t.Fatal(err)
	}
	r := shadowRule()
	r.Frequency = Every1h // 4 h lookback: each event is read by up to four runs
	c, err := Compile(r)
	if err != nil {
		t.Fatal(err)
	}
	alerts, runs, err := Backtest(context.Background(), &hunt.Engine{Store: st}, c, t0, t0.Add(6*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 10 || len(runs) != 6 {
		t.Errorf("%d alerts from %d runs, want 10 from 6", len(alerts), len(runs))
	}
}

func TestStreamingWritesAlertsWithTheirEvents(t *testing.T) {
	st, err := duckdb.Open(t.TempDir(), store.Options{RetentionInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := shadowRule()
	r.Enabled = true
	c, err := Compile(r)
	if err != nil {
		t.Fatal(err)
	}
	s := NewStreaming(st, Static{c})
	row := processRow(map[string]any{"Timestamp": t0, "ReportId": int64(1), "DeviceId": "d", "DeviceName": "h",
		"FileName": "vssadmin.exe", "ProcessCommandLine": "vssadmin delete shadows /all"})
	for i := 0; i < 2; i++ { // the same event twice raises one alert
		if err := s.Append(context.Background(), store.Batch{Tables: []store.TableRows{{Table: "DeviceProcessEvents", Rows: [][]any{row}}}}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := st.Query(context.Background(), store.Query{SQL: `SELECT "Title", "DetectionSource" FROM "AlertInfo"`})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Rows[0][0] != "Shadow copies deleted on h" || res.Rows[0][1] != DetectionSource {
		t.Errorf("AlertInfo = %v", res.Rows)
	}
}

func TestSchedulerRunsDueRules(t *testing.T) {
	st, err := duckdb.Open(t.TempDir(), store.Options{RetentionInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := shadowRule()
	r.Frequency = Every1h
	r.Enabled = true
	c, err := Compile(r)
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(2 * time.Hour)
	sch := &Scheduler{Engine: &hunt.Engine{Store: st}, Store: st, Rules: Static{c}, Now: func() time.Time { return now }}
	row := processRow(map[string]any{"Timestamp": t0, "ReportId": int64(1), "DeviceId": "d", "DeviceName": "h",
		"FileName": "vssadmin.exe", "ProcessCommandLine": "vssadmin delete shadows /all"})
	if err := st.Append(context.Background(), store.Batch{Tables: []store.TableRows{{Table: "DeviceProcessEvents", Rows: [][]any{row}}}}); err != nil {
		t.Fatal(err)
	}
	next := map[string]time.Time{}
	sch.RunDue(context.Background(), next) // first run: 30 days back
	now = now.Add(30 * time.Minute)
	sch.RunDue(context.Background(), next) // not due yet
	now = now.Add(time.Hour)
	sch.RunDue(context.Background(), next) // due; the event is within the 4 h lookback again
	runs := sch.Runs()
	if run := runs[r.ID]; run.Err != "" || len(run.Alerts) != 0 || !run.To.Equal(now) {
		t.Errorf("last run = %+v", run)
	}
	res, err := st.Query(context.Background(), store.Query{SQL: `SELECT count(*) FROM "AlertInfo"`})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows[0][0] != int64(1) {
		t.Errorf("%v alerts, want 1 (the second run found it again)", res.Rows[0][0])
	}
}
