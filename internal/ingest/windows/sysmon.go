package windows

import (
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/ingest"
)

// sysmonMappers map Sysmon's event IDs (Microsoft-Windows-Sysmon/Operational)
// to Defender's tables. The table in doc.go lists the ActionTypes.
var sysmonMappers = map[int32]mapper{
	1:   sysmonProcessCreate,
	2:   sysmonFileTime,
	3:   sysmonNetwork,
	4:   sysmonState("SysmonServiceStateChanged"),
	5:   sysmonProcessTerminate,
	6:   sysmonDriverLoad,
	7:   sysmonImageLoad,
	8:   sysmonRemoteThread,
	9:   sysmonRawAccessRead,
	10:  sysmonProcessAccess,
	11:  sysmonFile("FileCreated"),
	12:  sysmonRegistry,
	13:  sysmonRegistry,
	14:  sysmonRegistry,
	15:  sysmonFileStream,
	16:  sysmonState("SysmonConfigurationChanged"),
	17:  sysmonPipe,
	18:  sysmonPipe,
	19:  sysmonWmi("WmiEventFilterRegistered"),
	20:  sysmonWmi("WmiEventConsumerRegistered"),
	21:  sysmonWmi("WmiBindEventFilterToConsumer"),
	22:  sysmonDNS,
	23:  sysmonFile("FileDeleted"),
	24:  sysmonClipboard,
	25:  sysmonTampering,
	26:  sysmonFile("FileDeleted"),
	27:  sysmonBlocked("FileExecutableBlocked"),
	28:  sysmonBlocked("FileShreddingBlocked"),
	29:  sysmonFile("FileExecutableDetected"),
	255: sysmonError,
}

// sysmonActor fills the InitiatingProcess* columns that Sysmon gives for
// the process that acted (Image, ProcessId, User).
func (x *emitter) sysmonActor(r *ingest.Row) {
	x.initiating(r, "Image", "ProcessId", "User")
}

func sysmonProcessCreate(x *emitter) {
	e := x.e
	r := x.device("DeviceProcessEvents", "ProcessCreated")
	setPath(r, "FolderPath", "FileName", e.take("Image"))
	setStr(r, "ProcessCommandLine", e.take("CommandLine"))
	setLong(r, "ProcessId", e.take("ProcessId"))
	setTime(r, "ProcessCreationTime", e.take("UtcTime"))
	x.hashes(r, "", "Hashes")
	setStr(r, "ProcessIntegrityLevel", e.take("IntegrityLevel"))
	setAccount(r, "AccountDomain", "AccountName", e.take("User"))
	setLong(r, "LogonId", e.take("LogonId"))
	setStr(r, "ProcessVersionInfoCompanyName", e.take("Company"))
	setStr(r, "ProcessVersionInfoProductName", e.take("Product"))
	setStr(r, "ProcessVersionInfoProductVersion", e.take("FileVersion"))
	setStr(r, "ProcessVersionInfoOriginalFileName", e.take("OriginalFileName"))
	setStr(r, "ProcessVersionInfoFileDescription", e.take("Description"))
	x.initiating(r, "ParentImage", "ParentProcessId", "ParentUser")
	setStr(r, "InitiatingProcessCommandLine", e.take("ParentCommandLine"))
}

func sysmonFileTime(x *emitter) {
	// Defender has no ActionType for a changed creation time.
	r := x.device("DeviceFileEvents", "FileCreationTimeChanged")
	setPath(r, "FolderPath", "FileName", x.e.take("TargetFilename"))
	x.sysmonActor(r)
}

func sysmonNetwork(x *emitter) {
	e := x.e
	local, remote := "Source", "Destination"
	action := "ConnectionSuccess"
	if strings.EqualFold(strings.TrimSpace(e.Get("Initiated")), "false") {
		// Accepted: the source is the remote peer.
		local, remote = remote, local
		action = "InboundConnectionAccepted"
	}
	r := x.device("DeviceNetworkEvents", action)
	setIP(r, "LocalIP", "LocalIPType", e.take(local+"Ip"))
	setPort(r, "LocalPort", e.take(local+"Port"))
	setIP(r, "RemoteIP", "RemoteIPType", e.take(remote+"Ip"))
	setPort(r, "RemotePort", e.take(remote+"Port"))
	if action == "ConnectionSuccess" {
		setStr(r, "RemoteUrl", e.take("DestinationHostname"))
	}
	setStr(r, "Protocol", protocolName(e.take("Protocol")))
	e.mark("Initiated", "SourceIsIpv6", "DestinationIsIpv6")
	x.sysmonActor(r)
}

