package cloud

import (
	"fmt"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
)

// EntraSignIn normalizes Microsoft Entra ID sign-in records (Sentinel
// SigninLogs, AADNonInteractiveUserSignInLogs, AADServicePrincipalSignInLogs
// and AADManagedIdentitySignInLogs rows, diagnostic-settings exports, Graph
// signIn resources). User sign-ins become AADSignInEventsBeta and
// IdentityLogonEvents rows, service principal and managed identity
// sign-ins AADSpnSignInEventsBeta rows; a RawEvents row keeps the record,
// since none of those tables has a column for it.
type EntraSignIn struct{}

// NewEntraSignIn returns the "entra-signin" normalizer.
func NewEntraSignIn() *EntraSignIn { return &EntraSignIn{} }

func (*EntraSignIn) Format() string { return "entra-signin" }

// signInKinds maps Sentinel table names and diagnostic categories to the
// kind of sign-in.
var signInKinds = map[string]string{
	"SigninLogs":                      "interactive",
	"AADNonInteractiveUserSignInLogs": "noninteractive",
	"AADServicePrincipalSignInLogs":   "spn",
	"AADManagedIdentitySignInLogs":    "msi",
	"SignInLogs":                      "interactive",
	"NonInteractiveUserSignInLogs":    "noninteractive",
	"ServicePrincipalSignInLogs":      "spn",
	"ManagedIdentitySignInLogs":       "msi",
}

func (*EntraSignIn) Detect(in *ingest.Input) bool {
	v := in.JSON
	if v == nil {
		return false
	}
	if _, ok := signInKinds[ingest.Str(v, "Type")]; ok {
		return true
	}
	if _, ok := signInKinds[ingest.Str(v, "category")]; ok && isObject(v, "properties") {
		return true
	}
	if ingest.Str(v, "OperationName") == "Sign-in activity" && (v.Get("UserPrincipalName") != nil || v.Get("ServicePrincipalId") != nil) {
		return true
	}
	// Graph signIn resource.
	return v.Get("createdDateTime") != nil && v.Get("appDisplayName") != nil && isObject(v, "status") &&
		(v.Get("userPrincipalName") != nil || v.Get("servicePrincipalId") != nil)
}

func (*EntraSignIn) Normalize(in *ingest.Input, out *ingest.RowSet) error {
	if err := needObject(in, "Entra ID sign-in"); err != nil {
		return err
	}
	e := newEntraView(in.JSON)
	t, ok := e.time([2]string{"TimeGenerated", "createdDateTime"}, [2]string{"CreatedDateTime", "time"})
	if !ok {
		return fmt.Errorf("no valid time (looked for TimeGenerated, CreatedDateTime, createdDateTime, time)")
	}
	kind := signInKinds[ingest.Str(in.JSON, "Type")]
	if kind == "" {
		kind = signInKinds[ingest.Str(in.JSON, "category")]
	}
	if kind == "" {
		switch {
		case e.str("ServicePrincipalId", "servicePrincipalId") != "" && e.str("UserPrincipalName", "userPrincipalName") == "":
			kind = "spn"
		case strings.EqualFold(e.str("IsInteractive", "isInteractive"), "false"):
			kind = "noninteractive"
		default:
			kind = "interactive"
		}
	}
	s := signInOf(e, in.JSON)
	id := e.str("Id", "id")
	if id == "" {
		id = ingest.ReportIDString(in.Data, 0)
	}
	if kind == "spn" || kind == "msi" {
		spnSignIn(out, t, e, s, id, kind == "msi")
	} else {
		userSignIn(out, t, e, s, id, kind)
		identityLogon(out, t, e, s, id, kind)
	}
	ingest.RawCopy(in, out, t, s.deviceName)
	return nil
}

// signIn holds the facts read from any of the record shapes.
type signIn struct {
	errorCode              int64
	hasErrorCode           bool
	failure                string
	ip                     string
	country, state, city   string
	lat, long              string
	deviceName, deviceID   string
	os, browser, trustType string
	isManaged, isCompliant *bool
}

