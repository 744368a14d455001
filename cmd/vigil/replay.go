package main

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/detect/pack"
	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// replayRules runs the built-in detection rules over the event-time
// range of what an import just wrote (rows ingested since importStart),
// as a live deployment would have run them, and writes the alerts not
// already in AlertInfo, through the alert pipeline (deduplication and
// tuning, as a live server; nil: one alert per row). It returns the new
// alerts per rule.
func replayRules(ctx context.Context, events store.Store, written map[string]int64, importStart time.Time, alerts *detect.Pipeline) (map[string]int, error) {
	var lo, hi time.Time
	for table, n := range written {
		t, ok := schema.Lookup(table)
		if !ok || n == 0 {
			continue
		}
		if _, _, ok := t.Column("Timestamp"); !ok {
			continue
		}
		res, err := events.Query(ctx, store.Query{
			SQL:  `SELECT min("Timestamp"), max("Timestamp") FROM "` + table + `" WHERE "` + schema.IngestionTimeColumn + `" >= $1`,
			Args: []any{importStart.UTC()},
		})
		if err != nil {
			return nil, fmt.Errorf("replay: reading the time range of %s: %w", table, err)
		}
		if len(res.Rows) == 1 {
			if a, ok := res.Rows[0][0].(time.Time); ok && (lo.IsZero() || a.Before(lo)) {
				lo = a
			}
			if b, ok := res.Rows[0][1].(time.Time); ok && b.After(hi) {
				hi = b
			}
		}
	}
	if lo.IsZero() {
		return nil, nil
	}
	rules, err := pack.Rules()
	if err != nil {
		return nil, err
	}
	eng := &hunt.Engine{Store: events}
	perRule := map[string]int{}
	var all []detect.Alert
	for _, c := range rules {
		alerts, _, err := detect.Backtest(ctx, eng, c, lo, hi.Add(time.Second))
		if err != nil {
			return nil, fmt.Errorf("replay: rule %s: %w", c.Rule.ID, err)
		}
		all = append(all, alerts...)
	}
	if alerts == nil {
		alerts = detect.NewPipeline(0, nil)
	}
	fresh, err := alerts.Raise(ctx, events, time.Now(), all)
	if err != nil {
		return nil, fmt.Errorf("replay: writing alerts: %w", err)
	}
	for _, a := range fresh {
		perRule[a.RuleID]++
	}
	return perRule, nil
}

// sortedCounts lists rule ids by alert count, then id.
func sortedCounts(m map[string]int) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if m[ids[i]] != m[ids[j]] {
			return m[ids[i]] > m[ids[j]]
		}
		return ids[i] < ids[j]
	})
	return ids
}
