package enrich

import (
	"net/netip"

	"github.com/vigilsec/vigil/internal/ingest"
)

// IPType classifies an address with Defender's names (Public, Private,
// Reserved, Loopback, Teredo, FourToSixMapping, Broadcast) and LinkLocal
// and Multicast for the classes it has no name for. Text that is not an IP
// address gives "".
func IPType(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	if a.Is4In6() {
		return "FourToSixMapping"
	}
	switch {
	case a.IsLoopback():
		return "Loopback"
	case a.IsLinkLocalUnicast():
		return "LinkLocal"
	case a.IsMulticast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		return "Multicast"
	case a.Is4() && a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "Broadcast"
	case a.IsPrivate():
		return "Private"
	case a.IsUnspecified():
		return "Reserved"
	}
	for _, p := range reserved {
		if p.Contains(a) {
			if p == teredo {
				return "Teredo"
			}
			return "Reserved"
		}
	}
	return "Public"
}

var teredo = netip.MustParsePrefix("2001::/32")

// reserved are ranges that are neither private nor routable on the
// internet: shared address space, documentation, benchmarking, future use,
// 6to4 relays, and Teredo (named on its own by Defender).
var reserved = []netip.Prefix{
	teredo,
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
}

// IPClasses fills the *IPType columns from their IP columns.
type IPClasses struct{}

var ipPairs = [][2]string{{"LocalIP", "LocalIPType"}, {"RemoteIP", "RemoteIPType"}}

func (IPClasses) Enrich(rows *ingest.RowSet) {
	for _, r := range rows.Rows() {
		for _, pair := range ipPairs {
			_, ii, ok1 := r.Table.Column(pair[0])
			_, ti, ok2 := r.Table.Column(pair[1])
			if !ok1 || !ok2 || r.Values[ti] != nil {
				continue
			}
			if ip, ok := r.Values[ii].(string); ok {
				if t := IPType(ip); t != "" {
					r.Values[ti] = t
				}
			}
		}
	}
}

var _ ingest.Enricher = IPClasses{}
