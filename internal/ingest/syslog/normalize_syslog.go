package syslog

import (
	"bytes"
	"strings"

	"github.com/vigilsec/vigil/internal/ingest"
)

// Syslog maps syslog messages (RFC 5424, RFC 3164 and its variants) that
// do not carry CEF to the Syslog table, as Azure Monitor's agent fills it,
// and sshd logons additionally to DeviceLogonEvents (see sshd.go).
type Syslog struct {
	opts Options
}

var _ ingest.Normalizer = (*Syslog)(nil)

// NewSyslog returns the syslog normalizer (format "syslog").
func NewSyslog(opts Options) *Syslog { return &Syslog{opts: opts} }

func (n *Syslog) Format() string { return FormatSyslog }

// Detect accepts text that starts with "<PRI>", a BSD timestamp, or an
// RFC 3339 timestamp followed by a host and a TAG, unless the message
// carries CEF (the cef format takes those).
func (n *Syslog) Detect(in *ingest.Input) bool {
	if in.JSON != nil {
		return false
	}
	prefix, iso := looksSyslog(in.Data)
	if !prefix && !iso {
		return false
	}
	hasCEF := bytes.Contains(head(in.Data), []byte("CEF:"))
	if prefix && !hasCEF {
		return true
	}
	s := text(in)
	if iso {
		// A timestamp alone is the start of many text logs: require the
		// full syslog shape.
		m, err := ParseRFC3164(s, n.opts.now(), n.opts.Location)
		if err != nil || m.Hostname == "" || m.AppName == "" {
			return false
		}
	}
	if !hasCEF {
		return true
	}
	off, _, _ := cefAt(s, n.opts.now(), n.opts.Location)
	return off < 0
}

// Normalize writes one Syslog row, and a DeviceLogonEvents row for each
// sshd logon the message reports.
//
// SyslogMessage is MSG, preceded by what the header holds that has no
// column of its own: a PROCID that is not a number, the MSGID and the
// STRUCTURED-DATA, each as on the wire. Computer and HostName are the
// header's HOSTNAME, else the sender's address; HostIP is the sender's
// address (from the record's source, see Source), else the HOSTNAME when
// it is an IP address. TimeGenerated is the message's time, else the
// receipt time.
func (n *Syslog) Normalize(in *ingest.Input, out *ingest.RowSet) error {
	now := n.opts.now()
	m, err := Parse(text(in), now, n.opts.Location)
	if err != nil {
		return errorf(FormatSyslog, err)
	}
	host, ip := hostOf(&m, in)
	t := m.Timestamp
	if t.IsZero() {
		t = now.UTC()
	}

	row := out.New("Syslog")
	row.Set("TimeGenerated", t)
	if !m.Timestamp.IsZero() {
		row.Set("EventTime", m.Timestamp)
	}
	row.SetString("Computer", host)
	row.SetString("HostName", host)
	row.SetString("HostIP", ip)
	row.SetString("Facility", FacilityName(m.Facility()))
	row.SetString("SeverityLevel", SeverityName(m.Severity()))
	row.SetString("ProcessName", m.AppName)
	pid, numeric := int32Of(m.ProcID)
	if numeric {
		row.Set("ProcessID", pid)
	}
	var parts []string
	if !numeric && m.ProcID != "" {
		parts = append(parts, m.ProcID)
	}
	if m.MsgID != "" {
		parts = append(parts, m.MsgID)
	}
	if m.StructuredText != "" {
		parts = append(parts, m.StructuredText)
	}
	msg := m.Text
	if len(parts) > 0 {
		msg = strings.Join(append(parts, m.Text), " ")
	}
	row.SetString("SyslogMessage", msg)
	row.Set("SourceSystem", "Linux")
	row.SetString("CollectorHostName", n.opts.Collector)

	if host != "" {
		sshLogons(in, &m, host, t, out)
	}
	return nil
}
