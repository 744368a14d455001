package cloud

import (
	"fmt"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
)

// Office normalizes Microsoft 365 unified audit log records into
// CloudAppEvents, and sign-ins among them (UserLoggedIn, UserLoginFailed)
// into IdentityLogonEvents too. Two shapes, two formats:
//
//   - "m365-audit": the Office 365 Management Activity API's own JSON
//     (CreationTime, Operation, Workload, RecordType, UserId, ClientIP),
//     for shippers that pull the API directly;
//   - "office-activity": Sentinel's OfficeActivity rows (TimeGenerated,
//     OfficeWorkload, Client_IPAddress, dynamic values as JSON text).
//
// Sentinel rows are first rewritten into the API's shape (JSON text
// decoded, renamed fields given their API names), so one mapping serves
// both and RawEventData reads the same either way.
type Office struct {
	sentinel bool
}

// NewOfficeActivity returns the "office-activity" normalizer.
func NewOfficeActivity() *Office { return &Office{sentinel: true} }

// NewM365Audit returns the "m365-audit" normalizer.
func NewM365Audit() *Office { return &Office{} }

func (o *Office) Format() string {
	if o.sentinel {
		return "office-activity"
	}
	return "m365-audit"
}

func (o *Office) Detect(in *ingest.Input) bool {
	v := in.JSON
	if v == nil {
		return false
	}
	if o.sentinel {
		return ingest.Str(v, "Type") == "OfficeActivity" || (v.Get("OfficeWorkload") != nil && v.Get("Operation") != nil)
	}
	return v.Get("CreationTime") != nil && hasString(v, "Operation") && v.Get("Workload") != nil &&
		v.Get("RecordType") != nil && v.Get("OfficeWorkload") == nil
}

// sentinelAliases are OfficeActivity columns and the API fields they hold.
var sentinelAliases = map[string]string{
	"OfficeWorkload":   "Workload",
	"OfficeId":         "Id",
	"TimeGenerated":    "CreationTime",
	"Client_IPAddress": "ClientIPAddress",
	"OfficeObjectId":   "ObjectId",
	"Site_Url":         "SiteUrl",
	"Logon_Type":       "LogonType",
	"OfficeTenantId":   "OrganizationId",
}

func (o *Office) Normalize(in *ingest.Input, out *ingest.RowSet) error {
	if err := needObject(in, "Microsoft 365 audit"); err != nil {
		return err
	}
	v := in.JSON
	raw := ingest.RecordJSON(v)
	if o.sentinel {
		raw = decodeEmbedded(v, sentinelAliases)
		var p fastjson.Parser
		d, err := p.ParseBytes(raw)
		if err != nil {
			return fmt.Errorf("cannot rewrite the row: %v", err)
		}
		v = d
	}
	t, err := timeOf(v, "CreationTime", "TimeGenerated")
	if err != nil {
		return err
	}
	op := ingest.Str(v, "Operation")
	if op == "" {
		return fmt.Errorf("no Operation")
	}
	workload := ingest.Str(v, "Workload")
	app, appID := o365Workload(workload)
	userType := userTypeOf(v.Get("UserType"))
	ip := ipOf(first(v, "ClientIP", "ClientIPAddress", "ActorIpAddress"))
	id := ingest.Str(v, "Id")
	if id == "" {
		id = first(v, "SourceRecordId")
	}
	if id == "" {
		id = ingest.ReportIDString(in.Data, 0)
	}
	user := ingest.Str(v, "UserId")

	row := out.New("CloudAppEvents")
	row.Set("Timestamp", t)
	row.Set("ActionType", op)
	row.Set("Application", app)
	if appID != 0 {
		row.Set("ApplicationId", appID)
	}
	row.SetString("AccountObjectId", actorObjectID(v))
	row.SetString("AccountId", user)
	row.SetString("AccountDisplayName", user)
	if userType != "" {
		row.Set("AccountType", o365AccountTypes[userType])
		row.Set("IsAdminOperation", userType == "Admin" || userType == "DcAdmin")
	}
	row.SetString("IPAddress", ip)
	row.SetString("UserAgent", first(v, "UserAgent", "ClientInfoString"))
	if ua := extendedProperty(v, "UserAgent"); ua != "" && ingest.Str(v, "UserAgent") == "" && ingest.Str(v, "ClientInfoString") == "" {
		row.Set("UserAgent", ua)
	}
	row.SetString("ObjectName", first(v, "SourceFileName", "Item.Subject", "ObjectId"))
	row.SetString("ObjectType", ingest.Str(v, "ItemType"))
	row.SetString("ObjectId", first(v, "ObjectId", "Item.Id"))
	row.SetString("OAuthAppId", first(v, "ClientAppId", "AppAccessContext.ClientAppId", "AppId"))
	row.Set("ReportId", id)
	row.Set("RawEventData", raw)
	extra := ingest.Fields{}
	extra.Str("Workload", workload)
	extra.Str("RecordType", ingest.Str(v, "RecordType"))
	extra.Str("ResultStatus", ingest.Str(v, "ResultStatus"))
	extra.Str("UserType", userType)
	extra.Str("OrganizationName", ingest.Str(v, "OrganizationName"))
	extra.Str("MailboxOwnerUPN", ingest.Str(v, "MailboxOwnerUPN"))
	extra.Str("SiteUrl", ingest.Str(v, "SiteUrl"))
	if ip == "" {
		extra.Str("ClientIP", first(v, "ClientIP", "ClientIPAddress"))
	}
	row.SetRaw("AdditionalFields", extra.JSON())

	if op == "UserLoggedIn" || op == "UserLoginFailed" {
		o365Logon(out, v, t, op, user, ip, id)
	}
	return nil
}