func signInOf(e entraView, root *fastjson.Value) signIn {
	var s signIn
	status := e.obj("Status", "status")
	if n, ok := ingest.ParseInt(e.str("ResultType", "resultType")); ok {
		s.errorCode, s.hasErrorCode = n, true
	} else if n, ok := ingest.Int(status, "errorCode"); ok && status != nil {
		s.errorCode, s.hasErrorCode = n, true
	}
	s.failure = ingest.Str(status, "failureReason")
	if s.failure == "" || s.failure == "Other." {
		if d := e.str("ResultDescription", "resultDescription"); d != "" {
			s.failure = d
		}
	}
	s.ip = ipOf(e.str("IPAddress", "ipAddress"))
	if s.ip == "" {
		s.ip = ipOf(ingest.Str(root, "callerIpAddress"))
	}
	loc := e.obj("LocationDetails", "location")
	s.country = first(loc, "countryOrRegion")
	if s.country == "" {
		if l := e.get("Location", ""); l != nil && l.Type() == fastjson.TypeString {
			s.country = string(l.GetStringBytes())
		}
	}
	s.state, s.city = ingest.Str(loc, "state"), ingest.Str(loc, "city")
	s.lat, s.long = ingest.Str(loc, "geoCoordinates", "latitude"), ingest.Str(loc, "geoCoordinates", "longitude")
	dev := e.obj("DeviceDetail", "deviceDetail")
	s.deviceName, s.deviceID = ingest.Str(dev, "displayName"), ingest.Str(dev, "deviceId")
	s.os, s.browser, s.trustType = ingest.Str(dev, "operatingSystem"), ingest.Str(dev, "browser"), ingest.Str(dev, "trustType")
	if b, ok := boolOf(dev, "isManaged"); ok {
		s.isManaged = &b
	}
	if b, ok := boolOf(dev, "isCompliant"); ok {
		s.isCompliant = &b
	}
	return s
}

func userSignIn(out *ingest.RowSet, t time.Time, e entraView, s signIn, id, kind string) {
	row := out.New("AADSignInEventsBeta")
	row.Set("Timestamp", t)
	row.SetString("Application", e.str("AppDisplayName", "appDisplayName"))
	row.SetString("ApplicationId", e.str("AppId", "appId"))
	if kind == "noninteractive" {
		row.Set("LogonType", `["nonInteractiveUser"]`)
	} else {
		row.Set("LogonType", `["interactiveUser"]`)
	}
	if s.hasErrorCode && s.errorCode >= -1<<31 && s.errorCode < 1<<31 {
		row.Set("ErrorCode", int32(s.errorCode))
	}
	row.SetString("CorrelationId", e.str("CorrelationId", "correlationId"))
	row.SetString("SessionId", e.str("SessionId", "sessionId"))
	row.SetString("AccountDisplayName", e.str("UserDisplayName", "userDisplayName"))
	row.SetString("AccountObjectId", e.str("UserId", "userId"))
	row.SetString("AccountUpn", e.str("UserPrincipalName", "userPrincipalName"))
	if x, ok := crossTenant(e.str("CrossTenantAccessType", "crossTenantAccessType")); ok {
		row.Set("IsExternalUser", x)
	}
	if ut := e.str("UserType", "userType"); ut != "" {
		row.Set("IsGuestUser", strings.EqualFold(ut, "guest"))
	}
	row.SetString("AlternateSignInName", e.str("AlternateSignInName", "alternateSignInName"))
	row.SetString("ResourceDisplayName", e.str("ResourceDisplayName", "resourceDisplayName"))
	row.SetString("ResourceId", e.str("ResourceIdentity", "resourceId"))
	row.SetString("ResourceTenantId", e.str("ResourceTenantId", "resourceTenantId"))
	row.SetString("DeviceName", s.deviceName)
	row.SetString("AadDeviceId", s.deviceID)
	row.SetString("EntraIdDeviceId", s.deviceID)
	row.SetString("OSPlatform", s.os)
	row.SetString("DeviceTrustType", s.trustType)
	if s.isManaged != nil {
		row.Set("IsManaged", boolInt(*s.isManaged))
	}
	if s.isCompliant != nil {
		row.Set("IsCompliant", boolInt(*s.isCompliant))
	}
	row.SetString("AuthenticationProcessingDetails", jsonText(e.get("AuthenticationProcessingDetails", "authenticationProcessingDetails")))
	row.SetString("AuthenticationRequirement", e.str("AuthenticationRequirement", "authenticationRequirement"))
	if n, ok := tokenIssuerTypes[strings.ToLower(e.str("TokenIssuerType", "tokenIssuerType"))]; ok {
		row.Set("TokenIssuerType", n)
	}
	if n, ok := riskLevels[strings.ToLower(e.str("RiskLevelAggregated", "riskLevelAggregated"))]; ok {
		row.Set("RiskLevelAggregated", n)
	}
	if n, ok := riskDetails[strings.ToLower(e.str("RiskDetail", "riskDetail"))]; ok {
		row.Set("RiskDetails", n)
	}
	if n, ok := riskStates[strings.ToLower(e.str("RiskState", "riskState"))]; ok {
		row.Set("RiskState", n)
	}
	row.SetString("UserAgent", e.str("UserAgent", "userAgent"))
	row.SetString("ClientAppUsed", e.str("ClientAppUsed", "clientAppUsed"))
	row.SetString("Browser", s.browser)
	row.SetString("ConditionalAccessPolicies", jsonText(e.get("ConditionalAccessPolicies", "appliedConditionalAccessPolicies")))
	if n, ok := caStatuses[strings.ToLower(e.str("ConditionalAccessStatus", "conditionalAccessStatus"))]; ok {
		row.Set("ConditionalAccessStatus", n)
	}
	row.SetString("IPAddress", s.ip)
	row.SetString("Country", s.country)
	row.SetString("State", s.state)
	row.SetString("City", s.city)
	row.SetString("Latitude", s.lat)
	row.SetString("Longitude", s.long)
	row.SetString("NetworkLocationDetails", jsonText(e.get("NetworkLocationDetails", "networkLocationDetails")))
	row.SetString("RequestId", first2(e.str("OriginalRequestId", "originalRequestId"), id))
	row.Set("ReportId", id)
}

