package cloud

import (
	"encoding/json"
	"testing"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
)

func TestUnifiedAuditName(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := unifiedAuditName(in); got != want {
			t.Errorf("unifiedAuditName(%q) = %q, want %q", in, got, want)
		}
	}
	f("Add delegated permission grant", "Add delegated permission grant.")
	f("Consent to application", "Consent to application.")
	f("Add member to role.", "Add member to role.")
	f("Update application – Certificates and secrets management ", "Update application – Certificates and secrets management ")
	f("", "")
}

func TestIPOf(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := ipOf(in); got != want {
			t.Errorf("ipOf(%q) = %q, want %q", in, got, want)
		}
	}
	f("1.2.3.4", "1.2.3.4")
	f(" 1.2.3.4:5678 ", "1.2.3.4")
	f("[2001:db8::1]:443", "2001:db8::1")
	f("2001:db8::1", "2001:db8::1")
	f("::ffff:10.0.0.1", "10.0.0.1")
	f("[fe80::1%eth0]", "fe80::1%eth0")
	f("ec2.amazonaws.com", "")
	f("AWS Internal", "")
	f("", "")
}

func TestSplitUPN(t *testing.T) {
	f := func(in, name, domain string) {
		t.Helper()
		n, d := ingest.SplitUPN(in)
		if n != name || d != domain {
			t.Errorf("SplitUPN(%q) = %q, %q, want %q, %q", in, n, d, name, domain)
		}
	}
	f("alice@contoso.com", "alice", "contoso.com")
	f(`CONTOSO\alice`, "alice", "CONTOSO")
	f("alice", "alice", "")
	f("a@b@c", "a@b", "c")
	f("", "", "")
}

func TestAwsActivityType(t *testing.T) {
	f := func(name, eventType string, readOnly bool, want string) {
		t.Helper()
		if got := awsActivityType(name, eventType, readOnly); got != want {
			t.Errorf("awsActivityType(%q, %q, %v) = %q, want %q", name, eventType, readOnly, got, want)
		}
	}
	f("ConsoleLogin", "AwsConsoleSignIn", false, "Login")
	f("DescribeInstances", "AwsApiCall", false, "Read")
	f("PutBucketPolicy", "AwsApiCall", false, "Update")
	f("GetObject", "AwsApiCall", true, "Read")
	f("CreateUser", "AwsApiCall", false, "Create")
	f("DeleteTrail", "AwsApiCall", false, "Delete")
	f("TerminateInstances", "AwsApiCall", false, "Delete")
	f("StopLogging", "AwsApiCall", false, "Update")
	f("AssumeRole", "AwsApiCall", false, "Login")
	f("Getaway", "AwsApiCall", false, "") // a verb must end at a capital
	f("Frobnicate", "AwsApiCall", false, "")
}

func TestAwsObjectOf(t *testing.T) {
	f := func(source, params, resources string, want awsObject) {
		t.Helper()
		var p, r fastjson.Parser
		pv, _ := p.Parse(params)
		rv, _ := r.Parse(resources)
		if got := awsObjectOf(source, pv, rv); got != want {
			t.Errorf("awsObjectOf(%s, %s) = %+v, want %+v", source, params, got, want)
		}
	}
	f("s3.amazonaws.com", `{"bucketName":"b","key":"k/x.txt"}`, `null`, awsObject{"b/k/x.txt", "S3 object", ""})
	f("s3.amazonaws.com", `{"bucketName":"b"}`, `[{"ARN":"arn:aws:s3:::b","type":"AWS::S3::Bucket"}]`, awsObject{"b", "S3 bucket", "arn:aws:s3:::b"})
	f("ec2.amazonaws.com", `{"instancesSet":{"items":[{"instanceId":"i-1"}]}}`, `null`, awsObject{"i-1", "EC2 instance", ""})
	f("iam.amazonaws.com", `{"userName":"u"}`, `null`, awsObject{"u", "IAM user", ""})
	f("sts.amazonaws.com", `{"roleArn":"arn:aws:iam::1:role/R"}`, `null`, awsObject{"R", "IAM role", "arn:aws:iam::1:role/R"})
	f("cloudtrail.amazonaws.com", `{"name":"trail"}`, `null`, awsObject{"trail", "CloudTrail trail", ""})
	f("ssm.amazonaws.com", `{"name":{"nested":1}}`, `null`, awsObject{})
	f("elasticloadbalancing.amazonaws.com", `{}`, `[{"ARNPrefix":"x"},{"ARN":"arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/lb/1","type":"LB"}]`,
		awsObject{"1", "LB", "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/lb/1"})
	f("ec2.amazonaws.com", `null`, `null`, awsObject{})
}

