package windows

import (
	"testing"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
)

// sysmonBench are Sysmon process, network and file records in the OTRF
// (NXLog) shape, the bulk of what endpoints send.
var sysmonBench = [][]byte{
	[]byte(`{"SeverityValue":2,"EventReceivedTime":"2020-09-21 22:39:11","EventID":1,"ProviderGuid":"{5770385F-C22A-43E0-BF4C-06F5698FFBD9}","ExecutionProcessID":3392,"Channel":"Microsoft-Windows-Sysmon/Operational","host":"wec.internal.cloudapp.net","AccountType":"User","ProcessGuid":"{d273d0f0-63ce-5f69-940c-000000000800}","ParentImage":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","LogonGuid":"{d273d0f0-5d36-5f69-9669-1a0400000000}","Opcode":"Info","EventTime":"2020-09-21 22:39:10","SourceModuleType":"im_msvistalog","AccountName":"SYSTEM","CommandLine":"\"C:\\users\\sbeavers\\Desktop\\Rubeus.exe\" asktgt /user:pgustavo /rc4:81d310fa34e6a56a31145445891bb7b8 /ptt","Domain":"NT AUTHORITY","@version":"1","OpcodeValue":0,"Severity":"INFO","User":"THESHIRE\\wardog","Hashes":"SHA1=0E0158AA6D98C276E144268EF3C62768B84DEF96,MD5=30FE511DD46BAB0635913CEC84C93BF5,SHA256=16F711036A102605E2760A9CA8E3027138DA68A3A77C2281382AB19C50FCD0EC,IMPHASH=00000000000000000000000000000000","SourceName":"Microsoft-Windows-Sysmon","CurrentDirectory":"C:\\windows\\system32\\","Description":"Rubeus","Category":"Process Create (rule: ProcessCreate)","Company":"-","Keywords":-9223372036854775808,"FileVersion":"1.0.0.0","IntegrityLevel":"High","UserID":"S-1-5-18","TerminalSessionId":"7","ThreadID":5552,"EventType":"INFO","ParentProcessGuid":"{d273d0f0-5d74-5f69-5b0c-000000000800}","@timestamp":"2020-09-22T02:39:11.626Z","port":64545,"ParentCommandLine":"\"C:\\windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" -noP -sta -w 1 -enc SQBGACgAJABQAFMAVgBlAHIAUwBpAG8ATgBUAGEAQgBsAEUALgBQAFMAVgBFAFIAUwBJAE8ATgAuAE0AYQBqAG8AUgAgAC0AZwBlACAAMwApAHsA","ParentProcessId":"4884","Image":"C:\\Users\\sbeavers\\Desktop\\Rubeus.exe","ProcessId":"2476","OriginalFileName":"Rubeus.exe","RecordNumber":3339839,"Version":5,"UtcTime":"2020-09-22 02:39:10.995","LogonId":"0x41a6996","Product":"Rubeus","Task":1,"RuleName":"-","SourceModuleName":"eventlog","Hostname":"WORKSTATION6.theshire.local","tags":["mordorDataset"]}`),
	[]byte(`{"SeverityValue":2,"EventReceivedTime":"2020-09-21 22:39:14","EventID":3,"ProviderGuid":"{5770385F-C22A-43E0-BF4C-06F5698FFBD9}","ExecutionProcessID":3392,"Channel":"Microsoft-Windows-Sysmon/Operational","host":"wec.internal.cloudapp.net","AccountType":"User","ProcessGuid":"{d273d0f0-5d74-5f69-5b0c-000000000800}","DestinationIsIpv6":"false","Opcode":"Info","EventTime":"2020-09-21 22:39:12","SourceModuleType":"im_msvistalog","AccountName":"SYSTEM","Domain":"NT AUTHORITY","@version":"1","OpcodeValue":0,"Severity":"INFO","User":"THESHIRE\\wardog","SourceName":"Microsoft-Windows-Sysmon","Category":"Network connection detected (rule: NetworkConnect)","Keywords":-9223372036854775808,"DestinationPort":"88","SourceIsIpv6":"false","UserID":"S-1-5-18","ThreadID":5556,"EventType":"INFO","DestinationIp":"172.18.38.5","@timestamp":"2020-09-22T02:39:14.701Z","port":64545,"SourcePort":"61218","SourceIp":"172.18.39.6","Initiated":"true","DestinationHostname":"MORDORDC.theshire.local","Protocol":"tcp","Image":"C:\\Users\\sbeavers\\Desktop\\Rubeus.exe","ProcessId":"2476","DestinationPortName":"kerberos","SourcePortName":"-","RecordNumber":3339851,"Version":5,"UtcTime":"2020-09-22 02:39:12.845","SourceHostname":"WORKSTATION6.theshire.local","Task":3,"RuleName":"-","SourceModuleName":"eventlog","Hostname":"WORKSTATION6.theshire.local","tags":["mordorDataset"]}`),
	[]byte(`{"SeverityValue":2,"EventReceivedTime":"2020-09-21 22:39:14","EventID":11,"ProviderGuid":"{5770385F-C22A-43E0-BF4C-06F5698FFBD9}","ExecutionProcessID":3392,"Channel":"Microsoft-Windows-Sysmon/Operational","host":"wec.internal.cloudapp.net","AccountType":"User","ProcessGuid":"{d273d0f0-63ce-5f69-940c-000000000800}","Opcode":"Info","EventTime":"2020-09-21 22:39:13","SourceModuleType":"im_msvistalog","AccountName":"SYSTEM","Domain":"NT AUTHORITY","@version":"1","OpcodeValue":0,"Severity":"INFO","SourceName":"Microsoft-Windows-Sysmon","Category":"File created (rule: FileCreate)","Keywords":-9223372036854775808,"UserID":"S-1-5-18","ThreadID":5556,"EventType":"INFO","CreationUtcTime":"2020-09-22 02:39:13.101","@timestamp":"2020-09-22T02:39:14.712Z","port":64545,"TargetFilename":"C:\\Users\\wardog\\AppData\\Local\\Temp\\__PSScriptPolicyTest_xwds1xnn.3ng.ps1","Image":"C:\\Users\\sbeavers\\Desktop\\Rubeus.exe","ProcessId":"2476","RecordNumber":3339852,"Version":2,"UtcTime":"2020-09-22 02:39:13.101","Task":11,"RuleName":"-","SourceModuleName":"eventlog","Hostname":"WORKSTATION6.theshire.local","tags":["mordorDataset"]}`),
}

// BenchmarkParseSysmon is the baseline: the same records through the
// fastjson parse alone, which the pipeline does anyway.
func BenchmarkParseSysmon(b *testing.B) {
	var p fastjson.Parser
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := p.ParseBytes(sysmonBench[i%len(sysmonBench)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkNormalizeSysmon measures Sysmon 1/3/11 records through one
// fastjson parse and Normalize, as the pipeline runs them (without the
// store's value checks). It reports events/s; no assertion on time.
func BenchmarkNormalizeSysmon(b *testing.B) {
	n := NewOTRF()
	var p fastjson.Parser
	var rs ingest.RowSet
	var bytes int64
	for _, r := range sysmonBench {
		bytes += int64(len(r))
	}
	b.SetBytes(bytes / int64(len(sysmonBench)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		data := sysmonBench[i%len(sysmonBench)]
		v, err := p.ParseBytes(data)
		if err != nil {
			b.Fatal(err)
		}
		in := ingest.Input{Record: ingest.Record{Source: "bench", Line: int64(i), Data: data}, JSON: v}
		rs.Reset()
		if err := n.Normalize(&in, &rs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
