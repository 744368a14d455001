package simulate

import (
	"fmt"

	"github.com/vigilsec/vigil/internal/jsonenc"
	"github.com/vigilsec/vigil/internal/schema"
)

// colID names a column independently of the table: the generator fills
// "InitiatingProcessFileName" once, and each table knows where (or
// whether) it has that column. IDs are assigned in declaration order.
type colID uint16

var colNames []string

func col(name string) colID {
	colNames = append(colNames, name)
	return colID(len(colNames) - 1)
}

// The columns the generator fills by name. Scenario rows may set any
// column of any table by its schema position; these are the ones Go code
// fills.
var (
	cTimestamp  = col("Timestamp")
	cDeviceId   = col("DeviceId")
	cDeviceName = col("DeviceName")
	cActionType = col("ActionType")
	cReportId   = col("ReportId")

	cFileName            = col("FileName")
	cFolderPath          = col("FolderPath")
	cSHA1                = col("SHA1")
	cSHA256              = col("SHA256")
	cMD5                 = col("MD5")
	cFileSize            = col("FileSize")
	cPreviousFileName    = col("PreviousFileName")
	cPreviousFolderPath  = col("PreviousFolderPath")
	cFileOriginUrl       = col("FileOriginUrl")
	cProcCompany         = col("ProcessVersionInfoCompanyName")
	cProcProduct         = col("ProcessVersionInfoProductName")
	cProcVersion         = col("ProcessVersionInfoProductVersion")
	cProcInternal        = col("ProcessVersionInfoInternalFileName")
	cProcOriginal        = col("ProcessVersionInfoOriginalFileName")
	cProcDescription     = col("ProcessVersionInfoFileDescription")
	cProcessId           = col("ProcessId")
	cProcessCommandLine  = col("ProcessCommandLine")
	cProcessIntegrity    = col("ProcessIntegrityLevel")
	cProcessElevation    = col("ProcessTokenElevation")
	cProcessCreationTime = col("ProcessCreationTime")

	cAccountDomain      = col("AccountDomain")
	cAccountName        = col("AccountName")
	cAccountSid         = col("AccountSid")
	cAccountUpn         = col("AccountUpn")
	cAccountObjectId    = col("AccountObjectId")
	cAccountDisplayName = col("AccountDisplayName")
	cAccountId          = col("AccountId")
	cLogonId            = col("LogonId")

	cIPAccountDomain   = col("InitiatingProcessAccountDomain")
	cIPAccountName     = col("InitiatingProcessAccountName")
	cIPAccountSid      = col("InitiatingProcessAccountSid")
	cIPAccountUpn      = col("InitiatingProcessAccountUpn")
	cIPAccountObjectId = col("InitiatingProcessAccountObjectId")
	cIPLogonId         = col("InitiatingProcessLogonId")
	cIPIntegrity       = col("InitiatingProcessIntegrityLevel")
	cIPElevation       = col("InitiatingProcessTokenElevation")
	cIPSHA1            = col("InitiatingProcessSHA1")
	cIPSHA256          = col("InitiatingProcessSHA256")
	cIPMD5             = col("InitiatingProcessMD5")
	cIPFileName        = col("InitiatingProcessFileName")
	cIPFileSize        = col("InitiatingProcessFileSize")
	cIPCompany         = col("InitiatingProcessVersionInfoCompanyName")
	cIPProduct         = col("InitiatingProcessVersionInfoProductName")
	cIPVersion         = col("InitiatingProcessVersionInfoProductVersion")
	cIPInternal        = col("InitiatingProcessVersionInfoInternalFileName")
	cIPOriginal        = col("InitiatingProcessVersionInfoOriginalFileName")
	cIPDescription     = col("InitiatingProcessVersionInfoFileDescription")
	cIPId              = col("InitiatingProcessId")
	cIPCommandLine     = col("InitiatingProcessCommandLine")
	cIPCreationTime    = col("InitiatingProcessCreationTime")
	cIPFolderPath      = col("InitiatingProcessFolderPath")
	cIPParentId        = col("InitiatingProcessParentId")
	cIPParentFileName  = col("InitiatingProcessParentFileName")
	cIPParentCreation  = col("InitiatingProcessParentCreationTime")
	cIPSessionId       = col("InitiatingProcessSessionId")
	cIPRemoteSession   = col("IsInitiatingProcessRemoteSession")

	cRemoteIP         = col("RemoteIP")
	cRemotePort       = col("RemotePort")
	cRemoteUrl        = col("RemoteUrl")
	cLocalIP          = col("LocalIP")
	cLocalPort        = col("LocalPort")
	cProtocol         = col("Protocol")
	cLocalIPType      = col("LocalIPType")
	cRemoteIPType     = col("RemoteIPType")
	cRemoteDeviceName = col("RemoteDeviceName")
	cAdditionalFields = col("AdditionalFields")

	cRegistryKey       = col("RegistryKey")
	cRegistryValueType = col("RegistryValueType")
	cRegistryValueName = col("RegistryValueName")
	cRegistryValueData = col("RegistryValueData")

	cLogonType     = col("LogonType")
	cFailureReason = col("FailureReason")
	cIsLocalAdmin  = col("IsLocalAdmin")

	// DeviceInfo and DeviceNetworkInfo.
	cClientVersion        = col("ClientVersion")
	cPublicIP             = col("PublicIP")
	cOSArchitecture       = col("OSArchitecture")
	cOSPlatform           = col("OSPlatform")
	cOSBuild              = col("OSBuild")
	cIsAzureADJoined      = col("IsAzureADJoined")
	cJoinType             = col("JoinType")
	cAadDeviceId          = col("AadDeviceId")
	cLoggedOnUsers        = col("LoggedOnUsers")
	cOSVersion            = col("OSVersion")
	cMachineGroup         = col("MachineGroup")
	cOnboardingStatus     = col("OnboardingStatus")
	cDeviceCategory       = col("DeviceCategory")
	cDeviceType           = col("DeviceType")
	cModel                = col("Model")
	cVendor               = col("Vendor")
	cOSDistribution       = col("OSDistribution")
	cOSVersionInfo        = col("OSVersionInfo")
	cIsInternetFacing     = col("IsInternetFacing")
	cSensorHealthState    = col("SensorHealthState")
	cExposureLevel        = col("ExposureLevel")
	cAssetValue           = col("AssetValue")
	cDeviceManualTags     = col("DeviceManualTags")
	cConnectivityType     = col("ConnectivityType")
	cNetworkAdapterName   = col("NetworkAdapterName")
	cMacAddress           = col("MacAddress")
	cNetworkAdapterType   = col("NetworkAdapterType")
	cNetworkAdapterStatus = col("NetworkAdapterStatus")
	cTunnelType           = col("TunnelType")
	cConnectedNetworks    = col("ConnectedNetworks")
	cDnsAddresses         = col("DnsAddresses")
	cIPv4Dhcp             = col("IPv4Dhcp")
	cDefaultGateways      = col("DefaultGateways")
	cIPAddresses          = col("IPAddresses")
	cNetworkAdapterVendor = col("NetworkAdapterVendor")

	// Email.
	cNetworkMessageId      = col("NetworkMessageId")
	cInternetMessageId     = col("InternetMessageId")
	cSenderMailFromAddress = col("SenderMailFromAddress")
	cSenderFromAddress     = col("SenderFromAddress")
	cSenderDisplayName     = col("SenderDisplayName")
	cSenderObjectId        = col("SenderObjectId")
	cSenderMailFromDomain  = col("SenderMailFromDomain")
	cSenderFromDomain      = col("SenderFromDomain")
	cSenderIPv4            = col("SenderIPv4")
	cRecipientEmail        = col("RecipientEmailAddress")
	cRecipientObjectId     = col("RecipientObjectId")
	cSubject               = col("Subject")
	cEmailClusterId        = col("EmailClusterId")
	cEmailDirection        = col("EmailDirection")
	cDeliveryAction        = col("DeliveryAction")
	cDeliveryLocation      = col("DeliveryLocation")
	cThreatTypes           = col("ThreatTypes")
	cDetectionMethods      = col("DetectionMethods")
	cAuthDetails           = col("AuthenticationDetails")
	cAttachmentCount       = col("AttachmentCount")
	cUrlCount              = col("UrlCount")
	cEmailLanguage         = col("EmailLanguage")
	cOrgLevelAction        = col("OrgLevelAction")
	cLatestDeliveryLoc     = col("LatestDeliveryLocation")
	cLatestDeliveryAction  = col("LatestDeliveryAction")
	cBulkComplaintLevel    = col("BulkComplaintLevel")
	cFileType              = col("FileType")
	cUrl                   = col("Url")
	cUrlDomain             = col("UrlDomain")
	cUrlLocation           = col("UrlLocation")
	cWorkload              = col("Workload")
	cIPAddress             = col("IPAddress")
	cIsClickedThrough      = col("IsClickedThrough")
	cUrlChain              = col("UrlChain")

	// Identity.
	cApplication           = col("Application")
	cPort                  = col("Port")
	cDestinationDeviceName = col("DestinationDeviceName")
	cDestinationIPAddress  = col("DestinationIPAddress")
	cDestinationPort       = col("DestinationPort")
	cTargetDeviceName      = col("TargetDeviceName")
	cTargetAccountUpn      = col("TargetAccountUpn")
	cTargetAccountDisplay  = col("TargetAccountDisplayName")
	cIsp                   = col("Isp")
	cOnPremSid             = col("OnPremSid")
	cCriticalityLevel      = col("CriticalityLevel")
	cType                  = col("Type")
	cDistinguishedName     = col("DistinguishedName")
	cGivenName             = col("GivenName")
	cSurname               = col("Surname")
	cDepartment            = col("Department")
	cJobTitle              = col("JobTitle")
	cEmailAddress          = col("EmailAddress")
	cCity                  = col("City")
	cCountry               = col("Country")
	cIsAccountEnabled      = col("IsAccountEnabled")
	cManager               = col("Manager")
	cCreatedDateTime       = col("CreatedDateTime")
	cCompanyName           = col("CompanyName")
	cTenantId              = col("TenantId")
	cSourceProviders       = col("SourceProviders")
	cGroupMembership       = col("GroupMembership")
	cAssignedRoles         = col("AssignedRoles")
	cIdentityEnvironment   = col("IdentityEnvironment")
	cEmployeeId            = col("EmployeeId")

	// Cloud apps and sign-ins.
	cApplicationId       = col("ApplicationId")
	cIsAdminOperation    = col("IsAdminOperation")
	cIsAnonymousProxy    = col("IsAnonymousProxy")
	cCountryCode         = col("CountryCode")
	cUserAgent           = col("UserAgent")
	cActivityType        = col("ActivityType")
	cActivityObjects     = col("ActivityObjects")
	cObjectName          = col("ObjectName")
	cObjectType          = col("ObjectType")
	cAccountType         = col("AccountType")
	cIsExternalUser      = col("IsExternalUser")
	cIsImpersonated      = col("IsImpersonated")
	cRawEventData        = col("RawEventData")
	cErrorCode           = col("ErrorCode")
	cCorrelationId       = col("CorrelationId")
	cSessionId           = col("SessionId")
	cIsGuestUser         = col("IsGuestUser")
	cResourceDisplayName = col("ResourceDisplayName")
	cResourceId          = col("ResourceId")
	cResourceTenantId    = col("ResourceTenantId")
	cDeviceTrustType     = col("DeviceTrustType")
	cIsManaged           = col("IsManaged")
	cIsCompliant         = col("IsCompliant")
	cAuthRequirement     = col("AuthenticationRequirement")
	cClientAppUsed       = col("ClientAppUsed")
	cBrowser             = col("Browser")
	cConditionalStatus   = col("ConditionalAccessStatus")
	cRiskLevelAggregated = col("RiskLevelAggregated")
	cRequestId           = col("RequestId")
)

