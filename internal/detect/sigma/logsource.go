package sigma

import (
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/schema"
)

// target is where a logsource's events are: a table, the predicate that
// selects the logsource's rows in it, and how Sigma's field names map to
// its columns.
type target struct {
	table string
	base  expr
	// fields maps Sigma field names (lower case) to columns.
	fields map[string]field
	// extra is set when unmapped event fields of Sysmon's events are kept
	// as JSON in AdditionalFields (the Windows normalizer does that on the
	// Device* tables that have the column).
	extra bool
	// raw is the raw-copy source to fall back to when a field has no
	// mapping here; nil when there is none.
	raw *target
	// rawEvents is set for WindowsEvent/SecurityEvent targets: fields not
	// listed are read from EventData.
	rawEvents bool
	// keywords are the columns a keyword search looks through.
	keywords []string
	// tail adds the columns a rule's result needs (raw tables have no
	// Timestamp, ReportId or DeviceName).
	tail string
}

// kind is how a field's value compares.
type kind int

const (
	kString kind = iota
	kNumber
	kUser      // DOMAIN\name split into two columns
	kHashes    // Sysmon's "SHA256=...,IMPHASH=..." list
	kRegKey    // a registry path, stored with Defender's hive names
	kRegData   // Sysmon's Details of a registry value
	kInitiated // network direction
	kNetIP     // Source/Destination address, swapped on inbound rows
	kNetPort
	kEventID      // a Sysmon event id, which is an ActionType here
	kRegEventType // Sysmon's EventType of a registry event
)

// field is a Sigma field's place in a target.
type field struct {
	kind kind
	col  string // column, or KQL expression of a string
	// second column for kUser (name; col is the domain), the inbound
	// column for kNetIP/kNetPort, or the hash column prefix for kHashes.
	col2 string
	// ids maps event ids to ActionTypes for kEventID.
	ids map[int64][]string
	// json is the JSON text column col reads a member of: a test of the
	// member's text implies one of that column's text, which the compiler
	// adds so that a prefilter (and the evaluator) can skip the parse.
	json string
}

func str(col string) field { return field{kind: kString, col: col} }
func num(col string) field { return field{kind: kNumber, col: col} }

const (
	sysmonChannel = "Microsoft-Windows-Sysmon/Operational"
	// rawTail gives a raw event the columns a rule's result needs. Device
	// tables name a device in lower case, as here.
	rawTail = "| extend Timestamp = TimeGenerated, ReportId = EventRecordId, DeviceName = tolower(Computer)"
)

// Fields every Sysmon event has, which the normalizer keeps nowhere but in
// the raw copy or AdditionalFields.
func sysmonActor(fs map[string]field) map[string]field {
	add := map[string]field{
		"image":        str("InitiatingProcessFolderPath"),
		"processid":    num("InitiatingProcessId"),
		"user":         {kind: kUser, col: "InitiatingProcessAccountDomain", col2: "InitiatingProcessAccountName"},
		"computer":     str("DeviceName"),
		"computername": str("DeviceName"),
	}
	for k, v := range add {
		if _, ok := fs[k]; !ok {
			fs[k] = v
		}
	}
	return fs
}

func actionIn(actions ...string) expr {
	if len(actions) == 1 {
		return atom("ActionType == " + quote(actions[0]))
	}
	q := make([]string, len(actions))
	for i, a := range actions {
		q[i] = quote(a)
	}
	return atom("ActionType in (" + strings.Join(q, ", ") + ")")
}

// sysmonRaw is the raw copy of Sysmon events with the given ids.
func sysmonRaw(ids ...int64) *target {
	return windowsEventTarget([]string{sysmonChannel}, ids)
}

func windowsEventTarget(channels []string, ids []int64) *target {
	var parts []expr
	if len(channels) == 1 {
		parts = append(parts, atom("Channel == "+quote(channels[0])))
	} else if len(channels) > 1 {
		q := make([]string, len(channels))
		for i, c := range channels {
			q[i] = quote(c)
		}
		parts = append(parts, atom("Channel in ("+strings.Join(q, ", ")+")"))
	}
	if len(ids) > 0 {
		parts = append(parts, eventIDIn(ids))
	}
	return &target{table: "WindowsEvent", base: and(parts...), rawEvents: true, tail: rawTail,
		fields: map[string]field{
			"eventid":       num("EventID"),
			"channel":       str("Channel"),
			"provider_name": str("Provider"),
			"computer":      str("Computer"),
			"devicename":    str("tolower(Computer)"),
			"level":         num("EventLevel"),
			"data":          str("tostring(EventData)"),
		},
		keywords: []string{"tostring(EventData)", "RawEventData"}}
}

