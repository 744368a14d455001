package detect

import (
	"context"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

// RunStore keeps the record of rule runs (a state.Store is one).
type RunStore interface {
	AddRuleRun(ctx context.Context, r *state.RuleRun) error
	RuleRuns(ctx context.Context, ruleID string, limit int) ([]state.RuleRun, error)
}

// Record is the state store's record of a run.
func (r *Run) Record() *state.RuleRun {
	rec := &state.RuleRun{RuleID: r.RuleID, Trigger: r.Trigger, Started: r.Started, Duration: r.Duration, From: r.From, To: r.To,
		Status: "success", Error: r.Err, Alerts: len(r.Alerts), Truncated: r.Truncated}
	if rec.Trigger == "" {
		rec.Trigger = "scheduled"
	}
	if r.Err != "" {
		rec.Status = "failure"
	}
	return rec
}

// LastScheduledRun returns when a rule last ran on its schedule (the end
// of the interval it read), from the kept run records; it seeds a
// restarted scheduler (Scheduler.LastRun), so a restart neither re-reads
// 30 days nor runs every rule at once.
func LastScheduledRun(ctx context.Context, rs RunStore) func(ruleID string) (time.Time, bool) {
	return func(ruleID string) (time.Time, bool) {
		runs, err := rs.RuleRuns(ctx, ruleID, state.MaxRuleRuns)
		if err != nil {
			return time.Time{}, false
		}
		for _, r := range runs {
			if r.Trigger == "scheduled" && r.Status == "success" {
				return r.To, true // the scheduler's clock at the run
			}
		}
		return time.Time{}, false
	}
}