// tab is a schema table prepared for fast row building and encoding.
type tab struct {
	id    int
	name  string
	s     *schema.Table
	idx   []int16       // by colID: position in the table, or -1
	types []schema.Type // by position
	keys  [][]byte      // by position: `,"Column":`
	open  []byte        // `{"$table":"Name"`
	// hasDevice: the table is keyed by DeviceId, so its rows take part in
	// the per-device timestamp order. devHead: its first columns are
	// Timestamp, DeviceId, DeviceName (every Device* table).
	hasDevice bool
	devHead   bool
	// The InitiatingProcess* columns as maximal runs of adjacent
	// positions, so that a process's encoding of them can be cached and
	// written in schema order (see procFrag). runAt[i] is the run starting
	// at position i, or -1; ipSlot indexes a process's cache (-1: none).
	runs      []ipRun
	runAt     []int8
	runStarts [maxColumns / 64]uint64
	ipCol     []colID // by position, for InitiatingProcess* columns
	ipSlot    int
}

type ipRun struct{ first, last int }

var (
	tabs      []*tab
	tabByName map[string]*tab

	tProc, tNet, tFile, tReg, tLogon, tImage, tDevEvents, tDevInfo, tDevNetInfo *tab
	tEmail, tAttach, tEmailURL, tClick                                          *tab
	tIdLogon, tIdDir, tIdQuery, tIdInfo, tCloud, tAAD                           *tab
)

