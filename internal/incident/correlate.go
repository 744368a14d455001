package incident

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

// Engine correlates alerts into incidents and runs the analyst workflow
// on them. Its methods are safe for concurrent use; each holds the
// engine's lock for its whole change, store write included, so changes
// apply one at a time in a single order.
type Engine struct {
	st  state.IncidentStore
	set Settings
	// Now is the clock for created and updated times; nil is time.Now.
	Now func() time.Time
	// OnChange, when set, is told of every change after it is stored.
	// It runs on the changing goroutine: it must not block (queue the
	// event) and must not call back into the engine.
	OnChange func(IncidentEvent)

	mu        sync.Mutex
	nextID    int64
	open      map[int64]*live
	index     map[string][]ref
	prev      map[string]*devSet  // prevalence: entity key -> devices
	prevalent map[string]bool     // keys marked high-prevalence from outside (telemetry)
	devices   map[string]struct{} // every device seen in an alert
	dcs       map[string]bool     // device keys of domain controllers
	ignored   map[string]bool     // ignored account names and SIDs, lower-case
	watermark time.Time           // latest alert time seen
	sinceGC   int                 // alerts placed since the index sweep last started
	sweep     []string            // index keys the running sweep has still to visit
	sweepPer  int                 // keys visited per alert placed
	overCap   map[[2]*live]bool   // pairs whose entities together exceed the cap (canMerge)
	cands     []candidate         // candidates' buffer
	dirty     []dirtyMark         // incidents with unwritten derived fields, oldest first
	wall      func() time.Time
	// addrs maps an IP to the device (short host name) that used it as
	// its own address; ambiguous is an address two devices used.
	addrs map[string]string
}

// ambiguous marks an address seen on two devices: it names neither.
const ambiguous = "\x00"

// maxAddrs bounds the address map; past it, new addresses are not learnt.
const maxAddrs = 1_000_000

// ObserveAddresses learns which device uses which IP as its own (from
// DeviceNetworkEvents' LocalIP): an alert whose evidence names that IP
// (a copy over SMB from it, a logon from it) then links to the incident
// of that device. An address two devices used links nothing.
func (e *Engine) ObserveAddresses(ipToDevice map[string]string) {
	if len(ipToDevice) == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for ip, dev := range ipToDevice {
		ip, ok := linkableIP(ip)
		dev = shortHost(dev)
		if !ok || dev == "" {
			continue
		}
		switch cur, seen := e.addrs[ip]; {
		case !seen && len(e.addrs) < maxAddrs:
			e.addrs[ip] = dev
		case seen && cur != dev:
			e.addrs[ip] = ambiguous
		}
	}
}

// maxFlushPerCommit bounds how many deferred incident rows one batch
// writes, so that a backlog drains without one slow batch.
const maxFlushPerCommit = 2000

// ref points from an entity key to an open incident that saw it.
type ref struct {
	l *live
	s *seen
}

// maxPrevalenceDevices bounds the devices remembered per entity key.
const maxPrevalenceDevices = 10_000

// New builds an engine over a state store; call Load before use.
func New(st state.IncidentStore, set Settings) (*Engine, error) {
	if err := set.Validate(); err != nil {
		return nil, err
	}
	e := &Engine{st: st, set: set, wall: time.Now, addrs: map[string]string{}}
	e.reset()
	for _, dc := range set.DomainControllers {
		e.dcs["dev:"+shortHost(dc)] = true
		e.dcs["devid:"+strings.ToLower(dc)] = true
	}
	for _, a := range set.IgnoredAccounts {
		e.ignored[strings.ToLower(a)] = true
	}
	return e, nil
}

