package notify

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Syslog sends each event as a CEF line inside a syslog message, for a
// SIEM's syslog collector (ArcSight, QRadar, Sentinel's CEF connector).
type Syslog struct {
	name     string
	network  string // udp, tcp, tls
	addr     string
	tls      *tls.Config
	format   string // rfc5424 or rfc3164
	framing  string // octet (RFC 6587 octet counting) or newline; stream transports only
	facility int
	hostname string
	version  string

	mu   sync.Mutex
	conn net.Conn
}

// SyslogOptions configure a syslog target.
type SyslogOptions struct {
	Name     string
	Network  string // udp, tcp or tls
	Address  string // host:port; an IP literal or a name the host resolves
	TLS      *tls.Config
	Format   string // rfc5424 (default) or rfc3164
	Framing  string // octet (default) or newline
	Facility string // local0..local7 (default local4), user, security...
	Version  string // Vigil's version, in the CEF header
}

var facilities = map[string]int{"kern": 0, "user": 1, "daemon": 3, "auth": 4, "security": 4, "authpriv": 10,
	"local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23}

// NewSyslog makes a syslog target; it connects on first delivery.
func NewSyslog(o SyslogOptions) (*Syslog, error) {
	s := &Syslog{name: o.Name, network: o.Network, addr: o.Address, tls: o.TLS, format: o.Format,
		framing: o.Framing, version: o.Version}
	switch s.network {
	case "udp", "tcp":
	case "tls":
		if s.tls == nil {
			s.tls = &tls.Config{MinVersion: tls.VersionTLS12}
		}
	default:
		return nil, fmt.Errorf("syslog %s: protocol %q is not udp, tcp or tls", o.Name, o.Network)
	}
	if _, _, err := net.SplitHostPort(s.addr); err != nil {
		return nil, fmt.Errorf("syslog %s: address %q: %v", o.Name, o.Address, err)
	}
	switch s.format {
	case "":
		s.format = "rfc5424"
	case "rfc5424", "rfc3164":
	default:
		return nil, fmt.Errorf("syslog %s: format %q is not rfc5424 or rfc3164", o.Name, o.Format)
	}
	switch s.framing {
	case "":
		s.framing = "octet"
	case "octet", "newline":
	default:
		return nil, fmt.Errorf("syslog %s: framing %q is not octet or newline", o.Name, o.Framing)
	}
	fac := o.Facility
	if fac == "" {
		fac = "local4"
	}
	f, ok := facilities[fac]
	if !ok {
		return nil, fmt.Errorf("syslog %s: unknown facility %q", o.Name, o.Facility)
	}
	s.facility = f
	s.hostname, _ = os.Hostname()
	if s.hostname == "" {
		s.hostname = "-"
	}
	return s, nil
}

// Name implements Target.
func (s *Syslog) Name() string { return s.name }

// Kind implements Target.
func (s *Syslog) Kind() string { return "syslog" }

// Deliver implements Target: one message; a failed stream connection is
// closed so the next attempt reconnects.
func (s *Syslog) Deliver(ctx context.Context, d Delivery) error {
	msg := s.Message(d.Event)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		c, err := s.dial(ctx)
		if err != nil {
			return fmt.Errorf("syslog %s: %w", s.name, err)
		}
		s.conn = c
	}
	dl, ok := ctx.Deadline()
	if !ok {
		dl = time.Now().Add(10 * time.Second)
	}
	_ = s.conn.SetWriteDeadline(dl)
	frame := []byte(msg)
	if s.network != "udp" {
		if s.framing == "octet" {
			frame = append([]byte(strconv.Itoa(len(msg))+" "), msg...)
		} else {
			frame = append(frame, '\n')
		}
	}
	if _, err := s.conn.Write(frame); err != nil {
		s.conn.Close()
		s.conn = nil
		return fmt.Errorf("syslog %s: %w", s.name, err)
	}
	return nil
}

func (s *Syslog) dial(ctx context.Context) (net.Conn, error) {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if s.network == "tls" {
		td := &tls.Dialer{NetDialer: d, Config: s.tls}
		return td.DialContext(ctx, "tcp", s.addr)
	}
	return d.DialContext(ctx, s.network, s.addr)
}

// Close closes the connection, if any.
func (s *Syslog) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	return err
}

// Message is the syslog message of an event, without transport framing.
func (s *Syslog) Message(ev Event) string {
	pri := s.facility*8 + syslogSeverity(ev.Severity)
	cef := CEF(ev, s.version)
	t := ev.Time.UTC()
	if s.format == "rfc3164" {
		return fmt.Sprintf("<%d>%s %s vigil: %s", pri, t.Format(time.Stamp), s.hostname, cef)
	}
	msgid := strings.ReplaceAll(ev.Type, " ", "_")
	if msgid == "" {
		msgid = "-"
	}
	return fmt.Sprintf("<%d>1 %s %s vigil - %s - %s", pri, t.Format("2006-01-02T15:04:05.000000Z07:00"), s.hostname, msgid, cef)
}

// syslogSeverity maps Defender's severities onto syslog's.
func syslogSeverity(s string) int {
	switch strings.ToLower(s) {
	case "high":
		return 2 // critical
	case "medium":
		return 4 // warning
	case "low":
		return 5 // notice
	}
	return 6 // informational
}
