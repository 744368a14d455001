package ingest

import "testing"

func TestIPType(t *testing.T) {
	f := func(ip, want string) {
		t.Helper()
		if got := IPType(ip); got != want {
			t.Errorf("IPType(%q) = %q, want %q", ip, got, want)
		}
	}
	f("8.8.8.8", "Public")
	f("10.1.2.3", "Private")
	f("172.16.0.1", "Private")
	f("172.32.0.1", "Public")
	f("192.168.1.1", "Private")
	f("127.0.0.1", "Loopback")
	f("::1", "Loopback")
	f("169.254.10.1", "Reserved")
	f("fe80::1", "Reserved")
	f("224.0.0.251", "Reserved")
	f("ff02::1", "Reserved")
	f("255.255.255.255", "Broadcast")
	f("0.0.0.0", "Reserved")
	f("100.64.1.1", "Reserved")
	f("192.0.2.7", "Reserved")
	f("2001:0:4136:e378::1", "Teredo")
	f("::ffff:10.0.0.1", "FourToSixMapping")
	f("fd00::1", "Private")
	f("2a00:1450::1", "Public")
	f("not an ip", "")
	f("", "")
}