func eventIDIn(ids []int64) expr {
	if len(ids) == 1 {
		return atom("EventID == " + itoa(ids[0]))
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = itoa(id)
	}
	return atom("EventID in (" + strings.Join(s, ", ") + ")")
}

func securityTarget(ids []int64) *target {
	var base expr = constExpr(true)
	if len(ids) > 0 {
		base = eventIDIn(ids)
	}
	return &target{table: "SecurityEvent", base: base, rawEvents: true, tail: rawTail,
		fields: map[string]field{
			"eventid":       num("EventID"),
			"channel":       str("Channel"),
			"provider_name": str("EventSourceName"),
			"computer":      str("Computer"),
			"devicename":    str("tolower(Computer)"),
		},
		keywords: []string{"EventData"}}
}

var processFields = map[string]field{
	"image":             str("FolderPath"),
	"commandline":       str("ProcessCommandLine"),
	"parentimage":       str("InitiatingProcessFolderPath"),
	"parentcommandline": str("InitiatingProcessCommandLine"),
	"originalfilename":  str("ProcessVersionInfoOriginalFileName"),
	"product":           str("ProcessVersionInfoProductName"),
	"company":           str("ProcessVersionInfoCompanyName"),
	"description":       str("ProcessVersionInfoFileDescription"),
	"fileversion":       str("ProcessVersionInfoProductVersion"),
	"integritylevel":    str("ProcessIntegrityLevel"),
	"user":              {kind: kUser, col: "AccountDomain", col2: "AccountName"},
	"parentuser":        {kind: kUser, col: "InitiatingProcessAccountDomain", col2: "InitiatingProcessAccountName"},
	"hashes":            {kind: kHashes},
	"sha1":              str("SHA1"),
	"sha256":            str("SHA256"),
	"md5":               str("MD5"),
	"processid":         num("ProcessId"),
	"parentprocessid":   num("InitiatingProcessId"),
	"logonid":           num("LogonId"),
	"computer":          str("DeviceName"),
	"computername":      str("DeviceName"),
}

// fileFields are those of Sysmon's file events (11, 23, 26, 29, 2).
func fileFields() map[string]field {
	return sysmonActor(map[string]field{
		"targetfilename": str("FolderPath"),
		"hashes":         {kind: kHashes},
		"sha1":           str("SHA1"),
		"sha256":         str("SHA256"),
		"md5":            str("MD5"),
	})
}

func registryFields(target string) map[string]field {
	return sysmonActor(map[string]field{
		"targetobject": {kind: kRegKey, col: target},
		"details":      {kind: kRegData, col: "RegistryValueData"},
		"newname":      {kind: kRegKey, col: "RegistryKey"},
		"eventtype":    {kind: kRegEventType},
	})
}

// The Sysmon EventType values of registry events and their ActionTypes.
var registryEventTypes = map[string][]string{
	"createkey":   {"RegistryKeyCreated"},
	"deletekey":   {"RegistryKeyDeleted"},
	"deletevalue": {"RegistryValueDeleted"},
	"setvalue":    {"RegistryValueSet"},
	"renamekey":   {"RegistryKeyRenamed"},
}

// regPath is the full Sysmon TargetObject of a value event: Defender's
// RegistryKey with the value name the normalizer split off.
const regPath = `iff(isempty(RegistryValueName), RegistryKey, strcat(RegistryKey, "\\", RegistryValueName))`
const regPathAny = `iff(ActionType == "RegistryKeyRenamed", PreviousRegistryKey, ` + regPath + `)`

// extra is an event field the normalizer keeps in AdditionalFields.
func extra(name string) field {
	return field{kind: kString, col: extraField(name), json: "AdditionalFields"}
}

func extraField(name string) string {
	return "tostring(parse_json(AdditionalFields)." + name + ")"
}

