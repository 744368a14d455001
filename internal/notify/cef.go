package notify

import (
	"fmt"
	"strconv"
	"strings"
)

// CEF formats an event as an ArcSight Common Event Format line (without
// the syslog header):
//
//	CEF:0|Vigil|Vigil XDR|<version>|incident.created|<title>|<severity>|rt=... externalId=... <attrs>
//
// Header fields escape backslash and pipe; extension values escape
// backslash, equals and line breaks, as the CEF specification says.
func CEF(ev Event, version string) string {
	var b strings.Builder
	b.WriteString("CEF:0|Vigil|Vigil XDR|")
	b.WriteString(cefHeader(version))
	b.WriteByte('|')
	b.WriteString(cefHeader(ev.Type))
	b.WriteByte('|')
	b.WriteString(cefHeader(ev.Title))
	b.WriteByte('|')
	b.WriteString(strconv.Itoa(cefSeverity(ev.Severity)))
	b.WriteByte('|')
	b.WriteString("rt=")
	b.WriteString(strconv.FormatInt(ev.Time.UnixMilli(), 10))
	ext := func(k, v string) {
		b.WriteByte(' ')
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(cefValue(v))
	}
	ext("externalId", ev.Subject)
	ext("cat", ev.Type)
	for _, a := range ev.Attrs {
		if !cefKey(a.Key) || a.Value == "" {
			continue
		}
		ext(a.Key, a.Value)
		if a.Label != "" {
			ext(a.Key+"Label", a.Label)
		}
	}
	return b.String()
}

// cefSeverity maps Defender's severities onto CEF's 0-10 scale.
func cefSeverity(s string) int {
	switch strings.ToLower(s) {
	case "high":
		return 8
	case "medium":
		return 5
	case "low":
		return 3
	case "informational":
		return 1
	}
	return 0
}

func cefHeader(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `|`, `\|`, "\r\n", " ", "\n", " ", "\r", " ")
	return r.Replace(s)
}

func cefValue(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `=`, `\=`, "\n", `\n`, "\r", `\r`)
	return r.Replace(s)
}

// cefKey accepts extension keys: letters and digits only, so a caller's
// key can never break the line's key=value structure.
func cefKey(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// ParseCEF splits a CEF line into its seven header fields and its
// extension map, undoing the escapes; it is the inverse of CEF and what
// the tests (and the fuzzer) hold it to.
func ParseCEF(line string) (header []string, ext map[string]string, err error) {
	if !strings.HasPrefix(line, "CEF:") {
		return nil, nil, fmt.Errorf("CEF line must start with CEF:")
	}
	rest := line[len("CEF:"):]
	var field strings.Builder
	i := 0
	for len(header) < 7 {
		if i >= len(rest) {
			return nil, nil, fmt.Errorf("CEF header has %d fields, want 7", len(header)+1)
		}
		c := rest[i]
		switch {
		case c == '\\' && i+1 < len(rest) && (rest[i+1] == '\\' || rest[i+1] == '|'):
			field.WriteByte(rest[i+1])
			i += 2
		case c == '|':
			header = append(header, field.String())
			field.Reset()
			i++
		default:
			field.WriteByte(c)
			i++
		}
	}
	ext, err = parseCEFExtension(rest[i:], len(line)-len(rest)+i)
	return header, ext, err
}

func parseCEFExtension(s string, offset int) (map[string]string, error) {
	ext := map[string]string{}
	i := 0
	for i < len(s) {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i == len(s) {
			break
		}
		eq := strings.IndexByte(s[i:], '=')
		if eq <= 0 {
			return nil, fmt.Errorf("CEF extension at byte %d: want key=value", offset+i)
		}
		key := s[i : i+eq]
		if !cefKey(key) {
			return nil, fmt.Errorf("CEF extension at byte %d: bad key %q", offset+i, key)
		}
		i += eq + 1
		var v strings.Builder
		for i < len(s) {
			c := s[i]
			if c == '\\' && i+1 < len(s) {
				switch s[i+1] {
				case '\\', '=':
					v.WriteByte(s[i+1])
				case 'n':
					v.WriteByte('\n')
				case 'r':
					v.WriteByte('\r')
				default:
					v.WriteByte(c)
					i++
					continue
				}
				i += 2
				continue
			}
			if c == ' ' && nextIsKey(s[i+1:]) {
				break
			}
			v.WriteByte(c)
			i++
		}
		ext[key] = v.String()
	}
	return ext, nil
}

// nextIsKey reports whether s starts with "key=", which ends the current
// value (values may hold spaces).
func nextIsKey(s string) bool {
	eq := strings.IndexByte(s, '=')
	return eq > 0 && cefKey(s[:eq])
}