func identityLogon(out *ingest.RowSet, t time.Time, e entraView, s signIn, id, kind string) {
	row := out.New("IdentityLogonEvents")
	row.Set("Timestamp", t)
	failed := s.hasErrorCode && s.errorCode != 0
	if failed {
		row.Set("ActionType", "LogonFailed")
		row.SetString("FailureReason", s.failure)
	} else {
		row.Set("ActionType", "LogonSuccess")
	}
	row.SetString("Application", e.str("AppDisplayName", "appDisplayName"))
	if kind == "noninteractive" {
		row.Set("LogonType", "Non-interactive")
	} else {
		row.Set("LogonType", "Interactive")
	}
	if p := e.str("AuthenticationProtocol", "authenticationProtocol"); !strings.EqualFold(p, "none") {
		row.SetString("Protocol", p)
	}
	upn := e.str("UserPrincipalName", "userPrincipalName")
	name, domain := ingest.SplitUPN(upn)
	row.SetString("AccountName", name)
	row.SetString("AccountDomain", domain)
	row.SetString("AccountUpn", upn)
	row.SetString("AccountObjectId", e.str("UserId", "userId"))
	row.SetString("AccountDisplayName", e.str("UserDisplayName", "userDisplayName"))
	row.SetString("DeviceName", s.deviceName)
	row.SetString("OSPlatform", s.os)
	row.SetString("IPAddress", s.ip)
	row.SetString("Location", joinNonEmpty(", ", s.city, s.state, s.country))
	row.Set("ReportId", id)
	extra := ingest.Fields{}
	if s.hasErrorCode {
		extra["ErrorCode"] = s.errorCode
	}
	extra.Str("AppId", e.str("AppId", "appId"))
	extra.Str("ResourceDisplayName", e.str("ResourceDisplayName", "resourceDisplayName"))
	extra.Str("ClientAppUsed", e.str("ClientAppUsed", "clientAppUsed"))
	extra.Str("UserAgent", e.str("UserAgent", "userAgent"))
	extra.Str("CorrelationId", e.str("CorrelationId", "correlationId"))
	extra.Str("ConditionalAccessStatus", e.str("ConditionalAccessStatus", "conditionalAccessStatus"))
	extra.Str("AuthenticationRequirement", e.str("AuthenticationRequirement", "authenticationRequirement"))
	extra.Str("RiskLevelDuringSignIn", e.str("RiskLevelDuringSignIn", "riskLevelDuringSignIn"))
	extra.Str("Country", s.country)
	row.SetRaw("AdditionalFields", extra.JSON())
}