var deviceEventsKeywords = []string{"FolderPath", "ProcessCommandLine", "InitiatingProcessFolderPath", "InitiatingProcessCommandLine", "RemoteUrl", "AdditionalFields"}

// categories maps Sigma's Windows logsource categories to Defender's
// tables as the Windows normalizer fills them (see its doc.go).
var categories = map[string]func() *target{
	"process_creation": func() *target {
		return &target{table: "DeviceProcessEvents", base: constExpr(true), fields: processFields, extra: true, raw: sysmonRaw(1),
			keywords: []string{"ProcessCommandLine", "FolderPath", "InitiatingProcessCommandLine", "InitiatingProcessFolderPath"}}
	},
	"network_connection": func() *target {
		return &target{table: "DeviceNetworkEvents", base: actionIn("ConnectionSuccess", "InboundConnectionAccepted"), extra: true, raw: sysmonRaw(3),
			fields: sysmonActor(map[string]field{
				"destinationip":       {kind: kNetIP, col: "RemoteIP", col2: "LocalIP"},
				"sourceip":            {kind: kNetIP, col: "LocalIP", col2: "RemoteIP"},
				"destinationport":     {kind: kNetPort, col: "RemotePort", col2: "LocalPort"},
				"sourceport":          {kind: kNetPort, col: "LocalPort", col2: "RemotePort"},
				"destinationhostname": str("RemoteUrl"),
				"protocol":            str("Protocol"),
				"initiated":           {kind: kInitiated},
			}),
			keywords: []string{"RemoteUrl", "RemoteIP", "InitiatingProcessFolderPath", "InitiatingProcessCommandLine"}}
	},
	"file_event": func() *target {
		return &target{table: "DeviceFileEvents", base: actionIn("FileCreated", "FileModified"), fields: fileFields(), extra: true, raw: sysmonRaw(11),
			keywords: []string{"FolderPath", "InitiatingProcessFolderPath", "InitiatingProcessCommandLine"}}
	},
	"file_change": func() *target {
		return &target{table: "DeviceFileEvents", base: actionIn("FileCreationTimeChanged", "FileModified"), fields: fileFields(), extra: true, raw: sysmonRaw(2),
			keywords: []string{"FolderPath", "InitiatingProcessFolderPath"}}
	},
	"file_delete": func() *target {
		return &target{table: "DeviceFileEvents", base: actionIn("FileDeleted"), fields: fileFields(), extra: true, raw: sysmonRaw(23, 26),
			keywords: []string{"FolderPath", "InitiatingProcessFolderPath"}}
	},
	"file_rename": func() *target {
		fs := fileFields()
		fs["sourcefilename"] = str("PreviousFolderPath")
		return &target{table: "DeviceFileEvents", base: actionIn("FileRenamed"), fields: fs, extra: true,
			keywords: []string{"FolderPath", "PreviousFolderPath", "InitiatingProcessFolderPath"}}
	},
	// Kernel-File's file access has no Sysmon event; Security's object
	// access (4663) on files is the closest the normalizer keeps.
	"file_access": func() *target {
		return &target{table: "DeviceEvents", extra: true,
			base: and(actionIn("ObjectAccessAttempted"), atom(extraField("ObjectType")+` == "File"`)),
			fields: map[string]field{
				"filename": str("FolderPath"),
				"image":    str("InitiatingProcessFolderPath"),
				"user":     {kind: kUser, col: "InitiatingProcessAccountDomain", col2: "InitiatingProcessAccountName"},
			}, keywords: deviceEventsKeywords}
	},
	"file_executable_detected": func() *target {
		return &target{table: "DeviceFileEvents", base: actionIn("FileExecutableDetected"), fields: fileFields(), extra: true, raw: sysmonRaw(29),
			keywords: []string{"FolderPath", "InitiatingProcessFolderPath"}}
	},
	"file_block_executable": func() *target {
		return &target{table: "DeviceEvents", base: actionIn("FileExecutableBlocked"), fields: fileFields(), extra: true, raw: sysmonRaw(27), keywords: deviceEventsKeywords}
	},
	"file_block_shredding": func() *target {
		return &target{table: "DeviceEvents", base: actionIn("FileShreddingBlocked"), fields: fileFields(), extra: true, raw: sysmonRaw(28), keywords: deviceEventsKeywords}
	},
	"create_stream_hash": func() *target {
		fs := fileFields()
		// The normalizer splits file:stream; Sigma matches the whole name.
		fs["targetfilename"] = str(`iff(isempty(` + extraField("StreamName") + `), FolderPath, strcat(FolderPath, ":", ` + extraField("StreamName") + `))`)
		fs["hash"] = field{kind: kHashes}
		return &target{table: "DeviceFileEvents", base: actionIn("FileStreamCreated"), fields: fs, extra: true, raw: sysmonRaw(15),
			keywords: []string{"FolderPath", "InitiatingProcessFolderPath"}}
	},
	"registry_add": func() *target {
		return &target{table: "DeviceRegistryEvents", base: actionIn("RegistryKeyCreated"), fields: registryFields("RegistryKey"), raw: sysmonRaw(12),
			keywords: []string{"RegistryKey", "InitiatingProcessFolderPath"}}
	},
	"registry_delete": func() *target {
		return &target{table: "DeviceRegistryEvents", base: actionIn("RegistryKeyDeleted", "RegistryValueDeleted"), fields: registryFields(regPath), raw: sysmonRaw(12),
			keywords: []string{"RegistryKey", "RegistryValueName", "InitiatingProcessFolderPath"}}
	},
	"registry_set": func() *target {
		return &target{table: "DeviceRegistryEvents", base: actionIn("RegistryValueSet"), fields: registryFields(regPath), raw: sysmonRaw(13),
			keywords: []string{"RegistryKey", "RegistryValueName", "RegistryValueData", "InitiatingProcessFolderPath"}}
	},
	"registry_rename": func() *target {
		return &target{table: "DeviceRegistryEvents", base: actionIn("RegistryKeyRenamed"), fields: registryFields("PreviousRegistryKey"), raw: sysmonRaw(14),
			keywords: []string{"RegistryKey", "PreviousRegistryKey", "InitiatingProcessFolderPath"}}
	},
	"registry_event": func() *target {
		return &target{table: "DeviceRegistryEvents", base: constExpr(true), fields: registryFields(regPathAny), raw: sysmonRaw(12, 13, 14),
			keywords: []string{"RegistryKey", "RegistryValueName", "RegistryValueData", "InitiatingProcessFolderPath"}}
	},
	"image_load": func() *target {
		// DeviceImageLoadEvents has no AdditionalFields: the signature
		// fields are only in the raw copy.
		return &target{table: "DeviceImageLoadEvents", base: constExpr(true), raw: sysmonRaw(7),
			fields: sysmonActor(map[string]field{
				"imageloaded": str("FolderPath"),
				"hashes":      {kind: kHashes},
				"sha1":        str("SHA1"),
				"sha256":      str("SHA256"),
				"md5":         str("MD5"),
			}),
			keywords: []string{"FolderPath", "InitiatingProcessFolderPath"}}
	},
	"driver_load": func() *target {
		return &target{table: "DeviceEvents", base: actionIn("DriverLoad"), extra: true, raw: sysmonRaw(6),
			fields: map[string]field{
				"imageloaded": str("FolderPath"),
				"hashes":      {kind: kHashes},
				"sha1":        str("SHA1"),
				"sha256":      str("SHA256"),
				"md5":         str("MD5"),
			}, keywords: deviceEventsKeywords}
	},
	"dns_query": func() *target {
		return &target{table: "DeviceEvents", base: actionIn("DnsQueryResponse"), extra: true, raw: sysmonRaw(22),
			fields: sysmonActor(map[string]field{"queryname": str("RemoteUrl")}), keywords: deviceEventsKeywords}
	},
	"create_remote_thread": func() *target {
		return &target{table: "DeviceEvents", base: actionIn("CreateRemoteThreadApiCall"), extra: true, raw: sysmonRaw(8), fields: targetProcessFields(), keywords: deviceEventsKeywords}
	},
	"process_access": func() *target {
		return &target{table: "DeviceEvents", base: actionIn("OpenProcessApiCall"), extra: true, raw: sysmonRaw(10), fields: targetProcessFields(), keywords: deviceEventsKeywords}
	},
	"raw_access_thread": func() *target {
		return &target{table: "DeviceEvents", base: actionIn("RawAccessRead"), extra: true, raw: sysmonRaw(9),
			fields: sysmonActor(map[string]field{"device": str("FolderPath")}), keywords: deviceEventsKeywords}
	},
	"pipe_created": func() *target {
		return &target{table: "DeviceEvents", base: actionIn("NamedPipeEvent"), extra: true, raw: sysmonRaw(17, 18),
			fields: sysmonActor(map[string]field{"pipename": extra("PipeName")}), keywords: deviceEventsKeywords}
	},
	"wmi_event": func() *target {
		return &target{table: "DeviceEvents", base: actionIn("WmiEventFilterRegistered", "WmiEventConsumerRegistered", "WmiBindEventFilterToConsumer"),
			extra: true, raw: sysmonRaw(19, 20, 21),
			fields: map[string]field{
				"user":    {kind: kUser, col: "InitiatingProcessAccountDomain", col2: "InitiatingProcessAccountName"},
				"eventid": {kind: kEventID, ids: map[int64][]string{19: {"WmiEventFilterRegistered"}, 20: {"WmiEventConsumerRegistered"}, 21: {"WmiBindEventFilterToConsumer"}}},
			}, keywords: deviceEventsKeywords}
	},
	"process_tampering": func() *target {
		return &target{table: "DeviceEvents", base: actionIn("ProcessTampering"), extra: true, raw: sysmonRaw(25),
			fields: map[string]field{"image": str("FolderPath"), "processid": num("ProcessId")}, keywords: deviceEventsKeywords}
	},
	"clipboard_capture": func() *target {
		return &target{table: "DeviceEvents", base: actionIn("ClipboardChanged"), extra: true, raw: sysmonRaw(24),
			fields: sysmonActor(map[string]field{"hashes": {kind: kHashes}}), keywords: deviceEventsKeywords}
	},
	"sysmon_status": func() *target {
		return &target{table: "DeviceEvents", base: actionIn("SysmonServiceStateChanged", "SysmonConfigurationChanged"), extra: true, raw: sysmonRaw(4, 16),
			fields: map[string]field{}, keywords: deviceEventsKeywords}
	},
	"sysmon_error": func() *target {
		return &target{table: "DeviceEvents", base: actionIn("SysmonError"), extra: true, raw: sysmonRaw(255), fields: map[string]field{}, keywords: deviceEventsKeywords}
	},
	// PowerShell's own logs are kept only as raw WindowsEvent rows.
	"ps_script": func() *target {
		return windowsEventTarget([]string{"Microsoft-Windows-PowerShell/Operational", "PowerShellCore/Operational"}, []int64{4104})
	},
	"ps_module": func() *target {
		return windowsEventTarget([]string{"Microsoft-Windows-PowerShell/Operational", "PowerShellCore/Operational"}, []int64{4103})
	},
	"ps_classic_start": func() *target {
		return windowsEventTarget([]string{"Windows PowerShell"}, []int64{400})
	},
	"ps_classic_provider_start": func() *target {
		return windowsEventTarget([]string{"Windows PowerShell"}, []int64{600})
	},
	"ps_classic_script": func() *target {
		return windowsEventTarget([]string{"Windows PowerShell"}, []int64{800})
	},
}

