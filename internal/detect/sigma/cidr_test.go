package sigma

import (
	"net/netip"
	"regexp"
	"strings"
	"testing"
)

func TestCIDR(t *testing.T) {
	for _, tc := range []struct {
		cidr   string
		in     []string
		out    []string
		errors bool
	}{
		{cidr: "10.0.0.0/8", in: []string{}},
		{cidr: "fe80::/10", in: []string{"fe80::1", "febf:1::2"}, out: []string{"fec0::1", "fe7f::1", "::1"}},
		{cidr: "fc00::/7", in: []string{"fc00::1", "fdff:ab::"}, out: []string{"fe00::1", "fbff::1"}},
		{cidr: "2603:1006::/40", in: []string{"2603:1006::1", "2603:1006:ff:1::", "2603:1006:1:2::3"}, out: []string{"2603:1006:100::", "2603:1007::1"}},
		{cidr: "::1/128", in: []string{"::1"}, out: []string{"::2"}},
		{cidr: "::/8", in: []string{"::1", "ff::1"}, out: []string{"100::1"}},
		{cidr: "2620:1ec:8f0::/46", in: []string{"2620:1ec:8f3:1::", "2620:1ec:8f0::"}, out: []string{"2620:1ec:8f4::", "2620:1ec:8f::"}},
		{cidr: "2001:0:5::/48", errors: true},
		{cidr: "2603:1017::/48", in: []string{"2603:1017::1", "2603:1017:0:5::"}, out: []string{"2603:1017:1::"}},
		{cidr: "not-a-net", errors: true},
	} {
		f, err := cidrPredicate(tc.cidr)
		if tc.errors {
			if err == nil {
				t.Errorf("%s: no error", tc.cidr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.cidr, err)
			continue
		}
		text := string(f("C").(atom))
		if strings.HasPrefix(text, "ipv4_is_in_range") {
			continue
		}
		match := func(addr string) bool {
			if lit, ok := strings.CutPrefix(text, "C =~ "); ok {
				return strings.EqualFold(strings.Trim(lit, `"`), addr)
			}
			re := regexp.MustCompile(strings.Trim(strings.TrimPrefix(text, "C matches regex "), `"`))
			return re.MatchString(addr)
		}
		for _, a := range tc.in {
			if !match(netip.MustParseAddr(a).String()) {
				t.Errorf("%s: %s (%s) should match", tc.cidr, a, text)
			}
		}
		for _, a := range tc.out {
			if match(netip.MustParseAddr(a).String()) {
				t.Errorf("%s: %s (%s) should not match", tc.cidr, a, text)
			}
		}
	}
}
