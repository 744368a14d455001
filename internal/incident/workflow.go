package incident

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/state"
)

// Patch is an analyst's change to an incident; nil fields stay as they
// are.
type Patch struct {
	Status         *string
	Assignee       *string
	Classification *string
	Determination  *string
	Tags           *[]string // replaces the user tags
	AddTags        []string
	RemoveTags     []string
	Comment        string
}

// Workflow errors.
var (
	// ErrInvalid wraps a change that is not allowed as asked.
	ErrInvalid = errors.New("invalid change")
	// ErrNotFound: no such incident (or alert).
	ErrNotFound = state.ErrNotFound
	// ErrVersion: the incident changed since the caller read it.
	ErrVersion = errors.New("the incident changed since it was read")
)

// RedirectedError: the incident was merged into another, which is where
// changes go.
type RedirectedError struct{ ID, To int64 }

func (e *RedirectedError) Error() string {
	return fmt.Sprintf("incident %d was merged into incident %d", e.ID, e.To)
}

// Limits on analyst input.
const (
	maxTags       = 50
	maxTagLen     = 100
	maxCommentLen = 16 << 10
	maxNameField  = 256
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

func checkText(what, s string, limit int) error {
	if len(s) > limit {
		return invalid("%s is longer than %d bytes", what, limit)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return invalid("%s holds a control character", what)
		}
	}
	return nil
}

// Update applies an analyst's change. version is the version the caller
// read; -1 skips the check (bulk updates). audit names the actor and
// request; the engine fills in the action, target and details.
func (e *Engine) Update(ctx context.Context, id, version int64, p Patch, audit state.Audit) (*state.Incident, error) {
	e.mu.Lock()
	cur, l, err := e.get(ctx, id)
	if err != nil {
		e.mu.Unlock()
		return nil, err
	}
	if l != nil {
		// Deferred derived fields go out with this write.
		l.agg.fill(l.inc, len(l.ents))
	}
	if version >= 0 && cur.Version != version {
		e.mu.Unlock()
		return nil, ErrVersion
	}
	n := cloneIncident(cur)
	var changes []string
	set := func(name string, dst *string, v *string) {
		if v != nil && strings.TrimSpace(*v) != *dst {
			*dst = strings.TrimSpace(*v)
			changes = append(changes, name)
		}
	}
	set("status", &n.Status, p.Status)
	set("assignee", &n.Assignee, p.Assignee)
	set("classification", &n.Classification, p.Classification)
	set("determination", &n.Determination, p.Determination)
	if p.Classification != nil && *p.Classification == "" && p.Determination == nil {
		n.Determination = ""
	}
	if err := detect.CheckTriage(n.Status, n.Classification, n.Determination); err != nil {
		e.mu.Unlock()
		return nil, invalid("%v", err)
	}
	if err := checkText("assignee", n.Assignee, maxNameField); err != nil {
		e.mu.Unlock()
		return nil, err
	}
	tags := slices.Clone(n.Tags)
	if p.Tags != nil {
		tags = nil
		for _, t := range *p.Tags {
			tags = appendTag(tags, t)
		}
	}
	for _, t := range p.AddTags {
		tags = appendTag(tags, t)
	}
	tags = slices.DeleteFunc(tags, func(t string) bool { return slices.Contains(p.RemoveTags, t) })
	if tags == nil {
		tags = []string{}
	}
	for _, t := range tags {
		if err := checkText("a tag", t, maxTagLen); err != nil {
			e.mu.Unlock()
			return nil, err
		}
		for _, st := range SystemTags {
			if strings.EqualFold(t, st) {
				e.mu.Unlock()
				return nil, invalid("%q is a system tag; only Vigil sets it", t)
			}
		}
	}
	if len(tags) > maxTags {
		e.mu.Unlock()
		return nil, invalid("an incident holds at most %d tags", maxTags)
	}
	if !slices.Equal(tags, n.Tags) {
		n.Tags = tags
		changes = append(changes, "tags")
	}
	comment := strings.TrimSpace(p.Comment)
	if err := checkText("the comment", comment, maxCommentLen); err != nil {
		e.mu.Unlock()
		return nil, err
	}
	if len(changes) == 0 && comment == "" {
		e.mu.Unlock()
		return &n, nil
	}
	b := newBatch()
	now := e.now().UTC()
	wasResolved := cur.Status == "Resolved"
	if slices.Contains(changes, "status") {
		if n.Status == "Resolved" {
			n.ResolvedAt = now
		} else {
			n.ResolvedAt = time.Time{}
		}
	}
	details, _ := json.Marshal(map[string]any{"changes": changes, "status": n.Status, "assignee": n.Assignee,
		"classification": n.Classification, "determination": n.Determination, "tags": n.Tags, "comment": comment != ""})
	if comment != "" {
		b.comments = append(b.comments, state.IncidentComment{IncidentID: id, Author: audit.Actor, Text: comment, CreatedAt: now})
	}
	for _, c := range changes {
		b.activity = append(b.activity, state.IncidentActivity{IncidentID: id, Time: now, Actor: audit.Actor, Action: c, Details: string(details)})
	}
	if comment != "" {
		b.activity = append(b.activity, state.IncidentActivity{IncidentID: id, Time: now, Actor: audit.Actor, Action: "comment", Details: "{}"})
	}
	audit.Action, audit.Target, audit.Details = "incident.update", fmt.Sprintf("incident:%d", id), details
	b.audits = []state.Audit{audit}
	var rows []*state.Incident
	if len(changes) > 0 {
		rows = []*state.Incident{&n}
	}
	err = e.st.SaveIncidents(ctx, &state.IncidentChange{Incidents: rows, Comments: b.comments, Activity: b.activity}, b.audits)
	if err != nil {
		e.mu.Unlock()
		if errors.Is(err, state.ErrConflict) {
			return nil, ErrVersion
		}
		return nil, fmt.Errorf("incidents: %w", err)
	}
	// The stored row is now n: keep the engine's view in step.
	switch {
	case l != nil && n.Status == "Resolved":
		e.closeOpen(id)
	case l != nil:
		*l.inc = n
		l.dirty = false
	case wasResolved && n.Status != "Resolved":
		// Reopened: it links again.
		alerts, err := e.st.IncidentAlerts(ctx, id)
		if err == nil {
			nn := n
			e.setOpen(e.rebuild(&nn, alerts))
		}
	}
	ev := IncidentEvent{Type: "updated", Incident: cloneIncident(&n), Actor: audit.Actor, Time: now}
	if l != nil && len(rows) > 0 {
		ev.AlertIDs, l.pending = l.pending, nil
	}
	if n.Status == "Resolved" && !wasResolved {
		ev.Type = "resolved"
	}
	e.mu.Unlock()
	if e.OnChange != nil {
		e.OnChange(ev)
	}
	return &n, nil
}