// targetProcessFields are those of Sysmon's events about one process
// acting on another (8, 10).
func targetProcessFields() map[string]field {
	return map[string]field{
		"sourceimage":     str("InitiatingProcessFolderPath"),
		"sourceprocessid": num("InitiatingProcessId"),
		"sourceuser":      {kind: kUser, col: "InitiatingProcessAccountDomain", col2: "InitiatingProcessAccountName"},
		"targetimage":     str("FolderPath"),
		"targetprocessid": num("ProcessId"),
		"targetuser":      {kind: kUser, col: "AccountDomain", col2: "AccountName"},
		"computer":        str("DeviceName"),
	}
}

// services maps Sigma's Windows services to the channels of their raw
// copies; security has its own table.
var services = map[string][]string{
	"system":                      {"System"},
	"application":                 {"Application"},
	"sysmon":                      {sysmonChannel},
	"powershell":                  {"Microsoft-Windows-PowerShell/Operational", "PowerShellCore/Operational"},
	"powershell-classic":          {"Windows PowerShell"},
	"taskscheduler":               {"Microsoft-Windows-TaskScheduler/Operational"},
	"wmi":                         {"Microsoft-Windows-WMI-Activity/Operational"},
	"dns-server":                  {"DNS Server"},
	"dns-server-analytic":         {"Microsoft-Windows-DNS-Server/Analytical"},
	"dns-server-audit":            {"Microsoft-Windows-DNS-Server/Audit"},
	"dns-client":                  {"Microsoft-Windows-DNS Client Events/Operational"},
	"driver-framework":            {"Microsoft-Windows-DriverFrameworks-UserMode/Operational"},
	"ntlm":                        {"Microsoft-Windows-NTLM/Operational"},
	"windefend":                   {"Microsoft-Windows-Windows Defender/Operational"},
	"firewall-as":                 {"Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"},
	"bits-client":                 {"Microsoft-Windows-Bits-Client/Operational"},
	"codeintegrity-operational":   {"Microsoft-Windows-CodeIntegrity/Operational"},
	"applocker":                   {"Microsoft-Windows-AppLocker/MSI and Script", "Microsoft-Windows-AppLocker/EXE and DLL", "Microsoft-Windows-AppLocker/Packaged app-Deployment", "Microsoft-Windows-AppLocker/Packaged app-Execution"},
	"msexchange-management":       {"MSExchange Management"},
	"microsoft-servicebus-client": {"Microsoft-ServiceBus-Client"},
	"ldap":                        {"Microsoft-Windows-LDAP-Client/Debug"},
	"lsa-server":                  {"Microsoft-Windows-LSA/Operational"},
	"appxdeployment-server":       {"Microsoft-Windows-AppXDeploymentServer/Operational"},
	"appxpackaging-om":            {"Microsoft-Windows-AppxPackaging/Operational"},
	"appmodel-runtime":            {"Microsoft-Windows-AppModel-Runtime/Admin"},
	"capi2":                       {"Microsoft-Windows-CAPI2/Operational"},
	"certificateservicesclient-lifecycle-system": {"Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational"},
	"diagnosis-scripted":                         {"Microsoft-Windows-Diagnosis-Scripted/Operational"},
	"iis-configuration":                          {"Microsoft-IIS-Configuration/Operational"},
	"openssh":                                    {"OpenSSH/Operational"},
	"security-mitigations":                       {"Microsoft-Windows-Security-Mitigations/Kernel Mode", "Microsoft-Windows-Security-Mitigations/User Mode"},
	"shell-core":                                 {"Microsoft-Windows-Shell-Core/Operational"},
	"smbclient-security":                         {"Microsoft-Windows-SmbClient/Security"},
	"smbclient-connectivity":                     {"Microsoft-Windows-SmbClient/Connectivity"},
	"smbserver-connectivity":                     {"Microsoft-Windows-SMBServer/Connectivity"},
	"smbserver-security":                         {"Microsoft-Windows-SMBServer/Security"},
	"terminalservices-localsessionmanager":       {"Microsoft-Windows-TerminalServices-LocalSessionManager/Operational"},
	"terminalservices-remoteconnectionmanager":   {"Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational"},
	"vhdmp":                    {"Microsoft-Windows-VHDMP-Operational"},
	"printservice-admin":       {"Microsoft-Windows-PrintService/Admin"},
	"printservice-operational": {"Microsoft-Windows-PrintService/Operational"},
	"hyper-v-worker":           {"Microsoft-Windows-Hyper-V-Worker"},
	"kernel-shimengine":        {"Microsoft-Windows-Kernel-ShimEngine/Operational"},
	"ntfs":                     {"Microsoft-Windows-Ntfs/Operational"},
	"bitlocker":                {"Microsoft-Windows-BitLocker/BitLocker Management"},
	"dhcp":                     {"Microsoft-Windows-DHCP-Server/Operational"},
	"sense":                    {"Microsoft-Windows-SENSE/Operational"},
	"certificate-services":     {"Microsoft-Windows-CertificationAuthority"},
}

