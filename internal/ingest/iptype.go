package ingest

import "net/netip"

// IPType classifies an address with Defender's RemoteIPType/LocalIPType
// values: Public, Private, Reserved, Loopback, Teredo, FourToSixMapping,
// Broadcast. Link-local, multicast, unspecified and the special-purpose
// ranges (shared address space, documentation, benchmarking, future use)
// are Reserved, since Defender has no other word for them and queries
// compare against these. Text that is not an IP address gives "".
func IPType(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	return IPTypeAddr(a)
}

// IPTypeAddr is IPType for a parsed address.
func IPTypeAddr(a netip.Addr) string {
	switch {
	case a.Is4In6():
		return "FourToSixMapping"
	case a.IsLoopback():
		return "Loopback"
	case a.Is4() && a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "Broadcast"
	case a.Is6() && teredo.Contains(a):
		return "Teredo"
	case a.IsPrivate():
		return "Private"
	case a.IsUnspecified(), a.IsLinkLocalUnicast(), a.IsMulticast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		return "Reserved"
	}
	for _, p := range reservedRanges {
		if p.Contains(a) {
			return "Reserved"
		}
	}
	return "Public"
}

var teredo = netip.MustParsePrefix("2001::/32")

// reservedRanges are neither private nor routable on the internet.
var reservedRanges = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("64:ff9b::/96"),
}
