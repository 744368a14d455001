package samba

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
)

func TestParseAddress(t *testing.T) {
	f := func(in, ip string, port int32) {
		t.Helper()
		a := parseAddress(in)
		if a.ip != ip || a.port != port {
			t.Errorf("parseAddress(%q) = %q, %d, want %q, %d", in, a.ip, a.port, ip, port)
		}
	}
	f("ipv4:127.0.0.1:389", "127.0.0.1", 389)
	f("ipv4:10.0.0.5:0", "10.0.0.5", 0)
	f("ipv6:[fd00::66]:50200", "fd00::66", 50200)
	f("ipv6:fd00::2:49153", "fd00::2", 49153)
	f("ipv6:::1:88", "::1", 88)
	f("ipv4:::ffff:10.1.2.3:445", "10.1.2.3", 445)
	f("ipv4:1.2.3.4", "1.2.3.4", 0)
	f("unix:/run/samba/ldapi", "", 0)
	f("ipv4:host:99999", "", 0)
	f("", "", 0)
}

func TestFirstRDN(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := firstRDN(in); got != want {
			t.Errorf("firstRDN(%q) = %q, want %q", in, got, want)
		}
	}
	f("CN=bob Test,CN=Users,DC=xdr,DC=test", "bob Test")
	f(`CN=Doe\, John,CN=Users,DC=x`, "Doe, John")
	f(`CN=caf\C3\A9,OU=x`, "café")
	f("OU=Groups,DC=xdr,DC=test", "Groups")
	f("CN=a+UID=b,DC=x", "a")
	f("CN=trailing\\", "trailing\\")
	f("no equals", "")
	f("", "")
}

func TestSplitAccount(t *testing.T) {
	f := func(in, name, domain string) {
		t.Helper()
		n, d := ingest.SplitAccount(in)
		if n != name || d != domain {
			t.Errorf("ingest.SplitAccount(%q) = %q, %q, want %q, %q", in, n, d, name, domain)
		}
	}
	f(`XDR\bob`, "bob", "XDR")
	f("bob@xdr.test", "bob", "xdr.test")
	f("bob", "bob", "")
	f("", "", "")
}

func TestIPType(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := ingest.IPType(in); got != want {
			t.Errorf("ipType(%q) = %q, want %q", in, got, want)
		}
	}
	f("127.0.0.1", "Loopback")
	f("::1", "Loopback")
	f("10.0.0.5", "Private")
	f("fd00::1", "Private")
	f("169.254.1.1", "Reserved")
	f("224.0.0.1", "Reserved")
	f("255.255.255.255", "Broadcast")
	f("0.0.0.0", "Reserved")
	f("8.8.8.8", "Public")
	f("nope", "")
}

func TestAuthProtocol(t *testing.T) {
	f := func(service, desc, pw, want string) {
		t.Helper()
		if got := authProtocol(service, desc, pw); got != want {
			t.Errorf("authProtocol(%q, %q, %q) = %q, want %q", service, desc, pw, got, want)
		}
	}
	f("Kerberos KDC", "ENC-TS Pre-authentication", "aes256-cts-hmac-sha1-96", "Kerberos")
	f("Kerberos KDC", "PKINIT", "", "Kerberos")
	f("LDAP", "simple bind", "Plaintext", "Ldap")
	f("LDAP", "simple bind/TLS", "Plaintext", "Ldap")
	f("LDAP", "NTLMSSP", "NTLMv2", "Ntlm")
	f("LDAP", "GSSAPI", "", "Kerberos")
	f("SMB2", "NTLMSSP", "NTLMv2", "Ntlm")
	f("SamLogon", "network", "NTLMv2", "Ntlm")
	f("SamLogon", "interactive", "", "Ntlm")
	f("NETLOGON", "ServerAuthenticate", "HMAC-SHA256", "Netlogon")
	f("SAMR Password Change", "OemChangePasswordUser2", "Plaintext", "Samr")
	f("DCE/RPC", "schannel", "", "Dce/rpc")
	f("", "", "", "")
}

func TestIdentityLogonType(t *testing.T) {
	f := func(service, desc string, winType int64, want string) {
		t.Helper()
		if got := identityLogonType(service, desc, winType); got != want {
			t.Errorf("identityLogonType(%q, %q, %d) = %q, want %q", service, desc, winType, got, want)
		}
	}
	f("LDAP", "simple bind", 8, "LDAP cleartext")
	f("LDAP", "simple bind/TLS", 8, "Credentials validation")
	f("Kerberos KDC", "ENC-TS Pre-authentication", 3, "Credentials validation")
	f("Kerberos KDC", "TGS-REQ", 3, "Resource access")
	f("SMB2", "NTLMSSP", 3, "Resource access")
	f("SamLogon", "interactive", 2, "Interactive")
	f("SamLogon", "network", 3, "Credentials validation")
	f("NETLOGON", "ServerAuthenticate", 3, "Credentials validation")
}

