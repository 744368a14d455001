package windows

import (
	"strings"

	"github.com/vigilsec/vigil/internal/ingest"
)

// securityMappers map Security-channel audit events. The directory and
// Kerberos events (identity.go) depend on whether the host is a domain
// controller.
var securityMappers = map[int32]mapper{
	1102: securityLogCleared,
	4624: logon("LogonSuccess"),
	4625: logon("LogonFailed"),
	4634: logoff,
	4647: logoff,
	4648: explicitCredentials,
	4657: registryValueModified,
	4662: directoryAccess,
	4663: objectAccess,
	4672: specialPrivileges,
	4688: processCreated,
	4689: processExited,
	4697: serviceInstalled,
	4698: scheduledTask("ScheduledTaskCreated"),
	4699: scheduledTask("ScheduledTaskDeleted"),
	4700: scheduledTask("ScheduledTaskEnabled"),
	4701: scheduledTask("ScheduledTaskDisabled"),
	4702: scheduledTask("ScheduledTaskUpdated"),
	4720: accountEvent,
	4722: accountEvent,
	4723: accountEvent,
	4724: accountEvent,
	4725: accountEvent,
	4726: accountEvent,
	4738: accountEvent,
	4740: accountEvent,
	4742: accountEvent,
	4767: accountEvent,
	4728: groupMembership,
	4729: groupMembership,
	4732: groupMembership,
	4733: groupMembership,
	4756: groupMembership,
	4757: groupMembership,
	4768: kerberos,
	4769: kerberos,
	4771: kerberos,
	4776: ntlmValidation,
	5136: directoryObjectModified,
	5140: shareAccess("NetworkShareAccessed"),
	5145: shareAccess("NetworkShareObjectAccessChecked"),
	5152: firewallBlocked,
	5154: firewallListen,
	5156: firewallConnection,
	5157: firewallBlocked,
}

// sid drops the NULL SID Windows writes when there is no account.
func sid(s string) string {
	if s = strings.TrimSpace(s); s == "S-1-0-0" {
		return ""
	}
	return s
}

// account fills Account* columns from prefixed event-data fields (Target
// or Subject).
func (x *emitter) account(r *ingest.Row, prefix, from string) {
	r.SetString(prefix+"AccountName", x.e.take(from+"UserName"))
	r.SetString(prefix+"AccountDomain", x.e.take(from+"DomainName"))
	r.SetString(prefix+"AccountSid", sid(x.e.take(from+"UserSid")))
}

func (x *emitter) pid(r *ingest.Row, col, field string) {
	if n, ok := number(x.e.take(field)); ok && n > 0 {
		r.Set(col, n)
	}
}

func logon(action string) mapper {
	return func(x *emitter) {
		e := x.e
		r := x.device("DeviceLogonEvents", action)
		x.account(r, "", "Target")
		setLong(r, "LogonId", e.take("TargetLogonId"))
		r.SetString("LogonType", logonTypeName(e.take("LogonType")))
		r.SetString("Protocol", e.take("AuthenticationPackageName"))
		setIP(r, "RemoteIP", "RemoteIPType", e.take("IpAddress"))
		setPort(r, "RemotePort", e.take("IpPort"))
		r.SetString("RemoteDeviceName", e.take("WorkstationName"))
		if action == "LogonFailed" {
			r.SetString("FailureReason", failureReason(e.take("Status"), e.take("SubStatus")))
		}
		if t := e.take("ElevatedToken"); t != "" {
			r.Set("IsLocalAdmin", t == "%%1842" || strings.EqualFold(t, "yes"))
		}
		setPath(r, "InitiatingProcessFolderPath", "InitiatingProcessFileName", e.take("ProcessName"))
		x.pid(r, "InitiatingProcessId", "ProcessId")
		x.account(r, "InitiatingProcess", "Subject")
	}
}

func logoff(x *emitter) {
	r := x.device("DeviceLogonEvents", "Logoff")
	x.account(r, "", "Target")
	setLong(r, "LogonId", x.e.take("TargetLogonId"))
	r.SetString("LogonType", logonTypeName(x.e.take("LogonType")))
}