// maxColumns bounds a row's set-column bitmap.
const maxColumns = 256

// initiatingCols are the columns row.initiating fills.
var initiatingCols = []colID{
	cIPFileName, cIPFolderPath, cIPSHA1, cIPSHA256, cIPMD5, cIPFileSize, cIPCompany, cIPProduct, cIPVersion,
	cIPInternal, cIPOriginal, cIPDescription, cIPId, cIPCommandLine, cIPCreationTime, cIPParentId,
	cIPParentFileName, cIPParentCreation, cIPAccountDomain, cIPAccountName, cIPAccountSid, cIPAccountUpn,
	cIPAccountObjectId, cIPIntegrity, cIPElevation, cIPLogonId, cIPSessionId, cIPRemoteSession,
}

// ipSlots counts the tables with InitiatingProcess* columns.
var ipSlots int

func init() {
	// Pure data setup from the schema: no I/O.
	tabByName = map[string]*tab{}
	for i, st := range schema.Tables() {
		if len(st.Columns) > maxColumns {
			panic(fmt.Sprintf("simulate: table %s has %d columns, more than %d", st.Name, len(st.Columns), maxColumns))
		}
		t := &tab{id: i, name: st.Name, s: st, idx: make([]int16, len(colNames))}
		for c, name := range colNames {
			t.idx[c] = -1
			if _, pos, ok := st.Column(name); ok {
				t.idx[c] = int16(pos)
			}
		}
		t.open = jsonenc.AppendString([]byte(`{"$table":`), st.Name)
		for _, c := range st.Columns {
			t.types = append(t.types, c.Type)
			k := jsonenc.AppendString([]byte{','}, c.Name)
			t.keys = append(t.keys, append(k, ':'))
		}
		t.hasDevice = t.idx[cDeviceId] >= 0
		t.devHead = t.idx[cTimestamp] == 0 && t.idx[cDeviceId] == 1 && t.idx[cDeviceName] == 2
		t.ipSlot = -1
		t.runAt = make([]int8, len(st.Columns))
		for i := range t.runAt {
			t.runAt[i] = -1
		}
		inIP := make([]bool, len(st.Columns))
		t.ipCol = make([]colID, len(st.Columns))
		for _, c := range initiatingCols {
			if i := t.idx[c]; i >= 0 {
				inIP[i] = true
				t.ipCol[i] = c
			}
		}
		for i := 0; i < len(inIP); i++ {
			if !inIP[i] {
				continue
			}
			j := i
			for j+1 < len(inIP) && inIP[j+1] {
				j++
			}
			t.runAt[i] = int8(len(t.runs))
			t.runStarts[i>>6] |= 1 << (uint(i) & 63)
			t.runs = append(t.runs, ipRun{i, j})
			i = j
		}
		if len(t.runs) > 0 {
			if ipSlots == 64 || len(t.runs) >= len(procFrag{}.cut) {
				panic("simulate: too many tables or runs with InitiatingProcess columns")
			}
			t.ipSlot = ipSlots
			ipSlots++
		}
		tabs = append(tabs, t)
		tabByName[st.Name] = t
	}
	must := func(name string) *tab {
		t, ok := tabByName[name]
		if !ok {
			panic("simulate: schema lacks table " + name)
		}
		return t
	}
	tProc, tNet, tFile = must("DeviceProcessEvents"), must("DeviceNetworkEvents"), must("DeviceFileEvents")
	tReg, tLogon, tImage = must("DeviceRegistryEvents"), must("DeviceLogonEvents"), must("DeviceImageLoadEvents")
	tDevEvents, tDevInfo, tDevNetInfo = must("DeviceEvents"), must("DeviceInfo"), must("DeviceNetworkInfo")
	tEmail, tAttach, tEmailURL, tClick = must("EmailEvents"), must("EmailAttachmentInfo"), must("EmailUrlInfo"), must("UrlClickEvents")
	tIdLogon, tIdDir, tIdQuery = must("IdentityLogonEvents"), must("IdentityDirectoryEvents"), must("IdentityQueryEvents")
	tIdInfo, tCloud, tAAD = must("IdentityInfo"), must("CloudAppEvents"), must("AADSignInEventsBeta")
}

// BenignTables lists the tables the simulated organisation's everyday
// activity fills; scenarios may add rows to any table of the schema.
func BenignTables() []string {
	ts := []*tab{tProc, tNet, tFile, tReg, tLogon, tImage, tDevEvents, tDevInfo, tDevNetInfo,
		tEmail, tAttach, tEmailURL, tClick, tIdLogon, tIdDir, tIdQuery, tIdInfo, tCloud, tAAD}
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.name
	}
	return out
}
