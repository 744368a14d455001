package syslog

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// summary5424 prints PRI|VERSION|TIMESTAMP|HOSTNAME|APP|PROCID|MSGID|SD|MSG,
// SD as id{name=value,...} with values quoted.
func summary5424(m Message) string {
	ts := "-"
	if !m.Timestamp.IsZero() {
		ts = m.Timestamp.Format(time.RFC3339Nano)
	}
	var sd strings.Builder
	for _, el := range m.StructuredData {
		sd.WriteString(el.ID + "{")
		for k, p := range el.Params {
			if k > 0 {
				sd.WriteByte(',')
			}
			fmt.Fprintf(&sd, "%s=%q", p.Name, p.Value)
		}
		sd.WriteByte('}')
	}
	return fmt.Sprintf("%d|%d|%s|%s|%s|%s|%s|%s|%s", m.Priority, m.Version, ts, m.Hostname, m.AppName, m.ProcID, m.MsgID, sd.String(), m.Text)
}

func TestParseRFC5424(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		m, err := ParseRFC5424(in, time.UTC)
		if err != nil {
			t.Errorf("ParseRFC5424(%q): %v", in, err)
			return
		}
		if got := summary5424(m); got != want {
			t.Errorf("ParseRFC5424(%q)\n got %s\nwant %s", in, got, want)
		}
		// Parse dispatches on VERSION.
		if m2, err := Parse(in, ref, time.UTC); err != nil || m2.Protocol != RFC5424 {
			t.Errorf("Parse(%q) = %v, %v; want RFC 5424", in, m2.Protocol, err)
		}
	}
	// RFC 5424 section 6.5 examples (the BOM is stripped from MSG).
	f("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \ufeff'su root' failed for lonvick on /dev/pts/8",
		`34|1|2003-10-11T22:14:15.003Z|mymachine.example.com|su||ID47||'su root' failed for lonvick on /dev/pts/8`)
	f(`<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.`,
		`165|1|2003-08-24T12:14:15.000003Z|192.0.2.1|myproc|8710|||%% It's time to make the do-nuts.`)
	f("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] \ufeffAn application event log entry...",
		`165|1|2003-10-11T22:14:15.003Z|mymachine.example.com|evntslog||ID47|exampleSDID@32473{iut="3",eventSource="Application",eventID="1011"}|An application event log entry...`)
	f(`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]`,
		`165|1|2003-10-11T22:14:15.003Z|mymachine.example.com|evntslog||ID47|exampleSDID@32473{iut="3",eventSource="Application",eventID="1011"}examplePriority@32473{class="high"}|`)
	// RFC 3339 examples the RFC lists as valid.
	f(`<13>1 1985-04-12T23:20:50.52Z h a - - - x`, `13|1|1985-04-12T23:20:50.52Z|h|a||||x`)
	f(`<13>1 1985-04-12T19:20:50.52-04:00 h a - - - x`, `13|1|1985-04-12T23:20:50.52Z|h|a||||x`)

	// Senders: rsyslog's RSYSLOG_SyslogProtocol23Format, systemd-netlogd
	// (journald), syslog-ng, NXLog on Windows, a Cortex XDR CEF alert.
	f(`<86>1 2024-01-10T12:00:00.123456+01:00 web01 sshd 1234 - - Accepted password for alice from 198.51.100.23 port 50522 ssh2`,
		`86|1|2024-01-10T11:00:00.123456Z|web01|sshd|1234|||Accepted password for alice from 198.51.100.23 port 50522 ssh2`)
	f(`<30>1 2024-01-10T11:00:00.000000+00:00 node1 systemd 1 - [timeQuality tzKnown="1" isSynced="1" syncAccuracy="91000"] Started Daily apt upgrade and clean activities.`,
		`30|1|2024-01-10T11:00:00Z|node1|systemd|1||timeQuality{tzKnown="1",isSynced="1",syncAccuracy="91000"}|Started Daily apt upgrade and clean activities.`)
	f(`<134>1 2009-10-16T11:51:56+02:00 exchange.macartney.esbjerg MSExchange_ADAccess 20208 - [origin ip="exchange.macartney.esbjerg"][meta sequenceId="191732" sysUpTime="68807696"][EventData@18372.4 Data="MSEXCHANGEOWAAPPPOOL.CONFIG\" -W \"\" -M 1 -AP \"MSEXCHANGEOWAAPPPOOL5244 "][Keywords@18372.4 Keyword="Classic"] ApplicationMSExchangeADAccess: message`,
		`134|1|2009-10-16T09:51:56Z|exchange.macartney.esbjerg|MSExchange_ADAccess|20208||origin{ip="exchange.macartney.esbjerg"}meta{sequenceId="191732",sysUpTime="68807696"}EventData@18372.4{Data="MSEXCHANGEOWAAPPPOOL.CONFIG\" -W \"\" -M 1 -AP \"MSEXCHANGEOWAAPPPOOL5244 "}Keywords@18372.4{Keyword="Classic"}|ApplicationMSExchangeADAccess: message`)
	f(`<14>1 2024-01-10T12:00:00.000000Z DC01.corp.example.com Microsoft-Windows-Security-Auditing 572 - [NXLOG@14506 Keywords="-9214364837600034816" EventType="AUDIT_SUCCESS" EventID="4624"] An account was successfully logged on.`,
		`14|1|2024-01-10T12:00:00Z|DC01.corp.example.com|Microsoft-Windows-Security-Auditing|572||NXLOG@14506{Keywords="-9214364837600034816",EventType="AUDIT_SUCCESS",EventID="4624"}|An account was successfully logged on.`)
	f(`<14>1 2024-08-14T14:14:31+09:00 - - - - - CEF:0|Palo Alto Networks|Cortex XDR|Cortex XDR 3.11.0|XDR Analytics BIOC|Rare scheduled task created|6|shost=test-pc`,
		`14|1|2024-08-14T05:14:31Z||||||CEF:0|Palo Alto Networks|Cortex XDR|Cortex XDR 3.11.0|XDR Analytics BIOC|Rare scheduled task created|6|shost=test-pc`)

	// syslog-ng's parser tests.
	f(`<34>1 1987-01-01T12:00:27.000087+00:20 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.`,
		`34|1|1987-01-01T11:40:27.000087Z|192.0.2.1|myproc|8710|||%% It's time to make the do-nuts.`)
	f(`<132>1 2006-10-29T01:59:59.156+01:00 mymachine evntslog - - [a i="\]\"\\"] An application event log entry...`,
		`132|1|2006-10-29T00:59:59.156Z|mymachine|evntslog|||a{i="]\"\\"}|An application event log entry...`)
	f(`<132>1 2006-10-29T01:59:59.156+01:00 mymachine evntslog - - [exampleSDID@0 iut="3"] [eventSource="Application" eventID="1011"] An application event log entry...`,
		`132|1|2006-10-29T00:59:59.156Z|mymachine|evntslog|||exampleSDID@0{iut="3"}|[eventSource="Application" eventID="1011"] An application event log entry...`)
	f(`<132>1 2006-10-29T01:59:59.156+01:00 mymachine evntslog - - [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa i="ok_32"] 32-byte SD-ID`,
		`132|1|2006-10-29T00:59:59.156Z|mymachine|evntslog|||aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa{i="ok_32"}|32-byte SD-ID`)
	f(`<134>1 2009-10-16T11:51:56 exchange.macartney.esbjerg MSExchange_ADAccess 20208 - - no offset: read in the configured zone`,
		`134|1|2009-10-16T11:51:56Z|exchange.macartney.esbjerg|MSExchange_ADAccess|20208|||no offset: read in the configured zone`)
	f(`<7>1 2006-10-29T01:59:59.156123Z mymachine.example.com evntslog - ID47 [exampleSDID@0 iut="3"] `,
		`7|1|2006-10-29T01:59:59.156123Z|mymachine.example.com|evntslog||ID47|exampleSDID@0{iut="3"}|`)

	// Edges: all NIL, NIL timestamp, empty MSG, a backslash before other
	// bytes kept, empty values, UTF-8, nine fraction digits, lower-case
	// 't' and 'z', a three-digit VERSION.
	f(`<14>1 - - - - - -`, `14|1|-||||||`)
	f(`<14>1 - host app - - - `, `14|1|-|host|app||||`)
	f(`<0>1 - h a p m [x@1 path="C:\Windows\System32" empty=""] m`,
		`0|1|-|h|a|p|m|x@1{path="C:\\Windows\\System32",empty=""}|m`)
	f(`<191>1 2024-01-10T12:00:00.123456789Z h a - - [x@1 name="Zoë ✓"] ünïcode`,
		`191|1|2024-01-10T12:00:00.123456789Z|h|a|||x@1{name="Zoë ✓"}|ünïcode`)
	f(`<14>1 2024-01-10t12:00:00z h a - - - lower case`, `14|1|2024-01-10T12:00:00Z|h|a||||lower case`)
	f(`<14>999 - h a - - - future version`, `14|999|-|h|a||||future version`)
}

