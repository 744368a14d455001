package windows

import (
	"net/netip"
	"testing"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/jsonenc"
)

func TestRegistryKey(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := registryKey(in); got != want {
			t.Errorf("registryKey(%q) = %q, want %q", in, got, want)
		}
	}
	f(`HKLM\System\CurrentControlSet\Services\EventLog`, `HKEY_LOCAL_MACHINE\System\CurrentControlSet\Services\EventLog`)
	f(`HKU\S-1-5-21-1-2-3-500\Software\Run`, `HKEY_CURRENT_USER\S-1-5-21-1-2-3-500\Software\Run`)
	f(`HKU\.DEFAULT\Software`, `HKEY_USERS\.DEFAULT\Software`)
	f(`HKCR\.exe`, `HKEY_CLASSES_ROOT\.exe`)
	f(`\REGISTRY\MACHINE\SYSTEM\ControlSet001\Control\Lsa`, `HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Control\Lsa`)
	f(`\REGISTRY\USER\S-1-5-18\Software`, `HKEY_CURRENT_USER\S-1-5-18\Software`)
	f(`hklm\software`, `HKEY_LOCAL_MACHINE\software`)
	f(`HKLM`, `HKEY_LOCAL_MACHINE`)
	f(`HKLMX\a`, `HKLMX\a`) // not a root
	f(`HKEY_LOCAL_MACHINE\a`, `HKEY_LOCAL_MACHINE\a`)
	f(``, ``)
}

func TestRegistryValue(t *testing.T) {
	f := func(in, typ, data string) {
		t.Helper()
		gt, gd := registryValue(in)
		if gt != typ || gd != data {
			t.Errorf("registryValue(%q) = %q, %q; want %q, %q", in, gt, gd, typ, data)
		}
	}
	f("DWORD (0x00000044)", "Dword", "68")
	f("QWORD (0x00000001-0x00000002)", "Qword", "4294967298")
	f("Binary Data", "Binary", "")
	f(`C:\x.exe`, "String", `C:\x.exe`)
	f("DWORD (zz)", "Dword", "DWORD (zz)")
	f("", "", "")
}

func TestParseHashes(t *testing.T) {
	f := func(in string, want hashes) {
		t.Helper()
		if got := parseHashes(in); got != want {
			t.Errorf("parseHashes(%q) = %+v, want %+v", in, got, want)
		}
	}
	f("SHA1=AA,MD5=BB,SHA256=CC,IMPHASH=DD", hashes{sha1: "aa", md5: "bb", sha256: "cc", imphash: "dd"})
	f("SHA256=0F1E", hashes{sha256: "0f1e"})
	f("d41d8cd98f00b204e9800998ecf8427e", hashes{md5: "d41d8cd98f00b204e9800998ecf8427e"})
	f("", hashes{})
	f("SHA1", hashes{})
}

