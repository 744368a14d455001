package windows

import (
	"errors"
	"fmt"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
)

// OTRF reads flat Windows event records, as the OTRF Security-Datasets
// (Mordor) publish them: the System fields and the event data side by side
// at the top level of one JSON object. Two shippers wrote them: NXLog
// (im_msvistalog) behind Logstash (EventTime, @timestamp, SourceModuleType,
// host = the collector, Hostname = the source), and OTRF's own exporter
// (TimeCreated, Hostname, Level, Keywords as hex).
type OTRF struct{ c core }

// NewOTRF returns the normalizer of the "otrf" format.
func NewOTRF() *OTRF { return &OTRF{} }

var _ ingest.Normalizer = (*OTRF)(nil)

func (*OTRF) Format() string { return "otrf" }

// Detect accepts an object with EventID and Channel at the top level that
// is neither Winlogbeat's nor a Sentinel row.
func (*OTRF) Detect(in *ingest.Input) bool {
	v := in.JSON
	if v == nil || v.Type() != fastjson.TypeObject || v.Get("EventID") == nil {
		return false
	}
	if v.Get("Channel") == nil && v.Get("channel") == nil {
		return false
	}
	return v.Get("winlog") == nil && v.Get("TimeGenerated") == nil
}

func (n *OTRF) Normalize(in *ingest.Input, out *ingest.RowSet) error {
	return n.c.normalize(in, out, decodeOTRF)
}

// otrfSystem are the keys that are not event data: the System part,
// rendering, and what the shippers add. otrfFields.visit knows them too.
var otrfSystem = map[string]bool{
	"EventID": true, "Channel": true, "channel": true, "Hostname": true, "hostname": true,
	"Computer": true, "host": true, "TimeCreated": true, "@timestamp": true,
	"EventTime": true, "EventReceivedTime": true, "SourceName": true, "Source": true,
	"ProviderName": true, "ProviderGuid": true, "Task": true, "Level": true,
	"Keywords": true, "Opcode": true, "OpcodeValue": true, "Version": true,
	"RecordNumber": true, "EventRecordID": true, "ExecutionProcessID": true,
	"ThreadID": true, "ActivityID": true, "RelatedActivityID": true, "Message": true,
	"Category": true, "Severity": true, "SeverityValue": true, "@version": true,
	"tags": true, "port": true, "SourceModuleName": true, "SourceModuleType": true,
	"ERROR_EVT_UNRESOLVED": true, "EventTypeOrignal": true, "EventTypeOriginal": true,
}

// nxlogUser are the keys NXLog adds when it resolves the System UserID.
// They clobber event data of the same name (7045's AccountName is the
// service account, but NXLog overwrites it with the installing user).
var nxlogUser = map[string]bool{"UserID": true, "AccountName": true, "Domain": true, "AccountType": true}

// nxlogEventTypes are the values of NXLog's own EventType (the level);
// Sysmon's EventType (CreateKey, SetValue, ...) is event data.
var nxlogEventTypes = map[string]bool{
	"INFO": true, "AUDIT_SUCCESS": true, "AUDIT_FAILURE": true, "WARNING": true,
	"ERROR": true, "CRITICAL": true, "VERBOSE": true, "DEBUG": true,
}

// eventIDOf reads an event ID given as a number or as decimal text.
func eventIDOf(v *fastjson.Value, what string) (int32, error) {
	if v == nil || v.Type() == fastjson.TypeNull {
		return 0, fmt.Errorf("no %s", what)
	}
	var n int64
	switch v.Type() {
	case fastjson.TypeNumber:
		f, err := v.Float64()
		if err != nil || f != float64(int64(f)) {
			return 0, fmt.Errorf("%s %s is not an integer", what, v.String())
		}
		n = int64(f)
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		var ok bool
		if n, ok = number(string(b)); !ok {
			return 0, fmt.Errorf("%s %q is not a number", what, truncate(string(b)))
		}
	default:
		return 0, fmt.Errorf("%s must be a number, got %s", what, v.Type())
	}
	if n < 0 || n > 65535 {
		return 0, fmt.Errorf("%s %d is out of range 0-65535", what, n)
	}
	return int32(n), nil
}

