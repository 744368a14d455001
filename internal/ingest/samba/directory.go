package samba

import (
	"strconv"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
)

// dirRow is one IdentityDirectoryEvents row being made.
type dirRow struct {
	action string
	target target
	extra  ingest.Fields
}

// target is the directory object an event changed.
type target struct {
	dn, name, upn, kind string // kind: USER, DEVICE, GROUP or "" (other)
}

// targetOf reads a target from its DN. Only computers can be told by
// their container; users and groups share CN=Users and OUs.
func targetOf(dn string) target {
	t := target{dn: dn, name: firstRDN(dn)}
	l := strings.ToLower(dn)
	if strings.Contains(l, ",cn=computers,") || strings.Contains(l, ",ou=domain controllers,") {
		t.kind = "DEVICE"
	}
	return t
}

// dsdbChange maps a directory change (Add, Modify, Delete, Rename) to
// Defender for Identity's directory activities. Password and membership
// attributes are left to the passwordChange and groupChange lines Samba
// writes for the same change.
func (e *event) dsdbChange() {
	b := e.body
	op := ingest.Str(b, "operation")
	tg := targetOf(ingest.Str(b, "dn"))
	attrs := attributesOf(b.Get("attributes"))
	var rows []dirRow
	switch op {
	case "Add":
		rows = append(rows, created(tg, attrs))
	case "Delete":
		if isPrincipalDN(tg.dn) {
			x := ingest.Fields{"FROM Account Deleted": "False", "TO Account Deleted": "True"}
			rows = append(rows, dirRow{action: "Account Deleted changed", target: tg, extra: x})
		} else {
			rows = append(rows, dirRow{action: "Directory Object Deleted", target: tg, extra: ingest.Fields{}})
		}
	case "Rename":
		rows = append(rows, dirRow{action: "Directory Object Renamed", target: tg, extra: ingest.Fields{}})
	case "Modify":
		rows = modified(tg, attrs)
	default:
		rows = append(rows, dirRow{action: "Directory Object " + op, target: tg, extra: ingest.Fields{}})
	}
	common := ingest.Fields{}
	common.Str("Operation", op)
	if as, ok := boolOf(b, "performedAsSystem"); ok {
		common["PerformedAsSystem"] = as
	}
	e.directory(rows, common)
}

// directory adds the rows, or one "Directory Change Failed" row naming
// them when Samba refused the change: Defender records only changes
// that happened, and a refused one is worth a row of its own.
func (e *event) directory(rows []dirRow, common ingest.Fields) {
	b := e.body
	code, _ := ingest.Int(b, "statusCode")
	status := ingest.Str(b, "status")
	failed := code != 0 || (status != "" && status != "Success")
	if failed && (len(rows) != 1 || rows[0].action != "Directory Change Failed") {
		var intended []string
		for _, r := range rows {
			intended = append(intended, r.action)
		}
		x := ingest.Fields{"IntendedActions": intended, "StatusCode": code}
		x.Str("Status", status)
		var tg target
		if len(rows) > 0 {
			tg = rows[0].target
		}
		rows = []dirRow{{action: "Directory Change Failed", target: tg, extra: x}}
	}
	remote := parseAddress(ingest.Str(b, "remoteAddress"))
	for _, r := range rows {
		row := e.out.New("IdentityDirectoryEvents")
		row.Set("Timestamp", e.t)
		row.Set("ActionType", r.action)
		row.Set("Application", "Active Directory")
		row.SetString("TargetAccountUpn", r.target.upn)
		row.SetString("TargetAccountDisplayName", r.target.name)
		if r.target.kind == "DEVICE" {
			row.SetString("TargetDeviceName", strings.TrimSuffix(r.target.name, "$"))
		}
		row.SetString("DestinationDeviceName", e.serverName())
		row.SetString("AccountSid", ingest.Str(b, "userSid"))
		row.SetString("IPAddress", remote.ip)
		if remote.port != 0 {
			row.Set("Port", remote.port)
		}
		row.Set("ReportId", strconv.FormatInt(e.reportID(), 10))
		x := ingest.Fields{}
		for k, v := range common {
			x[k] = v
		}
		for k, v := range r.extra {
			x[k] = v
		}
		if r.target.kind != "" && r.target.name != "" {
			x["TARGET_OBJECT."+r.target.kind] = r.target.name
		}
		x.Str("TargetObjectDN", r.target.dn)
		x.Str("ACTOR.SID", ingest.Str(b, "userSid"))
		x.Str("SessionId", ingest.Str(b, "sessionId"))
		x.Str("TransactionId", ingest.Str(b, "transactionId"))
		if id, ok := ingest.Int(b, "eventId"); ok {
			x["EventId"] = id
		}
		row.SetRaw("AdditionalFields", x.JSON())
	}
}

