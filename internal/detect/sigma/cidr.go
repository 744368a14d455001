package sigma

import (
	"fmt"
	"net/netip"
	"strings"
)

// cidrPredicate returns the KQL test of an address column against a
// network. IPv4 uses ipv4_is_in_range. The evaluator has no IPv6 range
// function, so an IPv6 network is matched on the canonical text the
// normalizer stores: the full address for /128, and for a prefix within
// the first group (fe80::/10, fc00::/7: Sigma's private ranges), a regular
// expression over the first group's hex digits.
func cidrPredicate(s string) (func(col string) expr, error) {
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%q is not a network in CIDR notation", s)
	}
	p = p.Masked()
	if p.Addr().Is4() {
		lit := quote(p.String())
		return func(col string) expr { return atom("ipv4_is_in_range(" + col + ", " + lit + ")") }, nil
	}
	bits := p.Bits()
	if bits == 128 {
		lit := quote(p.Addr().String())
		return func(col string) expr { return atom(col + " =~ " + lit) }, nil
	}
	a := p.Addr().As16()
	first := uint16(a[0])<<8 | uint16(a[1])
	if bits > 16 || bits < 4 || first>>12 == 0 {
		return nil, fmt.Errorf("IPv6 network %s: only /128 and prefixes within a first group that starts with a non-zero digit are supported", s)
	}
	var re strings.Builder
	re.WriteString("(?i)^")
	for d := 0; d < 4; d++ {
		digit := (first >> (12 - 4*d)) & 0xf
		fixed := bits - 4*d // bits of this digit fixed by the prefix
		switch {
		case fixed >= 4:
			fmt.Fprintf(&re, "%x", digit)
		case fixed <= 0:
			re.WriteString("[0-9a-f]")
		default:
			lo := digit &^ (1<<(4-fixed) - 1)
			hi := lo | (1<<(4-fixed) - 1)
			re.WriteString("[")
			for v := lo; v <= hi; v++ {
				fmt.Fprintf(&re, "%x", v)
			}
			re.WriteString("]")
		}
	}
	re.WriteString(":")
	lit := quote(re.String())
	return func(col string) expr { return atom(col + " matches regex " + lit) }, nil
}
