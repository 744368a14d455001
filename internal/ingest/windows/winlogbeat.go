package windows

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
)

// Winlogbeat reads Elastic Winlogbeat's events (7.x and 8.x, ECS): the
// System part under winlog.* (channel, event_id, computer_name,
// provider_name, record_id, ...), the event data under winlog.event_data
// (or winlog.user_data), the time in @timestamp.
type Winlogbeat struct{ c core }

// NewWinlogbeat returns the normalizer of the "winlogbeat" format.
func NewWinlogbeat() *Winlogbeat { return &Winlogbeat{} }

var _ ingest.Normalizer = (*Winlogbeat)(nil)

func (*Winlogbeat) Format() string { return "winlogbeat" }

// Detect accepts an object with a winlog object.
func (*Winlogbeat) Detect(in *ingest.Input) bool {
	v := in.JSON
	if v == nil {
		return false
	}
	w := v.Get("winlog")
	return w != nil && w.Type() == fastjson.TypeObject
}

func (n *Winlogbeat) Normalize(in *ingest.Input, out *ingest.RowSet) error {
	return n.c.normalize(in, out, decodeWinlogbeat)
}

func decodeWinlogbeat(v *fastjson.Value, e *Event) error {
	w := v.Get("winlog")
	if w == nil || w.Type() != fastjson.TypeObject {
		return errors.New("winlog must be an object")
	}
	idv := w.Get("event_id")
	what := "winlog.event_id"
	if idv == nil || idv.Type() == fastjson.TypeNull {
		idv, what = v.Get("event", "code"), "event.code"
	}
	if idv == nil {
		return errors.New("no winlog.event_id")
	}
	id, err := eventIDOf(idv, what)
	if err != nil {
		return err
	}
	e.EventID = id
	channel, err := stringOf(w.Get("channel"), "winlog.channel")
	if err != nil {
		return err
	}
	if channel == "" { // Winlogbeat 6 and 7.0 called it log_name
		if channel, err = stringOf(w.Get("log_name"), "winlog.log_name"); err != nil {
			return err
		}
	}
	if e.Channel = canonicalChannel(channel); e.Channel == "" {
		return errors.New("no winlog.channel")
	}
	for _, p := range [][]string{{"winlog", "computer_name"}, {"host", "name"}, {"host", "hostname"}, {"agent", "hostname"}} {
		if h := v.Get(p...); h != nil && h.Type() == fastjson.TypeString {
			if s := string(h.GetStringBytes()); strings.TrimSpace(s) != "" {
				e.Computer = s
				break
			}
		}
	}
	for _, k := range []string{"@timestamp", "event.created"} {
		f := v.Get(strings.Split(k, ".")...)
		if f == nil {
			continue
		}
		t, ok := ingest.Time(v, k)
		if !ok {
			return fmt.Errorf("%s %s is not a timestamp", k, truncate(f.String()))
		}
		e.Time = t
		break
	}
	e.Provider = scalarOf(w.Get("provider_name"))
	if e.Provider == "" {
		e.Provider = scalarOf(v.Get("event", "provider"))
	}
	e.Task = scalarOf(w.Get("task"))
	e.Opcode = scalarOf(w.Get("opcode"))
	e.Version = scalarOf(w.Get("version"))
	e.RecordID = scalarOf(w.Get("record_id"))
	e.ProcessID = scalarOf(w.Get("process", "pid"))
	e.ThreadID = scalarOf(w.Get("process", "thread", "id"))
	e.UserID = scalarOf(w.Get("user", "identifier"))
	e.UserName = scalarOf(w.Get("user", "name"))
	e.UserDomain = scalarOf(w.Get("user", "domain"))
	e.Correlation = scalarOf(w.Get("activity_id"))
	e.Message = scalarOf(v.Get("message"))
	if lvl := scalarOf(v.Get("log", "level")); lvl != "" {
		e.Level = shipperLevels[strings.ToLower(lvl)]
	}
	if kw := w.Get("keywords"); kw != nil {
		switch kw.Type() {
		case fastjson.TypeArray:
			var names []string
			for _, k := range kw.GetArray() {
				if s := scalarOf(k); s != "" {
					names = append(names, s)
				}
			}
			e.Keywords = strings.Join(names, ", ")
			for _, k := range names {
				if k == "Audit Success" || k == "Audit Failure" {
					e.LevelName = k
				}
			}
		default:
			e.Keywords = keywordsHex(scalarOf(kw))
		}
	}
	if d := w.Get("event_data"); d != nil {
		if d.Type() != fastjson.TypeObject {
			return fmt.Errorf("winlog.event_data must be an object, got %s", d.Type())
		}
		obj, _ := d.Object()
		obj.Visit(func(k []byte, f *fastjson.Value) { e.pushJSON(k, f) })
	}
	if d := w.Get("user_data"); d != nil {
		if d.Type() != fastjson.TypeObject {
			return fmt.Errorf("winlog.user_data must be an object, got %s", d.Type())
		}
		flattenUserData(d, e, 0)
	}
	if e.Channel == chSysmon {
		restoreSysmon(v, e)
	}
	return nil
}