// passwordChange maps a password change (4723) or reset (4724). Both are
// "Account Password changed", the one activity Defender for Identity
// records for them; which it was is in AdditionalFields.
func (e *event) passwordChange() {
	tg := targetOf(ingest.Str(e.body, "dn"))
	x := ingest.Fields{}
	x.Str("PasswordAction", ingest.Str(e.body, "action"))
	e.directory([]dirRow{{action: "Account Password changed", target: tg, extra: x}}, nil)
}

// groupChange maps a membership change: Added and Removed members, and
// primary group changes, as "Group Membership changed" with the group in
// TO.GROUP or FROM.GROUP. The member is filed as TARGET_OBJECT.USER (or
// .DEVICE for computers): the line does not say whether it is a group.
func (e *event) groupChange() {
	b := e.body
	member := targetOf(ingest.Str(b, "user"))
	if member.kind == "" {
		member.kind = "USER"
	}
	group := firstRDN(ingest.Str(b, "group"))
	x := ingest.Fields{}
	x.Str("GroupDN", ingest.Str(b, "group"))
	x.Str("GroupAction", ingest.Str(b, "action"))
	switch ingest.Str(b, "action") {
	case "Added":
		x.Str("TO.GROUP", group)
	case "Removed":
		x.Str("FROM.GROUP", group)
	case "PrimaryGroup":
		x.Str("TO.GROUP", group)
		x["PrimaryGroup"] = true
	case "Failure":
		// Samba could not tell which members changed.
		x["IntendedActions"] = []string{"Group Membership changed"}
		x.Str("Status", ingest.Str(b, "status"))
		e.directory([]dirRow{{action: "Directory Change Failed", target: member, extra: x}}, nil)
		return
	}
	e.directory([]dirRow{{action: "Group Membership changed", target: member, extra: x}}, nil)
}

// isPrincipalDN tells accounts from other objects by where they live:
// DNS records, configuration and schema are not accounts.
func isPrincipalDN(dn string) bool {
	l := strings.ToLower(dn)
	for _, s := range []string{"dc=domaindnszones", "dc=forestdnszones", "cn=microsoftdns", "cn=configuration", "cn=schema", "cn=system,"} {
		if strings.Contains(l, s) {
			return false
		}
	}
	return strings.HasPrefix(l, "cn=")
}

// attrChange is one attribute of a change as Samba logs it.
type attrChange struct {
	name     string
	action   string // add, replace, delete ("add" for an Add operation)
	values   []string
	redacted bool
}

func attributesOf(attrs *fastjson.Value) []attrChange {
	if attrs == nil || attrs.Type() != fastjson.TypeObject {
		return nil
	}
	var out []attrChange
	o, _ := attrs.Object()
	o.Visit(func(k []byte, a *fastjson.Value) {
		acts := a.Get("actions")
		if acts == nil || acts.Type() != fastjson.TypeArray {
			out = append(out, attrChange{name: string(k)})
			return
		}
		arr, _ := acts.Array()
		for _, act := range arr {
			c := attrChange{name: string(k), action: ingest.Str(act, "action")}
			if r, ok := boolOf(act, "redacted"); ok && r {
				c.redacted = true
			}
			if vals := act.Get("values"); vals != nil && vals.Type() == fastjson.TypeArray {
				va, _ := vals.Array()
				for _, v := range va {
					s := ingest.Str(v, "value")
					if b64, _ := boolOf(v, "base64"); b64 {
						s = "base64:" + s
					}
					c.values = append(c.values, s)
				}
			}
			out = append(out, c)
		}
	})
	return out
}

