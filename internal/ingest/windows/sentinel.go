package windows

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
)

// Sentinel reads rows exported from Microsoft Sentinel / Log Analytics
// tables of Windows events: SecurityEvent (event data as columns),
// Event (channel in EventLog, event data as an XML string in EventData,
// sometimes also as columns a parser added) and WindowsEvent (EventData
// as a JSON object or its text). Exports rename columns whose type
// clashed (ProcessId_string, EventData_dynamic); the suffix is dropped.
type Sentinel struct{ c core }

// NewSentinel returns the normalizer of the "sentinel-windows" format.
func NewSentinel() *Sentinel { return &Sentinel{} }

var _ ingest.Normalizer = (*Sentinel)(nil)

func (*Sentinel) Format() string { return "sentinel-windows" }

// sentinelTypes are the tables this normalizer reads (Type column).
var sentinelTypes = map[string]bool{"SecurityEvent": true, "Event": true, "WindowsEvent": true}

// Detect accepts rows with TimeGenerated, Computer and EventID whose Type,
// when given, is one of the Windows event tables.
func (*Sentinel) Detect(in *ingest.Input) bool {
	v := in.JSON
	if v == nil || v.Get("TimeGenerated") == nil || v.Get("Computer") == nil || v.Get("EventID") == nil {
		return false
	}
	if t := v.Get("Type"); t != nil {
		return t.Type() == fastjson.TypeString && sentinelTypes[string(t.GetStringBytes())]
	}
	return true
}

func (n *Sentinel) Normalize(in *ingest.Input, out *ingest.RowSet) error {
	return n.c.normalize(in, out, decodeSentinel)
}

// sentinelSystem are the columns that are not event data: the System
// part, Log Analytics' own columns, and the columns SecurityEvent derives
// from the event data (Account, LogonTypeName, ...), which the raw copy
// derives again.
var sentinelSystem = map[string]bool{
	"TenantId": true, "SourceSystem": true, "TimeGenerated": true, "Computer": true,
	"EventID": true, "MG": true, "ManagementGroupName": true, "Type": true,
	"_ResourceId": true, "_ItemId": true, "_SubscriptionId": true, "_BilledSize": true,
	"_IsBillable": true, "_TimeReceived": true, "_Internal_WorkspaceResourceId": true,
	"SourceComputerId": true, "EventOriginId": true, "TimeCollected": true,
	"InstanceId": true, "Channel": true, "EventSourceName": true, "Task": true,
	"Level": true, "Activity": true, "EventLog": true, "Source": true,
	"EventLevel": true, "EventLevelName": true, "EventCategory": true,
	"UserName": true, "RenderedDescription": true, "ParameterXml": true,
	"EventData": true, "Provider": true, "EventRecordId": true, "Keywords": true,
	"Opcode": true, "Version": true, "Correlation": true, "SystemProcessId": true,
	"SystemThreadId": true, "SystemUserId": true, "AzureDeploymentID": true,
	"Role": true, "RawEventData": true, "EventOriginalUid": true,
	"Account": true, "AccountType": true, "SubjectAccount": true,
	"TargetAccount": true, "LogonTypeName": true, "Process": true,
	"FilePathNoUser": true,
	// Entity columns analytic rules add to their results.
	"timestamp": true, "HostCustomEntity": true, "AccountCustomEntity": true,
	"IPCustomEntity": true, "URLCustomEntity": true, "FileHashCustomEntity": true,
}

// kustoSuffixes are the type suffixes of renamed columns.
var kustoSuffixes = []string{"_string", "_dynamic", "_int", "_long", "_real", "_bool", "_datetime", "_guid", "_timespan", "_decimal"}

func baseColumn(k string) string {
	for _, s := range kustoSuffixes {
		if b, ok := strings.CutSuffix(k, s); ok && b != "" {
			return b
		}
	}
	return k
}

// inferredSecurity reports whether an event ID belongs to the Security
// auditing ranges, for rows that lost their channel.
func inferredSecurity(id int32) bool {
	return (id >= 1100 && id <= 1108) || (id >= 4608 && id <= 4999) || (id >= 5024 && id <= 5890) || (id >= 6144 && id <= 6424)
}

