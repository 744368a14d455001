package sqlite

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

// mergeLogs builds incidents 1, 2 and 3 with comments and activity on
// each, merges 1 into 2 (by SaveIncidents) and then 2 into 3 (streamed),
// with a comment on 2 between the merges. With oldCopies it also writes
// what the copying merges wrote, as they wrote it, before each merge.
// It checks that each merge added only the two activity entries it
// passed.
func mergeLogs(t *testing.T, s *Store, oldCopies bool) {
	t.Helper()
	ctx := ctxT(t)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	saud := []state.Audit{aud("incident.correlate", "incidents")}
	var incs []*state.Incident
	for id := int64(1); id <= 3; id++ {
		incs = append(incs, &state.Incident{ID: id, Name: "n", Severity: "Low", Status: "New", AlertCount: 1})
	}
	act := func(id int64, m int, action, details string) state.IncidentActivity {
		return state.IncidentActivity{IncidentID: id, Time: at(m), Actor: "user:a", Action: action, Details: details}
	}
	com := func(id int64, m int, text string) state.IncidentComment {
		return state.IncidentComment{IncidentID: id, Author: "user:a", Text: text, CreatedAt: at(m)}
	}
	if err := s.SaveIncidents(ctx, &state.IncidentChange{Incidents: incs,
		// "same" on 1 and 2: one comment and one entry of one change
		// to both, which a merge must not take for copies.
		Comments: []state.IncidentComment{com(1, 1, "on one"), com(2, 2, "on two"), com(3, 3, "on three"), com(1, 4, "same"), com(2, 4, "same")},
		Activity: []state.IncidentActivity{act(1, 1, "created", `{"n":1}`), act(2, 2, "created", `{}`), act(3, 3, "created", `{"n":3}`),
			act(1, 4, "tags", `{"tags":["x"]}`), act(2, 4, "tags", `{"tags":["x"]}`)}}, saud); err != nil {
		t.Fatal(err)
	}
	counts := func() (c, a int) {
		t.Helper()
		if err := s.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM incident_comments), (SELECT count(*) FROM incident_activity)`).Scan(&c, &a); err != nil {
			t.Fatal(err)
		}
		return c, a
	}
	copyOld := func(src, dst int64) {
		t.Helper()
		if !oldCopies {
			return
		}
		for _, q := range []string{`INSERT INTO incident_comments (incident_id, author, text, created_at)
			SELECT ?1, author, text, created_at FROM incident_comments WHERE incident_id = ?2 ORDER BY id`,
			`INSERT INTO incident_activity (incident_id, time, actor, action, details)
			SELECT ?1, time, actor, action, json_set(details, '$.fromIncident', ?2) FROM incident_activity WHERE incident_id = ?2 ORDER BY id`} {
			if _, err := s.w.ExecContext(ctx, q, dst, src); err != nil {
				t.Fatal(err)
			}
		}
	}
	merged := func(src, dst int64, m int) []state.IncidentActivity {
		in := incs[src-1]
		in.Status, in.RedirectTo, in.SystemTags = "Resolved", dst, []string{"Redirected"}
		return []state.IncidentActivity{act(src, m, "merged.into", fmt.Sprintf(`{"target":%d}`, dst)), act(dst, m, "merged.from", fmt.Sprintf(`{"source":%d}`, src))}
	}
	// 1 into 2, by SaveIncidents.
	copyOld(1, 2)
	c0, a0 := counts()
	if err := s.SaveIncidents(ctx, &state.IncidentChange{Incidents: []*state.Incident{incs[0]}, Merges: []state.IncidentMerge{{Source: 1, Target: 2}},
		Activity: merged(1, 2, 5)}, saud); err != nil {
		t.Fatal(err)
	}
	if c, a := counts(); c != c0 || a != a0+2 {
		t.Errorf("merge of 1 into 2 wrote %d comments and %d activity entries, want 0 and 2", c-c0, a-a0)
	}
	if err := s.SaveIncidents(ctx, &state.IncidentChange{Comments: []state.IncidentComment{com(2, 6, "on two, later")},
		Activity: []state.IncidentActivity{act(2, 6, "comment", `{}`)}}, saud); err != nil {
		t.Fatal(err)
	}
	// 2 into 3, streamed.
	copyOld(2, 3)
	c0, a0 = counts()
	w := s.BeginIncidentChange(ctx, true)
	acts := merged(2, 3, 7)
	w.Add(nil, []state.MergeRow{{Source: incs[1], Merge: state.IncidentMerge{Source: 2, Target: 3}}})
	if err := w.Commit(&state.IncidentChange{Incidents: []*state.Incident{incs[2]}, Activity: acts}, saud); err != nil {
		t.Fatal(err)
	}
	if c, a := counts(); c != c0 || a != a0+2 {
		t.Errorf("merge of 2 into 3 wrote %d comments and %d activity entries, want 0 and 2", c-c0, a-a0)
	}
	if err := s.SaveIncidents(ctx, &state.IncidentChange{Comments: []state.IncidentComment{com(3, 8, "on three, later")}}, saud); err != nil {
		t.Fatal(err)
	}
}

// logsOf is an incident's comments and activity as one line each:
// "text@minute" and "action@minute details"; it checks their order and
// IncidentID.
func logsOf(t *testing.T, s *Store, id int64) (string, string) {
	t.Helper()
	ctx := ctxT(t)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	cs, err := s.IncidentComments(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	as, err := s.IncidentActivity(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var c, a []string
	var last int64
	for _, x := range cs {
		if x.IncidentID != id || x.ID <= last {
			t.Errorf("incident %d: comment %+v (after id %d)", id, x, last)
		}
		last = x.ID
		c = append(c, fmt.Sprintf("%s@%d", x.Text, int(x.CreatedAt.Sub(t0)/time.Minute)))
	}
	last = 0
	for _, x := range as {
		if x.IncidentID != id || x.ID <= last || !json.Valid([]byte(x.Details)) {
			t.Errorf("incident %d: activity %+v (after id %d)", id, x, last)
		}
		last = x.ID
		a = append(a, fmt.Sprintf("%s@%d %s", x.Action, int(x.Time.Sub(t0)/time.Minute), x.Details))
	}
	return strings.Join(c, "; "), strings.Join(a, "; ")
}

// What each incident of mergeLogs reads: its own comments and activity
// and those of the incidents merged into it at any depth, in the order
// they were written; an entry of another incident names it.
var mergeLogsWant = []struct {
	id                 int64
	comments, activity string
}{
	{1, "on one@1; same@4",
		`created@1 {"n":1}; tags@4 {"tags":["x"]}; merged.into@5 {"target":2}`},
	{2, "on one@1; on two@2; same@4; same@4; on two, later@6",
		`created@1 {"n":1,"fromIncident":1}; created@2 {}; tags@4 {"tags":["x"],"fromIncident":1}; tags@4 {"tags":["x"]}; ` +
			`merged.into@5 {"target":2,"fromIncident":1}; merged.from@5 {"source":1}; comment@6 {}; merged.into@7 {"target":3}`},
	{3, "on one@1; on two@2; on three@3; same@4; same@4; on two, later@6; on three, later@8",
		`created@1 {"n":1,"fromIncident":1}; created@2 {"fromIncident":2}; created@3 {"n":3}; tags@4 {"tags":["x"],"fromIncident":1}; ` +
			`tags@4 {"tags":["x"],"fromIncident":2}; merged.into@5 {"target":2,"fromIncident":1}; merged.from@5 {"source":1,"fromIncident":2}; ` +
			`comment@6 {"fromIncident":2}; merged.into@7 {"target":3,"fromIncident":2}; merged.from@7 {"source":2}`},
	{4, "", ""},
}

// A merge writes no comment or activity row of its own beyond the
// entries its caller passes; reads follow the redirect chain.
func TestIncidentMergeLogs(t *testing.T) {
	s := openTest(t)
	mergeLogs(t, s, false)
	for _, w := range mergeLogsWant {
		c, a := logsOf(t, s, w.id)
		if c != w.comments {
			t.Errorf("incident %d comments:\n got %s\nwant %s", w.id, c, w.comments)
		}
		if a != w.activity {
			t.Errorf("incident %d activity:\n got %s\nwant %s", w.id, a, w.activity)
		}
	}
}

// A store whose merges copied comments and activity (before migration
// 0009) reads the same as one whose merges did not, once migrated.
func TestIncidentMergeCopiesMigrated(t *testing.T) {
	ctx := ctxT(t)
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	mergeLogs(t, s, true)
	// Unmigrated, the copies read twice.
	if c, _ := logsOf(t, s, 3); strings.Count(c, "on one@1") != 3 {
		t.Fatalf("the old copies are not there: %s", c)
	}
	undoBuckets(t, s)
	if _, err := s.w.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version >= 9`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, w := range mergeLogsWant {
		c, a := logsOf(t, s, w.id)
		if c != w.comments || a != w.activity {
			t.Errorf("incident %d, migrated:\n got %s\n     %s\nwant %s\n     %s", w.id, c, a, w.comments, w.activity)
		}
	}
	// Only the copies went: the originals are all there.
	var nc, na int
	if err := s.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM incident_comments), (SELECT count(*) FROM incident_activity)`).Scan(&nc, &na); err != nil {
		t.Fatal(err)
	}
	if nc != 7 || na != 10 {
		t.Errorf("%d comments and %d activity entries left, want 7 and 10", nc, na)
	}
}

// The reads of an incident's logs and alerts walk the chain by
// incidents_redirect and read each member's rows by index, scanning no
// table.
func TestIncidentReadPlans(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	for _, c := range []struct {
		query string
		args  []any
		want  []string
	}{
		{incidentCommentsQuery, []any{1}, []string{"INDEX incidents_redirect (redirect_to=?)", "USING INDEX incident_comments_incident (incident_id=?)"}},
		{incidentActivityQuery, []any{1, 1}, []string{"INDEX incidents_redirect (redirect_to=?)", "USING INDEX incident_activity_incident (incident_id=?)"}},
		// Alerts: a seek per (incident, bucket), or a range of buckets
		// for a span of four weeks or more.
		{membersCTE(`SELECT ? AS id`) + membersAlertsQuery, []any{1}, []string{"INDEX incidents_redirect (redirect_to=?)",
			"USING INDEX incident_alerts_bucket (<expr>=? AND incident_id=?)", "USING INDEX incident_alerts_bucket (<expr>>? AND <expr><?)"}},
	} {
		rows, err := s.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+c.query, c.args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, "\n")
		for _, w := range c.want {
			if !strings.Contains(p, w) {
				t.Errorf("plan lacks %q:\n%s", w, p)
			}
		}
		for _, d := range plan {
			if f := strings.Fields(d); len(f) > 1 && f[0] == "SCAN" && strings.Contains(" a c i incidents incident_comments incident_activity ", " "+f[1]+" ") {
				t.Errorf("plan scans a table:\n%s", p)
			}
		}
	}
}
