package syslog

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/schema"
)

// CEFNormalizer maps CEF events, bare or behind a syslog header, to
// CommonSecurityLog as Microsoft Sentinel fills it.
type CEFNormalizer struct {
	opts Options
}

var _ ingest.Normalizer = (*CEFNormalizer)(nil)

// NewCEF returns the CEF normalizer (format "cef").
func NewCEF(opts Options) *CEFNormalizer { return &CEFNormalizer{opts: opts} }

func (n *CEFNormalizer) Format() string { return FormatCEF }

// Detect accepts a record whose payload starts with "CEF:", at the start
// of the line or after a syslog header.
func (n *CEFNormalizer) Detect(in *ingest.Input) bool {
	if in.JSON != nil || bytes.Index(head(in.Data), []byte("CEF:")) < 0 {
		return false
	}
	off, _, _ := cefAt(text(in), n.opts.now(), n.opts.Location)
	return off >= 0
}

func head(b []byte) []byte {
	if len(b) > maxCEFSearch {
		return b[:maxCEFSearch]
	}
	return b
}

var commonSecurityLog = func() *schema.Table {
	t, ok := schema.Lookup("CommonSecurityLog")
	if !ok {
		panic("syslog: schema has no CommonSecurityLog")
	}
	return t
}()

// directions maps deviceDirection to CommunicationDirection's values.
var directions = map[string]string{"0": "Inbound", "1": "Outbound"}

// simplifiedActions maps common DeviceAction values to
// SimplifiedDeviceAction's static set; other actions leave it empty.
var simplifiedActions = map[string]string{
	"allow": "Allow", "allowed": "Allow", "accept": "Allow", "accepted": "Allow",
	"permit": "Allow", "permitted": "Allow", "pass": "Allow", "passed": "Allow",
	"deny": "Deny", "denied": "Deny", "block": "Deny", "blocked": "Deny",
	"drop": "Deny", "dropped": "Deny", "reject": "Deny", "rejected": "Deny",
	"refuse": "Deny", "refused": "Deny", "reset-both": "Deny",
	"reset-client": "Deny", "reset-server": "Deny",
}

