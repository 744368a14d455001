package sqlite

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

func TestIncidentStore(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	in1 := &state.Incident{ID: 1, Name: "first", Severity: "High", Status: "New", Categories: []string{"Execution", "Impact"},
		Devices: []string{"WS1"}, DetectionSources: []string{"Custom detection"}, Tags: []string{"vip"}, AlertCount: 1, FirstActivity: t0, LastActivity: t0}
	in2 := &state.Incident{ID: 2, Name: "second", Severity: "Low", Status: "InProgress", Assignee: "alice", Users: []string{"corp\\bob"},
		AlertCount: 1, FirstActivity: t0.Add(time.Hour), LastActivity: t0.Add(time.Hour)}
	ch := &state.IncidentChange{Incidents: []*state.Incident{in1, in2},
		Alerts: []state.IncidentAlert{
			{AlertID: "a1", IncidentID: 1, Time: t0, Title: "x", Severity: "High", Entities: []state.IncidentEntity{{Kind: "device", Value: "ws1", Keys: []string{"dev:ws1"}}},
				Reasons: []state.LinkReason{{Kind: "opened"}}},
			{AlertID: "a2", IncidentID: 2, Time: t0.Add(time.Hour), Title: "y", Severity: "Low"}},
		Comments: []state.IncidentComment{{IncidentID: 2, Author: "user:alice", Text: "hm"}},
		Activity: []state.IncidentActivity{{IncidentID: 2, Actor: "system", Action: "created"}}}
	before := auditCount(t, s)
	if err := s.SaveIncidents(ctx, ch, nil); err == nil {
		t.Fatal("no audit accepted")
	}
	if err := s.SaveIncidents(ctx, ch, []state.Audit{aud("incident.correlate", "incidents")}); err != nil {
		t.Fatal(err)
	}
	if in1.Version != 1 || in2.Version != 1 || ch.Comments[0].ID == 0 || auditCount(t, s) != before+1 {
		t.Fatalf("versions %d %d, comment %d", in1.Version, in2.Version, ch.Comments[0].ID)
	}
	// A stale version rolls back the whole batch, audit included.
	stale := *in1
	stale.Version = 7
	err := s.SaveIncidents(ctx, &state.IncidentChange{Incidents: []*state.Incident{&stale},
		Alerts: []state.IncidentAlert{{AlertID: "a9", IncidentID: 1, Time: t0}}}, []state.Audit{aud("incident.update", "incident:1")})
	if !errors.Is(err, state.ErrConflict) || auditCount(t, s) != before+1 {
		t.Errorf("stale write: %v", err)
	}
	if m, _ := s.IncidentOfAlerts(ctx, []string{"a1", "a2", "a9"}); len(m) != 2 || m["a2"] != 2 {
		t.Errorf("alerts: %v", m)
	}
	// Filters and counts.
	f := func(f state.IncidentFilter, want ...int64) {
		t.Helper()
		p, err := s.ListIncidents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, in := range p.Items {
			got = append(got, in.ID)
		}
		if len(got) != len(want) || (len(got) > 0 && got[0] != want[0]) {
			t.Errorf("%+v: got %v, want %v", f, got, want)
		}
	}
	f(state.IncidentFilter{}, 1, 2)
	f(state.IncidentFilter{Desc: true}, 2, 1)
	f(state.IncidentFilter{Statuses: []string{"inprogress"}}, 2)
	f(state.IncidentFilter{Assignees: []string{""}}, 1)
	f(state.IncidentFilter{Tags: []string{"VIP"}}, 1)
	f(state.IncidentFilter{Entity: "ws1"}, 1)
	f(state.IncidentFilter{Search: "BOB"}, 2)
	f(state.IncidentFilter{Search: "2"}, 2)
	f(state.IncidentFilter{Search: "100%"})
	f(state.IncidentFilter{MultiCategory: true}, 1)
	f(state.IncidentFilter{Since: t0.Add(30 * time.Minute)}, 2)
	f(state.IncidentFilter{Sort: "severity", Desc: true}, 1, 2)
	p, _ := s.ListIncidents(ctx, state.IncidentFilter{Limit: 1, Sort: "id"})
	if p.Total != 2 || p.CountsBySeverity["High"] != 1 || p.CountsByStatus["InProgress"] != 1 || p.Next == "" {
		t.Errorf("page: %+v", p)
	}
	f(state.IncidentFilter{Limit: 1, Sort: "id", Cursor: p.Next}, 2)
	if _, err := s.ListIncidents(ctx, state.IncidentFilter{Sort: "severity", Cursor: p.Next}); !errors.Is(err, state.ErrBadCursor) {
		t.Errorf("cursor of another sort: %v", err)
	}
	// Merge 2 into 1: its alerts, comments and activity read as 1's (the
	// alerts with a merge reason).
	in2.Status, in2.RedirectTo, in2.SystemTags = "Resolved", 1, []string{"Redirected"}
	if err := s.SaveIncidents(ctx, &state.IncidentChange{Incidents: []*state.Incident{in2}, Merges: []state.IncidentMerge{{Source: 2, Target: 1}}},
		[]state.Audit{aud("incident.merge", "incident:2")}); err != nil {
		t.Fatal(err)
	}
	as, _ := s.IncidentAlerts(ctx, 1)
	if len(as) != 2 || as[1].Reasons[len(as[1].Reasons)-1].Kind != "merge" || as[1].Reasons[0].FromID != 2 && as[1].Reasons[len(as[1].Reasons)-1].FromID != 2 {
		t.Errorf("moved alerts: %+v", as)
	}
	cs, _ := s.IncidentComments(ctx, 1)
	acts, _ := s.IncidentActivity(ctx, 1)
	if len(cs) != 1 || cs[0].Text != "hm" || len(acts) != 1 {
		t.Errorf("merged comments and activity: %+v %+v", cs, acts)
	}
	f(state.IncidentFilter{}, 1)
	f(state.IncidentFilter{OnlyRedirected: true}, 2)
	open, alerts, err := s.OpenIncidents(ctx)
	if err != nil || len(open) != 1 || len(alerts) != 2 {
		t.Errorf("open: %d %d %v", len(open), len(alerts), err)
	}
	// Defender's alert listing joins the alerts' triage.
	if err := s.SetAlertState(ctx, &state.AlertState{AlertID: "a2", Status: "Resolved", UpdatedBy: "x"}, aud("alert.update", "alert:a2")); err != nil {
		t.Fatal(err)
	}
	rows, err := s.ListIncidentAlerts(ctx, state.IncidentAlertFilter{Statuses: []string{"resolved"}})
	if err != nil || len(rows) != 1 || rows[0].AlertID != "a2" || rows[0].IncidentID != 1 {
		t.Errorf("alert rows: %+v %v", rows, err)
	}
	if rows, _ := s.ListIncidentAlerts(ctx, state.IncidentAlertFilter{Severities: []string{"High"}, Skip: 0, Limit: 5}); len(rows) != 1 || rows[0].Status != "New" {
		t.Errorf("by severity: %+v", rows)
	}
	if n, _ := s.MaxIncidentID(ctx); n != 2 {
		t.Errorf("max id %d", n)
	}
}