func (e *Engine) reset() {
	for _, l := range e.open {
		l.isOpen = false
	}
	e.open = map[int64]*live{}
	e.index = map[string][]ref{}
	e.sweep, e.sinceGC = nil, 0
	e.prev = map[string]*devSet{}
	if e.prevalent == nil {
		e.prevalent = map[string]bool{}
	}
	e.devices = map[string]struct{}{}
	e.overCap = map[[2]*live]bool{}
	e.dirty = nil
	if e.dcs == nil {
		e.dcs = map[string]bool{}
		e.ignored = map[string]bool{}
	}
	e.watermark = time.Time{}
}

// setOpen makes l the open incident of its id; a live it replaces
// stops linking.
func (e *Engine) setOpen(l *live) {
	if old := e.open[l.inc.ID]; old != nil && old != l {
		old.isOpen = false
	}
	e.open[l.inc.ID] = l
	l.isOpen = true
}

// closeOpen removes an incident from the open ones.
func (e *Engine) closeOpen(id int64) {
	if l := e.open[id]; l != nil {
		l.isOpen = false
		delete(e.open, id)
	}
}

// Settings returns the engine's settings.
func (e *Engine) Settings() Settings { return e.set }

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// Load rebuilds the engine's memory from the store: the open incidents,
// their entities, and prevalence from their alerts.
func (e *Engine) Load(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.load(ctx)
}

func (e *Engine) load(ctx context.Context) error {
	e.reset()
	maxID, err := e.st.MaxIncidentID(ctx)
	if err != nil {
		return fmt.Errorf("incidents: %w", err)
	}
	e.nextID = maxID + 1
	incs, alerts, err := e.st.OpenIncidents(ctx)
	if err != nil {
		return fmt.Errorf("incidents: %w", err)
	}
	byID := map[int64][]state.IncidentAlert{}
	for _, a := range alerts {
		byID[a.IncidentID] = append(byID[a.IncidentID], a)
	}
	for i := range incs {
		in := incs[i]
		l := e.rebuild(&in, byID[in.ID])
		e.setOpen(l)
		// A row whose deferred fields were not written before a stop
		// is written again soon.
		if in.AlertCount != l.agg.alerts {
			e.markDirty(l)
		}
	}
	for _, a := range alerts {
		e.observe(a.Time, a.Entities)
	}
	return nil
}

// rebuild makes a live incident from its row and alerts, indexing its
// entities.
func (e *Engine) rebuild(in *state.Incident, alerts []state.IncidentAlert) *live {
	l := &live{inc: in, ents: map[string]*seen{}, agg: newAggregate()}
	for i := range alerts {
		e.addToLive(l, &alerts[i])
	}
	return l
}

// MarkPrevalent records entity keys known to be high-prevalence from
// telemetry (an IP many devices talk to); kind is ip, file or url.
func (e *Engine) MarkPrevalent(kind string, values []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, v := range values {
		v = strings.ToLower(strings.TrimSpace(v))
		switch kind {
		case KindIP:
			if ip, ok := linkableIP(v); ok {
				e.prevalent["ip:"+ip] = true
			}
		case KindFile:
			e.prevalent["sha256:"+v] = true
			e.prevalent["sha1:"+v] = true
		case KindURL:
			e.prevalent["url:"+v] = true
		}
	}
}

// batch collects one change before it is stored.
type batch struct {
	changed  map[int64]*live
	order    []*live
	alerts   []state.IncidentAlert
	merges   []state.IncidentMerge
	activity []state.IncidentActivity
	comments []state.IncidentComment
	audits   []state.Audit
	events   []IncidentEvent
	created  []int64
	// mergedLives are the sources of merges, in step with merges.
	mergedLives []*live
	// stream, when the store can, writes the alert rows placed and the
	// merges made so far while the rest are placed; sent of b.alerts and
	// mergesSent of b.merges were handed to it.
	stream     state.IncidentChangeWriter
	sent       int
	mergesSent int
	// rederivable: correlation's own change (Ingest, Flush), which the
	// catch-up re-derives from the event store if it is lost.
	rederivable bool
}

func newBatch() *batch {
	return &batch{changed: map[int64]*live{}}
}