// sysmonState records Sysmon's own state and configuration changes.
func sysmonState(action string) mapper {
	return func(x *emitter) {
		r := x.device("DeviceEvents", action)
		setPath(r, "FolderPath", "FileName", x.e.take("ConfigurationFile"))
	}
}

func sysmonProcessTerminate(x *emitter) {
	// Defender records no process exits; the exited process is the subject.
	r := x.device("DeviceEvents", "ProcessTerminated")
	setPath(r, "FolderPath", "FileName", x.e.take("Image"))
	setLong(r, "ProcessId", x.e.take("ProcessId"))
	setAccount(r, "AccountDomain", "AccountName", x.e.take("User"))
}

func sysmonDriverLoad(x *emitter) {
	r := x.device("DeviceEvents", "DriverLoad")
	setPath(r, "FolderPath", "FileName", x.e.take("ImageLoaded"))
	x.hashes(r, "", "Hashes")
}

func sysmonImageLoad(x *emitter) {
	r := x.device("DeviceImageLoadEvents", "ImageLoaded")
	setPath(r, "FolderPath", "FileName", x.e.take("ImageLoaded"))
	x.hashes(r, "", "Hashes")
	x.sysmonActor(r)
}

// sysmonTarget fills the columns of a process acted upon: the target
// image, PID and account go to FileName/FolderPath/ProcessId/Account*, and
// the source process to InitiatingProcess*.
func (x *emitter) sysmonTarget(r *ingest.Row) {
	e := x.e
	setPath(r, "FolderPath", "FileName", e.take("TargetImage"))
	setLong(r, "ProcessId", e.take("TargetProcessId"))
	setAccount(r, "AccountDomain", "AccountName", e.take("TargetUser"))
	x.initiating(r, "SourceImage", "SourceProcessId", "SourceUser")
}

func sysmonRemoteThread(x *emitter) {
	r := x.device("DeviceEvents", "CreateRemoteThreadApiCall")
	x.sysmonTarget(r)
}

func sysmonRawAccessRead(x *emitter) {
	r := x.device("DeviceEvents", "RawAccessRead")
	setStr(r, "FolderPath", x.e.take("Device"))
	x.sysmonActor(r)
}

func sysmonProcessAccess(x *emitter) {
	r := x.device("DeviceEvents", "OpenProcessApiCall")
	x.sysmonTarget(r)
	if g := x.e.take("GrantedAccess"); g != "" {
		x.extra.str("GrantedAccess", g)
		// Defender's OpenProcessApiCall carries the mask as a number.
		if n, ok := number(g); ok {
			x.extra.int("DesiredAccess", n)
		}
	}
}

// sysmonFile maps the file events that name TargetFilename.
func sysmonFile(action string) mapper {
	return func(x *emitter) {
		r := x.device("DeviceFileEvents", action)
		setPath(r, "FolderPath", "FileName", x.e.take("TargetFilename"))
		x.hashes(r, "", "Hashes")
		x.sysmonActor(r)
	}
}

// registryActions map Sysmon's EventType for events 12-14.
var registryActions = map[string]string{
	"CreateKey":   "RegistryKeyCreated",
	"DeleteKey":   "RegistryKeyDeleted",
	"DeleteValue": "RegistryValueDeleted",
	"SetValue":    "RegistryValueSet",
	"RenameKey":   "RegistryKeyRenamed",
}

func sysmonRegistry(x *emitter) {
	e := x.e
	kind := e.take("EventType")
	action, ok := registryActions[kind]
	if !ok {
		// Some shippers lose EventType; the event ID still says enough.
		switch e.EventID {
		case 13:
			action = "RegistryValueSet"
		case 14:
			action = "RegistryKeyRenamed"
		default:
			action = "RegistryKeyCreated"
		}
	}
	r := x.device("DeviceRegistryEvents", action)
	target := registryKey(e.take("TargetObject"))
	switch action {
	case "RegistryValueSet", "RegistryValueDeleted":
		key, value := splitValuePath(target)
		r.SetString("RegistryKey", key)
		r.SetString("RegistryValueName", value)
		if action == "RegistryValueSet" {
			typ, data := registryValue(e.take("Details"))
			r.SetString("RegistryValueType", typ)
			r.SetString("RegistryValueData", data)
		}
	case "RegistryKeyRenamed":
		r.SetString("PreviousRegistryKey", target)
		r.SetString("RegistryKey", registryKey(e.take("NewName")))
	default:
		r.SetString("RegistryKey", target)
	}
	x.sysmonActor(r)
}

