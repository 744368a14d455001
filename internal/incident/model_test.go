package incident

import (
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/store"
)

// TestFromBatch: the AlertInfo and AlertEvidence rows detect.Batch writes
// read back as the alerts they came from (what the server's tap sees).
func TestFromBatch(t *testing.T) {
	in := []detect.Alert{{ID: "vc1", Title: "LSASS dump on ws1", Severity: detect.High, Category: "CredentialAccess", Techniques: []string{"T1003.001"},
		Timestamp: t0, Evidence: []detect.Evidence{
			{EntityType: "Machine", EvidenceRole: "Impacted", Fields: map[string]any{"DeviceId": "abc", "DeviceName": "WS1.corp.local"}},
			{EntityType: "User", EvidenceRole: "Impacted", Fields: map[string]any{"AccountName": "alice", "AccountDomain": "CORP", "AccountSid": "S-1-5-21-1-1001"}},
			{EntityType: "File", EvidenceRole: "Related", Fields: map[string]any{"SHA1": "AA11", "FileName": "rundll32.exe"}},
			{EntityType: "Process", EvidenceRole: "Related", Fields: map[string]any{"ProcessCommandLine": "rundll32 comsvcs.dll MiniDump"}},
			{EntityType: "Ip", EvidenceRole: "Related", Fields: map[string]any{"RemoteIP": "127.0.0.1"}},
		}}}
	b := detect.Batch(in)
	b.Tables = append(b.Tables, store.TableRows{Table: "DeviceEvents", Rows: [][]any{{}}})
	got := FromBatch(b)
	if len(got) != 1 {
		t.Fatalf("%d alerts", len(got))
	}
	a := got[0]
	if a.ID != "vc1" || a.Severity != "High" || a.Category != "CredentialAccess" || !a.Time.Equal(t0) || a.Techniques[0] != "T1003.001" ||
		a.DetectionSource != detect.DetectionSource || len(a.Evidence) != 5 {
		t.Fatalf("alert: %+v", a)
	}
	ents := entitiesOf(&a)
	// rundll32.exe is Windows' own: shown, but its hash does not link.
	want := map[string]string{KindDevice: "dev:ws1", KindAccount: "sid:s-1-5-21-1-1001", KindFile: "", KindProcess: "proc:ws1|rundll32 comsvcs.dll minidump"}
	if len(ents) != len(want) { // the loopback IP identifies nothing
		t.Errorf("entities: %+v", ents)
	}
	for _, e := range ents {
		if len(e.Keys) == 0 {
			if want[e.Kind] != "" {
				t.Errorf("%s: no keys", e.Kind)
			}
			continue
		}
		if want[e.Kind] != e.Keys[0] {
			t.Errorf("%s: keys %v, want first %s", e.Kind, e.Keys, want[e.Kind])
		}
	}
	// Evidence without its AlertInfo row is not an alert.
	if got := FromBatch(store.Batch{Tables: b.Tables[1:]}); len(got) != 0 {
		t.Errorf("evidence alone: %+v", got)
	}
}

