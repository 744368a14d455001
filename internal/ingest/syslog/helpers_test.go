package syslog

import (
	"net"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/ingest"
)

func TestIPType(t *testing.T) {
	for in, want := range map[string]string{
		"89.160.20.156":    "Public",
		"2a00:1450::1":     "Public",
		"10.1.2.3":         "Private",
		"172.16.0.1":       "Private",
		"192.168.1.1":      "Private",
		"fd00::1":          "Private",
		"127.0.0.1":        "Loopback",
		"::1":              "Loopback",
		"255.255.255.255":  "Broadcast",
		"::ffff:10.0.0.1":  "FourToSixMapping",
		"2001:0:4136::1":   "Teredo",
		"169.254.1.1":      "Reserved",
		"fe80::1":          "Reserved",
		"0.0.0.0":          "Reserved",
		"100.64.0.1":       "Reserved",
		"192.0.2.1":        "Reserved",
		"224.0.0.251":      "Reserved",
		"2001:db8::1":      "Reserved",
		"not an address":   "",
		"scanner.example.": "",
	} {
		if got := ingest.IPType(in); got != want {
			t.Errorf("ipType(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDeviceIDAndAccounts(t *testing.T) {
	if a, b := ingest.DeviceID("Bastion"), ingest.DeviceID("bastion.corp.example"); a != b || len(a) != 40 {
		t.Errorf("DeviceID: %s %s", a, b)
	}
	for in, want := range map[string][2]string{
		`CORP\alice`: {"CORP", "alice"},
		`alice`:      {"", "alice"},
		`\alice`:     {"", `\alice`},
		`CORP\`:      {"", `CORP\`},
		`a@b.com`:    {"", "a@b.com"},
	} {
		if d, n := splitAccount(in); d != want[0] || n != want[1] {
			t.Errorf("splitAccount(%q) = %q %q", in, d, n)
		}
	}
}

func TestSourcePeer(t *testing.T) {
	f := func(transport string, peer net.Addr, wantSource, wantIP string) {
		t.Helper()
		src := Source(transport, peer)
		if src != wantSource {
			t.Errorf("Source = %q, want %q", src, wantSource)
		}
		tr, ap, ok := Peer(src)
		if wantIP == "" {
			if ok {
				t.Errorf("Peer(%q) = %v", src, ap)
			}
			return
		}
		if !ok || tr != transport || ap.Addr().String() != wantIP {
			t.Errorf("Peer(%q) = %q %v %v", src, tr, ap, ok)
		}
	}
	f("udp", &net.UDPAddr{IP: net.ParseIP("10.0.0.5"), Port: 514}, "syslog/udp 10.0.0.5:514", "10.0.0.5")
	f("tcp", &net.TCPAddr{IP: net.ParseIP("::ffff:10.0.0.6"), Port: 40000}, "syslog/tcp 10.0.0.6:40000", "10.0.0.6")
	f("tls", &net.TCPAddr{IP: net.ParseIP("2001:db8::7"), Port: 6514}, "syslog/tls [2001:db8::7]:6514", "2001:db8::7")
	f("udp", nil, "syslog/udp ", "")
	for _, s := range []string{"/var/log/syslog", "syslog/udp", "syslog/udp host:514", "-"} {
		if _, _, ok := Peer(s); ok {
			t.Errorf("Peer(%q) ok", s)
		}
	}
}

func TestCEFTime(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	f := func(in string, loc *time.Location, want string) {
		t.Helper()
		got, ok := cefTime(in, goldenNow, loc)
		switch {
		case want == "" && ok:
			t.Errorf("cefTime(%q) = %v, want no time", in, got)
		case want != "" && (!ok || got.Format(time.RFC3339Nano) != want):
			t.Errorf("cefTime(%q) = %v %v, want %s", in, got, ok, want)
		}
	}
	f("1718452742000", nil, "2024-06-15T11:59:02Z")
	f("1718452742", nil, "2024-06-15T11:59:02Z")
	f("Jun 15 2024 11:58:59", nil, "2024-06-15T11:58:59Z")
	f("Jun 15 2024 11:58:59", berlin, "2024-06-15T09:58:59Z")
	f("Jun 15 2024 11:58:59.250 GMT", berlin, "2024-06-15T11:58:59.25Z")
	f("Jun 15 2024 11:58:59 UTC", berlin, "2024-06-15T11:58:59Z")
	f("Jun 15 2024 11:58:59 +0200", nil, "2024-06-15T09:58:59Z")
	f("Jun 15 2024 11:58:59 -05:30", nil, "2024-06-15T17:28:59Z")
	f("Jun 15 2024 11:58:59 Europe/Berlin", nil, "2024-06-15T09:58:59Z")
	f("Jun 15 11:58:59", nil, "2024-06-15T11:58:59Z")
	f("Dec 31 23:00:00", nil, "2023-12-31T23:00:00Z")
	f("2024-06-15T11:58:59.5Z", nil, "2024-06-15T11:58:59.5Z")
	f("2024-06-15 11:58:59", berlin, "2024-06-15T09:58:59Z")
	f("2024-06-15T11:58:59+02:00", nil, "2024-06-15T09:58:59Z")
	// Ambiguous or unknown zones and junk are not read.
	f("Jun 15 2024 11:58:59 PST", nil, "")
	f("Jun 15 2024 11:58:59 Mars/Olympus", nil, "")
	f("Jun 15 2024 11:58:59 ../../etc/x", nil, "")
	f("*Jun 15 2024 11:58:59", nil, "")
	f("yesterday", nil, "")
	f("", nil, "")
}
