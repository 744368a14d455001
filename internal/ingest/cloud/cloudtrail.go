package cloud

import (
	"fmt"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
)

// AWS in Defender for Cloud Apps' app catalogue.
const (
	awsApplication   = "Amazon Web Services"
	awsApplicationID = 11599
)

// CloudTrail normalizes AWS CloudTrail records: one event per line as
// shippers write them, the {"Records":[...]} file shape CloudTrail puts
// in S3, and EventBridge's "AWS API Call via CloudTrail" envelope.
type CloudTrail struct{}

// NewCloudTrail returns the "cloudtrail" normalizer.
func NewCloudTrail() *CloudTrail { return &CloudTrail{} }

func (*CloudTrail) Format() string { return "cloudtrail" }

func (*CloudTrail) Detect(in *ingest.Input) bool {
	v := in.JSON
	if v == nil {
		return false
	}
	if isTrailEvent(v) {
		return true
	}
	if recs := v.Get("Records"); recs != nil && recs.Type() == fastjson.TypeArray {
		a, _ := recs.Array()
		return len(a) > 0 && isTrailEvent(a[0])
	}
	return strings.HasSuffix(str(v, "detail-type"), "via CloudTrail") && isTrailEvent(v.Get("detail"))
}

// isTrailEvent recognises one CloudTrail event by the fields every
// version has.
func isTrailEvent(v *fastjson.Value) bool {
	return v != nil && strings.HasSuffix(str(v, "eventSource"), ".amazonaws.com") &&
		hasString(v, "eventName") && (v.Get("eventVersion") != nil || isObject(v, "userIdentity"))
}

func (c *CloudTrail) Normalize(in *ingest.Input, out *ingest.RowSet) error {
	if err := needObject(in, "CloudTrail"); err != nil {
		return err
	}
	v := in.JSON
	if recs := v.Get("Records"); recs != nil {
		a, err := recs.Array()
		if err != nil {
			return fmt.Errorf("Records is not an array")
		}
		if len(a) == 0 {
			return fmt.Errorf("Records is empty")
		}
		for i, ev := range a {
			if err := c.event(in, ev, i, out); err != nil {
				return fmt.Errorf("Records[%d]: %w", i, err)
			}
		}
		return nil
	}
	if d := v.Get("detail"); d != nil && d.Type() == fastjson.TypeObject && v.Get("eventName") == nil {
		return c.event(in, d, 0, out)
	}
	return c.event(in, v, 0, out)
}

// event maps one CloudTrail event; i is its index in the record.
func (c *CloudTrail) event(in *ingest.Input, ev *fastjson.Value, i int, out *ingest.RowSet) error {
	if ev.Type() != fastjson.TypeObject {
		return fmt.Errorf("event is not a JSON object")
	}
	name := str(ev, "eventName")
	if name == "" {
		return fmt.Errorf("no eventName")
	}
	t, err := timeOf(ev, "eventTime", "@timestamp")
	if err != nil {
		return err
	}
	id := awsIdentityOf(ev.Get("userIdentity"))
	source := str(ev, "eventSource")
	sourceIP := str(ev, "sourceIPAddress")
	ip := ipOf(sourceIP)
	reportID := str(ev, "eventID")
	if reportID == "" {
		reportID = reportIDString(in.Data, i)
	}

	row := out.New("CloudAppEvents")
	row.Set("Timestamp", t)
	row.Set("ActionType", name)
	row.Set("Application", awsApplication)
	row.Set("ApplicationId", int32(awsApplicationID))
	row.SetString("AccountObjectId", id.principalID)
	row.SetString("AccountId", id.accountID)
	row.SetString("AccountDisplayName", id.display)
	row.SetString("AccountType", awsAccountTypes[id.typ])
	if id.typ == "Root" {
		row.Set("IsAdminOperation", true)
	}
	row.SetString("IPAddress", ip)
	row.SetString("UserAgent", str(ev, "userAgent"))
	readOnly, hasReadOnly := boolOf(ev, "readOnly")
	row.SetString("ActivityType", awsActivityType(name, str(ev, "eventType"), readOnly && hasReadOnly))
	obj := awsObjectOf(source, ev.Get("requestParameters"), ev.Get("resources"))
	row.SetString("ObjectName", obj.name)
	row.SetString("ObjectType", obj.typ)
	row.SetString("ObjectId", obj.id)
	setJSON(row, "ActivityObjects", awsActivityObjects(ev.Get("resources")))
	row.Set("ReportId", reportID)
	row.Set("RawEventData", jsonOf(ev))

	extra := fields{}
	extra.str("AwsRegion", str(ev, "awsRegion"))
	extra.str("EventSource", source)
	extra.str("EventType", str(ev, "eventType"))
	extra.str("EventCategory", str(ev, "eventCategory"))
	extra.str("EventVersion", str(ev, "eventVersion"))
	extra.str("RecipientAccountId", str(ev, "recipientAccountId"))
	extra.str("RequestId", str(ev, "requestID"))
	extra.str("ErrorCode", str(ev, "errorCode"))
	extra.str("ErrorMessage", str(ev, "errorMessage"))
	extra.raw("ReadOnly", ev.Get("readOnly"))
	extra.raw("ManagementEvent", ev.Get("managementEvent"))
	if ip == "" {
		// Calls made by AWS services name the service here, not an IP.
		extra.str("SourceIPAddress", sourceIP)
	}
	extra.str("UserIdentityType", id.typ)
	extra.str("AwsAccountId", id.awsAccount)
	extra.str("AccessKeyId", id.accessKey)
	extra.str("SessionIssuerArn", id.issuerArn)
	extra.str("InvokedBy", id.invokedBy)
	extra.str("MfaAuthenticated", id.mfa)
	extra.str("VpcEndpointId", str(ev, "vpcEndpointId"))
	setJSON(row, "AdditionalFields", extra.json())

	if name == "ConsoleLogin" {
		awsConsoleLogin(in, ev, t, id, ip, reportID, out)
	}
	return nil
}

