// Package detect runs custom detection rules, Defender's model: a KQL
// query whose result rows become alerts. A rule runs either continuously,
// on each ingested batch with the native evaluator (package kql/eval), or
// on a schedule over an event-time interval with the SQL path (package
// hunt); both give the same alerts on the same rows, with the same ids.
//
// This file is the rule model and its validation.
package detect

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Frequency is how often a rule runs.
type Frequency string

// Defender's frequencies.
const (
	Continuous Frequency = "continuous"
	Every1h    Frequency = "1h"
	Every3h    Frequency = "3h"
	Every12h   Frequency = "12h"
	Every24h   Frequency = "24h"
)

// Lookback is how far back a scheduled run reads: Defender's lookbacks,
// four times the frequency (a day's rule reads 30 days).
func (f Frequency) Lookback() time.Duration {
	switch f {
	case Every1h:
		return 4 * time.Hour
	case Every3h:
		return 12 * time.Hour
	case Every12h:
		return 48 * time.Hour
	case Every24h:
		return 30 * 24 * time.Hour
	}
	return 0
}

// Interval is the time between two scheduled runs.
func (f Frequency) Interval() time.Duration {
	switch f {
	case Every1h:
		return time.Hour
	case Every3h:
		return 3 * time.Hour
	case Every12h:
		return 12 * time.Hour
	case Every24h:
		return 24 * time.Hour
	}
	return 0
}

// FirstRunLookback is how far back a rule's first run reads.
const FirstRunLookback = 30 * 24 * time.Hour

// MaxAlertsPerRun caps the alerts one run raises, as Defender does.
const MaxAlertsPerRun = 100

// Severity of an alert.
type Severity string

// Defender's severities.
const (
	Informational Severity = "Informational"
	Low           Severity = "Low"
	Medium        Severity = "Medium"
	High          Severity = "High"
)

// Action is an automated response a rule requests for each alert; the
// response layer carries it out (or asks for approval).
type Action string

// The automated actions of Defender's custom detections.
const (
	IsolateDevice               Action = "isolate_device"
	CollectInvestigationPackage Action = "collect_investigation_package"
	StartInvestigation          Action = "start_investigation"
	QuarantineFile              Action = "quarantine_file"
	AllowFile                   Action = "allow_file"
	BlockFile                   Action = "block_file"
	DisableUser                 Action = "disable_user"
	ForcePasswordReset          Action = "force_password_reset"
	MoveEmail                   Action = "move_email"
	DeleteEmail                 Action = "delete_email"
)

var actions = map[Action]bool{IsolateDevice: true, CollectInvestigationPackage: true, StartInvestigation: true,
	QuarantineFile: true, AllowFile: true, BlockFile: true, DisableUser: true, ForcePasswordReset: true,
	MoveEmail: true, DeleteEmail: true}

// Rule is a custom detection rule.
type Rule struct {
	ID        string
	Name      string
	Query     string
	Frequency Frequency
	Enabled   bool
	// Alert details. Title may hold {{Column}} placeholders, filled from
	// the row that raised the alert.
	Title              string
	Description        string
	Severity           Severity
	Category           string
	Techniques         []string // MITRE ATT&CK ids: T1059, T1059.001
	RecommendedActions string
	// Impacted entities: which result columns name the device, the user
	// and the mailbox the alert is about. Empty means the first column of
	// each kind the result has.
	DeviceColumn  string
	UserColumn    string
	MailboxColumn string
	Actions       []Action
	// DeviceGroups scopes the rule: empty means every device.
	DeviceGroups []string
	// Provenance of an imported rule (Source "sigma"): its id there, its
	// authors and references, which the rule's licence requires to credit.
	Source     string
	SourceID   string
	Author     string
	References []string
}

// The columns a rule's result must have, as Defender requires: Timestamp,
// ReportId, and one that names an impacted entity.
var (
	deviceColumns  = []string{"DeviceId", "DeviceName", "RemoteDeviceName"}
	mailboxColumns = []string{"RecipientEmailAddress", "SenderFromAddress", "SenderMailFromAddress", "RecipientObjectId"}
	userColumns    = []string{"AccountObjectId", "AccountSid", "AccountUpn", "InitiatingProcessAccountSid",
		"InitiatingProcessAccountUpn", "InitiatingProcessAccountObjectId"}
)

var techniqueID = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)

var placeholder = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// check validates the fields of a rule that do not need its query.
func (r *Rule) check() error {
	var errs []string
	bad := func(f string, a ...any) { errs = append(errs, fmt.Sprintf(f, a...)) }
	if strings.TrimSpace(r.Name) == "" {
		bad("name is required")
	}
	if strings.TrimSpace(r.Query) == "" {
		bad("query is required")
	}
	switch r.Frequency {
	case Continuous, Every1h, Every3h, Every12h, Every24h:
	default:
		bad("frequency %q is not one of continuous, 1h, 3h, 12h, 24h", r.Frequency)
	}
	if strings.TrimSpace(r.Title) == "" {
		bad("alert title is required")
	}
	switch r.Severity {
	case Informational, Low, Medium, High:
	default:
		bad("severity %q is not one of Informational, Low, Medium, High", r.Severity)
	}
	for _, t := range r.Techniques {
		if !techniqueID.MatchString(t) {
			bad("MITRE technique %q is not an id like T1059 or T1059.001", t)
		}
	}
	for _, a := range r.Actions {
		if !actions[a] {
			bad("action %q is not an automated action", a)
		}
	}
	if len(errs) > 0 {
		return &RuleError{Msg: strings.Join(errs, "; ")}
	}
	return nil
}

// RuleError is an invalid rule; Line and Column point into the query
// when the problem is there.
type RuleError struct {
	Msg          string
	Line, Column int
}

func (e *RuleError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("query %d:%d: %s", e.Line, e.Column, e.Msg)
	}
	return e.Msg
}
