package state

import (
	"context"
	"encoding/json"
	"time"
)

// Detections is the part of the state store the detection layer writes
// beside the event store: how often each alert recurred (deduplication),
// the triggering rows, alert tuning rules, indicators of compromise and
// the record of rule runs.
type Detections interface {
	// RecordAlertActivity adds occurrences to their alerts' activity. An
	// occurrence already recorded (the same triggering row read again by
	// an overlapping lookback, or by the stream and a scheduled run) is
	// not counted twice. The first MaxStoredRows rows of an alert are
	// kept as its triggering events.
	RecordAlertActivity(ctx context.Context, occ []AlertOccurrence) error
	// AlertActivity returns the activity of the alerts that have one.
	AlertActivity(ctx context.Context, alertIDs []string) (map[string]AlertActivity, error)
	// AlertTriggers returns the stored triggering rows of an alert, by
	// event time.
	AlertTriggers(ctx context.Context, alertID string) ([]AlertTrigger, error)
	// PruneAlertOccurrences forgets which rows were counted, for rows
	// recorded before t (the counts stay): bounded memory of repeats.
	PruneAlertOccurrences(ctx context.Context, before time.Time) (int64, error)

	// Alert tuning rules. Update and delete take the version read.
	CreateTuningRule(ctx context.Context, r *TuningRule, audit Audit) error // sets ID, Version 1, times
	TuningRuleByID(ctx context.Context, id string) (*TuningRule, error)
	ListTuningRules(ctx context.Context) ([]TuningRule, error)
	UpdateTuningRule(ctx context.Context, r *TuningRule, audit Audit) error
	DeleteTuningRule(ctx context.Context, id string, version int64, audit Audit) error
	// AddTuningHits counts the alerts each rule (by id) suppressed.
	AddTuningHits(ctx context.Context, hits map[string]int64, at time.Time) error

	// Indicators of compromise. PutIndicators creates or replaces by id
	// (an import); DeleteIndicator takes no version (Defender's API has
	// none).
	PutIndicators(ctx context.Context, list []Indicator, audit Audit) error
	IndicatorByID(ctx context.Context, id string) (*Indicator, error)
	ListIndicators(ctx context.Context) ([]Indicator, error)
	DeleteIndicator(ctx context.Context, id string, audit Audit) error

	// Rule runs: the last MaxRuleRuns of each rule are kept.
	AddRuleRun(ctx context.Context, r *RuleRun) error // sets ID
	RuleRuns(ctx context.Context, ruleID string, limit int) ([]RuleRun, error)
}

// MaxStoredRows is how many triggering rows an alert keeps.
const MaxStoredRows = 20

// MaxRuleRuns is how many runs of a rule are kept.
const MaxRuleRuns = 100

// AlertOccurrence is one triggering row of a (deduplicated) alert.
type AlertOccurrence struct {
	AlertID      string
	OccurrenceID string // the same for the same rule and row, whichever path read it
	RuleID       string
	Activity     time.Time // the row's event time
	Row          json.RawMessage
}

// AlertActivity is how often an alert's rule fired on its entities
// within the deduplication window.
type AlertActivity struct {
	AlertID       string
	RuleID        string
	Count         int64
	FirstActivity time.Time
	LastActivity  time.Time
}

// AlertTrigger is a stored triggering row.
type AlertTrigger struct {
	OccurrenceID string
	Activity     time.Time
	Row          json.RawMessage
}

// TuningRule is an alert tuning (suppression) rule; Definition is its
// conditions and action as package detect reads them (JSON).
type TuningRule struct {
	ID         string
	Name       string
	Definition json.RawMessage
	Version    int64
	Hits       int64
	LastHit    time.Time
	CreatedBy  string
	CreatedAt  time.Time
	UpdatedBy  string
	UpdatedAt  time.Time
}

// Indicator is a stored indicator of compromise; Definition holds its
// fields as package detect reads them (JSON).
type Indicator struct {
	ID         string
	Type       string
	Value      string
	Definition json.RawMessage
	CreatedBy  string
	CreatedAt  time.Time
	UpdatedBy  string
	UpdatedAt  time.Time
}

// RuleRun is the record of one run of a detection rule.
type RuleRun struct {
	ID        int64
	RuleID    string
	Trigger   string // "scheduled" or "manual"
	Started   time.Time
	Duration  time.Duration
	From, To  time.Time
	Status    string // "success" or "failure"
	Error     string
	Alerts    int
	Truncated bool
}
