package cloud

import (
	"encoding/json"
	"net/netip"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
)

// first returns the first non-empty text among the given dotted paths.
func first(v *fastjson.Value, paths ...string) string {
	if v == nil {
		return ""
	}
	for _, p := range paths {
		if s := ingest.Str(v, strings.Split(p, ".")...); s != "" {
			return s
		}
	}
	return ""
}

// isObject reports whether a field is a JSON object.
func isObject(v *fastjson.Value, keys ...string) bool {
	if v == nil {
		return false
	}
	f := v.Get(keys...)
	return f != nil && f.Type() == fastjson.TypeObject
}

// hasString reports whether a field is a non-empty JSON string.
func hasString(v *fastjson.Value, keys ...string) bool {
	if v == nil {
		return false
	}
	f := v.Get(keys...)
	return f != nil && f.Type() == fastjson.TypeString && len(f.GetStringBytes()) > 0
}

// embedded returns a field that may hold JSON either as a value or as a
// string of JSON text (Sentinel exports dynamic columns as strings).
func embedded(v *fastjson.Value, keys ...string) *fastjson.Value {
	if v == nil {
		return nil
	}
	return decodeValue(v.Get(keys...))
}

// decodeValue returns an object or array as is, and the JSON inside a
// string holding an object or array; nil otherwise.
func decodeValue(f *fastjson.Value) *fastjson.Value {
	if f == nil {
		return nil
	}
	switch f.Type() {
	case fastjson.TypeObject, fastjson.TypeArray:
		return f
	case fastjson.TypeString:
		s := strings.TrimSpace(string(f.GetStringBytes()))
		if s == "" || (s[0] != '{' && s[0] != '[') {
			return nil
		}
		var p fastjson.Parser
		d, err := p.Parse(s)
		if err != nil {
			return nil
		}
		return d
	}
	return nil
}

// decodeEmbedded returns an object's JSON with every string value that
// holds a JSON object or array replaced by that JSON, and alias keys added
// where absent (Sentinel renames some of the source's fields).
func decodeEmbedded(v *fastjson.Value, aliases map[string]string) json.RawMessage {
	obj, err := v.Object()
	if err != nil {
		return ingest.RecordJSON(v)
	}
	out := map[string]json.RawMessage{}
	obj.Visit(func(k []byte, f *fastjson.Value) {
		val := ingest.RecordJSON(f)
		if f.Type() == fastjson.TypeString {
			if d := decodeValue(f); d != nil {
				val = ingest.RecordJSON(d)
			}
		}
		out[string(k)] = val
	})
	for from, to := range aliases {
		if _, ok := out[to]; ok {
			continue
		}
		if val, ok := out[from]; ok {
			out[to] = val
		}
	}
	b, _ := json.Marshal(out)
	return b
}

// ipOf returns the address in text that may carry a port ("1.2.3.4:5",
// "[::1]:443") or be a host name; "" when it is not an IP address.
func ipOf(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().String()
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().String()
	}
	if strings.HasPrefix(s, "[") {
		if i := strings.Index(s, "]"); i > 0 {
			if a, err := netip.ParseAddr(s[1:i]); err == nil {
				return a.Unmap().String()
			}
		}
	}
	return ""
}

// timeOf reads the record's time from the first present path, or fails
// with a reason naming them.
func timeOf(v *fastjson.Value, paths ...string) (time.Time, error) {
	if t, ok := ingest.Time(v, paths...); ok {
		return t, nil
	}
	return time.Time{}, &missingError{what: "time", paths: paths}
}

type missingError struct {
	what  string
	paths []string
}

func (e *missingError) Error() string {
	return "no valid " + e.what + " (looked for " + strings.Join(e.paths, ", ") + ")"
}

// boolOf reads a JSON bool or its text ("true", "True", "1").
func boolOf(v *fastjson.Value, keys ...string) (bool, bool) {
	if v == nil {
		return false, false
	}
	f := v.Get(keys...)
	if f == nil {
		return false, false
	}
	switch f.Type() {
	case fastjson.TypeTrue:
		return true, true
	case fastjson.TypeFalse:
		return false, true
	case fastjson.TypeString:
		switch strings.ToLower(strings.TrimSpace(string(f.GetStringBytes()))) {
		case "true", "1", "yes":
			return true, true
		case "false", "0", "no":
			return false, true
		}
	case fastjson.TypeNumber:
		return f.GetFloat64() != 0, true
	}
	return false, false
}

// needObject rejects records that are not JSON objects (a forced --format
// on a text line).
func needObject(in *ingest.Input, what string) error {
	if in.JSON == nil || in.JSON.Type() != fastjson.TypeObject {
		return &notObjectError{what: what}
	}
	return nil
}

type notObjectError struct{ what string }

func (e *notObjectError) Error() string { return "a " + e.what + " record must be a JSON object" }

// joinNonEmpty joins the non-empty parts.
func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}
