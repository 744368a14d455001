package incident

import (
	"fmt"
	"strings"
	"time"
)

// Settings are the correlation engine's windows, thresholds and caps.
// docs/INCIDENTS.md documents each; Defaults are what a server uses when
// its configuration says nothing.
type Settings struct {
	// Windows says, per entity kind, how far apart in event time two
	// alerts sharing that entity may be and still link: an alert links
	// to an incident when its time falls within [first-W, last+W] of the
	// times the incident saw the entity. A kind absent here (or 0) never
	// links.
	Windows map[string]time.Duration
	// SequenceWindow: an email alert about a mailbox, then an alert by
	// the account with that address (a click, an execution) at most this
	// much later, link.
	SequenceWindow time.Duration
	// MaxEntities caps the distinct entities of an incident: an alert
	// that would take it over the cap does not join it, and two incidents
	// whose union is over it do not merge.
	MaxEntities int
	// MaxAlerts caps the alerts of an incident likewise.
	MaxAlerts int
	// PrevalenceShare and PrevalenceMinDevices: an IP, file, URL or
	// sender seen on more than max(PrevalenceMinDevices,
	// PrevalenceShare × devices seen) devices is high-prevalence and
	// does not link.
	PrevalenceShare      float64
	PrevalenceMinDevices int
	// DomainControllers (device names or ids, case-insensitive): a domain
	// controller is where every account authenticates, so sharing it
	// says nothing; it is an impacted asset but never links.
	DomainControllers []string
	// IgnoredAccounts (names or SIDs, case-insensitive) never link: the
	// built-in service identities every device has.
	IgnoredAccounts []string
	// FlushAfter: when alerts only join an existing incident, its row's
	// derived fields (counts, severity, assets, name) are written at most
	// this long after, together with later changes, instead of in every
	// batch; the alerts' own rows (incident, reasons) are always written
	// at once. 0 writes every change at once.
	FlushAfter time.Duration
	// MaxRefsPerKey bounds how many open incidents one entity key links
	// to (the most recent): an entity split over incidents by the caps
	// links a new alert to the latest of them, not to all.
	MaxRefsPerKey int
}

// Entity kinds.
const (
	KindDevice  = "device"
	KindAccount = "account"
	KindMailbox = "mailbox"
	KindIP      = "ip"
	KindFile    = "file"
	KindProcess = "process"
	KindURL     = "url"
	KindSender  = "sender"
	KindApp     = "app"
)

// Defaults returns the default settings.
func Defaults() Settings {
	return Settings{
		Windows: map[string]time.Duration{
			KindDevice:  24 * time.Hour,
			KindAccount: 24 * time.Hour,
			KindMailbox: 24 * time.Hour,
			KindFile:    24 * time.Hour,
			KindProcess: 24 * time.Hour,
			KindSender:  24 * time.Hour,
			KindIP:      8 * time.Hour,
			KindURL:     8 * time.Hour,
		},
		SequenceWindow:       24 * time.Hour,
		MaxEntities:          500,
		MaxAlerts:            5000,
		PrevalenceShare:      0.05,
		PrevalenceMinDevices: 10,
		IgnoredAccounts: []string{"system", "local service", "network service", "anonymous logon", "-",
			"S-1-5-18", "S-1-5-19", "S-1-5-20", "S-1-5-7", "S-1-0-0"},
		FlushAfter:    2 * time.Second,
		MaxRefsPerKey: 8,
	}
}

// Validate reports settings that cannot work.
func (s Settings) Validate() error {
	var errs []string
	for k, w := range s.Windows {
		switch k {
		case KindDevice, KindAccount, KindMailbox, KindIP, KindFile, KindProcess, KindURL, KindSender:
		default:
			errs = append(errs, fmt.Sprintf("windows: unknown entity kind %q", k))
		}
		if w < 0 {
			errs = append(errs, fmt.Sprintf("windows.%s: negative", k))
		}
	}
	if s.SequenceWindow < 0 {
		errs = append(errs, "sequenceWindow: negative")
	}
	if s.MaxEntities < 1 {
		errs = append(errs, "maxEntities: must be at least 1")
	}
	if s.MaxAlerts < 1 {
		errs = append(errs, "maxAlerts: must be at least 1")
	}
	if s.PrevalenceShare <= 0 || s.PrevalenceShare > 1 {
		errs = append(errs, "prevalenceShare: must be in (0, 1]")
	}
	if s.FlushAfter < 0 {
		errs = append(errs, "flushAfter: negative")
	}
	if s.MaxRefsPerKey < 1 {
		errs = append(errs, "maxRefsPerKey: must be at least 1")
	}
	if s.PrevalenceMinDevices < 1 {
		errs = append(errs, "prevalenceMinDevices: must be at least 1")
	}
	if len(errs) > 0 {
		return fmt.Errorf("incident settings: %s", strings.Join(errs, "; "))
	}
	return nil
}

// maxWindow is the longest link window: entities not seen for longer
// than this leave the index.
func (s Settings) maxWindow() time.Duration {
	m := s.SequenceWindow
	for _, w := range s.Windows {
		m = max(m, w)
	}
	return m
}
