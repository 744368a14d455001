package detect

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

func networkRow(vals map[string]any) []any { return tableRow("DeviceNetworkEvents", vals) }

func TestIndicatorsMatch(t *testing.T) {
	sha := strings.Repeat("ab", 20)
	set, errs := NewIndicators([]Indicator{
		{Type: DomainName, Value: "evil.example", Action: Block, GenerateAlert: true, Title: "C2 domain"},
		{Type: IPAddress, Value: "203.0.113.7", Action: Audit, GenerateAlert: true},
		{Type: IPAddress, Value: "198.51.100.1", Action: Audit, GenerateAlert: false},
		{Type: URL, Value: "https://files.example/payload.bin", Action: Warn, GenerateAlert: true},
		{Type: FileSha1, Value: strings.ToUpper(sha), Action: BlockAndRemediate, GenerateAlert: true},
		{Type: IPAddress, Value: "192.0.2.9", Action: Audit, GenerateAlert: true, Expiration: t0.Add(-time.Hour)},
		{Type: FileSha1, Value: "xyz", GenerateAlert: true},
		{Type: "Registry", Value: "x"},
		{Type: DomainName, Value: "ok.example", Action: "Permit"},
	})
	if len(errs) != 3 {
		t.Errorf("errors %v, want 3 (bad hash, unknown type, unknown action)", errs)
	}
	rows := [][]any{
		networkRow(map[string]any{"Timestamp": t0, "ReportId": int64(1), "DeviceId": "d", "RemoteUrl": "https://a.b.evil.example/x", "RemoteIP": "10.0.0.1"}),
		networkRow(map[string]any{"Timestamp": t0, "ReportId": int64(2), "DeviceId": "d", "RemoteUrl": "notevil.example"}),
		networkRow(map[string]any{"Timestamp": t0, "ReportId": int64(3), "DeviceId": "d", "RemoteIP": "203.0.113.7"}),
		networkRow(map[string]any{"Timestamp": t0, "ReportId": int64(4), "DeviceId": "d", "RemoteIP": "198.51.100.1"}),
		networkRow(map[string]any{"Timestamp": t0, "ReportId": int64(5), "DeviceId": "d", "RemoteIP": "192.0.2.9"}),
		networkRow(map[string]any{"Timestamp": t0, "ReportId": int64(6), "DeviceId": "d", "RemoteUrl": "HTTPS://files.example/payload.bin", "InitiatingProcessSHA1": sha}),
	}
	alerts := set.Match(t0, "DeviceNetworkEvents", rows)
	var titles []string
	for _, a := range alerts {
		titles = append(titles, a.Title)
	}
	got := strings.Join(titles, "|")
	for _, want := range []string{"C2 domain", "Indicator matched: IpAddress 203.0.113.7", "Indicator matched: Url https://files.example/payload.bin", "Indicator matched: FileSha1 " + sha} {
		if !strings.Contains(got, want) {
			t.Errorf("alerts %q lack %q", got, want)
		}
	}
	if len(alerts) != 4 {
		t.Errorf("%d alerts: %q", len(alerts), got)
	}
}

