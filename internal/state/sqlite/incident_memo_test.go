package sqlite

import (
	"slices"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

// A row whose lists are as stored is updated without them; the lists
// are written whenever they changed, whatever changed them: the caller,
// a rolled-back change, or another writer of the row.
func TestIncidentRowMemos(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	in := &state.Incident{ID: 1, Name: "one", Severity: "Low", Status: "New", Devices: []string{"ws1"}, Categories: []string{"Execution"},
		AlertCount: 1, FirstActivity: t0, LastActivity: t0}
	save := func(ch *state.IncidentChange) error {
		return s.SaveIncidents(ctx, ch, []state.Audit{aud("incident.correlate", "incidents")})
	}
	write := func(step string, in *state.Incident) {
		t.Helper()
		cp := *in
		if err := save(&state.IncidentChange{Incidents: []*state.Incident{&cp}}); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		in.Version = cp.Version
	}
	check := func(step string, want *state.Incident) {
		t.Helper()
		got, err := s.IncidentByID(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != want.Version || got.AlertCount != want.AlertCount || got.Severity != want.Severity || got.Name != want.Name ||
			!slices.Equal(got.Devices, want.Devices) || !slices.Equal(got.Categories, want.Categories) || !slices.Equal(got.Tags, want.Tags) {
			t.Fatalf("%s: stored %+v\nwant %+v", step, got, want)
		}
	}
	// memo checks what the memo knows of in's lists against the row.
	memo := func(step string, known bool, mask uint16) {
		t.Helper()
		hs := s.memos.hashes(in)
		gotMask, gotKnown := s.memos.changed(in, &hs)
		if gotKnown != known || gotMask != mask {
			t.Fatalf("%s: memo known %v, changed lists %b; want %v, %b", step, gotKnown, gotMask, known, mask)
		}
	}
	const devices, categories = 1 << 4, 1 << 2
	write("insert", in)
	check("insert", in)
	memo("after insert", true, 0)

	in.AlertCount, in.Severity, in.Name, in.LastActivity = 2, "High", "two", t0.Add(time.Hour)
	memo("counts only", true, 0)
	write("counts only", in)
	check("counts only", in)

	in.Devices = []string{"ws1", "ws2"}
	memo("a device added", true, devices)
	write("a device added", in)
	check("a device added", in)

	in.Devices, in.Categories = []string{"ws2", "ws1"}, []string{"Execution", "Impact"}
	memo("devices reordered, a category added", true, devices|categories)
	write("devices reordered, a category added", in)
	check("devices reordered, a category added", in)

	// A change that fails after the row's write rolls back: its memo is
	// not kept, so the next write carries the lists.
	bad := *in
	bad.Devices = []string{"ws9"}
	if err := save(&state.IncidentChange{Incidents: []*state.Incident{&bad}, Merges: []state.IncidentMerge{{Source: 1, Target: 5}}}); err == nil {
		t.Fatal("a merge the rows do not redirect was stored")
	}
	check("rolled back", in)
	memo("after the roll-back", true, 0)

	// Another writer changes the row's lists (and so its version): the
	// memo no longer matches and the next write has them all.
	if _, err := s.w.ExecContext(ctx, `UPDATE incidents SET devices = '["other"]', tags = '["x"]', version = version + 1 WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	in.Version++
	memo("after another writer", false, 0)
	in.AlertCount = 3
	write("after another writer", in)
	check("after another writer", in)
	memo("after the full write", true, 0)

	// A status changed elsewhere without a new version (Vigil never does
	// this) matches no row in the update of changed lists: the full update writes
	// the caller's row.
	if _, err := s.w.ExecContext(ctx, `UPDATE incidents SET status = 'Resolved' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	in.AlertCount = 4
	write("status differs", in)
	check("status differs", in)
	if got, _ := s.IncidentByID(ctx, 1); got.Status != "New" {
		t.Errorf("status differs: the full update writes the caller's status, got %q", got.Status)
	}
}