// first returns an attribute's first value.
func firstValue(attrs []attrChange, name string) string {
	for _, a := range attrs {
		if strings.EqualFold(a.name, name) && len(a.values) > 0 {
			return a.values[0]
		}
	}
	return ""
}

func hasValue(attrs []attrChange, name, value string) bool {
	for _, a := range attrs {
		if strings.EqualFold(a.name, name) {
			for _, v := range a.values {
				if strings.EqualFold(v, value) {
					return true
				}
			}
		}
	}
	return false
}

// created names what an Add made: a user, a computer, a group, or
// another object.
func created(tg target, attrs []attrChange) dirRow {
	x := ingest.Fields{}
	if n := firstValue(attrs, "displayName"); n != "" {
		tg.name = n
	}
	tg.upn = firstValue(attrs, "userPrincipalName")
	sam := firstValue(attrs, "sAMAccountName")
	x.Str("SamAccountName", sam)
	if uac := firstValue(attrs, "userAccountControl"); uac != "" {
		x["UserAccountControl"] = uacDetail(uac)
	}
	action := "Directory Object Created"
	switch {
	case hasValue(attrs, "objectClass", "computer"):
		action, tg.kind = "Device Account Created", "DEVICE"
		tg.name = firstRDN(tg.dn)
	case hasValue(attrs, "objectClass", "user"):
		action, tg.kind = "User Account Created", "USER"
	case hasValue(attrs, "objectClass", "group"):
		action, tg.kind = "Distribution Group Created", "GROUP"
		if gt, err := strconv.ParseInt(firstValue(attrs, "groupType"), 10, 64); err == nil && uint32(gt)&0x80000000 != 0 {
			action = "Security Group Created"
		}
		x.Str("GroupType", firstValue(attrs, "groupType"))
	default:
		tg.kind = ""
	}
	var classes []string
	for _, a := range attrs {
		if strings.EqualFold(a.name, "objectClass") {
			classes = append(classes, a.values...)
		}
	}
	if len(classes) > 0 {
		x["ObjectClass"] = classes
	}
	return dirRow{action: action, target: tg, extra: x}
}

// modified maps a Modify's attributes to activities; attributes with no
// activity of their own share one "Directory Object Modified" row.
func modified(tg target, attrs []attrChange) []dirRow {
	var rows []dirRow
	other := map[string]string{}
	var otherNames []string
	for _, a := range attrs {
		l := strings.ToLower(a.name)
		if skipAttributes[l] {
			continue
		}
		if l == "useraccountcontrol" {
			rows = append(rows, uacRows(tg, a)...)
			continue
		}
		rule, ok := attributeRules[l]
		if !ok {
			if _, seen := other[a.name]; !seen {
				otherNames = append(otherNames, a.name)
			}
			other[a.name] = strings.TrimSpace(other[a.name] + " " + describe(a))
			continue
		}
		x := ingest.Fields{"FROM " + rule.key: "N/A", "TO " + rule.key: rule.value(a)}
		x.Str("AttributeAction", a.action)
		rows = append(rows, dirRow{action: rule.action, target: tg, extra: x})
	}
	if len(otherNames) > 0 {
		rows = append(rows, dirRow{action: "Directory Object Modified", target: tg,
			extra: ingest.Fields{"Attributes": otherNames, "Changes": other}})
	}
	return rows
}

// describe writes an attribute change for the catch-all row.
func describe(a attrChange) string {
	if a.redacted {
		return a.action + ": [redacted]"
	}
	return a.action + ": " + strings.Join(a.values, "; ")
}