// stringOf reads a field that must be a string when present.
func stringOf(v *fastjson.Value, what string) (string, error) {
	if v == nil || v.Type() == fastjson.TypeNull {
		return "", nil
	}
	if v.Type() != fastjson.TypeString {
		return "", fmt.Errorf("%s must be a string, got %s", what, v.Type())
	}
	b, _ := v.StringBytes()
	return string(b), nil
}

// scalarOf reads a field that may be a string or a number, as text.
func scalarOf(v *fastjson.Value) string {
	if v == nil {
		return ""
	}
	switch v.Type() {
	case fastjson.TypeString, fastjson.TypeNumber, fastjson.TypeTrue, fastjson.TypeFalse:
		s, _ := jsonText(v)
		return s
	}
	return ""
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// otrfTimes are the time fields in order of preference. TimeCreated is
// the event log's own time; @timestamp is Logstash's (UTC, a second or two
// late); Sysmon's UtcTime disagrees with TimeCreated by hours in several
// OTRF sets, so it comes after; NXLog's EventTime is local time.
var otrfTimes = []string{"TimeCreated", "@timestamp", "UtcTime", "EventTime"}

// otrfFields are the System and shipper fields of one record, each the
// first of its name, found in one pass over the object (a lookup per
// field would scan the object's keys again each time).
type otrfFields struct {
	eventID, channel, channelLower *fastjson.Value
	hosts                          [4]*fastjson.Value // Hostname, Computer, hostname, host
	times                          [4]*fastjson.Value // in otrfTimes' order
	providers                      [3]*fastjson.Value // SourceName, ProviderName, Source
	moduleType                     *fastjson.Value
	task, level, severity          *fastjson.Value
	keywords, opcode, version      *fastjson.Value
	recordNumber, eventRecordID    *fastjson.Value
	processID, threadID, activity  *fastjson.Value
	message                        *fastjson.Value
	userID, accountName, domain    *fastjson.Value
	eventType                      *fastjson.Value
	// userData are the positions in Event.Data of the nxlogUser keys,
	// dropped again once the record turns out to be NXLog's.
	userData [8]int
	nUser    int
}

func first(slot **fastjson.Value, v *fastjson.Value) {
	if *slot == nil {
		*slot = v
	}
}

// visit files one key of the record: a System or shipper field, or event
// data (pushed to e).
func (f *otrfFields) visit(e *Event, k []byte, v *fastjson.Value) {
	switch string(k) {
	case "EventID":
		first(&f.eventID, v)
	case "Channel":
		first(&f.channel, v)
	case "channel":
		first(&f.channelLower, v)
	case "Hostname":
		first(&f.hosts[0], v)
	case "Computer":
		first(&f.hosts[1], v)
	case "hostname":
		first(&f.hosts[2], v)
	case "host":
		first(&f.hosts[3], v)
	case "TimeCreated":
		first(&f.times[0], v)
	case "@timestamp":
		first(&f.times[1], v)
	case "EventTime":
		first(&f.times[3], v)
	case "SourceName":
		first(&f.providers[0], v)
	case "ProviderName":
		first(&f.providers[1], v)
	case "Source":
		first(&f.providers[2], v)
	case "SourceModuleType":
		first(&f.moduleType, v)
	case "Task":
		first(&f.task, v)
	case "Level":
		first(&f.level, v)
	case "Severity":
		first(&f.severity, v)
	case "Keywords":
		first(&f.keywords, v)
	case "Opcode":
		first(&f.opcode, v)
	case "Version":
		first(&f.version, v)
	case "RecordNumber":
		first(&f.recordNumber, v)
	case "EventRecordID":
		first(&f.eventRecordID, v)
	case "ExecutionProcessID":
		first(&f.processID, v)
	case "ThreadID":
		first(&f.threadID, v)
	case "ActivityID":
		first(&f.activity, v)
	case "Message":
		first(&f.message, v)
	case "EventReceivedTime", "ProviderGuid", "OpcodeValue", "RelatedActivityID",
		"Category", "SeverityValue", "@version", "tags", "port", "SourceModuleName",
		"ERROR_EVT_UNRESOLVED", "EventTypeOrignal", "EventTypeOriginal":
		// System or shipper fields with no column of their own.
	default:
		// Event data; a few names are also read as fields.
		switch string(k) {
		case "UtcTime":
			first(&f.times[2], v)
		case "UserID", "AccountName", "Domain", "AccountType":
			switch string(k) {
			case "UserID":
				first(&f.userID, v)
			case "AccountName":
				first(&f.accountName, v)
			case "Domain":
				first(&f.domain, v)
			}
			if v.Type() != fastjson.TypeNull && len(k) > 0 && f.nUser < len(f.userData) {
				f.userData[f.nUser] = len(e.Data)
				f.nUser++
			}
		case "EventType":
			first(&f.eventType, v)
			if v.Type() == fastjson.TypeString && nxlogEventTypes[string(v.GetStringBytes())] {
				return
			}
		}
		e.pushJSON(k, v)
	}
}

// dropUserData removes the nxlogUser fields from the event data.
func (f *otrfFields) dropUserData(e *Event) {
	for i := f.nUser - 1; i >= 0; i-- {
		j := f.userData[i]
		e.Data = append(e.Data[:j], e.Data[j+1:]...)
	}
}

func decodeOTRF(v *fastjson.Value, e *Event) error {
	var f otrfFields
	obj, _ := v.Object()
	obj.Visit(func(k []byte, x *fastjson.Value) { f.visit(e, k, x) })
	if f.nUser == len(f.userData) {
		// More resolved-user keys than expected (duplicates): the
		// positions kept are not all of them, so decode by lookup.
		e.Data = e.Data[:0]
		return decodeOTRFByLookup(v, e)
	}

	id, err := eventIDOf(f.eventID, "EventID")
	if err != nil {
		return err
	}
	e.EventID = id
	ch := f.channel
	if ch == nil {
		ch = f.channelLower
	}
	if ch != nil && ch.Type() != fastjson.TypeNull && ch.Type() != fastjson.TypeString {
		return fmt.Errorf("Channel must be a string, got %s", ch.Type())
	}
	if ch != nil && ch.Type() == fastjson.TypeString {
		// Borrowed to look it up; copied only when it is no known name.
		name := borrow(ch.GetStringBytes())
		if c, ok := knownChannel(name); ok {
			e.Channel = c
		} else {
			e.Channel = e.textOf(strings.TrimSpace(name))
		}
	}
	if e.Channel == "" {
		return errors.New("no Channel")
	}
	for _, h := range f.hosts {
		if h != nil && h.Type() == fastjson.TypeString {
			e.Computer = e.text(h.GetStringBytes())
			if strings.TrimSpace(e.Computer) != "" {
				break
			}
		}
	}
	for i, t := range f.times {
		if t == nil {
			continue
		}
		tm, ok := ingest.TimeOf(t)
		if !ok {
			if t.Type() == fastjson.TypeString || t.Type() == fastjson.TypeNumber {
				return fmt.Errorf("%s %s is not a timestamp", otrfTimes[i], truncate(t.String()))
			}
			return fmt.Errorf("%s must be a timestamp string, got %s", otrfTimes[i], t.Type())
		}
		e.Time = tm
		break
	}
	nxlog := f.moduleType != nil
	for _, p := range f.providers {
		if s := e.scalar(p); s != "" {
			e.Provider = s
			break
		}
	}
	e.Task = e.scalar(f.task)
	e.Level = e.scalar(f.level)
	if e.Level == "" && nxlog {
		e.Level = shipperLevels[strings.ToLower(e.scalar(f.severity))]
	}
	e.Keywords = keywordsHex(e.scalar(f.keywords))
	e.Opcode = e.scalar(f.opcode)
	e.Version = e.scalar(f.version)
	e.RecordID = e.scalar(f.recordNumber)
	if e.RecordID == "" {
		e.RecordID = e.scalar(f.eventRecordID)
	}
	e.ProcessID = e.scalar(f.processID)
	e.ThreadID = e.scalar(f.threadID)
	e.Correlation = e.scalar(f.activity)
	e.Message = e.scalar(f.message)
	if nxlog {
		e.UserID = e.scalar(f.userID)
		e.UserName = e.scalar(f.accountName)
		e.UserDomain = e.scalar(f.domain)
		switch e.scalar(f.eventType) {
		case "AUDIT_SUCCESS":
			e.LevelName = "Audit Success"
		case "AUDIT_FAILURE":
			e.LevelName = "Audit Failure"
		}
		f.dropUserData(e)
	}
	return nil
}

// otrfHosts are the host fields in order of preference.
var otrfHosts = []string{"Hostname", "Computer", "hostname", "host"}

// decodeOTRFByLookup is decodeOTRF field by field, for the odd record
// with duplicate keys that one pass does not keep track of.
func decodeOTRFByLookup(v *fastjson.Value, e *Event) error {
	id, err := eventIDOf(v.Get("EventID"), "EventID")
	if err != nil {
		return err
	}
	e.EventID = id
	ch := v.Get("Channel")
	if ch == nil {
		ch = v.Get("channel")
	}
	channel, err := stringOf(ch, "Channel")
	if err != nil {
		return err
	}
	if e.Channel = canonicalChannel(channel); e.Channel == "" {
		return errors.New("no Channel")
	}
	for _, k := range otrfHosts {
		if h := v.Get(k); h != nil && h.Type() == fastjson.TypeString {
			e.Computer, _ = stringOf(h, k)
			if strings.TrimSpace(e.Computer) != "" {
				break
			}
		}
	}
	for _, k := range otrfTimes {
		f := v.Get(k)
		if f == nil {
			continue
		}
		t, ok := ingest.Time(v, k)
		if !ok {
			if f.Type() == fastjson.TypeString || f.Type() == fastjson.TypeNumber {
				return fmt.Errorf("%s %s is not a timestamp", k, truncate(f.String()))
			}
			return fmt.Errorf("%s must be a timestamp string, got %s", k, f.Type())
		}
		e.Time = t
		break
	}
	nxlog := v.Get("SourceModuleType") != nil
	for _, k := range []string{"SourceName", "ProviderName", "Source"} {
		if p := scalarOf(v.Get(k)); p != "" {
			e.Provider = p
			break
		}
	}
	e.Task = scalarOf(v.Get("Task"))
	e.Level = scalarOf(v.Get("Level"))
	if e.Level == "" && nxlog {
		e.Level = shipperLevels[strings.ToLower(scalarOf(v.Get("Severity")))]
	}
	e.Keywords = keywordsHex(scalarOf(v.Get("Keywords")))
	e.Opcode = scalarOf(v.Get("Opcode"))
	e.Version = scalarOf(v.Get("Version"))
	e.RecordID = scalarOf(v.Get("RecordNumber"))
	if e.RecordID == "" {
		e.RecordID = scalarOf(v.Get("EventRecordID"))
	}
	e.ProcessID = scalarOf(v.Get("ExecutionProcessID"))
	e.ThreadID = scalarOf(v.Get("ThreadID"))
	e.Correlation = scalarOf(v.Get("ActivityID"))
	e.Message = scalarOf(v.Get("Message"))
	if nxlog {
		e.UserID = scalarOf(v.Get("UserID"))
		e.UserName = scalarOf(v.Get("AccountName"))
		e.UserDomain = scalarOf(v.Get("Domain"))
		switch t := scalarOf(v.Get("EventType")); t {
		case "AUDIT_SUCCESS":
			e.LevelName = "Audit Success"
		case "AUDIT_FAILURE":
			e.LevelName = "Audit Failure"
		}
	}
	obj, _ := v.Object()
	obj.Visit(func(k []byte, f *fastjson.Value) {
		if otrfSystem[string(k)] || (nxlog && nxlogUser[string(k)]) {
			return
		}
		if string(k) == "EventType" && f.Type() == fastjson.TypeString && nxlogEventTypes[string(f.GetStringBytes())] {
			return
		}
		e.pushJSON(k, f)
	})
	return nil
}
