package samba

import (
	"strconv"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
)

// authentication maps an Authentication line (Windows events 4624 and
// 4625 as Samba writes them) to IdentityLogonEvents, as Defender for
// Identity records a domain logon, and to DeviceLogonEvents on the domain
// controller, as Defender for Endpoint would see the logon there.
func (e *event) authentication() {
	b := e.body
	status := ingest.Str(b, "status")
	ok := status == "NT_STATUS_OK"
	action := "LogonFailed"
	if ok {
		action = "LogonSuccess"
	}
	service, desc, pwType := ingest.Str(b, "serviceDescription"), ingest.Str(b, "authDescription"), ingest.Str(b, "passwordType")
	proto := authProtocol(service, desc, pwType)
	winType, _ := ingest.Int(b, "logonType")
	remote, local := parseAddress(ingest.Str(b, "remoteAddress")), parseAddress(ingest.Str(b, "localAddress"))
	name, domain, sid := accountOf(b)
	upn := ingest.Str(b, "clientAccount")
	if !strings.Contains(upn, "@") {
		upn = ""
	}
	server := e.serverName()
	// The workstation is the client's, except for simple binds, where
	// Samba names itself.
	client := ingest.Str(b, "workstation")
	if strings.HasPrefix(desc, "simple bind") || strings.EqualFold(client, server) {
		client = ""
	}

	row := e.out.New("IdentityLogonEvents")
	row.Set("Timestamp", e.t)
	row.Set("ActionType", action)
	row.Set("Application", "Active Directory")
	row.Set("LogonType", identityLogonType(service, desc, winType))
	row.SetString("Protocol", proto)
	if !ok {
		row.SetString("FailureReason", failureReason(status))
	}
	row.SetString("AccountName", name)
	row.SetString("AccountDomain", domain)
	row.SetString("AccountUpn", upn)
	row.SetString("AccountSid", sid)
	row.SetString("DeviceName", client)
	row.SetString("IPAddress", remote.ip)
	if remote.port != 0 {
		row.Set("Port", remote.port)
	}
	row.SetString("DestinationDeviceName", server)
	row.SetString("DestinationIPAddress", local.ip)
	if local.port != 0 {
		row.Set("DestinationPort", local.port)
	}
	row.SetString("TargetDeviceName", server)
	row.Set("ReportId", strconv.FormatInt(e.reportID(), 10))
	extra := ingest.Fields{}
	if id, ok := ingest.Int(b, "eventId"); ok {
		extra["EventId"] = id
	}
	extra.Str("Status", status)
	extra.Str("ServiceDescription", service)
	extra.Str("AuthDescription", desc)
	extra.Str("PasswordType", pwType)
	extra.Str("LogonId", ingest.Str(b, "logonId"))
	if winType != 0 {
		extra["WindowsLogonType"] = winType
	}
	extra.Str("ClientAccount", ingest.Str(b, "clientAccount"))
	extra.Str("ClientDomain", ingest.Str(b, "clientDomain"))
	extra.Str("Workstation", ingest.Str(b, "workstation"))
	extra.Str("NetlogonComputer", ingest.Str(b, "netlogonComputer"))
	extra.Str("NetlogonTrustAccount", ingest.Str(b, "netlogonTrustAccount"))
	extra.Str("NetlogonTrustAccountSid", ingest.Str(b, "netlogonTrustAccountSid"))
	if d, ok := ingest.Int(b, "duration"); ok {
		extra["DurationMicroseconds"] = d
	}
	row.SetRaw("AdditionalFields", extra.JSON())

	// A Kerberos AS exchange is no logon on the controller itself (Windows
	// logs 4768 there, not 4624), and without the controller's name there
	// is no device to file the logon under.
	if server == "" || strings.Contains(service, "Kerberos") {
		return
	}
	dev := e.out.New("DeviceLogonEvents")
	dev.Set("Timestamp", e.t)
	dev.Set("DeviceId", ingest.DeviceID(server))
	dev.Set("DeviceName", strings.ToLower(server))
	dev.Set("ActionType", action)
	dev.SetString("LogonType", windowsLogonTypes[winType])
	dev.SetString("AccountDomain", domain)
	dev.SetString("AccountName", name)
	dev.SetString("AccountSid", sid)
	dev.SetString("Protocol", proto)
	if !ok {
		dev.SetString("FailureReason", failureReason(status))
	}
	if id, err := strconv.ParseUint(ingest.Str(b, "logonId"), 16, 64); err == nil && id != 0 {
		dev.Set("LogonId", int64(id))
	}
	dev.SetString("RemoteDeviceName", client)
	dev.SetString("RemoteIP", remote.ip)
	dev.SetString("RemoteIPType", ingest.IPType(remote.ip))
	if remote.port != 0 {
		dev.Set("RemotePort", remote.port)
	}
	dev.Set("ReportId", e.reportID())
	if j := extra.JSON(); j != nil {
		dev.Set("AdditionalFields", string(j))
	}
}