// skipAttributes are changed alongside passwordChange and groupChange
// lines, which describe them better.
var skipAttributes = map[string]bool{
	"unicodepwd": true, "userpassword": true, "clearTextPassword": true, "cleartextpassword": true,
	"dbcspwd": true, "ntpwdhistory": true, "lmpwdhistory": true, "supplementalcredentials": true,
	"member": true,
}

// attributeRule maps an attribute to a Defender for Identity activity;
// key is the name in its "FROM key"/"TO key" AdditionalFields. Samba logs
// only the new value, so FROM is always "N/A".
type attributeRule struct {
	action, key string
	decode      func(string) string
}

func (r attributeRule) value(a attrChange) string {
	if a.redacted {
		return "[redacted]"
	}
	if a.action == "delete" && len(a.values) == 0 {
		return ""
	}
	vals := make([]string, 0, len(a.values))
	for _, v := range a.values {
		if r.decode != nil {
			v = r.decode(v)
		}
		vals = append(vals, v)
	}
	return strings.Join(vals, ", ")
}

var attributeRules = map[string]attributeRule{
	"samaccountname":                           {"SAM Account Name changed", "SAM Account Name", nil},
	"msds-supportedencryptiontypes":            {"Account Supported Encryption Types changed", "AccountSupportedEncryptionTypes", encryptionTypes},
	"msds-allowedtodelegateto":                 {"Account Constrained Delegation SPNs changed", "AccountConstrainedDelegationSpns", nil},
	"msds-allowedtoactonbehalfofotheridentity": {"Resource Based Constrained Delegation changed", "AllowedToActOnBehalfOfOtherIdentity", nil},
	"serviceprincipalname":                     {"Service Principal Names changed", "ServicePrincipalNames", nil},
	"userprincipalname":                        {"Account Upn Name changed", "Account Upn Name", nil},
	"displayname":                              {"Security Principal Display Name changed", "Security Principal Display Name", nil},
	"mail":                                     {"User Mail changed", "User Mail", nil},
	"manager":                                  {"User Manager changed", "User Manager", nil},
	"telephonenumber":                          {"User Phone Number changed", "User Phone Number", nil},
	"mobile":                                   {"User Phone Number changed", "User Phone Number", nil},
	"title":                                    {"User Title changed", "User Title", nil},
	"accountexpires":                           {"Account Expiry Time changed", "Account Expiry Time", fileTime},
	"sidhistory":                               {"SID-History changed", "SID History", nil},
	"lockouttime":                              {"Account Locked changed", "Account Locked", lockedOut},
}

// uacRows maps a userAccountControl write. The disabled state is always
// reported; security-relevant flags are reported when set, since without
// the old value a change cannot be told from a rewrite.
func uacRows(tg target, a attrChange) []dirRow {
	if len(a.values) == 0 {
		return []dirRow{{action: "Account Disabled changed", target: tg, extra: ingest.Fields{"FROM Account Disabled": "N/A", "TO Account Disabled": "N/A"}}}
	}
	n, err := strconv.ParseInt(a.values[0], 10, 64)
	if err != nil {
		return []dirRow{{action: "Directory Object Modified", target: tg,
			extra: ingest.Fields{"Attributes": []string{a.name}, "Changes": map[string]string{a.name: describe(a)}}}}
	}
	uac := uint32(n)
	detail := uacDetail(a.values[0])
	rows := []dirRow{{action: "Account Disabled changed", target: tg, extra: ingest.Fields{
		"FROM Account Disabled": "N/A", "TO Account Disabled": boolText(uac&0x2 != 0), "UserAccountControl": detail}}}
	for _, f := range uacFlagRows {
		if uac&f.bit != 0 {
			rows = append(rows, dirRow{action: f.action, target: tg, extra: ingest.Fields{
				"FROM " + f.key: "N/A", "TO " + f.key: "True", "UserAccountControl": detail}})
		}
	}
	return rows
}