// registryValue reads Sysmon's Details of a set value: "DWORD (0x00000044)",
// "QWORD (0x00000001-0x00000002)", "Binary Data", or the text itself.
func registryValue(d string) (typ, data string) {
	d = strings.TrimSpace(d)
	switch {
	case d == "":
		return "", ""
	case strings.HasPrefix(d, "DWORD (") && strings.HasSuffix(d, ")"):
		if n, ok := ingest.ParseInt(d[len("DWORD (") : len(d)-1]); ok {
			return "Dword", strconv.FormatInt(n, 10)
		}
		return "Dword", d
	case strings.HasPrefix(d, "QWORD (") && strings.HasSuffix(d, ")"):
		hi, lo, ok := strings.Cut(d[len("QWORD ("):len(d)-1], "-")
		h, ok1 := ingest.ParseInt(hi)
		l, ok2 := ingest.ParseInt(lo)
		if ok && ok1 && ok2 {
			return "Qword", strconv.FormatUint(uint64(h)<<32|uint64(l)&0xffffffff, 10)
		}
		return "Qword", d
	case d == "Binary Data":
		return "Binary", ""
	}
	return "String", d
}

func sysmonFileStream(x *emitter) {
	e := x.e
	r := x.device("DeviceFileEvents", "FileStreamCreated")
	target := e.take("TargetFilename")
	file, stream := target, ""
	// C:\dir\file.txt:Zone.Identifier: the colon after the drive letter is
	// not a stream separator.
	if i := strings.LastIndexByte(target, ':'); i > 2 && !strings.ContainsAny(target[i:], `\/`) {
		file, stream = target[:i], target[i+1:]
	}
	setPath(r, "FolderPath", "FileName", file)
	if stream != "" {
		x.extra.str("StreamName", stream)
	}
	x.hashes(r, "", "Hash")
	contents := e.Get("Contents")
	if ref, host := zoneURLs(contents); ref != "" || host != "" {
		r.SetString("FileOriginReferrerUrl", ref)
		r.SetString("FileOriginUrl", host)
	}
	x.sysmonActor(r)
}

// zoneURLs reads the download origin out of a Zone.Identifier stream.
func zoneURLs(s string) (referrer, host string) {
	for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ' ' }) {
		if v, ok := strings.CutPrefix(line, "ReferrerUrl="); ok {
			referrer = v
		} else if v, ok := strings.CutPrefix(line, "HostUrl="); ok {
			host = v
		}
	}
	return referrer, host
}

func sysmonPipe(x *emitter) {
	e := x.e
	r := x.device("DeviceEvents", "NamedPipeEvent")
	if name := e.take("PipeName"); name != "" {
		x.extra.str("PipeName", name)
	}
	// Defender's NamedPipeEvent says which end acted.
	if e.EventID == 17 {
		x.extra.str("FileOperation", "File created")
		x.extra.str("NamedPipeEnd", "Server")
	} else {
		x.extra.str("FileOperation", "File opened")
		x.extra.str("NamedPipeEnd", "Client")
	}
	e.mark("EventType")
	x.sysmonActor(r)
}

func sysmonWmi(action string) mapper {
	return func(x *emitter) {
		r := x.device("DeviceEvents", action)
		setAccount(r, "InitiatingProcessAccountDomain", "InitiatingProcessAccountName", x.e.take("User"))
	}
}

func sysmonDNS(x *emitter) {
	e := x.e
	r := x.device("DeviceEvents", "DnsQueryResponse")
	name := e.take("QueryName")
	setStr(r, "RemoteUrl", name)
	if name != "" {
		x.extra.str("QueryName", name)
	}
	x.sysmonActor(r)
}

func sysmonClipboard(x *emitter) {
	// Sysmon records a process setting the clipboard; Defender's
	// GetClipboardData is a read, so this keeps Sysmon's meaning.
	r := x.device("DeviceEvents", "ClipboardChanged")
	x.hashes(r, "", "Hashes")
	x.sysmonActor(r)
}

func sysmonTampering(x *emitter) {
	r := x.device("DeviceEvents", "ProcessTampering")
	setPath(r, "FolderPath", "FileName", x.e.Get("Image"))
	setLong(r, "ProcessId", x.e.Get("ProcessId"))
	x.sysmonActor(r)
}

func sysmonBlocked(action string) mapper {
	return func(x *emitter) {
		r := x.device("DeviceEvents", action)
		setPath(r, "FolderPath", "FileName", x.e.take("TargetFilename"))
		x.hashes(r, "", "Hashes")
		x.sysmonActor(r)
	}
}

func sysmonError(x *emitter) {
	x.device("DeviceEvents", "SysmonError")
}
