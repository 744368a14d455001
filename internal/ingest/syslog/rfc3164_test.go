package syslog

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// ref is the receipt time of the RFC 3164 table: BSD stamps later than
// two days after it belong to the previous year.
var ref = time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)

// summary prints the parsed parts of a message on one line:
// PRI|TIMESTAMP|HOSTNAME|TAG|PID|MSG, with "#SEQ" appended for Cisco
// sequence numbers and "-" for a missing timestamp.
func summary(m Message) string {
	ts := "-"
	if !m.Timestamp.IsZero() {
		ts = m.Timestamp.Format(time.RFC3339Nano)
	}
	s := fmt.Sprintf("%d|%s|%s|%s|%s|%s", m.Priority, ts, m.Hostname, m.AppName, m.ProcID, m.Text)
	if m.Sequence != "" {
		s += "|#" + m.Sequence
	}
	return s
}

func TestParseRFC3164(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		m, err := ParseRFC3164(in, ref, time.UTC)
		if err != nil {
			t.Errorf("ParseRFC3164(%q): %v", in, err)
			return
		}
		if m.Protocol != RFC3164 {
			t.Errorf("ParseRFC3164(%q): protocol %v", in, m.Protocol)
		}
		if got := summary(m); got != want {
			t.Errorf("ParseRFC3164(%q)\n got %s\nwant %s", in, got, want)
		}
	}
	// RFC 3164 section 5.4 examples. The third shows what the RFC itself
	// says a relay sees: "CST" as HOSTNAME.
	f(`<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8`,
		`34|2023-10-11T22:14:15Z|mymachine|su||'su root' failed for lonvick on /dev/pts/8`)
	f(`<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!`,
		`13|2024-02-05T17:32:18Z|10.0.0.99|||Use the BFG!`)
	f(`<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It's time to make the do-nuts.  %%  Ingredients: Mix=OK, Jelly=OK #`,
		`165|2023-08-24T05:34:00Z|CST|||1987 mymachine myproc[10]: %% It's time to make the do-nuts.  %%  Ingredients: Mix=OK, Jelly=OK #`)
	f(`<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!`,
		`0|-||||1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!`)

	// Linux daemons through rsyslog / syslog-ng, over the wire and in files.
	f(`<38>Jun 14 08:09:06 delta-vm-ubuntu sshd[970]: Invalid user doesnotexist from 10.0.0.4 port 62686`,
		`38|2024-06-14T08:09:06Z|delta-vm-ubuntu|sshd|970|Invalid user doesnotexist from 10.0.0.4 port 62686`)
	f(`Feb 12 10:51:22 ubuntu01 sshd[1221]: Accepted password for mike from 203.0.113.98 port 51432 ssh2`,
		`-1|2024-02-12T10:51:22Z|ubuntu01|sshd|1221|Accepted password for mike from 203.0.113.98 port 51432 ssh2`)
	f(`2023-06-15T10:00:00.123456+02:00 web01 systemd[1]: Started session-5.scope - Session 5 of User alice.`,
		`-1|2023-06-15T08:00:00.123456Z|web01|systemd|1|Started session-5.scope - Session 5 of User alice.`)
	f(`<30>2024-01-10T12:00:00.000001Z node1 systemd-logind[640]: New session 7 of user bob.`,
		`30|2024-01-10T12:00:00.000001Z|node1|systemd-logind|640|New session 7 of user bob.`)
	f(`<13>2024-01-10 12:00:00 host app: space between date and time`,
		`13|2024-01-10T12:00:00Z|host|app||space between date and time`)
	f(`<4>Jun 14 12:00:00 host kernel: [12345.678901] usb 1-1: new high-speed USB device number 2 using xhci_hcd`,
		`4|2024-06-14T12:00:00Z|host|kernel||[12345.678901] usb 1-1: new high-speed USB device number 2 using xhci_hcd`)
	f(`<22>Jun 14 12:00:00 mail postfix/smtpd[2345]: connect from unknown[198.51.100.7]`,
		`22|2024-06-14T12:00:00Z|mail|postfix/smtpd|2345|connect from unknown[198.51.100.7]`)
	f(`<78>Jun 14 12:00:01 host CRON[999]: (root) CMD (run-parts /etc/cron.hourly)`,
		`78|2024-06-14T12:00:01Z|host|CRON|999|(root) CMD (run-parts /etc/cron.hourly)`)
	f(`<78>Jun 14 12:00:01 CRON[999]: (root) CMD (no hostname)`,
		`78|2024-06-14T12:00:01Z||CRON|999|(root) CMD (no hostname)`)
	f(`<85>Jun 14 12:00:00 host sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls`,
		`85|2024-06-14T12:00:00Z|host|sudo||   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls`)
	f(`<86>Jun 14 12:00:00 host sudo: pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)`,
		`86|2024-06-14T12:00:00Z|host|sudo||pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)`)
	f(`<14>Jun 14 12:00:00 DC01.corp.example.com Microsoft-Windows-Security-Auditing[572]: 4624: An account was successfully logged on.`,
		`14|2024-06-14T12:00:00Z|DC01.corp.example.com|Microsoft-Windows-Security-Auditing|572|4624: An account was successfully logged on.`)
	f(`<28>Jun 14 12:00:00 srx1 RT_FLOW: RT_FLOW_SESSION_CREATE: session created 10.0.0.1/5000->192.0.2.1/443`,
		`28|2024-06-14T12:00:00Z|srx1|RT_FLOW||RT_FLOW_SESSION_CREATE: session created 10.0.0.1/5000->192.0.2.1/443`)
	f(`<13>Jun 14 12:00:00 2001:db8::1 app: IPv6 host`,
		`13|2024-06-14T12:00:00Z|2001:db8::1|app||IPv6 host`)
	f(`<13>Jun 14 12:00:00 host tag:`,
		`13|2024-06-14T12:00:00Z|host|tag||`)
	f(`<13>Jun 14 12:00:00 host app[worker-1]: non-numeric pid`,
		`13|2024-06-14T12:00:00Z|host|app|worker-1|non-numeric pid`)
	f(`<13>Jun 14 12:00:00 host http://example.com/ is down`,
		`13|2024-06-14T12:00:00Z|host|||http://example.com/ is down`)
	f(`<13>Jun 14 12:00:00 mbp com.apple.xpc.launchd[1] (com.apple.foo): Service exited`,
		`13|2024-06-14T12:00:00Z|mbp|||com.apple.xpc.launchd[1] (com.apple.foo): Service exited`)

	// syslog-ng's parser tests: no timestamp, odd spacing, fractions,
	// relays and devices.
	f(`<15> openvpn[2499]: PTHREAD support initialized`,
		`15|-||openvpn|2499|PTHREAD support initialized`)
	f(`<15>Jan  1 01:00:00 bzorp openvpn[2499]: PTHREAD support initialized`,
		`15|2024-01-01T01:00:00Z|bzorp|openvpn|2499|PTHREAD support initialized`)
	f(`<13>Jan  1 14:40:51 alma korte: message`,
		`13|2024-01-01T14:40:51Z|alma|korte||message`)
	f(`<7>2006-11-10T10:43:21.156+02:00 bzorp openvpn[2499]: PTHREAD support initialized`,
		`7|2006-11-10T08:43:21.156Z|bzorp|openvpn|2499|PTHREAD support initialized`)
	f(`<7>2006-11-10T10:43:21.15600000000000000000000000000000000000000000000000000000000000+01:00 bzorp openvpn[2499]: PTHREAD support initialized`,
		`7|2006-11-10T09:43:21.156Z|bzorp|openvpn|2499|PTHREAD support initialized`)
	f(`<7> Aug 29 02:00:00.156 ctld snmpd[2499]: PTHREAD support initialized`,
		`7|2023-08-29T02:00:00.156Z|ctld|snmpd|2499|PTHREAD support initialized`)
	f(`<7> Aug 29 02:00:00. ctld snmpd[2499]: PTHREAD support initialized`,
		`7|2023-08-29T02:00:00Z|ctld|snmpd|2499|PTHREAD support initialized`)
	f(`<7>Aug 29 02:00:00 bzorp ctld/snmpd[2499]:`,
		`7|2023-08-29T02:00:00Z|bzorp|ctld/snmpd|2499|`)
	f(`<190>Apr 15 21:28:13 2007 linksys app: msg`,
		`190|2007-04-15T21:28:13Z|linksys|app||msg`)
	f(`<38>Sep 22 10:11:56 Message forwarded from cdaix66: sshd[679960]: Accepted publickey for nagios from 1.9.1.1 port 42096 ssh2`,
		`38|2023-09-22T10:11:56Z|cdaix66|sshd|679960|Accepted publickey for nagios from 1.9.1.1 port 42096 ssh2`)
	f(`<190>NOV 22 00:00:33 192.168.33.8-1 CMDLOGGER[165319912]: cmd_logger_api.c(83) 13518 %% CLI:192.168.32.100:root:User  logged in`,
		`190|2023-11-22T00:00:33Z|192.168.33.8-1|CMDLOGGER|165319912|cmd_logger_api.c(83) 13518 %% CLI:192.168.32.100:root:User  logged in`)
	f(`<130> [ERROR] iapp_socket_task.c 399: iappSocketTask: iappRecvPkt returned error`,
		`130|-||||[ERROR] iapp_socket_task.c 399: iappSocketTask: iappRecvPkt returned error`)
	f(`<167>Mar  6 16:57:54 172.20.245.8 %PIX-7-710005: DROP_url_www.sina.com.cn:IN=eth1 OUT=eth0 SRC=192.168.10.78`,
		`167|2024-03-06T16:57:54Z|172.20.245.8|%PIX-7-710005||DROP_url_www.sina.com.cn:IN=eth1 OUT=eth0 SRC=192.168.10.78`)

	// Cisco ASA / PIX / FWSM: no timestamp by default, the year before
	// the time, a device id with " : ", RFC 5424 style timestamps.
	f(`<166>%ASA-6-302013: Built outbound TCP connection 1234 for outside:198.51.100.10/443 (198.51.100.10/443) to inside:10.0.0.5/51234 (203.0.113.5/51234)`,
		`166|-||%ASA-6-302013||Built outbound TCP connection 1234 for outside:198.51.100.10/443 (198.51.100.10/443) to inside:10.0.0.5/51234 (203.0.113.5/51234)`)
	f(`<190>Apr 15 2007 21:28:13: %PIX-6-302014: Teardown TCP connection 1688438 for bloomberg-net:1.2.3.4/8294 to inside:5.6.7.8/3639 duration 0:07:01 bytes 16975 TCP FINs`,
		`190|2007-04-15T21:28:13Z||%PIX-6-302014||Teardown TCP connection 1688438 for bloomberg-net:1.2.3.4/8294 to inside:5.6.7.8/3639 duration 0:07:01 bytes 16975 TCP FINs`)
	f(`<164>May 21 2008 10:50:11: %FWSM-4-106023: Deny udp src outside:123.123.123.123/1985 dst inside:224.0.0.2/1985 by access-group "outside_access_in" [0x0, 0x0]`,
		`164|2008-05-21T10:50:11Z||%FWSM-4-106023||Deny udp src outside:123.123.123.123/1985 dst inside:224.0.0.2/1985 by access-group "outside_access_in" [0x0, 0x0]`)
	f(`<166>Oct 10 2018 12:34:56 fw01 : %ASA-6-305011: Built dynamic TCP translation from inside:10.0.0.5/51234 to outside:203.0.113.5/51234`,
		`166|2018-10-10T12:34:56Z|fw01|%ASA-6-305011||Built dynamic TCP translation from inside:10.0.0.5/51234 to outside:203.0.113.5/51234`)
	f(`<166>2018-10-10T12:34:56Z asa : %ASA-6-302016: Teardown UDP connection 5 for outside:192.0.2.53/53 to inside:10.0.0.5/5353 duration 0:00:00 bytes 120`,
		`166|2018-10-10T12:34:56Z|asa|%ASA-6-302016||Teardown UDP connection 5 for outside:192.0.2.53/53 to inside:10.0.0.5/5353 duration 0:00:00 bytes 120`)
	f(`<190>Apr 15 2007 21:28:13 %ASA: this is a Cisco ASA timestamp`,
		`190|2007-04-15T21:28:13Z||%ASA||this is a Cisco ASA timestamp`)

	// Cisco IOS: sequence numbers, '*' (clock not set: no time), '.'
	// (not synchronised), milliseconds, zones, origin host.
	f(`<189>52: *Mar  1 00:01:02.345: %SYS-5-CONFIG_I: Configured from console by vty0 (10.0.0.1)`,
		`189|-||%SYS-5-CONFIG_I||Configured from console by vty0 (10.0.0.1)|#52`)
	f(`<189>53: .Jun 14 09:15:44.123: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down`,
		`189|2024-06-14T09:15:44.123Z||%LINK-3-UPDOWN||Interface GigabitEthernet0/1, changed state to down|#53`)
	f(`<189>1234: Jan 10 2024 12:00:00.123 UTC: %LINEPROTO-5-UPDOWN: Line protocol on Interface Vlan1, changed state to up`,
		`189|2024-01-10T12:00:00.123Z||%LINEPROTO-5-UPDOWN||Line protocol on Interface Vlan1, changed state to up|#1234`)
	f(`<189>1235: Jan 10 12:00:00.123 CET: %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin] [Source: 10.0.0.9] [localport: 22]`,
		`189|2024-01-10T12:00:00.123Z||%SEC_LOGIN-5-LOGIN_SUCCESS||Login Success [user: admin] [Source: 10.0.0.9] [localport: 22]|#1235`)
	f(`<189>54: router1: *Mar  1 00:01:02: %SYS-5-RESTART: System restarted --`,
		`189|-|router1|%SYS-5-RESTART||System restarted --|#54`)
	f(`<189>Jun 14 12:00:00 10.0.0.1 1234: *Jun 14 12:00:00.123: %SYS-5-CONFIG_I: Configured from console`,
		`189|2024-06-14T12:00:00Z|10.0.0.1|%SYS-5-CONFIG_I||Configured from console|#1234`)
	f(`<189>Jun 14 12:00:00 10.0.0.1 1235: Jun 14 11:59:59.120: %SYS-5-CONFIG_I: Configured from console`,
		`189|2024-06-14T11:59:59.12Z|10.0.0.1|%SYS-5-CONFIG_I||Configured from console|#1235`)

	// Firewalls whose syslog body is not TAG: MSG stays all MSG.
	f(`<189>date=2024-01-10 time=12:00:00 devname="FGT60F" devid="FGT60FTK00000000" logid="0000000013" type="traffic" subtype="forward"`,
		`189|-||||date=2024-01-10 time=12:00:00 devname="FGT60F" devid="FGT60FTK00000000" logid="0000000013" type="traffic" subtype="forward"`)
	f(`<14>Jun 14 12:00:00 PA-VM 1,2024/06/14 12:00:00,007051000000000,TRAFFIC,end,2305,2024/06/14 12:00:00,10.0.0.5,198.51.100.7`,
		`14|2024-06-14T12:00:00Z|PA-VM|||1,2024/06/14 12:00:00,007051000000000,TRAFFIC,end,2305,2024/06/14 12:00:00,10.0.0.5,198.51.100.7`)

	// CEF behind a header is never split into a TAG.
	f(`<134>Jun 14 12:00:00 fw1 CEF:0|Check Point|VPN-1 & FireWall-1|Check Point|Log|https|Unknown|act=Accept`,
		`134|2024-06-14T12:00:00Z|fw1|||CEF:0|Check Point|VPN-1 & FireWall-1|Check Point|Log|https|Unknown|act=Accept`)
	f(`<134>CEF:0|Vendor|Product|1|100|name|5|src=10.0.0.1`,
		`134|-||||CEF:0|Vendor|Product|1|100|name|5|src=10.0.0.1`)
	f(`Sep 19 08:26:10 host CEF:0|Centrify|Centrify_Cloud|1.0|Cloud.core|Cloud.core.MfaSummary|5|src=10.0.0.1 dst=2.1.2.2 spt=1232`,
		`-1|2023-09-19T08:26:10Z|host|||CEF:0|Centrify|Centrify_Cloud|1.0|Cloud.core|Cloud.core.MfaSummary|5|src=10.0.0.1 dst=2.1.2.2 spt=1232`)
}