// streamChunk is how many placed alerts go to the store's writer at once.
const streamChunk = 50

// stream hands the store the alert rows placed since the last chunk once
// there are streamChunk of them, and the merges made, beginning the
// store's change at the first chunk if Ingest has not. An alert row is final once placed
// (merges move no alert row), and a merged incident's row once merged (it
// is closed).
func (e *Engine) stream(ctx context.Context, b *batch) {
	if len(b.alerts)-b.sent < streamChunk {
		return
	}
	if !e.beginStream(ctx, b) {
		return
	}
	var merges []state.MergeRow
	for ; b.mergesSent < len(b.merges); b.mergesSent++ {
		l := b.mergedLives[b.mergesSent]
		row := *l.inc
		l.streamed = &row
		merges = append(merges, state.MergeRow{Source: &row, Merge: b.merges[b.mergesSent]})
	}
	// Full slice expression: the writer reads these rows while later
	// ones are appended (b.alerts has room for every alert: no copy).
	b.stream.Add(b.alerts[b.sent:len(b.alerts):len(b.alerts)], merges)
	b.sent = len(b.alerts)
}

// beginStream begins the batch's store change, if the store streams
// and it has not begun; it reports whether the change is open.
func (e *Engine) beginStream(ctx context.Context, b *batch) bool {
	if b.stream == nil {
		s, ok := e.st.(state.IncidentStreamer)
		if !ok {
			return false
		}
		b.stream = s.BeginIncidentChange(ctx, b.rederivable)
	}
	return true
}

// abort ends a batch's store change if it is still open (a batch that
// writes nothing, or a panic while placing): the store's writer would
// otherwise hold its write transaction.
func (b *batch) abort() {
	if b.stream != nil {
		b.stream.Abort()
		b.stream = nil
	}
}

func (b *batch) touch(l *live) {
	if _, ok := b.changed[l.inc.ID]; !ok {
		b.changed[l.inc.ID] = l
		b.order = append(b.order, l)
	}
}

// Ingest correlates alerts: each joins an open incident it links to, or
// opens one; links to several incidents merge them where Defender's
// conditions allow. Alerts are placed in (time, id) order, and alerts
// already in an incident are skipped, so replaying alerts changes
// nothing. The batch is stored in one transaction; on a store error the
// engine reloads its memory from the store and the alerts stay out.
func (e *Engine) Ingest(ctx context.Context, alerts []Alert) error {
	if len(alerts) == 0 {
		return nil
	}
	as := make([]*Alert, 0, len(alerts))
	ids := make([]string, 0, len(alerts))
	for i := range alerts {
		if alerts[i].ID == "" {
			continue
		}
		as = append(as, &alerts[i])
		ids = append(ids, alerts[i].ID)
	}
	sort.Slice(as, func(i, j int) bool { return alertLess(as[i], as[j]) })
	e.mu.Lock()
	b := newBatch()
	b.rederivable = true
	b.alerts = make([]state.IncidentAlert, 0, len(as))
	defer b.abort()
	if len(as) >= streamChunk {
		// The store's change begins (and waits for the writer, or for
		// the WAL to be copied) while the batch's alerts are looked up
		// and its first are placed.
		e.beginStream(ctx, b)
	}
	known, err := e.st.IncidentOfAlerts(ctx, ids)
	if err != nil {
		e.mu.Unlock()
		return fmt.Errorf("incidents: %w", err)
	}
	for _, a := range as {
		if _, ok := known[a.ID]; ok {
			continue
		}
		known[a.ID] = 0
		e.place(b, a)
		e.stream(ctx, b)
	}
	e.takeDirty(b, false)
	if len(b.order) == 0 && len(b.alerts) == 0 {
		e.mu.Unlock()
		return nil
	}
	details, _ := json.Marshal(map[string]any{"alerts": len(b.alerts), "created": b.created, "merges": b.merges, "written": len(b.order)})
	b.audits = append([]state.Audit{{Time: e.now(), Actor: "system", Action: "incident.correlate", Target: "incidents",
		Remote: "local", Details: details}}, b.audits...)
	err = e.commit(ctx, b, "system")
	e.mu.Unlock()
	if err != nil {
		return err
	}
	e.notify(b)
	return nil
}