// authorization maps an Authorization line: a session established on a
// service of the controller. Only sessions authenticated by a Kerberos
// ticket become IdentityLogonEvents ("Resource access"): NTLM and simple
// binds already have their Authentication line, and a second row would
// count one logon twice. The rest stay in RawEvents.
func (e *event) authorization() {
	b := e.body
	authType := ingest.Str(b, "authType")
	if !isKerberos(authType) {
		return
	}
	remote, local := parseAddress(ingest.Str(b, "remoteAddress")), parseAddress(ingest.Str(b, "localAddress"))
	server := e.serverName()
	row := e.out.New("IdentityLogonEvents")
	row.Set("Timestamp", e.t)
	row.Set("ActionType", "LogonSuccess")
	row.Set("Application", "Active Directory")
	row.Set("LogonType", "Resource access")
	row.Set("Protocol", "Kerberos")
	row.SetString("AccountName", ingest.Str(b, "account"))
	row.SetString("AccountDomain", ingest.Str(b, "domain"))
	row.SetString("AccountSid", ingest.Str(b, "sid"))
	row.SetString("IPAddress", remote.ip)
	if remote.port != 0 {
		row.Set("Port", remote.port)
	}
	row.SetString("DestinationDeviceName", server)
	row.SetString("DestinationIPAddress", local.ip)
	if local.port != 0 {
		row.Set("DestinationPort", local.port)
	}
	row.SetString("TargetDeviceName", server)
	row.Set("ReportId", strconv.FormatInt(e.reportID(), 10))
	extra := ingest.Fields{}
	extra.Str("ServiceDescription", ingest.Str(b, "serviceDescription"))
	extra.Str("AuthType", authType)
	extra.Str("TransportProtection", ingest.Str(b, "transportProtection"))
	extra.Str("SessionId", ingest.Str(b, "sessionId"))
	extra.Str("LogonServer", ingest.Str(b, "logonServer"))
	extra.Str("AccountFlags", ingest.Str(b, "accountFlags"))
	row.SetRaw("AdditionalFields", extra.JSON())
}

func isKerberos(authType string) bool {
	t := strings.ToLower(authType)
	return strings.Contains(t, "krb5") || strings.Contains(t, "kerberos") || t == "gssapi"
}

// accountOf is the account a line is about: the one Samba resolved
// (became*), else the one it mapped the name to, else the name given.
func accountOf(b *fastjson.Value) (name, domain, sid string) {
	name, domain = ingest.Str(b, "becameAccount"), ingest.Str(b, "becameDomain")
	if name == "" {
		name, domain = ingest.Str(b, "mappedAccount"), ingest.Str(b, "mappedDomain")
	}
	if name == "" {
		name, domain = ingest.SplitAccount(ingest.Str(b, "clientAccount"))
		if d := ingest.Str(b, "clientDomain"); d != "" && domain == "" {
			domain = d
		}
	}
	return name, domain, ingest.Str(b, "becameSid")
}