// o365Logon records an Entra sign-in seen through the unified audit log.
func o365Logon(out *ingest.RowSet, v *fastjson.Value, t time.Time, op, user, ip, id string) {
	row := out.New("IdentityLogonEvents")
	row.Set("Timestamp", t)
	if op == "UserLoginFailed" {
		row.Set("ActionType", "LogonFailed")
		row.SetString("FailureReason", first(v, "LogonError", "ErrorNumber"))
	} else {
		row.Set("ActionType", "LogonSuccess")
	}
	row.Set("Application", o365Application)
	// Defender's LogonType for these is the request type ("OAuth2:Token").
	row.SetString("LogonType", extendedProperty(v, "RequestType"))
	name, domain := ingest.SplitUPN(user)
	row.SetString("AccountName", name)
	row.SetString("AccountDomain", domain)
	row.SetString("AccountUpn", user)
	row.SetString("AccountObjectId", actorObjectID(v))
	row.SetString("DeviceName", namedValue(v.Get("DeviceProperties"), "DisplayName"))
	row.SetString("OSPlatform", namedValue(v.Get("DeviceProperties"), "OS"))
	row.SetString("IPAddress", ip)
	row.Set("ReportId", id)
	extra := ingest.Fields{}
	extra.Str("UserAgent", extendedProperty(v, "UserAgent"))
	extra.Str("ResultStatusDetail", extendedProperty(v, "ResultStatusDetail"))
	extra.Str("ApplicationId", ingest.Str(v, "ApplicationId"))
	extra.Str("ErrorNumber", ingest.Str(v, "ErrorNumber"))
	row.SetRaw("AdditionalFields", extra.JSON())
}

// o365Workloads maps a unified audit log workload to Defender for Cloud
// Apps' application and its id. Entra ID events are filed under Office 365.
var o365Workloads = map[string]struct {
	name string
	id   int32
}{
	"exchange":             {"Microsoft Exchange Online", 20893},
	"sharepoint":           {"Microsoft SharePoint Online", 20892},
	"onedrive":             {"Microsoft OneDrive for Business", 15600},
	"microsoftteams":       {"Microsoft Teams", 28375},
	"azureactivedirectory": {o365Application, o365ApplicationID},
}

func o365Workload(w string) (string, int32) {
	if a, ok := o365Workloads[strings.ToLower(w)]; ok {
		return a.name, a.id
	}
	return o365Application, o365ApplicationID
}

// o365UserTypes names the unified audit log's numeric UserType.
var o365UserTypes = []string{"Regular", "Reserved", "Admin", "DcAdmin", "System", "Application", "ServicePrincipal", "CustomPolicy", "SystemPolicy"}

// o365AccountTypes maps UserType to Defender's AccountType.
var o365AccountTypes = map[string]string{
	"Regular": "Regular", "Reserved": "Regular", "Admin": "Admin", "DcAdmin": "Admin",
	"System": "System", "Application": "Application", "ServicePrincipal": "Application",
	"CustomPolicy": "System", "SystemPolicy": "System",
}

// userTypeOf reads UserType given as a number (the API) or a name
// (Sentinel).
func userTypeOf(f *fastjson.Value) string {
	if f == nil {
		return ""
	}
	s := jsonText(f)
	if n, ok := ingest.ParseInt(s); ok {
		if n >= 0 && n < int64(len(o365UserTypes)) {
			return o365UserTypes[n]
		}
		return ""
	}
	if _, ok := o365AccountTypes[s]; ok {
		return s
	}
	return ""
}

// extendedProperty finds a value in ExtendedProperties [{Name, Value}].
func extendedProperty(v *fastjson.Value, name string) string {
	return namedValue(v.Get("ExtendedProperties"), name)
}

func namedValue(list *fastjson.Value, name string) string {
	if list == nil || list.Type() != fastjson.TypeArray {
		return ""
	}
	a, _ := list.Array()
	for _, kv := range a {
		if ingest.Str(kv, "Name") == name {
			return ingest.Str(kv, "Value")
		}
	}
	return ""
}

// actorObjectID is the acting user's Entra object id when the record
// names it: the first Actor entry holding a GUID (the others hold UPNs
// or PUIDs), else an Entra ID record's UserKey.
func actorObjectID(v *fastjson.Value) string {
	if a := v.Get("Actor"); a != nil && a.Type() == fastjson.TypeArray {
		arr, _ := a.Array()
		for _, e := range arr {
			if id := ingest.Str(e, "ID"); isGUID(id) {
				return id
			}
		}
	}
	// Entra ID records key the user by object id.
	if strings.EqualFold(ingest.Str(v, "Workload"), "AzureActiveDirectory") && isGUID(ingest.Str(v, "UserKey")) {
		return ingest.Str(v, "UserKey")
	}
	return ""
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}
