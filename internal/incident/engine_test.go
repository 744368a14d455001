package incident

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/state/sqlite"
)

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func openStore(t testing.TB) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newEngine(t testing.TB, st state.IncidentStore, mod func(*Settings)) *Engine {
	t.Helper()
	set := Defaults()
	set.FlushAfter = 0
	if mod != nil {
		mod(&set)
	}
	e, err := New(st, set)
	if err != nil {
		t.Fatal(err)
	}
	e.Now = func() time.Time { return t0.Add(48 * time.Hour) }
	if err := e.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e
}

// al builds an alert; ents are "device=ws1", "user=corp\\alice",
// "ip=10.0.0.5", "sha1=...", "mail=a@x", "upn=a@x".
func al(id string, at time.Duration, cat, sev string, ents ...string) Alert {
	a := Alert{ID: id, Title: "alert " + id, Category: cat, Severity: sev, ServiceSource: "Vigil", DetectionSource: "Custom detection",
		Time: t0.Add(at), Techniques: []string{"T1059"}}
	for _, e := range ents {
		k, v, _ := strings.Cut(e, "=")
		switch k {
		case "device":
			a.Evidence = append(a.Evidence, Evidence{EntityType: "Machine", EvidenceRole: "Impacted", Fields: map[string]any{"DeviceName": v, "DeviceId": "id-" + v}})
		case "user":
			d, n, _ := strings.Cut(v, `\`)
			a.Evidence = append(a.Evidence, Evidence{EntityType: "User", EvidenceRole: "Impacted", Fields: map[string]any{"AccountDomain": d, "AccountName": n}})
		case "upn":
			a.Evidence = append(a.Evidence, Evidence{EntityType: "User", EvidenceRole: "Impacted", Fields: map[string]any{"AccountUpn": v}})
		case "ip":
			a.Evidence = append(a.Evidence, Evidence{EntityType: "Ip", EvidenceRole: "Related", Fields: map[string]any{"RemoteIP": v}})
		case "sha1":
			a.Evidence = append(a.Evidence, Evidence{EntityType: "File", EvidenceRole: "Related", Fields: map[string]any{"SHA1": v, "FileName": "x.exe"}})
		case "mail":
			a.Evidence = append(a.Evidence, Evidence{EntityType: "Mailbox", EvidenceRole: "Impacted", Fields: map[string]any{"RecipientEmailAddress": v}})
		default:
			panic("bad entity " + e)
		}
	}
	return a
}

func ingest(t testing.TB, e *Engine, as ...Alert) {
	t.Helper()
	if err := e.Ingest(context.Background(), as); err != nil {
		t.Fatal(err)
	}
}

// placement maps each alert to its incident.
func placement(t testing.TB, st state.IncidentStore, as []Alert) map[string]int64 {
	t.Helper()
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	m, err := st.IncidentOfAlerts(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCorrelation(t *testing.T) {
	ctx := context.Background()
	f := func(name string, mod func(*Settings), as []Alert, want string) {
		t.Helper()
		st := openStore(t)
		e := newEngine(t, st, mod)
		for _, a := range as {
			ingest(t, e, a) // one at a time: the order the alerts arrive in
		}
		m := placement(t, st, as)
		// Name the groups by their first alert: "a1,a2|a3".
		groups := map[int64][]string{}
		var order []int64
		for _, a := range as {
			id, ok := m[a.ID]
			if !ok {
				t.Fatalf("%s: alert %s in no incident", name, a.ID)
			}
			if groups[id] == nil {
				order = append(order, id)
			}
			groups[id] = append(groups[id], a.ID)
		}
		var parts []string
		for _, id := range order {
			in, err := st.IncidentByID(ctx, id)
			if err != nil || in.RedirectTo != 0 {
				t.Fatalf("%s: alerts in incident %d (%v, redirected to %d)", name, id, err, in.RedirectTo)
			}
			parts = append(parts, strings.Join(groups[id], ","))
		}
		if got := strings.Join(parts, "|"); got != want {
			t.Errorf("%s: got %s, want %s", name, got, want)
		}
	}
	h := time.Hour
	f("same device", nil, []Alert{al("a1", 0, "Execution", "Low", "device=ws1"), al("a2", h, "Persistence", "High", "device=WS1.corp.local")}, "a1,a2")
	f("device outside window", nil, []Alert{al("a1", 0, "Execution", "Low", "device=ws1"), al("a2", 30*h, "Persistence", "High", "device=ws1")}, "a1|a2")
	f("unrelated", nil, []Alert{al("a1", 0, "Execution", "Low", "device=ws1", "user=corp\\alice"), al("a2", h, "Execution", "Low", "device=ws2", "user=corp\\bob")}, "a1|a2")
	f("account links devices", nil, []Alert{al("a1", 0, "Execution", "Low", "device=ws1", "user=corp\\alice"), al("a2", h, "LateralMovement", "Medium", "device=ws2", "user=CORP.local\\Alice")}, "a1,a2")
	f("system account does not link", nil, []Alert{al("a1", 0, "Execution", "Low", "device=ws1", "user=nt authority\\system"), al("a2", h, "Execution", "Low", "device=ws2", "user=nt authority\\system")}, "a1|a2")
	f("merge on a bridging alert", nil, []Alert{al("a1", 0, "Execution", "Low", "device=ws1"), al("a2", h, "Discovery", "Low", "device=ws2"), al("a3", 2*h, "LateralMovement", "High", "device=ws1", "ip=10.0.0.9"), al("a4", 3*h, "Execution", "Low", "device=ws2", "ip=10.0.0.9")}, "a1,a2,a3,a4")
	f("domain controller does not link", func(s *Settings) { s.DomainControllers = []string{"dc01"} }, []Alert{al("a1", 0, "CredentialAccess", "Medium", "device=dc01", "user=corp\\alice"), al("a2", h, "CredentialAccess", "Medium", "device=DC01.corp.local", "user=corp\\bob")}, "a1|a2")
	f("sequence: mail then the user", nil, []Alert{al("m1", 0, "InitialAccess", "Medium", "mail=alice@corp.com"), al("x1", h, "Execution", "High", "device=ws1", "upn=alice@corp.com")}, "m1,x1")
	f("sequence needs the order", nil, []Alert{al("x1", 0, "Execution", "High", "device=ws1", "upn=alice@corp.com"), al("m1", h, "InitialAccess", "Medium", "mail=alice@corp.com")}, "x1|m1")
	f("entity cap", func(s *Settings) { s.MaxEntities = 2 }, []Alert{al("a1", 0, "Execution", "Low", "device=ws1", "user=corp\\alice"), al("a2", h, "Execution", "Low", "device=ws1", "user=corp\\bob")}, "a1|a2")
	// Prevalence: an IP on 12 devices (over the minimum of 10) stops linking.
	var as []Alert
	for i := range 12 {
		as = append(as, al(fmt.Sprintf("p%02d", i), time.Duration(i)*time.Minute, "CommandAndControl", "Low", fmt.Sprintf("device=ws%d", i), "ip=203.0.113.7"))
	}
	as = append(as, al("p99", time.Hour, "CommandAndControl", "Low", "device=ws99", "ip=203.0.113.7"))
	f("prevalent IP", nil, as, "p00,p01,p02,p03,p04,p05,p06,p07,p08,p09|p10|p11|p99")
}

func TestReasonsAndName(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	e := newEngine(t, st, nil)
	ingest(t, e, al("a1", 0, "Execution", "Low", "device=ws1"))
	in, _ := st.IncidentByID(ctx, 1)
	if in.Name != "alert a1" || in.Severity != "Low" || in.Status != "New" {
		t.Errorf("one-alert incident: %+v", in)
	}
	ingest(t, e, al("a2", time.Hour, "LateralMovement", "High", "device=ws1"), al("a3", 2*time.Hour, "Discovery", "Medium", "device=ws2", "sha1=abc"),
		al("a4", 3*time.Hour, "Exfiltration", "Medium", "device=ws1", "sha1=ABC"))
	in, _ = st.IncidentByID(ctx, 1)
	want := "Multi-stage incident involving Execution & Exfiltration on multiple endpoints"
	if in.Name != want || in.Severity != "High" || in.AlertCount != 4 || len(in.Devices) != 2 {
		t.Errorf("got %q %s %d %v", in.Name, in.Severity, in.AlertCount, in.Devices)
	}
	alerts, err := st.IncidentAlerts(ctx, 1)
	if err != nil || len(alerts) != 4 {
		t.Fatal(err, len(alerts))
	}
	r := alerts[1].Reasons[0]
	if r.Kind != "entity" || r.EntityKind != KindDevice || r.OtherAlert != "a1" || !r.OtherTime.Equal(t0) {
		t.Errorf("a2's reason: %+v", r)
	}
	// a3 opened incident 2; a4 links to both and merges 2 into 1.
	in2, _ := st.IncidentByID(ctx, 2)
	if in2.RedirectTo != 1 || in2.Status != "Resolved" || in2.SystemTags[0] != TagRedirected {
		t.Errorf("merged source: %+v", in2)
	}
	act, _ := st.IncidentActivity(ctx, 1)
	var merged bool
	for _, a := range act {
		merged = merged || a.Action == "merged.from"
	}
	if !merged {
		t.Errorf("no merge in the activity: %+v", act)
	}
	g := BuildGraph(alerts)
	if len(g.Nodes) != 4+3 || len(g.Edges) < 6 {
		t.Errorf("graph: %d nodes, %d edges", len(g.Nodes), len(g.Edges))
	}
}

func TestDeferredRows(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	e := newEngine(t, st, func(s *Settings) { s.FlushAfter = time.Hour })
	var events []IncidentEvent
	e.OnChange = func(ev IncidentEvent) { events = append(events, ev) }
	ingest(t, e, al("a1", 0, "Execution", "Low", "device=ws1"))
	ingest(t, e, al("a2", time.Minute, "Execution", "High", "device=ws1"))
	if in, _ := st.IncidentByID(ctx, 1); in.AlertCount != 1 || in.Version != 1 {
		t.Errorf("before the flush: %d alerts, version %d", in.AlertCount, in.Version)
	}
	if m := placement(t, st, []Alert{{ID: "a2"}}); m["a2"] != 1 {
		t.Errorf("the alert row waits too: %v", m)
	}
	if err := e.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if in, _ := st.IncidentByID(ctx, 1); in.AlertCount != 2 || in.Severity != "High" || in.Version != 2 {
		t.Errorf("after the flush: %+v", in)
	}
	if len(events) != 2 || events[1].Type != "updated" || len(events[1].AlertIDs) != 1 || events[1].AlertIDs[0] != "a2" {
		t.Errorf("events: %+v", events)
	}
	// An analyst's write carries the pending fields too.
	ingest(t, e, al("a3", 2*time.Minute, "Persistence", "Low", "device=ws1"))
	owner := "alice"
	in, err := e.Update(ctx, 1, 2, Patch{Assignee: &owner}, state.Audit{Actor: "user:alice"})
	if err != nil || in.AlertCount != 3 {
		t.Fatalf("update: %v %+v", err, in)
	}
}

// A deferred row is written once due even when an incident ahead of it
// in the queue was written meanwhile and is dirty again (not yet due): its
// earlier mark is stale and must not hold back the marks behind it.
func TestDeferredRowsNotHeldBack(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	e := newEngine(t, st, func(s *Settings) { s.FlushAfter = time.Minute })
	clock := t0
	e.wall = func() time.Time { return clock }
	at := func(d time.Duration) { clock = t0.Add(d) }
	count := func(id int64) int {
		t.Helper()
		in, err := st.IncidentByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return in.AlertCount
	}
	ingest(t, e, al("a1", 0, "Execution", "Low", "device=ws1"), al("b1", 0, "Execution", "Low", "device=ws2"))
	ingest(t, e, al("a2", time.Minute, "Execution", "Low", "device=ws1")) // incident 1 dirty at 0s
	at(time.Second)
	ingest(t, e, al("b2", time.Minute, "Execution", "Low", "device=ws2")) // incident 2 dirty at 1s
	at(2 * time.Second)
	owner := "alice"
	if _, err := e.Update(ctx, 1, 1, Patch{Assignee: &owner}, state.Audit{Actor: "user:alice"}); err != nil {
		t.Fatal(err)
	}
	at(30 * time.Second)
	ingest(t, e, al("a3", 2*time.Minute, "Execution", "Low", "device=ws1")) // incident 1 dirty again at 30s
	if got := []int{count(1), count(2)}; got[0] != 2 || got[1] != 1 {
		t.Fatalf("before anything is due: alert counts %v, want [2 1]", got)
	}
	at(62 * time.Second)
	ingest(t, e, al("c1", 3*time.Minute, "Execution", "Low", "device=ws9"))
	if got := []int{count(1), count(2)}; got[0] != 2 || got[1] != 2 {
		t.Errorf("at 62s (incident 2 due, incident 1 not): alert counts %v, want [2 2]", got)
	}
	if len(e.dirty) != 1 || e.dirty[0].l.inc.ID != 1 {
		t.Errorf("queue after the write: %d marks, want incident 1's only", len(e.dirty))
	}
	at(91 * time.Second)
	ingest(t, e, al("c2", 4*time.Minute, "Execution", "Low", "device=ws9"))
	if got := count(1); got != 3 {
		t.Errorf("at 91s incident 1 is due: %d alerts, want 3", got)
	}
}

func TestWorkflow(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	e := newEngine(t, st, nil)
	var events []IncidentEvent
	e.OnChange = func(ev IncidentEvent) { events = append(events, ev) }
	ingest(t, e, al("a1", 0, "Execution", "Low", "device=ws1"), al("b1", 0, "Execution", "Low", "device=ws2"))
	aud := state.Audit{Actor: "user:alice", Remote: "test"}
	s := func(v string) *string { return &v }
	in, err := e.Update(ctx, 1, 1, Patch{Assignee: s("alice"), AddTags: []string{"vip"}, Comment: "looking"}, aud)
	if err != nil || in.Version != 2 || in.Assignee != "alice" {
		t.Fatalf("update: %v %+v", err, in)
	}
	if _, err := e.Update(ctx, 1, 1, Patch{Assignee: s("bob")}, aud); !errors.Is(err, ErrVersion) {
		t.Errorf("stale version: %v", err)
	}
	for _, p := range []Patch{{Status: s("Closed")}, {Classification: s("FalsePositive"), Determination: s("Malware")}, {AddTags: []string{"Redirected"}}, {Comment: "a\x00b"}} {
		if _, err := e.Update(ctx, 1, -1, p, aud); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", p, err)
		}
	}
	// Different owners: a bridging alert does not merge.
	if _, err := e.Update(ctx, 2, -1, Patch{Assignee: s("bob")}, aud); err != nil {
		t.Fatal(err)
	}
	ingest(t, e, al("c1", time.Hour, "LateralMovement", "High", "device=ws1", "ip=10.1.1.1"), al("c2", time.Hour+time.Minute, "Execution", "Low", "device=ws2", "ip=10.1.1.1"))
	m := placement(t, st, []Alert{{ID: "c1"}, {ID: "c2"}})
	if in2, _ := st.IncidentByID(ctx, 2); m["c1"] != 1 || m["c2"] != 1 || in2.RedirectTo != 0 {
		t.Errorf("merged across owners: %v", m)
	}
	as, _ := st.IncidentAlerts(ctx, 1)
	if n := as[len(as)-1].Reasons; len(n) < 2 || !strings.Contains(n[1].Note, "different people") {
		t.Errorf("refusal not recorded: %+v", n)
	}
	// Manual merge ignores owners; comments follow.
	if _, err := e.Merge(ctx, 1, []int64{2}, aud); err != nil {
		t.Fatal(err)
	}
	cs, _ := st.IncidentComments(ctx, 1)
	if len(cs) != 1 {
		t.Errorf("comments: %+v", cs)
	}
	if _, err := e.Update(ctx, 2, -1, Patch{Status: s("InProgress")}, aud); !errors.As(err, new(*RedirectedError)) {
		t.Errorf("update redirected: %v", err)
	}
	// Move an alert out to a new incident.
	moved, err := e.MoveAlert(ctx, "b1", 0, aud)
	if err != nil || moved.ID != 3 || moved.AlertCount != 1 {
		t.Fatalf("move: %v %+v", err, moved)
	}
	// Resolve: new alerts on its devices open a new incident.
	if _, err := e.Update(ctx, 1, -1, Patch{Status: s("Resolved"), Classification: s("TruePositive"), Determination: s("Malware")}, aud); err != nil {
		t.Fatal(err)
	}
	ingest(t, e, al("d1", 2*time.Hour, "Execution", "Low", "device=ws1"))
	if m := placement(t, st, []Alert{{ID: "d1"}}); m["d1"] != 4 {
		t.Errorf("alert joined a resolved incident: %v", m)
	}
	audits, _ := st.ListAudit(ctx, state.AuditFilter{Action: "incident."})
	if len(audits) < 6 {
		t.Errorf("%d incident audit entries", len(audits))
	}
	if len(events) == 0 || events[0].Type != "created" {
		t.Errorf("events: %+v", events)
	}
	// A restart rebuilds the same picture.
	e2 := newEngine(t, st, nil)
	ingest(t, e2, al("d2", 2*time.Hour+time.Minute, "Execution", "Low", "device=ws1"))
	if m := placement(t, st, []Alert{{ID: "d2"}}); m["d2"] != 4 {
		t.Errorf("after reload: %v", m)
	}
}

// randomAlerts builds alerts over small pools of entities so that links,
// merges and caps all happen.
func randomAlerts(r *rand.Rand, n int) []Alert {
	cats := []string{"Execution", "Persistence", "Discovery", "LateralMovement", "CredentialAccess", "InitialAccess"}
	var out []Alert
	for i := range n {
		var ents []string
		for range 1 + r.IntN(3) {
			switch r.IntN(5) {
			case 0, 1:
				ents = append(ents, fmt.Sprintf("device=ws%d", r.IntN(25)))
			case 2:
				ents = append(ents, fmt.Sprintf("user=corp\\u%d", r.IntN(20)))
			case 3:
				ents = append(ents, fmt.Sprintf("ip=10.0.%d.%d", r.IntN(2), r.IntN(20)))
			case 4:
				ents = append(ents, fmt.Sprintf("mail=u%d@corp.com", r.IntN(20)), fmt.Sprintf("upn=u%d@corp.com", r.IntN(20)))
			}
		}
		out = append(out, al(fmt.Sprintf("r%04d", i), time.Duration(r.IntN(72*60))*time.Minute, cats[r.IntN(len(cats))], severities[r.IntN(4)], ents...))
	}
	return out
}

// TestProperties: every alert is in exactly one open-or-resolved,
// not-redirected incident; every automatic merge met the conditions;
// replay changes nothing; the same alerts in any order in one batch give
// the same incidents.
func TestProperties(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(4) {
		r := rand.New(rand.NewPCG(seed, 7))
		alerts := randomAlerts(r, 300)
		st := openStore(t)
		e := newEngine(t, st, func(s *Settings) { s.MaxEntities = 12 })
		aud := state.Audit{Actor: "user:t", Remote: "test"}
		owners := []string{"", "alice", "bob"}
		classes := [][2]string{{"", ""}, {"TruePositive", "Malware"}, {"FalsePositive", "Clean"}}
		for i, a := range alerts {
			// Before each alert, what each incident looked like.
			pre := map[int64]state.Incident{}
			page, err := st.ListIncidents(ctx, state.IncidentFilter{Limit: 1000, IncludeRedirected: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range page.Items {
				pre[in.ID] = in
			}
			ingest(t, e, a)
			page, _ = st.ListIncidents(ctx, state.IncidentFilter{Limit: 1000, IncludeRedirected: true})
			for _, in := range page.Items {
				if in.RedirectTo == 0 || pre[in.ID].RedirectTo != 0 {
					continue
				}
				src, dst := pre[in.ID], pre[in.RedirectTo]
				switch {
				case src.Status == "Resolved" || dst.Status == "Resolved":
					t.Fatalf("seed %d: merged a resolved incident: %d into %d", seed, src.ID, dst.ID)
				case src.Assignee != "" && dst.Assignee != "" && src.Assignee != dst.Assignee:
					t.Fatalf("seed %d: merged across owners", seed)
				case src.Classification != "" && dst.Classification != "" && src.Classification != dst.Classification:
					t.Fatalf("seed %d: merged across classifications", seed)
				case src.EntityCount+dst.EntityCount > 0 && in.EntityCount > 12:
					t.Fatalf("seed %d: over the entity cap", seed)
				}
			}
			// Analysts at work: assign, classify, resolve now and then.
			if i%7 == 0 && len(page.Items) > 0 {
				in := page.Items[r.IntN(len(page.Items))]
				if in.RedirectTo == 0 {
					c := classes[r.IntN(len(classes))]
					status := []string{"New", "InProgress", "Resolved"}[r.IntN(3)]
					owner := owners[r.IntN(len(owners))]
					if _, err := e.Update(ctx, in.ID, -1, Patch{Assignee: &owner, Classification: &c[0], Determination: &c[1], Status: &status}, aud); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		// Exactly one incident each, and that incident is not redirected
		// and counts it.
		m := placement(t, st, alerts)
		eachAlertOnce(t, fmt.Sprintf("seed %d", seed), st, alerts, m)
		// The incidents' alert lists, read through the redirects of
		// merges, partition the alerts the same way.
		listed := map[string]int64{}
		all, _ := st.ListIncidents(ctx, state.IncidentFilter{Limit: 1000, IncludeRedirected: true})
		for _, in := range all.Items {
			as, err := st.IncidentAlerts(ctx, in.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range as {
				if prev, dup := listed[a.AlertID]; dup || a.IncidentID != in.ID || m[a.AlertID] != in.ID {
					t.Fatalf("seed %d: %s listed by incident %d (and %d), says %d, placed in %d", seed, a.AlertID, in.ID, prev, a.IncidentID, m[a.AlertID])
				}
				listed[a.AlertID] = in.ID
			}
		}
		if len(listed) != len(alerts) {
			t.Fatalf("seed %d: %d alerts listed by incidents, want %d", seed, len(listed), len(alerts))
		}
		// Replay: nothing changes.
		before, _ := st.ListIncidents(ctx, state.IncidentFilter{Limit: 1000, IncludeRedirected: true})
		ingest(t, e, alerts...)
		after, _ := st.ListIncidents(ctx, state.IncidentFilter{Limit: 1000, IncludeRedirected: true})
		if before.Total != after.Total {
			t.Fatalf("seed %d: replay made incidents", seed)
		}
		for i := range before.Items {
			if before.Items[i].Version != after.Items[i].Version {
				t.Fatalf("seed %d: replay changed incident %d", seed, before.Items[i].ID)
			}
		}
		// Any order, one batch: the same grouping on a fresh store.
		var groupings []map[string]int64
		for k := range 2 {
			sh := append([]Alert(nil), alerts...)
			rand.New(rand.NewPCG(seed, uint64(k))).Shuffle(len(sh), func(i, j int) { sh[i], sh[j] = sh[j], sh[i] })
			st2 := openStore(t)
			ingest(t, newEngine(t, st2, func(s *Settings) { s.MaxEntities = 12 }), sh...)
			groupings = append(groupings, placement(t, st2, alerts))
		}
		for _, a := range alerts {
			if groupings[0][a.ID] != groupings[1][a.ID] {
				t.Fatalf("seed %d: order changed the incident of %s", seed, a.ID)
			}
		}
	}
}

func TestName(t *testing.T) {
	f := func(cats, devices, users, sources []string, want string) {
		t.Helper()
		g := newAggregate()
		g.alerts = 2
		in := &state.Incident{Categories: orderCategories(cats), Devices: devices, Users: users, DetectionSources: sources}
		if got := generateName(&g, in); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	f([]string{"LateralMovement", "Execution"}, []string{"a", "b"}, nil, []string{"x", "y"}, "Multi-stage incident involving Execution & Lateral movement on multiple endpoints reported by multiple sources")
	f([]string{"CommandAndControl", "InitialAccess", "Discovery"}, []string{"a"}, nil, []string{"x"}, "Multi-stage incident involving Initial access & Command and control on one endpoint")
	f([]string{"CredentialAccess"}, nil, []string{"u"}, nil, "Credential access incident involving one user")
	f(nil, nil, []string{"u", "v"}, nil, "Multi-alert incident involving multiple users")
}

// TestReloadRewritesDeferred: rows whose deferred fields were never
// written are written after a restart.
func TestReloadRewritesDeferred(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	e := newEngine(t, st, func(s *Settings) { s.FlushAfter = time.Hour })
	ingest(t, e, al("a1", 0, "Execution", "Low", "device=ws1"), al("a2", time.Minute, "Execution", "Low", "device=ws2"))
	ingest(t, e, al("a3", 2*time.Minute, "Execution", "High", "device=ws1"))
	// No Flush: a crash. A new engine finds the stale row.
	e2 := newEngine(t, st, func(s *Settings) { s.FlushAfter = time.Hour })
	if err := e2.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if in, _ := st.IncidentByID(ctx, 1); in.AlertCount != 2 || in.Severity != "High" {
		t.Errorf("after restart: %+v", in)
	}
}

// TestDeviceAddress: an IP that is another device's own address links
// to that device's incident; an address two devices used links nothing.
func TestDeviceAddress(t *testing.T) {
	st := openStore(t)
	e := newEngine(t, st, nil)
	e.ObserveAddresses(map[string]string{"10.10.1.17": "WS1.corp.local", "10.10.1.99": "ws7"})
	e.ObserveAddresses(map[string]string{"10.10.1.99": "ws8"})
	ingest(t, e, al("a1", 0, "Execution", "High", "device=ws1"), al("b1", 0, "Execution", "High", "device=ws7"))
	ingest(t, e, al("a2", time.Hour, "LateralMovement", "High", "device=fs01", "ip=10.10.1.17"),
		al("b2", time.Hour, "LateralMovement", "High", "device=fs02", "ip=10.10.1.99"))
	m := placement(t, st, []Alert{{ID: "a1"}, {ID: "a2"}, {ID: "b1"}, {ID: "b2"}})
	if m["a2"] != m["a1"] || m["b2"] == m["b1"] {
		t.Errorf("placement %v", m)
	}
	as, _ := st.IncidentAlerts(context.Background(), m["a1"])
	if r := as[1].Reasons[0]; r.EntityKind != KindIP || r.Key != "dev:ws1" || !strings.Contains(r.Note, "address of device ws1") {
		t.Errorf("reason %+v", r)
	}
}

// Merges chain (3 into 2, then 2 into 1) without moving alert rows; the
// merged alerts read as 1's, can be moved out, and a restart sees the
// same incidents.
func TestMergeChainThenMove(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	e := newEngine(t, st, nil)
	ingest(t, e, al("a1", 0, "Execution", "Low", "device=ws1"), al("b1", time.Minute, "Execution", "Low", "device=ws2"),
		al("c1", 2*time.Minute, "Execution", "Low", "device=ws3"))
	ingest(t, e, al("x", 3*time.Minute, "LateralMovement", "High", "device=ws2", "ip=10.9.9.9"), al("x2", 4*time.Minute, "Execution", "Low", "device=ws3", "ip=10.9.9.9"))
	ingest(t, e, al("y", 5*time.Minute, "LateralMovement", "High", "device=ws1", "ip=10.8.8.8"), al("y2", 6*time.Minute, "Execution", "Low", "device=ws2", "ip=10.8.8.8"))
	all := []Alert{{ID: "a1"}, {ID: "b1"}, {ID: "c1"}, {ID: "x"}, {ID: "x2"}, {ID: "y"}, {ID: "y2"}}
	for id, in := range placement(t, st, all) {
		if in != 1 {
			t.Fatalf("%s in incident %d, want 1", id, in)
		}
	}
	for id, to := range map[int64]int64{2: 1, 3: 2} {
		if in, _ := st.IncidentByID(ctx, id); in.RedirectTo != to {
			t.Fatalf("incident %d redirects to %d, want %d", id, in.RedirectTo, to)
		}
	}
	as, err := st.IncidentAlerts(ctx, 1)
	if err != nil || len(as) != 7 {
		t.Fatalf("incident 1: %d alerts, %v", len(as), err)
	}
	var hops []int64
	for _, r := range as[2].Reasons {
		if r.Kind == "merge" {
			hops = append(hops, r.FromID)
		}
	}
	if as[2].AlertID != "c1" || fmt.Sprint(hops) != "[3 2]" {
		t.Errorf("%s: merge hops %v, want [3 2]", as[2].AlertID, hops)
	}
	aud := state.Audit{Actor: "user:alice", Remote: "test"}
	moved, err := e.MoveAlert(ctx, "c1", 0, aud)
	if err != nil || moved.AlertCount != 1 {
		t.Fatalf("move: %v %+v", err, moved)
	}
	if m := placement(t, st, all); m["c1"] != moved.ID || m["x2"] != 1 {
		t.Errorf("after move: %v", m)
	}
	if as, _ := st.IncidentAlerts(ctx, 1); len(as) != 6 {
		t.Errorf("incident 1 keeps %d alerts, want 6", len(as))
	}
	if in, _ := st.IncidentByID(ctx, 1); in.AlertCount != 6 {
		t.Errorf("incident 1 counts %d alerts, want 6", in.AlertCount)
	}
	e2 := newEngine(t, st, nil)
	if l := e2.open[1]; l == nil || l.agg.alerts != 6 || e2.open[moved.ID].agg.alerts != 1 {
		t.Errorf("reloaded: incident 1 %+v", l)
	}
}

// eachAlertOnce checks that every alert is placed (m, from placement) in
// an incident that is not redirected and counts exactly its alerts.
func eachAlertOnce(t *testing.T, label string, st state.IncidentStore, alerts []Alert, m map[string]int64) {
	t.Helper()
	counts := map[int64]int{}
	for _, a := range alerts {
		id, ok := m[a.ID]
		if !ok {
			t.Fatalf("%s: %s in no incident", label, a.ID)
		}
		counts[id]++
	}
	for id, n := range counts {
		in, err := st.IncidentByID(context.Background(), id)
		if err != nil || in.RedirectTo != 0 || in.AlertCount != n {
			t.Fatalf("%s: incident %d holds %d alerts, says %d, redirect %d (%v)", label, id, n, in.AlertCount, in.RedirectTo, err)
		}
	}
}
