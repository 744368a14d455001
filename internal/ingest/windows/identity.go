package windows

import (
	"strings"

	"github.com/vigilsec/vigil/internal/ingest"
)

// Domain controllers. Directory and Kerberos events logged by a domain
// controller go to the Identity* tables, as Defender for Identity's sensor
// reports them; the same account-management events on a member machine
// concern its local accounts and go to DeviceEvents. A host is a domain
// controller when (see doc.go):
//
//  1. the event is one only domain controllers log: Kerberos (4768, 4769,
//     4770, 4771), directory service access (4662 on the "DS" object
//     server), directory object changes (5136-5141), domain group
//     membership (4727-4730, 4754-4758) and computer accounts (4741-4743);
//  2. an account-management event names a domain that is not the host's
//     own name (a member machine only manages its local accounts);
//  3. the host's name says so (DC, DC01, MORDORDC, corp-dc2); or
//  4. the host was seen doing 1 or 2 earlier in the stream.
var dcOnlyEvents = map[int32]bool{
	4768: true, 4769: true, 4770: true, 4771: true,
	4727: true, 4728: true, 4729: true, 4730: true,
	4754: true, 4755: true, 4756: true, 4757: true, 4758: true,
	4741: true, 4742: true, 4743: true,
	5136: true, 5137: true, 5138: true, 5139: true, 5141: true,
}

// localDomains are the account domains of accounts that are not domain
// objects.
var localDomains = map[string]bool{"builtin": true, "nt authority": true, "nt service": true, "workgroup": true}

func (x *emitter) onDC() bool {
	if x.unordered {
		// Rule 4 reads and 1-2 write what earlier records taught: only
		// the records' own order gives the same answer every time.
		panic(needsOrder{})
	}
	e := x.e
	key := strings.ToLower(ingest.ShortHostName(e.Computer))
	evidence := dcOnlyEvents[e.EventID] ||
		(e.EventID == 4662 && strings.EqualFold(e.peek("ObjectServer"), "DS"))
	if !evidence {
		if d := strings.ToLower(e.peek("TargetDomainName")); d != "" && d != key && !localDomains[d] {
			evidence = true
		}
	}
	if evidence {
		x.dcs.add(key)
		return true
	}
	return x.dcs.has(key) || dcNamePattern(e.Computer)
}

// replicationRights are the extended rights a DCSync requests (4662's
// Properties list their GUIDs).
var replicationRights = []struct{ guid, name string }{
	{"1131f6aa-9c07-11d1-f79f-00c04fc2dcd2", "DS-Replication-Get-Changes"},
	{"1131f6ad-9c07-11d1-f79f-00c04fc2dcd2", "DS-Replication-Get-Changes-All"},
	{"89e95b76-444d-4c62-991a-0facbeda640c", "DS-Replication-Get-Changes-In-Filtered-Set"},
}

// directoryAccess maps 4662. Only replication requests become rows (the
// other directory reads are too many and too vague); every 4662 keeps its
// SecurityEvent copy.
func directoryAccess(x *emitter) {
	e := x.e
	dc := x.onDC()
	props := strings.ToLower(e.Get("Properties"))
	var rights []string
	for _, r := range replicationRights {
		if strings.Contains(props, r.guid) {
			rights = append(rights, r.name)
		}
	}
	if len(rights) == 0 || !dc {
		return
	}
	r := x.identity("IdentityDirectoryEvents", "Directory Services replication")
	x.identityActor(r)
	x.extra.strs("ReplicationRights", rights)
}

// identityActor fills the account that acted (the event's subject).
func (x *emitter) identityActor(r *ingest.Row) {
	x.account(r, "", "Subject")
}

// kerberos maps the KDC's events: 4768 (TGT), 4769 (service ticket),
// 4771 (pre-authentication failed).
func kerberos(x *emitter) {
	e := x.e
	x.onDC()
	reason, failed := kerberosFailure(e.take("Status"))
	if e.EventID == 4771 {
		failed = true
		if reason == "" {
			reason = "WrongPassword"
		}
	}
	action := "LogonSuccess"
	if failed {
		action = "LogonFailed"
	}
	r := x.identity("IdentityLogonEvents", action)
	r.Set("Protocol", "Kerberos")
	if e.EventID == 4769 {
		r.Set("LogonType", "Resource access")
	} else {
		r.Set("LogonType", "Credentials validation")
	}
	r.SetString("FailureReason", reason)
	user, domain := e.take("TargetUserName"), e.take("TargetDomainName")
	if name, realm, ok := strings.Cut(user, "@"); ok {
		user = name
		if domain == "" {
			domain = realm
		}
	}
	r.SetString("AccountName", user)
	r.SetString("AccountDomain", domain)
	r.SetString("AccountSid", sid(e.take("TargetSid")))
	if ip, _, ok := parseIP(e.take("IpAddress")); ok {
		r.Set("IPAddress", unmap(ip))
	}
	setPort(r, "Port", e.take("IpPort"))
	if svc := e.take("ServiceName"); svc != "" {
		x.extra.str("ServiceName", svc)
		if host, ok := strings.CutSuffix(svc, "$"); ok {
			r.Set("TargetDeviceName", host)
		}
	}
	if enc := e.take("TicketEncryptionType"); enc != "" {
		x.extra.str("TicketEncryptionType", enc)
		if n, ok := number(enc); ok && encryptionTypes[n] != "" {
			x.extra.str("EncryptionType", encryptionTypes[n])
		}
	}
}

