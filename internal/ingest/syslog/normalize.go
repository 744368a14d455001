package syslog

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
)

// Format names, for --format and the registry.
const (
	FormatSyslog = "syslog"
	FormatCEF    = "cef"
)

// Options configure the syslog and CEF normalizers.
type Options struct {
	// Now is the receipt clock: it stamps messages that carry no time and
	// is the reference from which the year of BSD timestamps is inferred.
	// Default time.Now.
	Now func() time.Time
	// Location is the zone of timestamps that carry none (BSD, Cisco);
	// default UTC. Senders should log in UTC or RFC 5424.
	Location *time.Location
	// Collector is written to CollectorHostName: the name of the Vigil
	// host that received the messages. Empty leaves the column null.
	Collector string
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// text returns a record's bytes as text, without the line ending or the
// NUL some senders append.
func text(in *ingest.Input) string {
	return string(bytes.TrimRight(bytes.TrimLeft(in.Data, " \t"), "\r\n\x00"))
}

// peerIP returns the sender address the listener wrote into the source.
func peerIP(in *ingest.Input) string {
	if _, ap, ok := Peer(in.Source); ok {
		return ap.Addr().String()
	}
	return ""
}

// hostOf returns the host name and address of a message's sender: the
// header's HOSTNAME, else the peer's address; the address is the peer's,
// else the HOSTNAME when it is an IP literal.
func hostOf(m *Message, in *ingest.Input) (name, ip string) {
	ip = peerIP(in)
	name = m.Hostname
	if ip == "" && name != "" {
		if a, err := netip.ParseAddr(name); err == nil {
			ip = a.String()
		}
	}
	if name == "" {
		name = ip
	}
	return name, ip
}

// looksSyslog is the cheap shape check for Detect: "<digits>", or a line
// of a syslog file starting with a BSD or RFC 3339 timestamp.
func looksSyslog(b []byte) (prefix bool, iso bool) {
	b = bytes.TrimLeft(b, " \t")
	if len(b) < 3 {
		return false, false
	}
	if b[0] == '<' {
		i := 1
		for i < len(b) && i <= 4 && isDigit(b[i]) {
			i++
		}
		return i > 1 && i < len(b) && b[i] == '>', false
	}
	head := b
	if len(head) > 40 {
		head = head[:40]
	}
	if _, _, ok := bsdClock(string(head)); ok {
		return true, false
	}
	return false, isDigit(b[0]) && len(b) > 20 && b[4] == '-' && b[7] == '-'
}

// maxCEFSearch bounds the search for "CEF:" in Detect: a syslog header is
// far shorter.
const maxCEFSearch = 2048

// cefAt returns the offset of the CEF payload in a record, or -1 when it
// has none: the record is a bare CEF line, or a syslog message whose MSG
// (after the header, and after a TAG if there is one) starts with "CEF:";
// then header is true and m is the syslog message.
func cefAt(s string, ref time.Time, loc *time.Location) (off int, m Message, header bool) {
	head := s
	if len(head) > maxCEFSearch {
		head = head[:maxCEFSearch]
	}
	k := strings.Index(head, "CEF:")
	if k < 0 {
		return -1, Message{}, false
	}
	if strings.TrimLeft(s[:k], " \t") == "" {
		return k, Message{}, false
	}
	m, err := Parse(s, ref, loc)
	if err != nil {
		return -1, Message{}, false
	}
	t := strings.TrimLeft(m.Text, " ")
	if !strings.HasPrefix(t, "CEF:") {
		return -1, Message{}, false
	}
	return len(s) - len(t), m, true
}

// int32Of reads a decimal int column value.
func int32Of(s string) (int32, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	return int32(n), err == nil
}

func int64Of(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n, err == nil
}

// errorf prefixes a normalizer's error with its format.
func errorf(format string, err error) error {
	return fmt.Errorf("%s: %w", format, err)
}