func TestArnTail(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := arnTail(in); got != want {
			t.Errorf("arnTail(%q) = %q, want %q", in, got, want)
		}
	}
	f("arn:aws:s3:::bucket/key/x", "bucket/key/x")
	f("arn:aws:s3:::bucket/", "bucket")
	f("arn:aws:iam::1:role/path/Role", "Role")
	f("arn:aws:cloudtrail:us-east-1:1:trail/t", "t")
	f("arn:aws:sqs:us-east-1:1:queue", "queue")
	f("not-an-arn", "not-an-arn")
}

func TestO365Workload(t *testing.T) {
	f := func(in, name string, id int32) {
		t.Helper()
		n, i := o365Workload(in)
		if n != name || i != id {
			t.Errorf("o365Workload(%q) = %q, %d, want %q, %d", in, n, i, name, id)
		}
	}
	f("Exchange", "Microsoft Exchange Online", 20893)
	f("SharePoint", "Microsoft SharePoint Online", 20892)
	f("OneDrive", "Microsoft OneDrive for Business", 15600)
	f("MicrosoftTeams", "Microsoft Teams", 28375)
	f("AzureActiveDirectory", "Office 365", 11161)
	f("SecurityComplianceCenter", "Office 365", 11161)
	f("", "Office 365", 11161)
}

func TestUserTypeOf(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		var p fastjson.Parser
		v, err := p.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := userTypeOf(v); got != want {
			t.Errorf("userTypeOf(%s) = %q, want %q", in, got, want)
		}
	}
	f(`0`, "Regular")
	f(`2`, "Admin")
	f(`"3"`, "DcAdmin")
	f(`"Admin"`, "Admin")
	f(`8`, "SystemPolicy")
	f(`9`, "")
	f(`-1`, "")
	f(`"Weird"`, "")
}

func TestActionTypeTable(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := actionTypeTable(in); got != want {
			t.Errorf("actionTypeTable(%q) = %q, want %q", in, got, want)
		}
	}
	f("ProcessCreated", "DeviceProcessEvents")
	f("FileRenamed", "DeviceFileEvents")
	f("RegistryValueSet", "DeviceRegistryEvents")
	f("ImageLoaded", "DeviceImageLoadEvents")
	f("ConnectionSuccess", "DeviceNetworkEvents")
	f("SslConnectionInspected", "DeviceNetworkEvents")
	f("LogonFailed", "DeviceLogonEvents")
	f("LDAP query", "IdentityQueryEvents")
	f("Group Membership changed", "IdentityDirectoryEvents")
	f("Directory Services replication", "IdentityDirectoryEvents")
	f("LdapSearch", "")
	f("MailItemsAccessed", "")
}

func TestMergeExtra(t *testing.T) {
	d := NewDefenderExport()
	f := func(table string, current any, want string) {
		t.Helper()
		var et *exportTable
		for _, x := range d.tables {
			if x.t.Name == table {
				et = x
			}
		}
		var rs ingest.RowSet
		row := rs.New(table)
		row.Values[et.extra] = current
		mergeExtra(row, et, map[string]json.RawMessage{"Extra": json.RawMessage(`1`), "A": json.RawMessage(`2`)})
		var got string
		switch v := row.Values[et.extra].(type) {
		case json.RawMessage:
			got = string(v)
		case string:
			got = v
		}
		if got != want {
			t.Errorf("%s %v: got %s, want %s", table, current, got, want)
		}
	}
	f("CloudAppEvents", nil, `{"A":2,"Extra":1}`)
	f("CloudAppEvents", json.RawMessage(`{"A":"kept"}`), `{"A":"kept","Extra":1}`)
	f("CloudAppEvents", json.RawMessage(`[1]`), `{"A":2,"AdditionalFields":[1],"Extra":1}`)
	f("DeviceEvents", `{"B":true}`, `{"A":2,"B":true,"Extra":1}`)
	f("DeviceEvents", `free text`, `{"A":2,"AdditionalFields":"free text","Extra":1}`)
}

// TestDetectOthers checks that records of other sources are left alone:
// Windows events, Samba and Dovecot audit lines.
func TestDetectOthers(t *testing.T) {
	ingesttest.DetectNoneIn(t, normalizers(),
		"datasets/attack/goldensaml_adfs_mail_access__WindowsEvents.ndjson.gz",
		"datasets/attack/cmd_psexec_lsa_secrets_dump.ndjson.gz",
		"reference/idmail/samba_audit_samples.json",
		"reference/idmail/dovecot_event_samples.json",
	)
}

func FuzzCloud(f *testing.F) { ingesttest.Fuzz(f, normalizers()) }