// resolveLogsource finds the target of a rule's logsource.
func resolveLogsource(ls Logsource) (*target, error) {
	product := strings.ToLower(ls.Product)
	if product != "windows" {
		if product == "" {
			return nil, &Error{Reason: ReasonLogsource, Msg: "the logsource names no product"}
		}
		return nil, &Error{Reason: ReasonLogsource, Msg: "product " + ls.Product + ": Vigil's Sigma mapping covers Windows"}
	}
	if c := strings.ToLower(ls.Category); c != "" {
		mk, ok := categories[c]
		if !ok {
			return nil, &Error{Reason: ReasonLogsource, Msg: "category " + ls.Category + " has no table"}
		}
		return mk(), nil
	}
	s := strings.ToLower(ls.Service)
	switch {
	case s == "security":
		return securityTarget(nil), nil
	case s == "":
		// Any Windows event log: the raw copies of every channel but
		// Security (keyword rules over all logs).
		return windowsEventTarget(nil, nil), nil
	}
	chs, ok := services[s]
	if !ok {
		return nil, &Error{Reason: ReasonLogsource, Msg: "service " + ls.Service + " has no known event log channel"}
	}
	return windowsEventTarget(chs, nil), nil
}

// resolve finds a Sigma field in the target. ok is false when the target
// has no place for it (the caller then falls back to the raw copy).
func (t *target) resolve(name string) (field, bool) {
	key := strings.ToLower(name)
	if f, ok := t.fields[key]; ok {
		return f, true
	}
	switch {
	case t.rawEvents && t.table == "SecurityEvent":
		if col, _, ok := securityEventTable().Column(name); ok && !securityOwn[name] {
			switch col.Type {
			case schema.String:
				return str(col.Name), true
			case schema.Int, schema.Long:
				return num(col.Name), true
			}
		}
		if !validFieldName(name) {
			return field{}, false
		}
		return field{kind: kString, col: "tostring(parse_json(EventData)." + name + ")", json: "EventData"}, true
	case t.rawEvents:
		if !validFieldName(name) {
			return field{}, false
		}
		return str("tostring(EventData." + name + ")"), true
	case !t.rawEvents && tableHas(t.table, name):
		// A Defender column named as it is.
		col, _, _ := tableColumn(t.table, name)
		if col.Type == schema.String {
			return str(col.Name), true
		}
		if col.Type == schema.Int || col.Type == schema.Long {
			return num(col.Name), true
		}
		return field{}, false
	case t.extra && validFieldName(name) && !sysmonTaken[key]:
		return extra(name), true
	}
	return field{}, false
}