func TestParseRFC3164Errors(t *testing.T) {
	f := func(in, wantErr string) {
		t.Helper()
		_, err := ParseRFC3164(in, ref, time.UTC)
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("ParseRFC3164(%q) = %v, want error containing %q", in, err, wantErr)
		}
	}
	f(`<192>Jun 14 12:00:00 host app: x`, "col 2: PRI 192 out of range")
	f(`<abc>Jun 14 12:00:00 host app: x`, "col 2: expected PRI digits")
	f(`<12 Jun 14 12:00:00 host app: x`, "col 4: expected '>' closing PRI")
	f(`<1234>x`, "col 5: expected '>' closing PRI")
	f(`plain text`, "col 1: not syslog: no <PRI> and no timestamp")
	f(``, "not syslog")
	f(`Feb 30 12:00:00 host app: x`, "names a day that does not exist")
}

// TestYearInference covers BSD timestamps, which have no year, around New
// Year and leap days.
func TestYearInference(t *testing.T) {
	f := func(stamp string, received time.Time, want string) {
		t.Helper()
		m, err := ParseRFC3164("<13>"+stamp+" host app: x", received, time.UTC)
		if err != nil {
			t.Fatalf("%s: %v", stamp, err)
		}
		if got := m.Timestamp.Format(time.RFC3339); got != want {
			t.Errorf("%q received %s: got %s, want %s", stamp, received.Format(time.RFC3339), got, want)
		}
	}
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	// Sent just before midnight, received just after.
	f("Dec 31 23:59:59", at("2025-01-01T00:00:02Z"), "2024-12-31T23:59:59Z")
	// Sender's clock (or zone) ahead: January stamp received in December.
	f("Jan  1 00:00:05", at("2024-12-31T23:59:58Z"), "2025-01-01T00:00:05Z")
	f("Jan  1 09:00:00", at("2024-12-31T20:00:00Z"), "2025-01-01T09:00:00Z")
	// A stamp far in the future of the receipt is last year's.
	f("Dec 20 10:00:00", at("2025-07-10T00:00:00Z"), "2024-12-20T10:00:00Z")
	f("Jul 11 10:00:00", at("2025-07-10T00:00:00Z"), "2025-07-11T10:00:00Z")
	f("Jul 13 10:00:00", at("2025-07-10T00:00:00Z"), "2024-07-13T10:00:00Z")
	// 29 February lies in the last leap year.
	f("Feb 29 12:00:00", at("2025-03-01T00:00:00Z"), "2024-02-29T12:00:00Z")
	f("Feb 29 12:00:00", at("2024-03-01T00:00:00Z"), "2024-02-29T12:00:00Z")
	f("Feb 29 12:00:00", at("2027-01-01T00:00:00Z"), "2024-02-29T12:00:00Z")
	// An explicit year is kept.
	f("Dec 31 2019 23:59:59", at("2025-01-01T00:00:00Z"), "2019-12-31T23:59:59Z")

	// Zone-less stamps are read in the configured location.
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	m, err := ParseRFC3164("<13>Jun 14 12:00:00 host app: x", ref, berlin)
	if err != nil || m.Timestamp.Format(time.RFC3339) != "2024-06-14T10:00:00Z" {
		t.Errorf("Berlin: %v %v", m.Timestamp, err)
	}
	// An explicit UTC overrides the location; a named zone does not.
	m, _ = ParseRFC3164("<189>1: Jun 14 12:00:00 UTC: %X-1-Y: z", ref, berlin)
	if got := m.Timestamp.Format(time.RFC3339); got != "2024-06-14T12:00:00Z" {
		t.Errorf("UTC zone: %s", got)
	}
	m, _ = ParseRFC3164("<189>1: Jun 14 12:00:00 CEST: %X-1-Y: z", ref, berlin)
	if got := m.Timestamp.Format(time.RFC3339); got != "2024-06-14T10:00:00Z" {
		t.Errorf("CEST zone: %s", got)
	}
}
