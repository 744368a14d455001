package config

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// Incidents tunes incident correlation (docs/INCIDENTS.md, "Settings").
// It is set in the config file only. A setting left out keeps the
// correlation engine's default (package incident); windows names only the
// kinds it changes; a list given replaces the default list.
type Incidents struct {
	// Windows: per entity kind, how far apart in event time two alerts
	// sharing an entity of that kind may be and still link; 0 stops the
	// kind linking.
	Windows        map[string]Duration `yaml:"windows"`
	SequenceWindow *Duration           `yaml:"sequence_window"`
	MaxEntities    *int                `yaml:"max_entities"`
	MaxAlerts      *int                `yaml:"max_alerts"`
	// PrevalenceShare and PrevalenceMinDevices: an IP, file, URL or
	// sender seen on more than max(min devices, share × devices seen)
	// devices does not link.
	PrevalenceShare      *float64 `yaml:"prevalence_share"`
	PrevalenceMinDevices *int     `yaml:"prevalence_min_devices"`
	// DomainControllers (names or device ids) never link as devices.
	DomainControllers []string `yaml:"domain_controllers"`
	// IgnoredAccounts (names or SIDs) never link; given, the list
	// replaces the built-in identities (SYSTEM, LOCAL SERVICE, ...), so
	// an operator who adds one lists those too.
	IgnoredAccounts *[]string `yaml:"ignored_accounts"`
	// FlushAfter: how long an incident's derived fields may wait to be
	// written after alerts join it.
	FlushAfter    *Duration `yaml:"flush_after"`
	MaxRefsPerKey *int      `yaml:"max_refs_per_key"`
}

// IncidentEntityKinds are the entity kinds incidents.windows may name.
var IncidentEntityKinds = []string{"device", "account", "mailbox", "ip", "file", "process", "url", "sender"}

// Bounds of the incident settings: beyond them correlation either links
// nothing useful or holds unbounded memory.
const (
	maxIncidentWindow   = 30 * 24 * time.Hour
	maxIncidentEntities = 100_000
	maxIncidentAlerts   = 1_000_000
	maxIncidentRefs     = 1000
	maxIncidentFlush    = time.Hour
	maxIncidentListLen  = 10_000
)

func (i Incidents) validate(bad func(setting, format string, args ...any)) {
	kinds := make([]string, 0, len(i.Windows))
	for k := range i.Windows {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		key := "incidents.windows." + k
		if !slices.Contains(IncidentEntityKinds, k) {
			bad(key, "%q is not an entity kind (%s)", k, strings.Join(IncidentEntityKinds, ", "))
		}
		if w := time.Duration(i.Windows[k]); w < 0 || w > maxIncidentWindow {
			bad(key, "%s is outside 0..30d (0 stops the kind linking)", w)
		}
	}
	if d := i.SequenceWindow; d != nil && (*d < 0 || time.Duration(*d) > maxIncidentWindow) {
		bad("incidents.sequence_window", "%s is outside 0..30d (0 turns sequences off)", *d)
	}
	between := func(key string, v *int, lo, hi int) {
		if v != nil && (*v < lo || *v > hi) {
			bad(key, "%d is outside %d..%d", *v, lo, hi)
		}
	}
	between("incidents.max_entities", i.MaxEntities, 1, maxIncidentEntities)
	between("incidents.max_alerts", i.MaxAlerts, 1, maxIncidentAlerts)
	between("incidents.prevalence_min_devices", i.PrevalenceMinDevices, 1, maxIncidentAlerts)
	between("incidents.max_refs_per_key", i.MaxRefsPerKey, 1, maxIncidentRefs)
	// NaN fails both comparisons: the positive test catches it.
	if s := i.PrevalenceShare; s != nil && !(*s > 0 && *s <= 1) {
		bad("incidents.prevalence_share", "%v is outside (0, 1]", *s)
	}
	if d := i.FlushAfter; d != nil && (*d < 0 || time.Duration(*d) > maxIncidentFlush) {
		bad("incidents.flush_after", "%s is outside 0..1h (0 writes every change at once)", *d)
	}
	list := func(key string, vs []string) {
		if len(vs) > maxIncidentListLen {
			bad(key, "holds %d entries; at most %d", len(vs), maxIncidentListLen)
		}
		for n, v := range vs {
			if strings.TrimSpace(v) == "" {
				bad(key, "entry %d is empty", n)
			}
		}
	}
	list("incidents.domain_controllers", i.DomainControllers)
	if i.IgnoredAccounts != nil {
		list("incidents.ignored_accounts", *i.IgnoredAccounts)
	}
}
