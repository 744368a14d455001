package ingest

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

// Str returns the text of a field: a string as is, a number or bool as
// written in the record, "" when absent or null. Objects and arrays give
// their JSON text.
func Str(v *fastjson.Value, keys ...string) string {
	f := v.Get(keys...)
	if f == nil {
		return ""
	}
	switch f.Type() {
	case fastjson.TypeString:
		b, _ := f.StringBytes()
		return string(b)
	case fastjson.TypeNull:
		return ""
	default:
		return f.String()
	}
}

// Int returns an integer field given as a JSON number or as decimal or
// 0x-hex text.
func Int(v *fastjson.Value, keys ...string) (int64, bool) {
	f := v.Get(keys...)
	if f == nil {
		return 0, false
	}
	switch f.Type() {
	case fastjson.TypeNumber:
		if n, err := f.Int64(); err == nil {
			return n, true
		}
		if x, err := f.Float64(); err == nil && x == float64(int64(x)) {
			return int64(x), true
		}
	case fastjson.TypeString:
		b, _ := f.StringBytes()
		return ParseInt(string(b))
	}
	return 0, false
}

// ParseInt reads decimal or 0x-hex text.
func ParseInt(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		n, err := strconv.ParseUint(h, 16, 64)
		return int64(n), err == nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// timeLayouts are the timestamp shapes shippers write, most common first.
// Layouts without a zone are read as UTC: Sysmon's UtcTime and ECS
// timestamps are UTC; local-time fields (NXLog's EventTime) are used only
// when nothing better exists.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999-0700",
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"01/02/2006 15:04:05",
	"2006/01/02 15:04:05",
}

// ParseTime reads a timestamp in any of the shapes shippers use, and Unix
// seconds or milliseconds given as numbers. The result is UTC.
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, ok := parseISOTime(s); ok {
		return t, true
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1 || t.Year() > 9999 {
				return time.Time{}, false
			}
			return t.UTC(), true
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 {
		return UnixTime(f)
	}
	return time.Time{}, false
}

// UnixTime reads Unix seconds, or milliseconds when the number is too large
// to be seconds of this era.
func UnixTime(f float64) (time.Time, bool) {
	switch {
	case f <= 0 || f > 1e15:
		return time.Time{}, false
	case f > 1e11: // milliseconds
		return time.UnixMilli(int64(f)).UTC(), true
	default:
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), true
	}
}

// Time returns the first field of keys... that holds a parseable
// timestamp; each argument is one top-level key or a dotted path.
func Time(v *fastjson.Value, paths ...string) (time.Time, bool) {
	for _, p := range paths {
		f := v.Get(strings.Split(p, ".")...)
		if f == nil {
			continue
		}
		if t, ok := TimeOf(f); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// TimeOf reads a timestamp given as text (see ParseTime) or as Unix
// seconds or milliseconds.
func TimeOf(f *fastjson.Value) (time.Time, bool) {
	switch f.Type() {
	case fastjson.TypeString:
		b, _ := f.StringBytes()
		return ParseTime(string(b))
	case fastjson.TypeNumber:
		if x, err := f.Float64(); err == nil {
			return UnixTime(x)
		}
	}
	return time.Time{}, false
}

// RawJSON returns a field's JSON text for a dynamic column, nil when absent.
func RawJSON(v *fastjson.Value, keys ...string) json.RawMessage {
	f := v.Get(keys...)
	if f == nil || f.Type() == fastjson.TypeNull {
		return nil
	}
	return JSONOf(f)
}

// JSONOf returns a value's JSON text, always valid JSON, as close to the
// record as JSON allows (see RecordJSON).
func JSONOf(v *fastjson.Value) json.RawMessage { return RecordJSON(v) }