// ntlmValidation maps 4776. A member machine logs it for its local
// accounts, with a 4624/4625 beside it; only a domain controller's
// validation is an identity event.
func ntlmValidation(x *emitter) {
	e := x.e
	if !x.onDC() {
		return
	}
	reason := failureReason(e.take("Status"), "")
	action := "LogonSuccess"
	if reason != "" {
		action = "LogonFailed"
	}
	r := x.identity("IdentityLogonEvents", action)
	r.Set("Protocol", "NTLM")
	r.Set("LogonType", "Credentials validation")
	r.SetString("FailureReason", reason)
	d, n := splitAccount(e.take("TargetUserName"))
	r.SetString("AccountName", n)
	r.SetString("AccountDomain", d)
	r.SetString("DeviceName", e.take("Workstation"))
}

// accountChanges are the account-management events' ActionTypes: on a
// domain controller Defender for Identity's activity names, elsewhere
// DeviceEvents' local account actions with the change in AdditionalFields.
var accountChanges = map[int32]struct{ dc, device, change string }{
	4720: {"User Account Created", "UserAccountCreated", ""},
	4722: {"Account Disabled changed", "UserAccountModified", "Enabled"},
	4723: {"Account Password changed", "UserAccountModified", "PasswordChanged"},
	4724: {"Account Password changed", "UserAccountModified", "PasswordReset"},
	4725: {"Account Disabled changed", "UserAccountModified", "Disabled"},
	4726: {"Security Principal Deleted changed", "UserAccountDeleted", ""},
	4738: {"", "UserAccountModified", "Changed"},
	4740: {"Account Locked changed", "UserAccountModified", "LockedOut"},
	4742: {"", "UserAccountModified", "Changed"},
	4767: {"Account Locked changed", "UserAccountModified", "Unlocked"},
}

// uacChanges name the UserAccountControl flags 4738/4742 report (the
// message IDs for a flag set, then cleared).
var uacChanges = []struct {
	set, cleared, action string
}{
	{"%%2080", "%%2048", "Account Disabled changed"},
	{"%%2082", "%%2050", "Account Password Not Required changed"},
	{"%%2089", "%%2057", "Account Password Never Expires changed"},
	{"%%2092", "%%2060", "Account Smartcard Required changed"},
	{"%%2093", "%%2061", "Account Unconstrained Delegation changed"},
	{"%%2096", "%%2064", "Account Kerberos Preauthentication changed"},
	{"%%2098", "%%2066", "Account Constrained Delegation State changed"},
}

// accountChangeAction names what a 4738/4742 changed: these events list
// every attribute, with "-" for the unchanged ones.
func accountChangeAction(e *Event) string {
	for _, f := range []struct{ field, action string }{
		{"PasswordLastSet", "Account Password changed"},
		{"SamAccountName", "SAM Account Name changed"},
		{"UserPrincipalName", "Account Upn Name changed"},
		{"AllowedToDelegateTo", "Account Constrained Delegation SPNs changed"},
		{"SidHistory", "Account Sid History changed"},
	} {
		if e.peek(f.field) != "" {
			return f.action
		}
	}
	uac := e.Get("UserAccountControl")
	for _, u := range uacChanges {
		if strings.Contains(uac, u.set) || strings.Contains(uac, u.cleared) {
			return u.action
		}
	}
	if e.peek("DisplayName") != "" {
		return "Security Principal Display Name changed"
	}
	return "Account attributes changed"
}

