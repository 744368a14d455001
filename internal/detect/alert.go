package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// Alert is what one result row of a rule raises.
type Alert struct {
	ID          string
	RuleID      string
	Title       string
	Description string
	Severity    Severity
	Category    string
	Techniques  []string
	// Timestamp is the event time of the row that raised the alert.
	Timestamp time.Time
	Evidence  []Evidence
	Actions   []Action
	// Row is the triggering row, by column name.
	Row map[string]any
	// DeviceGroups is the scope of the rule or indicator that raised it:
	// empty means every device.
	DeviceGroups []string
}

// Evidence is one entity of an alert, as AlertEvidence records it.
type Evidence struct {
	EntityType   string // Machine, User, Mailbox, File, Process, Ip, Url
	EvidenceRole string // Impacted or Related
	Fields       map[string]any
}

// evidenceKinds says which result columns make which entity; the
// columns are AlertEvidence's.
var evidenceKinds = []struct {
	entity, role string
	cols         []string
}{
	{"Machine", "Impacted", []string{"DeviceId", "DeviceName"}},
	{"User", "Impacted", []string{"AccountSid", "AccountObjectId", "AccountUpn", "AccountName", "AccountDomain"}},
	{"Mailbox", "Impacted", []string{"RecipientEmailAddress", "RecipientObjectId", "NetworkMessageId", "EmailSubject"}},
	{"File", "Related", []string{"SHA1", "SHA256", "FileName", "FolderPath", "FileSize"}},
	{"Process", "Related", []string{"ProcessCommandLine"}},
	{"Ip", "Related", []string{"RemoteIP"}},
	{"Url", "Related", []string{"RemoteUrl"}},
}

// alerts turns a run's result rows into alerts, one per row, capped at
// MaxAlertsPerRun (in event-time order); it reports whether rows were
// left out.
func (c *Compiled) alerts(rows [][]any) ([]Alert, bool) {
	ts := c.col["Timestamp"]
	sort.SliceStable(rows, func(i, j int) bool {
		a, _ := rows[i][ts].(time.Time)
		b, _ := rows[j][ts].(time.Time)
		return a.Before(b)
	})
	truncated := len(rows) > MaxAlertsPerRun
	if truncated {
		rows = rows[:MaxAlertsPerRun]
	}
	out := make([]Alert, 0, len(rows))
	for _, row := range rows {
		out = append(out, c.alert(row))
	}
	return out, truncated
}

func (c *Compiled) alert(row []any) Alert {
	r := c.Rule
	m := make(map[string]any, len(c.Columns))
	for i, col := range c.Columns {
		if i < len(row) {
			m[col.Name] = row[i]
		}
	}
	a := Alert{RuleID: r.ID, Description: r.Description, Severity: r.Severity, Category: r.Category,
		Techniques: r.Techniques, Actions: r.Actions, Row: m, DeviceGroups: r.DeviceGroups}
	a.Timestamp, _ = m["Timestamp"].(time.Time)
	a.Title = placeholder.ReplaceAllStringFunc(r.Title, func(p string) string {
		name := placeholder.FindStringSubmatch(p)[1]
		return valueText(m[name])
	})
	for _, k := range evidenceKinds {
		fields := map[string]any{}
		for _, col := range k.cols {
			if v, ok := m[col]; ok && !empty(v) {
				fields[col] = v
			}
		}
		// The user of a process event is its initiating account.
		if k.entity == "User" && len(fields) == 0 {
			for _, col := range []string{"InitiatingProcessAccountSid", "InitiatingProcessAccountUpn", "InitiatingProcessAccountName", "InitiatingProcessAccountDomain", "InitiatingProcessAccountObjectId"} {
				if v, ok := m[col]; ok && !empty(v) {
					fields[strings.TrimPrefix(col, "InitiatingProcess")] = v
				}
			}
		}
		// The machine an SMB write came from is the remote end of the
		// event: it is what links a lateral move to its source device.
		// A sign-in's or a mail's address is its client's or sender's.
		if k.entity == "Ip" && len(fields) == 0 {
			for _, col := range []string{"RequestSourceIP", "IPAddress", "SenderIPv4", "SenderIPv6"} {
				if v, ok := m[col]; ok && !empty(v) {
					fields["RemoteIP"] = v
					break
				}
			}
		}
		if k.entity == "Mailbox" {
			mailFields(fields, m)
		}
		if len(fields) > 0 {
			a.Evidence = append(a.Evidence, Evidence{EntityType: k.entity, EvidenceRole: k.role, Fields: fields})
		}
	}
	a.ID = alertID(r.ID, a.Timestamp, m["ReportId"], a.Evidence)
	return a
}

// alertID is the same for the same rule and triggering row, whichever
// path raised it and however often a lookback re-reads the row.
func alertID(rule string, ts time.Time, reportID any, ev []Evidence) string {
	h := sha256.New()
	// Microseconds, as the store keeps them: a row matched in the stream
	// (100 ns from its source) and read back by SQL is one alert.
	fmt.Fprintf(h, "%s\x00%d\x00%v", rule, ts.Truncate(time.Microsecond).UnixNano(), reportID)
	for _, e := range ev {
		if e.EntityType == "Machine" || e.EntityType == "User" || e.EntityType == "Mailbox" {
			keys := make([]string, 0, len(e.Fields))
			for k := range e.Fields {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(h, "\x00%s=%v", k, e.Fields[k])
			}
		}
	}
	return AlertID(ts, h.Sum(nil))
}

