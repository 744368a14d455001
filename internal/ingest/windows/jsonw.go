package windows

import (
	"strconv"
	"unicode/utf8"
)

// jsonObject writes a JSON object key by key, in insertion order, so that
// the output is deterministic without sorting and costs no reflection.
type jsonObject struct {
	buf []byte
	n   int
}

func (o *jsonObject) reset() { o.buf, o.n = o.buf[:0], 0 }

func (o *jsonObject) key(k string) {
	if o.n == 0 {
		o.buf = append(o.buf, '{')
	} else {
		o.buf = append(o.buf, ',')
	}
	o.n++
	o.buf = appendJSONString(o.buf, k)
	o.buf = append(o.buf, ':')
}

func (o *jsonObject) str(k, v string) {
	o.key(k)
	o.buf = appendJSONString(o.buf, v)
}

func (o *jsonObject) int(k string, v int64) {
	o.key(k)
	o.buf = strconv.AppendInt(o.buf, v, 10)
}

func (o *jsonObject) bool(k string, v bool) {
	o.key(k)
	o.buf = strconv.AppendBool(o.buf, v)
}

func (o *jsonObject) strs(k string, vs []string) {
	o.key(k)
	o.buf = append(o.buf, '[')
	for i, v := range vs {
		if i > 0 {
			o.buf = append(o.buf, ',')
		}
		o.buf = appendJSONString(o.buf, v)
	}
	o.buf = append(o.buf, ']')
}

func (o *jsonObject) empty() bool { return o.n == 0 }

// bytes returns a copy of the finished object ("{}" when empty).
func (o *jsonObject) bytes() []byte {
	if o.n == 0 {
		return []byte("{}")
	}
	out := make([]byte, len(o.buf)+1)
	copy(out, o.buf)
	out[len(o.buf)] = '}'
	return out
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes
// U+FFFD so that the output is always valid JSON.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"':
				b = append(b, '\\', '"')
			case '\\':
				b = append(b, '\\', '\\')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 are valid JSON but break JavaScript readers.
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
