// Package cloud normalizes cloud audit logs into Defender's hunting
// schema: AWS CloudTrail, Microsoft Entra ID audit and sign-in logs, the
// Microsoft 365 unified audit log, and rows exported from Defender itself.
//
// Formats and constructors:
//
//	cloudtrail       NewCloudTrail()       CloudTrail events, {"Records":[...]} files, EventBridge envelopes
//	entra-audit      NewEntraAudit()       Entra ID AuditLogs (Sentinel rows, diagnostic exports, Graph)
//	entra-signin     NewEntraSignIn()      Entra ID sign-ins (user, non-interactive, service principal, managed identity)
//	office-activity  NewOfficeActivity()   Sentinel OfficeActivity rows
//	m365-audit       NewM365Audit()        Office 365 Management Activity API records
//	defender-export  NewDefenderExport()   rows exported from Defender advanced hunting, any table
//
// # CloudTrail
//
// Every event becomes a CloudAppEvents row: ActionType is eventName,
// Application "Amazon Web Services" with ApplicationId 11599 (Defender for
// Cloud Apps' id for AWS), AccountObjectId the principalId, AccountId the
// ARN, AccountDisplayName the user name (role/session for assumed roles,
// "root" for the root user, the service for AWS services), AccountType
// from userIdentity.type (Root is Admin and sets IsAdminOperation),
// IPAddress the sourceIPAddress when it is an address (a service name
// goes to AdditionalFields.SourceIPAddress), ObjectName/ObjectType/ObjectId
// from requestParameters (S3 bucket/key, EC2 instance, IAM user, role,
// policy, trail, ...; see awsObjectParams) or the first resource,
// ActivityObjects from resources, ActivityType from the API verb (Read,
// Create, Update, Delete, Login: Defender publishes no list, these are
// ours), ReportId the eventID, RawEventData the whole event, and region,
// source, error code and message, request id, key id and MFA state in
// AdditionalFields. CountryCode stays empty: Vigil does not geolocate.
// ConsoleLogin also yields an IdentityLogonEvents row (LogonSuccess or
// LogonFailed from responseElements.ConsoleLogin, LogonType Interactive).
//
// A {"Records":[...]} file is one record: all its events normalize, or the
// file is rejected naming the bad element. Files larger than the
// pipeline's record limit need the core to split them (see the report).
//
// # Entra ID audit
//
// Each audit record becomes a CloudAppEvents row the way Defender files
// them: Application "Office 365" (ApplicationId 11161), and ActionType the
// operation as the unified audit log writes it, with a closing period
// ("Add delegated permission grant" becomes "Add delegated permission
// grant."; names ending in a period or white space, like "Update
// application – Certificates and secrets management ", are kept). The
// initiator fills the Account columns, the first target the Object
// columns, actor and targets ActivityObjects. RawEventData is the record
// with its JSON-text columns decoded, plus the unified audit log's names
// (Operation, UserId, ResultStatus, ModifiedProperties with Name, NewValue
// and OldValue, Target, Actor, ObjectId) where the record has no field of
// that name, so that queries reading RawEventData.ModifiedProperties run.
//
// # Entra ID sign-ins
//
// User sign-ins become AADSignInEventsBeta rows (Defender's enumerations
// turned into its numbers: ErrorCode, RiskLevelAggregated, RiskState,
// RiskDetails, ConditionalAccessStatus, TokenIssuerType, IsManaged,
// IsCompliant; LogonType ["interactiveUser"] or ["nonInteractiveUser"])
// and IdentityLogonEvents rows (LogonSuccess when the error code is 0,
// else LogonFailed with the failure reason; LogonType Interactive or
// Non-interactive). Service principal and managed identity sign-ins
// become AADSpnSignInEventsBeta rows. None of these tables has a column
// for the record itself, so a RawEvents row keeps it.
//
// # Unified audit log (office-activity, m365-audit)
//
// Each record becomes a CloudAppEvents row: ActionType is Operation;
// Application and ApplicationId follow the workload (Exchange: Microsoft
// Exchange Online 20893, SharePoint: Microsoft SharePoint Online 20892,
// OneDrive: Microsoft OneDrive for Business 15600, MicrosoftTeams:
// Microsoft Teams 28375, Entra ID and everything else: Office 365 11161);
// AccountId and AccountDisplayName are UserId; AccountType and
// IsAdminOperation come from UserType; IPAddress is ClientIP without its
// port; UserAgent is UserAgent or ClientInfoString; OAuthAppId the client
// app. Sentinel rows are rewritten into the API's shape first (JSON text
// decoded, OfficeWorkload as Workload, OfficeId as Id, ...), so
// RawEventData reads the same for both. UserLoggedIn and UserLoginFailed
// add IdentityLogonEvents rows (LogonType is the request type, as
// Defender has it: "OAuth2:Token").
//
// # Defender exports
//
// See DefenderExport: the row's table is named by the row or chosen by
// its columns, union type suffixes are dropped, and what no column holds
// goes to AdditionalFields (or, for tables without it, a RawEvents copy).
//
// ReportId is the source's own event id where it has one, otherwise a
// 63-bit hash of the record's bytes and the row's position, so replaying
// a file reproduces the same ids.
package cloud
