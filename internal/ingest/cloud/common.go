package cloud

import (
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
)

// reportID derives a row's ReportId from the record's bytes and the row's
// position, so that replaying a file yields the same ids and two rows of
// one record never share one. 63 bits keep it positive in a long column.
func reportID(data []byte, parts ...int) int64 {
	h := fnv.New64a()
	h.Write(data)
	var b [8]byte
	for _, p := range parts {
		binary.LittleEndian.PutUint64(b[:], uint64(p))
		h.Write(b[:])
	}
	return int64(h.Sum64() & (1<<63 - 1))
}

// reportIDString is reportID for the tables whose ReportId is a string.
func reportIDString(data []byte, parts ...int) string {
	return strconv.FormatInt(reportID(data, parts...), 10)
}

// str returns a field's text ("" when absent or null).
func str(v *fastjson.Value, keys ...string) string {
	if v == nil {
		return ""
	}
	return ingest.Str(v, keys...)
}

// first returns the first non-empty text among the given dotted paths.
func first(v *fastjson.Value, paths ...string) string {
	if v == nil {
		return ""
	}
	for _, p := range paths {
		if s := str(v, strings.Split(p, ".")...); s != "" {
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
		return jsonOf(v)
	}
	out := map[string]json.RawMessage{}
	obj.Visit(func(k []byte, f *fastjson.Value) {
		val := jsonOf(f)
		if f.Type() == fastjson.TypeString {
			if d := decodeValue(f); d != nil {
				val = jsonOf(d)
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

// jsonOf returns a value's JSON. fastjson accepts raw control characters
// in strings and writes them back as Go escapes (\x03), which is not JSON;
// such values are re-encoded piece by piece.
func jsonOf(v *fastjson.Value) json.RawMessage {
	b := v.MarshalTo(nil)
	if json.Valid(b) {
		return b
	}
	return appendJSON(nil, v)
}

func appendJSON(dst []byte, v *fastjson.Value) []byte {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		dst = append(dst, '{')
		n := 0
		o.Visit(func(k []byte, f *fastjson.Value) {
			if n > 0 {
				dst = append(dst, ',')
			}
			n++
			key, _ := json.Marshal(string(k))
			dst = append(dst, key...)
			dst = append(dst, ':')
			dst = appendJSON(dst, f)
		})
		return append(dst, '}')
	case fastjson.TypeArray:
		a, _ := v.Array()
		dst = append(dst, '[')
		for i, f := range a {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSON(dst, f)
		}
		return append(dst, ']')
	case fastjson.TypeString:
		b, _ := json.Marshal(string(v.GetStringBytes()))
		return append(dst, b...)
	case fastjson.TypeNumber:
		b := v.MarshalTo(nil)
		if json.Valid(b) {
			return append(dst, b...)
		}
		q, _ := json.Marshal(string(b))
		return append(dst, q...)
	default:
		return v.MarshalTo(dst)
	}
}

// fields collects AdditionalFields entries; empty values are left out.
type fields map[string]any

func (f fields) str(k, v string) {
	if v != "" {
		f[k] = v
	}
}

func (f fields) raw(k string, v *fastjson.Value) {
	if v == nil || v.Type() == fastjson.TypeNull {
		return
	}
	if v.Type() == fastjson.TypeString && len(v.GetStringBytes()) == 0 {
		return
	}
	f[k] = jsonOf(v)
}

func (f fields) json() json.RawMessage {
	if len(f) == 0 {
		return nil
	}
	b, err := json.Marshal(map[string]any(f))
	if err != nil {
		return nil
	}
	return b
}

// setJSON puts a dynamic value in a column, leaving it null when empty.
func setJSON(r *ingest.Row, column string, v json.RawMessage) {
	if len(v) > 0 {
		r.Set(column, v)
	}
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

// splitUPN splits user@domain or DOMAIN\user into name and domain.
func splitUPN(s string) (name, domain string) {
	if i := strings.LastIndexByte(s, '@'); i > 0 {
		return s[:i], s[i+1:]
	}
	if i := strings.IndexByte(s, '\\'); i >= 0 {
		return s[i+1:], s[:i]
	}
	return s, ""
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

// rawCopy keeps the whole record in RawEvents, for rows that have no
// column of their own for it.
func rawCopy(in *ingest.Input, out *ingest.RowSet, t time.Time, computer string) {
	row := out.New("RawEvents")
	row.Set("TimeGenerated", t)
	row.SetString("SourceName", in.Source)
	row.Set("SourceFormat", "json")
	row.SetString("Computer", computer)
	row.Set("RawData", jsonOf(in.JSON))
}

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
