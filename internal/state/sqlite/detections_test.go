package sqlite

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

func TestAlertActivity(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	t0 := time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)
	occ := func(alert, id string, min int) state.AlertOccurrence {
		return state.AlertOccurrence{AlertID: alert, OccurrenceID: id, RuleID: "r1", Activity: t0.Add(time.Duration(min) * time.Minute),
			Row: json.RawMessage(fmt.Sprintf(`{"ReportId":%d}`, min))}
	}
	// Out of order, with repeats: a repeat is not counted twice.
	batch1 := []state.AlertOccurrence{occ("a1", "o2", 2), occ("a1", "o1", 1), occ("a1", "o2", 2)}
	batch2 := []state.AlertOccurrence{occ("a1", "o3", 30), occ("a1", "o1", 1), occ("a2", "o9", 5)}
	for _, b := range [][]state.AlertOccurrence{batch1, batch2, batch2} {
		if err := s.RecordAlertActivity(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.AlertActivity(ctx, []string{"a1", "a2", "none"})
	if err != nil {
		t.Fatal(err)
	}
	a := got["a1"]
	if len(got) != 2 || a.Count != 3 || !a.FirstActivity.Equal(t0.Add(time.Minute)) || !a.LastActivity.Equal(t0.Add(30*time.Minute)) || a.RuleID != "r1" {
		t.Errorf("activity %+v", got)
	}
	trig, err := s.AlertTriggers(ctx, "a1")
	if err != nil || len(trig) != 3 || string(trig[0].Row) != `{"ReportId":1}` || trig[2].OccurrenceID != "o3" {
		t.Errorf("triggers %+v, %v", trig, err)
	}
	// Only the first MaxStoredRows rows are kept; counting goes on.
	var many []state.AlertOccurrence
	for i := 0; i < state.MaxStoredRows+5; i++ {
		many = append(many, occ("a3", fmt.Sprint("m", i), i))
	}
	if err := s.RecordAlertActivity(ctx, many); err != nil {
		t.Fatal(err)
	}
	trig, _ = s.AlertTriggers(ctx, "a3")
	got, _ = s.AlertActivity(ctx, []string{"a3"})
	if len(trig) != state.MaxStoredRows || got["a3"].Count != int64(state.MaxStoredRows+5) {
		t.Errorf("a3: %d rows kept, count %d", len(trig), got["a3"].Count)
	}
	// Pruning forgets counted rows without a stored row; counts stay.
	n, err := s.PruneAlertOccurrences(ctx, time.Now().Add(time.Hour))
	if err != nil || n != 5 {
		t.Errorf("pruned %d, %v", n, err)
	}
	got, _ = s.AlertActivity(ctx, []string{"a3"})
	if got["a3"].Count != int64(state.MaxStoredRows+5) {
		t.Errorf("count after prune %d", got["a3"].Count)
	}
}

func TestTuningRulesStore(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	r := &state.TuningRule{Name: "lab scanners", Definition: json.RawMessage(`{"action":"Hide"}`), CreatedBy: "user:alice"}
	if err := s.CreateTuningRule(ctx, r, aud("alerttuning.create", "x")); err != nil || r.ID == "" || r.Version != 1 {
		t.Fatalf("create %+v %v", r, err)
	}
	if err := s.CreateTuningRule(ctx, &state.TuningRule{Name: "x", Definition: json.RawMessage(`{`), CreatedBy: "u"}, aud("a.b", "x")); err == nil {
		t.Error("invalid JSON accepted")
	}
	stale := *r
	r.Name, r.UpdatedBy = "lab scanners 2", "user:bob"
	if err := s.UpdateTuningRule(ctx, r, aud("alerttuning.update", r.ID)); err != nil || r.Version != 2 {
		t.Fatalf("update %v %d", err, r.Version)
	}
	if err := s.UpdateTuningRule(ctx, &stale, aud("alerttuning.update", r.ID)); !errors.Is(err, state.ErrConflict) {
		t.Errorf("stale update: %v", err)
	}
	at := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	if err := s.AddTuningHits(ctx, map[string]int64{r.ID: 3, "gone": 1}, at); err != nil {
		t.Fatal(err)
	}
	got, err := s.TuningRuleByID(ctx, r.ID)
	if err != nil || got.Hits != 3 || !got.LastHit.Equal(at) || got.Name != "lab scanners 2" || got.UpdatedBy != "user:bob" {
		t.Errorf("read back %+v %v", got, err)
	}
	if list, _ := s.ListTuningRules(ctx); len(list) != 1 {
		t.Errorf("list %v", list)
	}
	if err := s.DeleteTuningRule(ctx, r.ID, 1, aud("alerttuning.delete", r.ID)); !errors.Is(err, state.ErrConflict) {
		t.Errorf("delete at old version: %v", err)
	}
	if err := s.DeleteTuningRule(ctx, r.ID, 2, aud("alerttuning.delete", r.ID)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteTuningRule(ctx, r.ID, 2, aud("alerttuning.delete", r.ID)); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
}

func TestIndicatorsStore(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	in := func(id, typ, v string) state.Indicator {
		return state.Indicator{ID: id, Type: typ, Value: v, Definition: json.RawMessage(`{}`), CreatedBy: "user:a", UpdatedBy: "user:a"}
	}
	if err := s.PutIndicators(ctx, []state.Indicator{in("i1", "IpAddress", "10.0.0.1"), in("i2", "DomainName", "evil.example")}, aud("indicator.import", "2")); err != nil {
		t.Fatal(err)
	}
	// Replacing by id is an update; another id with the same value conflicts, and nothing of that batch is kept.
	if err := s.PutIndicators(ctx, []state.Indicator{in("i1", "IpAddress", "10.0.0.2")}, aud("indicator.update", "i1")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutIndicators(ctx, []state.Indicator{in("i3", "Url", "http://x/"), in("i4", "DomainName", "evil.example")}, aud("indicator.import", "2")); !errors.Is(err, state.ErrConflict) {
		t.Errorf("duplicate value: %v", err)
	}
	list, err := s.ListIndicators(ctx)
	if err != nil || len(list) != 2 || list[1].Value != "10.0.0.2" {
		t.Errorf("list %+v %v", list, err)
	}
	if err := s.DeleteIndicator(ctx, "i2", aud("indicator.delete", "i2")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IndicatorByID(ctx, "i2"); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if err := s.DeleteIndicator(ctx, "i2", aud("indicator.delete", "i2")); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
	if n := auditCount(t, s); n != 3 {
		t.Errorf("%d audit entries", n)
	}
}

func TestRuleRunsStore(t *testing.T) {
	s := openTest(t)
	ctx := ctxT(t)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < state.MaxRuleRuns+10; i++ {
		for _, rule := range []string{"a", "b"} {
			r := &state.RuleRun{RuleID: rule, Trigger: "scheduled", Started: t0.Add(time.Duration(i) * time.Hour), Duration: 1500 * time.Microsecond,
				From: t0, To: t0.Add(time.Hour), Status: "success", Alerts: i}
			if err := s.AddRuleRun(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	runs, err := s.RuleRuns(ctx, "a", 0)
	if err != nil || len(runs) != state.MaxRuleRuns || runs[0].Alerts != state.MaxRuleRuns+9 || runs[0].Duration != 1500*time.Microsecond || !runs[0].To.Equal(t0.Add(time.Hour)) {
		t.Fatalf("runs %d %+v %v", len(runs), runs[0], err)
	}
	if runs, _ := s.RuleRuns(ctx, "b", 3); len(runs) != 3 || runs[2].Alerts != state.MaxRuleRuns+7 {
		t.Errorf("b: %+v", runs)
	}
}