func appendTag(tags []string, t string) []string {
	t = strings.TrimSpace(t)
	if t == "" || slices.Contains(tags, t) {
		return tags
	}
	return append(tags, t)
}

// get returns an incident (the engine's copy when open), refusing a
// redirected one.
func (e *Engine) get(ctx context.Context, id int64) (*state.Incident, *live, error) {
	if l := e.open[id]; l != nil {
		return l.inc, l, nil
	}
	in, err := e.st.IncidentByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if in.RedirectTo != 0 {
		return nil, nil, &RedirectedError{ID: id, To: in.RedirectTo}
	}
	return in, nil, nil
}

// Merge merges sources into target by hand. Neither side may be
// resolved; the target's owner and classification prevail.
func (e *Engine) Merge(ctx context.Context, target int64, sources []int64, audit state.Audit) (*state.Incident, error) {
	e.mu.Lock()
	dst := e.open[target]
	if dst == nil {
		e.mu.Unlock()
		return nil, e.notOpen(ctx, target)
	}
	if len(sources) == 0 {
		e.mu.Unlock()
		return nil, invalid("name at least one incident to merge")
	}
	var srcs []*live
	for _, id := range sources {
		l := e.open[id]
		if id == target {
			e.mu.Unlock()
			return nil, invalid("cannot merge incident %d into itself", id)
		}
		if l == nil {
			e.mu.Unlock()
			return nil, e.notOpen(ctx, id)
		}
		if !slices.Contains(srcs, l) {
			srcs = append(srcs, l)
		}
	}
	b := newBatch()
	for _, l := range srcs {
		e.mergeInto(b, dst, l, audit.Actor, state.LinkReason{Kind: "manual", Note: "merged by " + audit.Actor})
	}
	for i := range b.audits {
		b.audits[i].Remote, b.audits[i].RequestID = audit.Remote, audit.RequestID
	}
	err := e.commit(ctx, b, audit.Actor)
	e.mu.Unlock()
	if err != nil {
		return nil, err
	}
	e.notify(b)
	out := cloneIncident(dst.inc)
	return &out, nil
}