func TestFailureReason(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := failureReason(in); got != want {
			t.Errorf("failureReason(%q) = %q, want %q", in, got, want)
		}
	}
	f("NT_STATUS_WRONG_PASSWORD", "WrongPassword")
	f("NT_STATUS_NO_SUCH_USER", "UnknownUser")
	f("NT_STATUS_ACCOUNT_DISABLED", "AccountDisabled")
	f("NT_STATUS_ACCOUNT_LOCKED_OUT", "AccountLocked")
	f("NT_STATUS_LOGON_FAILURE", "InvalidUserNameOrPassword")
	f("NT_STATUS_NEW_ONE", "NT_STATUS_NEW_ONE")
}

func TestAttributeValues(t *testing.T) {
	f := func(fn func(string) string, in, want string) {
		t.Helper()
		if got := fn(in); got != want {
			t.Errorf("(%q) = %q, want %q", in, got, want)
		}
	}
	f(encryptionTypes, "24", "Aes128CtsHmacSha196, Aes256CtsHmacSha196")
	f(encryptionTypes, "4", "Rc4HmacMd5")
	f(encryptionTypes, "0", "N/A")
	f(encryptionTypes, "x", "x")
	f(fileTime, "0", "Never")
	f(fileTime, "9223372036854775807", "Never")
	f(fileTime, "133500000000000000", "2024-01-17T21:20:00Z")
	f(fileTime, "5", "5")
	f(lockedOut, "0", "False")
	f(lockedOut, "133500000000000000", "True")
}

func TestUacRows(t *testing.T) {
	f := func(value string, want ...string) {
		t.Helper()
		rows := uacRows(target{}, attrChange{name: "userAccountControl", action: "replace", values: []string{value}})
		var got []string
		for _, r := range rows {
			got = append(got, r.action)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("uacRows(%s) (-want +got):\n%s", value, d)
		}
	}
	f("512", "Account Disabled changed")
	f("514", "Account Disabled changed")
	f("66048", "Account Disabled changed", "Account Password Never Expires changed")
	f("4260352", "Account Disabled changed", "Account Password Never Expires changed", "Account Kerberos Preauthentication Not Required changed")
	f("16781312", "Account Disabled changed", "Account Constrained Delegation changed")
	f("544", "Account Disabled changed", "Account Password Not Required changed")
	f("x", "Directory Object Modified")
}

// TestDomainController checks where the controller's name comes from.
func TestDomainController(t *testing.T) {
	line := `{"timestamp":"2026-11-26T20:17:01+0000","type":"Authentication","Authentication":{"status":"NT_STATUS_OK","serviceDescription":"SMB2","authDescription":"NTLMSSP","logonType":3,"becameAccount":"alice","remoteAddress":"ipv4:10.0.0.50:1"}}`
	f := func(n *Audit, line, want string) {
		t.Helper()
		res := ingesttest.NormalizeLine(t, []ingest.Normalizer{n}, "t", 1, []byte(line))
		got := ""
		for _, r := range res.Rows {
			if r.Table == "DeviceLogonEvents" {
				got = r.Values["DeviceName"].(string)
			}
		}
		if got != want {
			t.Errorf("DeviceName = %q, want %q (%+v)", got, want, res)
		}
	}
	f(NewAudit(), line, "")
	f(NewAudit(WithDomainController("DC1.xdr.test")), line, "dc1.xdr.test")
	shipped := `{"hostname":"dc2.xdr.test",` + line[1:]
	f(NewAudit(WithDomainController("dc1.xdr.test")), shipped, "dc2.xdr.test")
}

// TestReferenceSamples runs every sample of the idmail reference file.
func TestReferenceSamples(t *testing.T) {
	results := ingesttest.RunSamples(t, normalizers(), ingesttest.NeedShared(t, "reference/idmail/samba_audit_samples.json"))
	ingesttest.NoErrors(t, results)
	ingesttest.WantCounts(t, map[string]int{"IdentityLogonEvents": 7, "DeviceLogonEvents": 4, "IdentityDirectoryEvents": 2, "RawEvents": 9}, results)
}

// TestDetectOthers checks that other sources' records are left alone.
func TestDetectOthers(t *testing.T) {
	ingesttest.DetectNoneIn(t, normalizers(),
		"reference/idmail/dovecot_event_samples.json",
		"datasets/attack/ec2_proxy_s3_exfiltration.ndjson.gz",
		"datasets/attack/goldensaml_adfs_mail_access__WindowsEvents.ndjson.gz",
	)
}

func FuzzSamba(f *testing.F) { ingesttest.Fuzz(f, normalizers()) }
