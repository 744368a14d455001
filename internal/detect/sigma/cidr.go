package sigma

import (
	"fmt"
	"net/netip"
	"strings"
)

// cidrPredicate returns the KQL test of an address column against a
// network. IPv4 uses ipv4_is_in_range. The evaluator has no IPv6 range
// function, so an IPv6 network is matched on the canonical text the
// normalizer stores: the full address for /128, otherwise a regular
// expression over the leading groups the prefix fixes. That needs those
// groups to be printed with four digits (a group whose first digit the
// prefix fixes as non-zero), so that zero compression cannot shorten them.
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
	if bits == 0 {
		return func(col string) expr { return atom(col + ` contains ":"`) }, nil
	}
	a := p.Addr().As16()
	var re strings.Builder
	re.WriteString("(?i)^")
	for g := 0; g*16 < bits; g++ {
		group := uint16(a[2*g])<<8 | uint16(a[2*g+1])
		gbits := min(16, bits-16*g)
		lo, hi := group, group|uint16(1<<(16-gbits)-1)
		if g > 0 {
			re.WriteString(":")
		}
		if lo == 0 {
			if gbits == 16 && bits == 16*(g+1) {
				re.WriteString("(?:0)?") // "...:0:..." or "...::..."
				break
			}
			if gbits == 16 {
				return nil, fmt.Errorf("IPv6 network %s: a zero group inside the prefix may be compressed away", s)
			}
			// The last group, whose fixed bits are zero: printed without
			// leading zeros, or compressed away ("2603:1006::").
			fmt.Fprintf(&re, "(?:[0-9a-f]{1,%d})?", (16-gbits+3)/4)
			break
		}
		n := len(fmt.Sprintf("%x", hi))
		if len(fmt.Sprintf("%x", lo)) != n {
			return nil, fmt.Errorf("IPv6 network %s: its groups print with varying lengths", s)
		}
		for d := 4 - n; d < 4; d++ {
			digit := (group >> (12 - 4*d)) & 0xf
			fixed := gbits - 4*d // bits of this digit fixed by the prefix
			switch {
			case fixed >= 4:
				fmt.Fprintf(&re, "%x", digit)
			case fixed <= 0:
				re.WriteString("[0-9a-f]")
			default:
				dlo := digit &^ (1<<(4-fixed) - 1)
				dhi := dlo | (1<<(4-fixed) - 1)
				re.WriteString("[")
				for v := dlo; v <= dhi; v++ {
					fmt.Fprintf(&re, "%x", v)
				}
				re.WriteString("]")
			}
		}
	}
	re.WriteString(":")
	lit := quote(re.String())
	return func(col string) expr { return atom(col + " matches regex " + lit) }, nil
}