func TestEntities(t *testing.T) {
	f := func(ev Evidence, want ...string) {
		t.Helper()
		a := Alert{Evidence: []Evidence{ev}}
		var got []string
		for _, e := range entitiesOf(&a) {
			got = append(got, e.Kind+"="+e.Value)
			got = append(got, e.Keys...)
		}
		if len(got) != len(want) {
			t.Fatalf("%+v: got %v, want %v", ev.Fields, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%+v: got %v, want %v", ev.Fields, got, want)
				return
			}
		}
	}
	f(Evidence{EntityType: "User", Fields: map[string]any{"AccountName": `CORP\Bob`}}, "account=corp\\bob", "acct:corp\\bob")
	f(Evidence{EntityType: "User", Fields: map[string]any{"AccountUpn": "Bob@Corp.com"}}, "account=bob@corp.com", "upn:bob@corp.com")
	f(Evidence{EntityType: "User", Fields: map[string]any{"AccountName": "Bob", "AccountDomain": "CORP.local", "AccountSid": "S-1-5-21-9",
		"AccountUpn": "Bob@Corp.com", "AccountObjectId": "AB-12"}},
		"account=corp\\bob", "sid:s-1-5-21-9", "upn:bob@corp.com", "aad:ab-12", "acct:corp\\bob")
	f(Evidence{EntityType: "User", Fields: map[string]any{"AccountSid": "S-1-5-21-9"}}, "account=S-1-5-21-9", "sid:s-1-5-21-9")
	f(Evidence{EntityType: "Machine", Fields: map[string]any{"DeviceName": "WS1.corp.local", "DeviceId": "AbC"}}, "device=ws1.corp.local", "dev:ws1", "devid:abc")
	f(Evidence{EntityType: "Machine", Fields: map[string]any{"DeviceId": "AbC"}}, "device=AbC", "devid:abc")
	// A device named by its address keeps the whole address.
	f(Evidence{EntityType: "Machine", Fields: map[string]any{"DeviceName": "10.1.2.3"}}, "device=10.1.2.3", "dev:10.1.2.3")
	f(Evidence{EntityType: "Machine", Fields: map[string]any{"DeviceName": "FE80::1"}}, "device=fe80::1", "dev:fe80::1")
	f(Evidence{EntityType: "Machine", Fields: map[string]any{"DeviceName": "1.2.host"}}, "device=1.2.host", "dev:1")
	f(Evidence{EntityType: "Mailbox", Fields: map[string]any{"AccountUpn": "Bob@Corp.com", "AdditionalFields": `{"Sender":"evil@x.test"}`}},
		"mailbox=bob@corp.com", "mail:bob@corp.com", "sender=evil@x.test", "sender:evil@x.test", "upn:evil@x.test")
	f(Evidence{EntityType: "Ip", Fields: map[string]any{"RemoteIP": "::ffff:10.0.0.1"}}, "ip=10.0.0.1", "ip:10.0.0.1")
	f(Evidence{EntityType: "Ip", Fields: map[string]any{"RemoteIP": "fe80::1"}})
	f(Evidence{EntityType: "Ip", Fields: map[string]any{"RemoteIP": "not an ip"}})
	f(Evidence{EntityType: "Url", Fields: map[string]any{"RemoteUrl": "HTTP://X.test/a"}}, "url=http://x.test/a", "url:http://x.test/a")
	f(Evidence{EntityType: "CloudApplication", Fields: map[string]any{"Application": "Office 365"}}, "app=Office 365")
	f(Evidence{EntityType: "Registry", Fields: map[string]any{"RegistryKey": "HKLM"}})
	// Windows' own binaries are shown but do not link.
	f(Evidence{EntityType: "File", Fields: map[string]any{"SHA1": "AB", "FileName": "vssadmin.exe", "FolderPath": `C:\Windows\System32\vssadmin.exe`}}, "file=vssadmin.exe")
	f(Evidence{EntityType: "File", Fields: map[string]any{"SHA1": "AB", "FileName": "PowerShell.exe"}}, "file=PowerShell.exe")
	f(Evidence{EntityType: "File", Fields: map[string]any{"SHA1": "AB", "FileName": "winlogsvc.exe", "FolderPath": `C:\Users\Public\winlogsvc.exe`}}, "file=winlogsvc.exe", "sha1:ab")
	// A process without a device names nothing to link.
	f(Evidence{EntityType: "Process", Fields: map[string]any{"ProcessCommandLine": "cmd"}})
}

func TestGraphEdges(t *testing.T) {
	as := []state.IncidentAlert{
		{AlertID: "b", Time: t0.Add(time.Minute), Title: "second", Entities: []state.IncidentEntity{{Kind: KindDevice, Value: "ws1", Keys: []string{"dev:ws1"}}},
			Reasons: []state.LinkReason{{Kind: "entity", EntityKind: KindDevice, EntityValue: "ws1", OtherAlert: "a", OtherTime: t0}}},
		{AlertID: "a", Time: t0, Title: "first", Entities: []state.IncidentEntity{{Kind: KindDevice, Value: "ws1", Keys: []string{"dev:ws1"}}}},
	}
	g := BuildGraph(as)
	if len(g.Nodes) != 3 || g.Nodes[0].ID != "alert:a" || g.Nodes[1].ID != "device:dev:ws1" || !g.Nodes[1].LastSeen.Equal(t0.Add(time.Minute)) {
		t.Errorf("nodes: %+v", g.Nodes)
	}
	var link *GraphEdge
	for i := range g.Edges {
		if g.Edges[i].Type == "entity" {
			link = &g.Edges[i]
		}
	}
	if len(g.Edges) != 3 || link == nil || link.From != "alert:b" || link.To != "alert:a" || !link.FromTime.Equal(t0) {
		t.Errorf("edges: %+v", g.Edges)
	}
}

func TestAddressesOf(t *testing.T) {
	tbl, _ := schema.Lookup("DeviceNetworkEvents")
	row := make([]any, len(tbl.Columns))
	for i, c := range tbl.Columns {
		switch c.Name {
		case "LocalIP":
			row[i] = "10.0.0.5"
		case "DeviceName":
			row[i] = "ws1.corp.local"
		}
	}
	got := AddressesOf(store.Batch{Tables: []store.TableRows{{Table: "DeviceNetworkEvents", Rows: [][]any{row, {}}}, {Table: "DeviceEvents", Rows: [][]any{row}}}})
	if len(got) != 1 || got["10.0.0.5"] != "ws1.corp.local" {
		t.Errorf("got %v", got)
	}
}
