package syslog

import (
	"fmt"
	"strings"
	"testing"
)

// cefSummary prints VERSION|VENDOR|PRODUCT|DEVVERSION|CLASS|NAME|SEVERITY
// and then each extension pair as key="value".
func cefSummary(e CEF) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d|%s|%s|%s|%s|%s|%s|", e.Version, e.DeviceVendor, e.DeviceProduct, e.DeviceVersion, e.DeviceEventClassID, e.Name, e.Severity)
	for k, kv := range e.Extension {
		if k > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%q", kv.Key, kv.Value)
	}
	return b.String()
}

func TestParseCEF(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		e, err := ParseCEF(in)
		if err != nil {
			t.Errorf("ParseCEF(%q): %v", in, err)
			return
		}
		if got := cefSummary(e); got != want {
			t.Errorf("ParseCEF(%q)\n got %s\nwant %s", in, got, want)
		}
	}
	// The ArcSight implementation standard's examples, escapes included.
	f(`CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src=10.0.0.1 dst=2.1.2.2 spt=1232`,
		`0|Security|threatmanager|1.0|100|worm successfully stopped|10|src="10.0.0.1" dst="2.1.2.2" spt="1232"`)
	f(`CEF:0|security|threatmanager|1.0|100|detected a \| in message|10|src=10.0.0.1 act=blocked a | dst=1.1.1.1`,
		`0|security|threatmanager|1.0|100|detected a | in message|10|src="10.0.0.1" act="blocked a |" dst="1.1.1.1"`)
	f(`CEF:0|security|threatmanager|1.0|100|detected a \\ in packet|10|src=10.0.0.1 act=blocked a \\ dst=1.1.1.1`,
		`0|security|threatmanager|1.0|100|detected a \ in packet|10|src="10.0.0.1" act="blocked a \\" dst="1.1.1.1"`)
	f(`CEF:0|security|threatmanager|1.0|100|detected a = in message|10|src=10.0.0.1 act=blocked a \= dst=1.1.1.1`,
		`0|security|threatmanager|1.0|100|detected a = in message|10|src="10.0.0.1" act="blocked a =" dst="1.1.1.1"`)
	f(`CEF:0|security|threatmanager|1.0|100|Detected a threat. No action needed.|10|src=10.0.0.1 msg=Detected a threat.\n No action needed.`,
		`0|security|threatmanager|1.0|100|Detected a threat. No action needed.|10|src="10.0.0.1" msg="Detected a threat.\n No action needed."`)
	f(`CEF:0|security|threatmanager|1.0|100|a \x backslash|10|msg=c:\x and \r\n`,
		`0|security|threatmanager|1.0|100|a \x backslash|10|msg="c:\\x and \r\n"`)
	f(`CEF:1|Vendor|Product|2.0|id|CEF version 1|Very-High|`, `1|Vendor|Product|2.0|id|CEF version 1|Very-High|`)
	f(`CEF:0|Vendor|Product|2.0|id|no trailing pipe|3`, `0|Vendor|Product|2.0|id|no trailing pipe|3|`)

	// Trend Micro Deep Security (vendor documentation samples).
	f(`CEF:0|Trend Micro|Deep Security Agent|<DSA version>|4000000|Eicar_test_file|6|cn1=1 cn1Label=Host ID dvchost=hostname cn2=205 cn2Label=Quarantine File Size cs6=ContainerImageName | ContainerName | ContainerID cs6Label=Container filePath=C:\\Users\\trend\\Desktop\\eicar.exe act=Delete msg=Realtime TrendMicroDsMalwareTarget=N/A TrendMicroDsFileMD5=44D88612FEA8A8F36DE82E1278ABB02F`,
		`0|Trend Micro|Deep Security Agent|<DSA version>|4000000|Eicar_test_file|6|cn1="1" cn1Label="Host ID" dvchost="hostname" cn2="205" cn2Label="Quarantine File Size" cs6="ContainerImageName | ContainerName | ContainerID" cs6Label="Container" filePath="C:\\Users\\trend\\Desktop\\eicar.exe" act="Delete" msg="Realtime" TrendMicroDsMalwareTarget="N/A" TrendMicroDsFileMD5="44D88612FEA8A8F36DE82E1278ABB02F"`)
	f(`CEF:0|Trend Micro|Deep Security Agent|<DSA version>|3002795|Microsoft Windows Events|8|cn1=1 cn1Label=Host ID dvchost=hostname cs1Label=LI Description cs1=Multiple Windows Logon Failures fname=Security src=127.0.0.1 duser=(no user) shost=WIN-RM6HM42G65V msg=WinEvtLog Security: AUDIT_FAILURE(4625): Microsoft-Windows-Security-Auditing: (no user): no domain: WIN-RM6HM42G65V: An account failed to log on. Subject: ..`,
		`0|Trend Micro|Deep Security Agent|<DSA version>|3002795|Microsoft Windows Events|8|cn1="1" cn1Label="Host ID" dvchost="hostname" cs1Label="LI Description" cs1="Multiple Windows Logon Failures" fname="Security" src="127.0.0.1" duser="(no user)" shost="WIN-RM6HM42G65V" msg="WinEvtLog Security: AUDIT_FAILURE(4625): Microsoft-Windows-Security-Auditing: (no user): no domain: WIN-RM6HM42G65V: An account failed to log on. Subject: .."`)

	// Citrix NetScaler: an escaped '=' in a URL, a value that starts with
	// a space.
	f(`CEF:0|Citrix|NetScaler|NS10.0|APPFW|APPFW_STARTURL|6|src=10.217.253.78 spt=54711 method=GET request=http://vpx247.example.net/FFC/login_post.html?abc\=def msg=Disallow Illegal URL. cn1=465 cs4=ALERT act=not blocked`,
		`0|Citrix|NetScaler|NS10.0|APPFW|APPFW_STARTURL|6|src="10.217.253.78" spt="54711" method="GET" request="http://vpx247.example.net/FFC/login_post.html?abc=def" msg="Disallow Illegal URL." cn1="465" cs4="ALERT" act="not blocked"`)
	f(`CEF:0|Citrix|NetScaler|NS10.0|APPFW|APPFW_SAFECOMMERCE_XFORM|6|src=10.217.253.78 msg= Transformed (xout) potential credit card numbers seen in server response act=transformed`,
		`0|Citrix|NetScaler|NS10.0|APPFW|APPFW_SAFECOMMERCE_XFORM|6|src="10.217.253.78" msg="Transformed (xout) potential credit card numbers seen in server response" act="transformed"`)

	// Check Point Log Exporter: '&' in the header, escaped '=' in a DN,
	// vendor keys.
	f(`CEF:0|Check Point|VPN-1 & FireWall-1|Check Point|Log|https|Unknown|act=Accept destinationTranslatedAddress=0.0.0.0 deviceDirection=0 rt=1543270652000 originsicname=CN\=R80,O\=R80_M..6u6bdo product=VPN-1 & FireWall-1 loguid={0x5bfc70fc,0x1,0xfe65a8c0,0xc0000001}`,
		`0|Check Point|VPN-1 & FireWall-1|Check Point|Log|https|Unknown|act="Accept" destinationTranslatedAddress="0.0.0.0" deviceDirection="0" rt="1543270652000" originsicname="CN=R80,O=R80_M..6u6bdo" product="VPN-1 & FireWall-1" loguid="{0x5bfc70fc,0x1,0xfe65a8c0,0xc0000001}"`)

	// Forcepoint NGFW: escaped '=' amid text, parentheses in values.
	f(`CEF:0|FORCEPOINT|Firewall|6.6.1|70018|Connection_Allowed|0|deviceExternalId=Master FW node 1 dvc=10.1.1.40 act=Allow msg=Referred connection: 10.1.1.40 -> 10.37.133.35 frag\=0x4000 TCP 47413->3020 rt=Jan 17 2020 08:52:09 app=Dest. Unreachable (Host Unreachable)`,
		`0|FORCEPOINT|Firewall|6.6.1|70018|Connection_Allowed|0|deviceExternalId="Master FW node 1" dvc="10.1.1.40" act="Allow" msg="Referred connection: 10.1.1.40 -> 10.37.133.35 frag=0x4000 TCP 47413->3020" rt="Jan 17 2020 08:52:09" app="Dest. Unreachable (Host Unreachable)"`)

	// Fortinet FortiGate: an empty value, a value with a space.
	f(`CEF:0|Fortinet|Fortigate|v6.2.9|32102|event:system|7|deviceExternalId=FGVM2V0000171868 FortinetFortiGatelogid=0100032102 cat=event:system FortinetFortiGatelogdesc=Configuration changed duser= sproc=console msg=Configuration is changed in the admin session`,
		`0|Fortinet|Fortigate|v6.2.9|32102|event:system|7|deviceExternalId="FGVM2V0000171868" FortinetFortiGatelogid="0100032102" cat="event:system" FortinetFortiGatelogdesc="Configuration changed" duser="" sproc="console" msg="Configuration is changed in the admin session"`)

	// ArcSight connector output: a space before the extension, an empty
	// header field, escaped '=' in base64.
	f(`CEF:0|Unix|Unix||arcsight:143:1|Started Session|Low| eventId=31 msg=Started Session 21 of user root aid=4SNQXV30BABCAIi+-ZH3gxT\=\=`,
		`0|Unix|Unix||arcsight:143:1|Started Session|Low|eventId="31" msg="Started Session 21 of user root" aid="4SNQXV30BABCAIi+-ZH3gxT=="`)

	// Unescaped '=' inside values stays there unless a key precedes it;
	// keys may hold dots, brackets and commas; trailing spaces go.
	f(`CEF:0|Elastic|Vaporware|1.0|18|Web request|low|request=https://www.example.com/cart?a=b&c=d act=allow ad.field[0]=field0 ad.Error_,Code=3221225578 src=192.168.3.4     `,
		`0|Elastic|Vaporware|1.0|18|Web request|low|request="https://www.example.com/cart?a=b&c=d" act="allow" ad.field[0]="field0" ad.Error_,Code="3221225578" src="192.168.3.4"`)
	f(`CEF:0|V|P|1|id|n|1|msg=a =b x= y=z`, `0|V|P|1|id|n|1|msg="a =b" x="" y="z"`)
	f(`CEF:0|V|P|1|id|n|1|k=v\`, `0|V|P|1|id|n|1|k="v\\"`)
	f(`CEF: 0|V|P|1|id|n|1|k=v`, `0|V|P|1|id|n|1|k="v"`)
}

func TestParseCEFErrors(t *testing.T) {
	f := func(in, wantErr string) {
		t.Helper()
		_, err := ParseCEF(in)
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("ParseCEF(%q) = %v, want error containing %q", in, err, wantErr)
		}
	}
	f(``, `col 1: expected "CEF:"`)
	f(`LEEF:1.0|a|b|c|d|`, `expected "CEF:"`)
	f(`CEF:|a|b|c|d|e|f|`, "col 5: expected the CEF version number")
	f(`CEF:x|a|b|c|d|e|f|`, "col 5: expected the CEF version number")
	f(`CEF:0`, "col 5: expected the CEF version number")
	f(`CEF:0|Vendor|Product|1.0`, "col 25: CEF header ends before Device Event Class ID (4 of 7 fields)")
	f(`CEF:0|a|b|c|d|e`, "col 16: CEF header ends before Severity (6 of 7 fields)")
	f(`CEF:0|a|b|c|d|e|5|just text`, `col 19: extension does not start with key=value: "just text"`)
	f(`CEF:0|a|b|c|d|e|5|=v`, "extension does not start with key=value")
}