// awsConsoleLogin adds the sign-in to IdentityLogonEvents.
func awsConsoleLogin(in *ingest.Input, ev *fastjson.Value, t time.Time, id awsIdentity, ip, reportID string, out *ingest.RowSet) {
	action := "LogonSuccess"
	switch strings.ToLower(str(ev, "responseElements", "ConsoleLogin")) {
	case "failure":
		action = "LogonFailed"
	case "success":
	default:
		if str(ev, "errorMessage") != "" || str(ev, "errorCode") != "" {
			action = "LogonFailed"
		}
	}
	row := out.New("IdentityLogonEvents")
	row.Set("Timestamp", t)
	row.Set("ActionType", action)
	row.Set("Application", awsApplication)
	row.Set("LogonType", "Interactive")
	if str(ev, "additionalEventData", "SamlProviderArn") != "" {
		row.Set("Protocol", "Saml")
	}
	if action == "LogonFailed" {
		row.SetString("FailureReason", first(ev, "errorMessage", "errorCode"))
	}
	row.SetString("AccountName", id.name)
	row.SetString("AccountObjectId", id.principalID)
	row.SetString("AccountDisplayName", id.display)
	row.SetString("IPAddress", ip)
	row.Set("ReportId", reportID)
	extra := fields{}
	extra.str("AwsAccountId", id.awsAccount)
	extra.str("Arn", id.arn)
	extra.str("UserIdentityType", id.typ)
	extra.str("UserAgent", str(ev, "userAgent"))
	extra.str("MFAUsed", str(ev, "additionalEventData", "MFAUsed"))
	extra.str("LoginTo", str(ev, "additionalEventData", "LoginTo"))
	extra.str("MobileVersion", str(ev, "additionalEventData", "MobileVersion"))
	setJSON(row, "AdditionalFields", extra.json())
}

// awsIdentity is what a CloudTrail userIdentity says about the caller.
type awsIdentity struct {
	typ, arn, principalID, awsAccount, accessKey string
	name, display, accountID                     string
	issuerArn, invokedBy, mfa                    string
}

func awsIdentityOf(ui *fastjson.Value) awsIdentity {
	id := awsIdentity{
		typ:         str(ui, "type"),
		arn:         str(ui, "arn"),
		principalID: str(ui, "principalId"),
		awsAccount:  str(ui, "accountId"),
		accessKey:   str(ui, "accessKeyId"),
		issuerArn:   str(ui, "sessionContext", "sessionIssuer", "arn"),
		invokedBy:   str(ui, "invokedBy"),
		mfa:         str(ui, "sessionContext", "attributes", "mfaAuthenticated"),
	}
	id.name = str(ui, "userName")
	switch id.typ {
	case "AssumedRole", "FederatedUser":
		// arn:aws:sts::123:assumed-role/Role/session -> Role/session
		if _, tail, ok := strings.Cut(id.arn, ":assumed-role/"); ok {
			id.display = tail
		} else if _, tail, ok := strings.Cut(id.arn, ":federated-user/"); ok {
			id.display = tail
		}
		if id.name == "" {
			id.name = str(ui, "sessionContext", "sessionIssuer", "userName")
		}
	case "Root":
		if id.name == "" {
			id.name = "root"
		}
		id.display = "root"
	case "AWSService":
		id.display = id.invokedBy
	}
	if id.display == "" {
		id.display = first(ui, "userName", "sessionContext.sessionIssuer.userName", "principalId", "invokedBy")
	}
	id.accountID = id.arn
	if id.accountID == "" {
		id.accountID = first(ui, "principalId", "invokedBy")
	}
	return id
}

// awsAccountTypes maps userIdentity.type to Defender's AccountType.
var awsAccountTypes = map[string]string{
	"Root":               "Admin",
	"IAMUser":            "Regular",
	"AssumedRole":        "Regular",
	"FederatedUser":      "Regular",
	"IdentityCenterUser": "Regular",
	"AWSAccount":         "Regular",
	"Directory":          "Regular",
	"SAMLUser":           "Regular",
	"WebIdentityUser":    "Regular",
	"AWSService":         "System",
}
