package syslog

import (
	"encoding/binary"
	"hash/fnv"
	"net/netip"
	"strings"

	"github.com/vigilsec/vigil/internal/ingest"
)

// reportID derives a row's ReportId from where the record came from, its
// bytes and the row's index: replaying a file yields the same ids, while
// two identical messages received one after the other (different Line)
// do not collide. 63 bits keep it positive in a long.
func reportID(in *ingest.Input, row int) int64 {
	h := fnv.New64a()
	h.Write([]byte(in.Source))
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(in.Line))
	binary.LittleEndian.PutUint64(b[8:], uint64(row))
	h.Write(b[:])
	h.Write(in.Data)
	return int64(h.Sum64() & (1<<63 - 1))
}

// splitAccount splits DOMAIN\user.
func splitAccount(s string) (domain, name string) {
	if d, n, ok := strings.Cut(s, `\`); ok && d != "" && n != "" {
		return d, n
	}
	return "", s
}

var (
	teredo    = netip.MustParsePrefix("2001::/32")
	reserved4 = []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),
		netip.MustParsePrefix("100.64.0.0/10"),
		netip.MustParsePrefix("192.0.0.0/24"),
		netip.MustParsePrefix("192.0.2.0/24"),
		netip.MustParsePrefix("198.18.0.0/15"),
		netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24"),
		netip.MustParsePrefix("240.0.0.0/4"),
	}
	reserved6 = []netip.Prefix{
		netip.MustParsePrefix("2001:db8::/32"),
		netip.MustParsePrefix("64:ff9b::/96"),
		netip.MustParsePrefix("100::/64"),
	}
)

// ipType classifies an address with Defender's RemoteIPType values:
// Public, Private, Reserved, Loopback, Teredo, FourToSixMapping,
// Broadcast; "" when the text is not an address.
func ipType(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	switch {
	case a.Is4In6():
		return "FourToSixMapping"
	case a.IsLoopback():
		return "Loopback"
	case a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "Broadcast"
	case a.IsPrivate():
		return "Private"
	case a.Is6() && teredo.Contains(a):
		return "Teredo"
	case a.IsUnspecified(), a.IsLinkLocalUnicast(), a.IsMulticast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		return "Reserved"
	}
	list := reserved4
	if a.Is6() {
		list = reserved6
	}
	for _, p := range list {
		if p.Contains(a) {
			return "Reserved"
		}
	}
	return "Public"
}
