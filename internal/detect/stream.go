package detect

import (
	"context"
	"sync"
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
	// Indicators, when set, are matched in every batch; their Allowed
	// entries also suppress alerts on what they allow.
	Indicators *Indicators

	mu   sync.Mutex
	seen map[string]bool // alert ids raised recently, to drop repeats
	sets ruleSets        // the enabled continuous rules, indexed per table
}

// NewStreaming wraps an event store with the enabled continuous rules of
// a source.
func NewStreaming(s store.Store, rules RuleSource) *Streaming {
	return &Streaming{Store: s, rules: rules, seen: map[string]bool{}}
}

// maxSeen bounds the memory of recent alert ids.
const maxSeen = 100_000

// Append implements store.Store.
func (s *Streaming) Append(ctx context.Context, b store.Batch) error {
	sets := s.sets.get(s.rules.Rules())
	if len(sets) == 0 && s.Indicators == nil {
		return s.Store.Append(ctx, b)
	}
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	var alerts []Alert
	for _, tr := range b.Tables {
		alerts = append(alerts, s.Indicators.Match(now, tr.Table, tr.Rows)...)
		alerts = append(alerts, sets.match(now, tr.Table, tr.Rows, s.OnError)...)
	}
	kept := alerts[:0]
	for _, a := range alerts {
		if !s.Indicators.Allows(a, now) {
			kept = append(kept, a)
		}
	}
	alerts = s.fresh(kept)
	if len(alerts) > 0 {
		ab := Batch(alerts)
		b.Tables = append(append([]store.TableRows(nil), b.Tables...), ab.Tables...)
	}
	return s.Store.Append(ctx, b)
}

// fresh drops alerts raised before (the same events sent twice).
func (s *Streaming) fresh(alerts []Alert) []Alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.seen) > maxSeen {
		s.seen = map[string]bool{}
	}
	out := alerts[:0]
	for _, a := range alerts {
		if !s.seen[a.ID] {
			s.seen[a.ID] = true
			out = append(out, a)
		}
	}
	return out
}