// A merge redirects the source and moves no alert row: reads follow
// redirect chains of any depth, derive a merge reason per hop, and an
// alert moved out of a merged incident leaves it.
func TestIncidentMergeChains(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	save := func(ch *state.IncidentChange) error {
		return s.SaveIncidents(ctx, ch, []state.Audit{aud("incident.correlate", "incidents")})
	}
	var incs []*state.Incident
	var alerts []state.IncidentAlert
	for i := int64(1); i <= 4; i++ {
		incs = append(incs, &state.Incident{ID: i, Name: "n", Severity: "Low", Status: "New", AlertCount: 1})
		alerts = append(alerts, state.IncidentAlert{AlertID: fmt.Sprintf("a%d", i), IncidentID: i, Time: t0.Add(time.Duration(i) * time.Minute),
			Title: "t", Severity: "Low", Reasons: []state.LinkReason{{Kind: "opened"}}})
	}
	if err := save(&state.IncidentChange{Incidents: incs, Alerts: alerts,
		Comments: []state.IncidentComment{{IncidentID: 3, Author: "user:a", Text: "on three"}}}); err != nil {
		t.Fatal(err)
	}
	merge := func(src, dst int64) {
		t.Helper()
		in := incs[src-1]
		in.Status, in.RedirectTo = "Resolved", dst
		if err := save(&state.IncidentChange{Incidents: []*state.Incident{in}, Merges: []state.IncidentMerge{{Source: src, Target: dst}}}); err != nil {
			t.Fatal(err)
		}
	}
	// want: incident -> "alert:from,from;alert:..." (the merge hops of
	// each of its alerts).
	check := func(want map[int64]string) {
		t.Helper()
		var all []string
		for id := int64(1); id <= 5; id++ {
			as, err := s.IncidentAlerts(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range as {
				var hops []string
				for _, r := range a.Reasons {
					if r.Kind == "merge" {
						hops = append(hops, fmt.Sprint(r.FromID))
					}
				}
				if a.IncidentID != id {
					t.Errorf("incident %d lists %s as in %d", id, a.AlertID, a.IncidentID)
				}
				got = append(got, a.AlertID+":"+strings.Join(hops, ","))
				all = append(all, a.AlertID)
			}
			if g := strings.Join(got, ";"); g != want[id] {
				t.Errorf("incident %d: got %q, want %q", id, g, want[id])
			}
		}
		// Every alert in exactly one incident, and each lookup agrees.
		slices.Sort(all)
		if !slices.Equal(all, []string{"a1", "a2", "a3", "a4"}) {
			t.Errorf("alerts across incidents: %v", all)
		}
		of, err := s.IncidentOfAlerts(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := s.ListIncidentAlerts(ctx, state.IncidentAlertFilter{})
		if err != nil {
			t.Fatal(err)
		}
		_, open, err := s.OpenIncidents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if !strings.Contains(want[of[r.AlertID]], r.AlertID+":") || r.IncidentID != of[r.AlertID] {
				t.Errorf("%s: IncidentOfAlerts %d, ListIncidentAlerts %d", r.AlertID, of[r.AlertID], r.IncidentID)
			}
		}
		for _, a := range open {
			if a.IncidentID != of[a.AlertID] {
				t.Errorf("%s: OpenIncidents says %d, IncidentOfAlerts %d", a.AlertID, a.IncidentID, of[a.AlertID])
			}
		}
	}
	check(map[int64]string{1: "a1:", 2: "a2:", 3: "a3:", 4: "a4:"})
	merge(3, 2)
	check(map[int64]string{1: "a1:", 2: "a2:;a3:3", 4: "a4:"})
	// Merge of a merged incident: a chain 3 -> 2 -> 1.
	merge(2, 1)
	check(map[int64]string{1: "a1:;a2:2;a3:3,2", 4: "a4:"})
	if cs, _ := s.IncidentComments(ctx, 1); len(cs) != 1 || cs[0].Text != "on three" {
		t.Errorf("comments did not follow the chain: %+v", cs)
	}
	// A merge the rows do not record is refused, and nothing is written.
	if err := save(&state.IncidentChange{Merges: []state.IncidentMerge{{Source: 4, Target: 1}}}); err == nil {
		t.Error("merge without a redirect accepted")
	}
	// Unlink after merge: a3 moves to a new incident 5 with its reasons
	// so far; it leaves 1 and no longer derives 1's chain.
	as, _ := s.IncidentAlerts(ctx, 1)
	moved := as[2]
	moved.IncidentID = 5
	moved.Reasons = append(moved.Reasons, state.LinkReason{Kind: "manual", FromID: 1})
	incs[0].AlertCount = 2
	incs = append(incs, &state.Incident{ID: 5, Name: "n", Severity: "Low", Status: "New", AlertCount: 1})
	if err := save(&state.IncidentChange{Incidents: []*state.Incident{incs[0], incs[4]},
		Alerts: []state.IncidentAlert{moved}}); err != nil {
		t.Fatal(err)
	}
	check(map[int64]string{1: "a1:;a2:2", 4: "a4:", 5: "a3:3,2"})
	// And a merge after the move derives only the new chain.
	merge(5, 4)
	check(map[int64]string{1: "a1:;a2:2", 4: "a3:3,2,5;a4:"})
}

// jsonList must decode to what encoding/json's encoding of its input
// decodes to (invalid UTF-8 bytes each become U+FFFD).
func TestJSONList(t *testing.T) {
	for _, v := range [][]string{nil, {}, {""}, {"a", "b"}, {`q"uo\te`}, {"tab\tnl\nret\r", "\x00\x1f\x7f"}, {"<&>"}, {"é 日本", "\xff\xfe"}, {"\u2028"}} {
		got := jsonList(v)
		var back []string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Fatalf("%q: %s: %v", v, got, err)
		}
		want := viaStdlib(t, v)
		if !slices.Equal(back, want) {
			t.Errorf("%q: %s decodes to %q", v, got, back)
		}
	}
}

func FuzzJSONList(f *testing.F) {
	for _, s := range []string{"", "a", `"\`, "\x00\n", "\xff", "é"} {
		f.Add(s, s+"x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		var back []string
		if err := json.Unmarshal([]byte(jsonList([]string{a, b})), &back); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(back, viaStdlib(t, []string{a, b})) {
			t.Fatalf("%q %q -> %q", a, b, back)
		}
	})
}

func viaStdlib(t *testing.T, v []string) []string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