func (e *Engine) notOpen(ctx context.Context, id int64) error {
	in, err := e.st.IncidentByID(ctx, id)
	if err != nil {
		return err
	}
	if in.RedirectTo != 0 {
		return &RedirectedError{ID: id, To: in.RedirectTo}
	}
	return invalid("incident %d is resolved; reopen it first", id)
}

// MoveAlert moves an alert to another open incident, or to a new one
// (target 0). An incident left without alerts is resolved.
func (e *Engine) MoveAlert(ctx context.Context, alertID string, target int64, audit state.Audit) (*state.Incident, error) {
	e.mu.Lock()
	of, err := e.st.IncidentOfAlerts(ctx, []string{alertID})
	if err != nil {
		e.mu.Unlock()
		return nil, err
	}
	srcID, ok := of[alertID]
	if !ok {
		e.mu.Unlock()
		return nil, fmt.Errorf("alert %s is in no incident: %w", alertID, ErrNotFound)
	}
	if srcID == target {
		e.mu.Unlock()
		return nil, invalid("alert %s is already in incident %d", alertID, target)
	}
	var dst *live
	if target != 0 {
		if dst = e.open[target]; dst == nil {
			e.mu.Unlock()
			return nil, e.notOpen(ctx, target)
		}
	}
	srcInc, srcLive, err := e.get(ctx, srcID)
	if err != nil {
		e.mu.Unlock()
		return nil, err
	}
	alerts, err := e.st.IncidentAlerts(ctx, srcID)
	if err != nil {
		e.mu.Unlock()
		return nil, err
	}
	var moved state.IncidentAlert
	rest := alerts[:0]
	for _, a := range alerts {
		if a.AlertID == alertID {
			moved = a
		} else {
			rest = append(rest, a)
		}
	}
	b := newBatch()
	// The source, rebuilt from the alerts it keeps.
	srcRow := cloneIncident(srcInc)
	src := e.rebuild(&srcRow, rest)
	now := e.now().UTC()
	if len(rest) == 0 {
		src.inc.Status, src.inc.ResolvedAt = "Resolved", now
		src.inc.AlertCount = 0
	} else if srcLive != nil {
		e.setOpen(src)
	}
	if len(rest) == 0 {
		e.closeOpen(srcID)
	}
	b.touch(src)
	if dst == nil {
		dst = e.create(b, &moved)
	}
	moved.IncidentID = dst.inc.ID
	moved.LinkedAt = now
	moved.Reasons = append(moved.Reasons, state.LinkReason{Kind: "manual", FromID: srcID, AlertTime: moved.Time, Note: "moved by " + audit.Actor})
	e.addToLive(dst, &moved)
	b.touch(dst)
	b.alerts = append(b.alerts, moved)
	dst.pending = append(dst.pending, alertID)
	details, _ := json.Marshal(map[string]any{"alert": alertID, "from": srcID, "to": dst.inc.ID})
	b.activity = append(b.activity,
		state.IncidentActivity{IncidentID: srcID, Time: now, Actor: audit.Actor, Action: "alert.unlinked", Details: string(details)},
		state.IncidentActivity{IncidentID: dst.inc.ID, Time: now, Actor: audit.Actor, Action: "alert.linked", Details: string(details)})
	audit.Action, audit.Target, audit.Details = "incident.alert.move", "alert:"+alertID, details
	b.audits = []state.Audit{audit}
	err = e.commit(ctx, b, audit.Actor)
	e.mu.Unlock()
	if err != nil {
		return nil, err
	}
	e.notify(b)
	out := cloneIncident(dst.inc)
	return &out, nil
}