func explicitCredentials(x *emitter) {
	e := x.e
	r := x.device("DeviceLogonEvents", "LogonAttempted")
	r.SetString("AccountName", e.take("TargetUserName"))
	r.SetString("AccountDomain", e.take("TargetDomainName"))
	r.SetString("RemoteDeviceName", e.take("TargetServerName"))
	setIP(r, "RemoteIP", "RemoteIPType", e.take("IpAddress"))
	setPort(r, "RemotePort", e.take("IpPort"))
	setPath(r, "InitiatingProcessFolderPath", "InitiatingProcessFileName", e.take("ProcessName"))
	x.pid(r, "InitiatingProcessId", "ProcessId")
	x.account(r, "InitiatingProcess", "Subject")
}

func specialPrivileges(x *emitter) {
	r := x.device("DeviceLogonEvents", "SpecialPrivilegesAssigned")
	x.account(r, "", "Subject")
	setLong(r, "LogonId", x.e.take("SubjectLogonId"))
	// Windows logs 4672 for logons holding administrator-equivalent rights.
	r.Set("IsLocalAdmin", true)
	if p := strings.Fields(x.e.take("PrivilegeList")); len(p) > 0 {
		x.extra.strs("PrivilegeList", p)
	}
}

func processCreated(x *emitter) {
	e := x.e
	r := x.device("DeviceProcessEvents", "ProcessCreated")
	setPath(r, "FolderPath", "FileName", e.take("NewProcessName"))
	x.pid(r, "ProcessId", "NewProcessId")
	setStr(r, "ProcessCommandLine", e.take("CommandLine"))
	r.Set("ProcessCreationTime", e.Time)
	r.SetString("ProcessTokenElevation", tokenElevation(e.take("TokenElevationType")))
	r.SetString("ProcessIntegrityLevel", integrityFromLabel(e.take("MandatoryLabel")))
	// The new process runs as the target account when one is named (a
	// process created with other credentials), else as the subject.
	if sid(clean(e.Get("TargetUserSid"))) != "" || clean(e.Get("TargetUserName")) != "" {
		x.account(r, "", "Target")
		setLong(r, "LogonId", e.take("TargetLogonId"))
	} else {
		e.mark("TargetUserSid", "TargetUserName", "TargetDomainName", "TargetLogonId")
		r.SetString("AccountName", e.peek("SubjectUserName"))
		r.SetString("AccountDomain", e.peek("SubjectDomainName"))
		r.SetString("AccountSid", sid(e.peek("SubjectUserSid")))
		setLong(r, "LogonId", e.peek("SubjectLogonId"))
	}
	x.pid(r, "InitiatingProcessId", "ProcessId")
	setPath(r, "InitiatingProcessFolderPath", "InitiatingProcessFileName", e.take("ParentProcessName"))
	x.account(r, "InitiatingProcess", "Subject")
	setLong(r, "InitiatingProcessLogonId", e.take("SubjectLogonId"))
}

func processExited(x *emitter) {
	r := x.device("DeviceEvents", "ProcessTerminated")
	setPath(r, "FolderPath", "FileName", x.e.take("ProcessName"))
	x.pid(r, "ProcessId", "ProcessId")
	x.account(r, "", "Subject")
	setLong(r, "LogonId", x.e.take("SubjectLogonId"))
}

func securityLogCleared(x *emitter) {
	r := x.device("DeviceEvents", "SecurityLogCleared")
	e := x.e
	r.SetString("InitiatingProcessAccountName", e.peek("SubjectUserName"))
	r.SetString("InitiatingProcessAccountDomain", e.peek("SubjectDomainName"))
	r.SetString("InitiatingProcessAccountSid", sid(e.peek("SubjectUserSid")))
	x.account(r, "", "Subject")
	setLong(r, "LogonId", e.take("SubjectLogonId"))
}

// registryValueTypes map 4657's value type message IDs.
var registryValueTypes = map[string]string{
	"%%1872": "None", "%%1873": "String", "%%1874": "ExpandString", "%%1875": "Binary",
	"%%1876": "Dword", "%%1877": "DwordBigEndian", "%%1878": "Link", "%%1879": "MultiString",
	"%%1880": "ResourceList", "%%1881": "FullResourceDescriptor", "%%1882": "Qword",
}

