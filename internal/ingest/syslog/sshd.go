package syslog

import (
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
)

// maxRepeat caps the rows made from rsyslog's "message repeated N times".
const maxRepeat = 1000

// sshLogon is one authentication result reported by OpenSSH's sshd.
type sshLogon struct {
	success bool
	method  string // password, publickey, keyboard-interactive/pam, ...
	user    string
	invalid bool // "for invalid user X": no such account
	from    string
	port    int32
	repeat  int
}

// isSSHD reports whether a TAG is OpenSSH's server: sshd, and since
// OpenSSH 9.8 its per-session and per-auth binaries.
func isSSHD(tag string) bool {
	return tag == "sshd" || tag == "sshd-session" || tag == "sshd-auth"
}

// parseSSHD reads the two messages sshd writes for every authentication
// decision:
//
//	Accepted METHOD for USER from ADDR port PORT ssh2[: KEY]
//	Failed METHOD for [invalid user ]USER from ADDR port PORT ssh2
//
// also inside rsyslog's "message repeated N times: [ ... ]". Other sshd
// lines ("Invalid user X from ...", which precedes a Failed line, or
// "Connection closed") are not logons and give nothing.
func parseSSHD(msg string) (sshLogon, bool) {
	var l sshLogon
	l.repeat = 1
	if rest, ok := strings.CutPrefix(msg, "message repeated "); ok {
		num, rest, ok := strings.Cut(rest, " times: [")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n < 1 {
			return l, false
		}
		l.repeat = min(n, maxRepeat)
		msg = strings.TrimSuffix(strings.TrimLeft(rest, " "), "]")
	}
	switch {
	case strings.HasPrefix(msg, "Accepted "):
		l.success = true
		msg = msg[len("Accepted "):]
	case strings.HasPrefix(msg, "Failed "):
		msg = msg[len("Failed "):]
	default:
		return l, false
	}
	method, rest, ok := strings.Cut(msg, " for ")
	if !ok || method == "" || strings.ContainsAny(method, " ") {
		return l, false
	}
	l.method = method
	// The user name comes from the client and may hold spaces: the last
	// " from " ends it.
	k := strings.LastIndex(rest, " from ")
	if k < 0 {
		return l, false
	}
	user, tail := rest[:k], rest[k+len(" from "):]
	if u, ok := strings.CutPrefix(user, "invalid user "); ok {
		l.invalid, user = true, u
	}
	if user == "" {
		return l, false
	}
	l.user = user
	addr, tail, ok := strings.Cut(tail, " port ")
	if !ok || addr == "" {
		return l, false
	}
	l.from = addr
	port, err := strconv.ParseUint(token(tail), 10, 16)
	if err != nil {
		return l, false
	}
	l.port = int32(port)
	return l, true
}

// sshLogons adds a DeviceLogonEvents row for each logon an sshd message
// reports (ActionType LogonSuccess or LogonFailed, LogonType Network,
// Protocol SSH), beside the message's Syslog row.
func sshLogons(in *ingest.Input, m *Message, host string, t time.Time, out *ingest.RowSet) {
	if !isSSHD(m.AppName) {
		return
	}
	l, ok := parseSSHD(m.Text)
	if !ok {
		return
	}
	extra := struct {
		AuthenticationMethod string `json:"AuthenticationMethod"`
		InvalidUser          bool   `json:"InvalidUser,omitempty"`
		RepeatedMessage      int    `json:"RepeatedMessage,omitempty"`
	}{AuthenticationMethod: l.method, InvalidUser: l.invalid}
	if l.repeat > 1 {
		extra.RepeatedMessage = l.repeat
	}
	extraJSON, _ := json.Marshal(extra)
	domain, name := splitAccount(l.user)
	for k := 0; k < l.repeat; k++ {
		row := out.New("DeviceLogonEvents")
		row.Set("Timestamp", t)
		row.Set("DeviceId", ingest.DeviceID(host))
		row.Set("DeviceName", strings.ToLower(host))
		if l.success {
			row.Set("ActionType", "LogonSuccess")
		} else {
			row.Set("ActionType", "LogonFailed")
			row.Set("FailureReason", "InvalidUserNameOrPassword")
		}
		row.Set("LogonType", "Network")
		row.Set("Protocol", "SSH")
		row.SetString("AccountDomain", domain)
		row.Set("AccountName", name)
		if a, err := netip.ParseAddr(l.from); err == nil {
			row.Set("RemoteIP", a.Unmap().String())
			row.Set("RemoteIPType", ingest.IPType(a.Unmap().String()))
		} else {
			row.Set("RemoteDeviceName", l.from) // sshd's UseDNS gives names
		}
		row.Set("RemotePort", l.port)
		row.Set("InitiatingProcessFileName", m.AppName)
		if pid, err := strconv.ParseInt(m.ProcID, 10, 64); err == nil {
			row.Set("InitiatingProcessId", pid)
		}
		row.Set("ReportId", reportID(in, k+1))
		row.Set("AdditionalFields", string(extraJSON))
	}
}
