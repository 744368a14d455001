package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseType(t *testing.T) {
	tests := []struct {
		in   string
		want Type
		ok   bool
	}{
		// Canonical KQL names.
		{"bool", Bool, true},
		{"int", Int, true},
		{"long", Long, true},
		{"real", Real, true},
		{"decimal", Decimal, true},
		{"datetime", DateTime, true},
		{"timespan", TimeSpan, true},
		{"string", String, true},
		{"guid", GUID, true},
		{"dynamic", Dynamic, true},
		// Kusto aliases.
		{"boolean", Bool, true},
		{"int32", Int, true},
		{"int64", Long, true},
		{"double", Real, true},
		{"float", Real, true},
		{"date", DateTime, true},
		{"time", TimeSpan, true},
		{"uuid", GUID, true},
		{"uniqueid", GUID, true},
		// Case and surrounding space do not matter.
		{"DateTime", DateTime, true},
		{"STRING", String, true},
		{"Boolean", Bool, true},
		{"  long\t", Long, true},
		{"\nGuid ", GUID, true},
		{"TimeSpan", TimeSpan, true},
		// Not KQL type names.
		{"", Invalid, false},
		{" ", Invalid, false},
		{"invalid", Invalid, false},
		{"integer", Invalid, false},
		{"int16", Invalid, false},
		{"uint", Invalid, false},
		{"number", Invalid, false},
		{"numeric", Invalid, false},
		{"str", Invalid, false},
		{"text", Invalid, false},
		{"array", Invalid, false},
		{"object", Invalid, false},
		{"datetime2", Invalid, false},
		{"date time", Invalid, false},
		{"date-time", Invalid, false},
		{"timestamp", Invalid, false},
		{"bool?", Invalid, false},
		{"dynamic[]", Invalid, false},
	}
	for _, tt := range tests {
		got, ok := ParseType(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseType(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTypeString(t *testing.T) {
	tests := []struct {
		in   Type
		want string
	}{
		{Invalid, "invalid"},
		{Bool, "bool"},
		{Int, "int"},
		{Long, "long"},
		{Real, "real"},
		{Decimal, "decimal"},
		{DateTime, "datetime"},
		{TimeSpan, "timespan"},
		{String, "string"},
		{GUID, "guid"},
		{Dynamic, "dynamic"},
		{Dynamic + 1, "invalid"},
		{Type(200), "invalid"},
		{Type(255), "invalid"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("Type(%d).String() = %q; want %q", uint8(tt.in), got, tt.want)
		}
	}
}

func TestTypeRoundTrip(t *testing.T) {
	for ty := Bool; ty <= Dynamic; ty++ {
		got, ok := ParseType(ty.String())
		if !ok || got != ty {
			t.Errorf("ParseType(%v.String()) = %v, %v; want %v, true", ty, got, ok, ty)
		}
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		in       string
		want     string // "" when not found
		wantFold string // "" when not found
	}{
		{"DeviceProcessEvents", "DeviceProcessEvents", "DeviceProcessEvents"},
		{"DeviceInfo", "DeviceInfo", "DeviceInfo"},
		{"EmailEvents", "EmailEvents", "EmailEvents"},
		{"IdentityLogonEvents", "IdentityLogonEvents", "IdentityLogonEvents"},
		{"SecurityEvent", "SecurityEvent", "SecurityEvent"},
		{"WindowsEvent", "WindowsEvent", "WindowsEvent"},
		{"Syslog", "Syslog", "Syslog"},
		{"CommonSecurityLog", "CommonSecurityLog", "CommonSecurityLog"},
		{"DisruptionAndResponseEvents", "DisruptionAndResponseEvents", "DisruptionAndResponseEvents"},
		// KQL table names are case-sensitive; LookupFold is not.
		{"deviceprocessevents", "", "DeviceProcessEvents"},
		{"DEVICEPROCESSEVENTS", "", "DeviceProcessEvents"},
		{"securityevent", "", "SecurityEvent"},
		{"SYSLOG", "", "Syslog"},
		{"commonSecurityLog", "", "CommonSecurityLog"},
		{"disruptionandresponseevents", "", "DisruptionAndResponseEvents"},
		// Unknown tables.
		{"", "", ""},
		{" DeviceInfo", "", ""},
		{"DeviceInfo ", "", ""},
		{"DeviceProcessEvent", "", ""},
		{"SecurityEvents", "", ""},
		{"NoSuchTable", "", ""},
		{IngestionTimeColumn, "", ""},
	}
	for _, tt := range tests {
		tab, ok := Lookup(tt.in)
		if ok != (tt.want != "") {
			t.Errorf("Lookup(%q) found = %v; want %v", tt.in, ok, tt.want != "")
		} else if ok && tab.Name != tt.want {
			t.Errorf("Lookup(%q) = %s; want %s", tt.in, tab.Name, tt.want)
		} else if !ok && tab != nil {
			t.Errorf("Lookup(%q) = %v, false; want nil", tt.in, tab)
		}

		tab, ok = LookupFold(tt.in)
		if ok != (tt.wantFold != "") {
			t.Errorf("LookupFold(%q) found = %v; want %v", tt.in, ok, tt.wantFold != "")
		} else if ok && tab.Name != tt.wantFold {
			t.Errorf("LookupFold(%q) = %s; want %s", tt.in, tab.Name, tt.wantFold)
		} else if !ok && tab != nil {
			t.Errorf("LookupFold(%q) = %v, false; want nil", tt.in, tab)
		}
	}
}

func TestLookupEveryTable(t *testing.T) {
	for _, tab := range Tables() {
		if got, ok := Lookup(tab.Name); !ok || got != tab {
			t.Errorf("Lookup(%q) does not return the table", tab.Name)
		}
		if got, ok := LookupFold(strings.ToUpper(tab.Name)); !ok || got != tab {
			t.Errorf("LookupFold(%q) does not return the table", strings.ToUpper(tab.Name))
		}
		if got, ok := LookupFold(strings.ToLower(tab.Name)); !ok || got != tab {
			t.Errorf("LookupFold(%q) does not return the table", strings.ToLower(tab.Name))
		}
	}
}

func TestTableColumn(t *testing.T) {
	tests := []struct {
		table  string
		column string
		want   Type // Invalid when the column must not exist
	}{
		{"DeviceProcessEvents", "Timestamp", DateTime},
		{"DeviceProcessEvents", "ProcessCommandLine", String},
		{"DeviceProcessEvents", "FileSize", Long},
		{"DeviceProcessEvents", "processcommandline", Invalid},
		{"DeviceProcessEvents", "TimeGenerated", Invalid},
		{"SecurityEvent", "TimeGenerated", DateTime},
		{"SecurityEvent", "Computer", String},
		{"SecurityEvent", "EventID", Int},
		{"SecurityEvent", "Activity", String},
		{"SecurityEvent", "Account", String},
		{"SecurityEvent", "AccountType", String},
		{"SecurityEvent", "SubjectUserName", String},
		{"SecurityEvent", "TargetUserName", String},
		{"SecurityEvent", "LogonType", Int},
		{"SecurityEvent", "IpAddress", String},
		{"SecurityEvent", "ProcessName", String},
		{"SecurityEvent", "CommandLine", String},
		{"SecurityEvent", "NewProcessName", String},
		{"SecurityEvent", "ParentProcessName", String},
		{"SecurityEvent", "EventData", String},
		{"SecurityEvent", "TenantId", String},
		{"SecurityEvent", "SourceSystem", String},
		{"SecurityEvent", "Eventid", Invalid},
		{"SecurityEvent", "Timestamp", Invalid},
		{"SecurityEvent", "_ResourceId", Invalid},
		{"SecurityEvent", "Type", Invalid},
		{"WindowsEvent", "TimeGenerated", DateTime},
		{"WindowsEvent", "EventID", Int},
		{"WindowsEvent", "Channel", String},
		{"WindowsEvent", "Provider", String},
		{"WindowsEvent", "Task", Int},
		{"WindowsEvent", "EventLevel", Int},
		{"WindowsEvent", "EventLevelName", String},
		{"WindowsEvent", "EventData", Dynamic},
		{"WindowsEvent", "RawEventData", String},
		{"WindowsEvent", "SystemProcessId", Int},
		{"Syslog", "TimeGenerated", DateTime},
		{"Syslog", "EventTime", DateTime},
		{"Syslog", "Facility", String},
		{"Syslog", "SeverityLevel", String},
		{"Syslog", "SyslogMessage", String},
		{"Syslog", "ProcessID", Int},
		{"Syslog", "ProcessId", Invalid},
		{"CommonSecurityLog", "TimeGenerated", DateTime},
		{"CommonSecurityLog", "DeviceVendor", String},
		{"CommonSecurityLog", "DeviceProduct", String},
		{"CommonSecurityLog", "DeviceEventClassID", String},
		{"CommonSecurityLog", "LogSeverity", String},
		{"CommonSecurityLog", "SourceIP", String},
		{"CommonSecurityLog", "DestinationIP", String},
		{"CommonSecurityLog", "DestinationPort", Int},
		{"CommonSecurityLog", "DeviceCustomString6Label", String},
		{"CommonSecurityLog", "DeviceCustomNumber3", Int},
		{"CommonSecurityLog", "FieldDeviceCustomNumber1", Long},
		{"CommonSecurityLog", "DeviceCustomFloatingPoint1", Real},
		{"CommonSecurityLog", "ReceivedBytes", Long},
		{"CommonSecurityLog", "FlexString2", String},
		{"CommonSecurityLog", "DeviceCustomString7", Invalid},
		{"DisruptionAndResponseEvents", "Timestamp", DateTime},
		{"DisruptionAndResponseEvents", "ActionType", String},
		{"DisruptionAndResponseEvents", "InitiatingProcessId", Int},
		{"DisruptionAndResponseEvents", "LogonId", Long},
		{"DisruptionAndResponseEvents", "IsPolicyOn", Bool},
		{"DisruptionAndResponseEvents", "TargetDeviceName", String},
		{"DisruptionAndResponseEvents", "TargetDeviceName ", Invalid},
	}
	for _, tt := range tests {
		tab, ok := Lookup(tt.table)
		if !ok {
			t.Errorf("table %s missing", tt.table)
			continue
		}
		col, i, ok := tab.Column(tt.column)
		if tt.want == Invalid {
			if ok || i != -1 || col != (Column{}) {
				t.Errorf("%s.Column(%q) = %v, %d, %v; want zero, -1, false", tt.table, tt.column, col, i, ok)
			}
			continue
		}
		if !ok {
			t.Errorf("%s.Column(%q) not found", tt.table, tt.column)
			continue
		}
		if col.Name != tt.column || col.Type != tt.want {
			t.Errorf("%s.Column(%q) = %s %v; want %s %v", tt.table, tt.column, col.Name, col.Type, tt.column, tt.want)
		}
		if i < 0 || i >= len(tab.Columns) || tab.Columns[i] != col {
			t.Errorf("%s.Column(%q) index %d does not point at the column", tt.table, tt.column, i)
		}
	}
}

func TestColumnIndexAndNames(t *testing.T) {
	for _, tab := range Tables() {
		names := tab.ColumnNames()
		if len(names) != len(tab.Columns) {
			t.Errorf("%s: ColumnNames has %d names for %d columns", tab.Name, len(names), len(tab.Columns))
			continue
		}
		for i, c := range tab.Columns {
			if names[i] != c.Name {
				t.Errorf("%s: ColumnNames()[%d] = %s; want %s", tab.Name, i, names[i], c.Name)
			}
			got, j, ok := tab.Column(c.Name)
			if !ok || j != i || got != c {
				t.Errorf("%s.Column(%q) = %v, %d, %v; want %v, %d, true", tab.Name, c.Name, got, j, ok, c, i)
			}
		}
		if _, _, ok := tab.Column(IngestionTimeColumn); ok {
			t.Errorf("%s: hidden column %s is visible through Column", tab.Name, IngestionTimeColumn)
		}
	}
}

func TestTablesSortedCopy(t *testing.T) {
	a := Tables()
	if len(a) != len(tables) {
		t.Fatalf("Tables() has %d tables; want %d", len(a), len(tables))
	}
	if !slices.IsSortedFunc(a, func(x, y *Table) int { return strings.Compare(x.Name, y.Name) }) {
		t.Error("Tables() is not sorted by name")
	}
	a[0] = nil
	if b := Tables(); b[0] == nil {
		t.Error("Tables() returns the package's slice, not a copy")
	}
}

// TestInvariants checks what the event store, binder and normalizers rely
// on for every table.
func TestInvariants(t *testing.T) {
	if !strings.HasPrefix(IngestionTimeColumn, "__") {
		t.Errorf("IngestionTimeColumn %q lacks the reserved __ prefix", IngestionTimeColumn)
	}
	for _, tab := range Tables() {
		if tab.Name == "" {
			t.Error("a table has no name")
		}
		if tab.Origin != "defender" && tab.Origin != "vigil" {
			t.Errorf("%s: origin %q is neither defender nor vigil", tab.Name, tab.Origin)
		}
		if tab.Source == "" {
			t.Errorf("%s: no source", tab.Name)
		}
		if len(tab.Columns) == 0 {
			t.Errorf("%s: no columns", tab.Name)
		}
		seen := map[string]bool{}
		for _, c := range tab.Columns {
			if c.Name == "" {
				t.Errorf("%s: a column has no name", tab.Name)
			}
			if strings.HasPrefix(c.Name, "__") {
				t.Errorf("%s: column %s uses the reserved __ prefix", tab.Name, c.Name)
			}
			if strings.TrimSpace(c.Name) != c.Name {
				t.Errorf("%s: column %q has surrounding space", tab.Name, c.Name)
			}
			if seen[c.Name] {
				t.Errorf("%s: column %s defined twice", tab.Name, c.Name)
			}
			seen[c.Name] = true
			if c.Type <= Invalid || c.Type > Dynamic {
				t.Errorf("%s: column %s has invalid type %d", tab.Name, c.Name, uint8(c.Type))
			}
		}

		// Defender's event tables are keyed on Timestamp.
		ts, _, hasTS := tab.Column("Timestamp")
		if hasTS && ts.Type != DateTime {
			t.Errorf("%s: Timestamp is %v; want datetime", tab.Name, ts.Type)
		}
		if tab.Origin == "defender" && !strings.HasPrefix(tab.Name, "DeviceTvm") &&
			(strings.HasPrefix(tab.Name, "Device") || strings.HasPrefix(tab.Name, "Identity") || strings.HasPrefix(tab.Name, "Email")) &&
			!hasTS {
			t.Errorf("%s: Defender device/identity/email table has no Timestamp column", tab.Name)
		}
	}
}

func TestAddedTables(t *testing.T) {
	tests := []struct {
		name       string
		origin     string
		timeColumn string
		minColumns int
	}{
		{"SecurityEvent", "vigil", "TimeGenerated", 200},
		{"WindowsEvent", "vigil", "TimeGenerated", 20},
		{"Syslog", "vigil", "TimeGenerated", 12},
		{"CommonSecurityLog", "vigil", "TimeGenerated", 150},
		{"DisruptionAndResponseEvents", "defender", "Timestamp", 30},
	}
	for _, tt := range tests {
		tab, ok := Lookup(tt.name)
		if !ok {
			t.Errorf("table %s missing", tt.name)
			continue
		}
		if tab.Origin != tt.origin {
			t.Errorf("%s: origin %q; want %q", tt.name, tab.Origin, tt.origin)
		}
		if len(tab.Columns) < tt.minColumns {
			t.Errorf("%s: %d columns; want at least %d", tt.name, len(tab.Columns), tt.minColumns)
		}
		c, _, ok := tab.Column(tt.timeColumn)
		if !ok || c.Type != DateTime {
			t.Errorf("%s: %s missing or not datetime (%v)", tt.name, tt.timeColumn, c.Type)
		}
		// Azure Monitor's internal columns and the table-name column are
		// not part of the hunting schema.
		for _, name := range []string{"_ResourceId", "_SubscriptionId", "_BilledSize", "_IsBillable", "Type"} {
			if _, _, ok := tab.Column(name); ok {
				t.Errorf("%s: has Azure Monitor internal column %s", tt.name, name)
			}
		}
	}
}

type jsonFile struct {
	Tables []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		Source      string `json:"source"`
		Origin      string `json:"origin"`
		Columns     []struct {
			Name        string `json:"name"`
			Type        string `json:"type"`
			Description string `json:"description"`
		} `json:"columns"`
	} `json:"tables"`
	TablesListedNotTranscribed []string `json:"tables_listed_not_transcribed"`
}

func readJSON(t *testing.T, path string) jsonFile {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f jsonFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return f
}

// TestTablesMatchJSON checks the generated tables against the inputs
// without the go tool: same tables in the same order, same columns with
// types that ParseType accepts.
func TestTablesMatchJSON(t *testing.T) {
	shared := readJSON(t, "advanced-hunting.json")
	extra := readJSON(t, "extra-tables.json")
	all := append(slices.Clone(shared.Tables), extra.Tables...)
	if len(all) != len(tables) {
		t.Fatalf("inputs define %d tables, tables_gen.go %d; run go generate", len(all), len(tables))
	}
	for i, jt := range all {
		tab := tables[i]
		origin := jt.Origin
		if origin == "" {
			origin = "defender"
		}
		if tab.Name != jt.Name || tab.Description != jt.Description || tab.Source != jt.Source || tab.Origin != origin {
			t.Errorf("table %d: generated %s differs from input %s; run go generate", i, tab.Name, jt.Name)
			continue
		}
		if len(tab.Columns) != len(jt.Columns) {
			t.Errorf("%s: %d generated columns, %d in input; run go generate", tab.Name, len(tab.Columns), len(jt.Columns))
			continue
		}
		for j, jc := range jt.Columns {
			ty, ok := ParseType(jc.Type)
			if !ok {
				t.Errorf("%s.%s: input type %q is not a KQL type", tab.Name, jc.Name, jc.Type)
			}
			if c := tab.Columns[j]; c.Name != jc.Name || c.Type != ty || c.Description != jc.Description {
				t.Errorf("%s: column %d is %s %v, input %s %s; run go generate", tab.Name, j, c.Name, c.Type, jc.Name, jc.Type)
			}
		}
	}

	// Defender tables added here must be ones the shared schema lists but
	// has not transcribed; everything else Vigil adds is origin "vigil".
	for _, jt := range extra.Tables {
		if jt.Origin == "defender" && !slices.Contains(shared.TablesListedNotTranscribed, jt.Name) {
			t.Errorf("extra-tables.json: Defender table %s is not in the shared schema's tables_listed_not_transcribed", jt.Name)
		}
		if jt.Origin != "defender" && jt.Origin != "vigil" {
			t.Errorf("extra-tables.json: table %s has origin %q; want defender or vigil", jt.Name, jt.Origin)
		}
	}
}

// TestGeneratedUpToDate checks that tables_gen.go is exactly what the
// generator writes from the committed inputs.
func TestGeneratedUpToDate(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go not on PATH")
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "tables_gen.go")
	cmd := exec.Command(goBin, "run", "./gen", "-out", out, "advanced-hunting.json", "extra-tables.json")
	cmd.Dir = dir
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "tables_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("tables_gen.go is stale: run `go generate` in internal/schema")
	}
}

// TestSharedSchemaCopy checks that advanced-hunting.json is an exact copy
// of the shared schema, which CI checks out beside the repository.
func TestSharedSchemaCopy(t *testing.T) {
	sharedPath := filepath.Join("..", "..", "..", "shared", "schema", "advanced-hunting.json")
	want, err := os.ReadFile(sharedPath)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s not present", sharedPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("advanced-hunting.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("advanced-hunting.json differs from %s: copy the shared file and run go generate", sharedPath)
	}
}
