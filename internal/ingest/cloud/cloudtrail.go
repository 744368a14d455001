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
	return strings.HasSuffix(ingest.Str(v, "detail-type"), "via CloudTrail") && isTrailEvent(v.Get("detail"))
}

// isTrailEvent recognises one CloudTrail event by the fields every
// version has.
func isTrailEvent(v *fastjson.Value) bool {
	return v != nil && strings.HasSuffix(ingest.Str(v, "eventSource"), ".amazonaws.com") &&
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
	name := ingest.Str(ev, "eventName")
	if name == "" {
		return fmt.Errorf("no eventName")
	}
	t, err := timeOf(ev, "eventTime", "@timestamp")
	if err != nil {
		return err
	}
	id := awsIdentityOf(ev.Get("userIdentity"))
	source := ingest.Str(ev, "eventSource")
	sourceIP := ingest.Str(ev, "sourceIPAddress")
	ip := ipOf(sourceIP)
	reportID := ingest.Str(ev, "eventID")
	if reportID == "" {
		reportID = ingest.ReportIDString(in.Data, i)
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
	row.SetString("UserAgent", ingest.Str(ev, "userAgent"))
	readOnly, hasReadOnly := boolOf(ev, "readOnly")
	row.SetString("ActivityType", awsActivityType(name, ingest.Str(ev, "eventType"), readOnly && hasReadOnly))
	obj := awsObjectOf(source, ev.Get("requestParameters"), ev.Get("resources"))
	row.SetString("ObjectName", obj.name)
	row.SetString("ObjectType", obj.typ)
	row.SetString("ObjectId", obj.id)
	row.SetRaw("ActivityObjects", awsActivityObjects(ev.Get("resources")))
	row.Set("ReportId", reportID)
	row.Set("RawEventData", ingest.RecordJSON(ev))

	extra := ingest.Fields{}
	extra.Str("AwsRegion", ingest.Str(ev, "awsRegion"))
	extra.Str("EventSource", source)
	extra.Str("EventType", ingest.Str(ev, "eventType"))
	extra.Str("EventCategory", ingest.Str(ev, "eventCategory"))
	extra.Str("EventVersion", ingest.Str(ev, "eventVersion"))
	extra.Str("RecipientAccountId", ingest.Str(ev, "recipientAccountId"))
	extra.Str("RequestId", ingest.Str(ev, "requestID"))
	extra.Str("ErrorCode", ingest.Str(ev, "errorCode"))
	extra.Str("ErrorMessage", ingest.Str(ev, "errorMessage"))
	extra.Raw("ReadOnly", ev.Get("readOnly"))
	extra.Raw("ManagementEvent", ev.Get("managementEvent"))
	if ip == "" {
		// Calls made by AWS services name the service here, not an IP.
		extra.Str("SourceIPAddress", sourceIP)
	}
	extra.Str("UserIdentityType", id.typ)
	extra.Str("AwsAccountId", id.awsAccount)
	extra.Str("AccessKeyId", id.accessKey)
	extra.Str("SessionIssuerArn", id.issuerArn)
	extra.Str("InvokedBy", id.invokedBy)
	extra.Str("MfaAuthenticated", id.mfa)
	extra.Str("VpcEndpointId", ingest.Str(ev, "vpcEndpointId"))
	row.SetRaw("AdditionalFields", extra.JSON())

	if name == "ConsoleLogin" {
		awsConsoleLogin(in, ev, t, id, ip, reportID, out)
	}
	return nil
}

// awsConsoleLogin adds the sign-in to IdentityLogonEvents.
func awsConsoleLogin(in *ingest.Input, ev *fastjson.Value, t time.Time, id awsIdentity, ip, reportID string, out *ingest.RowSet) {
	action := "LogonSuccess"
	switch strings.ToLower(ingest.Str(ev, "responseElements", "ConsoleLogin")) {
	case "failure":
		action = "LogonFailed"
	case "success":
	default:
		if ingest.Str(ev, "errorMessage") != "" || ingest.Str(ev, "errorCode") != "" {
			action = "LogonFailed"
		}
	}
	row := out.New("IdentityLogonEvents")
	row.Set("Timestamp", t)
	row.Set("ActionType", action)
	row.Set("Application", awsApplication)
	row.Set("LogonType", "Interactive")
	if ingest.Str(ev, "additionalEventData", "SamlProviderArn") != "" {
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
	extra := ingest.Fields{}
	extra.Str("AwsAccountId", id.awsAccount)
	extra.Str("Arn", id.arn)
	extra.Str("UserIdentityType", id.typ)
	extra.Str("UserAgent", ingest.Str(ev, "userAgent"))
	extra.Str("MFAUsed", ingest.Str(ev, "additionalEventData", "MFAUsed"))
	extra.Str("LoginTo", ingest.Str(ev, "additionalEventData", "LoginTo"))
	extra.Str("MobileVersion", ingest.Str(ev, "additionalEventData", "MobileVersion"))
	row.SetRaw("AdditionalFields", extra.JSON())
}

// awsIdentity is what a CloudTrail userIdentity says about the caller.
type awsIdentity struct {
	typ, arn, principalID, awsAccount, accessKey string
	name, display, accountID                     string
	issuerArn, invokedBy, mfa                    string
}

func awsIdentityOf(ui *fastjson.Value) awsIdentity {
	id := awsIdentity{
		typ:         ingest.Str(ui, "type"),
		arn:         ingest.Str(ui, "arn"),
		principalID: ingest.Str(ui, "principalId"),
		awsAccount:  ingest.Str(ui, "accountId"),
		accessKey:   ingest.Str(ui, "accessKeyId"),
		issuerArn:   ingest.Str(ui, "sessionContext", "sessionIssuer", "arn"),
		invokedBy:   ingest.Str(ui, "invokedBy"),
		mfa:         ingest.Str(ui, "sessionContext", "attributes", "mfaAuthenticated"),
	}
	id.name = ingest.Str(ui, "userName")
	switch id.typ {
	case "AssumedRole", "FederatedUser":
		// arn:aws:sts::123:assumed-role/Role/session -> Role/session
		if _, tail, ok := strings.Cut(id.arn, ":assumed-role/"); ok {
			id.display = tail
		} else if _, tail, ok := strings.Cut(id.arn, ":federated-user/"); ok {
			id.display = tail
		}
		if id.name == "" {
			id.name = ingest.Str(ui, "sessionContext", "sessionIssuer", "userName")
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