var uacFlagRows = []struct {
	bit         uint32
	action, key string
}{
	{0x10000, "Account Password Never Expires changed", "Account Password Never Expires"},
	{0x20, "Account Password Not Required changed", "Account Password Not Required"},
	{0x40000, "Account Smartcard Required changed", "Account Smartcard Required"},
	{0x80000, "Account Delegation changed", "AccountDelegationState"},
	{0x1000000, "Account Constrained Delegation changed", "AccountConstrainedDelegationState"},
	{0x400000, "Account Kerberos Preauthentication Not Required changed", "Account Kerberos Preauthentication Not Required"},
}

// uacNames names userAccountControl's bits.
var uacNames = []struct {
	bit  uint32
	name string
}{
	{0x1, "SCRIPT"}, {0x2, "ACCOUNTDISABLE"}, {0x8, "HOMEDIR_REQUIRED"}, {0x10, "LOCKOUT"},
	{0x20, "PASSWD_NOTREQD"}, {0x40, "PASSWD_CANT_CHANGE"}, {0x80, "ENCRYPTED_TEXT_PWD_ALLOWED"},
	{0x100, "TEMP_DUPLICATE_ACCOUNT"}, {0x200, "NORMAL_ACCOUNT"}, {0x800, "INTERDOMAIN_TRUST_ACCOUNT"},
	{0x1000, "WORKSTATION_TRUST_ACCOUNT"}, {0x2000, "SERVER_TRUST_ACCOUNT"}, {0x10000, "DONT_EXPIRE_PASSWORD"},
	{0x20000, "MNS_LOGON_ACCOUNT"}, {0x40000, "SMARTCARD_REQUIRED"}, {0x80000, "TRUSTED_FOR_DELEGATION"},
	{0x100000, "NOT_DELEGATED"}, {0x200000, "USE_DES_KEY_ONLY"}, {0x400000, "DONT_REQ_PREAUTH"},
	{0x800000, "PASSWORD_EXPIRED"}, {0x1000000, "TRUSTED_TO_AUTH_FOR_DELEGATION"}, {0x4000000, "PARTIAL_SECRETS_ACCOUNT"},
}

// uacDetail is a userAccountControl value with its flags named.
func uacDetail(s string) map[string]any {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return map[string]any{"Value": s}
	}
	var names []string
	for _, f := range uacNames {
		if uint32(n)&f.bit != 0 {
			names = append(names, f.name)
		}
	}
	return map[string]any{"Value": n, "Flags": names}
}

// encryptionTypes names msDS-SupportedEncryptionTypes bits.
func encryptionTypes(s string) string {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return s
	}
	names := []string{"DesCbcCrc", "DesCbcMd5", "Rc4HmacMd5", "Aes128CtsHmacSha196", "Aes256CtsHmacSha196"}
	var out []string
	for i, name := range names {
		if n&(1<<i) != 0 {
			out = append(out, name)
		}
	}
	if len(out) == 0 {
		return "N/A"
	}
	return strings.Join(out, ", ")
}

// fileTime turns an accountExpires FILETIME into a UTC time.
func fileTime(s string) string {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return s
	}
	if n == 0 || n == 1<<63-1 {
		return "Never"
	}
	const epochDiff = 116444736000000000 // 1601-01-01 to 1970-01-01 in 100 ns
	if n < epochDiff {
		return s
	}
	t, ok := ingest.UnixTime(float64((n - epochDiff) / 10_000_000))
	if !ok {
		return s
	}
	return t.Format("2006-01-02T15:04:05Z")
}

func lockedOut(s string) string { return boolText(s != "0" && s != "") }

func boolText(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// boolOf reads a JSON bool.
func boolOf(v *fastjson.Value, keys ...string) (bool, bool) {
	f := v.Get(keys...)
	if f == nil {
		return false, false
	}
	switch f.Type() {
	case fastjson.TypeTrue:
		return true, true
	case fastjson.TypeFalse:
		return false, true
	}
	return false, false
}