// AlertID is the id of an alert raised at ts whose identity hashes to
// sum: "vc", the microseconds since 1970 in 13 hex digits, then 17 hex
// digits of the hash (68 bits, to tell apart alerts of one
// microsecond; sum is a SHA-256 sum). Ids sort by time (until 2112), as Defender's do, so that the stores'
// indexes on alert ids take new alerts at their end: with ids that were
// all hash, each alert of a correlation batch landed on a page of its
// own in a million-entry index (500 random inserts a batch), which cut
// correlation from 10,200 to 7,500 alerts/s (docs/BENCHMARKS.md).
func AlertID(ts time.Time, sum []byte) string {
	const digits = 13
	us := min(max(ts.UnixMicro(), 0), 1<<(4*digits)-1)
	if len(sum) < 9 {
		sum = append(make([]byte, 9-len(sum)), sum...)
	}
	b := make([]byte, 0, 2+digits+2*len(sum))
	b = append(b, "vc"...)
	for i := digits - 1; i >= 0; i-- {
		b = append(b, "0123456789abcdef"[us>>(4*uint(i))&15])
	}
	b = hex.AppendEncode(b, sum)
	return string(b[:32])
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	}
	return false
}

func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case json.RawMessage:
		return string(x)
	}
	return fmt.Sprint(v)
}

// DetectionSource and ServiceSource of the alerts Vigil's rules raise.
const (
	DetectionSource = "Custom detection"
	ServiceSource   = "Vigil"
)

// Batch returns the AlertInfo and AlertEvidence rows of alerts, for the
// event store, so that hunting queries see them as in Defender.
func Batch(alerts []Alert) store.Batch {
	info, _ := schema.Lookup("AlertInfo")
	evid, _ := schema.Lookup("AlertEvidence")
	var infoRows, evRows [][]any
	for _, a := range alerts {
		techniques, _ := json.Marshal(nonNil(a.Techniques))
		vals := map[string]any{"Timestamp": a.Timestamp, "AlertId": a.ID, "Title": a.Title, "Category": a.Category,
			"Severity": string(a.Severity), "ServiceSource": ServiceSource, "DetectionSource": DetectionSource,
			"AttackTechniques": string(techniques)}
		infoRows = append(infoRows, rowOf(info, vals))
		for _, e := range a.Evidence {
			ev := map[string]any{"Timestamp": a.Timestamp, "AlertId": a.ID, "Title": a.Title, "Categories": categories(a.Category),
				"AttackTechniques": string(techniques), "ServiceSource": ServiceSource, "DetectionSource": DetectionSource,
				"EntityType": e.EntityType, "EvidenceRole": e.EvidenceRole, "Severity": string(a.Severity)}
			for k, v := range e.Fields {
				ev[k] = v
			}
			evRows = append(evRows, rowOf(evid, ev))
		}
	}
	var b store.Batch
	if len(infoRows) > 0 {
		b.Tables = append(b.Tables, store.TableRows{Table: "AlertInfo", Rows: infoRows})
	}
	if len(evRows) > 0 {
		b.Tables = append(b.Tables, store.TableRows{Table: "AlertEvidence", Rows: evRows})
	}
	return b
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func categories(c string) string {
	b, _ := json.Marshal([]string{c})
	if c == "" {
		return "[]"
	}
	return string(b)
}

// rowOf lays values out in a table's column order, keeping only values
// whose type fits the column.
func rowOf(t *schema.Table, vals map[string]any) []any {
	row := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		v, ok := vals[c.Name]
		if !ok || v == nil {
			continue
		}
		if n, err := store.Normalize(c, v); err == nil {
			row[i] = n
		}
	}
	return row
}

// mailAdditional maps an email row's columns to the AdditionalFields
// names Defender's mail evidence uses. AlertEvidence has no recipient or
// sender columns: kept there, they reach the stored row and correlation
// (a mailbox, its sender) whichever path reads the alert.
var mailAdditional = []struct{ col, name string }{
	{"RecipientEmailAddress", "Recipient"},
	{"RecipientObjectId", "RecipientObjectId"},
	{"SenderFromAddress", "Sender"},
	{"SenderMailFromAddress", "P2Sender"},
	{"SenderIPv4", "SenderIP"},
}

// mailFields completes a mail evidence: the row's recipient and sender go
// to AdditionalFields, as a JSON object.
func mailFields(fields, row map[string]any) {
	add := map[string]any{}
	for _, c := range mailAdditional {
		if v, ok := row[c.col]; ok && !empty(v) {
			add[c.name] = v
		}
		delete(fields, c.col)
	}
	if len(add) == 0 {
		return
	}
	b, err := json.Marshal(add)
	if err == nil {
		fields["AdditionalFields"] = string(b)
	}
}
