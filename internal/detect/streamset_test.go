package detect

import (
	"context"
	"testing"

	"github.com/vigilsec/vigil/internal/store"
)

// recordStore keeps the AlertInfo rows appended to it.
type recordStore struct {
	store.Store
	alerts int
}

func (r *recordStore) Append(_ context.Context, b store.Batch) error {
	for _, t := range b.Tables {
		if t.Table == "AlertInfo" {
			r.alerts += len(t.Rows)
		}
	}
	return nil
}

// TestStreamingFollowsRuleChanges: the per-table rule sets are rebuilt
// when the registry's rules change, and reused while they do not.
func TestStreamingFollowsRuleChanges(t *testing.T) {
	off := shadowRule()
	builtin, err := Compile(off)
	if err != nil {
		t.Fatal(err)
	}
	reg := NewRegistry([]*Compiled{builtin})
	rec := &recordStore{}
	s := NewStreaming(rec, reg)
	ctx := context.Background()
	n := int64(0)
	send := func() int {
		t.Helper()
		n++ // a new event each time: repeats are dropped
		row := processRow(map[string]any{"Timestamp": t0, "ReportId": n, "DeviceId": "d", "DeviceName": "h",
			"FileName": "vssadmin.exe", "ProcessCommandLine": "vssadmin delete shadows /all"})
		before := rec.alerts
		if err := s.Append(ctx, store.Batch{Tables: []store.TableRows{{Table: "DeviceProcessEvents", Rows: [][]any{row}}}}); err != nil {
			t.Fatal(err)
		}
		return rec.alerts - before
	}
	if got := send(); got != 0 {
		t.Errorf("disabled rule: %d alerts", got)
	}
	on := shadowRule()
	on.Enabled = true
	custom, err := Compile(on)
	if err != nil {
		t.Fatal(err)
	}
	reg.Set(custom)
	if got := send(); got != 1 {
		t.Errorf("enabled rule: %d alerts, want 1", got)
	}
	first := s.sets.tables
	if got := send(); got != 1 {
		t.Errorf("enabled rule, again: %d alerts, want 1", got)
	}
	if s.sets.tables["DeviceProcessEvents"] != first["DeviceProcessEvents"] {
		t.Error("the rule set was rebuilt without a rule change")
	}
	reg.Remove(on.ID)
	if got := send(); got != 0 {
		t.Errorf("custom rule removed: %d alerts", got)
	}
	// A rule disabled in place (not through the registry) stops too.
	reg.Set(custom)
	if got := send(); got != 1 {
		t.Errorf("enabled again: %d alerts, want 1", got)
	}
	on.Enabled = false
	if got := send(); got != 0 {
		t.Errorf("disabled in place: %d alerts", got)
	}
}
