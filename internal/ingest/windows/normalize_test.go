package windows

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/vigilsec/vigil/internal/ingest"
)

// TestErrors: records that cannot be read are rejected with a reason,
// whichever normalizer was asked (as with --format).
func TestErrors(t *testing.T) {
	f := func(n ingest.Normalizer, in, wantRx string) {
		t.Helper()
		_, err := normalizeOne(n, []byte(in))
		if err == nil {
			t.Errorf("%s: %s: no error, want %q", n.Format(), in, wantRx)
			return
		}
		if !regexp.MustCompile(wantRx).MatchString(err.Error()) {
			t.Errorf("%s: %s: error %q, want %q", n.Format(), in, err, wantRx)
		}
	}
	o, w, s := NewOTRF(), NewWinlogbeat(), NewSentinel()
	const ok = `"TimeCreated":"2020-10-18 07:50:05.917","Hostname":"H"`

	f(o, `not json`, `not a JSON object`)
	f(o, `[1,2]`, `not a JSON object`)
	f(o, `{"Channel":"Security",`+ok+`}`, `no EventID`)
	f(o, `{"EventID":{"a":1},"Channel":"Security",`+ok+`}`, `EventID must be a number, got object`)
	f(o, `{"EventID":"x12","Channel":"Security",`+ok+`}`, `EventID "x12" is not a number`)
	f(o, `{"EventID":1.5,"Channel":"Security",`+ok+`}`, `EventID 1.5 is not an integer`)
	f(o, `{"EventID":70000,"Channel":"Security",`+ok+`}`, `out of range`)
	f(o, `{"EventID":4624,`+ok+`}`, `no Channel`)
	f(o, `{"EventID":4624,"Channel":"",`+ok+`}`, `no Channel`)
	f(o, `{"EventID":4624,"Channel":7,`+ok+`}`, `Channel must be a string, got number`)
	f(o, `{"EventID":4624,"Channel":"Security","Hostname":"H"}`, `no timestamp`)
	f(o, `{"EventID":4624,"Channel":"Security","Hostname":"H","TimeCreated":"yesterday"}`, `TimeCreated "yesterday" is not a timestamp`)
	f(o, `{"EventID":4624,"Channel":"Security","Hostname":"H","@timestamp":[1]}`, `@timestamp must be a timestamp string, got array`)
	f(o, `{"EventID":4624,"Channel":"Security","TimeCreated":"2020-10-18 07:50:05"}`, `no computer name`)

	const wok = `"@timestamp":"2024-03-05T10:00:00Z"`
	f(w, `{"winlog":[],`+wok+`}`, `winlog must be an object`)
	f(w, `{"winlog":{"channel":"Security","computer_name":"H"},`+wok+`}`, `no winlog.event_id`)
	f(w, `{"winlog":{"channel":"Security","computer_name":"H"},"event":{"code":"abc"},`+wok+`}`, `event.code "abc" is not a number`)
	f(w, `{"winlog":{"event_id":true,"channel":"Security","computer_name":"H"},`+wok+`}`, `winlog.event_id must be a number, got true`)
	f(w, `{"winlog":{"event_id":"4624","computer_name":"H"},`+wok+`}`, `no winlog.channel`)
	f(w, `{"winlog":{"event_id":"4624","channel":{},"computer_name":"H"},`+wok+`}`, `winlog.channel must be a string`)
	f(w, `{"winlog":{"event_id":"4624","channel":"Security","computer_name":"H","event_data":"x"},`+wok+`}`, `winlog.event_data must be an object, got string`)
	f(w, `{"winlog":{"event_id":"4624","channel":"Security","computer_name":"H","user_data":[1]},`+wok+`}`, `winlog.user_data must be an object`)
	f(w, `{"winlog":{"event_id":"4624","channel":"Security","computer_name":"H"},"@timestamp":"soon"}`, `@timestamp "soon" is not a timestamp`)
	f(w, `{"winlog":{"event_id":"4624","channel":"Security"},`+wok+`}`, `no computer name`)

	const sok = `"TimeGenerated":"2021-08-02T13:09:20.04Z","Computer":"H"`
	f(s, `{`+sok+`}`, `no EventID`)
	f(s, `{"EventID":4624,"Computer":"H","Channel":"Security"}`, `no TimeGenerated`)
	f(s, `{"EventID":4624,"TimeGenerated":"2021-08-02T13:09:20Z","Channel":"Security"}`, `no computer name`)
	f(s, `{"EventID":"4624",`+sok+`,"Type":"SigninLogs"}`, `Type "SigninLogs" is not a Windows event table`)
	f(s, `{"EventID":4624,`+sok+`,"Type":5}`, `Type must be a string`)
	f(s, `{"EventID":7,`+sok+`}`, `no Channel \(nor EventLog`)
	f(s, `{"EventID":4624,"TimeGenerated":"x","Computer":"H","Channel":"Security"}`, `TimeGenerated "x" is not a timestamp`)
	f(s, `{"EventID":4624,"TimeGenerated":"2021-08-02T13:09:20Z","Computer":3,"Channel":"Security"}`, `Computer must be a string`)
	f(s, `{"EventID":1,`+sok+`,"Type":"WindowsEvent","Channel":"Microsoft-Windows-Sysmon/Operational","EventData":"{\"a\":"}`, `EventData: malformed JSON`)
	f(s, `{"EventID":1,`+sok+`,"Type":"Event","EventLog":"System","EventData":"<DataItem><EventData><Data Name=\"a\">1</Data></Oops></DataItem>"}`, `EventData: malformed XML`)
	f(s, `{"EventID":1,`+sok+`,"Type":"WindowsEvent","Channel":"System","EventData":12}`, `EventData must be an object or text, got number`)
	f(s, `{"EventID":1,`+sok+`,"Type":"Event","EventLog":"System","ParameterXml":"<Param>a</Param><"}`, `ParameterXml: malformed XML`)
}

