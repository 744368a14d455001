package sqlite

import (
	"context"
	"errors"
	"testing"

	"github.com/vigilsec/vigil/internal/state"
)

func TestRules(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	audit := func(action string) state.Audit {
		return state.Audit{Actor: "user:alice", Action: action, Target: "rule:r1"}
	}
	r := &state.Rule{ID: "r1", Definition: "id: r1\n", CreatedBy: "user:alice"}
	if err := s.CreateRule(ctx, r, audit("rule.create")); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateRule(ctx, &state.Rule{ID: "r1", Definition: "x", CreatedBy: "u"}, audit("rule.create")); !errors.Is(err, state.ErrConflict) {
		t.Errorf("duplicate id: %v", err)
	}
	stale := *r
	r.Definition, r.UpdatedBy = "id: r1\nname: two\n", "user:bob"
	if err := s.UpdateRule(ctx, r, audit("rule.update")); err != nil || r.Version != 2 {
		t.Fatalf("update: %v, version %d", err, r.Version)
	}
	stale.Definition = "lost update"
	if err := s.UpdateRule(ctx, &stale, audit("rule.update")); !errors.Is(err, state.ErrConflict) {
		t.Errorf("stale update: %v", err)
	}
	got, err := s.RuleByID(ctx, "r1")
	if err != nil || got.Definition != "id: r1\nname: two\n" || got.Version != 2 || got.UpdatedBy != "user:bob" || got.CreatedBy != "user:alice" {
		t.Errorf("read back %+v, %v", got, err)
	}
	list, err := s.ListRules(ctx)
	if err != nil || len(list) != 1 {
		t.Errorf("list %v, %v", list, err)
	}
	if err := s.DeleteRule(ctx, "r1", 1, audit("rule.delete")); !errors.Is(err, state.ErrConflict) {
		t.Errorf("delete at an old version: %v", err)
	}
	if err := s.DeleteRule(ctx, "r1", 2, audit("rule.delete")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RuleByID(ctx, "r1"); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if err := s.DeleteRule(ctx, "r1", 2, audit("rule.delete")); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
	entries, err := s.ListAudit(ctx, state.AuditFilter{Action: "rule."})
	if err != nil || len(entries) != 3 {
		t.Errorf("audit: %d entries, %v", len(entries), err)
	}
}
