package incident

import (
	"encoding/json"
	"net/netip"
	"strings"

	"github.com/vigilsec/vigil/internal/state"
)

// entitiesOf reads an alert's evidence as entities with link keys. An
// entity's first key is its identity (for caps and assets); any shared
// key links. Keys are lower-case and prefixed by what they are.
func entitiesOf(a *Alert) []state.IncidentEntity {
	out := make([]state.IncidentEntity, 0, len(a.Evidence))
	// An alert has a few entities: a scan of those kept beats a map.
	add := func(e state.IncidentEntity) {
		if e.Value == "" {
			return
		}
		id := identity(&e)
		for i := range out {
			if identity(&out[i]) == id {
				return
			}
		}
		out = append(out, e)
	}
	device := ""
	for _, ev := range a.Evidence {
		if strings.EqualFold(ev.EntityType, "Machine") {
			if n := field(ev, "DeviceName"); n != "" {
				device = shortHost(n)
				break
			}
		}
	}
	for _, ev := range a.Evidence {
		role := ev.EvidenceRole
		switch strings.ToLower(ev.EntityType) {
		case "machine":
			add(deviceEntity(field(ev, "DeviceName"), field(ev, "DeviceId"), role))
		case "user", "account":
			add(accountEntity(ev, role))
		case "mailbox", "mailmessage", "mailcluster":
			addr := strings.ToLower(firstOf(field(ev, "RecipientEmailAddress"), additional(ev, "Recipient"), additional(ev, "MailboxPrimaryAddress"), field(ev, "AccountUpn")))
			if addr != "" {
				add(state.IncidentEntity{Kind: KindMailbox, Value: addr, Keys: []string{"mail:" + addr}, Role: role})
			}
			if s := strings.ToLower(firstOf(field(ev, "SenderFromAddress"), additional(ev, "Sender"), additional(ev, "P2Sender"))); s != "" {
				// An organisation's sender address is its account's UPN:
				// mail sent by a compromised account joins that account's
				// incident (business email compromise).
				add(state.IncidentEntity{Kind: KindSender, Value: s, Keys: []string{"sender:" + s, "upn:" + s}, Role: role})
			}
		case "file":
			var keys []string
			if h := strings.ToLower(field(ev, "SHA256")); h != "" {
				keys = append(keys, "sha256:"+h)
			}
			if h := strings.ToLower(field(ev, "SHA1")); h != "" {
				keys = append(keys, "sha1:"+h)
			}
			name := firstOf(field(ev, "FileName"), field(ev, "SHA256"), field(ev, "SHA1"))
			if systemFile(field(ev, "FolderPath"), field(ev, "FileName")) {
				// The same Windows binary is on every device: its hash
				// says nothing about which attack an alert belongs to.
				keys = nil
				add(state.IncidentEntity{Kind: KindFile, Value: name, Role: role})
			}
			if len(keys) > 0 {
				add(state.IncidentEntity{Kind: KindFile, Value: name, Keys: keys, Role: role})
			}
		case "process":
			if cl := field(ev, "ProcessCommandLine"); cl != "" && device != "" {
				add(state.IncidentEntity{Kind: KindProcess, Value: cl, Keys: []string{"proc:" + device + "|" + strings.ToLower(cl)}, Role: role})
			}
		case "ip":
			if ip, ok := linkableIP(field(ev, "RemoteIP")); ok {
				add(state.IncidentEntity{Kind: KindIP, Value: ip, Keys: []string{"ip:" + ip}, Role: role})
			}
		case "url":
			if u := strings.ToLower(field(ev, "RemoteUrl")); u != "" {
				add(state.IncidentEntity{Kind: KindURL, Value: u, Keys: []string{"url:" + u}, Role: role})
			}
		case "cloudapplication", "oauthapplication":
			if app := firstOf(field(ev, "Application"), field(ev, "ApplicationId"), field(ev, "OAuthApplicationId")); app != "" {
				add(state.IncidentEntity{Kind: KindApp, Value: app, Role: role})
			}
		}
	}
	return out
}

