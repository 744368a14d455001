package eval

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/kql/parser"
	"github.com/vigilsec/vigil/internal/schema"
)

var testNow = time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)

func compileQuery(t testing.TB, table, query string) (*Program, error) {
	t.Helper()
	q, err := parser.Parse(query)
	if err != nil {
		t.Fatalf("parse %q: %v", query, err)
	}
	res, err := check.Check(q, &check.Env{Source: query})
	if err != nil {
		t.Fatalf("check %q: %v", query, err)
	}
	return Compile(q, res, table)
}

// mkRow builds a row of table from column values by name.
func mkRow(table string, vals map[string]any) []any {
	tb, _ := schema.Lookup(table)
	row := make([]any, len(tb.Columns))
	for name, v := range vals {
		_, i, ok := tb.Column(name)
		if !ok {
			panic("no column " + name)
		}
		row[i] = v
	}
	return row
}

func runQuery(t testing.TB, table, query string, rows ...map[string]any) [][]any {
	t.Helper()
	p, err := compileQuery(t, table, query)
	if err != nil {
		t.Fatalf("compile %q: %v", query, err)
	}
	in := make([][]any, len(rows))
	for i, r := range rows {
		in[i] = mkRow(table, r)
	}
	out, err := p.RunAt(testNow, in)
	if err != nil {
		t.Fatalf("run %q: %v", query, err)
	}
	return out
}

func show(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q", x)
	case json.RawMessage:
		return "dyn:" + string(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case time.Duration:
		return "ts:" + x.String()
	}
	return fmt.Sprintf("%T:%v", v, v)
}

