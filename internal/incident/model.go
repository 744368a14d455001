// Package incident gathers alerts into incidents: explainable
// correlation over shared entities and sequences, Defender's merge
// conditions, generated names, the attack-story graph, and the analyst
// workflow (assign, status, classify, tag, comment, link, merge).
//
// The Engine is the only writer of incidents in a server. It keeps the
// open incidents and an entity index in memory and writes each batch of
// changes to the state store in one transaction; it is rebuilt from the
// store at start (Load).
package incident

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/store"
)

// Alert is what correlation reads of an alert.
type Alert struct {
	ID              string
	Title           string
	Category        string
	Severity        string
	ServiceSource   string
	DetectionSource string
	Techniques      []string
	Time            time.Time
	Evidence        []Evidence
}

// Evidence is one entity of an alert, with AlertEvidence's columns.
type Evidence struct {
	EntityType   string // Machine, User, Mailbox, MailMessage, File, Process, Ip, Url, CloudApplication, ...
	EvidenceRole string
	Fields       map[string]any
}

// FromDetect converts alerts raised by Vigil's rules.
func FromDetect(as []detect.Alert) []Alert {
	out := make([]Alert, 0, len(as))
	for _, a := range as {
		x := Alert{ID: a.ID, Title: a.Title, Category: a.Category, Severity: string(a.Severity),
			ServiceSource: detect.ServiceSource, DetectionSource: detect.DetectionSource,
			Techniques: a.Techniques, Time: a.Timestamp}
		for _, e := range a.Evidence {
			x.Evidence = append(x.Evidence, Evidence{EntityType: e.EntityType, EvidenceRole: e.EvidenceRole, Fields: e.Fields})
		}
		out = append(out, x)
	}
	return out
}

// FromBatch reads the alerts in the AlertInfo and AlertEvidence rows of
// an event-store batch, whatever raised them: this is how alerts from
// every source reach correlation.
func FromBatch(b store.Batch) []Alert {
	byID := map[string]*Alert{}
	var order []string
	get := func(id string) *Alert {
		a, ok := byID[id]
		if !ok {
			a = &Alert{ID: id}
			byID[id] = a
			order = append(order, id)
		}
		return a
	}
	for _, tr := range b.Tables {
		if tr.Table != "AlertInfo" && tr.Table != "AlertEvidence" {
			continue
		}
		t, ok := schema.Lookup(tr.Table)
		if !ok {
			continue
		}
		idx := make(map[string]int, len(t.Columns))
		for i, c := range t.Columns {
			idx[c.Name] = i
		}
		field := func(r []any, name string) any {
			if i, ok := idx[name]; ok && i < len(r) {
				return r[i]
			}
			return nil
		}
		for _, r := range tr.Rows {
			id := text(field(r, "AlertId"))
			if id == "" {
				continue
			}
			switch tr.Table {
			case "AlertInfo":
				a := get(id)
				a.Title, a.Category, a.Severity = text(field(r, "Title")), text(field(r, "Category")), text(field(r, "Severity"))
				a.ServiceSource, a.DetectionSource = text(field(r, "ServiceSource")), text(field(r, "DetectionSource"))
				a.Time, _ = field(r, "Timestamp").(time.Time)
				a.Techniques = stringList(field(r, "AttackTechniques"))
			case "AlertEvidence":
				a := get(id)
				if a.Time.IsZero() {
					a.Time, _ = field(r, "Timestamp").(time.Time)
				}
				e := Evidence{EntityType: text(field(r, "EntityType")), EvidenceRole: text(field(r, "EvidenceRole")), Fields: map[string]any{}}
				for name, i := range idx {
					if i < len(r) && !isEmpty(r[i]) {
						e.Fields[name] = r[i]
					}
				}
				a.Evidence = append(a.Evidence, e)
			}
		}
	}
	out := make([]Alert, 0, len(order))
	for _, id := range order {
		a := byID[id]
		// Evidence without its AlertInfo row is not an alert to correlate.
		if a.Title == "" && a.Severity == "" {
			continue
		}
		out = append(out, *a)
	}
	return out
}

// AddressesOf reads, from the DeviceNetworkEvents rows of a batch, the
// IP each device used as its own (LocalIP).
func AddressesOf(b store.Batch) map[string]string {
	var out map[string]string
	for _, tr := range b.Tables {
		if tr.Table != "DeviceNetworkEvents" {
			continue
		}
		t, ok := schema.Lookup(tr.Table)
		if !ok {
			continue
		}
		ipCol, devCol := -1, -1
		for i, c := range t.Columns {
			switch c.Name {
			case "LocalIP":
				ipCol = i
			case "DeviceName":
				devCol = i
			}
		}
		if ipCol < 0 || devCol < 0 {
			continue
		}
		for _, r := range tr.Rows {
			if len(r) <= max(ipCol, devCol) {
				continue
			}
			ip, dev := text(r[ipCol]), text(r[devCol])
			if ip == "" || dev == "" {
				continue
			}
			if out == nil {
				out = map[string]string{}
			}
			out[ip] = dev
		}
	}
	return out
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	}
	return false
}

func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case json.RawMessage:
		return string(x)
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}

// stringList reads a JSON array of strings (AttackTechniques), or a list.
func stringList(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		var out []string
		for _, e := range x {
			if s := text(e); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	s := text(v)
	if s == "" {
		return nil
	}
	var out []string
	if json.Unmarshal([]byte(s), &out) != nil {
		return nil
	}
	return out
}

// sevRank orders severities; higher is worse.
func sevRank(s string) int {
	switch strings.ToLower(s) {
	case "low":
		return 1
	case "medium":
		return 2
	case "high":
		return 3
	}
	return 0
}

var severities = []string{"Informational", "Low", "Medium", "High"}

// alertOrder is replay order: event time, then id.
func alertLess(a, b *Alert) bool {
	if !a.Time.Equal(b.Time) {
		return a.Time.Before(b.Time)
	}
	return a.ID < b.ID
}

// IncidentEvent tells a listener (notifications) what changed.
type IncidentEvent struct {
	// Type: created, updated (alerts added or workflow), merged (Incident
	// was merged into Into), resolved.
	Type     string
	Incident state.Incident
	Into     int64    // merged: the target
	AlertIDs []string // alerts added by this change
	Actor    string
	Time     time.Time
}
