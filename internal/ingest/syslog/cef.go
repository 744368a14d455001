package syslog

import (
	"strconv"
	"strings"
)

// CEF is one ArcSight Common Event Format event:
//
//	CEF:Version|Device Vendor|Device Product|Device Version|Device Event Class ID|Name|Severity|Extension
type CEF struct {
	Version            int
	DeviceVendor       string
	DeviceProduct      string
	DeviceVersion      string
	DeviceEventClassID string
	Name               string
	Severity           string
	// Extension holds the key=value pairs in their order, values
	// unescaped.
	Extension []KV
}

// KV is one extension pair.
type KV struct {
	Key   string
	Value string
}

// Get returns the value of the first pair with the key.
func (e *CEF) Get(key string) (string, bool) {
	for _, kv := range e.Extension {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return "", false
}

// ParseCEF reads a CEF event that starts at s[0] with "CEF:". Header
// fields undo the escapes \| and \\; extension values undo \= \\ \n \r
// (and \|, which some vendors write though the format does not need it).
// A backslash before any other byte is kept. A value runs up to the space
// before the next key=, as the format defines; keys are letters, digits
// and the punctuation vendors use in them (_ . - [ ] ,).
func ParseCEF(s string) (CEF, error) {
	var e CEF
	if !strings.HasPrefix(s, "CEF:") {
		return e, errAt(0, "expected \"CEF:\"")
	}
	i := 4
	for i < len(s) && s[i] == ' ' {
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) && i-start < 3 {
		i++
	}
	if i == start || i >= len(s) || s[i] != '|' {
		return e, errAt(start, "expected the CEF version number and '|'")
	}
	e.Version, _ = strconv.Atoi(s[start:i])
	i++

	header := [...]*string{&e.DeviceVendor, &e.DeviceProduct, &e.DeviceVersion, &e.DeviceEventClassID, &e.Name, &e.Severity}
	names := [...]string{"Device Vendor", "Device Product", "Device Version", "Device Event Class ID", "Name", "Severity"}
	for k, dst := range header {
		j, escaped := i, false
		for j < len(s) && s[j] != '|' {
			if s[j] == '\\' && j+1 < len(s) {
				escaped = true
				j++
			}
			j++
		}
		if j >= len(s) && k < len(header)-1 {
			return e, errAt(j, "CEF header ends before %s (%d of 7 fields)", names[k+1], k+2)
		}
		if j > len(s) {
			j = len(s)
		}
		*dst = s[i:j]
		if escaped {
			*dst = unescapeHeader(*dst)
		}
		i = j + 1
	}
	if i < len(s) {
		ext, err := parseExtension(s, i)
		if err != nil {
			return e, err
		}
		e.Extension = ext
	}
	return e, nil
}

func unescapeHeader(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '|' || s[i+1] == '\\') {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) ||
		c == '_' || c == '.' || c == '-' || c == '[' || c == ']' || c == ','
}

// parseExtension reads key=value pairs from s[i:] in one pass: a '='
// starts a new pair only when the bytes since the last space form a key,
// so '=' inside values (URLs, base64) stays in the value.
func parseExtension(s string, i int) ([]KV, error) {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i == len(s) {
		return nil, nil
	}
	k := i
	for k < len(s) && isKeyByte(s[k]) {
		k++
	}
	if k == i || k >= len(s) || s[k] != '=' {
		return nil, errAt(i, "extension does not start with key=value: %s", quote(s[i:]))
	}
	out := make([]KV, 0, strings.Count(s[k:], "=")) // at most one pair per '='
	key, valStart := s[i:k], k+1
	keyStart, keyOK := -1, false // the candidate key after the last space
	for j := valStart; j < len(s); j++ {
		switch c := s[j]; {
		case c == '\\':
			keyOK = false
			j++ // the escaped byte is part of the value
		case c == ' ':
			keyStart, keyOK = j+1, true
		case c == '=':
			if keyOK && keyStart < j {
				out = append(out, KV{Key: key, Value: extValue(s[valStart : keyStart-1])})
				key, valStart = s[keyStart:j], j+1
			}
			keyOK = false
		case !isKeyByte(c):
			keyOK = false
		}
	}
	return append(out, KV{Key: key, Value: extValue(s[valStart:])}), nil
}

// extValue trims the spaces around a value and undoes its escapes.
func extValue(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case '\\', '=', '|':
				c = s[i+1]
				i++
			case 'n':
				c = '\n'
				i++
			case 'r':
				c = '\r'
				i++
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}