func TestParseRFC5424Errors(t *testing.T) {
	f := func(in, wantErr string) {
		t.Helper()
		_, err := ParseRFC5424(in, time.UTC)
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("ParseRFC5424(%q) = %v, want error containing %q", in, err, wantErr)
		}
	}
	long := func(n int) string { return strings.Repeat("a", n) }
	f(``, "col 1: expected '<' starting PRI")
	f(`<14>0 - - - - - -`, "col 5: expected VERSION")
	f(`<14>1- - - - - -`, "col 6: expected a space after VERSION")
	f(`<14>1 2003-13-11T22:14:15Z h a - - -`, "col 7: TIMESTAMP: date or time out of range")
	f(`<14>1 2003-02-29T22:14:15Z h a - - -`, "TIMESTAMP: date or time out of range")
	f(`<14>1 2003-10-11T24:14:15Z h a - - -`, "TIMESTAMP: date or time out of range")
	f(`<14>1 1990-12-31T23:59:60Z h a - - -`, "TIMESTAMP: date or time out of range")
	f(`<14>1 2003-10-11 22:14:15Z h a - - -`, "col 17: TIMESTAMP: expected 'T' between date and time")
	f(`<14>1 2003-10-11T22:14:15+25:00 h a - - -`, "col 26: TIMESTAMP: invalid time zone offset")
	f(`<14>1 2003-10-11T22:14:15. h a - - -`, "TIMESTAMP: expected digits after '.'")
	f(`<14>1 2003-10-11T22:14 h a - - -`, "TIMESTAMP: expected hh:mm:ss")
	f(`<14>1 Oct 11 22:14:15 h a - - -`, "TIMESTAMP: expected a four-digit year")
	f(`<14>1 - `+long(256)+` a - - -`, "col 9: HOSTNAME longer than 255 bytes")
	f(`<14>1 - h `+long(49)+` - - -`, "col 11: APP-NAME longer than 48 bytes")
	f(`<14>1 - h a `+long(129)+` - -`, "PROCID longer than 128 bytes")
	f(`<14>1 - h a - `+long(33)+` -`, "MSGID longer than 32 bytes")
	f("<14>1 - h\x01st a - - -", "col 10: HOSTNAME: byte 0x1 is not printable US-ASCII")
	f(`<14>1 - h a - -`, "col 16: expected a space after MSGID")
	f(`<14>1 - h a - - x`, "col 17: expected STRUCTURED-DATA")
	f(`<14>1 - h a - - -hello`, "col 18: expected a space before MSG")
	f(`<14>1 - h a - - [ x@1 a="b"]`, "col 18: expected SD-ID")
	f(`<14>1 - h a - - [`+long(33)+` i="x"]`, "SD-ID longer than 32 bytes")
	f(`<14>1 - h a - - [x@1 `+long(33)+`="x"]`, "PARAM-NAME longer than 32 bytes")
	f(`<14>1 - h a - - [x@1 a="b"`, "not closed with ']'")
	f(`<14>1 - h a - - [x@1 a="b`, "PARAM-VALUE not closed")
	f(`<14>1 - h a - - [x@1 a=b]`, "expected '=\"' after PARAM-NAME")
	f(`<14>1 - h a - - [x@1 a="]ok"]`, "unescaped ']' in PARAM-VALUE")
	f(`<14>1 - h a - - [x@1 a=""ok"]`, "expected a space or ']' in element")
	f(`<14>1 - h a - - [x@1 a="b"]x`, "expected a space before MSG")
}

// TestIs5424 checks the dispatch between the dialects.
func TestIs5424(t *testing.T) {
	for in, want := range map[string]bool{
		`<14>1 - - - - - -`:          true,
		`<14>12 - - - - - -`:         true,
		`<14>0 - - - - - -`:          false,
		`<189>52: *Mar  1 00:01:02`:  false,
		`<14>2024-01-10T12:00:00Z h`: false,
		`<14>Jan  1 00:00:00 h a: m`: false,
		`<14>`:                       false,
		`14>1 `:                      false,
	} {
		if got := is5424(in); got != want {
			t.Errorf("is5424(%q) = %v, want %v", in, got, want)
		}
	}
}
