package windows

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
)

// findRecord returns the rows of the first record of a dataset that
// matches, normalized by the normalizer that detects it.
func findRecord(t *testing.T, dataset string, match func(v *fastjson.Value) bool) []*ingest.Row {
	t.Helper()
	loadIndex(t) // skips when the datasets are absent
	path := filepath.Join(datasetsDir, dataset+".ndjson.gz")
	var p fastjson.Parser
	for _, line := range ingesttest.ReadLines(t, path) {
		v, err := p.ParseBytes(line)
		if err != nil || !match(v) {
			continue
		}
		n := detect(normalizers(), parseInput(line))
		if n == nil {
			t.Fatalf("%s: no normalizer detects %s", dataset, line)
		}
		rows, err := normalizeOne(n, line)
		if err != nil {
			t.Fatalf("%s: %v", dataset, err)
		}
		return rows
	}
	t.Fatalf("%s: no matching record", dataset)
	return nil
}

func str(v *fastjson.Value, k string) string { return ingest.Str(v, k) }

// want compares named columns of a row.
func want(t *testing.T, r *ingest.Row, cols map[string]any) {
	t.Helper()
	got := map[string]any{}
	for k := range cols {
		got[k] = col(t, r, k)
	}
	if d := cmp.Diff(cols, got); d != "" {
		t.Errorf("%s (-want +got):\n%s", r.Table.Name, d)
	}
}

