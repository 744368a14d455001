package detect

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/vigilsec/vigil/internal/hunt"
)

// Backtest replays a rule's schedule over [from, to) by event time: runs
// at every tick of its frequency (hourly for a continuous rule), each
// reading its lookback (the first its first-run lookback, clipped to
// from), as a live deployment would have. Alerts seen by several runs
// (lookbacks overlap) count once. It returns the alerts in event-time
// order and the runs.
func Backtest(ctx context.Context, eng *hunt.Engine, c *Compiled, from, to time.Time) ([]Alert, []*Run, error) {
	if !to.After(from) {
		return nil, nil, fmt.Errorf("backtest: --to must be after --from")
	}
	step := c.Rule.Frequency.Interval()
	if step == 0 {
		step = time.Hour
	}
	seen := map[string]bool{}
	var alerts []Alert
	var runs []*Run
	first := true
	for at := from.Add(step); ; at = at.Add(step) {
		if at.After(to) {
			at = to
		}
		start, end := c.Window(at, first)
		if c.Rule.Frequency == Continuous {
			// A continuous rule sees each event once, as it arrives.
			start = at.Add(-step)
		}
		if start.Before(from) {
			start = from
		}
		run := c.RunInterval(ctx, eng, start, end)
		runs = append(runs, run)
		if run.Err != "" {
			return alerts, runs, fmt.Errorf("run over %s – %s: %s", start.Format(time.RFC3339), end.Format(time.RFC3339), run.Err)
		}
		for _, a := range run.Alerts {
			if !seen[a.ID] {
				seen[a.ID] = true
				alerts = append(alerts, a)
			}
		}
		first = false
		if !at.Before(to) {
			break
		}
	}
	sort.SliceStable(alerts, func(i, j int) bool { return alerts[i].Timestamp.Before(alerts[j].Timestamp) })
	return alerts, runs, nil
}
