package cloud

import (
	"encoding/json"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
)

// awsObject is the object an API call acted on.
type awsObject struct{ name, typ, id string }

// awsObjectParams says where requestParameters name the object of a call,
// in order of preference. An empty source matches every service.
var awsObjectParams = []struct {
	source string // eventSource, or "" for any
	path   string // dotted path in requestParameters
	typ    string // ObjectType
}{
	{"ec2.amazonaws.com", "instanceId", "EC2 instance"},
	{"ec2.amazonaws.com", "instancesSet.items.0.instanceId", "EC2 instance"},
	{"ec2.amazonaws.com", "volumeId", "EBS volume"},
	{"ec2.amazonaws.com", "snapshotId", "EBS snapshot"},
	{"ec2.amazonaws.com", "imageId", "AMI"},
	{"ec2.amazonaws.com", "groupId", "Security group"},
	{"ec2.amazonaws.com", "keyName", "EC2 key pair"},
	{"iam.amazonaws.com", "userName", "IAM user"},
	{"iam.amazonaws.com", "roleName", "IAM role"},
	{"iam.amazonaws.com", "groupName", "IAM group"},
	{"iam.amazonaws.com", "policyArn", "IAM policy"},
	{"iam.amazonaws.com", "policyName", "IAM policy"},
	{"iam.amazonaws.com", "accessKeyId", "Access key"},
	{"sts.amazonaws.com", "roleArn", "IAM role"},
	{"cloudtrail.amazonaws.com", "name", "CloudTrail trail"},
	{"cloudtrail.amazonaws.com", "trailName", "CloudTrail trail"},
	{"lambda.amazonaws.com", "functionName", "Lambda function"},
	{"kms.amazonaws.com", "keyId", "KMS key"},
	{"secretsmanager.amazonaws.com", "secretId", "Secrets Manager secret"},
	{"ssm.amazonaws.com", "name", "SSM parameter or document"},
	{"rds.amazonaws.com", "dBInstanceIdentifier", "RDS instance"},
	{"rds.amazonaws.com", "dBSnapshotIdentifier", "RDS snapshot"},
	{"dynamodb.amazonaws.com", "tableName", "DynamoDB table"},
	{"sqs.amazonaws.com", "queueUrl", "SQS queue"},
	{"sns.amazonaws.com", "topicArn", "SNS topic"},
	{"logs.amazonaws.com", "logGroupName", "CloudWatch log group"},
	{"guardduty.amazonaws.com", "detectorId", "GuardDuty detector"},
	{"ecr.amazonaws.com", "repositoryName", "ECR repository"},
	{"eks.amazonaws.com", "name", "EKS cluster"},
	{"", "instanceId", "EC2 instance"},
	{"", "roleArn", "IAM role"},
	{"", "userName", "IAM user"},
}

// awsObjectOf names the object of a call: S3 keys and buckets first (the
// exfiltration case), then the table above, then the first resource.
func awsObjectOf(source string, params, resources *fastjson.Value) awsObject {
	var o awsObject
	if bucket := ingest.Str(params, "bucketName"); bucket != "" {
		o = awsObject{name: bucket, typ: "S3 bucket"}
		if key := ingest.Str(params, "key"); key != "" {
			o = awsObject{name: bucket + "/" + key, typ: "S3 object"}
		}
	} else {
		for _, p := range awsObjectParams {
			if p.source != "" && p.source != source {
				continue
			}
			if s := ingest.Str(params, strings.Split(p.path, ".")...); s != "" && !strings.HasPrefix(s, "{") && !strings.HasPrefix(s, "[") {
				o = awsObject{name: s, typ: p.typ}
				break
			}
		}
	}
	if strings.HasPrefix(o.name, "arn:") {
		o.id, o.name = o.name, arnTail(o.name)
	}
	if resources != nil && resources.Type() == fastjson.TypeArray {
		arr, _ := resources.Array()
		for _, r := range arr {
			arn := ingest.Str(r, "ARN")
			if arn == "" {
				continue
			}
			if o.id == "" {
				o.id = arn
			}
			if o.name == "" {
				o.name, o.typ = arnTail(arn), ingest.Str(r, "type")
			}
			break
		}
	}
	return o
}

// awsActivityObjects turns the event's resources into Defender's
// ActivityObjects list.
func awsActivityObjects(resources *fastjson.Value) json.RawMessage {
	if resources == nil {
		return nil
	}
	arr, err := resources.Array()
	if err != nil || len(arr) == 0 {
		return nil
	}
	var objs []map[string]string
	for _, r := range arr {
		arn := first(r, "ARN", "ARNPrefix")
		if arn == "" {
			continue
		}
		o := map[string]string{"Type": ingest.Str(r, "type"), "Role": "Target object", "Name": arnTail(arn), "Id": arn}
		if acct := ingest.Str(r, "accountId"); acct != "" {
			o["AccountId"] = acct
		}
		objs = append(objs, o)
	}
	if len(objs) == 0 {
		return nil
	}
	b, _ := json.Marshal(objs)
	return b
}

// arnTail is the resource part of an ARN: arn:aws:s3:::bucket/key ->
// bucket/key, arn:aws:iam::1:role/R -> R.
func arnTail(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return arn
	}
	res := parts[5]
	if strings.Contains(parts[2], "s3") {
		return strings.TrimSuffix(res, "/")
	}
	if i := strings.LastIndexByte(res, '/'); i >= 0 && i < len(res)-1 {
		return res[i+1:]
	}
	return res
}

// awsVerbs classify an API call by its verb. Defender for Cloud Apps
// publishes no table for this, so the classes are ours: Read, Create,
// Update, Delete, Login.
var awsVerbs = []struct{ prefix, class string }{
	{"Describe", "Read"}, {"Get", "Read"}, {"List", "Read"}, {"Head", "Read"},
	{"Lookup", "Read"}, {"Search", "Read"}, {"Scan", "Read"}, {"Query", "Read"},
	{"BatchGet", "Read"}, {"Select", "Read"}, {"Download", "Read"},
	{"Create", "Create"}, {"Add", "Create"}, {"Import", "Create"},
	{"Register", "Create"}, {"Allocate", "Create"}, {"Run", "Create"}, {"Upload", "Create"},
	{"Copy", "Create"}, {"Request", "Create"}, {"Issue", "Create"}, {"Put", "Update"},
	{"Delete", "Delete"}, {"Remove", "Delete"}, {"Terminate", "Delete"},
	{"Deregister", "Delete"}, {"Release", "Delete"}, {"Purge", "Delete"},
	{"Update", "Update"}, {"Modify", "Update"}, {"Set", "Update"}, {"Attach", "Update"},
	{"Detach", "Update"}, {"Associate", "Update"}, {"Disassociate", "Update"},
	{"Enable", "Update"}, {"Disable", "Update"}, {"Start", "Update"}, {"Stop", "Update"},
	{"Reboot", "Update"}, {"Tag", "Update"}, {"Untag", "Update"}, {"Change", "Update"},
	{"Reset", "Update"}, {"Authorize", "Update"}, {"Revoke", "Update"}, {"Assume", "Login"},
}

func awsActivityType(eventName, eventType string, readOnly bool) string {
	if eventType == "AwsConsoleSignIn" || eventName == "ConsoleLogin" {
		return "Login"
	}
	if readOnly {
		return "Read"
	}
	for _, v := range awsVerbs {
		if rest, ok := strings.CutPrefix(eventName, v.prefix); ok && (rest == "" || rest[0] >= 'A' && rest[0] <= 'Z') {
			return v.class
		}
	}
	return ""
}