// TestUnmapped: records of channels or IDs without a mapping keep their
// raw copy and nothing else; they are not errors.
func TestUnmapped(t *testing.T) {
	f := func(n ingest.Normalizer, in, table string) {
		t.Helper()
		rows, err := normalizeOne(n, []byte(in))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if len(rows) != 1 || rows[0].Table.Name != table {
			var names []string
			for _, r := range rows {
				names = append(names, r.Table.Name)
			}
			t.Errorf("%s: rows %v, want only %s", in, names, table)
		}
	}
	const h = `"TimeCreated":"2020-10-18 07:50:05.917","Hostname":"WS1"`
	f(NewOTRF(), `{"EventID":4104,"Channel":"Microsoft-Windows-PowerShell/Operational","ScriptBlockText":"whoami",`+h+`}`, "WindowsEvent")
	f(NewOTRF(), `{"EventID":800,"Channel":"Windows PowerShell",`+h+`}`, "WindowsEvent")
	f(NewOTRF(), `{"EventID":9999,"Channel":"Microsoft-Windows-Sysmon/Operational",`+h+`}`, "WindowsEvent")
	f(NewOTRF(), `{"EventID":4658,"Channel":"security",`+h+`}`, "SecurityEvent")
	// A 4662 that is not replication, and a 4776 off a domain controller.
	f(NewOTRF(), `{"EventID":4662,"Channel":"Security","ObjectServer":"DS","Properties":"{bf967a86-0de6-11d0-a285-00aa003049e2}",`+h+`}`, "SecurityEvent")
	f(NewOTRF(), `{"EventID":4776,"Channel":"Security","TargetUserName":"bob","Status":"0x0",`+h+`}`, "SecurityEvent")
}

// TestDomainControllers: the same account event goes to the identity
// tables on a domain controller and to DeviceEvents elsewhere; a host
// proven a DC by one event is remembered.
func TestDomainControllers(t *testing.T) {
	table := func(n ingest.Normalizer, in string) string {
		t.Helper()
		rows, err := normalizeOne(n, []byte(in))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Table.Name != "SecurityEvent" {
				return r.Table.Name + "/" + r.Get("ActionType").(string)
			}
		}
		return "none"
	}
	eq := func(got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
	n := NewOTRF()
	ev := func(host, id, extra string) string {
		return `{"EventID":` + id + `,"Channel":"Security","TimeCreated":"2020-10-18 07:50:05","Hostname":"` + host + `"` + extra + `}`
	}
	local := `,"TargetUserName":"bob","TargetDomainName":"WS1","SubjectUserName":"admin","SubjectDomainName":"WS1"`
	domain := `,"TargetUserName":"bob","TargetDomainName":"CORP","SubjectUserName":"admin","SubjectDomainName":"CORP"`
	eq(table(n, ev("WS1.corp.example", "4720", local)), "DeviceEvents/UserAccountCreated")
	eq(table(n, ev("WS1.corp.example", "4725", local)), "DeviceEvents/UserAccountModified")
	eq(table(n, ev("SRV7.corp.example", "4720", domain)), "IdentityDirectoryEvents/User Account Created")
	eq(table(n, ev("DC01.corp.example", "4732", `,"TargetUserName":"Administrators","TargetDomainName":"Builtin","MemberSid":"S-1-5-21-1-2-3-1104"`)), "IdentityDirectoryEvents/Group Membership changed")
	eq(table(n, ev("WS1", "4732", `,"TargetUserName":"Administrators","TargetDomainName":"Builtin","MemberSid":"S-1-5-21-1-2-3-1104"`)), "DeviceEvents/UserAccountAddedToLocalGroup")
	// HOST9 is not named like a DC: its 4776 is a local validation until a
	// Kerberos event shows it is a KDC.
	eq(table(n, ev("HOST9", "4776", `,"TargetUserName":"bob","Status":"0x0"`)), "none")
	eq(table(n, ev("HOST9.corp.example", "4768", `,"TargetUserName":"bob","Status":"0x0"`)), "IdentityLogonEvents/LogonSuccess")
	eq(table(n, ev("HOST9", "4776", `,"TargetUserName":"bob","Status":"0xc000006a"`)), "IdentityLogonEvents/LogonFailed")
	eq(table(n, ev("HOST9", "4771", `,"TargetUserName":"bob","Status":"0x18"`)), "IdentityLogonEvents/LogonFailed")
	eq(table(n, ev("DC01", "4738", `,"TargetUserName":"bob","TargetDomainName":"CORP","UserAccountControl":"\n\t\t%%2089","PasswordLastSet":"-"`)), "IdentityDirectoryEvents/Account Password Never Expires changed")
	eq(table(n, ev("DC01", "5136", `,"AttributeLDAPDisplayName":"member","ObjectDN":"CN=Domain Admins,CN=Users,DC=corp","AttributeValue":"CN=bob,CN=Users,DC=corp","OperationType":"%%14674"`)), "IdentityDirectoryEvents/Group Membership changed")
	eq(table(n, ev("DC01", "4740", domain)), "IdentityDirectoryEvents/Account Locked changed")
}