// ecsSysmon are the Sysmon fields Elastic's ingest pipeline moves out of
// winlog.event_data into ECS fields; events that went through it (read
// back from Elasticsearch) get them back from there. ids limits a field to
// some event IDs (nil: all).
var ecsSysmon = []struct {
	path  string
	field string
	ids   []int32
}{
	{"process.executable", "Image", nil},
	{"process.command_line", "CommandLine", nil},
	{"process.pid", "ProcessId", nil},
	{"process.entity_id", "ProcessGuid", nil},
	{"process.working_directory", "CurrentDirectory", nil},
	{"process.parent.executable", "ParentImage", nil},
	{"process.parent.command_line", "ParentCommandLine", nil},
	{"process.parent.pid", "ParentProcessId", nil},
	{"process.parent.entity_id", "ParentProcessGuid", nil},
	{"process.pe.original_file_name", "OriginalFileName", []int32{1}},
	{"process.pe.file_version", "FileVersion", []int32{1}},
	{"process.pe.description", "Description", []int32{1}},
	{"process.pe.product", "Product", []int32{1}},
	{"process.pe.company", "Company", []int32{1}},
	{"file.path", "ImageLoaded", []int32{6, 7}},
	{"file.path", "TargetFilename", []int32{2, 11, 15, 23, 26, 27, 28, 29}},
	{"source.ip", "SourceIp", []int32{3}},
	{"source.port", "SourcePort", []int32{3}},
	{"source.domain", "SourceHostname", []int32{3}},
	{"destination.ip", "DestinationIp", []int32{3}},
	{"destination.port", "DestinationPort", []int32{3}},
	{"destination.domain", "DestinationHostname", []int32{3}},
	{"network.transport", "Protocol", []int32{3}},
	{"registry.path", "TargetObject", []int32{12, 13, 14}},
	{"dns.question.name", "QueryName", []int32{22}},
}

func restoreSysmon(v *fastjson.Value, e *Event) {
	for _, m := range ecsSysmon {
		if m.ids != nil && !slices.Contains(m.ids, e.EventID) || e.index(m.field) >= 0 {
			continue
		}
		if s := scalarOf(v.Get(strings.Split(m.path, ".")...)); s != "" {
			e.add(m.field, s)
		}
	}
	if e.index("User") < 0 {
		if name := scalarOf(v.Get("user", "name")); name != "" {
			e.add("User", joinAccount(scalarOf(v.Get("user", "domain")), name))
		}
	}
	if e.EventID == 3 && e.index("Initiated") < 0 {
		switch scalarOf(v.Get("network", "direction")) {
		case "egress", "outbound":
			e.add("Initiated", "true")
		case "ingress", "inbound":
			e.add("Initiated", "false")
		}
	}
	if e.index("Hashes") < 0 {
		base := "file"
		if e.EventID == 1 {
			base = "process"
		}
		var parts []string
		for _, h := range [][2]string{{"sha1", "SHA1"}, {"md5", "MD5"}, {"sha256", "SHA256"}} {
			if s := scalarOf(v.Get(base, "hash", h[0])); s != "" {
				parts = append(parts, h[1]+"="+s)
			}
		}
		if s := scalarOf(v.Get(base, "pe", "imphash")); s != "" {
			parts = append(parts, "IMPHASH="+s)
		}
		if len(parts) > 0 {
			e.add("Hashes", strings.Join(parts, ","))
		}
	}
}

// flattenUserData adds the leaves of user_data (one element named by
// xml_name holding the fields, in some versions nested a level deeper).
func flattenUserData(v *fastjson.Value, e *Event, depth int) {
	obj, _ := v.Object()
	obj.Visit(func(k []byte, f *fastjson.Value) {
		if string(k) == "xml_name" {
			return
		}
		if f.Type() == fastjson.TypeObject && depth < 4 {
			flattenUserData(f, e, depth+1)
			return
		}
		e.addJSON(string(k), f)
	})
}
