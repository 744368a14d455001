// Package notify tells outside systems what changed in Vigil: signed
// webhooks for SOAR playbooks and chat bots, and a syslog/CEF stream for
// a SIEM that follows along. A Dispatcher fans each event out to every
// target through its own bounded queue, so a slow or dead receiver never
// holds up correlation, and retries failed deliveries with backoff.
package notify

import (
	"time"
)

// Event is one change worth telling: an incident created or updated.
type Event struct {
	// Type names the change: "incident.created", "incident.updated".
	Type string
	// Time is when the change happened.
	Time time.Time
	// Subject is the id of the object that changed (an incident id).
	Subject string
	// Title is one line for people (the incident's name).
	Title string
	// Severity is Defender's: Informational, Low, Medium or High.
	Severity string
	// Attrs are flat attributes for line formats such as CEF, in order.
	Attrs []Attr
	// Data is what a webhook receives as the event's "data" member; it
	// must marshal to JSON.
	Data any
}

// Attr is one attribute of an event for CEF: Key is a CEF extension key
// (suser, dhost, cs1, ...); Label, when set, is written as KeyLabel, as
// CEF's custom string fields need.
type Attr struct {
	Key, Label, Value string
}

// Event types.
const (
	IncidentCreated = "incident.created"
	IncidentUpdated = "incident.updated"
	// TestEvent is sent on an administrator's request only.
	TestEvent = "test"
)

// EventTypes are the types a target may subscribe to.
var EventTypes = []string{IncidentCreated, IncidentUpdated}