// TestDetectExclusive: each golden input is detected by exactly one of the
// three normalizers, and records of other sources by none.
func TestDetectExclusive(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/input.ndjson")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range bytes.Split(b, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			in := parseInput(line)
			var got []string
			for _, n := range normalizers() {
				if n.Detect(in) {
					got = append(got, n.Format())
				}
			}
			if len(got) != 1 {
				t.Errorf("%s:%d detected by %v, want exactly one", file, i+1, got)
			}
		}
	}
	for _, other := range []string{
		`{"eventVersion":"1.05","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"8a1e","@timestamp":"2020-09-14T00:44:20Z"}`,
		`{"Timestamp":"2021-08-02T13:08:18Z","DeviceName":"adfs01","ActionType":"LdapSearch"}`,
		`{"TimeGenerated":"2021-08-02T13:25:12Z","OperationName":"Update application","Type":"AuditLogs"}`,
		`{"TimeGenerated":"2021-08-02T13:25:12Z","Computer":"x","EventID":1,"Type":"Syslog"}`,
		`<13>Oct 11 22:14:15 host app: message`,
		`{"winlog":"x"}`,
	} {
		in := parseInput([]byte(other))
		for _, n := range normalizers() {
			if n.Detect(in) {
				t.Errorf("%s detects %s", n.Format(), other)
			}
		}
	}
}

// TestReplayDeterministic: the same record gives the same rows and ids;
// the rows of one record have distinct ids.
func TestReplayDeterministic(t *testing.T) {
	line := []byte(`{"EventID":4624,"Channel":"Security","TimeCreated":"2020-10-18 07:50:05","Hostname":"WS1","TargetUserName":"bob","LogonType":"3","IpAddress":"10.0.0.9"}`)
	a, err := normalizeOne(NewOTRF(), line)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := normalizeOne(NewOTRF(), line)
	for i := range a {
		if rowJSON(a[i]) != rowJSON(b[i]) {
			t.Errorf("replay differs:\n%s\n%s", rowJSON(a[i]), rowJSON(b[i]))
		}
	}
	other, _ := normalizeOne(NewOTRF(), bytes.Replace(line, []byte("bob"), []byte("eve"), 1))
	if rowsOf(a, "DeviceLogonEvents")[0].Get("ReportId") == rowsOf(other, "DeviceLogonEvents")[0].Get("ReportId") {
		t.Error("different records share a ReportId")
	}
}

// TestConcurrent: one normalizer serves several pipelines at once (run
// with -race).
func TestConcurrent(t *testing.T) {
	b, err := os.ReadFile("testdata/otrf_nxlog/input.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	n := NewOTRF()
	want := make([]string, len(lines))
	for i, l := range lines {
		rows, err := normalizeOne(n, l)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			want[i] += rowJSON(r)
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, l := range lines {
				rows, err := normalizeOne(n, l)
				if err != nil {
					t.Error(err)
					return
				}
				var got string
				for _, r := range rows {
					got += rowJSON(r)
				}
				if got != want[i] {
					t.Errorf("line %d differs under concurrency", i+1)
				}
			}
		}()
	}
	wg.Wait()
}
