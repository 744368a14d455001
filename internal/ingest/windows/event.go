package windows

import (
	"strings"
	"time"
	"unsafe"

	"github.com/valyala/fastjson"
)

// Field is one event-data field as the shipper wrote it.
//
// Fields read from a JSON object borrow their text from the parsed record
// (the parser's memory, valid while the record is normalized): most of it
// only goes into the raw copy's JSON, which copies it anyway. A value is
// copied into the event's arena the first time it is read for a column
// (Event.value), so that rows never keep the parser's memory; names never
// reach a row.
type Field struct {
	Name  string
	Value string
	// borrowed: Value is the parser's memory, not yet copied.
	borrowed bool
	// json is the field as a JSON member ("Name":"Value"), once written
	// for AdditionalFields (in the arena): the raw copy's event data
	// reuses it rather than escape the field again.
	json []byte
}

// Event is one Windows event log record in the shape common to every
// shipper: the System part (time, computer, channel, ID, provider, ...) and
// the event data as ordered name/value pairs. The decoders fill it; the
// mappers read it.
type Event struct {
	Time        time.Time
	Computer    string // as the record names it (case kept)
	Channel     string // canonical case for well-known channels
	EventID     int32
	Provider    string
	Task        string // a number, or a task name (Winlogbeat)
	Level       string // numeric level ("4") when known
	LevelName   string // "Information", "Audit Success", ...
	Keywords    string // 0x-hex, or names (Winlogbeat)
	Opcode      string
	Version     string
	RecordID    string
	ProcessID   string // Execution ProcessID (the logging process)
	ThreadID    string
	UserID      string // System/Security UserID (a SID)
	UserName    string // that account's name and domain, when the
	UserDomain  string // shipper resolved them (NXLog, Winlogbeat)
	Correlation string // ActivityID
	Message     string // the rendered message, when the shipper kept it

	Data []Field
	used []bool

	// Buffers reused across the records an Event is pooled for.
	extra, data jsonObject

	// arena holds the text of the records' fields: one allocation for
	// many records instead of one per string. Rows keep substrings of it,
	// so bytes once written are never written again: a record's text goes
	// after the last one's, and a full chunk is left to the rows that
	// still use it.
	arena []byte
	// scratch holds a number's text on its way to the arena.
	scratch []byte
	// spans are the emitter's scratch: event-data fields written to
	// AdditionalFields, and where their values are.
	spans [][3]int
}

// arenaChunk is the size of a new arena chunk: a few records' text, so
// that the chunk a long-lived string pins (an enricher's cache keeps
// names) stays small.
const arenaChunk = 16 << 10

func (e *Event) reset() {
	data, used, b1, b2, arena, scratch, spans := e.Data[:0], e.used[:0], e.extra, e.data, e.arena, e.scratch, e.spans[:0]
	*e = Event{Data: data, used: used, extra: b1, data: b2, arena: arena, scratch: scratch, spans: spans}
	e.extra.reset()
	e.data.reset()
}

// text returns b as a string backed by the arena.
func (e *Event) text(b []byte) string { return arenaCopy(e, b) }

// textOf is text for a string.
func (e *Event) textOf(s string) string { return arenaCopy(e, s) }

func arenaCopy[T []byte | string](e *Event, b T) string {
	c := arenaBytes(e, b)
	if len(c) == 0 {
		return ""
	}
	return unsafe.String(&c[0], len(c))
}

// arenaBytes copies b into the arena; the copy's capacity is its length,
// so appending to it cannot overwrite what follows.
func arenaBytes[T []byte | string](e *Event, b T) []byte {
	if len(b) == 0 {
		return nil
	}
	if cap(e.arena)-len(e.arena) < len(b) {
		// A new chunk: the old one stays as it is for the strings in it.
		e.arena = make([]byte, 0, max(len(b), arenaChunk))
	}
	start := len(e.arena)
	e.arena = append(e.arena, b...)
	return e.arena[start:len(e.arena):len(e.arena)]
}

// arenaJSONRoom is the room a JSON object built in the arena starts with:
// a record's event data fits; a longer one grows the chunk.
const arenaJSONRoom = 2 << 10

