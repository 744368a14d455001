package incident

import (
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

// live is an open incident as the engine holds it: the stored row, and
// what correlation and the row's derived fields need.
type live struct {
	inc  *state.Incident
	ents map[string]*seen // by entity identity (its first key)
	agg  aggregate
	// dirty: derived fields changed and not yet written (FlushAfter).
	dirty      bool
	dirtySince time.Time
	pending    []string // alerts added since the row was last written
	// isOpen: this is the engine's open incident of its id (setOpen,
	// closeOpen). Index refs to a live that is not are dead; a flag
	// rather than a map lookup per ref on the hot path.
	isOpen bool
	// streamed: the row of this batch's merge, already handed to the
	// store's change (Engine.stream); the batch writes no other.
	streamed *state.Incident
}

// seen is when an incident saw one entity.
type seen struct {
	kind, value string
	keys        []string
	first, last time.Time
	firstAlert  string
	lastAlert   string
	linkable    bool
}

// aggregate is what an incident's row derives from its alerts.
type aggregate struct {
	alerts      int
	sev         int
	first, last time.Time
	categories  map[string]struct{}
	techniques  map[string]struct{}
	service     map[string]struct{}
	detection   map[string]struct{}
	assets      map[string]map[string]struct{} // kind -> values
	title       string                         // of the first alert (a one-alert incident's name)
}

func newAggregate() aggregate {
	return aggregate{categories: map[string]struct{}{}, techniques: map[string]struct{}{}, service: map[string]struct{}{},
		detection: map[string]struct{}{}, assets: map[string]map[string]struct{}{}}
}

func (g *aggregate) add(a *state.IncidentAlert) {
	if g.alerts == 0 || a.Time.Before(g.first) {
		g.title = a.Title
	}
	g.alerts++
	g.sev = max(g.sev, sevRank(a.Severity))
	if g.first.IsZero() || a.Time.Before(g.first) {
		g.first = a.Time
	}
	if a.Time.After(g.last) {
		g.last = a.Time
	}
	put := func(m map[string]struct{}, v string) {
		if v != "" {
			m[v] = struct{}{}
		}
	}
	put(g.categories, a.Category)
	for _, t := range a.Techniques {
		put(g.techniques, t)
	}
	put(g.service, a.ServiceSource)
	put(g.detection, a.DetectionSource)
	for _, e := range a.Entities {
		switch e.Kind {
		case KindDevice, KindAccount, KindMailbox, KindApp, KindIP:
			m := g.assets[e.Kind]
			if m == nil {
				m = map[string]struct{}{}
				g.assets[e.Kind] = m
			}
			m[e.Value] = struct{}{}
		}
	}
}

func (g *aggregate) merge(o *aggregate) {
	if g.alerts == 0 || (o.alerts > 0 && o.first.Before(g.first)) {
		g.title = o.title
	}
	g.alerts += o.alerts
	g.sev = max(g.sev, o.sev)
	if g.first.IsZero() || (!o.first.IsZero() && o.first.Before(g.first)) {
		g.first = o.first
	}
	if o.last.After(g.last) {
		g.last = o.last
	}
	for _, p := range [][2]map[string]struct{}{{g.categories, o.categories}, {g.techniques, o.techniques}, {g.service, o.service}, {g.detection, o.detection}} {
		for k := range p[1] {
			p[0][k] = struct{}{}
		}
	}
	for kind, vals := range o.assets {
		m := g.assets[kind]
		if m == nil {
			m = map[string]struct{}{}
			g.assets[kind] = m
		}
		for v := range vals {
			m[v] = struct{}{}
		}
	}
}

// fill writes the derived fields into the incident row.
func (g *aggregate) fill(in *state.Incident, entities int) {
	in.AlertCount = g.alerts
	in.EntityCount = entities
	in.Severity = severities[g.sev]
	in.FirstActivity, in.LastActivity = g.first, g.last
	in.Categories = orderCategories(sortedKeys(g.categories))
	in.Techniques = sortedKeys(g.techniques)
	in.ServiceSources = sortedKeys(g.service)
	in.DetectionSources = sortedKeys(g.detection)
	in.Devices = sortedKeys(g.assets[KindDevice])
	in.Users = sortedKeys(g.assets[KindAccount])
	in.Mailboxes = sortedKeys(g.assets[KindMailbox])
	in.Apps = sortedKeys(g.assets[KindApp])
	in.IPs = sortedKeys(g.assets[KindIP])
	if g.alerts > 0 {
		in.Name = generateName(g, in)
	}
}
