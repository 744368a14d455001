package detect

import (
	"context"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/state"
)

// A restarted scheduler continues from the kept run records: a rule that
// ran 30 minutes before the restart is not due, and when due reads its
// lookback, not a first run's 30 days.
func TestSchedulerResumesFromRunRecords(t *testing.T) {
	f := newAlertFixture(t)
	ctx := context.Background()
	r := shadowRule()
	r.Enabled, r.Frequency = true, Every1h
	c, err := Compile(r)
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(10 * time.Hour)
	var runs []*Run
	sch := &Scheduler{Engine: &hunt.Engine{Store: f.ev}, Store: f.ev, Rules: Static{c}, Now: func() time.Time { return now },
		Alerts: NewPipeline(DefaultDedupWindow, f.st), LastRun: LastScheduledRun(ctx, f.st),
		OnRun: func(run *Run) {
			runs = append(runs, run)
			if err := f.st.AddRuleRun(ctx, run.Record()); err != nil {
				t.Fatal(err)
			}
		}}
	// The record of a manual run does not count as the schedule's.
	if err := f.st.AddRuleRun(ctx, &state.RuleRun{RuleID: r.ID, Trigger: "manual", Status: "success", To: now}); err != nil {
		t.Fatal(err)
	}
	if err := f.st.AddRuleRun(ctx, &state.RuleRun{RuleID: r.ID, Trigger: "scheduled", Status: "success", To: now.Add(-30 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	next := map[string]time.Time{}
	sch.RunDue(ctx, next)
	if len(runs) != 0 {
		t.Fatalf("ran %d times 30 minutes after its last run", len(runs))
	}
	now = now.Add(31 * time.Minute)
	sch.RunDue(ctx, next)
	if len(runs) != 1 || runs[0].To.Sub(runs[0].From) != 4*time.Hour || runs[0].Trigger != "scheduled" {
		t.Fatalf("runs %+v", runs)
	}
	kept, err := f.st.RuleRuns(ctx, r.ID, 1)
	if err != nil || len(kept) != 1 || kept[0].Status != "success" || kept[0].Trigger != "scheduled" || !kept[0].To.Equal(now) {
		t.Errorf("kept %+v %v", kept, err)
	}
	// A failed run is kept as one.
	bad := (&Run{RuleID: "x", Err: "boom"}).Record()
	if bad.Status != "failure" || bad.Error != "boom" || bad.Trigger != "scheduled" {
		t.Errorf("failed run record %+v", bad)
	}
}