func TestAllowIndicatorSuppressesAlerts(t *testing.T) {
	st, err := duckdb.Open(t.TempDir(), store.Options{RetentionInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := shadowRule()
	r.Enabled = true
	c, err := Compile(r)
	if err != nil {
		t.Fatal(err)
	}
	allowed := strings.Repeat("cd", 20)
	set, _ := NewIndicators([]Indicator{{Type: FileSha1, Value: allowed, Action: Allowed}})
	s := NewStreaming(st, Static{c})
	s.Alerts.SetIndicators(set)
	rows := [][]any{
		processRow(map[string]any{"Timestamp": t0, "ReportId": int64(1), "DeviceId": "d", "DeviceName": "h", "FileName": "vssadmin.exe", "ProcessCommandLine": "vssadmin delete shadows", "SHA1": allowed}),
		processRow(map[string]any{"Timestamp": t0, "ReportId": int64(2), "DeviceId": "d", "DeviceName": "h", "FileName": "vssadmin.exe", "ProcessCommandLine": "vssadmin delete shadows", "SHA1": strings.Repeat("ef", 20)}),
	}
	if err := s.Append(context.Background(), store.Batch{Tables: []store.TableRows{{Table: "DeviceProcessEvents", Rows: rows}}}); err != nil {
		t.Fatal(err)
	}
	res, err := st.Query(context.Background(), store.Query{SQL: `SELECT count(*) FROM "AlertInfo"`})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows[0][0] != int64(1) {
		t.Errorf("%v alerts, want 1: the allowed file's is suppressed", res.Rows[0][0])
	}
}

func TestReadIndicators(t *testing.T) {
	csvText := "IndicatorType,IndicatorValue,ExpirationTime,Action,Severity,Title,GenerateAlert\n" +
		"DomainName,evil.example,2030-01-01T00:00:00Z,Block,High,C2,true\n" +
		"IpAddress,not-an-ip,,Audit,,,\n" +
		"FileSha256," + strings.Repeat("a", 64) + ",yesterday,Audit,,,\n" +
		"Url,https://x.example/a,,Warn,Low,,maybe\n"
	got, errs := ReadIndicatorsCSV(strings.NewReader(csvText))
	if len(got) != 1 || got[0].Severity != High || got[0].Expiration.Year() != 2030 || len(errs) != 3 {
		t.Errorf("CSV: %+v, errors %v", got, errs)
	}
	for _, e := range errs {
		if !strings.HasPrefix(e.Error(), "line ") {
			t.Errorf("error without a line: %v", e)
		}
	}
	bundle := `{"type":"bundle","id":"bundle--1","objects":[
 {"type":"indicator","id":"indicator--1","name":"Bad hash","pattern_type":"stix","valid_until":"2030-01-01T00:00:00Z",
  "pattern":"[file:hashes.'SHA-256' = '` + strings.Repeat("b", 64) + `'] OR [domain-name:value = 'c2.example']"},
 {"type":"indicator","id":"indicator--2","pattern_type":"stix","pattern":"[ipv4-addr:value = '203.0.113.5']"},
 {"type":"indicator","id":"indicator--3","pattern_type":"stix","pattern":"[process:name = 'x.exe']"},
 {"type":"malware","id":"malware--1","name":"ignored"}]}`
	got, errs = ReadIndicatorsSTIX(strings.NewReader(bundle))
	if len(got) != 3 || got[0].Type != FileSha256 || got[1].Type != DomainName || got[2].Type != IPAddress || got[0].Title != "Bad hash" {
		t.Errorf("STIX: %+v", got)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "indicator--3") {
		t.Errorf("STIX errors: %v", errs)
	}
	if _, errs := ReadIndicatorsSTIX(strings.NewReader(`{"type":"report"}`)); len(errs) != 1 {
		t.Errorf("not a bundle: %v", errs)
	}
}

func FuzzReadIndicators(f *testing.F) {
	f.Add("IndicatorType,IndicatorValue\nDomainName,a.example\n")
	f.Add(`{"type":"bundle","objects":[{"type":"indicator","pattern":"[url:value = 'https://a/'"}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		inds, _ := ReadIndicatorsCSV(strings.NewReader(s))
		more, _ := ReadIndicatorsSTIX(strings.NewReader(s))
		set, _ := NewIndicators(append(inds, more...))
		set.Match(t0, "DeviceNetworkEvents", [][]any{networkRow(map[string]any{"RemoteUrl": s, "RemoteIP": s})})
	})
}

func TestLoadIndicatorDir(t *testing.T) {
	dir := t.TempDir()
	if got, errs := LoadIndicatorDir(dir + "/missing"); got != nil || errs != nil {
		t.Errorf("missing dir: %v %v", got, errs)
	}
	write := func(name, text string) {
		if err := os.WriteFile(dir+"/"+name, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("a.csv", "IndicatorType,IndicatorValue\nDomainName,evil.example\n")
	write("b.json", `{"type":"bundle","objects":[{"type":"indicator","id":"indicator--9","pattern":"[ipv4-addr:value = '203.0.113.9']"}]}`)
	write("notes.txt", "ignored")
	got, errs := LoadIndicatorDir(dir)
	if len(got) != 2 || len(errs) != 0 {
		t.Errorf("%+v %v", got, errs)
	}
}
