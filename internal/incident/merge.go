package incident

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/vigilsec/vigil/internal/state"
)

// System tags.
const (
	TagRedirected       = "Redirected"
	TagAttackDisruption = "Attack Disruption"
	TagDeception        = "Deception"
)

// SystemTags are the tags only Vigil sets.
var SystemTags = []string{TagRedirected, TagAttackDisruption, TagDeception}

// Reasons two incidents do not merge automatically (Defender's
// conditions, and the caps).
var (
	ErrMergeResolved       = errors.New("an incident is resolved")
	ErrMergeAssignees      = errors.New("the incidents are assigned to different people")
	ErrMergeClassification = errors.New("the incidents are classified differently")
	ErrMergeCap            = errors.New("together they would exceed the incident cap")
)

// canMerge applies the conditions for merging two incidents on a shared
// alert: neither resolved, not assigned to two different people, not
// classified differently, and together within the caps.
func (e *Engine) canMerge(a, b *live) error {
	x, y := a.inc, b.inc
	switch {
	case x.Status == "Resolved" || y.Status == "Resolved" || x.RedirectTo != 0 || y.RedirectTo != 0:
		return ErrMergeResolved
	case x.Assignee != "" && y.Assignee != "" && x.Assignee != y.Assignee:
		return ErrMergeAssignees
	case x.Classification != "" && y.Classification != "" && (x.Classification != y.Classification || x.Determination != y.Determination):
		return ErrMergeClassification
	}
	if a.agg.alerts+b.agg.alerts > e.set.MaxAlerts {
		return ErrMergeCap
	}
	if len(a.ents)+len(b.ents) <= e.set.MaxEntities {
		return nil
	}
	// Counting the union scans b's entities (up to the cap), and an alert
	// on a device split over capped incidents asks again for every alert.
	// An open incident's entities only grow, so a union once over the cap
	// stays over it: remember the pair (a *live is replaced when alerts
	// leave an incident, which forgets it).
	pair := [2]*live{a, b}
	if e.overCap[pair] {
		return ErrMergeCap
	}
	// Count the smaller side's entities missing from the larger, and stop
	// as soon as the union is over the cap.
	big, small := a.ents, b.ents
	if len(small) > len(big) {
		big, small = small, big
	}
	n := len(big)
	if n > e.set.MaxEntities {
		// One side alone can be over: place checks the alert against
		// its target before merging others into it, and the alert's own
		// entities join after.
		e.overCap[pair] = true
		return ErrMergeCap
	}
	for id := range small {
		if _, ok := big[id]; !ok {
			if n++; n > e.set.MaxEntities {
				e.overCap[pair] = true
				return ErrMergeCap
			}
		}
	}
	return nil
}

// mergeInto moves src's alerts and entities into dst, and closes src as
// Redirected. The store copies src's comments and activity to dst.
func (e *Engine) mergeInto(b *batch, dst, src *live, actor string, why state.LinkReason) {
	for id, s := range src.ents {
		d := dst.ents[id]
		if d == nil {
			// src is closed from here on and only its entity count is
			// read again: dst takes the record itself, not a copy (its
			// refs to src are dead, isOpen being false).
			dst.ents[id] = s
			for _, k := range s.keys {
				e.addRef(k, ref{dst, s})
			}
			continue
		}
		if s.first.before(d.first) {
			d.first, d.firstAlert = s.first, s.firstAlert
		}
		if d.last.before(s.last) {
			d.last, d.lastAlert = s.last, s.lastAlert
		}
		for _, k := range s.keys {
			if !slices.Contains(d.keys, k) {
				d.keys = append(d.keys, k)
				e.addRef(k, ref{dst, d})
			}
		}
	}
	dst.agg.merge(&src.agg)
	// The inherited workflow: an owner or classification one side has.
	if dst.inc.Assignee == "" {
		dst.inc.Assignee = src.inc.Assignee
	}
	if dst.inc.Classification == "" {
		dst.inc.Classification, dst.inc.Determination = src.inc.Classification, src.inc.Determination
	}
	for _, t := range src.inc.Tags {
		if !slices.Contains(dst.inc.Tags, t) {
			dst.inc.Tags = append(dst.inc.Tags, t)
		}
	}
	for _, t := range src.inc.SystemTags {
		if t != TagRedirected && !slices.Contains(dst.inc.SystemTags, t) {
			dst.inc.SystemTags = append(dst.inc.SystemTags, t)
		}
	}
	now := e.now().UTC()
	// src keeps its derived fields as they were: the record of what was
	// merged. Its alerts now belong to dst.
	src.agg.fill(src.inc, len(src.ents))
	src.inc.Status = "Resolved"
	src.inc.ResolvedAt = now
	src.inc.RedirectTo = dst.inc.ID
	if !slices.Contains(src.inc.SystemTags, TagRedirected) {
		src.inc.SystemTags = append(slices.Clone(src.inc.SystemTags), TagRedirected)
	}
	dst.pending = append(dst.pending, src.pending...)
	src.pending = nil
	e.closeOpen(src.inc.ID)
	b.touch(src)
	b.touch(dst)
	b.merges = append(b.merges, state.IncidentMerge{Source: src.inc.ID, Target: dst.inc.ID})
	b.mergedLives = append(b.mergedLives, src)
	reason, _ := json.Marshal(why)
	into, _ := json.Marshal(map[string]any{"target": dst.inc.ID, "reason": json.RawMessage(reason)})
	from, _ := json.Marshal(map[string]any{"source": src.inc.ID, "reason": json.RawMessage(reason)})
	b.activity = append(b.activity,
		state.IncidentActivity{IncidentID: src.inc.ID, Time: now, Actor: actor, Action: "merged.into", Details: string(into)},
		state.IncidentActivity{IncidentID: dst.inc.ID, Time: now, Actor: actor, Action: "merged.from", Details: string(from)})
	b.audits = append(b.audits, state.Audit{Time: now, Actor: actor, Action: "incident.merge",
		Target: fmt.Sprintf("incident:%d", src.inc.ID), Remote: "local", Details: into})
}