func spnSignIn(out *ingest.RowSet, t time.Time, e entraView, s signIn, id string, managed bool) {
	row := out.New("AADSpnSignInEventsBeta")
	row.Set("Timestamp", t)
	row.SetString("Application", first2(e.str("ServicePrincipalName", "servicePrincipalName"), e.str("AppDisplayName", "appDisplayName")))
	row.SetString("ApplicationId", e.str("AppId", "appId"))
	row.Set("IsManagedIdentity", managed)
	if s.hasErrorCode && s.errorCode >= -1<<31 && s.errorCode < 1<<31 {
		row.Set("ErrorCode", int32(s.errorCode))
	}
	row.SetString("CorrelationId", e.str("CorrelationId", "correlationId"))
	row.SetString("ServicePrincipalName", e.str("ServicePrincipalName", "servicePrincipalName"))
	row.SetString("ServicePrincipalId", e.str("ServicePrincipalId", "servicePrincipalId"))
	row.SetString("ResourceDisplayName", e.str("ResourceDisplayName", "resourceDisplayName"))
	row.SetString("ResourceId", e.str("ResourceIdentity", "resourceId"))
	row.SetString("ResourceTenantId", e.str("ResourceTenantId", "resourceTenantId"))
	row.SetString("IPAddress", s.ip)
	row.SetString("Country", s.country)
	row.SetString("State", s.state)
	row.SetString("City", s.city)
	row.SetString("Latitude", s.lat)
	row.SetString("Longitude", s.long)
	row.SetString("RequestId", first2(e.str("OriginalRequestId", "originalRequestId"), id))
	row.Set("ReportId", id)
}

// jsonText is a dynamic value as JSON text, for the string columns that
// Defender fills with JSON (ConditionalAccessPolicies, ...).
func jsonText(f *fastjson.Value) string {
	if f == nil {
		return ""
	}
	if f.Type() == fastjson.TypeString {
		return string(f.GetStringBytes())
	}
	return f.String()
}

func boolInt(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

// crossTenant maps crossTenantAccessType to IsExternalUser.
func crossTenant(s string) (int32, bool) {
	switch strings.ToLower(s) {
	case "":
		return 0, false
	case "none":
		return 0, true
	default:
		return 1, true
	}
}

// The enumerations Defender turns into numbers (see the columns'
// descriptions in the schema; riskDetail follows Graph's enum order).
var (
	tokenIssuerTypes = map[string]int32{"azuread": 0, "adfederationservices": 1}
	riskLevels       = map[string]int32{"none": 1, "low": 10, "medium": 50, "high": 100, "hidden": 0}
	riskStates       = map[string]int32{"none": 0, "confirmedsafe": 1, "remediated": 2, "dismissed": 3, "atrisk": 4, "confirmedcompromised": 5}
	caStatuses       = map[string]int32{"success": 0, "failure": 1, "notapplied": 2}
	riskDetails      = map[string]int32{
		"none": 0, "admingeneratedtemporarypassword": 1, "userperformedsecuredpasswordchange": 2,
		"userperformedsecuredpasswordreset": 3, "adminconfirmedsigninsafe": 4, "aiconfirmedsigninsafe": 5,
		"userpassedmfadrivenbyriskbasedpolicy": 6, "admindismissedallriskforuser": 7,
		"adminconfirmedsignincompromised": 8, "hidden": 9, "adminconfirmedusercompromised": 10,
	}
)