// TestScalars evaluates one expression per case on one row of
// DeviceProcessEvents and compares the printed value.
func TestScalars(t *testing.T) {
	row := map[string]any{
		"Timestamp":          time.Date(2024, 1, 1, 10, 30, 15, 0, time.UTC),
		"FileName":           "PowerShell.EXE",
		"FolderPath":         `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
		"ProcessCommandLine": `powershell.exe -enc SGVsbG8= -nop`,
		"ProcessId":          int64(4242),
		"FileSize":           nil,
		"AccountName":        nil,
		"DeviceName":         "ws-01.contoso.com",
		"AdditionalFields":   `{"a":{"b":[1,"two",{"c":true}]},"k":"V","n":5}`,
	}
	cases := []struct{ expr, want string }{
		// strings and null strings
		{`AccountName`, `""`},
		{`isempty(AccountName)`, `bool:true`},
		{`isnull(AccountName)`, `bool:false`},
		{`isnull(FileSize)`, `bool:true`},
		{`isnotnull(ProcessId)`, `bool:true`},
		{`FileName == "powershell.exe"`, `bool:false`},
		{`FileName =~ "powershell.exe"`, `bool:true`},
		{`FileName !~ "powershell.exe"`, `bool:false`},
		{`FileName != "x"`, `bool:true`},
		{`FileName contains "shell"`, `bool:true`},
		{`FileName contains_cs "shell"`, `bool:false`},
		{`FileName !contains "SHELL"`, `bool:false`},
		{`FileName !contains_cs "SHELL"`, `bool:true`},
		{`FileName startswith "power"`, `bool:true`},
		{`FileName startswith_cs "power"`, `bool:false`},
		{`FileName endswith ".exe"`, `bool:true`},
		{`FileName endswith_cs ".exe"`, `bool:false`},
		{`FileName !endswith ".exe"`, `bool:false`},
		// has: whole terms of ASCII letters and digits
		{`ProcessCommandLine has "enc"`, `bool:true`},
		{`ProcessCommandLine has "en"`, `bool:false`},
		{`ProcessCommandLine has "-enc"`, `bool:true`},
		{`ProcessCommandLine has "powershell"`, `bool:true`},
		{`ProcessCommandLine has "exe -enc"`, `bool:true`},
		{`ProcessCommandLine has "shell"`, `bool:false`},
		{`ProcessCommandLine has_cs "ENC"`, `bool:false`},
		{`ProcessCommandLine !has "nop"`, `bool:false`},
		{`ProcessCommandLine hasprefix "pow"`, `bool:true`},
		{`ProcessCommandLine hasprefix "owe"`, `bool:false`},
		{`ProcessCommandLine hassuffix "shell"`, `bool:true`},
		{`ProcessCommandLine hassuffix "powe"`, `bool:false`},
		{`ProcessCommandLine has ""`, `bool:true`},
		{`FolderPath has @"system32\windowspowershell"`, `bool:true`},
		{`DeviceName has "contoso"`, `bool:true`},
		{`DeviceName has "ws"`, `bool:true`},
		{`DeviceName has "ws-0"`, `bool:false`},
		// in family
		{`FileName in ("a", "PowerShell.EXE")`, `bool:true`},
		{`FileName in ("powershell.exe")`, `bool:false`},
		{`FileName in~ ("powershell.exe")`, `bool:true`},
		{`FileName !in~ ("powershell.exe")`, `bool:false`},
		{`FileName !in ("powershell.exe")`, `bool:true`},
		{`FileName in (dynamic(["x", "PowerShell.EXE"]))`, `bool:true`},
		{`ProcessId in (1, 4242)`, `bool:true`},
		{`ProcessId in (dynamic([1, 4242]))`, `bool:true`},
		{`FileSize in (1, 2)`, `null`},
		{`FileSize !in (1, 2)`, `bool:true`},
		{`ProcessCommandLine has_any ("foo", "nop")`, `bool:true`},
		{`ProcessCommandLine has_any ("foo", "no")`, `bool:false`},
		{`ProcessCommandLine has_all ("enc", "nop")`, `bool:true`},
		{`ProcessCommandLine has_all ("enc", "bar")`, `bool:false`},
		{`ProcessCommandLine has_any (dynamic(["NOP"]))`, `bool:true`},
		// regex
		{`ProcessCommandLine matches regex @"-enc\s+[A-Za-z0-9+/=]+"`, `bool:true`},
		{`ProcessCommandLine matches regex "^x"`, `bool:false`},
		{`extract(@"-enc\s+(\S+)", 1, ProcessCommandLine)`, `"SGVsbG8="`},
		{`extract(@"-enc\s+(?<b64>\S+)", 1, ProcessCommandLine)`, `"SGVsbG8="`},
		{`extract(@"zzz(\d)", 1, ProcessCommandLine)`, `""`},
		{`extract(@"-(\w+)", 0, ProcessCommandLine)`, `"-enc"`},
		// arithmetic
		{`ProcessId + 1`, `int64:4243`},
		{`ProcessId / 1000`, `int64:4`},
		{`-ProcessId / 1000`, `int64:-4`},
		{`ProcessId % 1000`, `int64:242`},
		{`ProcessId / 1000.0`, `float64:4.242`},
		{`ProcessId * 2.5`, `float64:10605`},
		{`ProcessId / 0`, `null`},
		{`FileSize + 1`, `null`},
		{`ProcessId > 4000`, `bool:true`},
		{`ProcessId > 4242.5`, `bool:false`},
		{`ProcessId == 4242.0`, `bool:true`},
		{`FileSize > 1`, `null`},
		// Kusto: one null side makes == false and != true.
		{`FileSize == 1`, `bool:false`},
		{`FileSize != 1`, `bool:true`},
		{`FileSize == long(null)`, `null`},
		{`not(FileSize == 1)`, `bool:true`},
		{`ProcessId between (4000 .. 5000)`, `bool:true`},
		{`ProcessId !between (4000 .. 5000)`, `bool:false`},
		{`ProcessId between (4243 .. 5000)`, `bool:false`},
		{`toint(ProcessId) + toint(1)`, `int64:4243`},
		{`real(nan) > 1`, `bool:false`},
		{`real(nan) != 1`, `bool:true`},
		{`1.0 / 0`, `float64:+Inf`},
		// time
		{`Timestamp - datetime(2024-01-01)`, `ts:10h30m15s`},
		{`Timestamp + 1h`, `2024-01-01T11:30:15Z`},
		{`Timestamp - 1d`, `2023-12-31T10:30:15Z`},
		{`Timestamp > ago(1h)`, `bool:false`},
		{`Timestamp > ago(2h)`, `bool:true`},
		{`now()`, `2024-01-01T12:00:00Z`},
		{`now(-1h)`, `2024-01-01T11:00:00Z`},
		{`ingestion_time()`, `2024-01-01T12:00:00Z`},
		{`bin(Timestamp, 1h)`, `2024-01-01T10:00:00Z`},
		{`bin(Timestamp, 7d)`, `2024-01-01T00:00:00Z`}, // 0001-01-01 was a Monday,
		{`bin(ProcessId, 100)`, `int64:4200`},
		{`bin(4.5, 2)`, `float64:4`},
		{`startofday(Timestamp)`, `2024-01-01T00:00:00Z`},
		{`datetime_diff("day", Timestamp, datetime(2023-12-30 23:59))`, `int64:2`},
		{`datetime_diff("hour", Timestamp, datetime(2024-01-01 09:59))`, `int64:1`},
		{`datetime_diff("month", Timestamp, datetime(2023-11-30))`, `int64:2`},
		{`datetime_diff("year", Timestamp, datetime(2020-12-31))`, `int64:4`},
		{`Timestamp between (datetime(2024-01-01) .. 1d)`, `bool:true`},
		{`(Timestamp - datetime(2024-01-01)) / 1h`, `float64:10.504166666666666`},
		{`1h * 2`, `ts:2h0m0s`},
		{`hourofday(Timestamp)`, `int32:10`},
		{`dayofweek(Timestamp)`, `ts:24h0m0s`},
		// conversions
		{`tostring(ProcessId)`, `"4242"`},
		{`tostring(Timestamp)`, `"2024-01-01T10:30:15Z"`},
		{`tostring(1.5)`, `"1.5"`},
		{`tostring(2.0)`, `"2"`},
		{`tostring(90m)`, `"01:30:00"`},
		{`tostring(FileSize)`, `""`},
		{`toint("12")`, `int32:12`},
		{`toint("x")`, `null`},
		{`tolong("12.7")`, `int64:12`},
		{`toreal("1.25")`, `float64:1.25`},
		{`tobool("TRUE")`, `bool:true`},
		{`tobool("0")`, `bool:false`},
		{`todatetime("2024-02-03T04:05:06Z")`, `2024-02-03T04:05:06Z`},
		{`totimespan("01:00:00")`, `ts:1h0m0s`},
		{`tolower(FileName)`, `"powershell.exe"`},
		{`toupper(FileName)`, `"POWERSHELL.EXE"`},
		{`strlen(FileName)`, `int64:14`},
		{`strcat(FileName, "-", ProcessId)`, `"PowerShell.EXE-4242"`},
		{`strcat_delim("|", "a", ProcessId, FileSize)`, `"a|4242|"`},
		{`substring(FileName, 5)`, `"Shell.EXE"`},
		{`substring(FileName, 5, 5)`, `"Shell"`},
		{`substring(FileName, 50)`, `""`},
		{`indexof(FileName, "Shell")`, `int64:5`},
		{`indexof(FileName, "zzz")`, `int64:-1`},
		{`split(DeviceName, ".")`, `dyn:["ws-01","contoso","com"]`},
		{`split(DeviceName, ".", 1)`, `dyn:["contoso"]`},
		{`split(DeviceName, ".")[2]`, `dyn:"com"`},
		{`tostring(split(DeviceName, ".")[0])`, `"ws-01"`},
		{`replace_string(FileName, "Shell", "Sh")`, `"PowerSh.EXE"`},
		{`trim(" ", "  ab  ")`, `"ab"`},
		{`trim_start("x", "xxaxx")`, `"axx"`},
		{`trim_end("x", "xxaxx")`, `"xxa"`},
		{`iff(ProcessId > 1, "big", "small")`, `"big"`},
		{`iff(FileSize > 1, "big", "small")`, `"small"`},
		{`case(ProcessId < 10, 1, ProcessId < 10000, 2, 3)`, `int64:2`},
		{`coalesce(AccountName, FileName)`, `"PowerShell.EXE"`},
		{`coalesce(FileSize, ProcessId)`, `int64:4242`},
		{`not(ProcessId > 1)`, `bool:false`},
		{`not(FileSize > 1)`, `null`},
		{`FileSize > 1 or ProcessId > 1`, `bool:true`},
		{`FileSize > 1 and ProcessId > 1`, `null`},
		{`FileSize > 1 and ProcessId < 1`, `bool:false`},
		{`base64_decode_tostring("SGVsbG8=")`, `"Hello"`},
		{`url_decode("a%20b%2Fc")`, `"a b/c"`},
		{`ipv4_is_private("10.1.2.3")`, `bool:true`},
		{`ipv4_is_private("8.8.8.8")`, `bool:false`},
		{`ipv4_is_private("nope")`, `null`},
		{`ipv4_is_in_range("192.168.1.7", "192.168.1.0/24")`, `bool:true`},
		{`ipv4_is_in_range("192.168.2.7", "192.168.1.0/24")`, `bool:false`},
		{`countof("aaa", "a")`, `int64:3`},
		{`max_of(1, ProcessId, 7)`, `int64:4242`},
		{`min_of(1, ProcessId, 7)`, `int64:1`},
		{`abs(-ProcessId)`, `int64:4242`},
		// more functions
		{`datetime_add("month", 1, datetime(2024-01-31))`, `2024-02-29T00:00:00Z`},
		{`datetime_add("hour", -2, Timestamp)`, `2024-01-01T08:30:15Z`},
		{`datetime_part("hour", Timestamp)`, `int32:10`},
		{`getyear(Timestamp)`, `int32:2024`},
		{`format_datetime(Timestamp, "yyyy-MM-dd HH:mm:ss")`, `"2024-01-01 10:30:15"`},
		{`format_datetime(Timestamp, "M/d/yy h:mm tt")`, `"1/1/24 10:30 AM"`},
		{`bin_at(Timestamp, 1h, datetime(2024-01-01 00:15))`, `2024-01-01T10:15:00Z`},
		{`make_datetime(2024, 2, 3)`, `2024-02-03T00:00:00Z`},
		{`make_datetime(2024, 2, 30)`, `null`},
		{`unixtime_seconds_todatetime(1704067200)`, `2024-01-01T00:00:00Z`},
		{`extract_all(@"(\w)=(\d)", "a=1 b=2")`, `dyn:[["a","1"],["b","2"]]`},
		{`extract_all(@"(\d+)", "a1b22")`, `dyn:["1","22"]`},
		{`hash_sha256("World")`, `"78ae647dc5544d227130a0682a51e30bc7777fbb6d8a8f17007463a3ecd1d524"`},
		{`base64_encode_tostring("Hello")`, `"SGVsbG8="`},
		{`reverse("abc")`, `"cba"`},
		{`strrep("ab", 3, ",")`, `"ab,ab,ab"`},
		{`tohex(255)`, `"ff"`},
		{`round(2.567, 1)`, `float64:2.6`},
		{`bag_has_key(parse_json(AdditionalFields), "k")`, `bool:true`},
		{`bag_has_key(parse_json(AdditionalFields), "$.a.b")`, `bool:true`},
		{`strcat_array(parse_json(AdditionalFields).a.b, "-")`, `"1-two-{\"c\":true}"`},
		{`array_index_of(parse_json(AdditionalFields).a.b, "two")`, `int64:1`},
		{`bag_pack("f", FileName, "p", ProcessId, "n", FileSize)`, `dyn:{"f":"PowerShell.EXE","p":4242,"n":null}`},
		{`pack_array(ProcessId, "x", Timestamp)`, `dyn:[4242,"x","2024-01-01T10:30:15.0000000Z"]`},
		{`replace_regex(FileName, @"(\w+)\.(\w+)", @"\2:\1")`, `"EXE:PowerShell"`},
		{`replace_regex("a$b", "b", "$")`, `"a$$"`},
		{`parse_url("https://u:p@host.com:8080/a/b?k=v#f").Host`, `dyn:"host.com"`},
		{`parse_url("https://u:p@host.com:8080/a/b?k=v#f")["Query Parameters"].k`, `dyn:"v"`},
		// dynamic
		{`parse_json(AdditionalFields).a.b[1]`, `dyn:"two"`},
		{`parse_json(AdditionalFields).a.b[-1].c`, `dyn:true`},
		{`parse_json(AdditionalFields)["k"]`, `dyn:"V"`},
		{`parse_json(AdditionalFields).k == "V"`, `bool:true`},
		{`parse_json(AdditionalFields).n > 4`, `bool:true`},
		{`parse_json(AdditionalFields).n + 1`, `int64:6`},
		{`tostring(parse_json(AdditionalFields).missing)`, `""`},
		{`isnull(parse_json(AdditionalFields).missing)`, `bool:true`},
		{`isempty(parse_json(AdditionalFields).missing)`, `bool:true`},
		{`array_length(parse_json(AdditionalFields).a.b)`, `int64:3`},
		{`array_length(parse_json(AdditionalFields).k)`, `null`},
		{`bag_keys(parse_json(AdditionalFields))`, `dyn:["a","k","n"]`},
		{`tostring(parse_json(AdditionalFields).a)`, `"{\"b\":[1,\"two\",{\"c\":true}]}"`},
		{`parse_json("not json")`, `dyn:"not json"`},
		{`todynamic("[1,2]")[1]`, `dyn:2`},
		{`"two" in (parse_json(AdditionalFields).a.b)`, `bool:true`},
		{`set_has_element(parse_json(AdditionalFields).a.b, "two")`, `bool:true`},
		{`dynamic({"x": [1, 2]}).x[0]`, `dyn:1`},
		{`dynamic(null)`, `null`},
	}
	for _, c := range cases {
		q := "DeviceProcessEvents | project v = " + c.expr
		out := runQuery(t, "DeviceProcessEvents", q, row)
		if len(out) != 1 {
			t.Errorf("%s: %d rows", c.expr, len(out))
			continue
		}
		if got := show(out[0][0]); got != c.want {
			t.Errorf("%s = %s, want %s", c.expr, got, c.want)
		}
	}
}

func TestOperators(t *testing.T) {
	rows := []map[string]any{
		{"FileName": "a.exe", "ProcessId": int64(1), "Timestamp": testNow.Add(-time.Hour)},
		{"FileName": "B.exe", "ProcessId": int64(2), "Timestamp": testNow.Add(-2 * time.Hour)},
		{"FileName": "c.dll", "ProcessId": int64(3)},
	}
	q := `let exts = dynamic([".exe"]);
let big = (n:long) { n >= 2 };
DeviceProcessEvents
| where FileName has_any (exts) or FileName endswith ".exe"
| extend Ext = tostring(split(FileName, ".")[1]), Twice = ProcessId * 2
| extend Twice = Twice + 1, Big = big(ProcessId)
| project-rename Name = FileName
| project Name, Ext, Twice, Big, ProcessId
| project-away ProcessId
| project-reorder Big, Name
| take 5`
	p, err := compileQuery(t, "DeviceProcessEvents", q)
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, c := range p.Columns() {
		cols = append(cols, c.Name+":"+c.Type.String())
	}
	if got, want := strings.Join(cols, ","), "Big:bool,Name:string,Ext:string,Twice:long"; got != want {
		t.Fatalf("columns %s, want %s", got, want)
	}
	in := make([][]any, len(rows))
	for i, r := range rows {
		in[i] = mkRow("DeviceProcessEvents", r)
	}
	out, err := p.RunAt(testNow, in)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(out)
	if want := "[[false a.exe exe 3] [true B.exe exe 5]]"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	// take limits across a batch.
	out = runQuery(t, "DeviceProcessEvents", "DeviceProcessEvents | take 2 | project ProcessId", rows...)
	if len(out) != 2 {
		t.Errorf("take 2: %d rows", len(out))
	}
	// project-keep and wildcards.
	p, err = compileQuery(t, "DeviceProcessEvents", "DeviceProcessEvents | project-keep Process* | project-away ProcessVersion*")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range p.Columns() {
		if !strings.HasPrefix(c.Name, "Process") || strings.HasPrefix(c.Name, "ProcessVersion") {
			t.Errorf("unexpected column %s", c.Name)
		}
	}
	// let-bound lists, as detection rules write them.
	out = runQuery(t, "DeviceProcessEvents", `let names = dynamic(["A.EXE", "c.dll"]);
let kws = dynamic(["b"]);
let cutoff = ago(90m);
DeviceProcessEvents
| where FileName in~ (names) or FileName has_any (kws) or Timestamp > cutoff
| project FileName`, rows...)
	if fmt.Sprint(out) != "[[a.exe] [B.exe] [c.dll]]" {
		t.Errorf("let lists: %v", out)
	}
	out = runQuery(t, "DeviceProcessEvents", `let names = dynamic(["A.EXE"]); DeviceProcessEvents | where FileName !in~ (names) and FileName !in (names) | project FileName`, rows...)
	if fmt.Sprint(out) != "[[B.exe] [c.dll]]" {
		t.Errorf("let lists, negated: %v", out)
	}
	// where on time with ago.
	out = runQuery(t, "DeviceProcessEvents", "DeviceProcessEvents | where Timestamp > ago(90m) | project FileName", rows...)
	if fmt.Sprint(out) != "[[a.exe]]" {
		t.Errorf("ago: %v", out)
	}
	// The whole row passes through in schema order.
	out = runQuery(t, "DeviceProcessEvents", "DeviceProcessEvents | where ProcessId == 3", rows...)
	if len(out) != 1 || len(out[0]) != len(p.table.Columns) && out[0][4] != "c.dll" {
		t.Errorf("pass-through: %v", out)
	}
}

func TestRejects(t *testing.T) {
	cases := []struct{ table, query, want string }{
		{"DeviceProcessEvents", "DeviceProcessEvents | summarize count() by FileName", "operator summarize"},
		{"DeviceProcessEvents", "DeviceProcessEvents | join (DeviceEvents) on DeviceId", "operator join"},
		{"DeviceProcessEvents", "union DeviceProcessEvents, DeviceEvents", "source"},
		{"DeviceProcessEvents", "DeviceEvents | where true", "reads DeviceEvents"},
		{"DeviceProcessEvents", "DeviceProcessEvents | where FileName in (DeviceEvents | project FileName)", "tabular"},
		{"DeviceProcessEvents", "DeviceProcessEvents | extend x = hash_xxhash64(FileName)", "function 'hash_xxhash64'"},
		{"DeviceProcessEvents", "DeviceProcessEvents | sort by Timestamp", "operator sort"},
		{"DeviceProcessEvents", "DeviceProcessEvents | where FileName == 5", "cannot compare string and long"},
		{"DeviceProcessEvents", "DeviceProcessEvents | where Timestamp == 5", "cannot compare datetime and long"},
		{"DeviceProcessEvents", "let T = DeviceEvents; DeviceProcessEvents", "another table"},
		{"DeviceProcessEvents", "DeviceProcessEvents | where FileName matches regex \"(\"", "invalid regular expression"},
	}
	for _, c := range cases {
		_, err := compileQuery(t, c.table, c.query)
		var e *Error
		if err == nil || !errors.As(err, &e) {
			t.Errorf("%s: err %v, want an *Error", c.query, err)
			continue
		}
		if !strings.Contains(e.Msg, c.want) || !strings.HasPrefix(e.Msg, "cannot run continuously") {
			t.Errorf("%s: %q, want it to mention %q", c.query, e.Msg, c.want)
		}
		if !e.Pos.IsValid() {
			t.Errorf("%s: error has no position", c.query)
		}
	}
}

func TestCompileTextPosition(t *testing.T) {
	_, err := CompileText("DeviceProcessEvents\n| where FileName has \"x\"\n| summarize count()", "DeviceProcessEvents")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err %v, want *Error", err)
	}
	if e.Line != 3 || e.Column != 3 || !strings.Contains(e.Error(), "3:3: cannot run continuously: operator summarize") {
		t.Errorf("got %q at %d:%d", e.Error(), e.Line, e.Column)
	}
	p, err := CompileText("DeviceProcessEvents | where ProcessId > 1 | project ProcessId", "DeviceProcessEvents")
	if err != nil {
		t.Fatal(err)
	}
	if p.Table() != "DeviceProcessEvents" || len(p.Columns()) != 1 {
		t.Errorf("table %s, columns %v", p.Table(), p.Columns())
	}
}