// candidate is an open incident an alert links to, and why.
type candidate struct {
	l      *live
	reason state.LinkReason
}

// place puts one alert in an incident.
func (e *Engine) place(b *batch, a *Alert) {
	ents := entitiesOf(a)
	ia := state.IncidentAlert{AlertID: a.ID, Time: a.Time.UTC(), Title: a.Title, Severity: normSeverity(a.Severity), Category: a.Category,
		ServiceSource: a.ServiceSource, DetectionSource: a.DetectionSource, Techniques: a.Techniques, Entities: ents}
	e.observe(ia.Time, ents)
	cands := e.candidates(&ia)
	ia.Reasons = make([]state.LinkReason, 0, max(len(cands), 1))
	var target *live
	for _, c := range cands {
		if e.accepts(c.l, &ia) {
			target = c.l
			ia.Reasons = append(ia.Reasons, c.reason)
			break
		}
	}
	if target == nil {
		target = e.create(b, &ia)
		r := state.LinkReason{Kind: "opened", AlertTime: ia.Time}
		if len(cands) > 0 {
			r.Note = fmt.Sprintf("links to incident %d but it is at its cap of %d entities or %d alerts", cands[0].l.inc.ID, e.set.MaxEntities, e.set.MaxAlerts)
		}
		ia.Reasons = append(ia.Reasons, r)
	} else {
		for _, c := range cands {
			if c.l == target || !c.l.isOpen {
				continue
			}
			r := c.reason
			if err := e.canMerge(target, c.l); err != nil {
				r.Note = c.l.refusalNote(err)
			} else {
				r.Note = "also linked to incident " + strconv.FormatInt(c.l.inc.ID, 10) + ", which was merged into this one"
				e.mergeInto(b, target, c.l, "system", r)
			}
			ia.Reasons = append(ia.Reasons, r)
		}
	}
	ia.IncidentID = target.inc.ID
	e.addToLive(target, &ia)
	e.changed(b, target)
	b.alerts = append(b.alerts, ia)
	target.pending = append(target.pending, ia.AlertID)
	e.sinceGC++
	e.gc()
}

func normSeverity(s string) string {
	return severities[sevRank(s)]
}

// changed records that an incident gained alerts: its row is written in
// this batch if the batch writes it anyway, else within FlushAfter.
func (e *Engine) changed(b *batch, l *live) {
	if _, ok := b.changed[l.inc.ID]; ok || e.set.FlushAfter == 0 {
		b.touch(l)
		return
	}
	if !l.dirty {
		e.markDirty(l)
	}
}

// dirtyMark queues an incident whose row is to be written: since is
// when it became dirty. A mark is stale once its incident was written,
// closed, or became dirty again (which queued a newer mark): a stale
// mark is dropped, never waited for, so that an incident written and
// dirtied again and again does not hold back the marks behind its first
// (and, with them, merged incidents' memory and rows past FlushAfter).
type dirtyMark struct {
	l     *live
	since time.Time
}

func (m dirtyMark) stale() bool {
	return !m.l.dirty || !m.l.isOpen || !m.l.dirtySince.Equal(m.since)
}

// markDirty records that l's row has unwritten changes since now.
func (e *Engine) markDirty(l *live) {
	l.dirty, l.dirtySince = true, e.wall()
	e.dirty = append(e.dirty, dirtyMark{l: l, since: l.dirtySince})
}

