package ingest

import "testing"

func TestSplitAccount(t *testing.T) {
	for _, c := range []struct {
		in                 string
		name, domain       string // SplitAccount
		upnName, upnDomain string // SplitUPN
	}{
		{`XDR\bob`, "bob", "XDR", "bob", "XDR"},
		{"bob@xdr.test", "bob", "xdr.test", "bob", "xdr.test"},
		{"bob", "bob", "", "bob", ""},
		{"", "", "", "", ""},
		{`\bob`, "bob", "", "bob", ""},
		{`XDR\`, "", "XDR", "", "XDR"},
		{`a\b\c`, `b\c`, "a", `b\c`, "a"},
		{"a@b@c", "a@b", "c", "a@b", "c"},
		{"@xdr.test", "@xdr.test", "", "@xdr.test", ""},
		{"bob@", "bob", "", "bob", ""},
		// Both forms: SplitAccount cuts at the backslash, SplitUPN at the "@".
		{`XDR\bob@xdr.test`, "bob@xdr.test", "XDR", `XDR\bob`, "xdr.test"},
		{`bob@xdr.test\x`, `x`, "bob@xdr.test", "bob", `xdr.test\x`},
	} {
		if n, d := SplitAccount(c.in); n != c.name || d != c.domain {
			t.Errorf("SplitAccount(%q) = %q, %q, want %q, %q", c.in, n, d, c.name, c.domain)
		}
		if n, d := SplitUPN(c.in); n != c.upnName || d != c.upnDomain {
			t.Errorf("SplitUPN(%q) = %q, %q, want %q, %q", c.in, n, d, c.upnName, c.upnDomain)
		}
	}
}
