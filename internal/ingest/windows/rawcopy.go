package windows

import (
	"math"
	"strconv"
	"strings"
	"unsafe"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/schema"
)

// raw adds the record's raw copy: SecurityEvent for the Security channel,
// WindowsEvent for every other channel. Every decoded record gets one,
// mapped or not.
func (x *emitter) raw() {
	if x.e.Channel == chSecurity {
		x.securityEvent()
	} else {
		x.windowsEvent()
	}
}

// eventData writes the event data as one JSON object of strings into the
// event's buffer and returns it (valid until the event is reused).
func (x *emitter) eventData() []byte {
	return x.e.arenaJSON(func(o *jsonObject) {
		for _, f := range x.e.Data {
			if f.json != nil {
				o.member(f.json)
			} else {
				o.str(f.Name, f.Value)
			}
		}
	})
}

func setSmallInt(r *ingest.Row, col, s string) {
	if s == "" {
		return // most records lack some System fields: no parse error to build
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil && n >= math.MinInt32 && n <= math.MaxInt32 {
		r.SetInt(col, int32(n))
	}
}

// securityEventOwn are SecurityEvent columns the System part or the
// derivations below fill; event data of the same name does not overwrite
// them.
var securityEventOwn = map[string]bool{
	"TimeGenerated": true, "Computer": true, "EventID": true, "Channel": true,
	"EventSourceName": true, "Activity": true, "Task": true, "Level": true,
	"EventLevelName": true, "Keywords": true, "Opcode": true, "EventRecordId": true,
	"Version": true, "SystemProcessId": true, "SystemThreadId": true, "SystemUserId": true,
	"EventData": true, "Account": true, "AccountType": true, "SubjectAccount": true,
	"TargetAccount": true, "LogonTypeName": true, "Process": true, "SourceSystem": true,
	"TenantId": true, "ManagementGroupName": true, "AzureDeploymentID": true,
	"SourceComputerId": true,
}

var securityEventTable = func() *schema.Table {
	t, ok := schema.Lookup("SecurityEvent")
	if !ok {
		panic("windows: the schema has no SecurityEvent table")
	}
	return t
}()

// joinAccount writes DOMAIN\user as Sentinel's *Account columns do.
func joinAccount(domain, name string) string {
	domain, name = clean(domain), clean(name)
	switch {
	case name == "":
		return ""
	case domain == "":
		return name
	}
	return domain + `\` + name
}

func (x *emitter) securityEvent() {
	e := x.e
	r := x.out.New("SecurityEvent")
	r.Set("TimeGenerated", e.Time)
	r.Set("Computer", e.Computer)
	r.Set("EventID", e.EventID)
	r.Set("Channel", e.Channel)
	r.SetString("EventSourceName", e.Provider)
	r.Set("Activity", activity(e))
	setSmallInt(r, "Task", e.Task)
	r.SetString("Level", securityLevel(e))
	name := e.LevelName
	if name == "" {
		name = levelName(e.Level, e.Keywords)
	}
	r.SetString("EventLevelName", name)
	r.SetString("Keywords", e.Keywords)
	r.SetString("Opcode", e.Opcode)
	r.SetString("EventRecordId", e.RecordID)
	setSmallInt(r, "Version", e.Version)
	setSmallInt(r, "SystemProcessId", e.ProcessID)
	setSmallInt(r, "SystemThreadId", e.ThreadID)
	r.SetString("SystemUserId", e.UserID)

	subject := joinAccount(e.Get("SubjectDomainName"), e.Get("SubjectUserName"))
	target := joinAccount(e.Get("TargetDomainName"), e.Get("TargetUserName"))
	r.SetString("SubjectAccount", subject)
	r.SetString("TargetAccount", target)
	account := target
	if account == "" {
		account = subject
	}
	if account != "" {
		r.Set("Account", account)
		if strings.HasSuffix(account, "$") {
			r.Set("AccountType", "Machine")
		} else {
			r.Set("AccountType", "User")
		}
	}
	if lt := e.Get("LogonType"); lt != "" {
		if n, ok := number(lt); ok {
			r.Set("LogonTypeName", strconv.FormatInt(n, 10)+" - "+logonTypeName(lt))
		}
	}
	if p := clean(e.Get("ProcessName")); p != "" {
		r.Set("Process", baseName(p))
	}

	// Event data fills the columns of the same name.
	for j, f := range e.Data {
		if securityEventOwn[f.Name] {
			continue
		}
		col, i, ok := securityEventTable.Column(f.Name)
		if !ok {
			continue
		}
		switch col.Type {
		case schema.String:
			r.Values[i] = e.value(j)
		case schema.Int:
			if n, ok := number(f.Value); ok && n >= math.MinInt32 && n <= math.MaxInt32 {
				r.Values[i] = int32(n)
			}
		}
	}
	data := x.eventData() // in the arena: a string column can point at it
	r.SetCanonicalText("EventData", unsafe.String(&data[0], len(data)))
}

// securityLevel is SecurityEvent's Level: Sentinel writes the audit
// outcome there (8 success, 16 failure) for audit events.
func securityLevel(e *Event) string {
	switch levelName("", e.Keywords) {
	case "Audit Success":
		return "8"
	case "Audit Failure":
		return "16"
	}
	return e.Level
}

func (x *emitter) windowsEvent() {
	e := x.e
	r := x.out.New("WindowsEvent")
	r.SetTime("TimeGenerated", e.Time)
	r.Set("Computer", e.Computer)
	r.Set("EventID", e.EventID)
	r.SetString("Channel", e.Channel)
	r.SetString("Provider", e.Provider)
	setSmallInt(r, "Task", e.Task)
	setSmallInt(r, "EventLevel", e.Level)
	name := e.LevelName
	if name == "" {
		name = levelName(e.Level, e.Keywords)
	}
	r.SetString("EventLevelName", name)
	r.SetString("EventRecordId", e.RecordID)
	r.SetString("Keywords", e.Keywords)
	r.SetString("Opcode", e.Opcode)
	setSmallInt(r, "Version", e.Version)
	setSmallInt(r, "SystemProcessId", e.ProcessID)
	setSmallInt(r, "SystemThreadId", e.ThreadID)
	r.SetString("SystemUserId", e.UserID)
	r.SetString("Correlation", e.Correlation)
	r.SetCanonicalJSON("EventData", x.eventData())
	r.SetString("RawEventData", e.Message)
}