// takeDirty adds to a batch the deferred incidents due (all with all).
func (e *Engine) takeDirty(b *batch, all bool) {
	due := e.wall().Add(-e.set.FlushAfter)
	n := 0
	for len(e.dirty) > 0 {
		m := e.dirty[0]
		if !m.stale() && !all && (n >= maxFlushPerCommit || m.since.After(due)) {
			break
		}
		// Clear the slot: the backing array outlives the slice's front.
		e.dirty[0] = dirtyMark{}
		e.dirty = e.dirty[1:]
		if m.stale() {
			continue
		}
		b.touch(m.l)
		n++
	}
	if len(e.dirty) == 0 {
		e.dirty = nil
	}
}

// Flush writes every deferred incident row now (at shutdown, and from a
// ticker when no alerts come).
func (e *Engine) Flush(ctx context.Context) error {
	e.mu.Lock()
	b := newBatch()
	b.rederivable = true
	e.takeDirty(b, true)
	if len(b.order) == 0 {
		e.mu.Unlock()
		return nil
	}
	details, _ := json.Marshal(map[string]any{"flushed": len(b.order)})
	b.audits = []state.Audit{{Time: e.now(), Actor: "system", Action: "incident.correlate", Target: "incidents", Remote: "local", Details: details}}
	err := e.commit(ctx, b, "system")
	e.mu.Unlock()
	if err != nil {
		return err
	}
	e.notify(b)
	return nil
}

// create opens a new incident for an alert.
func (e *Engine) create(b *batch, ia *state.IncidentAlert) *live {
	in := &state.Incident{ID: e.nextID, Status: "New", CreatedAt: e.now().UTC(), Tags: []string{}, SystemTags: []string{}}
	e.nextID++
	l := &live{inc: in, ents: map[string]*seen{}, agg: newAggregate()}
	e.setOpen(l)
	b.touch(l)
	b.created = append(b.created, in.ID)
	details, _ := json.Marshal(map[string]string{"alert": ia.AlertID})
	b.activity = append(b.activity, state.IncidentActivity{IncidentID: in.ID, Time: e.now(), Actor: "system", Action: "created", Details: string(details)})
	return l
}