func decodeSentinel(v *fastjson.Value, e *Event) error {
	id, err := eventIDOf(v.Get("EventID"), "EventID")
	if err != nil {
		return err
	}
	e.EventID = id
	typ, err := stringOf(v.Get("Type"), "Type")
	if err != nil {
		return err
	}
	if typ != "" && !sentinelTypes[typ] {
		return fmt.Errorf("Type %q is not a Windows event table (SecurityEvent, Event, WindowsEvent)", truncate(typ))
	}
	if e.Computer, err = stringOf(v.Get("Computer"), "Computer"); err != nil {
		return err
	}
	f := v.Get("TimeGenerated")
	if f == nil || f.Type() == fastjson.TypeNull {
		return errors.New("no TimeGenerated")
	}
	t, ok := ingest.Time(v, "TimeGenerated")
	if !ok {
		return fmt.Errorf("TimeGenerated %s is not a timestamp", truncate(f.String()))
	}
	e.Time = t

	channel, err := stringOf(v.Get("Channel"), "Channel")
	if err != nil {
		return err
	}
	if channel == "" {
		if channel, err = stringOf(v.Get("EventLog"), "EventLog"); err != nil {
			return err
		}
	}
	switch {
	case channel != "":
	case typ == "SecurityEvent":
		channel = chSecurity
	case inferredSecurity(id):
		// A row without Channel or Type, as some exports have; its ID is
		// a Security audit event's.
		channel = chSecurity
	default:
		return errors.New("no Channel (nor EventLog, nor a Type that implies one)")
	}
	e.Channel = canonicalChannel(channel)

	for _, k := range []string{"Provider", "EventSourceName", "Source"} {
		if p := e.scalar(v.Get(k)); p != "" {
			e.Provider = p
			break
		}
	}
	e.Task = e.scalar(v.Get("Task"))
	e.Level = e.scalar(v.Get("Level"))
	if e.Level == "" {
		e.Level = e.scalar(v.Get("EventLevel"))
	}
	e.LevelName = e.scalar(v.Get("EventLevelName"))
	e.Keywords = keywordsHex(e.scalar(v.Get("Keywords")))
	e.Opcode = e.scalar(v.Get("Opcode"))
	e.Version = e.scalar(v.Get("Version"))
	e.RecordID = e.scalar(v.Get("EventRecordId"))
	e.ProcessID = e.scalar(v.Get("SystemProcessId"))
	e.ThreadID = e.scalar(v.Get("SystemThreadId"))
	e.UserID = e.scalar(v.Get("SystemUserId"))
	e.Correlation = e.scalar(v.Get("Correlation"))
	e.Message = e.scalar(v.Get("RenderedDescription"))

	// The EventData column first (its names are the event's own), then the
	// other columns.
	obj, _ := v.Object()
	var dataErr error
	obj.Visit(func(k []byte, f *fastjson.Value) {
		if dataErr == nil && baseColumn(string(k)) == "EventData" {
			dataErr = addEventData(e, f)
		}
	})
	if dataErr != nil {
		return dataErr
	}
	if len(e.Data) == 0 {
		if p := v.Get("ParameterXml"); p != nil && p.Type() == fastjson.TypeString {
			if err := addXMLData(e, string(p.GetStringBytes())); err != nil {
				return fmt.Errorf("ParameterXml: %w", err)
			}
		}
	}
	obj.Visit(func(k []byte, f *fastjson.Value) {
		name := baseColumn(string(k))
		if sentinelSystem[name] {
			return
		}
		e.addJSON(name, f)
	})
	return nil
}

// addEventData reads an EventData column: an object, JSON text of an object
// or array, or XML text.
func addEventData(e *Event, f *fastjson.Value) error {
	switch f.Type() {
	case fastjson.TypeNull:
		return nil
	case fastjson.TypeObject:
		addObject(e, f)
		return nil
	case fastjson.TypeArray:
		addArray(e, f)
		return nil
	case fastjson.TypeString:
	default:
		return fmt.Errorf("EventData must be an object or text, got %s", f.Type())
	}
	s := strings.TrimSpace(string(f.GetStringBytes()))
	switch {
	case s == "":
		return nil
	case s[0] == '{' || s[0] == '[':
		var p fastjson.Parser
		d, err := p.Parse(s)
		if err != nil {
			return fmt.Errorf("EventData: malformed JSON: %v", err)
		}
		if d.Type() == fastjson.TypeObject {
			addObject(e, d)
		} else {
			addArray(e, d)
		}
		return nil
	case s[0] == '<':
		if err := addXMLData(e, s); err != nil {
			return fmt.Errorf("EventData: %w", err)
		}
		return nil
	}
	e.add("param1", s)
	return nil
}

func addObject(e *Event, d *fastjson.Value) {
	obj, _ := d.Object()
	obj.Visit(func(k []byte, f *fastjson.Value) { e.addJSON(string(k), f) })
}

// addArray adds unnamed values as param1, param2, ... as Winlogbeat names
// unnamed event data.
func addArray(e *Event, d *fastjson.Value) {
	for i, f := range d.GetArray() {
		e.addJSON("param"+strconv.Itoa(i+1), f)
	}
}

// addXMLData reads event data from XML: <Data Name="x">v</Data> elements
// (unnamed ones become param1, ...), <Param> elements, and the leaf
// elements of <UserData>.
func addXMLData(e *Event, s string) error {
	type elem struct {
		name  string
		child bool
	}
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = false
	var stack []elem
	var text strings.Builder
	unnamed, userData := 0, 0
	name := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("malformed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) > 0 {
				stack[len(stack)-1].child = true
			}
			stack = append(stack, elem{name: t.Name.Local})
			text.Reset()
			if t.Name.Local == "UserData" {
				userData++
			}
			name = ""
			if t.Name.Local == "Data" {
				for _, a := range t.Attr {
					if a.Name.Local == "Name" {
						name = a.Value
					}
				}
			}
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if len(stack) == 0 {
				return errors.New("malformed XML: unbalanced end element")
			}
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			switch {
			case top.name == "Data" || top.name == "Param":
				n := name
				if n == "" || top.name == "Param" {
					unnamed++
					n = "param" + strconv.Itoa(unnamed)
				}
				e.add(n, text.String())
			case top.name == "UserData":
				userData--
			case userData > 0 && !top.child:
				e.add(top.name, text.String())
			}
			name = ""
			text.Reset()
		}
	}
	return nil
}
