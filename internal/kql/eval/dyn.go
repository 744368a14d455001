package eval

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Dynamic values are kept as compact JSON text (json.RawMessage), the
// store's representation: paths are followed on the text without
// decoding whole documents, and key order is kept. A JSON null is nil.

// jsonSkipSpace returns the index of the first non-space byte at or after i.
func jsonSkipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// jsonSkip returns the end of the JSON value starting at i (after spaces),
// or -1 when the text is malformed.
func jsonSkip(b []byte, i int) int {
	i = jsonSkipSpace(b, i)
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		i++
		for i < len(b) {
			switch b[i] {
			case '\\':
				i += 2
				continue
			case '"':
				return i + 1
			}
			i++
		}
		return -1
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				j := jsonSkip(b, i)
				if j < 0 {
					return -1
				}
				i = j
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// dynNorm trims a JSON value and turns JSON null into nil.
func dynNorm(b []byte) any {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	return json.RawMessage(b)
}

// dynMember returns the member key of a JSON object, or nil.
func dynMember(b []byte, key string) any {
	i := jsonSkipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil
	}
	i++
	for {
		i = jsonSkipSpace(b, i)
		if i >= len(b) || b[i] == '}' {
			return nil
		}
		kEnd := jsonSkip(b, i)
		if kEnd < 0 || b[i] != '"' {
			return nil
		}
		k := b[i:kEnd]
		i = jsonSkipSpace(b, kEnd)
		if i >= len(b) || b[i] != ':' {
			return nil
		}
		vStart := i + 1
		vEnd := jsonSkip(b, vStart)
		if vEnd < 0 {
			return nil
		}
		if keyEquals(k, key) {
			return dynNorm(b[vStart:vEnd])
		}
		i = jsonSkipSpace(b, vEnd)
		if i < len(b) && b[i] == ',' {
			i++
		}
	}
}

func keyEquals(quoted []byte, key string) bool {
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner) == key
	}
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return false
	}
	return s == key
}

// dynElems returns the raw elements of a JSON array; ok is false when b
// is not an array.
func dynElems(b []byte) (out [][]byte, ok bool) {
	i := jsonSkipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return nil, false
	}
	i++
	for {
		i = jsonSkipSpace(b, i)
		if i >= len(b) {
			return out, true
		}
		if b[i] == ']' {
			return out, true
		}
		j := jsonSkip(b, i)
		if j < 0 {
			return out, true
		}
		out = append(out, b[i:j])
		i = jsonSkipSpace(b, j)
		if i < len(b) && b[i] == ',' {
			i++
		}
	}
}

// dynIndex returns element n of a JSON array (negative counts from the
// end), or nil.
func dynIndex(b []byte, n int64) any {
	elems, ok := dynElems(b)
	if !ok {
		return nil
	}
	if n < 0 {
		n += int64(len(elems))
	}
	if n < 0 || n >= int64(len(elems)) {
		return nil
	}
	return dynNorm(elems[n])
}

// dynKind is the JSON kind of a value: 's' string, 'n' number, 'b' bool,
// 'o' object, 'a' array, 0 null.
func dynKind(b []byte) byte {
	i := jsonSkipSpace(b, 0)
	if i >= len(b) {
		return 0
	}
	switch c := b[i]; {
	case c == '"':
		return 's'
	case c == '{':
		return 'o'
	case c == '[':
		return 'a'
	case c == 't' || c == 'f':
		return 'b'
	case c == 'n':
		return 0
	}
	return 'n'
}

// dynText is tostring() of a dynamic value: a string unquoted, null as "",
// anything else as its JSON text.
func dynText(v any) string {
	b, ok := v.(json.RawMessage)
	if !ok || len(b) == 0 {
		return ""
	}
	switch dynKind(b) {
	case 's':
		var s string
		if json.Unmarshal(b, &s) == nil {
			return s
		}
		return string(b)
	case 0:
		return ""
	}
	return string(bytes.TrimSpace(b))
}

// dynFrom converts a typed value to dynamic.
func dynFrom(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case json.RawMessage:
		return dynNorm(x)
	case string:
		b, _ := json.Marshal(x)
		return json.RawMessage(b)
	case bool:
		return json.RawMessage(strconv.FormatBool(x))
	case int32:
		return json.RawMessage(strconv.FormatInt(int64(x), 10))
	case int64:
		return json.RawMessage(strconv.FormatInt(x, 10))
	case float64:
		b, err := json.Marshal(x)
		if err != nil {
			return nil
		}
		return json.RawMessage(b)
	}
	b, _ := json.Marshal(toString(v))
	return json.RawMessage(b)
}

// parseJSONText is parse_json of a string: valid JSON becomes that value,
// anything else the string itself.
func parseJSONText(s string) any {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil
	}
	if json.Valid([]byte(t)) {
		var buf bytes.Buffer
		if json.Compact(&buf, []byte(t)) == nil {
			return dynNorm(buf.Bytes())
		}
	}
	return dynFrom(s)
}

// jsonArrayStrings renders a []string as a dynamic array.
func jsonArrayStrings(ss []string) any {
	b, _ := json.Marshal(ss)
	return json.RawMessage(b)
}