// authProtocol names the authentication protocol the way Defender for
// Identity's Protocol column does (Kerberos, Ntlm, Ldap).
func authProtocol(service, desc, pwType string) string {
	d := strings.ToLower(desc)
	switch {
	case strings.Contains(service, "Kerberos") || isKerberos(desc):
		return "Kerberos"
	case strings.HasPrefix(d, "simple bind"):
		return "Ldap"
	case strings.HasPrefix(desc, "ServerAuthenticate"):
		return "Netlogon"
	case strings.Contains(service, "SAMR"):
		return "Samr"
	case strings.Contains(d, "ntlm") || strings.HasPrefix(pwType, "NTLM") || pwType == "LANMan" || pwType == "MSCHAPv2" ||
		d == "network" || d == "interactive" || strings.Contains(service, "NETLOGON") || service == "SamLogon":
		return "Ntlm"
	case service == "":
		return ""
	default:
		return strings.ToUpper(service[:1]) + strings.ToLower(service[1:])
	}
}

// identityLogonType uses Defender for Identity's logon types: LDAP
// cleartext for simple binds in the clear, Resource access for sessions
// on the controller's services, Credentials validation for credential
// checks (Kerberos AS, NTLM pass-through, secure channels), Interactive
// for interactive logons.
func identityLogonType(service, desc string, winType int64) string {
	d := strings.ToLower(desc)
	switch {
	case d == "simple bind":
		return "LDAP cleartext"
	case strings.HasPrefix(d, "simple bind"):
		return "Credentials validation"
	case strings.Contains(d, "tgs"):
		return "Resource access"
	case strings.Contains(service, "Kerberos"):
		return "Credentials validation"
	case d == "interactive" || winType == 2:
		return "Interactive"
	case strings.Contains(d, "ntlmssp") || strings.Contains(d, "gssapi") || strings.Contains(d, "spnego"):
		return "Resource access"
	default:
		return "Credentials validation"
	}
}

// windowsLogonTypes names Windows logon types for DeviceLogonEvents.
var windowsLogonTypes = map[int64]string{
	2: "Interactive", 3: "Network", 4: "Batch", 5: "Service", 7: "Unlock",
	8: "NetworkCleartext", 9: "NewCredentials", 10: "RemoteInteractive", 11: "CachedInteractive",
}

// failureReasons turns NT status codes into Defender's failure reasons.
var failureReasons = map[string]string{
	"NT_STATUS_WRONG_PASSWORD":                 "WrongPassword",
	"NT_STATUS_LOGON_FAILURE":                  "InvalidUserNameOrPassword",
	"NT_STATUS_NO_SUCH_USER":                   "UnknownUser",
	"NT_STATUS_ACCOUNT_DISABLED":               "AccountDisabled",
	"NT_STATUS_ACCOUNT_LOCKED_OUT":             "AccountLocked",
	"NT_STATUS_ACCOUNT_EXPIRED":                "AccountExpired",
	"NT_STATUS_PASSWORD_EXPIRED":               "PasswordExpired",
	"NT_STATUS_PASSWORD_MUST_CHANGE":           "PasswordMustChange",
	"NT_STATUS_INVALID_LOGON_HOURS":            "InvalidLogonHours",
	"NT_STATUS_INVALID_WORKSTATION":            "InvalidWorkstation",
	"NT_STATUS_LOGON_TYPE_NOT_GRANTED":         "UnauthorizedLogonType",
	"NT_STATUS_ACCESS_DENIED":                  "AccessDenied",
	"NT_STATUS_NO_LOGON_SERVERS":               "NoLogonServers",
	"NT_STATUS_TIME_DIFFERENCE_AT_DC":          "ClockSkew",
	"NT_STATUS_NO_TRUST_SAM_ACCOUNT":           "NoTrustAccount",
	"NT_STATUS_TRUSTED_RELATIONSHIP_FAILURE":   "TrustFailure",
	"NT_STATUS_AUTHENTICATION_FIREWALL_FAILED": "AuthenticationPolicyFailed",
	"NT_STATUS_PROTECTED_USER_RESTRICTION":     "ProtectedUserRestriction",
}

// failureReason names a failed status; unknown codes are kept as Samba
// wrote them.
func failureReason(status string) string {
	if r, ok := failureReasons[status]; ok {
		return r
	}
	return status
}
