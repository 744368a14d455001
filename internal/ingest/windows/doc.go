// Package windows normalizes Windows event log records (Sysmon, Security,
// System, and any other channel) into Defender's advanced hunting tables,
// and keeps a raw copy of every record in SecurityEvent or WindowsEvent.
//
// # Shapes
//
// Three record shapes decode into one Event (System part + event data as
// name/value pairs); each is a Normalizer with its own format:
//
//	format            constructor       shape
//	otrf              NewOTRF()         flat JSON, System fields and event data side by side
//	                                    (OTRF Security-Datasets: NXLog behind Logstash, or
//	                                    OTRF's exporter); Channel in either case
//	winlogbeat        NewWinlogbeat()   Elastic Winlogbeat 7.x/8.x: winlog.channel,
//	                                    winlog.event_id (string or number), winlog.event_data,
//	                                    winlog.user_data, @timestamp; Sysmon fields that
//	                                    Elastic's ingest pipeline moved to ECS are restored
//	sentinel-windows  NewSentinel()     Sentinel/Log Analytics rows of SecurityEvent (event
//	                                    data as columns), Event (EventLog, EventData XML) and
//	                                    WindowsEvent (EventData object or JSON text)
//
// Detect is specific and cheap: otrf wants top-level EventID and Channel
// and neither winlog nor TimeGenerated; winlogbeat wants a winlog object;
// sentinel-windows wants TimeGenerated, Computer and EventID and, when
// there is a Type, one of the three tables. Exactly one accepts each
// Windows record; records of other sources match none.
//
// Time: otrf takes TimeCreated, then @timestamp (Logstash's receipt time,
// UTC), then UtcTime, then EventTime (NXLog's local time). TimeCreated
// first because Sysmon's UtcTime disagrees with it by hours in several
// OTRF recordings while TimeCreated agrees with the Security events beside
// it. winlogbeat takes @timestamp; sentinel-windows TimeGenerated.
//
// A record is rejected, with the reason, when it has no event ID, no
// channel, no time or no computer name, or when a field has the wrong
// type (an EventID that is an object, an EventData that is a number,
// EventData text that is malformed JSON or XML). A Sentinel row without
// Channel, EventLog or Type is read as Security when its ID is in the
// Security auditing ranges (one such row is in the Golden SAML set).
//
// # Rows
//
// Every decoded record yields its raw copy: SecurityEvent for the
// Security channel (Activity "4624 - An account was successfully logged
// on.", Account/AccountType/SubjectAccount/TargetAccount, LogonTypeName,
// Level 8/16 for audit success/failure, every event-data field that names
// a column, EventData as the JSON of all event data) and WindowsEvent for
// every other channel (Provider, Task, EventLevel, EventRecordId,
// EventData as a JSON object, RawEventData the rendered message when the
// shipper kept it). Records of channels or IDs with no mapping below
// (PowerShell 4103/4104, WMI, Task Scheduler, unknown IDs) yield only the
// raw copy; that is not an error.
//
// The normalized rows follow Defender's column semantics: FolderPath is
// the full path and FileName its last element; AccountDomain/AccountName
// are split from DOMAIN\user; hashes are lower-case hex; registry keys use
// HKEY_LOCAL_MACHINE / HKEY_CURRENT_USER\<SID> / HKEY_USERS\.DEFAULT;
// IPv6 addresses are canonical and IP types use Defender's names; Windows'
// "-" is empty. DeviceName is the lower-cased computer name as recorded;
// DeviceId is the hex SHA-1 of the lower-cased first label of the name,
// so one host logged as "WORKSTATION6" and as
// "WORKSTATION6.theshire.local" keeps one DeviceId. ReportId is derived
// from the record's bytes and the row's position (replaying a file gives
// the same ids); the Identity tables, whose ReportId is a string, get its
// decimal text. Event-data fields no column takes go to AdditionalFields
// (JSON text in the Device tables, dynamic in the Identity tables) beside
// the extras listed below; DeviceRegistryEvents and DeviceImageLoadEvents
// have no AdditionalFields, and their raw copy keeps everything.
//
// ActionTypes are Defender's where Defender has one; the others (marked *)
// are named after the Sysmon or Windows event.
//
// Sysmon (Microsoft-Windows-Sysmon/Operational):
//
//	ID   table                  ActionType                       notes
//	1    DeviceProcessEvents    ProcessCreated                   Image, CommandLine, Hashes, IntegrityLevel,
//	                                                             User, LogonId, version info; Parent* -> InitiatingProcess*
//	2    DeviceFileEvents       FileCreationTimeChanged*         old and new times in AdditionalFields
//	3    DeviceNetworkEvents    ConnectionSuccess                Initiated=false: InboundConnectionAccepted,
//	                                                             local and remote swapped; RemoteUrl = DestinationHostname
//	4    DeviceEvents           SysmonServiceStateChanged*
//	5    DeviceEvents           ProcessTerminated*               Defender records no exits; the process is FileName/ProcessId
//	6    DeviceEvents           DriverLoad                       driver in FileName/FolderPath, signature in AdditionalFields
//	7    DeviceImageLoadEvents  ImageLoaded
//	8    DeviceEvents           CreateRemoteThreadApiCall        target in FileName/ProcessId/Account*, source in InitiatingProcess*
//	9    DeviceEvents           RawAccessRead*                   device in FolderPath
//	10   DeviceEvents           OpenProcessApiCall               as 8; GrantedAccess (and DesiredAccess as a number),
//	                                                             CallTrace in AdditionalFields
//	11   DeviceFileEvents       FileCreated
//	12   DeviceRegistryEvents   RegistryKeyCreated               by EventType: CreateKey, DeleteKey (RegistryKeyDeleted),
//	13                          RegistryValueSet                 DeleteValue (RegistryValueDeleted), SetValue, RenameKey
//	14                          RegistryKeyRenamed               (RegistryKeyRenamed, PreviousRegistryKey); a lost
//	                                                             EventType reads as the ID's usual one. Details "DWORD (0x44)"
//	                                                             becomes type Dword, data "68"
//	15   DeviceFileEvents       FileStreamCreated*               stream name in AdditionalFields; Zone.Identifier's
//	                                                             HostUrl/ReferrerUrl -> FileOriginUrl/FileOriginReferrerUrl
//	16   DeviceEvents           SysmonConfigurationChanged*
//	17   DeviceEvents           NamedPipeEvent                   PipeName, FileOperation "File created", NamedPipeEnd "Server"
//	18   DeviceEvents           NamedPipeEvent                   FileOperation "File opened", NamedPipeEnd "Client"
//	19   DeviceEvents           WmiEventFilterRegistered*        filter, consumer and query in AdditionalFields
//	20   DeviceEvents           WmiEventConsumerRegistered*
//	21   DeviceEvents           WmiBindEventFilterToConsumer
//	22   DeviceEvents           DnsQueryResponse                 RemoteUrl = QueryName; QueryName/QueryStatus/QueryResults
//	                                                             in AdditionalFields
//	23   DeviceFileEvents       FileDeleted                      archived copy's hashes in SHA1/SHA256/MD5
//	24   DeviceEvents           ClipboardChanged*                Defender's GetClipboardData is a read, Sysmon's a write
//	25   DeviceEvents           ProcessTampering*
//	26   DeviceFileEvents       FileDeleted                      (detected only)
//	27   DeviceEvents           FileExecutableBlocked*
//	28   DeviceEvents           FileShreddingBlocked*
//	29   DeviceFileEvents       FileExecutableDetected*
//	255  DeviceEvents           SysmonError*
//
// Security:
//
//	ID                 table                    ActionType
//	4688               DeviceProcessEvents      ProcessCreated: NewProcessName, CommandLine, TokenElevationType ->
//	                                            ProcessTokenElevation, MandatoryLabel -> ProcessIntegrityLevel, the
//	                                            target account when named else the subject; ParentProcessName and
//	                                            the subject -> InitiatingProcess*
//	4689               DeviceEvents             ProcessTerminated*
//	4624 / 4625        DeviceLogonEvents        LogonSuccess / LogonFailed: Target* account, LogonType by name
//	                                            (Interactive, Network, Batch, Service, Unlock, NetworkCleartext,
//	                                            NewCredentials, RemoteInteractive, CachedInteractive, ...),
//	                                            IpAddress/IpPort/WorkstationName -> RemoteIP/RemotePort/
//	                                            RemoteDeviceName, AuthenticationPackageName -> Protocol,
//	                                            FailureReason from SubStatus/Status (WrongPassword, UnknownUser,
//	                                            AccountLocked, ...), ElevatedToken -> IsLocalAdmin
//	4634 / 4647        DeviceLogonEvents        Logoff*
//	4648               DeviceLogonEvents        LogonAttempted (explicit credentials; TargetServerName ->
//	                                            RemoteDeviceName)
//	4672               DeviceLogonEvents        SpecialPrivilegesAssigned* (IsLocalAdmin, PrivilegeList)
//	4657               DeviceRegistryEvents     RegistryValueSet / RegistryValueDeleted, old value in
//	                                            PreviousRegistryValueData
//	4663               DeviceEvents             ObjectAccessAttempted* (file -> FolderPath, key -> RegistryKey)
//	4697; System 7045  DeviceEvents             ServiceInstalled (service binary in FileName/FolderPath;
//	                                            ServiceName, ServiceFileName, ServiceType, ServiceStartType,
//	                                            ServiceAccount in AdditionalFields)
//	4698-4702          DeviceEvents             ScheduledTaskCreated / Deleted / Enabled / Disabled / Updated
//	                                            (TaskName, TaskContent)
//	1102               DeviceEvents             SecurityLogCleared
//	5140 / 5145        DeviceEvents             NetworkShareAccessed* / NetworkShareObjectAccessChecked*
//	                                            (IpAddress -> RemoteIP, share and path in AdditionalFields)
//	5156               DeviceNetworkEvents      ConnectionSuccess, inbound: InboundConnectionAccepted
//	                                            (Application -> InitiatingProcessFolderPath as the device path)
//	5154               DeviceNetworkEvents      ListeningConnectionCreated
//	5157 / 5152        DeviceEvents             FirewallOutboundConnectionBlocked / FirewallInboundConnectionBlocked
//
// Domain controllers. Kerberos, NTLM and directory events logged by a
// domain controller go to the Identity tables, as Defender for Identity
// reports them; the same account-management events on any other host
// concern its local accounts and go to DeviceEvents. A host is a domain
// controller when the event is one only domain controllers log (4768-4771;
// 4662 on the "DS" object server; 4727-4730, 4754-4758 domain groups;
// 4741-4743 computer accounts; 5136-5141 directory changes), when an
// account event names a domain that is not the host's own name (nor
// Builtin, NT AUTHORITY), when its name says so (first label "dc", ends in
// "dc" with an optional number: DC01, MORDORDC, corp-dc2, dc_x), or when a
// normalizer has seen it do one of the first two before (remembered per
// normalizer, up to 10,000 hosts).
//
//	ID                          on a domain controller                      elsewhere
//	4768 / 4771                 IdentityLogonEvents LogonSuccess/LogonFailed, -
//	                            Protocol Kerberos, "Credentials validation",
//	                            FailureReason from the KDC code; ServiceName,
//	                            TicketEncryptionType, EncryptionType in
//	                            AdditionalFields
//	4769                        as 4768, "Resource access"; a service account
//	                            ending in $ is TargetDeviceName
//	4776                        IdentityLogonEvents, Protocol NTLM,           raw copy only
//	                            Workstation -> DeviceName
//	4662 with DS-Replication-   IdentityDirectoryEvents "Directory Services   raw copy only
//	Get-Changes(-All, -In-      replication", ReplicationRights in
//	Filtered-Set) GUIDs         AdditionalFields (DCSync); other 4662: raw
//	4720                        "User Account Created"                        DeviceEvents UserAccountCreated
//	4722 / 4725                 "Account Disabled changed" (FROM/TO in        UserAccountModified (Change)
//	                            AdditionalFields)
//	4723 / 4724                 "Account Password changed"                    UserAccountModified
//	4726                        "Security Principal Deleted changed"          UserAccountDeleted
//	4738 / 4742                 by the attribute that changed: "Account       UserAccountModified
//	                            Password changed" (PasswordLastSet), "SAM
//	                            Account Name changed", "Account Upn Name
//	                            changed", "Account Constrained Delegation
//	                            SPNs changed", UserAccountControl flags
//	                            ("Account Password Never Expires changed",
//	                            ...), else "Account attributes changed"*
//	4740 / 4767                 "Account Locked changed"                      UserAccountModified
//	4728/4732/4756 (added),     "Group Membership changed", TO.GROUP /        UserAccountAddedToLocalGroup /
//	4729/4733/4757 (removed)    FROM.GROUP, TARGET_OBJECT.USER                UserAccountRemovedFromLocalGroup
//	5136                        by attribute: member -> "Group Membership      -
//	                            changed", sAMAccountName, userPrincipalName,
//	                            servicePrincipalName, ...; else "Directory
//	                            object modified"*
//
// In IdentityDirectoryEvents the subject (the actor) fills Account*, the
// object fills TargetAccountDisplayName/TargetAccountUpn/TargetDeviceName,
// and the domain controller is DestinationDeviceName.
//
// Normalizers are safe for concurrent use.
package windows
