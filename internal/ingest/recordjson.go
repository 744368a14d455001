package ingest

import (
	"encoding/json"

	"github.com/valyala/fastjson"
)

// RecordJSON returns a value's JSON text, always valid JSON and as close
// to the record as JSON allows. fastjson accepts raw control characters
// in strings and writes them back as Go escapes (\x03), and accepts
// number literals JSON does not have (01, .5, +1, 1e); such a value is
// re-encoded piece by piece: keys keep their order (repeated keys too),
// strings are escaped, and a number JSON cannot hold keeps its text as a
// string. (JSONOf instead sorts the keys of what it re-encodes, keeps the
// last of repeated keys and reads odd numbers as floats.)
func RecordJSON(v *fastjson.Value) json.RawMessage {
	b := v.MarshalTo(nil)
	if json.Valid(b) {
		return b
	}
	return appendRecordJSON(nil, v)
}

func appendRecordJSON(dst []byte, v *fastjson.Value) []byte {
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
			dst = appendRecordJSON(dst, f)
		})
		return append(dst, '}')
	case fastjson.TypeArray:
		a, _ := v.Array()
		dst = append(dst, '[')
		for i, f := range a {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendRecordJSON(dst, f)
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
