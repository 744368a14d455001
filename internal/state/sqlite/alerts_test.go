package sqlite

import (
	"context"
	"errors"
	"testing"

	"github.com/vigilsec/vigil/internal/state"
)

func TestAlertWorkflow(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	aud := state.Audit{Actor: "user:alice", Action: "alert.update", Target: "alert:a1"}
	if _, err := s.AlertState(ctx, "a1"); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("untouched alert: %v", err)
	}
	a := &state.AlertState{AlertID: "a1", Status: "InProgress", Assignee: "alice", UpdatedBy: "user:alice"}
	if err := s.SetAlertState(ctx, a, aud); err != nil || a.Version != 1 {
		t.Fatalf("first write: %v, version %d", err, a.Version)
	}
	// A second writer that also read "no state" loses.
	if err := s.SetAlertState(ctx, &state.AlertState{AlertID: "a1", Status: "Resolved", UpdatedBy: "user:bob"}, aud); !errors.Is(err, state.ErrConflict) {
		t.Errorf("concurrent first write: %v", err)
	}
	a.Status, a.Classification, a.Determination = "Resolved", "TruePositive", "Malware"
	if err := s.SetAlertState(ctx, a, aud); err != nil || a.Version != 2 {
		t.Fatalf("update: %v", err)
	}
	got, err := s.AlertStates(ctx, []string{"a1", "a2"})
	if err != nil || len(got) != 1 || got["a1"].Determination != "Malware" {
		t.Errorf("states %v, %v", got, err)
	}
	c := &state.AlertComment{AlertID: "a1", Author: "user:alice", Text: "isolated the host"}
	if err := s.AddAlertComment(ctx, c, state.Audit{Actor: "user:alice", Action: "alert.comment", Target: "alert:a1"}); err != nil || c.ID == 0 {
		t.Fatalf("comment: %v", err)
	}
	cs, err := s.AlertComments(ctx, "a1")
	if err != nil || len(cs) != 1 || cs[0].Text != "isolated the host" {
		t.Errorf("comments %v, %v", cs, err)
	}
}
