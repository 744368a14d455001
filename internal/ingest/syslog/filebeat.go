package syslog

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/vigilsec/vigil/internal/ingest"
)

// FormatFilebeat names documents Filebeat (or Elastic Agent's log input)
// ships from syslog-style files such as /var/log/auth.log and
// /var/log/syslog: an ECS document whose "message" is the file's line.
const FormatFilebeat = "filebeat"

// Filebeat reads the line out of a Filebeat document and normalizes it as
// syslog (Syslog rows, and DeviceLogonEvents for sshd), taking the host
// from the document when the line has none. Lines that are not syslog are
// kept whole in RawEvents with the document.
type Filebeat struct {
	syslog *Syslog
	opts   Options
}

var _ ingest.Normalizer = (*Filebeat)(nil)

// NewFilebeat returns the Filebeat normalizer.
func NewFilebeat(opts Options) *Filebeat {
	return &Filebeat{syslog: NewSyslog(opts), opts: opts}
}

func (n *Filebeat) Format() string { return FormatFilebeat }

// Detect accepts ECS documents from Filebeat or Elastic Agent that carry
// a string message read from a log file.
func (n *Filebeat) Detect(in *ingest.Input) bool {
	v := in.JSON
	if v == nil || v.Get("winlog") != nil {
		return false
	}
	agent := string(v.GetStringBytes("agent", "type"))
	if agent != "filebeat" && agent != "elastic-agent" {
		return false
	}
	return v.Get("message") != nil && len(v.GetStringBytes("message")) > 0
}

func (n *Filebeat) Normalize(in *ingest.Input, out *ingest.RowSet) error {
	msg := in.JSON.GetStringBytes("message")
	host := ingest.Str(in.JSON, "host", "name")
	if host == "" {
		host = ingest.Str(in.JSON, "host", "hostname")
	}
	line := ingest.Input{Record: ingest.Record{Source: in.Source, Line: in.Line, Data: bytes.TrimSpace(msg)}}
	if n.syslog.Detect(&line) || looksBSDWithoutPRI(line.Data) {
		before := len(out.Rows())
		if err := n.syslog.Normalize(&line, out); err == nil {
			for _, r := range out.Rows()[before:] {
				fillHost(r, host)
			}
			return nil
		}
		// Not parseable after all: keep it raw below.
		out.Reset()
	}
	row := out.New("RawEvents")
	t, ok := ingest.Time(in.JSON, "@timestamp")
	if !ok {
		return fmt.Errorf("filebeat document without a valid @timestamp")
	}
	row.Set("TimeGenerated", t)
	row.SetString("SourceName", in.Source)
	row.Set("SourceFormat", "json")
	row.SetString("Computer", host)
	row.Set("RawData", json.RawMessage(ingest.JSONOf(in.JSON)))
	return nil
}

// looksBSDWithoutPRI accepts a log-file line in BSD syslog form without
// the <PRI> part ("Nov 26 20:15:42 web1 sshd[1234]: ..."), which is how
// syslog daemons write files.
func looksBSDWithoutPRI(b []byte) bool {
	if len(b) < 16 {
		return false
	}
	months := "JanFebMarAprMayJunJulAugSepOctNovDec"
	return bytes.Contains([]byte(months), b[:3]) && b[3] == ' ' && b[15] == ' '
}

// fillHost sets the device name from the document when the line named
// none (files written by journald forwarders often omit it).
func fillHost(r *ingest.Row, host string) {
	if host == "" {
		return
	}
	for _, col := range []string{"Computer", "HostName", "DeviceName"} {
		if _, i, ok := r.Table.Column(col); ok && r.Values[i] == nil {
			r.Values[i] = host
		}
	}
	if _, i, ok := r.Table.Column("DeviceId"); ok && r.Values[i] == nil {
		r.Values[i] = ingest.DeviceID(host)
	}
}
