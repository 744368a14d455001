package windows

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/ingest"
)

// Channel names as Windows spells them. Shippers disagree on case (the
// OTRF sets have both "Security" and "security"), and KQL's == does not.
const (
	chSecurity = "Security"
	chSystem   = "System"
	chSysmon   = "Microsoft-Windows-Sysmon/Operational"
)

var knownChannels = func() map[string]string {
	m := map[string]string{}
	for _, c := range []string{
		chSecurity, chSystem, "Application", chSysmon,
		"Windows PowerShell", "Microsoft-Windows-PowerShell/Operational",
		"Microsoft-Windows-WMI-Activity/Operational",
		"Microsoft-Windows-TaskScheduler/Operational",
		"Microsoft-Windows-Windows Defender/Operational",
		"Microsoft-Windows-TerminalServices-LocalSessionManager/Operational",
		"Microsoft-Windows-Bits-Client/Operational",
		"Microsoft-Windows-DNS-Client/Operational",
		"Directory Service", "DNS Server", "ForwardedEvents",
	} {
		m[strings.ToLower(c)] = c
		m[c] = c // as Windows spells it: found without lowering
	}
	return m
}()

// canonicalChannel spells a well-known channel the way Windows does and
// leaves any other as given.
func canonicalChannel(s string) string {
	if c, ok := knownChannel(s); ok {
		return c
	}
	return strings.TrimSpace(s)
}

// knownChannel returns the canonical name of a well-known channel.
func knownChannel(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if c, ok := knownChannels[s]; ok {
		return c, true
	}
	c, ok := knownChannels[strings.ToLower(s)]
	return c, ok
}

// splitAccount splits DOMAIN\user; a bare name has no domain.
func splitAccount(s string) (domain, name string) {
	s = clean(s)
	if i := strings.LastIndexByte(s, '\\'); i >= 0 {
		return clean(s[:i]), clean(s[i+1:])
	}
	return "", s
}

// baseName returns the last element of a Windows or POSIX path.
func baseName(p string) string {
	if i := strings.LastIndexAny(p, `\/`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// hashes are the digests Sysmon writes as "SHA1=..,MD5=..,SHA256=..,IMPHASH=..".
type hashes struct{ md5, sha1, sha256, imphash string }

func parseHashes(s string) hashes {
	var h hashes
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			// A lone digest: tell the algorithm by its length.
			k, v = "", k
		}
		v = strings.ToLower(strings.TrimSpace(v))
		switch strings.ToUpper(k) {
		case "MD5":
			h.md5 = v
		case "SHA1":
			h.sha1 = v
		case "SHA256":
			h.sha256 = v
		case "IMPHASH":
			h.imphash = v
		case "":
			switch len(v) {
			case 32:
				h.md5 = v
			case 40:
				h.sha1 = v
			case 64:
				h.sha256 = v
			}
		}
	}
	return h
}

// RegistryRoots map the short and kernel spellings of hive roots to the
// long names Defender writes (Defender shows user hives under
// HKEY_CURRENT_USER\<SID>); Sigma rules are rewritten to match them.
var RegistryRoots = []struct{ Prefix, Long string }{
	{`HKLM`, `HKEY_LOCAL_MACHINE`},
	{`HKU\.DEFAULT`, `HKEY_USERS\.DEFAULT`},
	{`HKU`, `HKEY_CURRENT_USER`},
	{`HKCU`, `HKEY_CURRENT_USER`},
	{`HKCR`, `HKEY_CLASSES_ROOT`},
	{`HKCC`, `HKEY_CURRENT_CONFIG`},
	{`\REGISTRY\MACHINE`, `HKEY_LOCAL_MACHINE`},
	{`\REGISTRY\USER\.DEFAULT`, `HKEY_USERS\.DEFAULT`},
	{`\REGISTRY\USER`, `HKEY_CURRENT_USER`},
	{`HKEY_USERS\.DEFAULT`, `HKEY_USERS\.DEFAULT`},
	{`HKEY_USERS`, `HKEY_CURRENT_USER`},
}

// registryKey converts a key path to Defender's spelling.
func registryKey(s string) string {
	for _, r := range RegistryRoots {
		if len(s) >= len(r.Prefix) && strings.EqualFold(s[:len(r.Prefix)], r.Prefix) &&
			(len(s) == len(r.Prefix) || s[len(r.Prefix)] == '\\') {
			return r.Long + s[len(r.Prefix):]
		}
	}
	return s
}

