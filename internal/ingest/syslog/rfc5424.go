package syslog

import (
	"strings"
	"time"
)

// Field limits of RFC 5424, section 6.
const (
	maxHostname = 255
	maxAppName  = 48
	maxProcID   = 128
	maxMsgID    = 32
	maxSDName   = 32
)

// ParseRFC5424 reads an RFC 5424 message:
//
//	<PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]
//
// It follows the RFC except where senders commonly stray and the meaning
// stays certain: a timestamp without an offset is read in loc (nil means
// UTC), fractions may have more than six digits, and a missing space
// before an empty MSG is accepted. Errors carry the byte offset.
func ParseRFC5424(s string, loc *time.Location) (Message, error) {
	m := Message{Protocol: RFC5424}
	pri, i, err := parsePRI(s)
	if err != nil {
		return m, err
	}
	m.Priority = pri
	v := 0
	start := i
	for i < len(s) && isDigit(s[i]) && i-start < 3 {
		v = v*10 + int(s[i]-'0')
		i++
	}
	if i == start || s[start] == '0' {
		return m, errAt(start, "expected VERSION (1-999)")
	}
	m.Version = v
	if i, err = sp(s, i, "VERSION"); err != nil {
		return m, err
	}

	// TIMESTAMP
	if strings.HasPrefix(s[i:], "-") && (i+1 == len(s) || s[i+1] == ' ') {
		i++
	} else {
		c, n, perr := isoClock(s[i:], false, false)
		if perr != nil {
			perr.Offset += i
			perr.Msg = "TIMESTAMP: " + perr.Msg
			return m, perr
		}
		m.Timestamp, _ = c.time(time.Time{}, loc)
		i += n
	}
	if i, err = sp(s, i, "TIMESTAMP"); err != nil {
		return m, err
	}

	fields := [...]struct {
		name string
		max  int
		dst  *string
	}{
		{"HOSTNAME", maxHostname, &m.Hostname},
		{"APP-NAME", maxAppName, &m.AppName},
		{"PROCID", maxProcID, &m.ProcID},
		{"MSGID", maxMsgID, &m.MsgID},
	}
	for _, f := range fields {
		j := i
		for j < len(s) && s[j] != ' ' {
			if s[j] < 33 || s[j] > 126 {
				return m, errAt(j, "%s: byte %#x is not printable US-ASCII", f.name, s[j])
			}
			j++
		}
		switch {
		case j == i:
			return m, errAt(i, "expected %s", f.name)
		case j-i > f.max:
			return m, errAt(i, "%s longer than %d bytes", f.name, f.max)
		}
		if val := s[i:j]; val != "-" {
			*f.dst = val
		}
		if i, err = sp(s, j, f.name); err != nil {
			return m, err
		}
	}

	// STRUCTURED-DATA
	switch {
	case i < len(s) && s[i] == '-':
		i++
	case i < len(s) && s[i] == '[':
		sdStart := i
		for i < len(s) && s[i] == '[' {
			var el SDElement
			if el, i, err = parseSDElement(s, i); err != nil {
				return m, err
			}
			m.StructuredData = append(m.StructuredData, el)
		}
		m.StructuredText = s[sdStart:i]
	default:
		return m, errAt(i, "expected STRUCTURED-DATA ('-' or '[')")
	}

	if i < len(s) {
		if s[i] != ' ' {
			return m, errAt(i, "expected a space before MSG, got %q", s[i])
		}
		m.Text = strings.TrimPrefix(s[i+1:], "\ufeff")
	}
	return m, nil
}

// sp expects a space at s[i] after the named field.
func sp(s string, i int, after string) (int, error) {
	if i >= len(s) || s[i] != ' ' {
		return i, errAt(i, "expected a space after %s", after)
	}
	return i + 1, nil
}

// sdName reads an SD-NAME (SD-ID or PARAM-NAME) at s[i:].
func sdName(s string, i int, what string) (string, int, error) {
	j := i
	for j < len(s) {
		c := s[j]
		if c == '=' || c == ' ' || c == ']' || c == '"' {
			break
		}
		if c < 33 || c > 126 {
			return "", j, errAt(j, "%s: byte %#x is not printable US-ASCII", what, c)
		}
		j++
	}
	switch {
	case j == i:
		return "", j, errAt(i, "expected %s", what)
	case j-i > maxSDName:
		return "", j, errAt(i, "%s longer than %d bytes", what, maxSDName)
	}
	return s[i:j], j, nil
}

// parseSDElement reads "[SD-ID *(SP PARAM-NAME="PARAM-VALUE")]" at s[i].
func parseSDElement(s string, i int) (SDElement, int, error) {
	var el SDElement
	var err error
	if el.ID, i, err = sdName(s, i+1, "SD-ID"); err != nil {
		return el, i, err
	}
	for {
		if i >= len(s) {
			return el, i, errAt(i, "structured data element %q not closed with ']'", el.ID)
		}
		if s[i] == ']' {
			return el, i + 1, nil
		}
		if s[i] != ' ' {
			return el, i, errAt(i, "expected a space or ']' in element %q", el.ID)
		}
		var p SDParam
		if p.Name, i, err = sdName(s, i+1, "PARAM-NAME"); err != nil {
			return el, i, err
		}
		if i+1 >= len(s) || s[i] != '=' || s[i+1] != '"' {
			return el, i, errAt(i, "expected '=\"' after PARAM-NAME %q", p.Name)
		}
		if p.Value, i, err = sdValue(s, i+2); err != nil {
			return el, i, err
		}
		el.Params = append(el.Params, p)
	}
}

// sdValue reads a PARAM-VALUE up to its closing quote at s[i:], undoing
// the escapes \" \\ \]. A backslash before any other byte is kept, as
// the RFC says. An unescaped ']' is an error: it almost always means a
// truncated or hand-built element, and guessing would misplace the MSG.
func sdValue(s string, i int) (string, int, error) {
	start := i
	var b []byte // nil until the value needs unescaping
	for i < len(s) {
		switch c := s[i]; c {
		case '"':
			if b == nil {
				return s[start:i], i + 1, nil
			}
			return string(b), i + 1, nil
		case '\\':
			if i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\' || s[i+1] == ']') {
				if b == nil {
					b = append(make([]byte, 0, i-start+16), s[start:i]...)
				}
				b = append(b, s[i+1])
				i += 2
				continue
			}
		case ']':
			return "", i, errAt(i, "unescaped ']' in PARAM-VALUE")
		}
		if b != nil {
			b = append(b, s[i])
		}
		i++
	}
	return "", i, errAt(start-1, "PARAM-VALUE not closed with '\"'")
}
