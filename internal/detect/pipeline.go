package detect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/store"
)

// Ledger is what the alert pipeline keeps in the state store (a
// state.Store is one).
type Ledger interface {
	RecordAlertActivity(ctx context.Context, occ []state.AlertOccurrence) error
	AlertActivity(ctx context.Context, alertIDs []string) (map[string]state.AlertActivity, error)
	AddTuningHits(ctx context.Context, hits map[string]int64, at time.Time) error
	SetAlertState(ctx context.Context, st *state.AlertState, audit state.Audit) error
	AddAlertComment(ctx context.Context, c *state.AlertComment, audit state.Audit) error
}

// Pipeline decides what the alerts rules produce become, the same way in
// the stream and in scheduled and manual runs: alerts on devices outside
// the device groups their rule is scoped to, and alerts on what an
// Allowed indicator allows, are dropped; tuning rules hide or resolve; the rest
// are deduplicated into one alert per rule, impacted entities and
// window. It is safe for concurrent use.
//
// Writing is in two steps around the event store's append: Prepare says
// which alerts are new (and claims their ids, so that two paths never
// both write one), Commit records the occurrences, resolutions and hits
// once the append succeeded, Abort releases the claims if it failed.
type Pipeline struct {
	window time.Duration
	ledger Ledger
	// OnError reports a ledger failure; the alerts are still written.
	OnError func(error)

	tuning     atomic.Pointer[Tuning]
	indicators atomic.Pointer[Indicators]
	groups     atomic.Pointer[DeviceGroups]

	mu    sync.Mutex
	known knownSet
}

// NewPipeline builds a pipeline. window 0 keeps one alert per triggering
// row (no deduplication); ledger nil keeps nothing in the state store
// (counts, triggering rows and resolutions are then not recorded).
func NewPipeline(window time.Duration, ledger Ledger) *Pipeline {
	return &Pipeline{window: window, ledger: ledger, known: knownSet{max: maxKnown}}
}

// Window is the deduplication window (0: none).
func (p *Pipeline) Window() time.Duration { return p.window }

// SetTuning replaces the tuning rules in force.
func (p *Pipeline) SetTuning(t *Tuning) { p.tuning.Store(t) }

// SetIndicators replaces the indicators in force (matched in the stream;
// their Allowed entries drop alerts in every path).
func (p *Pipeline) SetIndicators(s *Indicators) { p.indicators.Store(s) }

// SetDeviceGroups sets where devices' groups come from, for rules and
// indicators scoped to device groups (nil: every device is ungrouped).
func (p *Pipeline) SetDeviceGroups(g *DeviceGroups) { p.groups.Store(g) }

// ObserveDevices learns device groups from ingested DeviceInfo rows.
func (p *Pipeline) ObserveDevices(table string, rows [][]any) {
	if table == "DeviceInfo" {
		p.groups.Load().Observe(table, rows)
	}
}

// Indicators returns the indicators in force, nil if none.
func (p *Pipeline) Indicators() *Indicators { return p.indicators.Load() }

// Prepared is the outcome of Prepare.
type Prepared struct {
	// New are the alerts to append to AlertInfo and AlertEvidence.
	New     []Alert
	occ     []state.AlertOccurrence
	resolve map[string]*TuningRule
	hits    map[string]int64
	now     time.Time
}

// Existing reports which alert ids the event store already holds.
type Existing func(ctx context.Context, ids []string) (map[string]bool, error)

// Prepare sorts alerts into what to write. have, when set, is asked
// about the ids neither memory nor the ledger knows (a scheduled run
// re-reading alerts written before the ledger was).
func (p *Pipeline) Prepare(ctx context.Context, now time.Time, alerts []Alert, have Existing) *Prepared {
	pr := &Prepared{resolve: map[string]*TuningRule{}, hits: map[string]int64{}, now: now}
	if len(alerts) == 0 {
		return pr
	}
	inds, tuning, groups := p.indicators.Load(), p.tuning.Load(), p.groups.Load()
	kept := make([]Alert, 0, len(alerts))
	for _, a := range alerts {
		if !groups.inScope(&a) || inds.Allows(a, now) {
			continue
		}
		if tr := tuning.Apply(&a, now, groups); tr != nil {
			if tr.Action == HideAlert {
				pr.hits[tr.ID]++
				continue
			}
			pr.resolve[a.ID] = tr
		}
		kept = append(kept, a)
	}
	// Earliest first, so a batch's representative of a group is the same
	// whatever order its rows came in.
	sort.SliceStable(kept, func(i, j int) bool {
		if !kept[i].Timestamp.Equal(kept[j].Timestamp) {
			return kept[i].Timestamp.Before(kept[j].Timestamp)
		}
		return kept[i].ID < kept[j].ID
	})
	var cands []Alert
	inBatch := map[string]int{}
	resolveByGroup := map[string]*TuningRule{}
	for _, a := range kept {
		gid := a.ID
		if p.window > 0 {
			gid = groupID(a.RuleID, dedupBucket(a.Timestamp, p.window), a.Evidence)
		}
		o := state.AlertOccurrence{AlertID: gid, OccurrenceID: a.ID, RuleID: a.RuleID, Activity: a.Timestamp.Truncate(time.Microsecond)}
		// Only the first rows of an alert are kept: JSON for no more.
		if p.ledger != nil && inBatch[gid] < state.MaxStoredRows {
			o.Row = rowJSON(a.Row)
		}
		pr.occ = append(pr.occ, o)
		inBatch[gid]++
		if inBatch[gid] > 1 {
			continue
		}
		if tr := pr.resolve[a.ID]; tr != nil {
			resolveByGroup[gid] = tr
		}
		a.ID = gid
		cands = append(cands, a)
	}
	pr.resolve = resolveByGroup
	pr.New = p.claim(ctx, cands, have)
	return pr
}