// Normalize writes one CommonSecurityLog row.
//
// The header fills DeviceVendor, DeviceProduct, DeviceVersion,
// DeviceEventClassID, Activity (Name) and LogSeverity (Severity, as
// written); each extension key its column (cefKeys). A key with no
// column, a repeated key, and a value its column's type cannot hold
// (spt=abc) are kept in AdditionalExtensions as "key=value" joined by
// ';', as Sentinel does. TimeGenerated is rt, else the syslog header's
// time, else the receipt time; ReceiptTime keeps rt as written.
// Computer is the syslog HOSTNAME, else the sender's address.
func (n *CEFNormalizer) Normalize(in *ingest.Input, out *ingest.RowSet) error {
	now := n.opts.now()
	s := text(in)
	off, m, header := cefAt(s, now, n.opts.Location)
	if off < 0 {
		return errorf(FormatCEF, errAt(0, "no CEF payload: \"CEF:\" neither starts the record nor follows a syslog header"))
	}
	e, err := ParseCEF(s[off:])
	if err != nil {
		if pe, ok := err.(*ParseError); ok {
			pe.Offset += off
		}
		return errorf(FormatCEF, err)
	}

	row := out.New("CommonSecurityLog")
	row.SetString("DeviceVendor", e.DeviceVendor)
	row.SetString("DeviceProduct", e.DeviceProduct)
	row.SetString("DeviceVersion", e.DeviceVersion)
	row.SetString("DeviceEventClassID", e.DeviceEventClassID)
	row.SetString("Activity", e.Name)
	row.SetString("LogSeverity", e.Severity)
	row.Set("SourceSystem", "OpsManager")
	row.SetString("CollectorHostName", n.opts.Collector)

	host := peerIP(in)
	if header {
		host, _ = hostOf(&m, in)
	}
	row.SetString("Computer", host)

	// Zone-less CEF times are read in the device's zone when it names an
	// IANA zone.
	loc := n.opts.Location
	if dtz, ok := e.Get("dtz"); ok {
		if z, ok := ianaZone(strings.TrimSpace(dtz)); ok {
			loc = z
		}
	}

	var extra []string
	keep := func(kv KV) { extra = append(extra, kv.Key+"="+kv.Value) }
	var tg time.Time
	for _, kv := range e.Extension {
		col, ok := lookupCEFKey(kv.Key)
		if !ok {
			keep(kv)
			continue
		}
		c, i, _ := commonSecurityLog.Column(col)
		if row.Values[i] != nil {
			keep(kv) // a repeated key
			continue
		}
		if kv.Value == "" {
			continue
		}
		switch col {
		case "CommunicationDirection":
			d, ok := directions[kv.Value]
			if !ok {
				d = kv.Value
			}
			row.Set(col, d)
			continue
		case "ReceiptTime":
			row.Set(col, kv.Value)
			if t, ok := cefTime(kv.Value, now, loc); ok {
				tg = t
			}
			continue
		case "ExtID":
			row.Set(col, kv.Value)
			if v, ok := int32Of(kv.Value); ok {
				row.Set("ExternalID", v)
			}
			continue
		case "FieldDeviceCustomNumber1", "FieldDeviceCustomNumber2", "FieldDeviceCustomNumber3":
			v, ok := int64Of(kv.Value)
			if !ok {
				keep(kv)
				continue
			}
			row.Set(col, v)
			if v >= -1<<31 && v < 1<<31 {
				row.Set("DeviceCustomNumber"+col[len(col)-1:], int32(v))
			}
			continue
		case "DeviceAction":
			row.Set(col, kv.Value)
			row.SetString("SimplifiedDeviceAction", simplifiedActions[strings.ToLower(kv.Value)])
			continue
		}
		if !setTyped(row, c, kv.Value, now, loc) {
			keep(kv)
		}
	}
	if tg.IsZero() {
		tg = m.Timestamp
	}
	if tg.IsZero() {
		tg = now.UTC()
	}
	row.Set("TimeGenerated", tg)
	if row.Get("ProcessName") == nil {
		row.SetString("ProcessName", m.AppName)
	}
	if row.Get("ProcessID") == nil {
		if pid, ok := int32Of(m.ProcID); ok {
			row.Set("ProcessID", pid)
		}
	}
	remote(row)
	if len(extra) > 0 {
		row.Set("AdditionalExtensions", strings.Join(extra, ";"))
	}
	return nil
}

// setTyped converts a value to its column's type; false when it cannot.
func setTyped(row *ingest.Row, c schema.Column, v string, now time.Time, loc *time.Location) bool {
	switch c.Type {
	case schema.String:
		row.Set(c.Name, v)
	case schema.Int:
		n, ok := int32Of(v)
		if !ok || (strings.HasSuffix(c.Name, "Port") && (n < 0 || n > 65535)) {
			return false
		}
		row.Set(c.Name, n)
	case schema.Long:
		n, ok := int64Of(v)
		if !ok {
			return false
		}
		row.Set(c.Name, n)
	case schema.Real:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
		row.Set(c.Name, f)
	case schema.DateTime:
		t, ok := cefTime(v, now, loc)
		if !ok {
			return false
		}
		row.Set(c.Name, t)
	default:
		return false
	}
	return true
}

// remote fills RemoteIP and RemotePort from the direction: the source of
// inbound traffic, the destination of outbound.
func remote(row *ingest.Row) {
	var ipCol, portCol string
	switch row.Get("CommunicationDirection") {
	case "Inbound":
		ipCol, portCol = "SourceIP", "SourcePort"
	case "Outbound":
		ipCol, portCol = "DestinationIP", "DestinationPort"
	default:
		return
	}
	if v, ok := row.Get(ipCol).(string); ok {
		row.Set("RemoteIP", v)
	}
	if v, ok := row.Get(portCol).(int32); ok {
		row.Set("RemotePort", strconv.Itoa(int(v)))
	}
}
