package syslog

import "strings"

// cefKeys maps the ArcSight extension dictionary (CEF Implementation
// Standard, "CEF Key Names For Event Producers") to CommonSecurityLog
// columns, as Microsoft Sentinel documents it (cef-name-mapping.md). Each
// line is {key, full name, column}: events use the key, but ArcSight's
// connectors and several vendors write the full name; both are read.
// Keys absent here go to AdditionalExtensions, "key=value;..." as in
// Sentinel. The keys the normalizer treats specially (cn1-3, externalId,
// deviceDirection, rt, act) are listed too, with the column they fill
// first.
var cefKeys = [...]struct{ key, full, column string }{
	{"act", "deviceAction", "DeviceAction"},
	{"app", "applicationProtocol", "ApplicationProtocol"},
	{"cat", "deviceEventCategory", "DeviceEventCategory"},
	{"cnt", "baseEventCount", "EventCount"},
	{"c6a1", "deviceCustomIPv6Address1", "DeviceCustomIPv6Address1"},
	{"c6a1Label", "deviceCustomIPv6Address1Label", "DeviceCustomIPv6Address1Label"},
	{"c6a2", "deviceCustomIPv6Address2", "DeviceCustomIPv6Address2"},
	{"c6a2Label", "deviceCustomIPv6Address2Label", "DeviceCustomIPv6Address2Label"},
	{"c6a3", "deviceCustomIPv6Address3", "DeviceCustomIPv6Address3"},
	{"c6a3Label", "deviceCustomIPv6Address3Label", "DeviceCustomIPv6Address3Label"},
	{"c6a4", "deviceCustomIPv6Address4", "DeviceCustomIPv6Address4"},
	{"c6a4Label", "deviceCustomIPv6Address4Label", "DeviceCustomIPv6Address4Label"},
	{"cfp1", "deviceCustomFloatingPoint1", "DeviceCustomFloatingPoint1"},
	{"cfp1Label", "deviceCustomFloatingPoint1Label", "DeviceCustomFloatingPoint1Label"},
	{"cfp2", "deviceCustomFloatingPoint2", "DeviceCustomFloatingPoint2"},
	{"cfp2Label", "deviceCustomFloatingPoint2Label", "DeviceCustomFloatingPoint2Label"},
	{"cfp3", "deviceCustomFloatingPoint3", "DeviceCustomFloatingPoint3"},
	{"cfp3Label", "deviceCustomFloatingPoint3Label", "DeviceCustomFloatingPoint3Label"},
	{"cfp4", "deviceCustomFloatingPoint4", "DeviceCustomFloatingPoint4"},
	{"cfp4Label", "deviceCustomFloatingPoint4Label", "DeviceCustomFloatingPoint4Label"},
	{"cn1", "deviceCustomNumber1", "FieldDeviceCustomNumber1"},
	{"cn1Label", "deviceCustomNumber1Label", "DeviceCustomNumber1Label"},
	{"cn2", "deviceCustomNumber2", "FieldDeviceCustomNumber2"},
	{"cn2Label", "deviceCustomNumber2Label", "DeviceCustomNumber2Label"},
	{"cn3", "deviceCustomNumber3", "FieldDeviceCustomNumber3"},
	{"cn3Label", "deviceCustomNumber3Label", "DeviceCustomNumber3Label"},
	{"cs1", "deviceCustomString1", "DeviceCustomString1"},
	{"cs1Label", "deviceCustomString1Label", "DeviceCustomString1Label"},
	{"cs2", "deviceCustomString2", "DeviceCustomString2"},
	{"cs2Label", "deviceCustomString2Label", "DeviceCustomString2Label"},
	{"cs3", "deviceCustomString3", "DeviceCustomString3"},
	{"cs3Label", "deviceCustomString3Label", "DeviceCustomString3Label"},
	{"cs4", "deviceCustomString4", "DeviceCustomString4"},
	{"cs4Label", "deviceCustomString4Label", "DeviceCustomString4Label"},
	{"cs5", "deviceCustomString5", "DeviceCustomString5"},
	{"cs5Label", "deviceCustomString5Label", "DeviceCustomString5Label"},
	{"cs6", "deviceCustomString6", "DeviceCustomString6"},
	{"cs6Label", "deviceCustomString6Label", "DeviceCustomString6Label"},
	{"deviceCustomDate1", "deviceCustomDate1", "DeviceCustomDate1"},
	{"deviceCustomDate1Label", "deviceCustomDate1Label", "DeviceCustomDate1Label"},
	{"deviceCustomDate2", "deviceCustomDate2", "DeviceCustomDate2"},
	{"deviceCustomDate2Label", "deviceCustomDate2Label", "DeviceCustomDate2Label"},
	{"destinationDnsDomain", "destinationDnsDomain", "DestinationDnsDomain"},
	{"destinationServiceName", "destinationServiceName", "DestinationServiceName"},
	{"destinationTranslatedAddress", "destinationTranslatedAddress", "DestinationTranslatedAddress"},
	{"destinationTranslatedPort", "destinationTranslatedPort", "DestinationTranslatedPort"},
	{"deviceDirection", "deviceDirection", "CommunicationDirection"},
	{"deviceDnsDomain", "deviceDnsDomain", "DeviceDnsDomain"},
	{"deviceExternalId", "deviceExternalId", "DeviceExternalID"},
	{"deviceFacility", "deviceFacility", "DeviceFacility"},
	{"deviceInboundInterface", "deviceInboundInterface", "DeviceInboundInterface"},
	{"deviceNtDomain", "deviceNtDomain", "DeviceNtDomain"},
	{"deviceOutboundInterface", "deviceOutboundInterface", "DeviceOutboundInterface"},
	{"devicePayloadId", "devicePayloadId", "DevicePayloadId"},
	{"deviceProcessName", "deviceProcessName", "ProcessName"},
	{"deviceTranslatedAddress", "deviceTranslatedAddress", "DeviceTranslatedAddress"},
	{"dhost", "destinationHostName", "DestinationHostName"},
	{"dmac", "destinationMacAddress", "DestinationMACAddress"},
	{"dntdom", "destinationNtDomain", "DestinationNTDomain"},
	{"dpid", "destinationProcessId", "DestinationProcessId"},
	{"dpriv", "destinationUserPrivileges", "DestinationUserPrivileges"},
	{"dproc", "destinationProcessName", "DestinationProcessName"},
	{"dpt", "destinationPort", "DestinationPort"},
	{"dst", "destinationAddress", "DestinationIP"},
	{"dtz", "deviceTimeZone", "DeviceTimeZone"},
	{"duid", "destinationUserId", "DestinationUserID"},
	{"duser", "destinationUserName", "DestinationUserName"},
	{"dvc", "deviceAddress", "DeviceAddress"},
	{"dvchost", "deviceHostName", "DeviceName"},
	{"dvcmac", "deviceMacAddress", "DeviceMacAddress"},
	{"dvcpid", "deviceProcessId", "ProcessID"},
	{"end", "endTime", "EndTime"},
	{"externalId", "externalId", "ExtID"},
	{"fileCreateTime", "fileCreateTime", "FileCreateTime"},
	{"fileHash", "fileHash", "FileHash"},
	{"fileId", "fileId", "FileID"},
	{"fileModificationTime", "fileModificationTime", "FileModificationTime"},
	{"filePath", "filePath", "FilePath"},
	{"filePermission", "filePermission", "FilePermission"},
	{"fileType", "fileType", "FileType"},
	{"flexDate1", "flexDate1", "FlexDate1"},
	{"flexDate1Label", "flexDate1Label", "FlexDate1Label"},
	{"flexNumber1", "flexNumber1", "FlexNumber1"},
	{"flexNumber1Label", "flexNumber1Label", "FlexNumber1Label"},
	{"flexNumber2", "flexNumber2", "FlexNumber2"},
	{"flexNumber2Label", "flexNumber2Label", "FlexNumber2Label"},
	{"flexString1", "flexString1", "FlexString1"},
	{"flexString1Label", "flexString1Label", "FlexString1Label"},
	{"flexString2", "flexString2", "FlexString2"},
	{"flexString2Label", "flexString2Label", "FlexString2Label"},
	{"fname", "fileName", "FileName"},
	{"fsize", "fileSize", "FileSize"},
	{"in", "bytesIn", "ReceivedBytes"},
	{"msg", "message", "Message"},
	{"oldFileCreateTime", "oldFileCreateTime", "OldFileCreateTime"},
	{"oldFileHash", "oldFileHash", "OldFileHash"},
	{"oldFileId", "oldFileId", "OldFileID"},
	{"oldFileModificationTime", "oldFileModificationTime", "OldFileModificationTime"},
	{"oldFileName", "oldFileName", "OldFileName"},
	{"oldFilePath", "oldFilePath", "OldFilePath"},
	{"oldFilePermission", "oldFilePermission", "OldFilePermission"},
	{"oldFileSize", "oldFileSize", "OldFileSize"},
	{"oldFileType", "oldFileType", "OldFileType"},
	{"out", "bytesOut", "SentBytes"},
	{"outcome", "eventOutcome", "EventOutcome"},
	{"proto", "transportProtocol", "Protocol"},
	{"reason", "reason", "Reason"},
	{"request", "requestUrl", "RequestURL"},
	{"requestClientApplication", "requestClientApplication", "RequestClientApplication"},
	{"requestContext", "requestContext", "RequestContext"},
	{"requestCookies", "requestCookies", "RequestCookies"},
	{"requestMethod", "requestMethod", "RequestMethod"},
	{"rt", "deviceReceiptTime", "ReceiptTime"},
	{"shost", "sourceHostName", "SourceHostName"},
	{"smac", "sourceMacAddress", "SourceMACAddress"},
	{"sntdom", "sourceNtDomain", "SourceNTDomain"},
	{"sourceDnsDomain", "sourceDnsDomain", "SourceDnsDomain"},
	{"sourceServiceName", "sourceServiceName", "SourceServiceName"},
	{"sourceTranslatedAddress", "sourceTranslatedAddress", "SourceTranslatedAddress"},
	{"sourceTranslatedPort", "sourceTranslatedPort", "SourceTranslatedPort"},
	{"spid", "sourceProcessId", "SourceProcessId"},
	{"spriv", "sourceUserPrivileges", "SourceUserPrivileges"},
	{"sproc", "sourceProcessName", "SourceProcessName"},
	{"spt", "sourcePort", "SourcePort"},
	{"src", "sourceAddress", "SourceIP"},
	{"start", "startTime", "StartTime"},
	{"suid", "sourceUserId", "SourceUserID"},
	{"suser", "sourceUserName", "SourceUserName"},
	{"type", "type", "EventType"},
}

// cefColumn maps every key and full name to its column; cefColumnFold
// does the same for lower-cased names, for vendors that capitalise keys
// ("DeviceOutboundInterface").
var cefColumn, cefColumnFold = func() (map[string]string, map[string]string) {
	exact := make(map[string]string, 2*len(cefKeys))
	fold := make(map[string]string, 2*len(cefKeys))
	for _, k := range cefKeys {
		exact[k.key] = k.column
		exact[k.full] = k.column
		fold[strings.ToLower(k.key)] = k.column
		fold[strings.ToLower(k.full)] = k.column
	}
	return exact, fold
}()

// lookupCEFKey returns the column of an extension key.
func lookupCEFKey(key string) (string, bool) {
	if c, ok := cefColumn[key]; ok {
		return c, true
	}
	c, ok := cefColumnFold[strings.ToLower(key)]
	return c, ok
}
