package samba

import (
	"net/netip"
	"strconv"
	"strings"
)

// address is a Samba tsocket address: "ipv4:1.2.3.4:389",
// "ipv6:[fe80::1]:88" or "ipv6:fe80::1:88", "unix:/path".
type address struct {
	ip   string
	port int32
	raw  string
}

func parseAddress(s string) address {
	a := address{raw: s}
	rest, ok := "", false
	for _, p := range []string{"ipv4:", "ipv6:", "ip:"} {
		if r, found := strings.CutPrefix(s, p); found {
			rest, ok = r, true
			break
		}
	}
	if !ok {
		return a
	}
	if ap, err := netip.ParseAddrPort(rest); err == nil {
		a.ip, a.port = ap.Addr().Unmap().String(), int32(ap.Port())
		return a
	}
	// Samba writes IPv6 without brackets, the port after the last colon.
	if i := strings.LastIndexByte(rest, ':'); i > 0 {
		if addr, err := netip.ParseAddr(rest[:i]); err == nil {
			if p, err := strconv.ParseUint(rest[i+1:], 10, 16); err == nil {
				a.ip, a.port = addr.Unmap().String(), int32(p)
				return a
			}
		}
	}
	if addr, err := netip.ParseAddr(strings.Trim(rest, "[]")); err == nil {
		a.ip = addr.Unmap().String()
	}
	return a
}

// firstRDN returns the value of a DN's first component:
// "CN=bob Test,CN=Users,DC=xdr,DC=test" -> "bob Test". Escaped commas
// and other escapes are undone.
func firstRDN(dn string) string {
	var b strings.Builder
	i := strings.IndexByte(dn, '=')
	if i < 0 {
		return ""
	}
	for j := i + 1; j < len(dn); j++ {
		c := dn[j]
		if c == '\\' && j+1 < len(dn) {
			// \XX hex pair or \, \+ \" ...
			if j+2 < len(dn) && isHex(dn[j+1]) && isHex(dn[j+2]) {
				v, _ := strconv.ParseUint(dn[j+1:j+3], 16, 8)
				b.WriteByte(byte(v))
				j += 2
				continue
			}
			b.WriteByte(dn[j+1])
			j++
			continue
		}
		if c == ',' || c == '+' {
			break
		}
		b.WriteByte(c)
	}
	return strings.TrimSpace(b.String())
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