// splitValuePath splits key\value into the key and the value name.
func splitValuePath(s string) (key, value string) {
	if i := strings.LastIndexByte(s, '\\'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// parseIP reads an address as Windows tools print it (Sysmon writes IPv6
// without compression), and returns its canonical text.
func parseIP(s string) (string, netip.Addr, bool) {
	s = strings.TrimSpace(clean(s))
	if s == "" {
		return "", netip.Addr{}, false
	}
	if i := strings.IndexByte(s, '%'); i > 0 { // zone
		s = s[:i]
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return "", netip.Addr{}, false
	}
	return a.String(), a, true
}

// unmap gives the IPv4 form of an IPv4-mapped IPv6 address; identity
// tables have no IP type column to say "FourToSixMapping".
func unmap(s string) string {
	if a, err := netip.ParseAddr(s); err == nil && a.Is4In6() {
		return a.Unmap().String()
	}
	return s
}

// number reads decimal or 0x-hex text.
func number(s string) (int64, bool) { return ingest.ParseInt(clean(s)) }

// port reads a port number; 0 means none.
func port(s string) (int32, bool) {
	n, ok := number(s)
	if !ok || n <= 0 || n > 65535 {
		return 0, false
	}
	return int32(n), true
}

// logonTypes are Defender's LogonType names for Windows' numeric types.
var logonTypes = map[int64]string{
	0:  "System",
	2:  "Interactive",
	3:  "Network",
	4:  "Batch",
	5:  "Service",
	6:  "Proxy",
	7:  "Unlock",
	8:  "NetworkCleartext",
	9:  "NewCredentials",
	10: "RemoteInteractive",
	11: "CachedInteractive",
	12: "CachedRemoteInteractive",
	13: "CachedUnlock",
}

func logonTypeName(s string) string {
	n, ok := number(s)
	if !ok {
		return clean(s)
	}
	if name, ok := logonTypes[n]; ok {
		return name
	}
	return strconv.FormatInt(n, 10)
}

// tokenElevation maps 4688's TokenElevationType to Defender's values.
func tokenElevation(s string) string {
	switch strings.TrimSpace(s) {
	case "%%1936", "TokenElevationTypeDefault (1)":
		return "TokenElevationTypeDefault"
	case "%%1937", "TokenElevationTypeFull (2)":
		return "TokenElevationTypeFull"
	case "%%1938", "TokenElevationTypeLimited (3)":
		return "TokenElevationTypeLimited"
	}
	return clean(s)
}

// integrityLevels map mandatory label SIDs to the names Sysmon and Defender
// use.
var integrityLevels = map[string]string{
	"S-1-16-0":     "Untrusted",
	"S-1-16-4096":  "Low",
	"S-1-16-8192":  "Medium",
	"S-1-16-8448":  "MediumPlus",
	"S-1-16-12288": "High",
	"S-1-16-16384": "System",
	"S-1-16-20480": "Protected",
}

func integrityFromLabel(s string) string {
	s = strings.TrimSpace(clean(s))
	if n, ok := integrityLevels[strings.ToUpper(s)]; ok {
		return n
	}
	return s
}

// ntStatus are the NTSTATUS codes of failed logons (4625's Status and
// SubStatus, 4776's Status), named as Defender's FailureReason values.
var ntStatus = map[uint32]string{
	0xC000005E: "NoLogonServers",
	0xC0000064: "UnknownUser",
	0xC000006A: "WrongPassword",
	0xC000006C: "PasswordPolicyViolation",
	0xC000006D: "InvalidUserNameOrPassword",
	0xC000006E: "AccountRestriction",
	0xC000006F: "InvalidLogonHours",
	0xC0000070: "InvalidWorkstation",
	0xC0000071: "PasswordExpired",
	0xC0000072: "AccountDisabled",
	0xC000009A: "InsufficientResources",
	0xC00000DC: "InvalidServerState",
	0xC0000133: "ClockOutOfSync",
	0xC000015B: "LogonTypeNotGranted",
	0xC000018C: "TrustedDomainFailure",
	0xC0000192: "NetLogonNotStarted",
	0xC0000193: "AccountExpired",
	0xC0000224: "PasswordMustChange",
	0xC0000225: "InternalError",
	0xC0000234: "AccountLocked",
	0xC00002EE: "FailureDuringLogon",
	0xC0000371: "LocalSamFailure",
	0xC0000413: "AuthenticationFirewallFailure",
}

// failureReason names a logon failure from its sub-status, or its status
// when the sub-status says nothing more.
func failureReason(status, sub string) string {
	for _, s := range []string{sub, status} {
		n, ok := number(s)
		if !ok || n == 0 {
			continue
		}
		if name, ok := ntStatus[uint32(n)]; ok {
			return name
		}
		return "0x" + strconv.FormatUint(uint64(uint32(n)), 16)
	}
	return ""
}

// kerberosErrors are the KDC result codes of 4768/4769/4771.
var kerberosErrors = map[int64]string{
	0x6:  "UnknownUser",
	0x7:  "UnknownServer",
	0xC:  "PolicyRestriction",
	0x12: "AccountDisabled",
	0x17: "PasswordExpired",
	0x18: "WrongPassword",
	0x1F: "IntegrityCheckFailed",
	0x20: "TicketExpired",
	0x25: "ClockOutOfSync",
	0x29: "ModifiedMessage",
	0x3C: "GenericError",
}

func kerberosFailure(status string) (reason string, failed bool) {
	n, ok := number(status)
	if !ok || n == 0 {
		return "", false
	}
	if name, ok := kerberosErrors[n]; ok {
		return name, true
	}
	return "0x" + strconv.FormatInt(n, 16), true
}

// encryptionTypes name Kerberos ticket encryption types.
var encryptionTypes = map[int64]string{
	0x1:  "DesCbcCrc",
	0x3:  "DesCbcMd5",
	0x11: "Aes128CtsHmacSha1",
	0x12: "Aes256CtsHmacSha1",
	0x17: "Rc4Hmac",
	0x18: "Rc4HmacExp",
}

// protocols name IANA protocol numbers as Defender's Protocol column does.
var protocols = map[int64]string{1: "Icmp", 6: "Tcp", 17: "Udp", 58: "IcmpV6"}

func protocolName(s string) string {
	s = strings.TrimSpace(clean(s))
	if n, ok := number(s); ok {
		if p, ok := protocols[n]; ok {
			return p
		}
		return s
	}
	switch strings.ToLower(s) {
	case "tcp":
		return "Tcp"
	case "udp":
		return "Udp"
	case "icmp":
		return "Icmp"
	}
	return s
}

// keywordsHex prints a keywords mask as Windows does (0x8020000000000000);
// NXLog writes it as a signed decimal.
func keywordsHex(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		return s
	}
	if h, ok := commonKeywords[s]; ok {
		return h
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return "0x" + strconv.FormatUint(uint64(n), 16)
	}
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return "0x" + strconv.FormatUint(n, 16)
	}
	return s
}