// candidates lists the open incidents an alert links to, oldest first,
// each with the first reason found.
func (e *Engine) candidates(ia *state.IncidentAlert) []candidate {
	// One buffer for every alert: place reads the list before the next.
	out := e.cands[:0]
	defer func() { e.cands = out }()
	// An alert links to a handful of incidents: a scan beats a map. Only
	// the first reason per incident is kept, so it is built only then.
	known := func(r ref) bool {
		for i := range out {
			if out[i].l == r.l {
				return true
			}
		}
		return false
	}
	found := func(r ref, reason state.LinkReason) {
		out = append(out, candidate{l: r.l, reason: reason})
	}
	for _, ent := range ia.Entities {
		if !e.linkable(&ent) {
			continue
		}
		w := e.set.Windows[ent.Kind]
		for _, k := range ent.Keys {
			for _, r := range e.lookup(k) {
				first, last := r.s.first.time(), r.s.last.time()
				if known(r) || ia.Time.Before(first.Add(-w)) || ia.Time.After(last.Add(w)) {
					continue
				}
				other, at := r.s.lastAlert, last
				if ia.Time.Before(first) {
					other, at = r.s.firstAlert, first
				}
				found(r, state.LinkReason{Kind: "entity", EntityKind: ent.Kind, EntityValue: ent.Value, Key: k,
					OtherAlert: other, OtherTime: at, AlertTime: ia.Time})
			}
		}
		// An IP that is another device's own address links to that
		// device's incident.
		if ent.Kind == KindIP && e.set.Windows[KindDevice] > 0 {
			if dev := e.addrs[ent.Value]; dev != "" && dev != ambiguous {
				k := "dev:" + dev
				if !e.dcs[k] && !slices.ContainsFunc(ia.Entities, func(x state.IncidentEntity) bool { return slices.Contains(x.Keys, k) }) {
					wd := e.set.Windows[KindDevice]
					for _, r := range e.lookup(k) {
						first, last := r.s.first.time(), r.s.last.time()
						if known(r) || ia.Time.Before(first.Add(-wd)) || ia.Time.After(last.Add(wd)) {
							continue
						}
						found(r, state.LinkReason{Kind: "entity", EntityKind: KindIP, EntityValue: ent.Value, Key: k,
							OtherAlert: r.s.lastAlert, OtherTime: last, AlertTime: ia.Time,
							Note: ent.Value + " is the address of device " + dev})
					}
				}
			}
		}
		// A sequence: an email to this account's address, then this.
		if ent.Kind == KindAccount && e.set.SequenceWindow > 0 {
			for _, k := range ent.Keys {
				upn, ok := strings.CutPrefix(k, "upn:")
				if !ok {
					continue
				}
				for _, r := range e.lookup("mail:" + upn) {
					first := r.s.first.time()
					if known(r) || ia.Time.Before(first) || ia.Time.After(first.Add(e.set.SequenceWindow)) {
						continue
					}
					found(r, state.LinkReason{Kind: "sequence", EntityKind: KindMailbox, EntityValue: upn, Key: "mail:" + upn,
						OtherAlert: r.s.firstAlert, OtherTime: first, AlertTime: ia.Time,
						Note: "an email alert on this mailbox, then an alert by the same user"})
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b candidate) int { return cmp.Compare(a.l.inc.ID, b.l.inc.ID) })
	return out
}

// lookup returns the live refs of a key, dropping those of incidents no
// longer open.
func (e *Engine) lookup(k string) []ref {
	rs := e.index[k]
	kept := rs[:0]
	// A ref stays valid while its incident is open: an open incident's
	// entity records are never replaced (addToLive and mergeInto only
	// add), so r.s is still r.l's record of the entity.
	for _, r := range rs {
		if r.l.isOpen {
			kept = append(kept, r)
		}
	}
	if len(kept) == 0 {
		delete(e.index, k)
		return nil
	}
	if len(kept) != len(rs) {
		clear(rs[len(kept):])
		e.index[k] = kept
	}
	return kept
}

// linkable reports whether an entity may link alerts at all.
func (e *Engine) linkable(ent *state.IncidentEntity) bool {
	if len(ent.Keys) == 0 || e.set.Windows[ent.Kind] <= 0 {
		return false
	}
	switch ent.Kind {
	case KindDevice:
		for _, k := range ent.Keys {
			if e.dcs[k] {
				return false
			}
		}
	case KindAccount:
		return !e.ignoredAccount(ent)
	case KindIP, KindFile, KindURL, KindSender:
		for _, k := range ent.Keys {
			if e.isPrevalent(k) {
				return false
			}
		}
	}
	return true
}

func (e *Engine) ignoredAccount(ent *state.IncidentEntity) bool {
	for _, k := range ent.Keys {
		if sid, ok := strings.CutPrefix(k, "sid:"); ok && e.ignored[sid] {
			return true
		}
		if acct, ok := strings.CutPrefix(k, "acct:"); ok {
			domain, name, _ := strings.Cut(acct, `\`)
			if e.ignored[name] || domain == "nt authority" || domain == "font driver host" || domain == "window manager" {
				return true
			}
		}
	}
	return false
}

func (e *Engine) isPrevalent(k string) bool {
	if e.prevalent[k] {
		return true
	}
	n := e.prev[k].len()
	thr := max(float64(e.set.PrevalenceMinDevices), e.set.PrevalenceShare*float64(len(e.devices)))
	return float64(n) > thr
}

// observe counts the devices each IP, file, URL and sender was seen on.
func (e *Engine) observe(t time.Time, ents []state.IncidentEntity) {
	if t.After(e.watermark) {
		e.watermark = t
	}
	var devs []string
	for _, ent := range ents {
		if ent.Kind == KindDevice && len(ent.Keys) > 0 {
			devs = append(devs, ent.Keys[0])
			e.devices[ent.Keys[0]] = struct{}{}
		}
	}
	if len(devs) == 0 {
		return
	}
	for _, ent := range ents {
		switch ent.Kind {
		case KindIP, KindFile, KindURL, KindSender:
			for _, k := range ent.Keys {
				m := e.prev[k]
				if m == nil {
					m = &devSet{}
					e.prev[k] = m
				}
				for _, d := range devs {
					m.add(d, maxPrevalenceDevices)
				}
			}
		}
	}
}

// accepts reports whether an alert fits an incident's caps.
func (e *Engine) accepts(l *live, ia *state.IncidentAlert) bool {
	if l.agg.alerts+1 > e.set.MaxAlerts {
		return false
	}
	n := len(l.ents)
	if n+len(ia.Entities) <= e.set.MaxEntities {
		// Within the cap even if every entity is new: no lookups.
		return true
	}
	for _, ent := range ia.Entities {
		if _, ok := l.ents[identity(&ent)]; !ok {
			n++
		}
	}
	return n <= e.set.MaxEntities
}

func identity(ent *state.IncidentEntity) string {
	if len(ent.Keys) > 0 {
		return ent.Keys[0]
	}
	return ent.Kind + "|" + strings.ToLower(ent.Value)
}

// addToLive records an alert in a live incident: its entities (indexed
// for linking) and the derived fields.
func (e *Engine) addToLive(l *live, ia *state.IncidentAlert) {
	at := stampOf(ia.Time)
	for i := range ia.Entities {
		ent := &ia.Entities[i]
		id := identity(ent)
		s := l.ents[id]
		if s == nil {
			// The alert's own keys (the first is the identity), shared
			// rather than copied, and clipped so that a key added later
			// copies them rather than writing into the alert's slice.
			keys := slices.Clip(ent.Keys)
			if len(keys) == 0 || !distinct(keys) {
				keys = []string{id}
			}
			s = &seen{keys: keys, first: at, last: at, firstAlert: ia.AlertID, lastAlert: ia.AlertID}
			l.ents[id] = s
			for _, k := range keys {
				e.addRef(k, ref{l, s})
			}
		} else {
			if at.before(s.first) {
				s.first, s.firstAlert = at, ia.AlertID
			}
			if !at.before(s.last) {
				s.last, s.lastAlert = at, ia.AlertID
			}
		}
		for _, k := range ent.Keys {
			if !slices.Contains(s.keys, k) {
				s.keys = append(s.keys, k)
				e.addRef(k, ref{l, s})
			}
		}
	}
	l.agg.add(ia)
}

// distinct reports whether an entity's few keys differ from each other.
func distinct(keys []string) bool {
	for i := 1; i < len(keys); i++ {
		if slices.Contains(keys[:i], keys[i]) {
			return false
		}
	}
	return true
}

// addRef indexes an entity key of an incident, keeping the most recent
// MaxRefsPerKey incidents per key.
func (e *Engine) addRef(k string, r ref) {
	rs := e.index[k]
	if len(rs) >= e.set.MaxRefsPerKey {
		rs = e.lookup(k)
		if len(rs) >= e.set.MaxRefsPerKey {
			copy(rs, rs[1:])
			rs = rs[:len(rs)-1]
		}
	}
	e.index[k] = append(rs, r)
}

// gcEvery is how many alerts one sweep of the index spans.
const gcEvery = 50_000

// gc drops index entries no alert can link to any more: entities last
// seen more than twice the longest window before the newest alert (the
// slack keeps late alerts linking). It runs a little per alert: a sweep
// lists the keys once every gcEvery alerts and visits them over the next
// gcEvery, so that no batch walks the whole index (which, at a million
// open alerts, took one batch in a hundred from tens to hundreds of
// milliseconds).
func (e *Engine) gc() {
	if len(e.sweep) == 0 {
		if e.sinceGC < gcEvery {
			return
		}
		e.sinceGC = 0
		// Pairs of closed or merged incidents are dead weight; the rest
		// are cheaply found again.
		clear(e.overCap)
		for k := range e.index {
			e.sweep = append(e.sweep, k)
		}
		e.sweepPer = len(e.sweep)/gcEvery + 1
	}
	cut := stampOf(e.watermark.Add(-2 * e.set.maxWindow()))
	for range min(e.sweepPer, len(e.sweep)) {
		k := e.sweep[len(e.sweep)-1]
		e.sweep[len(e.sweep)-1] = ""
		e.sweep = e.sweep[:len(e.sweep)-1]
		rs, ok := e.index[k]
		if !ok {
			continue
		}
		kept := rs[:0]
		for _, r := range rs {
			if r.l.isOpen && cut.before(r.s.last) {
				kept = append(kept, r)
			}
		}
		switch {
		case len(kept) == 0:
			delete(e.index, k)
		case len(kept) < len(rs):
			clear(rs[len(kept):])
			e.index[k] = kept
		}
	}
}

// commit stores a batch; on failure the engine's memory is rebuilt from
// the store, which still holds the state before the batch.
func (e *Engine) commit(ctx context.Context, b *batch, actor string) error {
	ch := &state.IncidentChange{Alerts: b.alerts[b.sent:], Merges: b.merges[b.mergesSent:], Activity: b.activity, Comments: b.comments,
		Rederivable: b.rederivable}
	// written[i] is b.order[i]'s row: handed over now, or at its merge.
	written := make([]*state.Incident, len(b.order))
	rows := make([]*state.Incident, 0, len(b.order))
	for i, l := range b.order {
		if l.streamed != nil {
			written[i], l.streamed = l.streamed, nil
			continue
		}
		l.agg.fill(l.inc, len(l.ents))
		cp := *l.inc
		written[i] = &cp
		rows = append(rows, &cp)
	}
	ch.Incidents = rows
	var err error
	if b.stream != nil {
		err = b.stream.Commit(ch, b.audits)
		b.stream = nil
	} else {
		err = e.st.SaveIncidents(ctx, ch, b.audits)
	}
	if err != nil {
		if lerr := e.load(context.WithoutCancel(ctx)); lerr != nil {
			return fmt.Errorf("incidents: %w (and reloading: %v)", err, lerr)
		}
		return fmt.Errorf("incidents: %w", err)
	}
	created := map[int64]bool{}
	for _, id := range b.created {
		created[id] = true
	}
	now := e.now().UTC()
	if e.OnChange != nil {
		b.events = make([]IncidentEvent, 0, len(b.order))
	}
	for i, l := range b.order {
		l.inc.Version, l.inc.UpdatedAt, l.inc.CreatedAt = written[i].Version, written[i].UpdatedAt, written[i].CreatedAt
		l.dirty = false
		added := l.pending
		l.pending = nil
		if e.OnChange == nil {
			// No listener: no event to build (each clones the row).
			continue
		}
		typ := "updated"
		switch {
		case l.inc.RedirectTo != 0:
			typ = "merged"
		case created[l.inc.ID]:
			typ = "created"
		case l.inc.Status == "Resolved":
			typ = "resolved"
		}
		b.events = append(b.events, IncidentEvent{Type: typ, Incident: cloneIncident(l.inc), Into: l.inc.RedirectTo,
			AlertIDs: added, Actor: actor, Time: now})
	}
	return nil
}

func (e *Engine) notify(b *batch) {
	if e.OnChange == nil {
		return
	}
	for _, ev := range b.events {
		e.OnChange(ev)
	}
}

func cloneIncident(in *state.Incident) state.Incident {
	c := *in
	for _, p := range []*[]string{&c.Tags, &c.SystemTags, &c.Categories, &c.Techniques, &c.Devices, &c.Users, &c.Mailboxes, &c.Apps, &c.IPs,
		&c.ServiceSources, &c.DetectionSources, &c.Investigations, &c.Actions} {
		*p = slices.Clone(*p)
		if *p == nil {
			*p = []string{}
		}
	}
	return c
}
