package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

// writerSynchronous reads the writer connection's synchronous setting
// (2 is FULL, 1 NORMAL).
func writerSynchronous(t *testing.T, s *Store) int {
	t.Helper()
	var v int
	if err := s.w.QueryRowContext(ctxT(t), "PRAGMA synchronous").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// A rederivable change commits like any other, and leaves the writer
// connection at FULL for every later write, also when it fails.
func TestRederivableChangeKeepsOtherWritesFull(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	if got := writerSynchronous(t, s); got != 2 {
		t.Fatalf("writer opens with synchronous=%d, want 2 (FULL)", got)
	}
	in := &state.Incident{ID: 1, Name: "x", Severity: "Low", Status: "New", AlertCount: 1, FirstActivity: t0, LastActivity: t0}
	ch := &state.IncidentChange{Rederivable: true, Incidents: []*state.Incident{in},
		Alerts: []state.IncidentAlert{{AlertID: "a1", IncidentID: 1, Time: t0, Title: "x", Severity: "Low", Reasons: []state.LinkReason{{Kind: "opened"}}}}}
	if err := s.SaveIncidents(ctx, ch, []state.Audit{aud("incident.correlate", "incidents")}); err != nil {
		t.Fatal(err)
	}
	if got := writerSynchronous(t, s); got != 2 {
		t.Fatalf("after a rederivable change synchronous=%d, want 2 (FULL)", got)
	}
	if m, err := s.IncidentOfAlerts(ctx, []string{"a1"}); err != nil || m["a1"] != 1 {
		t.Fatalf("alert a1 in %v (%v), want incident 1", m, err)
	}
	// A failing rederivable change (a stale version) rolls back whole and
	// also leaves FULL behind.
	stale := *in
	stale.Version = 0
	ch = &state.IncidentChange{Rederivable: true, Incidents: []*state.Incident{&stale},
		Alerts: []state.IncidentAlert{{AlertID: "a2", IncidentID: 1, Time: t0, Title: "y", Severity: "Low"}}}
	if err := s.SaveIncidents(ctx, ch, []state.Audit{aud("incident.correlate", "incidents")}); !errors.Is(err, state.ErrConflict) {
		t.Fatalf("stale rederivable change: %v, want ErrConflict", err)
	}
	if m, _ := s.IncidentOfAlerts(ctx, []string{"a2"}); len(m) != 0 {
		t.Fatalf("rolled-back alert stored: %v", m)
	}
	if got := writerSynchronous(t, s); got != 2 {
		t.Fatalf("after a failed rederivable change synchronous=%d, want 2 (FULL)", got)
	}
}

// The background checkpointer copies committed pages into the database
// file without any further write or a close.
func TestCheckpointerCopiesWAL(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	// The migrations' pages first, so that only this test's rows can grow
	// the file below.
	if _, err := s.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	before := st.Size()
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	// Enough rows for many pages, well under wal_autocheckpoint, so only
	// the background checkpointer can copy them.
	var alerts []state.IncidentAlert
	for i := range 5000 {
		alerts = append(alerts, state.IncidentAlert{AlertID: "a" + strconv.Itoa(i), IncidentID: 1, Time: t0, Title: "a fairly long alert title to fill pages",
			Severity: "Low", Reasons: []state.LinkReason{{Kind: "opened"}}})
	}
	in := &state.Incident{ID: 1, Name: "x", Severity: "Low", Status: "New", AlertCount: len(alerts), FirstActivity: t0, LastActivity: t0}
	if err := s.SaveIncidents(ctx, &state.IncidentChange{Rederivable: true, Incidents: []*state.Incident{in}, Alerts: alerts},
		[]state.Audit{aud("incident.correlate", "incidents")}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := os.Stat(s.Path())
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > before+100*4096 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("database file still %d bytes (was %d): the WAL was not checkpointed", st.Size(), before)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// walSequence reads the WAL header's checkpoint sequence number, which
// grows each time the WAL starts over.
func walSequence(t *testing.T, s *Store) uint32 {
	t.Helper()
	b, err := os.ReadFile(s.Path() + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 32 {
		return 0
	}
	return binary.BigEndian.Uint32(b[12:16])
}

// Writers that commit back to back still let the WAL start over before
// it is long, with no checkpoint on the writer's path: with the writer's
// auto-checkpoint off, only the checkpointer can make it start over. For
// correlation (rederivable changes) a pass follows each commit, and the
// transaction that finds the WAL long first copies what is left; every
// other write does that copy when the ticker's last pass found it long.
func TestCheckpointerRestartsWALBetweenCommits(t *testing.T) {
	for _, c := range []struct {
		name        string
		rederivable bool
		restarts    uint32 // at least
		slack       int    // frames past restartFrames the WAL may reach
	}{
		{"correlation", true, 2, 1000},
		{"other writers", false, 1, 6000},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := openTest(t)
			ctx := ctxT(t)
			if _, err := s.w.ExecContext(ctx, "PRAGMA wal_autocheckpoint=0"); err != nil {
				t.Fatal(err)
			}
			var pageSize int
			if err := s.w.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
				t.Fatal(err)
			}
			t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
			// Two rows fill a page.
			title := strings.Repeat("a long title ", (pageSize/2-200)/13)
			const perCommit = 200 // about 100 pages
			in := &state.Incident{ID: 1, Name: "x", Severity: "Low", Status: "New", FirstActivity: t0, LastActivity: t0}
			start := walSequence(t, s)
			for n := range 150 {
				alerts := make([]state.IncidentAlert, perCommit)
				for i := range alerts {
					alerts[i] = state.IncidentAlert{AlertID: fmt.Sprintf("a%d-%d", n, i), IncidentID: 1, Time: t0, Title: title,
						Severity: "Low", Reasons: []state.LinkReason{{Kind: "opened"}}}
				}
				in.AlertCount += perCommit
				if err := s.SaveIncidents(ctx, &state.IncidentChange{Rederivable: c.rederivable, Incidents: []*state.Incident{in}, Alerts: alerts},
					[]state.Audit{aud("incident.correlate", "incidents")}); err != nil {
					t.Fatal(err)
				}
			}
			// 15,000 frames written: past restartFrames (6,000) twice over.
			if got := walSequence(t, s) - start; got < c.restarts {
				t.Fatalf("the WAL started over %d times in 150 commits of 100 pages, want at least %d", got, c.restarts)
			}
			if st, err := os.Stat(s.Path() + "-wal"); err != nil {
				t.Fatal(err)
			} else if max := int64(restartFrames+c.slack) * int64(24+pageSize); st.Size() > max {
				t.Fatalf("WAL is %d bytes, want at most %d", st.Size(), max)
			}
		})
	}
}