// claim keeps the candidates no one wrote yet and marks them as known.
func (p *Pipeline) claim(ctx context.Context, cands []Alert, have Existing) []Alert {
	p.mu.Lock()
	var unknown []string
	for _, a := range cands {
		if !p.known.has(a.ID) {
			unknown = append(unknown, a.ID)
		}
	}
	p.mu.Unlock()
	if len(unknown) == 0 {
		return nil
	}
	exists := map[string]bool{}
	if p.ledger != nil {
		act, err := p.ledger.AlertActivity(ctx, unknown)
		if err != nil {
			p.report(fmt.Errorf("reading alert activity: %w", err))
		}
		for id := range act {
			exists[id] = true
		}
	}
	if have != nil {
		var ask []string
		for _, id := range unknown {
			if !exists[id] {
				ask = append(ask, id)
			}
		}
		if len(ask) > 0 {
			got, err := have(ctx, ask)
			if err != nil {
				p.report(fmt.Errorf("reading existing alerts: %w", err))
			}
			for id := range got {
				exists[id] = true
			}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Alert
	for _, a := range cands {
		if p.known.has(a.ID) {
			continue
		}
		p.known.add(a.ID)
		if !exists[a.ID] {
			out = append(out, a)
		}
	}
	return out
}

// Abort releases the claims of a Prepare whose alerts were not written.
func (p *Pipeline) Abort(pr *Prepared) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, a := range pr.New {
		p.known.remove(a.ID)
	}
}

// Commit records, after the alerts were written, their occurrences, the
// resolutions tuning rules asked for and the tuning rules' hits.
func (p *Pipeline) Commit(ctx context.Context, pr *Prepared) {
	if p.ledger == nil {
		return
	}
	if err := p.ledger.RecordAlertActivity(ctx, pr.occ); err != nil {
		p.report(fmt.Errorf("recording alert activity: %w", err))
	}
	for _, a := range pr.New {
		tr := pr.resolve[a.ID]
		if tr == nil {
			continue
		}
		pr.hits[tr.ID]++
		details, _ := json.Marshal(map[string]string{"tuningRule": tr.ID, "name": tr.Name, "status": "Resolved"})
		audit := state.Audit{Time: pr.now, Actor: "system", Action: "alert.tune", Target: "alert:" + a.ID, Remote: "local", Details: details}
		err := p.ledger.SetAlertState(ctx, &state.AlertState{AlertID: a.ID, Status: "Resolved", UpdatedBy: "tuning:" + tr.ID}, audit)
		if errors.Is(err, state.ErrConflict) {
			continue // an analyst got there first
		}
		if err != nil {
			p.report(fmt.Errorf("resolving alert %s by tuning rule %s: %w", a.ID, tr.ID, err))
			continue
		}
		text := fmt.Sprintf("Resolved by alert tuning rule %q (%s).", tr.Name, tr.ID)
		if tr.Comment != "" {
			text += " " + tr.Comment
		}
		audit.Action = "alert.comment"
		if err := p.ledger.AddAlertComment(ctx, &state.AlertComment{AlertID: a.ID, Author: "tuning:" + tr.ID, Text: text}, audit); err != nil {
			p.report(fmt.Errorf("commenting alert %s: %w", a.ID, err))
		}
	}
	if err := p.ledger.AddTuningHits(ctx, pr.hits, pr.now); err != nil {
		p.report(fmt.Errorf("counting tuning hits: %w", err))
	}
}

func (p *Pipeline) report(err error) {
	if p.OnError != nil {
		p.OnError(err)
	}
}

// Raise writes the alerts of a scheduled or manual run: the new ones to
// AlertInfo and AlertEvidence, then their occurrences to the ledger. It
// returns the alerts written.
func (p *Pipeline) Raise(ctx context.Context, st store.Store, now time.Time, alerts []Alert) ([]Alert, error) {
	if len(alerts) == 0 {
		return nil, nil
	}
	pr := p.Prepare(ctx, now, alerts, func(ctx context.Context, ids []string) (map[string]bool, error) {
		return inAlertInfo(ctx, st, ids)
	})
	if len(pr.New) > 0 {
		if err := st.Append(ctx, Batch(pr.New)); err != nil {
			p.Abort(pr)
			return nil, err
		}
	}
	p.Commit(ctx, pr)
	return pr.New, nil
}
