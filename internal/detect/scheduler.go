package detect

import (
	"context"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/store"
)

// Scheduler runs scheduled rules at their frequency over the lookback
// that ends at each run, writing the alerts AlertInfo does not hold yet,
// and keeps each rule's last runs.
type Scheduler struct {
	Engine *hunt.Engine
	Store  store.Store
	Rules  RuleSource
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OnRun is told of every run (logging, metrics, the run record).
	OnRun func(*Run)
	// Alerts is the alert pipeline (deduplication, tuning); nil: one
	// alert per row, nothing recorded in the state store.
	Alerts *Pipeline
	// LastRun, when set, tells when a rule last ran before this process
	// started (from the state store's run records): its next run is one
	// interval later and reads its lookback, not a first run's 30 days.
	LastRun func(ruleID string) (time.Time, bool)

	mu   sync.Mutex
	last map[string]*Run
}

// Runs returns the last run of each rule that has run.
func (s *Scheduler) Runs() map[string]Run {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]Run{}
	for id, r := range s.last {
		out[id] = *r
	}
	return out
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Run loops until ctx ends, checking every tick which rules are due.
func (s *Scheduler) Run(ctx context.Context, tick time.Duration) {
	next := map[string]time.Time{}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		s.RunDue(ctx, next)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunDue runs the enabled scheduled rules whose next time (in next,
// keyed by rule id; absent means now, a first run) has come.
func (s *Scheduler) RunDue(ctx context.Context, next map[string]time.Time) {
	for _, c := range s.Rules.Rules() {
		if c.Continuous() || !c.Rule.Enabled || ctx.Err() != nil {
			continue
		}
		now := s.now()
		due, seen := next[c.Rule.ID]
		if !seen && s.LastRun != nil {
			if last, ok := s.LastRun(c.Rule.ID); ok {
				due, seen = last.Add(c.Rule.Frequency.Interval()), true
			}
		}
		if seen && now.Before(due) {
			next[c.Rule.ID] = due
			continue
		}
		from, to := c.Window(now, !seen)
		run := c.RunInterval(ctx, s.Engine, from, to)
		run.Trigger = "scheduled"
		if run.Err == "" && len(run.Alerts) > 0 {
			if s.Alerts == nil {
				s.Alerts = NewPipeline(0, nil)
			}
			fresh, err := s.Alerts.Raise(ctx, s.Store, now, run.Alerts)
			if err != nil {
				run.Err = err.Error()
			}
			run.Alerts = fresh
		}
		next[c.Rule.ID] = now.Add(c.Rule.Frequency.Interval())
		s.mu.Lock()
		if s.last == nil {
			s.last = map[string]*Run{}
		}
		s.last[c.Rule.ID] = run
		s.mu.Unlock()
		if s.OnRun != nil {
			s.OnRun(run)
		}
	}
}

// inAlertInfo reports which of ids AlertInfo holds.
func inAlertInfo(ctx context.Context, st store.Store, ids []string) (map[string]bool, error) {
	res, err := st.Query(ctx, store.Query{SQL: `SELECT DISTINCT "AlertId" FROM "AlertInfo" WHERE list_contains($1::VARCHAR[], "AlertId")`, Args: []any{ids}, MaxRows: len(ids) + 1})
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, r := range res.Rows {
		if s, ok := r[0].(string); ok {
			have[s] = true
		}
	}
	return have, nil
}

// existing drops the alerts AlertInfo already holds: overlapping
// lookbacks read the same events again.
func existing(ctx context.Context, st store.Store, alerts []Alert) ([]Alert, error) {
	ids := make([]string, len(alerts))
	for i, a := range alerts {
		ids[i] = a.ID
	}
	have, err := inAlertInfo(ctx, st, ids)
	if err != nil {
		return nil, err
	}
	var out []Alert
	for _, a := range alerts {
		if !have[a.ID] {
			have[a.ID] = true
			out = append(out, a)
		}
	}
	return out, nil
}

// Fresh drops the alerts an event store's AlertInfo already holds.
func Fresh(ctx context.Context, st store.Store, alerts []Alert) ([]Alert, error) {
	if len(alerts) == 0 {
		return nil, nil
	}
	return existing(ctx, st, alerts)
}