// sysmonTaken are Sysmon fields the normalizer moves into columns (so they
// are not in AdditionalFields) that the category's map does not list.
var sysmonTaken = map[string]bool{
	"utctime": true, "image": true, "processid": true, "user": true, "hashes": true, "targetfilename": true,
	"imageloaded": true, "targetimage": true, "sourceimage": true, "targetprocessid": true, "sourceprocessid": true,
	"sourceuser": true, "targetuser": true, "eventid": true, "eventtype": true, "targetobject": true,
	"details": true, "newname": true, "queryname": true, "pipename": true, "destinationhostname": true,
}

// validFieldName is a field name KQL can take as a dotted member.
func validFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return !kqlKeywords[strings.ToLower(s)]
}

// kqlKeywords cannot be member names without brackets.
var kqlKeywords = map[string]bool{"and": true, "or": true, "not": true, "true": true, "false": true, "null": true,
	"in": true, "has": true, "contains": true, "between": true, "by": true, "on": true}

var securityOwn = map[string]bool{
	"TimeGenerated": true, "Computer": true, "Channel": true, "EventSourceName": true, "Activity": true, "Task": true,
	"Level": true, "EventLevelName": true, "Keywords": true, "Opcode": true, "EventRecordId": true, "Version": true,
	"SystemProcessId": true, "SystemThreadId": true, "SystemUserId": true, "EventData": true, "Account": true,
	"AccountType": true, "SubjectAccount": true, "TargetAccount": true, "LogonTypeName": true, "Process": true,
	"SourceSystem": true, "TenantId": true, "ManagementGroupName": true, "AzureDeploymentID": true, "SourceComputerId": true,
}

func tableColumn(table, name string) (schema.Column, int, bool) {
	t, ok := schema.Lookup(table)
	if !ok {
		return schema.Column{}, 0, false
	}
	return t.Column(name)
}

func tableHas(table, name string) bool {
	_, _, ok := tableColumn(table, name)
	return ok
}

func securityEventTable() *schema.Table {
	t, _ := schema.Lookup("SecurityEvent")
	return t
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
