package sqlite

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

// bucketAlerts saves incidents 1 to 3 and alerts on them at the given
// minutes after t0 (by incident), and returns the ids of each one's.
func bucketAlerts(t *testing.T, s *Store, t0 time.Time, minutes map[int64][]int) map[int64][]string {
	t.Helper()
	var ch state.IncidentChange
	want := map[int64][]string{}
	for id := int64(1); id <= 3; id++ {
		ch.Incidents = append(ch.Incidents, &state.Incident{ID: id, Name: "n", Severity: "Low", Status: "New", AlertCount: len(minutes[id])})
		for i, m := range minutes[id] {
			a := state.IncidentAlert{AlertID: alertName(id, i), IncidentID: id, Time: t0.Add(time.Duration(m) * time.Minute),
				Title: "t", Severity: "Low", Category: "c", ServiceSource: "s", DetectionSource: "d"}
			ch.Alerts = append(ch.Alerts, a)
			want[id] = append(want[id], a.AlertID)
		}
	}
	if err := s.SaveIncidents(ctxT(t), &ch, []state.Audit{aud("incident.correlate", "incidents")}); err != nil {
		t.Fatal(err)
	}
	return want
}

func alertName(id int64, i int) string {
	return string(rune('a'+id-1)) + strings.Repeat("x", i)
}

// alertIDs reads an incident's alert ids through the bucket index.
func alertIDs(t *testing.T, s *Store, id int64) []string {
	t.Helper()
	as, err := s.IncidentAlerts(ctxT(t), id)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i, a := range as {
		if i > 0 && a.Time.Before(as[i-1].Time) {
			t.Errorf("incident %d: alerts out of time order: %v", id, as)
		}
		ids = append(ids, a.AlertID)
	}
	return ids
}

// Every alert row is read back through its incident's span, whatever
// its time: the same bucket as another incident's, far before or after
// the others (spans wider than the seek limit), before 1970, or moved
// to another incident later.
func TestIncidentAlertBuckets(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	t0 := time.Date(2026, 11, 20, 10, 3, 0, 0, time.UTC)
	years := int(time.Since(time.Unix(0, 0)).Minutes())
	want := bucketAlerts(t, s, t0, map[int64][]int{
		1: {0, 1, 9, 10, 61, 24 * 60, -30},
		// Across more than 4,096 buckets: read by the range scan.
		2: {5, -years - 600, 40 * 24 * 60},
		3: {2},
	})
	for id := int64(1); id <= 3; id++ {
		got := alertIDs(t, s, id)
		if !sameSet(got, want[id]) {
			t.Errorf("incident %d: got %v, want %v", id, got, want[id])
		}
	}
	// Alert "b" moves to incident 3, a year later than 3's span.
	moved := state.IncidentAlert{AlertID: alertName(2, 0), IncidentID: 3, Time: t0.Add(5 * time.Minute)}
	var late state.IncidentAlert
	late = moved
	late.AlertID, late.Time = "late", t0.AddDate(1, 0, 0)
	for _, a := range []state.IncidentAlert{moved, late} {
		a.Title, a.Severity, a.Category, a.ServiceSource, a.DetectionSource = "t", "Low", "c", "s", "d"
		if err := s.SaveIncidents(ctx, &state.IncidentChange{Alerts: []state.IncidentAlert{a}}, []state.Audit{aud("incident.correlate", "incidents")}); err != nil {
			t.Fatal(err)
		}
	}
	if got := alertIDs(t, s, 3); !sameSet(got, []string{"c", "b", "late"}) {
		t.Errorf("incident 3 after the move: %v", got)
	}
	if got := alertIDs(t, s, 2); !sameSet(got, want[2][1:]) {
		t.Errorf("incident 2 after the move: %v", got)
	}
	// A span grows only when an alert falls outside it, and then by an
	// hour beyond the alert.
	var lo, hi int64
	if err := s.r.QueryRowContext(ctx, `SELECT lo, hi FROM incident_alert_spans WHERE incident_id = 1`).Scan(&lo, &hi); err != nil {
		t.Fatal(err)
	}
	b := func(m int) int64 { return t0.Add(time.Duration(m)*time.Minute).UnixMicro() / 600_000_000 }
	// The alert at -30 minutes fell within the first alert's hour; the
	// one a day later widened the span.
	if lo != b(0)-6 || hi != b(24*60)+6 {
		t.Errorf("span of incident 1 is [%d, %d], want [%d, %d]", lo, hi, b(0)-6, b(24*60)+6)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// undoBuckets takes a store back to migration 9's schema, to test
// migrations from there.
func undoBuckets(t *testing.T, s *Store) {
	t.Helper()
	for _, q := range []string{`DROP TABLE incident_alert_spans`, `DROP INDEX incident_alerts_bucket`,
		`CREATE INDEX incident_alerts_incident ON incident_alerts (incident_id, time)`,
		`DELETE FROM schema_migrations WHERE version >= 10`} {
		if _, err := s.w.ExecContext(ctxT(t), q); err != nil {
			t.Fatal(err)
		}
	}
}

// A database migrated from the index by incident gets the spans of the
// alerts it holds, and reads them through the new index.
func TestIncidentAlertBucketsMigrated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 20, 10, 3, 0, 0, time.UTC)
	want := bucketAlerts(t, s, t0, map[int64][]int{1: {0, 300, -300}, 2: {7}, 3: {-9000, 9000}})
	// As if the rows were written before migration 10.
	undoBuckets(t, s)
	s.Close()
	if s, err = Open(path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for id := int64(1); id <= 3; id++ {
		if got := alertIDs(t, s, id); !sameSet(got, want[id]) {
			t.Errorf("incident %d, migrated: got %v, want %v", id, got, want[id])
		}
	}
}

// The store remembers a span only once its change commits: an alert
// written in a change that is dropped leaves no span remembered, so the
// next alert in the same bucket still writes one and is read back.
func TestIncidentAlertSpansRolledBack(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	t0 := time.Date(2026, 11, 20, 10, 3, 0, 0, time.UTC)
	bucketAlerts(t, s, t0, map[int64][]int{1: {0}})
	far := t0.AddDate(0, 0, 3)
	alert := func(id string) state.IncidentAlert {
		return state.IncidentAlert{AlertID: id, IncidentID: 1, Time: far, Title: "t", Severity: "Low", Category: "c", ServiceSource: "s", DetectionSource: "d"}
	}
	st := s.BeginIncidentChange(ctx, true)
	st.Add([]state.IncidentAlert{alert("dropped")}, nil)
	st.Abort()
	var hi int64
	if err := s.r.QueryRowContext(ctx, `SELECT hi FROM incident_alert_spans WHERE incident_id = 1`).Scan(&hi); err != nil || hi != bucketOf(t0)+spanSlack {
		t.Fatalf("span end after the dropped change: %d, %v; want %d", hi, err, bucketOf(t0)+spanSlack)
	}
	if err := s.SaveIncidents(ctx, &state.IncidentChange{Alerts: []state.IncidentAlert{alert("kept")}}, []state.Audit{aud("incident.correlate", "incidents")}); err != nil {
		t.Fatal(err)
	}
	if got := alertIDs(t, s, 1); !sameSet(got, []string{"a", "kept"}) {
		t.Errorf("incident 1: %v, want a and kept", got)
	}
}
