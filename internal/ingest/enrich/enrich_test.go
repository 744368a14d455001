package enrich

import (
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
)

func TestIPClassesFillsOnlyEmpty(t *testing.T) {
	var rs ingest.RowSet
	r := rs.New("DeviceNetworkEvents").Set("RemoteIP", "8.8.8.8").Set("LocalIP", "10.0.0.2").Set("LocalIPType", "Given")
	IPClasses{}.Enrich(&rs)
	if r.Get("RemoteIPType") != "Public" || r.Get("LocalIPType") != "Given" {
		t.Errorf("got %v %v", r.Get("RemoteIPType"), r.Get("LocalIPType"))
	}
}

func TestAccounts(t *testing.T) {
	a := NewAccounts(10)
	var rs ingest.RowSet
	rs.New("DeviceLogonEvents").Set("AccountSid", "S-1-5-21-1-2-3-1104").Set("AccountName", "alice").Set("AccountDomain", "CORP")
	rs.New("DeviceLogonEvents").Set("AccountSid", "S-1-5-18").Set("AccountName", "SYSTEM").Set("AccountDomain", "NT AUTHORITY")
	a.Enrich(&rs)
	rs.Reset()
	bySID := rs.New("DeviceProcessEvents").Set("AccountSid", "S-1-5-21-1-2-3-1104")
	byName := rs.New("DeviceProcessEvents").Set("InitiatingProcessAccountName", "Alice").Set("InitiatingProcessAccountDomain", "corp")
	system := rs.New("DeviceProcessEvents").Set("AccountName", "SYSTEM").Set("AccountDomain", "NT AUTHORITY")
	a.Enrich(&rs)
	if bySID.Get("AccountName") != "alice" || bySID.Get("AccountDomain") != "CORP" {
		t.Errorf("name from SID: %v %v", bySID.Get("AccountName"), bySID.Get("AccountDomain"))
	}
	if byName.Get("InitiatingProcessAccountSid") != "S-1-5-21-1-2-3-1104" {
		t.Errorf("SID from name: %v", byName.Get("InitiatingProcessAccountSid"))
	}
	if system.Get("AccountSid") != nil {
		t.Error("well-known SIDs must not be learned")
	}
}

// Accounts seen lately are not relearned, but a SID renamed between
// two rows of the same account is; a name looked up in vain is found
// once learned.
func TestAccountsRename(t *testing.T) {
	a := NewAccounts(10)
	var rs ingest.RowSet
	early := rs.New("DeviceProcessEvents").Set("AccountName", "alice2").Set("AccountDomain", "corp")
	a.Enrich(&rs)
	if early.Get("AccountSid") != nil {
		t.Fatalf("SID %v for a name never learned", early.Get("AccountSid"))
	}
	rs.Reset()
	learn := func(sid, name string) {
		rs.New("DeviceLogonEvents").Set("AccountSid", sid).Set("AccountName", name).Set("AccountDomain", "CORP")
	}
	learn("S-1-5-21-1-2-3-1104", "alice")
	learn("S-1-5-21-1-2-3-1105", "bob")
	learn("S-1-5-21-1-2-3-1104", "alice")
	learn("S-1-5-21-1-2-3-1104", "alice2")
	learn("S-1-5-21-1-2-3-1105", "bob")
	a.Enrich(&rs)
	rs.Reset()
	r1 := rs.New("DeviceProcessEvents").Set("AccountSid", "S-1-5-21-1-2-3-1104")
	r2 := rs.New("DeviceProcessEvents").Set("AccountSid", "S-1-5-21-1-2-3-1105")
	r3 := rs.New("DeviceProcessEvents").Set("AccountName", "alice2").Set("AccountDomain", "corp")
	a.Enrich(&rs)
	if r1.Get("AccountName") != "alice2" || r2.Get("AccountName") != "bob" || r3.Get("AccountSid") != "S-1-5-21-1-2-3-1104" {
		t.Errorf("after a rename: %v, %v, %v", r1.Get("AccountName"), r2.Get("AccountName"), r3.Get("AccountSid"))
	}
}

func TestDevicesAnnounceOnceAndOnRename(t *testing.T) {
	d := NewDevices(2)
	ts := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	count := func(name string) int {
		var rs ingest.RowSet
		rs.New("DeviceProcessEvents").Set("DeviceId", "id1").Set("DeviceName", name).Set("Timestamp", ts)
		rs.New("SecurityEvent")
		d.Enrich(&rs)
		n := 0
		for _, r := range rs.Rows() {
			if r.Table.Name == "DeviceInfo" {
				n++
				if r.Get("OSPlatform") != "Windows" || r.Get("Timestamp") != ts || r.Get("DeviceName") != name {
					t.Errorf("DeviceInfo row %v", r.Values)
				}
			}
		}
		return n
	}
	if count("ws1") != 1 || count("ws1") != 0 || count("WS1") != 0 || count("ws1-renamed") != 1 {
		t.Error("DeviceInfo must be written on first sight and on rename only")
	}
	d.Seed("id2", "seeded", "Linux")
	var rs ingest.RowSet
	rs.New("DeviceEvents").Set("DeviceId", "id2").Set("DeviceName", "seeded")
	d.Enrich(&rs)
	if len(rs.Rows()) != 1 {
		t.Error("a seeded device was announced again")
	}
}

func TestLRUBound(t *testing.T) {
	c := newLRU[int](3)
	for i, k := range []string{"a", "b", "c", "d"} {
		c.put(k, i)
	}
	if _, ok := c.get("a"); ok || c.len() != 3 {
		t.Error("oldest key kept")
	}
	c.get("b")
	c.put("e", 4)
	if _, ok := c.get("b"); !ok {
		t.Error("recently used key evicted")
	}
}
