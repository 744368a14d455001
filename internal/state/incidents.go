package state

import (
	"context"
	"errors"
	"time"
)

// ErrBadCursor is a paging cursor a listing did not hand out (or one for
// another sort order).
var ErrBadCursor = errors.New("cursor is not one a listing returned")

// IncidentStore keeps incidents: the correlation engine (package incident)
// is their only writer inside a server, and writes its changes in batches
// (SaveIncidents); the API reads them back with the queries here.
type IncidentStore interface {
	// SaveIncidents applies one batch of changes in one transaction with
	// its audit entries (at least one). An incident written with Version
	// v > 0 must be stored at v (it is bumped to v+1); Version 0 inserts a
	// new incident at version 1. Any mismatch is ErrConflict and nothing
	// is written. On success the versions in ch are bumped.
	SaveIncidents(ctx context.Context, ch *IncidentChange, audits []Audit) error
	IncidentByID(ctx context.Context, id int64) (*Incident, error)
	ListIncidents(ctx context.Context, f IncidentFilter) (*IncidentPage, error)
	// OpenIncidents are those not resolved (and so not redirected), with
	// their alerts: what the correlation engine loads at start.
	OpenIncidents(ctx context.Context) ([]Incident, []IncidentAlert, error)
	// IncidentAlerts are the alerts now in an incident (none for a
	// redirected one), oldest first.
	IncidentAlerts(ctx context.Context, incidentID int64) ([]IncidentAlert, error)
	// IncidentOfAlerts maps the given alert ids to the incident each
	// belongs to; alerts in none are absent.
	IncidentOfAlerts(ctx context.Context, alertIDs []string) (map[string]int64, error)
	// IncidentComments and IncidentActivity are an incident's own and
	// those of the incidents merged into it, at any depth, oldest first,
	// each with IncidentID incidentID; the details of an activity entry
	// of a merged incident carry "fromIncident", its id.
	IncidentComments(ctx context.Context, incidentID int64) ([]IncidentComment, error)
	IncidentActivity(ctx context.Context, incidentID int64) ([]IncidentActivity, error)
	// ListIncidentAlerts pages through the alerts in incidents, newest
	// linked first, with each one's triage status.
	ListIncidentAlerts(ctx context.Context, f IncidentAlertFilter) ([]IncidentAlertRow, error)
	// MaxIncidentID is the highest id ever given (0 for none).
	MaxIncidentID(ctx context.Context) (int64, error)
}

// IncidentStreamer is an IncidentStore that writes a change's alert rows
// while its writer is still building the change: correlation places a
// batch's alerts on one goroutine while the store inserts those already
// placed on another.
type IncidentStreamer interface {
	// BeginIncidentChange starts one change, to be ended by exactly one
	// Commit or Abort of the writer it returns. Until then the store
	// holds its write transaction (other writes wait).
	BeginIncidentChange(ctx context.Context, rederivable bool) IncidentChangeWriter
}

// IncidentChangeWriter is one change being written (IncidentStreamer).
type IncidentChangeWriter interface {
	// Add queues alert rows of the change, in order, and merges, each
	// with its source's row, final when given (RedirectTo the merge's
	// target): the row is written, as SaveIncidents does for ch.Merges;
	// the row's version and times are set on commit. All are read after the
	// call returns: the caller must not change them.
	Add(alerts []IncidentAlert, merges []MergeRow)
	// Commit writes the rest of the change (ch.Alerts follow those
	// added; ch.Rederivable is ignored for the one given at the start)
	// and commits it whole, as SaveIncidents does: on any error, the rows
	// added are not stored either.
	Commit(ch *IncidentChange, audits []Audit) error
	// Abort ends the change without storing any of it.
	Abort()
}

// MergeRow is a merge with its source's row (IncidentChangeWriter.Add).
type MergeRow struct {
	Source *Incident
	Merge  IncidentMerge
}

// Incident is a group of correlated alerts and the analyst's work on it.
type Incident struct {
	ID             int64
	Name           string
	Severity       string // Informational, Low, Medium, High: the highest of its alerts
	Status         string // New, InProgress, Resolved
	Assignee       string
	Classification string // TruePositive, InformationalExpectedActivity, FalsePositive
	Determination  string
	Tags           []string // set by analysts
	SystemTags     []string // Redirected, Attack Disruption, Deception
	Categories     []string
	Techniques     []string
	// Impacted assets.
	Devices   []string
	Users     []string
	Mailboxes []string
	Apps      []string
	IPs       []string
	// Sources of its alerts.
	ServiceSources   []string
	DetectionSources []string
	AlertCount       int
	EntityCount      int
	FirstActivity    time.Time
	LastActivity     time.Time
	// RedirectTo is the incident this one was merged into (0: none).
	RedirectTo int64
	// Investigations and actions linked to the incident (their ids).
	Investigations []string
	Actions        []string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	ResolvedAt     time.Time
	Version        int64
}