func registryValueModified(x *emitter) {
	e := x.e
	action := "RegistryValueSet"
	if e.take("OperationType") == "%%1906" { // registry value deleted
		action = "RegistryValueDeleted"
	}
	r := x.device("DeviceRegistryEvents", action)
	r.SetString("RegistryKey", registryKey(e.take("ObjectName")))
	r.SetString("RegistryValueName", e.take("ObjectValueName"))
	newType, oldType := e.take("NewValueType"), e.take("OldValueType")
	if action == "RegistryValueSet" {
		r.SetString("RegistryValueType", registryValueTypes[newType])
		r.SetString("RegistryValueData", e.take("NewValue"))
	} else {
		r.SetString("RegistryValueType", registryValueTypes[oldType])
	}
	if old := e.take("OldValue"); old != "" {
		r.SetString("PreviousRegistryValueName", e.peek("ObjectValueName"))
		r.SetString("PreviousRegistryValueData", old)
	}
	setPath(r, "InitiatingProcessFolderPath", "InitiatingProcessFileName", e.take("ProcessName"))
	x.pid(r, "InitiatingProcessId", "ProcessId")
	x.account(r, "InitiatingProcess", "Subject")
}

func objectAccess(x *emitter) {
	e := x.e
	r := x.device("DeviceEvents", "ObjectAccessAttempted")
	typ, name := e.take("ObjectType"), e.take("ObjectName")
	switch typ {
	case "Key":
		r.SetString("RegistryKey", registryKey(name))
	case "File":
		setPath(r, "FolderPath", "FileName", name)
	default:
		x.extra.str("ObjectName", name)
	}
	x.extra.str("ObjectType", typ)
	setPath(r, "InitiatingProcessFolderPath", "InitiatingProcessFileName", e.take("ProcessName"))
	x.pid(r, "InitiatingProcessId", "ProcessId")
	r.SetString("InitiatingProcessAccountName", e.peek("SubjectUserName"))
	r.SetString("InitiatingProcessAccountDomain", e.peek("SubjectDomainName"))
	r.SetString("InitiatingProcessAccountSid", sid(e.peek("SubjectUserSid")))
	x.account(r, "", "Subject")
	setLong(r, "LogonId", e.take("SubjectLogonId"))
}

// serviceImage picks the executable out of a service's command line.
func serviceImage(cmd string) string {
	cmd = strings.TrimSpace(cmd)
	if strings.HasPrefix(cmd, `"`) {
		if end := strings.IndexByte(cmd[1:], '"'); end >= 0 {
			return cmd[1 : end+1]
		}
	}
	if i := strings.Index(strings.ToLower(cmd), ".exe"); i >= 0 {
		return cmd[:i+4]
	}
	if i := strings.IndexByte(cmd, ' '); i >= 0 {
		return cmd[:i]
	}
	return cmd
}

// service fills a ServiceInstalled row from the named event-data fields.
func (x *emitter) service(r *ingest.Row, name, file, typ, start, account string) {
	e := x.e
	img := e.take(file)
	setPath(r, "FolderPath", "FileName", serviceImage(img))
	for _, kv := range [][2]string{
		{"ServiceName", e.take(name)},
		{"ServiceFileName", img},
		{"ServiceType", e.take(typ)},
		{"ServiceStartType", e.take(start)},
		{"ServiceAccount", e.take(account)},
	} {
		if kv[1] != "" {
			x.extra.str(kv[0], kv[1])
		}
	}
}

func serviceInstalled(x *emitter) {
	r := x.device("DeviceEvents", "ServiceInstalled")
	x.service(r, "ServiceName", "ServiceFileName", "ServiceType", "ServiceStartType", "ServiceAccount")
	e := x.e
	r.SetString("InitiatingProcessAccountName", e.peek("SubjectUserName"))
	r.SetString("InitiatingProcessAccountDomain", e.peek("SubjectDomainName"))
	r.SetString("InitiatingProcessAccountSid", sid(e.peek("SubjectUserSid")))
	x.account(r, "", "Subject")
	setLong(r, "LogonId", e.take("SubjectLogonId"))
}

