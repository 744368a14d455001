package syslog

import (
	"net/netip"
	"strings"
	"time"
)

// Limits that keep the lenient reader from mistaking text for header
// fields: a TAG is a short word, a PID a short number-like token.
const (
	maxTag = 128
	maxPID = 64
)

// ParseRFC3164 reads a BSD syslog message and the variants found in the
// wild, leniently but without guessing:
//
//	[<PRI>][SEQ: ][ORIGIN: ][TIMESTAMP ][HOSTNAME ][TAG[[PID]]: ]MSG
//
// PRI may be missing (lines of files written by syslog daemons). SEQ is a
// Cisco sequence number ("<189>52: "), ORIGIN a Cisco origin host before
// the timestamp. TIMESTAMP is a BSD "Mmm dd hh:mm:ss" (with the variants
// bsdClock accepts; the year is inferred from ref, see yearTolerance), an
// RFC 3339 timestamp (rsyslog's high-precision format), or missing: then,
// as RFC 3164 section 4.3.2 says, there is no HOSTNAME either. HOSTNAME is
// read only when the token looks like a host (an IP address or a
// DNS-style name) and not like a TAG ("sshd[1]:", "kernel:", Cisco's
// "%ASA-6-302013:"). TAG is read only when a colon ends it; otherwise the
// text is all MSG. A CEF or LEEF payload ("host CEF:0|...") is never split
// into a TAG.
//
// The only errors are a malformed PRI, a date that does not exist, and,
// without PRI, a line that has no timestamp either (it is not syslog).
func ParseRFC3164(s string, ref time.Time, loc *time.Location) (Message, error) {
	m := Message{Protocol: RFC3164, Priority: -1}
	i := 0
	if len(s) > 0 && s[0] == '<' {
		pri, n, err := parsePRI(s)
		if err != nil {
			return m, err
		}
		m.Priority, i = pri, n
	}

	// Cisco: "52: " sequence number, then maybe "origin: ".
	if n := seqLen(s[i:]); n > 0 {
		m.Sequence = s[i : i+n-2]
		i += n
		if t := token(s[i:]); len(t) > 1 && t[len(t)-1] == ':' && isHost(t[:len(t)-1]) && i+len(t) < len(s) {
			if _, _, ok := bsdClock(s[i+len(t)+1:]); ok {
				m.Hostname = t[:len(t)-1]
				i += len(t) + 1
			}
		}
	}

	hasTime := false
	rest := s[i:]
	lead := 0 // a space between PRI and the timestamp ("<7> Aug 29 ...")
	if strings.HasPrefix(rest, " ") {
		lead = 1
	}
	if c, n, ok := bsdClock(rest[lead:]); ok {
		t, ok := c.time(ref, loc)
		if !ok {
			return m, errAt(i+lead, "timestamp %s names a day that does not exist", quote(rest[lead:lead+n]))
		}
		hasTime = true
		if !c.unset {
			m.Timestamp = t // a clock Cisco marks as unset ('*') tells nothing
		}
		i += lead + n
	} else if len(rest) > lead && isDigit(rest[lead]) {
		if c, n, err := isoClock(rest[lead:], true, true); err == nil && (lead+n == len(rest) || rest[lead+n] == ' ') {
			m.Timestamp, _ = c.time(ref, loc)
			hasTime = true
			i += lead + n
		}
	}
	if !hasTime && m.Priority < 0 {
		return m, errAt(0, "not syslog: no <PRI> and no timestamp at %s", quote(s))
	}
	if i < len(s) && s[i] == ' ' {
		i++
	}

	if hasTime && m.Hostname == "" {
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "Message forwarded from "):
			// AIX: "Message forwarded from host: tag[pid]: msg".
			j := len("Message forwarded from ")
			if t := token(rest[j:]); len(t) > 1 && t[len(t)-1] == ':' && isHost(t[:len(t)-1]) {
				m.Hostname = t[:len(t)-1]
				i += j + len(t)
				if i < len(s) && s[i] == ' ' {
					i++
				}
			}
		default:
			if t := token(rest); isHost(t) && !isPayload(rest) {
				if t != "-" {
					m.Hostname = t
				}
				i += len(t)
				if i < len(s) && s[i] == ' ' {
					i++
				}
				// Cisco ASA with a device id: "fw01 : %ASA-...".
				if strings.HasPrefix(s[i:], ": ") {
					i += 2
				}
			}
		}
	}

	// A Cisco message relayed behind a BSD header: "host 1234: *Mar  1
	// 00:01:02.345: %SYS-...". The device's own stamp, when its clock is
	// set, is the event's time; the header's is the relay's.
	if hasTime && m.Sequence == "" {
		if n := seqLen(s[i:]); n > 0 {
			m.Sequence = s[i : i+n-2]
			i += n
			if c, n, ok := bsdClock(s[i:]); ok {
				if t, ok := c.time(ref, loc); ok && !c.unset {
					m.Timestamp = t
				}
				i += n
				if i < len(s) && s[i] == ' ' {
					i++
				}
			}
		}
	}

	rest = s[i:]
	if !isPayload(rest) {
		if tag, pid, n, ok := parseTag(rest); ok {
			m.AppName, m.ProcID = tag, pid
			i += n
		}
	}
	m.Text = s[i:]
	return m, nil
}

// seqLen returns the length of a Cisco sequence number and its ": " at
// the start of s, or 0.
func seqLen(s string) int {
	j := 0
	for j < len(s) && isDigit(s[j]) && j < 20 {
		j++
	}
	if j > 0 && j+1 < len(s) && s[j] == ':' && s[j+1] == ' ' {
		return j + 2
	}
	return 0
}

// isPayload reports whether s starts a CEF or LEEF payload.
func isPayload(s string) bool {
	return strings.HasPrefix(s, "CEF:") || strings.HasPrefix(s, "LEEF:")
}

// isHost reports whether a token is a HOSTNAME rather than the start of a
// TAG or of the message: an IP address, or a name of letters, digits,
// dots, dashes and underscores that does not end like a TAG.
func isHost(t string) bool {
	if t == "" || len(t) > maxHostname {
		return false
	}
	if t == "-" {
		return true
	}
	if strings.IndexByte(t, ':') >= 0 {
		_, err := netip.ParseAddr(t)
		return err == nil
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// parseTag reads "TAG: " or "TAG[PID]: " at the start of s. The colon
// must be followed by a space or end the message, so that "http://..."
// or "10:42 ..." never read as tags.
func parseTag(s string) (tag, pid string, n int, ok bool) {
	i := 0
	for i < len(s) && i <= maxTag {
		c := s[i]
		if c == '[' || c == ':' {
			break
		}
		if c <= ' ' || c == ']' || c == 0x7f {
			return "", "", 0, false
		}
		i++
	}
	if i == 0 || i > maxTag || i >= len(s) {
		return "", "", 0, false
	}
	tag = s[:i]
	if s[i] == '[' {
		j := i + 1
		for j < len(s) && s[j] != ']' && j-i <= maxPID {
			if s[j] <= ' ' || s[j] == '[' {
				return "", "", 0, false
			}
			j++
		}
		if j >= len(s) || s[j] != ']' || j == i+1 {
			return "", "", 0, false
		}
		pid = s[i+1 : j]
		i = j + 1
		if i >= len(s) || s[i] != ':' {
			return "", "", 0, false
		}
	}
	i++ // the colon
	switch {
	case i == len(s):
	case s[i] == ' ':
		i++
	default:
		return "", "", 0, false
	}
	return tag, pid, i, true
}
