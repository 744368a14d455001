package dovecot

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
)

func TestAstring(t *testing.T) {
	f := func(in, want, rest string) {
		t.Helper()
		got, r := astring(in)
		if got != want || r != rest {
			t.Errorf("astring(%q) = %q, %q, want %q, %q", in, got, r, want, rest)
		}
	}
	f(`"Junk"`, "Junk", "")
	f(`"Archive \"2024\"" x`, `Archive "2024"`, "x")
	f(`INBOX.Sent (\Seen)`, "INBOX.Sent", `(\Seen)`)
	f(`  "a\\b"`, `a\b`, "")
	f(`"unterminated`, "unterminated", "")
	f(`"trailing\`, "trailing", "")
	f("", "", "")
}

func TestImapAction(t *testing.T) {
	f := func(name, args string, want mailAction) {
		t.Helper()
		got, ok := imapAction(name, args)
		if !ok && want.action != "" || got != want {
			t.Errorf("imapAction(%q, %q) = %+v, %v, want %+v", name, args, got, ok, want)
		}
	}
	f("MOVE", `2 "Junk"`, mailAction{action: "Move", set: "2", dest: "Junk"})
	f("MOVE", `2:4 Trash`, mailAction{action: "MoveToDeletedItems", set: "2:4", dest: "Trash"})
	f("MOVE", `1 "INBOX/Deleted Items"`, mailAction{action: "MoveToDeletedItems", set: "1", dest: "INBOX/Deleted Items"})
	f("COPY", `1,3 "Archive"`, mailAction{action: "Copy", set: "1,3", dest: "Archive"})
	f("EXPUNGE", ``, mailAction{action: "HardDelete"})
	f("EXPUNGE", `1:2`, mailAction{action: "HardDelete", set: "1:2"})
	f("STORE", `7 +FLAGS (\Deleted)`, mailAction{action: "SoftDelete", set: "7"})
	f("STORE", `7 +FLAGS.SILENT (\Deleted \Seen)`, mailAction{action: "SoftDelete", set: "7"})
	f("STORE", `7 -FLAGS (\Deleted)`, mailAction{action: "Update", set: "7"})
	f("STORE", `7 FLAGS (\Seen)`, mailAction{action: "Update", set: "7"})
	f("FETCH", `1 (BODY.PEEK[])`, mailAction{action: "MailItemsAccessed", set: "1", accessType: "Bind"})
	f("FETCH", `1 (FLAGS ENVELOPE)`, mailAction{action: "MailItemsAccessed", set: "1", accessType: "Sync"})
	f("APPEND", `"Sent" (\Seen) {310}`, mailAction{action: "Create", mailbox: "Sent"})
	f("CREATE", `Exfil`, mailAction{action: "MailboxCreated", mailbox: "Exfil"})
	f("DELETE", `"Old"`, mailAction{action: "MailboxDeleted", mailbox: "Old"})
	f("RENAME", `A B`, mailAction{action: "MailboxRenamed", mailbox: "A", dest: "B"})
	f("SELECT", `INBOX`, mailAction{})
	f("NOOP", ``, mailAction{})
}

func TestFetchesContent(t *testing.T) {
	f := func(items string, want bool) {
		t.Helper()
		if got := fetchesContent(items); got != want {
			t.Errorf("fetchesContent(%q) = %v, want %v", items, got, want)
		}
	}
	f("(BODY[])", true)
	f("(BODY.PEEK[TEXT])", true)
	f("(BODY[1.2])", true)
	f("(RFC822)", true)
	f("(RFC822.TEXT)", true)
	f("(BINARY.PEEK[1])", true)
	f("(BODY.PEEK[HEADER.FIELDS (From To)] BODY[])", true)
	f("(BODY.PEEK[HEADER.FIELDS (From To Subject)])", false)
	f("(BODY[HEADER])", false)
	f("(BODY[1.MIME])", false)
	f("(RFC822.SIZE RFC822.HEADER FLAGS)", false)
	f("(FLAGS UID ENVELOPE BODYSTRUCTURE)", false)
	f("", false)
}

func TestDeliveryOutcome(t *testing.T) {
	f := func(mailbox, errText, action, location string) {
		t.Helper()
		a, l := deliveryOutcome(mailbox, errText)
		if a != action || l != location {
			t.Errorf("deliveryOutcome(%q, %q) = %q, %q, want %q, %q", mailbox, errText, a, l, action, location)
		}
	}
	f("", "", "Delivered", "Inbox/folder")
	f("INBOX", "", "Delivered", "Inbox/folder")
	f("Junk", "", "Junked", "Junk folder")
	f("INBOX/Spam", "", "Junked", "Junk folder")
	f("INBOX.Junk E-mail", "", "Junked", "Junk folder")
	f("Trash", "", "Delivered", "Deleted items folder")
	f("Work", "", "Delivered", "Inbox/folder")
	f("INBOX", "Quota exceeded", "Blocked", "Failed")
}

func TestAddresses(t *testing.T) {
	f := func(got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	f(stripDetail("alice+Junk@xdr.test"), "alice@xdr.test")
	f(stripDetail("alice@xdr.test"), "alice@xdr.test")
	f(stripDetail("a+b+c@x"), "a@x")
	f(stripDetail("noat"), "noat")
	f(domainOf("Bob@XDR.test"), "xdr.test")
	f(domainOf("<bob@x.example>"), "x.example")
	f(domainOf(""), "")
	f(direction("bob@xdr.test", "", "alice@xdr.test"), "Intra-org")
	f(direction("m@evil.example", "", "alice@xdr.test"), "Inbound")
	f(direction("", "Bob <bob@xdr.test>", "alice@xdr.test"), "Intra-org")
	f(direction("", "", "alice@xdr.test"), "")
	a, n := parseAddress(`"Test, Bob" <bob@xdr.test>`)
	f(a+"|"+n, "bob@xdr.test|Test, Bob")
	a, n = parseAddress("not an address")
	f(a+"|"+n, "not an address|")
	f(networkMessageID("<m1@x>", "t"), networkMessageID("", "<m1@x>"))
	f(networkMessageID("", "", "s1"), networkMessageID("s1"))
	if len(networkMessageID("x")) != 36 {
		t.Errorf("networkMessageID is not a GUID: %s", networkMessageID("x"))
	}
}

func TestProtocolOf(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := protocolOf(in); got != want {
			t.Errorf("protocolOf(%q) = %q, want %q", in, got, want)
		}
	}
	f("imap", "IMAP")
	f("pop3", "POP3")
	f("submission", "SMTP")
	f("managesieve", "ManageSieve")
	f("xyz", "XYZ")
	f("", "")
}

func TestAuthFailure(t *testing.T) {
	f := func(errText, policy, want string) {
		t.Helper()
		if got := authFailure(errText, policy); got != want {
			t.Errorf("authFailure(%q, %q) = %q, want %q", errText, policy, got, want)
		}
	}
	f("", "ok", "InvalidUserNameOrPassword")
	f("", "refused", "PolicyRefused")
	f("Password mismatch", "ok", "Password mismatch")
}

func TestReasonCodes(t *testing.T) {
	if d := cmp.Diff([]string{"imap:fetch_body", "x"}, reasonCodes(`["imap:fetch_body","x"]`)); d != "" {
		t.Error(d)
	}
	if d := cmp.Diff([]string{"one"}, reasonCodes(`"one"`)); d != "" {
		t.Error(d)
	}
	if got := reasonCodes(`{}`); got != nil {
		t.Errorf("reasonCodes({}) = %v", got)
	}
}

// TestReferenceSamples runs every sample of the idmail reference file.
func TestReferenceSamples(t *testing.T) {
	results := ingesttest.RunSamples(t, normalizers(), ingesttest.NeedShared(t, "reference/idmail/dovecot_event_samples.json"))
	ingesttest.NoErrors(t, results)
	ingesttest.WantCounts(t, map[string]int{"IdentityLogonEvents": 2, "CloudAppEvents": 2, "EmailEvents": 1, "RawEvents": 3}, results)
}

// TestDetectOthers checks that other sources' records are left alone.
func TestDetectOthers(t *testing.T) {
	ingesttest.DetectNoneIn(t, normalizers(),
		"reference/idmail/samba_audit_samples.json",
		"datasets/attack/ec2_proxy_s3_exfiltration.ndjson.gz",
		"datasets/attack/goldensaml_adfs_mail_access__WindowsEvents.ndjson.gz",
		"datasets/attack/goldensaml_adfs_mail_access__Microsoft365DefenderEvents.ndjson.gz",
	)
}

func FuzzDovecot(f *testing.F) { ingesttest.Fuzz(f, normalizers()) }
