package sigma

import (
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/detect"
)

// rule wraps a detection in a process_creation rule (or the logsource
// given as the first line, "logsource: {...}").
func rule(det string) string {
	ls := "logsource: {product: windows, category: process_creation}"
	if strings.HasPrefix(det, "logsource:") {
		ls, det, _ = strings.Cut(det, "\n")
	}
	return "title: Test\nid: 5b0e3f4c-1111-4222-8333-944455556666\nlevel: high\ntags: [attack.execution, attack.t1059.001]\n" +
		ls + "\ndetection:\n" + det + "\n"
}

// compileOne compiles a one-rule file and checks the result through
// detect.Compile.
func compileOne(t *testing.T, src string, opts *Options) (*detect.Rule, error) {
	t.Helper()
	res := CompileFile([]byte(src), opts)
	if len(res) != 1 {
		t.Fatalf("%d results", len(res))
	}
	return res[0].Rule, res[0].Err
}

// TestPredicates checks the KQL each Sigma construct compiles to: the
// where-clause after the table (and the target's base filter).
func TestPredicates(t *testing.T) {
	for _, tc := range []struct{ name, det, want string }{
		{"equals", "  sel: {Image: 'C:\\Windows\\cmd.exe'}\n  condition: sel", `FolderPath =~ "C:\\Windows\\cmd.exe"`},
		{"list is in~", "  sel: {OriginalFileName: [a.exe, b.exe]}\n  condition: sel", `ProcessVersionInfoOriginalFileName in~ ("a.exe", "b.exe")`},
		{"contains", "  sel: {CommandLine|contains: ' -enc '}\n  condition: sel", `ProcessCommandLine contains " -enc "`},
		{"startswith endswith", "  sel: {Image|startswith: 'C:\\Users\\', ParentImage|endswith: '\\w3wp.exe'}\n  condition: sel",
			`FolderPath startswith "C:\\Users\\" and InitiatingProcessFolderPath endswith "\\w3wp.exe"`},
		{"contains all", "  sel: {CommandLine|contains|all: [a, b]}\n  condition: sel", `ProcessCommandLine contains "a" and ProcessCommandLine contains "b"`},
		{"cased", "  sel: {CommandLine|contains|cased: AbC}\n  condition: sel", `ProcessCommandLine contains_cs "AbC"`},
		{"cased equals", "  sel: {CommandLine|cased: AbC}\n  condition: sel", `ProcessCommandLine == "AbC"`},
		{"wildcards", "  sel: {CommandLine: '*a*b*'}\n  condition: sel", `ProcessCommandLine matches regex "(?is)^.*a.*b.*$"`},
		{"wildcard shapes", "  sel: {CommandLine: ['*x*', 'y*', '*z']}\n  condition: sel",
			`ProcessCommandLine contains "x" or ProcessCommandLine startswith "y" or ProcessCommandLine endswith "z"`},
		{"question mark", "  sel: {CommandLine: 'a?c'}\n  condition: sel", `ProcessCommandLine matches regex "(?is)^a.c$"`},
		{"escaped wildcard", "  sel: {CommandLine|contains: 'a\\*b'}\n  condition: sel", `ProcessCommandLine contains "a*b"`},
		{"star alone", "  sel: {CommandLine: '*'}\n  condition: sel", `isnotempty(ProcessCommandLine)`},
		{"null", "  sel: {CommandLine: null}\n  condition: sel", `isempty(ProcessCommandLine)`},
		{"empty string", "  sel: {CommandLine: ''}\n  condition: sel", `isempty(ProcessCommandLine)`},
		{"exists", "  sel: {CommandLine|exists: true, Product|exists: false}\n  condition: sel",
			`isnotempty(ProcessCommandLine) and not(isnotempty(ProcessVersionInfoProductName))`},
		{"re", "  sel: {CommandLine|re: 'a[0-9]+b'}\n  condition: sel", `ProcessCommandLine matches regex "a[0-9]+b"`},
		{"re flags", "  sel: {CommandLine|re|i|s: 'x.y'}\n  condition: sel", `ProcessCommandLine matches regex "(?is)x.y"`},
		{"re multiline", "  sel: {CommandLine|re|m: '^x$'}\n  condition: sel", `ProcessCommandLine matches regex "(?m)^x$"`},
		{"base64", "  sel: {CommandLine|base64|contains: 'http://'}\n  condition: sel", `ProcessCommandLine contains "aHR0cDovLw=="`},
		{"base64offset", "  sel: {CommandLine|base64offset|contains: 'http://'}\n  condition: sel",
			`ProcessCommandLine contains "aHR0cDovL" or ProcessCommandLine contains "h0dHA6Ly" or ProcessCommandLine contains "odHRwOi8v"`},
		{"wide base64offset", "  sel: {CommandLine|wide|base64offset|contains: 'ab'}\n  condition: sel",
			`ProcessCommandLine contains "YQBiA" or ProcessCommandLine contains "EAYg" or ProcessCommandLine contains "hAGIA"`},
		{"utf16be base64", "  sel: {CommandLine|utf16be|base64: 'ab'}\n  condition: sel", `ProcessCommandLine =~ "AGEAYg=="`},
		{"windash", "  sel: {CommandLine|windash|contains: ' -s '}\n  condition: sel",
			`ProcessCommandLine contains " -s " or ProcessCommandLine contains " /s " or ProcessCommandLine contains " –s " or ProcessCommandLine contains " —s " or ProcessCommandLine contains " ―s "`},
		{"windash combinations", "  sel: {CommandLine|windash: 'a /x -y-z'}\n  condition: sel",
			`ProcessCommandLine in~ ("a -x -y-z", "a -x /y-z", "a -x –y-z", "a -x —y-z", "a -x ―y-z", "a /x -y-z", "a /x /y-z", "a /x –y-z", "a /x —y-z", "a /x ―y-z", "a –x -y-z", "a –x /y-z", "a –x –y-z", "a –x —y-z", "a –x ―y-z", "a —x -y-z", "a —x /y-z", "a —x –y-z", "a —x —y-z", "a —x ―y-z", "a ―x -y-z", "a ―x /y-z", "a ―x –y-z", "a ―x —y-z", "a ―x ―y-z")`},
		{"numbers", "  sel: {ProcessId: 4, LogonId|gte: 10}\n  condition: sel", `ProcessId == 4 and LogonId >= 10`},
		{"lt on text", "logsource: {product: windows, service: system}\n  sel: {Count|lt: 3}\n  condition: sel", `Channel == "System" and todouble(tostring(EventData.Count)) < 3`},
		{"fieldref", "  sel: {ParentImage|fieldref: Image}\n  condition: sel", `InitiatingProcessFolderPath =~ FolderPath`},
		{"user with domain", "  sel: {User|contains: 'AUTHORI'}\n  condition: sel", `AccountDomain contains "AUTHORI" or AccountName contains "AUTHORI"`},
		{"user split", "  sel: {User: 'NT AUTHORITY\\SYSTEM'}\n  condition: sel", `AccountDomain =~ "NT AUTHORITY" and AccountName =~ "SYSTEM"`},
		{"hashes", "  sel: {Hashes|contains: ['SHA256=AB12', 'MD5=0123456789abcdef0123456789abcdef']}\n  condition: sel",
			`MD5 =~ "0123456789abcdef0123456789abcdef" or SHA256 contains "AB12"`},
		{"imphash", "  sel: {Hashes|contains: 'IMPHASH=ABC'}\n  condition: sel", `tostring(parse_json(AdditionalFields).Imphash) =~ "ABC"`},
		{"unmapped sysmon field", "  sel: {CurrentDirectory|contains: temp}\n  condition: sel", `AdditionalFields contains "temp" and tostring(parse_json(AdditionalFields).CurrentDirectory) contains "temp"`},
		{"keywords", "  keywords: [mimikatz]\n  condition: keywords",
			`ProcessCommandLine contains "mimikatz" or FolderPath contains "mimikatz" or InitiatingProcessCommandLine contains "mimikatz" or InitiatingProcessFolderPath contains "mimikatz"`},
		{"1 of and not", "  a1: {Image|endswith: x}\n  a2: {Image|endswith: y}\n  f: {CommandLine: z}\n  condition: 1 of a* and not f",
			`(FolderPath endswith "x" or FolderPath endswith "y") and not(ProcessCommandLine =~ "z")`},
		{"all of them", "  a: {Image|endswith: x}\n  b: {CommandLine: y}\n  _c: {CommandLine: w}\n  condition: all of them",
			`FolderPath endswith "x" and ProcessCommandLine =~ "y"`},
		{"parentheses", "  a: {Image: x}\n  b: {Image: y}\n  c: {CommandLine: z}\n  condition: (a or b) and not (c)",
			`(FolderPath =~ "x" or FolderPath =~ "y") and not(ProcessCommandLine =~ "z")`},
		{"2 of", "  a: {Image: x}\n  b: {Image: y}\n  c: {Image: z}\n  condition: 2 of them",
			`FolderPath =~ "x" and FolderPath =~ "y" or FolderPath =~ "x" and FolderPath =~ "z" or FolderPath =~ "y" and FolderPath =~ "z"`},
		{"list of maps", "  sel:\n    - {Image: x}\n    - {CommandLine: y}\n  condition: sel", `FolderPath =~ "x" or ProcessCommandLine =~ "y"`},
		{"condition list", "  a: {Image: x}\n  b: {Image: y}\n  condition: [a, b]", `FolderPath =~ "x" or FolderPath =~ "y"`},
		{"quotes escaped", "  sel: {CommandLine|contains: 'say \"hi\"'}\n  condition: sel", `ProcessCommandLine contains "say \"hi\""`},
		{"registry value path", "logsource: {product: windows, category: registry_set}\n  sel: {TargetObject|startswith: 'HKLM\\Software\\X', Details: 'DWORD (0x00000010)'}\n  condition: sel",
			`ActionType == "RegistryValueSet" and (RegistryKey contains "Software" or RegistryValueName contains "Software") and iff(isempty(RegistryValueName), RegistryKey, strcat(RegistryKey, "\\", RegistryValueName)) startswith "HKEY_LOCAL_MACHINE\\Software\\X" and RegistryValueType =~ "Dword" and RegistryValueData == "16"`},
		{"registry dword prefix", "logsource: {product: windows, category: registry_set}\n  sel: {Details|startswith: 'DWORD (0x0000000'}\n  condition: sel",
			`ActionType == "RegistryValueSet" and RegistryValueType =~ "Dword" and tolong(RegistryValueData) >= 0 and tolong(RegistryValueData) <= 15`},
		{"registry dword any", "logsource: {product: windows, category: registry_set}\n  sel: {Details|startswith: 'DWORD'}\n  condition: sel",
			`ActionType == "RegistryValueSet" and RegistryValueType =~ "Dword"`},
		{"registry hex word", "logsource: {product: windows, category: registry_set}\n  sel: {Details|contains: '0x00000001'}\n  condition: sel",
			`ActionType == "RegistryValueSet" and (RegistryValueType =~ "Dword" and RegistryValueData == "1" or RegistryValueData contains "0x00000001")`},
		{"network inbound swap", "logsource: {product: windows, category: network_connection}\n  sel: {DestinationPort: 445, Initiated: 'true'}\n  condition: sel",
			`ActionType in ("ConnectionSuccess", "InboundConnectionAccepted") and (ActionType != "InboundConnectionAccepted" and RemotePort == 445 or ActionType == "InboundConnectionAccepted" and LocalPort == 445) and ActionType == "ConnectionSuccess"`},
		{"cidr", "logsource: {product: windows, category: network_connection}\n  sel: {DestinationIp|cidr: 10.0.0.0/8}\n  condition: sel",
			`ActionType in ("ConnectionSuccess", "InboundConnectionAccepted") and (ActionType != "InboundConnectionAccepted" and ipv4_is_in_range(RemoteIP, "10.0.0.0/8") or ActionType == "InboundConnectionAccepted" and ipv4_is_in_range(LocalIP, "10.0.0.0/8"))`},
		{"dns", "logsource: {product: windows, category: dns_query}\n  sel: {QueryName|endswith: '.onion'}\n  condition: sel",
			`ActionType == "DnsQueryResponse" and RemoteUrl endswith ".onion"`},
		{"pipe", "logsource: {product: windows, category: pipe_created}\n  sel: {PipeName: '\\lsadump'}\n  condition: sel",
			`ActionType == "NamedPipeEvent" and AdditionalFields contains "\\\\lsadump" and tostring(parse_json(AdditionalFields).PipeName) =~ "\\lsadump"`},
		{"image load falls back to raw", "logsource: {product: windows, category: image_load}\n  sel: {ImageLoaded|endswith: '\\x.dll', Signed: 'false'}\n  condition: sel",
			`Channel == "Microsoft-Windows-Sysmon/Operational" and EventID == 7 and tostring(EventData.ImageLoaded) endswith "\\x.dll" and tostring(EventData.Signed) =~ "false"`},
		{"security", "logsource: {product: windows, service: security}\n  sel: {EventID: 4769, TicketEncryptionType: '0x17', ServiceName|endswith: '$'}\n  condition: sel",
			`EventID == 4769 and EventData contains "0x17" and tostring(parse_json(EventData).TicketEncryptionType) =~ "0x17" and ServiceName endswith "$"`},
		{"powershell script", "logsource: {product: windows, category: ps_script}\n  sel: {ScriptBlockText|contains: Invoke-Mimikatz}\n  condition: sel",
			`Channel in ("Microsoft-Windows-PowerShell/Operational", "PowerShellCore/Operational") and EventID == 4104 and tostring(EventData.ScriptBlockText) contains "Invoke-Mimikatz"`},
		{"expand", "  sel: {Image|expand: '%dir%\\x.exe'}\n  condition: sel", `FolderPath in~ ("C:\\A\\x.exe", "D:\\B\\x.exe")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := compileOne(t, rule(tc.det), &Options{Placeholders: map[string][]string{"dir": {`C:\A`, `D:\B`}}})
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(r.Query, "\n")
			got := strings.TrimPrefix(lines[1], "| where ")
			if got != tc.want {
				t.Errorf("got\n  %s\nwant\n  %s", got, tc.want)
			}
		})
	}
}

func TestMetadata(t *testing.T) {
	src := `title: Suspicious Thing
id: 0f06a3a5-6a09-413f-8743-e6cf35561297
status: test
description: Detects a thing.
references: [https://example.com/a]
author: Jane Doe, John Roe
level: critical
tags: [attack.defense-evasion, attack.t1218.011, attack.t1218, attack.s0001, car.2013-05-002]
falsepositives: [Admin scripts]
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\rundll32.exe'}
  condition: sel
`
	r, err := compileOne(t, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "sigma-0f06a3a5-6a09-413f-8743-e6cf35561297" || r.Name != "Suspicious Thing" || r.Title != "Suspicious Thing" ||
		r.Severity != detect.High || r.Category != "DefenseEvasion" || strings.Join(r.Techniques, ",") != "T1218.011,T1218" ||
		r.Source != "sigma" || r.SourceID != "0f06a3a5-6a09-413f-8743-e6cf35561297" || r.Author != "Jane Doe, John Roe" ||
		len(r.References) != 1 || r.Frequency != detect.Continuous || !r.Enabled {
		t.Errorf("metadata: %+v", r)
	}
	if !strings.Contains(r.Description, "by Jane Doe, John Roe") || !strings.Contains(r.Description, "https://example.com/a") ||
		!strings.Contains(r.RecommendedActions, "Admin scripts") {
		t.Errorf("credits: %q / %q", r.Description, r.RecommendedActions)
	}
	// The rule survives the custom-rule store's YAML.
	def, err := detect.FormatRule(r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := detect.ParseRule(def)
	if err != nil {
		t.Fatal(err)
	}
	if back.Query != r.Query || back.Author != r.Author || back.SourceID != r.SourceID || back.Source != "sigma" || !back.Enabled {
		t.Errorf("round trip: %+v", back)
	}
}

// TestErrors checks that bad rules fail with a reason and, where there is
// one, the line.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		reason    Reason
		line      int
		msg       string
	}{
		{"not yaml", "title: [", ReasonInvalid, 0, "YAML"},
		{"no title", "detection: {sel: {a: b}, condition: sel}", ReasonInvalid, 1, "no title"},
		{"linux", "title: x\nlogsource: {product: linux, category: process_creation}\ndetection: {sel: {a: b}, condition: sel}", ReasonLogsource, 0, "linux"},
		{"unknown category", "title: x\nlogsource: {product: windows, category: bogus}\ndetection: {sel: {a: b}, condition: sel}", ReasonLogsource, 0, "bogus"},
		{"unknown service", "title: x\nlogsource: {product: windows, service: bogus}\ndetection: {sel: {a: b}, condition: sel}", ReasonLogsource, 0, "bogus"},
		{"unknown modifier", rule("  sel:\n    Image|sounds_like: x\n  condition: sel"), ReasonModifier, 8, "sounds_like"},
		{"two comparisons", rule("  sel:\n    Image|contains|re: x\n  condition: sel"), ReasonModifier, 8, "more than one"},
		{"utf16 alone", rule("  sel:\n    Image|wide: x\n  condition: sel"), ReasonModifier, 8, "base64"},
		{"bad regex", rule("  sel:\n    Image|re: '(?<=a)b'\n  condition: sel"), ReasonValue, 8, "RE2"},
		{"wildcard in base64", rule("  sel:\n    Image|base64: 'a*'\n  condition: sel"), ReasonValue, 8, "wildcards"},
		{"placeholder", rule("  sel:\n    Image|expand: '%nope%'\n  condition: sel"), ReasonPlaceholder, 8, "%nope%"},
		{"bad cidr", "title: x\nlogsource: {product: windows, category: network_connection}\ndetection:\n  sel:\n    DestinationIp|cidr: 300.1.1.1/8\n  condition: sel", ReasonValue, 5, "CIDR"},
		{"missing identifier", rule("  sel: {Image: x}\n  condition: sel and other"), ReasonCondition, 8, "other"},
		{"condition syntax", rule("  sel: {Image: x}\n  condition: sel and (sel"), ReasonCondition, 8, "missing )"},
		{"aggregation", rule("  sel: {Image: x}\n  condition: sel | count() > 5"), ReasonCondition, 8, "correlation"},
		{"no condition", rule("  sel: {Image: x}"), ReasonCondition, 7, "no condition"},
		{"of nothing", rule("  sel: {Image: x}\n  condition: 1 of z*"), ReasonCondition, 8, "matches no"},
		{"exists value", rule("  sel:\n    Image|exists: maybe\n  condition: sel"), ReasonValue, 8, "true or false"},
		{"lt not a number", rule("  sel:\n    ProcessId|lt: abc\n  condition: sel"), ReasonValue, 8, "number"},
		{"field without column", rule("  sel:\n    Bad Field: 1\n  condition: sel"), ReasonField, 8, "Bad Field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := CompileFile([]byte(tc.src), nil)
			if len(res) != 1 || res[0].Err == nil {
				t.Fatalf("compiled: %+v", res)
			}
			e, ok := res[0].Err.(*Error)
			if !ok {
				t.Fatalf("error %T: %v", res[0].Err, res[0].Err)
			}
			if e.Reason != tc.reason || e.Line != tc.line || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("got %v (reason %q, line %d), want reason %q line %d containing %q", e, e.Reason, e.Line, tc.reason, tc.line, tc.msg)
			}
		})
	}
}

func TestCorrelation(t *testing.T) {
	base := `title: Failed logon
name: failed_logon
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4625}
  condition: sel
---
title: Process run
name: proc
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\whoami.exe'}
  condition: sel
---
`
	for _, tc := range []struct {
		name, corr string
		freq       detect.Frequency
		results    int
		want       []string
	}{
		{"event_count", "type: event_count\n  rules: [failed_logon]\n  group-by: [TargetUserName]\n  timespan: 10m\n  condition: {gte: 10}",
			detect.Every1h, 2, []string{"SecurityEvent\n| where EventID == 4625", "TargetUserName = tostring(TargetUserName)",
				"by TargetUserName, Window = bin(Timestamp, 10m)", "| where EventCount >= 10"}},
		{"value_count", "type: value_count\n  rules: [failed_logon]\n  group-by: [IpAddress]\n  timespan: 1d\n  condition: {gt: 5, field: TargetUserName}",
			detect.Every12h, 2, []string{"CountedValue = tostring(TargetUserName)", "ValueCount = dcount(CountedValue)", "| where ValueCount > 5"}},
		{"temporal", "type: temporal\n  rules: [failed_logon, proc]\n  group-by: [Host]\n  aliases: {Host: {failed_logon: Computer, proc: DeviceName}}\n  timespan: 5m",
			detect.Every1h, 1, []string{"union\n(SecurityEvent", "(DeviceProcessEvents", "Host = tostring(Computer)", "Host = tostring(DeviceName)", "Rules = dcount(SigmaRule)", "| where Rules == 2"}},
		{"temporal_ordered", "type: temporal_ordered\n  rules: [failed_logon, proc]\n  group-by: [DeviceName]\n  timespan: 30m",
			detect.Every1h, 1, []string{"First0 = minif(Timestamp, SigmaRule == 0)", "First0 <= Last1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := base + "title: Correlated\nid: 11111111-2222-4333-8444-555555555555\nlevel: medium\ncorrelation:\n  " + tc.corr + "\n"
			res := CompileFile([]byte(src), nil)
			// The rules a correlation uses are not rules of their own.
			if len(res) != tc.results {
				t.Fatalf("%d results, want %d", len(res), tc.results)
			}
			last := res[len(res)-1]
			if last.Err != nil {
				t.Fatal(last.Err)
			}
			r := last.Rule
			if r.Frequency != tc.freq {
				t.Errorf("frequency %s, want %s", r.Frequency, tc.freq)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.Query, w) {
					t.Errorf("query lacks %q:\n%s", w, r.Query)
				}
			}
		})
	}
	// A rule of another file.
	lib := Library([]byte(base))
	other := "title: C\ncorrelation:\n  type: event_count\n  rules: [proc]\n  timespan: 5m\n  condition: {gte: 2}\n"
	if res := CompileFile([]byte(other), &Options{Library: lib}); len(res) != 1 || res[0].Err != nil || !strings.HasPrefix(res[0].Rule.Query, "DeviceProcessEvents") {
		t.Errorf("correlation over another file's rule: %+v", res)
	}
	bad := base + "title: C\ncorrelation:\n  type: event_count\n  rules: [nope]\n  timespan: 5m\n  condition: {gte: 2}\n"
	if res := CompileFile([]byte(bad), nil); len(res) != 3 || res[2].Err == nil || !strings.Contains(res[2].Err.Error(), `"nope"`) {
		t.Errorf("unknown rule reference: %+v", res)
	}
}