// arenaJSON builds a JSON object with fill straight into the arena (no
// copy from a scratch buffer) and returns its text, "{}" when fill writes
// nothing. The text's capacity is its length.
func (e *Event) arenaJSON(fill func(o *jsonObject)) []byte {
	if cap(e.arena)-len(e.arena) < arenaJSONRoom {
		e.arena = make([]byte, 0, arenaChunk)
	}
	start := len(e.arena)
	o := jsonObject{buf: e.arena}
	fill(&o)
	if o.n == 0 {
		return []byte("{}")
	}
	// Past the chunk, append moved it all to a bigger one: the strings in
	// the old one stay as they are.
	b := append(o.buf, '}')
	e.arena = b
	return b[start:len(b):len(b)]
}

// scalar is scalarOf with the text in the arena (no allocation of its own).
func (e *Event) scalar(v *fastjson.Value) string {
	if v == nil {
		return ""
	}
	switch v.Type() {
	case fastjson.TypeString:
		return e.text(v.GetStringBytes())
	case fastjson.TypeNumber:
		e.scratch = v.MarshalTo(e.scratch[:0])
		return e.text(e.scratch)
	case fastjson.TypeTrue:
		return "true"
	case fastjson.TypeFalse:
		return "false"
	}
	return ""
}

// push appends a field without looking for an earlier one of the same
// name: for sources whose fields come from one JSON object.
func (e *Event) push(name, value string) {
	if name != "" {
		e.Data = append(e.Data, Field{Name: name, Value: value})
	}
}

// add appends a field unless a field of that name is already present (the
// first one wins, as with duplicate JSON keys).
func (e *Event) add(name, value string) {
	if name == "" || e.index(name) >= 0 {
		return
	}
	e.Data = append(e.Data, Field{Name: name, Value: value})
}

// addJSON appends a field from a JSON value: strings as they are, numbers
// and booleans as written, objects and arrays as JSON text; null is no
// value at all.
func (e *Event) addJSON(name string, v *fastjson.Value) {
	if s, ok := jsonText(v); ok {
		e.add(name, s)
	}
}

// pushJSON is addJSON without the duplicate check, for the fields of one
// JSON object; name and text are borrowed from the parser (see Field).
func (e *Event) pushJSON(name []byte, v *fastjson.Value) {
	if len(name) == 0 {
		return
	}
	f := Field{Name: borrow(name)}
	switch v.Type() {
	case fastjson.TypeString:
		f.Value, f.borrowed = borrow(v.GetStringBytes()), true
	case fastjson.TypeNull:
		return
	default:
		f.Value, _ = jsonText(v)
	}
	e.Data = append(e.Data, f)
}

// borrow returns b as a string without copying it: b must not change
// while the string is in use.
func borrow(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// value returns field i's value, copied into the arena first if it is
// still borrowed: what a row may keep.
func (e *Event) value(i int) string {
	f := &e.Data[i]
	if f.borrowed {
		f.Value, f.borrowed = e.textOf(f.Value), false
	}
	return f.Value
}

func jsonText(v *fastjson.Value) (string, bool) {
	switch v.Type() {
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return string(b), true
	case fastjson.TypeNull:
		return "", false
	case fastjson.TypeTrue:
		return "true", true
	case fastjson.TypeFalse:
		return "false", true
	default:
		return string(v.MarshalTo(nil)), true
	}
}

func (e *Event) index(name string) int {
	for i := range e.Data {
		if e.Data[i].Name == name {
			return i
		}
	}
	return -1
}

// Get returns a field's value as recorded, "" when absent.
func (e *Event) Get(name string) string {
	if i := e.index(name); i >= 0 {
		return e.value(i)
	}
	return ""
}

// take returns a field's value for a normalized column and marks the field
// as placed, so that it is not repeated in AdditionalFields. Windows writes
// "-" for "not applicable"; that reads as empty.
func (e *Event) take(name string) string {
	i := e.index(name)
	if i < 0 {
		return ""
	}
	for len(e.used) < len(e.Data) {
		e.used = append(e.used, false)
	}
	e.used[i] = true
	return clean(e.value(i))
}

// mark records fields as placed without reading them.
func (e *Event) mark(names ...string) {
	for _, n := range names {
		e.take(n)
	}
}

func (e *Event) isUsed(i int) bool { return i < len(e.used) && e.used[i] }

// clean maps Windows' placeholders for "none" ("-", blanks) to "". Other
// values are kept as written: command lines end in meaningful spaces.
func clean(s string) string {
	if t := strings.TrimSpace(s); t == "" || t == "-" {
		return ""
	}
	return s
}

// peek returns a field's cleaned value without marking it placed, for a
// field that fills several columns.
func (e *Event) peek(name string) string { return clean(e.Get(name)) }