// IncidentAlert is an alert's place in an incident, with what correlation
// needs of it: its time, its entities and why it joined.
type IncidentAlert struct {
	AlertID         string
	IncidentID      int64
	Time            time.Time
	Title           string
	Severity        string
	Category        string
	ServiceSource   string
	DetectionSource string
	Techniques      []string
	Entities        []IncidentEntity
	Reasons         []LinkReason
	LinkedAt        time.Time
}

// IncidentEntity is one entity of an alert as correlation reads it.
type IncidentEntity struct {
	Kind  string   `json:"kind"`  // device, account, mailbox, ip, file, process, url, sender, app
	Value string   `json:"value"` // what a person reads
	Keys  []string `json:"keys"`  // what links: any shared key is the same entity
	Role  string   `json:"role,omitempty"`
}

// LinkReason says why an alert is in its incident.
type LinkReason struct {
	// Kind: "opened" (first alert), "entity" (a shared entity within its
	// window), "sequence" (an email to a user, then that user's activity),
	// "merge" (its incident was merged), "manual" (an analyst moved it).
	Kind        string    `json:"kind"`
	EntityKind  string    `json:"entityKind,omitempty"`
	EntityValue string    `json:"entityValue,omitempty"`
	Key         string    `json:"key,omitempty"`
	OtherAlert  string    `json:"otherAlert,omitempty"` // the alert it shares the entity with
	OtherTime   time.Time `json:"otherTime,omitzero"`   // when the entity was seen there
	AlertTime   time.Time `json:"alertTime,omitzero"`
	FromID      int64     `json:"fromIncident,omitempty"` // merge and manual: where it came from
	Note        string    `json:"note,omitempty"`
}

// IncidentComment is an analyst's comment on an incident.
type IncidentComment struct {
	ID         int64
	IncidentID int64
	Author     string
	Text       string
	CreatedAt  time.Time
}

// IncidentActivity is one entry of an incident's activity log.
type IncidentActivity struct {
	ID         int64
	IncidentID int64
	Time       time.Time
	Actor      string
	Action     string // created, alerts.added, merged.into, merged.from, status, assign, classify, tags, comment, alert.linked, alert.unlinked
	Details    string // JSON
}

// IncidentMerge records that Source was merged into Target: the batch
// must also write Source's row with RedirectTo = Target. From then on
// Source's alerts (and those of incidents merged into it before) read as
// Target's, each with a "merge" reason per redirect it went through;
// the store may resolve this when reading rather than move alert rows.
// Source's comments and activity read as Target's too (IncidentComments,
// IncidentActivity), each activity entry of another incident naming it
// in its details ("fromIncident").
type IncidentMerge struct {
	Source, Target int64
}

// IncidentChange is one batch of writes.
type IncidentChange struct {
	Incidents []*Incident // upserted, with optimistic versions
	Alerts    []IncidentAlert
	Merges    []IncidentMerge // applied after Alerts
	Comments  []IncidentComment
	Activity  []IncidentActivity
	// Rederivable marks correlation's own changes: the alerts they place
	// are durable in the event store, and the catch-up places them again
	// if the change is lost. The store may then commit without waiting for
	// the disk (lost on power loss, never on a process crash); an
	// analyst's change is never Rederivable.
	Rederivable bool
}

// IncidentFilter selects incidents for the queue.
type IncidentFilter struct {
	Statuses          []string
	Severities        []string
	Assignees         []string // "" in the list selects unassigned
	ServiceSources    []string
	DetectionSources  []string
	Tags              []string // user or system tags
	Categories        []string
	Classifications   []string
	Entity            string // any impacted asset, exact (case-insensitive)
	Search            string // name substring, id, or an asset substring
	Since, Until      time.Time
	MultiSource       bool // more than one detection source
	MultiCategory     bool // more than one category
	IncludeRedirected bool
	OnlyRedirected    bool
	// By lastUpdateTime and createdTime (Defender's filters); Since
	// inclusive, Until exclusive.
	UpdatedSince, UpdatedUntil time.Time
	CreatedSince, CreatedUntil time.Time
	// Sort: lastActivity (default), firstActivity, createdAt, updatedAt,
	// severity, alertCount, id; Desc orders high to low.
	Sort   string
	Desc   bool
	Cursor string
	Limit  int // 1..1000, default 100
	// Skip is an offset (Defender's $skip); ignored with a Cursor.
	Skip int
}

// IncidentPage is a page of the queue, with counts over every incident
// the filter selects (not just this page).
type IncidentPage struct {
	Items            []Incident
	Next             string
	Total            int
	CountsBySeverity map[string]int
	CountsByStatus   map[string]int
}

// IncidentAlertFilter selects alerts for Defender's alert listing.
type IncidentAlertFilter struct {
	Statuses                   []string // triage status; an alert never touched is New
	Severities                 []string
	UpdatedSince, UpdatedUntil time.Time // by when it joined its incident or its triage changed
	Skip, Limit                int
}

// IncidentAlertRow is an alert in an incident with its triage state.
type IncidentAlertRow struct {
	IncidentAlert
	Status         string
	Assignee       string
	Classification string
	Determination  string
	UpdatedAt      time.Time // the later of LinkedAt and the triage change
}