func accountEvent(x *emitter) {
	e := x.e
	c := accountChanges[e.EventID]
	if !x.onDC() {
		r := x.device("DeviceEvents", c.device)
		x.account(r, "", "Target")
		e.mark("TargetSid")
		r.SetString("AccountSid", sid(e.peek("TargetSid")))
		x.account(r, "InitiatingProcess", "Subject")
		setLong(r, "InitiatingProcessLogonId", e.take("SubjectLogonId"))
		if c.change != "" {
			x.extra.str("Change", c.change)
		}
		return
	}
	action := c.dc
	if action == "" {
		action = accountChangeAction(e)
	}
	r := x.identity("IdentityDirectoryEvents", action)
	x.identityActor(r)
	target := e.take("TargetUserName")
	r.SetString("TargetAccountDisplayName", target)
	if upn := e.take("UserPrincipalName"); strings.Contains(upn, "@") {
		r.Set("TargetAccountUpn", upn)
	}
	if host, ok := strings.CutSuffix(target, "$"); ok {
		r.Set("TargetDeviceName", host)
		x.extra.str("TARGET_OBJECT.DEVICE", target)
	} else if target != "" {
		x.extra.str("TARGET_OBJECT.USER", target)
	}
	switch e.EventID {
	case 4722:
		x.extra.str("FROM Account Disabled", "True")
		x.extra.str("TO Account Disabled", "False")
	case 4725:
		x.extra.str("FROM Account Disabled", "False")
		x.extra.str("TO Account Disabled", "True")
	case 4740:
		x.extra.str("TO Account Locked", "True")
	case 4767:
		x.extra.str("TO Account Locked", "False")
	case 4724:
		x.extra.str("PasswordChangeType", "Reset")
	}
}

// memberName reads the account name out of a member's distinguished name
// (CN=Jane Doe,OU=...).
func memberName(dn string) string {
	dn = clean(dn)
	if v, ok := strings.CutPrefix(dn, "CN="); ok {
		for i := 0; i < len(v); i++ {
			switch v[i] {
			case '\\':
				i++
			case ',':
				return strings.ReplaceAll(v[:i], `\,`, ",")
			}
		}
		return v
	}
	return dn
}

func groupMembership(x *emitter) {
	e := x.e
	added := e.EventID == 4728 || e.EventID == 4732 || e.EventID == 4756
	member := memberName(e.take("MemberName"))
	group := e.take("TargetUserName")
	if !x.onDC() {
		action := "UserAccountRemovedFromLocalGroup"
		if added {
			action = "UserAccountAddedToLocalGroup"
		}
		r := x.device("DeviceEvents", action)
		r.SetString("AccountName", member)
		r.SetString("AccountSid", sid(e.take("MemberSid")))
		x.account(r, "InitiatingProcess", "Subject")
		setLong(r, "InitiatingProcessLogonId", e.take("SubjectLogonId"))
		for _, kv := range [][2]string{{"GroupName", group}, {"GroupDomain", e.take("TargetDomainName")}, {"GroupSid", e.take("TargetSid")}} {
			if kv[1] != "" {
				x.extra.str(kv[0], kv[1])
			}
		}
		return
	}
	r := x.identity("IdentityDirectoryEvents", "Group Membership changed")
	x.identityActor(r)
	r.SetString("TargetAccountDisplayName", member)
	if added {
		x.extra.str("TO.GROUP", group)
	} else {
		x.extra.str("FROM.GROUP", group)
	}
	if member != "" {
		x.extra.str("TARGET_OBJECT.USER", member)
	}
}

// directoryAttributes name 5136's attribute changes as Defender for
// Identity's activities.
var directoryAttributes = map[string]string{
	"member":                        "Group Membership changed",
	"samaccountname":                "SAM Account Name changed",
	"userprincipalname":             "Account Upn Name changed",
	"msds-allowedtodelegateto":      "Account Constrained Delegation SPNs changed",
	"useraccountcontrol":            "Account attributes changed",
	"displayname":                   "Security Principal Display Name changed",
	"name":                          "Security Principal Name changed",
	"mail":                          "User Mail changed",
	"manager":                       "User Manager changed",
	"title":                         "User Title changed",
	"telephonenumber":               "User Phone Number changed",
	"sidhistory":                    "Account Sid History changed",
	"serviceprincipalname":          "Account SPNs changed",
	"msds-supportedencryptiontypes": "Account Supported Encryption Types changed",
	"msds-allowedtoactonbehalfofotheridentity": "Account Resource-Based Constrained Delegation changed",
}

func directoryObjectModified(x *emitter) {
	e := x.e
	x.onDC()
	attr := e.take("AttributeLDAPDisplayName")
	action, ok := directoryAttributes[strings.ToLower(attr)]
	if !ok {
		action = "Directory object modified"
	}
	r := x.identity("IdentityDirectoryEvents", action)
	x.identityActor(r)
	object := e.take("ObjectDN")
	value := e.take("AttributeValue")
	added := e.take("OperationType") != "%%14675" // value deleted
	target := memberName(object)
	if action == "Group Membership changed" {
		target = memberName(value)
		if added {
			x.extra.str("TO.GROUP", memberName(object))
		} else {
			x.extra.str("FROM.GROUP", memberName(object))
		}
		x.extra.str("TARGET_OBJECT.USER", target)
	} else {
		x.extra.str("AttributeLDAPDisplayName", attr)
		if value != "" {
			if added {
				x.extra.str("TO "+attr, value)
			} else {
				x.extra.str("FROM "+attr, value)
			}
		}
	}
	r.SetString("TargetAccountDisplayName", target)
	if object != "" {
		x.extra.str("ObjectDN", object)
	}
}