func additional(t *testing.T, r *ingest.Row) map[string]any {
	t.Helper()
	var m map[string]any
	switch v := col(t, r, "AdditionalFields").(type) {
	case string:
		if err := json.Unmarshal([]byte(v), &m); err != nil {
			t.Fatal(err)
		}
	case json.RawMessage:
		if err := json.Unmarshal(v, &m); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func one(t *testing.T, rows []*ingest.Row, table string) *ingest.Row {
	t.Helper()
	rs := rowsOf(rows, table)
	if len(rs) != 1 {
		t.Fatalf("%d %s rows, want 1", len(rs), table)
	}
	return rs[0]
}

// A Sysmon process creation with all hashes and its parent: comsvcs.dll's
// MiniDump run through rundll32 (OTRF exporter shape).
func TestSpotSysmonProcessCreate(t *testing.T) {
	rows := findRecord(t, "psh_lsass_memory_dump_comsvcs", func(v *fastjson.Value) bool {
		return str(v, "EventID") == "1" && strings.Contains(str(v, "CommandLine"), "MiniDump")
	})
	r := one(t, rows, "DeviceProcessEvents")
	want(t, r, map[string]any{
		"Timestamp":                          time.Date(2020, 10, 18, 7, 50, 5, 917e6, time.UTC),
		"DeviceName":                         "workstation5",
		"DeviceId":                           ingest.DeviceID("WORKSTATION5"),
		"ActionType":                         "ProcessCreated",
		"FileName":                           "rundll32.exe",
		"FolderPath":                         `C:\Windows\System32\rundll32.exe`,
		"ProcessCommandLine":                 `"C:\Windows\System32\rundll32.exe" C:\windows\System32\comsvcs.dll MiniDump 756 C:\Users\wardog\AppData\Local\Temp\lsass-comsvcs.dmp full`,
		"ProcessId":                          int64(4824),
		"SHA1":                               "7662a8d2f23c3474dec6ef8e2b0365b0b86714ee",
		"MD5":                                "f68af942fd7ccc0e7bab1a2335d2ad26",
		"SHA256":                             "11064e9edc605bd5b0c0a505538a0d5fd7de53883af342f091687cae8628acd0",
		"ProcessIntegrityLevel":              "High",
		"AccountDomain":                      "WORKSTATION5",
		"AccountName":                        "wardog",
		"LogonId":                            int64(0xc61d9),
		"ProcessVersionInfoOriginalFileName": "RUNDLL32.EXE",
		"ProcessVersionInfoCompanyName":      "Microsoft Corporation",
		"ProcessVersionInfoFileDescription":  "Windows host process (Rundll32)",
		"InitiatingProcessFileName":          "powershell.exe",
		"InitiatingProcessFolderPath":        `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
		"InitiatingProcessCommandLine":       `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe `,
		"InitiatingProcessId":                int64(6100),
	})
	if af := additional(t, r); af["Imphash"] != "f27a7fc3a53e74f45be370131953896a" || af["ParentProcessGuid"] == nil {
		t.Errorf("AdditionalFields = %v", af)
	}
	raw := one(t, rows, "WindowsEvent")
	want(t, raw, map[string]any{"EventID": int32(1), "Channel": chSysmon, "Provider": "Microsoft-Windows-Sysmon", "Computer": "WORKSTATION5"})
}

// A network logon (type 3) with the client's address, on the domain
// controller (NXLog shape).
func TestSpotNetworkLogon(t *testing.T) {
	rows := findRecord(t, "covenant_dcsync_dcerpc_drsuapi_DsGetNCChanges", func(v *fastjson.Value) bool {
		return str(v, "EventID") == "4624" && str(v, "LogonType") == "3" && str(v, "IpAddress") == "172.18.38.6"
	})
	r := one(t, rows, "DeviceLogonEvents")
	want(t, r, map[string]any{
		"Timestamp":     time.Date(2020, 8, 5, 6, 9, 51, 733e6, time.UTC),
		"DeviceName":    "mordordc.theshire.local",
		"ActionType":    "LogonSuccess",
		"LogonType":     "Network",
		"AccountName":   "WEC$",
		"AccountDomain": "THESHIRE.LOCAL",
		"AccountSid":    "S-1-5-21-3669966080-2286457517-972388166-1111",
		"LogonId":       int64(0x824281),
		"Protocol":      "Kerberos",
		"RemoteIP":      "172.18.38.6",
		"RemoteIPType":  "Private",
		"RemotePort":    int32(54639),
		"IsLocalAdmin":  true, // ElevatedToken %%1842
	})
	raw := one(t, rows, "SecurityEvent")
	want(t, raw, map[string]any{
		"Activity":      "4624 - An account was successfully logged on.",
		"LogonType":     int32(3),
		"LogonTypeName": "3 - Network",
		"IpAddress":     "172.18.38.6",
		"IpPort":        "54639",
		"Account":       `THESHIRE.LOCAL\WEC$`,
		"AccountType":   "Machine",
		"EventRecordId": "215501",
		"Level":         "8",
		"Keywords":      "0x8020000000000000",
		"Computer":      "MORDORDC.theshire.local",
	})
	var data map[string]string
	if err := json.Unmarshal([]byte(col(t, raw, "EventData").(string)), &data); err != nil || data["TargetUserName"] != "WEC$" {
		t.Errorf("EventData = %v (%v)", data, err)
	}
}

// DCSync: 4662 with the replication rights' GUIDs on the domain controller.
func TestSpotDCSync(t *testing.T) {
	rows := findRecord(t, "covenant_dcsync_dcerpc_drsuapi_DsGetNCChanges", func(v *fastjson.Value) bool {
		return str(v, "EventID") == "4662" && strings.Contains(str(v, "Properties"), "1131f6ad-9c07-11d1-f79f-00c04fc2dcd2")
	})
	r := one(t, rows, "IdentityDirectoryEvents")
	want(t, r, map[string]any{
		"ActionType":            "Directory Services replication",
		"Application":           "Active Directory",
		"AccountName":           "pgustavo",
		"AccountDomain":         "THESHIRE",
		"AccountSid":            "S-1-5-21-3669966080-2286457517-972388166-1104",
		"DestinationDeviceName": "mordordc.theshire.local",
	})
	af := additional(t, r)
	if d := cmp.Diff([]any{"DS-Replication-Get-Changes-All"}, af["ReplicationRights"]); d != "" {
		t.Errorf("ReplicationRights (-want +got):\n%s", d)
	}
	if _, ok := col(t, r, "ReportId").(string); !ok {
		t.Error("Identity tables' ReportId is a string")
	}
	one(t, rows, "SecurityEvent")
}

// Sysmon 10: rundll32 opening lsass with full access (the comsvcs dump).
func TestSpotLsassAccess(t *testing.T) {
	rows := findRecord(t, "psh_lsass_memory_dump_comsvcs", func(v *fastjson.Value) bool {
		return str(v, "EventID") == "10" && strings.HasSuffix(str(v, "TargetImage"), "lsass.exe") && str(v, "GrantedAccess") == "0x1fffff"
	})
	r := one(t, rows, "DeviceEvents")
	want(t, r, map[string]any{
		"ActionType":                  "OpenProcessApiCall",
		"FileName":                    "lsass.exe",
		"FolderPath":                  `C:\windows\system32\lsass.exe`,
		"ProcessId":                   int64(756),
		"InitiatingProcessFileName":   "rundll32.exe",
		"InitiatingProcessFolderPath": `C:\Windows\System32\rundll32.exe`,
		"InitiatingProcessId":         int64(4824),
	})
	af := additional(t, r)
	if af["GrantedAccess"] != "0x1fffff" || af["DesiredAccess"] != float64(0x1fffff) || af["CallTrace"] == nil {
		t.Errorf("AdditionalFields = %v", af)
	}
}
