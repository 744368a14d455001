package incident

import (
	"slices"
	"strconv"
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
	// refused is the note of the last merge into another incident this
	// one refused, and why: an incident at its cap refuses every alert
	// that links to it, each with the same note.
	refused struct {
		err  error
		note string
	}
}

// refusalNote is an alert's note that it also links to l, which could
// not be merged (err).
func (l *live) refusalNote(err error) string {
	if l.refused.err != err {
		l.refused.err = err
		l.refused.note = "also links to incident " + strconv.FormatInt(l.inc.ID, 10) + ", not merged: " + err.Error()
	}
	return l.refused.note
}

// seen is when an incident saw one entity (whose first key is its
// identity). These records are most of the engine's long-lived heap:
// they hold only what linking reads, with times as stamps, so that the
// collector has three pointers to visit in each rather than seven.
type seen struct {
	keys                  []string
	first, last           stamp
	firstAlert, lastAlert string
}

// stamp is a time without time.Time's location pointer.
type stamp struct {
	sec  int64
	nsec int32
}

func stampOf(t time.Time) stamp { return stamp{sec: t.Unix(), nsec: int32(t.Nanosecond())} }

// time is the stamp in UTC.
func (s stamp) time() time.Time { return time.Unix(s.sec, int64(s.nsec)).UTC() }

func (s stamp) before(o stamp) bool { return s.sec < o.sec || s.sec == o.sec && s.nsec < o.nsec }

// aggregate is what an incident's row derives from its alerts. Its sets
// are sorted slices, not maps: there are nine per open incident, most
// of a few members, and maps made them a large share of the engine's
// long-lived heap, which the collector walks in every cycle.
type aggregate struct {
	alerts      int
	sev         int
	first, last time.Time
	sets        [numLists][]string // each sorted, by list
	title       string             // of the first alert (a one-alert incident's name)
	// lists are the row's sorted lists as last filled, and stale the
	// bits of those whose set gained a member since: a row is written
	// about once per alert, and most alerts add no new member, so fill
	// copies only what changed. A list handed out is never changed in
	// place: shared marks the sets a list still shares, copied before
	// their next insert.
	lists  [numLists][]string
	stale  uint16
	shared uint16
	// named: the name was generated from these lists for more than
	// one alert, so it holds until a list changes.
	named bool
}

// The row's derived lists, as indexes of aggregate.lists.
const (
	listCategories = iota
	listTechniques
	listService
	listDetection
	listDevices
	listUsers
	listMailboxes
	listApps
	listIPs
	numLists
)

// assetList is the list of an asset kind, or -1.
func assetList(kind string) int {
	switch kind {
	case KindDevice:
		return listDevices
	case KindAccount:
		return listUsers
	case KindMailbox:
		return listMailboxes
	case KindApp:
		return listApps
	case KindIP:
		return listIPs
	}
	return -1
}

func newAggregate() aggregate {
	return aggregate{stale: 1<<numLists - 1}
}

// put adds v to the set of list i.
func (g *aggregate) put(i int, v string) {
	if v == "" {
		return
	}
	set := g.sets[i]
	at, found := slices.BinarySearch(set, v)
	if found {
		return
	}
	if g.shared&(1<<i) != 0 {
		set = append(make([]string, 0, len(set)+1), set...)
		g.shared &^= 1 << i
	}
	g.sets[i] = slices.Insert(set, at, v)
	g.stale |= 1 << i
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
	g.put(listCategories, a.Category)
	for _, t := range a.Techniques {
		g.put(listTechniques, t)
	}
	g.put(listService, a.ServiceSource)
	g.put(listDetection, a.DetectionSource)
	for _, e := range a.Entities {
		if i := assetList(e.Kind); i >= 0 {
			g.put(i, e.Value)
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
	for i, set := range o.sets {
		for _, v := range set {
			g.put(i, v)
		}
	}
}

// fill writes the derived fields into the incident row.
func (g *aggregate) fill(in *state.Incident, entities int) {
	in.AlertCount = g.alerts
	in.EntityCount = entities
	in.Severity = severities[g.sev]
	in.FirstActivity, in.LastActivity = g.first, g.last
	changed := g.stale != 0
	for i := range numLists {
		switch {
		case g.stale&(1<<i) == 0:
		case i == listCategories:
			// In kill-chain order: a list of its own.
			g.lists[i] = orderCategories(append([]string{}, g.sets[i]...))
		case g.sets[i] == nil:
			g.lists[i] = []string{}
		default:
			g.lists[i] = g.sets[i]
			g.shared |= 1 << i
		}
	}
	g.stale = 0
	in.Categories, in.Techniques = g.lists[listCategories], g.lists[listTechniques]
	in.ServiceSources, in.DetectionSources = g.lists[listService], g.lists[listDetection]
	in.Devices, in.Users, in.Mailboxes = g.lists[listDevices], g.lists[listUsers], g.lists[listMailboxes]
	in.Apps, in.IPs = g.lists[listApps], g.lists[listIPs]
	switch {
	case g.alerts == 0:
	case g.named && !changed && in.Name != "":
		// The name reads only the lists and alerts > 1: unchanged.
	default:
		in.Name = generateName(g, in)
		g.named = g.alerts > 1
	}
}
