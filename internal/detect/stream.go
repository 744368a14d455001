package detect

import (
	"context"
	"time"

	"github.com/vigilsec/vigil/internal/store"
)

// Streaming is an event store that runs continuous rules on every batch
// appended to it: the alerts a batch raises are appended in the same
// atomic batch, so an event is never stored without its alerts, nor an
// alert without its events.
type Streaming struct {
	store.Store
	rules RuleSource
	// OnError reports a rule that failed on a batch (the batch is still
	// written).
	OnError func(rule string, err error)
	// Now is the rules' now(); nil means time.Now.
	Now func() time.Time
	// Alerts is the alert pipeline: the indicators matched in every
	// batch (their Allowed entries also suppress alerts on what they
	// allow), tuning, deduplication. Set it before the first Append.
	Alerts *Pipeline

	sets ruleSets // the enabled continuous rules, indexed per table
}

// NewStreaming wraps an event store with the enabled continuous rules of
// a source.
func NewStreaming(s store.Store, rules RuleSource) *Streaming {
	return &Streaming{Store: s, rules: rules, Alerts: NewPipeline(0, nil)}
}

// Append implements store.Store.
func (s *Streaming) Append(ctx context.Context, b store.Batch) error {
	sets := s.sets.get(s.rules.Rules())
	for _, tr := range b.Tables {
		s.Alerts.ObserveDevices(tr.Table, tr.Rows)
	}
	inds := s.Alerts.Indicators()
	if len(sets) == 0 && inds == nil {
		return s.Store.Append(ctx, b)
	}
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	var alerts []Alert
	for _, tr := range b.Tables {
		alerts = append(alerts, inds.Match(now, tr.Table, tr.Rows)...)
		alerts = append(alerts, sets.match(now, tr.Table, tr.Rows, s.OnError)...)
	}
	// What the alerts become (allowed, hidden, resolved, deduplicated)
	// is the pipeline's, the same as in scheduled runs.
	pr := s.Alerts.Prepare(ctx, now, alerts, nil)
	if len(pr.New) > 0 {
		ab := Batch(pr.New)
		b.Tables = append(append([]store.TableRows(nil), b.Tables...), ab.Tables...)
	}
	if err := s.Store.Append(ctx, b); err != nil {
		s.Alerts.Abort(pr)
		return err
	}
	s.Alerts.Commit(ctx, pr)
	return nil
}
