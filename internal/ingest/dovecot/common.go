package dovecot

import (
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
)

// reportID derives a row's ReportId from the record's bytes and the row's
// position: replaying a file yields the same ids, and rows of one record
// never share one. 63 bits keep it positive in a long column.
func reportID(data []byte, row int) int64 {
	h := fnv.New64a()
	h.Write(data)
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(row))
	h.Write(b[:])
	return int64(h.Sum64() & (1<<63 - 1))
}

func reportIDString(data []byte, row int) string {
	return strconv.FormatInt(reportID(data, row), 10)
}

// str returns a field's text ("" when absent or null).
func str(v *fastjson.Value, keys ...string) string {
	if v == nil {
		return ""
	}
	return ingest.Str(v, keys...)
}

// splitAccount splits user@domain or DOMAIN\user into name and domain.
func splitAccount(s string) (name, domain string) {
	if i := strings.IndexByte(s, '\\'); i >= 0 {
		return s[i+1:], s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i > 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// fields collects AdditionalFields entries; empty values are left out.
type fields map[string]any

func (f fields) str(k, v string) {
	if v != "" {
		f[k] = v
	}
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

func setJSON(r *ingest.Row, column string, v json.RawMessage) {
	if len(v) > 0 {
		r.Set(column, v)
	}
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

// rawCopy keeps the whole record in RawEvents.
func rawCopy(in *ingest.Input, out *ingest.RowSet, t time.Time, computer string) {
	row := out.New("RawEvents")
	row.Set("TimeGenerated", t)
	row.SetString("SourceName", in.Source)
	row.Set("SourceFormat", "json")
	row.SetString("Computer", computer)
	row.Set("RawData", jsonOf(in.JSON))
}
