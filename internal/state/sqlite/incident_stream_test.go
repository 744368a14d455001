package sqlite

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

// A streamed change stores its alert rows, incident rows and audit entry
// together, or none of them: on commit, on abort, on a conflict found at
// the end, and with an audit entry missing. Other writes wait for it.
func TestIncidentStream(t *testing.T) {
	ctx := ctxT(t)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	rows := func(prefix string, n int, inc int64) []state.IncidentAlert {
		out := make([]state.IncidentAlert, n)
		for i := range out {
			out[i] = state.IncidentAlert{AlertID: fmt.Sprintf("%s%d", prefix, i), IncidentID: inc, Time: t0.Add(time.Duration(i) * time.Second),
				Title: "t", Severity: "Low", Entities: []state.IncidentEntity{{Kind: "device", Value: "ws1", Keys: []string{"dev:ws1"}}},
				Reasons: []state.LinkReason{{Kind: "opened", AlertTime: t0}}}
		}
		return out
	}
	ids := func(as []state.IncidentAlert) []string {
		out := make([]string, len(as))
		for i := range as {
			out[i] = as[i].AlertID
		}
		return out
	}
	stored := func(s *Store, as []state.IncidentAlert) int {
		t.Helper()
		m, err := s.IncidentOfAlerts(ctx, ids(as))
		if err != nil {
			t.Fatal(err)
		}
		return len(m)
	}
	type step struct {
		name   string
		end    func(w state.IncidentChangeWriter, in *state.Incident, rest []state.IncidentAlert) error
		stored bool
		err    error
	}
	for _, c := range []step{
		{"commit", func(w state.IncidentChangeWriter, in *state.Incident, rest []state.IncidentAlert) error {
			return w.Commit(&state.IncidentChange{Incidents: []*state.Incident{in}, Alerts: rest}, []state.Audit{aud("incident.correlate", "incidents")})
		}, true, nil},
		{"abort", func(w state.IncidentChangeWriter, in *state.Incident, rest []state.IncidentAlert) error {
			w.Abort()
			return nil
		}, false, nil},
		{"conflict at the end", func(w state.IncidentChangeWriter, in *state.Incident, rest []state.IncidentAlert) error {
			stale := *in
			stale.Version = 7
			return w.Commit(&state.IncidentChange{Incidents: []*state.Incident{&stale}, Alerts: rest}, []state.Audit{aud("incident.correlate", "incidents")})
		}, false, state.ErrConflict},
		{"no audit", func(w state.IncidentChangeWriter, in *state.Incident, rest []state.IncidentAlert) error {
			return w.Commit(&state.IncidentChange{Incidents: []*state.Incident{in}, Alerts: rest}, nil)
		}, false, errAnyError},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := openTest(t)
			audits := auditCount(t, s)
			all := rows("a", 130, 1)
			in := &state.Incident{ID: 1, Name: "x", Severity: "Low", Status: "New", AlertCount: len(all), FirstActivity: t0, LastActivity: t0}
			w := s.BeginIncidentChange(ctx, true)
			w.Add(all[:50], nil)
			w.Add(nil, nil)
			w.Add(all[50:100], nil)
			// Another write waits for the change's transaction.
			other := make(chan error, 1)
			go func() { other <- s.Record(ctx, aud("user.login", "user:x")) }()
			err := c.end(w, in, all[100:])
			switch {
			case c.err == nil && err != nil:
				t.Fatalf("end: %v", err)
			case c.err != nil && err == nil:
				t.Fatal("end: no error")
			case c.err != nil && c.err != errAnyError && !errors.Is(err, c.err):
				t.Fatalf("end: %v, want %v", err, c.err)
			}
			if err := <-other; err != nil {
				t.Fatal(err)
			}
			want, wantAudits := 0, audits+1
			if c.stored {
				want, wantAudits = len(all), audits+2
				if in.Version != 1 {
					t.Fatalf("committed incident at version %d, want 1", in.Version)
				}
				got, err := s.IncidentAlerts(ctx, 1)
				if err != nil || len(got) != len(all) || got[129].AlertID != "a129" || got[0].Entities[0].Keys[0] != "dev:ws1" {
					t.Fatalf("incident 1 alerts: %d (%v)", len(got), err)
				}
			} else if in.Version != 0 {
				t.Fatalf("uncommitted incident at version %d, want 0", in.Version)
			}
			if n := stored(s, all); n != want {
				t.Fatalf("%d alert rows stored, want %d", n, want)
			}
			if n := auditCount(t, s); n != wantAudits {
				t.Fatalf("%d audit entries, want %d", n, wantAudits)
			}
			// The writer connection is free and at FULL again.
			if got := writerSynchronous(t, s); got != 2 {
				t.Fatalf("synchronous=%d after the change, want 2", got)
			}
			if err := s.SaveIncidents(ctx, &state.IncidentChange{Alerts: rows("b", 3, 1)}, []state.Audit{aud("incident.correlate", "incidents")}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A stream whose transaction cannot begin (the context is done) fails
// at Commit without blocking the rows sent before.
func TestIncidentStreamNoTransaction(t *testing.T) {
	s := openTest(t)
	ctx, cancel := contextCancelled(t)
	cancel()
	w := s.BeginIncidentChange(ctx, true)
	for range 200 {
		w.Add([]state.IncidentAlert{{AlertID: "x"}}, nil)
	}
	if err := w.Commit(&state.IncidentChange{}, []state.Audit{aud("incident.correlate", "incidents")}); err == nil {
		t.Fatal("commit with a cancelled context: no error")
	}
	if m, err := s.IncidentOfAlerts(ctxT(t), []string{"x"}); err != nil || len(m) != 0 {
		t.Fatalf("stored %v (%v)", m, err)
	}
}

// errAnyError: a test case wants an error, of no particular kind.
var errAnyError = errors.New("any error")

func contextCancelled(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(ctxT(t))
}

// A merge streamed with its source's row writes the row and copies the
// source's comments to the target, bumping the row's version on commit;
// a row that does not redirect to the merge's target fails the change.
func TestIncidentStreamMerge(t *testing.T) {
	ctx := ctxT(t)
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for _, bad := range []bool{false, true} {
		s := openTest(t)
		one := &state.Incident{ID: 1, Name: "one", Severity: "Low", Status: "New", AlertCount: 1, FirstActivity: t0, LastActivity: t0}
		two := &state.Incident{ID: 2, Name: "two", Severity: "Low", Status: "New", AlertCount: 1, FirstActivity: t0, LastActivity: t0}
		if err := s.SaveIncidents(ctx, &state.IncidentChange{Incidents: []*state.Incident{one, two},
			Comments: []state.IncidentComment{{IncidentID: 2, Author: "user:a", Text: "on two"}}}, []state.Audit{aud("incident.correlate", "incidents")}); err != nil {
			t.Fatal(err)
		}
		w := s.BeginIncidentChange(ctx, true)
		src := *two
		src.Status, src.RedirectTo = "Resolved", 1
		if bad {
			src.RedirectTo = 3
		}
		w.Add(nil, []state.MergeRow{{Source: &src, Merge: state.IncidentMerge{Source: 2, Target: 1}}})
		one.AlertCount = 2
		err := w.Commit(&state.IncidentChange{Incidents: []*state.Incident{one}}, []state.Audit{aud("incident.correlate", "incidents")})
		got, gerr := s.IncidentByID(ctx, 2)
		if gerr != nil {
			t.Fatal(gerr)
		}
		comments, cerr := s.IncidentComments(ctx, 1)
		if cerr != nil {
			t.Fatal(cerr)
		}
		if bad {
			if err == nil || got.RedirectTo != 0 || got.Version != 1 || len(comments) != 0 {
				t.Fatalf("bad merge: %v, incident 2 %+v, comments on 1: %d", err, got, len(comments))
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if got.RedirectTo != 1 || got.Status != "Resolved" || got.Version != 2 || src.Version != 2 || one.Version != 2 {
			t.Fatalf("merged row %+v (given at version %d, target at %d)", got, src.Version, one.Version)
		}
		if len(comments) != 1 || comments[0].Text != "on two" {
			t.Fatalf("comments on the target: %+v", comments)
		}
	}
}
