package detect

import (
	"context"
	"fmt"
	"time"

	"github.com/vigilsec/vigil/internal/hunt"
)

// Run is the record of one run of a rule.
type Run struct {
	RuleID   string
	Trigger  string    // "scheduled" or "manual"
	From, To time.Time // the event-time interval read
	Started  time.Time
	Duration time.Duration
	Alerts   []Alert
	// Truncated: the query returned more rows than MaxAlertsPerRun.
	Truncated bool
	Err       string
}

// RunInterval runs the rule over the events whose Timestamp is in
// [from, to), with now() at to: a scheduled run, live or replayed.
func (c *Compiled) RunInterval(ctx context.Context, eng *hunt.Engine, from, to time.Time) *Run {
	run := &Run{RuleID: c.Rule.ID, From: from, To: to, Started: time.Now()}
	defer func() { run.Duration = time.Since(run.Started) }()
	res, err := eng.Run(ctx, hunt.Request{Query: c.Rule.Query, Start: from, End: to, MaxRows: 10_000})
	if err != nil {
		run.Err = err.Error()
		return run
	}
	run.Alerts, run.Truncated = c.alerts(res.Rows)
	run.Truncated = run.Truncated || res.Truncated
	return run
}

// Window returns the interval a scheduled run at time at reads: the
// rule's lookback, or FirstRunLookback on its first run.
func (c *Compiled) Window(at time.Time, first bool) (from, to time.Time) {
	back := c.Rule.Frequency.Lookback()
	if first || back == 0 {
		back = FirstRunLookback
	}
	return at.Add(-back), at
}

// Continuous reports whether the rule runs on the ingest stream.
func (c *Compiled) Continuous() bool { return c.native != nil }

// Match runs a continuous rule over rows of its table as they are
// ingested (in the table's schema column order), with now() at now.
func (c *Compiled) Match(now time.Time, table string, rows [][]any) ([]Alert, bool, error) {
	if c.native == nil {
		return nil, false, fmt.Errorf("rule %s does not run continuously", c.Rule.ID)
	}
	if table != c.Table {
		return nil, false, nil
	}
	out, err := c.native.RunAt(now, rows)
	if err != nil {
		return nil, false, err
	}
	alerts, truncated := c.alerts(out)
	return alerts, truncated, nil
}