// systemFile reports a file of Windows itself: under the Windows
// directory, or, without a path, one of the built-in tools attacks run.
func systemFile(folder, name string) bool {
	f := strings.ToLower(strings.ReplaceAll(folder, "/", `\`))
	if i := strings.Index(f, `:\`); i == 1 {
		f = f[i+1:]
	}
	if strings.HasPrefix(f, `\windows\`) {
		return true
	}
	if folder != "" {
		return false
	}
	switch strings.ToLower(name) {
	case "cmd.exe", "powershell.exe", "pwsh.exe", "rundll32.exe", "regsvr32.exe", "wmic.exe", "vssadmin.exe", "bcdedit.exe",
		"wbadmin.exe", "svchost.exe", "services.exe", "lsass.exe", "mshta.exe", "cscript.exe", "wscript.exe", "net.exe",
		"net1.exe", "sc.exe", "schtasks.exe", "reg.exe", "certutil.exe", "explorer.exe", "wmiprvse.exe", "winword.exe",
		"excel.exe", "outlook.exe", "msiexec.exe", "conhost.exe", "taskhostw.exe":
		return true
	}
	return false
}

func deviceEntity(name, id, role string) state.IncidentEntity {
	e := state.IncidentEntity{Kind: KindDevice, Value: firstOf(strings.ToLower(name), id), Role: role}
	var kv [4]string
	n := 0
	if name != "" {
		kv[n], kv[n+1] = "dev:", shortHost(name)
		n += 2
	}
	if id != "" {
		kv[n], kv[n+1] = "devid:", strings.ToLower(id)
		n += 2
	}
	e.Keys = keysOf(kv[:n]...)
	return e
}

func accountEntity(ev Evidence, role string) state.IncidentEntity {
	sid, upn, oid := field(ev, "AccountSid"), strings.ToLower(field(ev, "AccountUpn")), strings.ToLower(field(ev, "AccountObjectId"))
	name, domain := field(ev, "AccountName"), field(ev, "AccountDomain")
	if d, n, ok := strings.Cut(name, `\`); ok {
		domain, name = d, n
	}
	name, domain = strings.ToLower(name), strings.ToLower(shortHost(domain))
	e := state.IncidentEntity{Kind: KindAccount, Role: role}
	var kv [8]string
	n := 0
	for _, k := range [...][2]string{{"sid:", strings.ToLower(sid)}, {"upn:", upn}, {"aad:", oid}} {
		if k[1] != "" {
			kv[n], kv[n+1] = k[0], k[1]
			n += 2
		}
	}
	if name != "" {
		// A name without its domain links only to the same bare name: a
		// local "administrator" on two devices is two accounts.
		kv[n], kv[n+1] = "acct:", domain+`\`+name
		n += 2
	}
	e.Keys = keysOf(kv[:n]...)
	switch {
	case domain != "" && name != "":
		e.Value = e.Keys[len(e.Keys)-1][len("acct:"):]
	case upn != "":
		e.Value = upn
	default:
		e.Value = firstOf(name, sid, oid)
	}
	return e
}

// keysOf makes an entity's keys from (prefix, value) pairs, in one string
// and one slice: the keys of an entity an incident sees stay in the
// engine's index as long as the incident is open, and each object there
// is one more for the collector to visit.
func keysOf(kv ...string) []string {
	if len(kv) == 0 {
		return nil
	}
	n := 0
	for _, s := range kv {
		n += len(s)
	}
	var b strings.Builder
	b.Grow(n)
	for _, s := range kv {
		b.WriteString(s)
	}
	all := b.String()
	keys := make([]string, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		k := len(kv[i]) + len(kv[i+1])
		keys = append(keys, all[:k])
		all = all[k:]
	}
	return keys
}

// shortHost is a host name's first label, lower-case: "WS1.corp.local"
// and "ws1" (as identity events name it) are one device.
func shortHost(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if mayBeIP(s) {
		if _, err := netip.ParseAddr(s); err == nil {
			return s
		}
	}
	if i := strings.IndexByte(s, '.'); i > 0 {
		return s[:i]
	}
	return s
}

// mayBeIP reports whether s could be an IP address: one with a colon
// (IPv6) or of digits and dots (IPv4). A host name is neither, and
// ParseAddr's error for it is two allocations for every alert.
func mayBeIP(s string) bool {
	if strings.IndexByte(s, ':') >= 0 {
		return true
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '.' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// linkableIP normalises an address and drops those that identify nothing
// (loopback, unspecified, link-local).
func linkableIP(s string) (string, bool) {
	ip, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return "", false
	}
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsUnspecified() || ip.IsLinkLocalUnicast() || ip.IsMulticast() {
		return "", false
	}
	return ip.String(), true
}

func field(ev Evidence, name string) string {
	return strings.TrimSpace(text(ev.Fields[name]))
}

// additional reads a key of the evidence's AdditionalFields (a JSON
// object, as text or decoded).
func additional(ev Evidence, key string) string {
	v, ok := ev.Fields["AdditionalFields"]
	if !ok {
		return ""
	}
	var m map[string]any
	switch x := v.(type) {
	case map[string]any:
		m = x
	default:
		if json.Unmarshal([]byte(text(v)), &m) != nil {
			return ""
		}
	}
	return strings.TrimSpace(text(m[key]))
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
