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
// rendering, and what the shippers add.
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

func decodeOTRF(v *fastjson.Value, e *Event) error {
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
	for _, k := range []string{"Hostname", "Computer", "hostname", "host"} {
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
