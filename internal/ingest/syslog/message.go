package syslog

import (
	"fmt"
	"strings"
	"time"
)

// Protocol says which syslog dialect a message was read as.
type Protocol uint8

const (
	// RFC3164 is BSD syslog and its many relatives (Cisco, no hostname,
	// ISO timestamps, files written by rsyslog).
	RFC3164 Protocol = iota + 1
	// RFC5424 is the IETF syslog protocol.
	RFC5424
)

func (p Protocol) String() string {
	switch p {
	case RFC3164:
		return "rfc3164"
	case RFC5424:
		return "rfc5424"
	}
	return "unknown"
}

// Message is one parsed syslog message. String fields are empty when the
// message has no such part (RFC 5424's NILVALUE "-" reads as empty).
type Message struct {
	Protocol Protocol
	// Priority is the PRI value, or -1 when the message has none (lines
	// of a log file). Facility and Severity derive from it.
	Priority int
	Version  int // RFC 5424 VERSION; 0 for RFC 3164
	// Timestamp is the message's time in UTC, zero when absent.
	Timestamp time.Time
	Hostname  string
	AppName   string // RFC 5424 APP-NAME, RFC 3164 TAG
	ProcID    string // RFC 5424 PROCID, RFC 3164 "[pid]"
	MsgID     string
	// StructuredData holds RFC 5424 SD-ELEMENTs in order; StructuredText
	// is their wire form, "" when the message has none.
	StructuredData []SDElement
	StructuredText string
	// Sequence is a Cisco sequence number ("<189>52: ...").
	Sequence string
	// Text is MSG, without a leading UTF-8 BOM.
	Text string
}

// SDElement is one RFC 5424 structured-data element.
type SDElement struct {
	ID     string
	Params []SDParam
}

// SDParam is one PARAM-NAME="PARAM-VALUE" pair, its value unescaped.
type SDParam struct {
	Name  string
	Value string
}

// Facility returns the facility code, or -1 when the message has no PRI.
func (m *Message) Facility() int {
	if m.Priority < 0 {
		return -1
	}
	return m.Priority >> 3
}

// Severity returns the severity code, or -1 when the message has no PRI.
func (m *Message) Severity() int {
	if m.Priority < 0 {
		return -1
	}
	return m.Priority & 7
}

// facilityNames are the facility names Azure Monitor writes in
// Syslog.Facility, by code.
var facilityNames = [24]string{
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
}

// severityNames are the severity names Azure Monitor writes in
// Syslog.SeverityLevel, by code.
var severityNames = [8]string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

// FacilityName returns Azure Monitor's name of a facility code, "" when
// out of range.
func FacilityName(code int) string {
	if code < 0 || code >= len(facilityNames) {
		return ""
	}
	return facilityNames[code]
}

// SeverityName returns Azure Monitor's name of a severity code, "" when
// out of range.
func SeverityName(code int) string {
	if code < 0 || code >= len(severityNames) {
		return ""
	}
	return severityNames[code]
}

// ParseError is a parse failure at a byte offset of the input.
type ParseError struct {
	Offset int // 0-based byte offset
	Msg    string
}

func (e *ParseError) Error() string { return fmt.Sprintf("col %d: %s", e.Offset+1, e.Msg) }

func errAt(off int, format string, args ...any) *ParseError {
	return &ParseError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// quote shortens input echoed in an error message.
func quote(s string) string {
	if len(s) > 32 {
		s = s[:32] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// Parse reads a syslog message in either dialect: RFC 5424 when VERSION
// follows PRI, RFC 3164 (leniently) otherwise. ref is the receipt time,
// used to infer the year of BSD timestamps; loc is the zone of timestamps
// that carry none (nil means UTC).
func Parse(s string, ref time.Time, loc *time.Location) (Message, error) {
	if is5424(s) {
		return ParseRFC5424(s, loc)
	}
	return ParseRFC3164(s, ref, loc)
}

// is5424 reports whether s starts with "<PRI>VERSION ", the mark of RFC
// 5424. Cisco's "<189>52: " has a colon after its digits, RFC 3164's ISO
// timestamps a dash.
func is5424(s string) bool {
	if len(s) < 4 || s[0] != '<' {
		return false
	}
	i := 1
	for i < len(s) && i <= 4 && isDigit(s[i]) {
		i++
	}
	if i == 1 || i >= len(s) || s[i] != '>' {
		return false
	}
	i++
	j := i
	for j < len(s) && j-i < 3 && isDigit(s[j]) {
		j++
	}
	return j > i && s[i] != '0' && j < len(s) && s[j] == ' '
}

// parsePRI reads "<PRIVAL>" at the start of s and returns the value and
// the offset after '>'.
func parsePRI(s string) (int, int, error) {
	if len(s) == 0 || s[0] != '<' {
		return 0, 0, errAt(0, "expected '<' starting PRI")
	}
	v, i := 0, 1
	for i < len(s) && isDigit(s[i]) && i <= 3 {
		v = v*10 + int(s[i]-'0')
		i++
	}
	switch {
	case i == 1:
		return 0, 0, errAt(1, "expected PRI digits")
	case i >= len(s) || s[i] != '>':
		return 0, 0, errAt(i, "expected '>' closing PRI")
	case v > 191:
		return 0, 0, errAt(1, "PRI %d out of range 0..191", v)
	}
	return v, i + 1, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// token returns s up to the first space.
func token(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}
