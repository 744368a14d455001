package incident

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

// fill's cached lists and name equal those of an aggregate built afresh
// from the same alerts, after every alert and merge; a list handed out
// is never changed afterwards, and one whose set did not change is the
// same slice.
func TestAggregateFillCaches(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	pick := func(prefix string, n int) string { return prefix + strconv.Itoa(r.IntN(n)) }
	alert := func(i int) state.IncidentAlert {
		return state.IncidentAlert{AlertID: "a" + strconv.Itoa(i), Time: t0.Add(time.Duration(r.IntN(100)) * time.Minute),
			Title: "t" + strconv.Itoa(i), Severity: severities[r.IntN(4)], Category: pick("Cat", 4),
			ServiceSource: pick("svc", 2), DetectionSource: pick("det", 2), Techniques: []string{pick("T", 5)},
			Entities: []state.IncidentEntity{{Kind: KindDevice, Value: pick("ws", 4)}, {Kind: KindAccount, Value: pick("u", 3)},
				{Kind: KindIP, Value: pick("10.0.0.", 30)}, {Kind: KindFile, Value: pick("f", 9)}}}
	}
	lists := func(in *state.Incident) [][]string {
		return [][]string{in.Categories, in.Techniques, in.ServiceSources, in.DetectionSources, in.Devices, in.Users, in.Mailboxes, in.Apps, in.IPs}
	}
	check := func(step string, g *aggregate, all []state.IncidentAlert, in *state.Incident, prev [][]string, prevCopy [][]string) {
		t.Helper()
		fresh := newAggregate()
		for i := range all {
			fresh.add(&all[i])
		}
		var want state.Incident
		fresh.fill(&want, 7)
		if in.Name != want.Name || in.AlertCount != want.AlertCount || in.Severity != want.Severity {
			t.Fatalf("%s: name %q count %d severity %s, want %q %d %s", step, in.Name, in.AlertCount, in.Severity, want.Name, want.AlertCount, want.Severity)
		}
		for i, l := range lists(in) {
			if !slices.Equal(l, lists(&want)[i]) {
				t.Fatalf("%s: list %d is %v, want %v", step, i, l, lists(&want)[i])
			}
			if prev != nil && !slices.Equal(prev[i], prevCopy[i]) {
				t.Fatalf("%s: list %d handed out earlier changed to %v", step, i, prev[i])
			}
		}
	}
	g := newAggregate()
	var in state.Incident
	var all []state.IncidentAlert
	var prev, prevCopy [][]string
	reused := 0
	for i := range 60 {
		a := alert(i)
		all = append(all, a)
		g.add(&all[len(all)-1])
		if i%3 == 0 {
			// A merge of another aggregate's alerts.
			o := newAggregate()
			b := alert(1000 + i)
			all = append(all, b)
			o.add(&b)
			g.merge(&o)
		}
		g.fill(&in, 7)
		check("alert "+strconv.Itoa(i), &g, all, &in, prev, prevCopy)
		cur := lists(&in)
		for j := range cur {
			if prev != nil && len(cur[j]) > 0 && len(prev[j]) > 0 && &cur[j][0] == &prev[j][0] {
				reused++
			}
		}
		prev, prevCopy = cur, nil
		for _, l := range cur {
			prevCopy = append(prevCopy, slices.Clone(l))
		}
	}
	if reused == 0 {
		t.Error("no unchanged list was reused")
	}
}

// After a stream of batches (merges, deferred and immediate row writes,
// rows whose lists did and did not change), every stored incident row
// holds what the engine derives for it: the store's writes of changed
// lists only (incident_memo.go) lose nothing.
func TestStoredRowsMatchEngine(t *testing.T) {
	ctx := t.Context()
	for _, flush := range []time.Duration{0, time.Hour} {
		st := openStore(t)
		e := newEngine(t, st, func(s *Settings) { s.FlushAfter = flush })
		g := &orgGen{r: rand.New(rand.NewPCG(7, 8)), devices: 150, n: 6000}
		for {
			as := g.next(200)
			if len(as) == 0 {
				break
			}
			if err := e.Ingest(ctx, as); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if len(e.open) < 10 {
			t.Fatalf("flush %v: only %d open incidents: the workload does not exercise the rows", flush, len(e.open))
		}
		for id, l := range e.open {
			var want state.Incident
			fresh := newAggregate()
			fresh.merge(&l.agg)
			fresh.fill(&want, len(l.ents))
			got, err := st.IncidentByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != l.inc.Version || got.AlertCount != want.AlertCount || got.EntityCount != want.EntityCount ||
				got.Name != want.Name || got.Severity != want.Severity || !got.LastActivity.Equal(want.LastActivity) {
				t.Fatalf("flush %v: incident %d stored v%d %d alerts %d entities %q %s; engine v%d %d %d %q %s", flush, id,
					got.Version, got.AlertCount, got.EntityCount, got.Name, got.Severity,
					l.inc.Version, want.AlertCount, want.EntityCount, want.Name, want.Severity)
			}
			for i, pair := range [][2][]string{{got.Categories, want.Categories}, {got.Techniques, want.Techniques},
				{got.ServiceSources, want.ServiceSources}, {got.DetectionSources, want.DetectionSources}, {got.Devices, want.Devices},
				{got.Users, want.Users}, {got.Mailboxes, want.Mailboxes}, {got.Apps, want.Apps}, {got.IPs, want.IPs}} {
				if !slices.Equal(pair[0], pair[1]) {
					t.Fatalf("flush %v: incident %d list %d stored %v, engine %v", flush, id, i, pair[0], pair[1])
				}
			}
		}
	}
}

func TestRefusalNote(t *testing.T) {
	l := &live{inc: &state.Incident{ID: 7}}
	for _, c := range []struct {
		err  error
		want string
	}{
		{ErrMergeCap, "also links to incident 7, not merged: together they would exceed the incident cap"},
		{ErrMergeCap, "also links to incident 7, not merged: together they would exceed the incident cap"},
		{ErrMergeAssignees, "also links to incident 7, not merged: the incidents are assigned to different people"},
		{ErrMergeCap, "also links to incident 7, not merged: together they would exceed the incident cap"},
	} {
		if got := l.refusalNote(c.err); got != c.want {
			t.Errorf("%v: %q", c.err, got)
		}
	}
}