func scheduledTask(action string) mapper {
	return func(x *emitter) {
		e := x.e
		r := x.device("DeviceEvents", action)
		r.SetString("InitiatingProcessAccountName", e.peek("SubjectUserName"))
		r.SetString("InitiatingProcessAccountDomain", e.peek("SubjectDomainName"))
		r.SetString("InitiatingProcessAccountSid", sid(e.peek("SubjectUserSid")))
		x.account(r, "", "Subject")
		setLong(r, "LogonId", e.take("SubjectLogonId"))
		if n := e.take("TaskName"); n != "" {
			x.extra.str("TaskName", n)
		}
		// 4702 names the new definition TaskContentNew.
		for _, f := range []string{"TaskContent", "TaskContentNew"} {
			if c := e.take(f); c != "" {
				x.extra.str("TaskContent", c)
				break
			}
		}
	}
}

func shareAccess(action string) mapper {
	return func(x *emitter) {
		e := x.e
		r := x.device("DeviceEvents", action)
		x.account(r, "", "Subject")
		setLong(r, "LogonId", e.take("SubjectLogonId"))
		setIP(r, "RemoteIP", "", e.take("IpAddress"))
		setPort(r, "RemotePort", e.take("IpPort"))
		share, local, rel := e.take("ShareName"), e.take("ShareLocalPath"), e.take("RelativeTargetName")
		if rel != "" {
			p := rel
			if local != "" {
				p = strings.TrimRight(strings.TrimPrefix(local, `\??\`), `\`) + `\` + rel
			}
			setPath(r, "FolderPath", "FileName", p)
		}
		for _, kv := range [][2]string{{"ShareName", share}, {"ShareLocalPath", local}, {"RelativeTargetName", rel}} {
			if kv[1] != "" {
				x.extra.str(kv[0], kv[1])
			}
		}
	}
}

// wfpSides returns the field prefixes of the local and remote ends of a
// Windows Filtering Platform event: the source is the initiator, so for
// inbound traffic it is the remote end.
func wfpSides(e *Event) (local, remote string, inbound bool) {
	d := e.take("Direction")
	if d == "%%14592" || strings.EqualFold(d, "Inbound") {
		return "Dest", "Source", true
	}
	return "Source", "Dest", false
}

func (x *emitter) wfpProcess(r *ingest.Row) {
	e := x.e
	setPath(r, "InitiatingProcessFolderPath", "InitiatingProcessFileName", e.take("Application"))
	x.pid(r, "InitiatingProcessId", "ProcessID")
	x.pid(r, "InitiatingProcessId", "ProcessId")
}

func firewallConnection(x *emitter) {
	e := x.e
	local, remote, inbound := wfpSides(e)
	action := "ConnectionSuccess"
	if inbound {
		action = "InboundConnectionAccepted"
	}
	r := x.device("DeviceNetworkEvents", action)
	setIP(r, "LocalIP", "LocalIPType", e.take(local+"Address"))
	setPort(r, "LocalPort", e.take(local+"Port"))
	setIP(r, "RemoteIP", "RemoteIPType", e.take(remote+"Address"))
	setPort(r, "RemotePort", e.take(remote+"Port"))
	r.SetString("Protocol", protocolName(e.take("Protocol")))
	x.wfpProcess(r)
}

func firewallListen(x *emitter) {
	e := x.e
	r := x.device("DeviceNetworkEvents", "ListeningConnectionCreated")
	setIP(r, "LocalIP", "LocalIPType", e.take("SourceAddress"))
	setPort(r, "LocalPort", e.take("SourcePort"))
	r.SetString("Protocol", protocolName(e.take("Protocol")))
	x.wfpProcess(r)
}

func firewallBlocked(x *emitter) {
	e := x.e
	local, remote, inbound := wfpSides(e)
	action := "FirewallOutboundConnectionBlocked"
	if inbound {
		action = "FirewallInboundConnectionBlocked"
	}
	r := x.device("DeviceEvents", action)
	setIP(r, "LocalIP", "", e.take(local+"Address"))
	setPort(r, "LocalPort", e.take(local+"Port"))
	setIP(r, "RemoteIP", "", e.take(remote+"Address"))
	setPort(r, "RemotePort", e.take(remote+"Port"))
	if p := protocolName(e.take("Protocol")); p != "" {
		x.extra.str("Protocol", p)
	}
	x.wfpProcess(r)
}