func TestSmallMappings(t *testing.T) {
	eq := func(got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	eq(logonTypeName("3"), "Network")
	eq(logonTypeName("10"), "RemoteInteractive")
	eq(logonTypeName("11"), "CachedInteractive")
	eq(logonTypeName("99"), "99")
	eq(logonTypeName("-"), "")
	eq(failureReason("0xc000006d", "0xc000006a"), "WrongPassword")
	eq(failureReason("0xC000006D", "0x0"), "InvalidUserNameOrPassword")
	eq(failureReason("0xc0000234", "-"), "AccountLocked")
	eq(failureReason("0xc0001234", ""), "0xc0001234")
	eq(failureReason("0x0", "0x0"), "")
	eq(tokenElevation("%%1936"), "TokenElevationTypeDefault")
	eq(tokenElevation("%%1937"), "TokenElevationTypeFull")
	eq(tokenElevation("%%1938"), "TokenElevationTypeLimited")
	eq(integrityFromLabel("S-1-16-12288"), "High")
	eq(integrityFromLabel("S-1-16-8192"), "Medium")
	eq(protocolName("6"), "Tcp")
	eq(protocolName("udp"), "Udp")
	eq(protocolName("47"), "47")
	eq(keywordsHex("-9214364837600034816"), "0x8020000000000000")
	eq(keywordsHex("36028797018963968"), "0x80000000000000")
	eq(keywordsHex("0x8010000000000000"), "0x8010000000000000")
	eq(levelName("0", "0x8020000000000000"), "Audit Success")
	eq(levelName("0", "0x8010000000000000"), "Audit Failure")
	eq(levelName("4", ""), "Information")
	eq(levelName("", "Audit Failure"), "Audit Failure")
	eq(serviceImage(`"C:\Program Files\x\y.exe" -k run`), `C:\Program Files\x\y.exe`)
	eq(serviceImage(`C:\Program Files\x\y.exe -k run`), `C:\Program Files\x\y.exe`)
	eq(serviceImage(`%COMSPEC% /C start /b powershell`), `%COMSPEC%`)
	eq(serviceImage(`rundll32.exe C:\a.dll,a`), `rundll32.exe`)
	eq(memberName(`CN=Doe\, Jane,OU=Staff,DC=corp,DC=example`), `Doe, Jane`)
	eq(memberName(`CN=alice,CN=Users,DC=corp`), `alice`)
	eq(memberName(`-`), ``)
	eq(canonicalChannel("security"), "Security")
	eq(canonicalChannel("microsoft-windows-sysmon/operational"), chSysmon)
	eq(canonicalChannel("Custom/Log"), "Custom/Log")
	eq(ingest.ShortHostName("WORKSTATION6.theshire.local"), "WORKSTATION6")
	eq(ingest.ShortHostName("10.0.0.1"), "10.0.0.1")
	eq(unmap("::ffff:172.18.39.6"), "172.18.39.6")
	d, n := splitAccount(`NT AUTHORITY\SYSTEM`)
	eq(d+"|"+n, "NT AUTHORITY|SYSTEM")
	d, n = splitAccount("alice")
	eq(d+"|"+n, "|alice")
	if ingest.DeviceID("WORKSTATION6") != ingest.DeviceID("workstation6.theshire.local") || len(ingest.DeviceID("x")) != 40 {
		t.Error("DeviceID is not stable across short and full names")
	}
}

func TestIPType(t *testing.T) {
	f := func(ip, want string) {
		t.Helper()
		if got := ingest.IPTypeAddr(netip.MustParseAddr(ip)); got != want {
			t.Errorf("ipType(%s) = %s, want %s", ip, got, want)
		}
	}
	f("10.1.2.3", "Private")
	f("192.168.2.5", "Private")
	f("8.8.8.8", "Public")
	f("127.0.0.1", "Loopback")
	f("::1", "Loopback")
	f("::ffff:10.0.0.1", "FourToSixMapping")
	f("255.255.255.255", "Broadcast")
	f("2001:0:4136:e378::1", "Teredo")
	f("fe80::1", "Reserved")
	f("0.0.0.0", "Reserved")
	f("224.0.0.251", "Reserved")
	f("2a00:1450::1", "Public")
	txt, _, ok := parseIP("fe80:0:0:0:90e:17af:263c:5209")
	if !ok || txt != "fe80::90e:17af:263c:5209" {
		t.Errorf("parseIP = %q %v", txt, ok)
	}
}

func TestDCName(t *testing.T) {
	for name, want := range map[string]bool{
		"MORDORDC.theshire.local": true, "DC01": true, "dc-2.corp": true, "DC_TEST2k12.TEST.SAAS": true,
		"corp-dc03": true, "WORKSTATION5": false, "ADFS01.simulandlabs.com": false, "PRD01": false, "dcache01": false,
	} {
		if got := dcNamePattern(name); got != want {
			t.Errorf("dcNamePattern(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestJSONString(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := string(jsonenc.AppendString(nil, in)); got != want {
			t.Errorf("jsonenc.AppendString(%q) = %s, want %s", in, got, want)
		}
	}
	f(`a"b\c`, `"a\"b\\c"`)
	f("\x00\x1f\n\t", `"\u0000\u001f\n\t"`)
	f("\xff", `"\ufffd"`)
	f("é\u2028", `"é\u2028"`)
}