// commonKeywords are the keyword masks nearly every event has, as NXLog
// writes them (signed decimal), in hex: looked up, not converted.
var commonKeywords = func() map[string]string {
	m := map[string]string{}
	for _, k := range []uint64{0x8000000000000000, kwAuditSuccess | 0x8000000000000000, kwAuditFailure | 0x8000000000000000,
		0x4000000000000000, 0x80000000000000, kwAuditSuccess, kwAuditFailure} {
		m[strconv.FormatInt(int64(k), 10)] = "0x" + strconv.FormatUint(k, 16)
	}
	return m
}()

// Audit keyword bits.
const (
	kwAuditFailure = 0x0010000000000000
	kwAuditSuccess = 0x0020000000000000
)

// levelNames are the standard event levels.
var levelNames = map[string]string{
	"0": "Information", // LogAlways: audit events carry level 0
	"1": "Critical",
	"2": "Error",
	"3": "Warning",
	"4": "Information",
	"5": "Verbose",
}

// levelName derives the level's name, with the audit outcome taking
// precedence for audit events as Sentinel shows it.
func levelName(level, keywords string) string {
	if k, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(keywords), "0x"), 16, 64); err == nil && strings.HasPrefix(strings.ToLower(keywords), "0x") {
		switch {
		case k&kwAuditSuccess != 0:
			return "Audit Success"
		case k&kwAuditFailure != 0:
			return "Audit Failure"
		}
	}
	switch strings.ToLower(keywords) {
	case "audit success":
		return "Audit Success"
	case "audit failure":
		return "Audit Failure"
	}
	return levelNames[level]
}

// shipperLevels map level words (NXLog's Severity, Winlogbeat's log.level)
// to numeric levels.
var shipperLevels = map[string]string{
	"critical": "1", "error": "2", "warning": "3", "warn": "3",
	"info": "4", "information": "4", "informational": "4",
	"verbose": "5", "debug": "5",
}

// dcNamePattern reports whether a host's name says it is a domain
// controller: the first label is "dc" with an optional number or
// separator, or ends in "dc" with an optional number (DC01, dc-2,
// MORDORDC, corp-dc03).
func dcNamePattern(host string) bool {
	s := strings.ToLower(ingest.ShortHostName(host))
	t := strings.TrimRight(s, "0123456789")
	t = strings.TrimRight(t, "-_")
	return strings.HasSuffix(t, "dc") || strings.HasPrefix(s, "dc-") || strings.HasPrefix(s, "dc_")
}
