package eval

import (
	"encoding/json"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// parseIPv4Prefix reads "a.b.c.d" or "a.b.c.d/n" as an address and its
// prefix length (32 when none is written).
func parseIPv4Prefix(s string) (netip.Addr, int, bool) {
	s = strings.TrimSpace(s)
	bits := 32
	if i := strings.IndexByte(s, '/'); i >= 0 {
		n, err := strconv.Atoi(s[i+1:])
		if err != nil || n < 0 || n > 32 {
			return netip.Addr{}, 0, false
		}
		bits, s = n, s[:i]
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return netip.Addr{}, 0, false
	}
	return a, bits, true
}

func ipv4InRange(ip netip.Addr, rng string) (bool, bool) {
	a, bits, ok := parseIPv4Prefix(rng)
	if !ok {
		return false, false
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return false, false
	}
	return p.Contains(ip), true
}

func init() {
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		if len(a) < 2 {
			k.failf(x.Pos(), "ipv4_is_in_any_range needs an address and ranges")
		}
		ipf := asStr(a[0]).f
		type rangeArg struct {
			f   fn
			dyn bool
		}
		var ranges []rangeArg
		for _, r := range a[1:] {
			if isDyn(r.t) {
				ranges = append(ranges, rangeArg{r.f, true})
			} else {
				ranges = append(ranges, rangeArg{asStr(r).f, false})
			}
		}
		return derive(func(c *ctx) any {
			ip, ok := parseIPv4(ipf(c).(string))
			if !ok {
				return nil
			}
			for _, r := range ranges {
				var texts []string
				if r.dyn {
					for _, el := range dynArray(r.f(c)) {
						texts = append(texts, dynText(dynNorm(el)))
					}
				} else {
					texts = []string{r.f(c).(string)}
				}
				for _, t := range texts {
					in, ok := ipv4InRange(ip, t)
					if !ok {
						return nil
					}
					if in {
						return true
					}
				}
			}
			return false
		}, schema.Bool, a...)
	}, "ipv4_is_in_any_range")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 2, 3)
		f1, f2 := asStr(a[0]).f, asStr(a[1]).f
		var fp fn
		if len(a) == 3 {
			fp = coerceTo(a[2], schema.Long).f
		}
		return derive(func(c *ctx) any {
			a1, b1, ok1 := parseIPv4Prefix(f1(c).(string))
			a2, b2, ok2 := parseIPv4Prefix(f2(c).(string))
			if !ok1 || !ok2 {
				return nil
			}
			bits := min(b1, b2)
			if fp != nil {
				n, ok := fp(c).(int64)
				if !ok || n < 0 || n > 32 {
					return nil
				}
				bits = min(bits, int(n))
			}
			p1, _ := a1.Prefix(bits)
			p2, _ := a2.Prefix(bits)
			return p1 == p2
		}, schema.Bool, a...)
	}, "ipv4_is_match")
	reg(str1(func(s string) any { return regexp.QuoteMeta(s) }, schema.String), "regex_quote")
	reg(str1(func(s string) any { return isASCII(s) }, schema.Bool), "isascii")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 3, 3)
		arr, fs, fe := a[0].f, coerceTo(a[1], schema.Long).f, coerceTo(a[2], schema.Long).f
		return derive(func(c *ctx) any {
			b, ok := arr(c).(json.RawMessage)
			if !ok {
				return nil
			}
			els, ok := dynElems(b)
			if !ok {
				return nil
			}
			s, ok1 := fs(c).(int64)
			e, ok2 := fe(c).(int64)
			if !ok1 || !ok2 {
				return nil
			}
			n := int64(len(els))
			if s < 0 {
				s += n
			}
			if e < 0 {
				e += n
			}
			s = max(s, 0)
			e = min(e, n-1)
			var out strings.Builder
			out.WriteByte('[')
			for i := s; i <= e; i++ {
				if i > s {
					out.WriteByte(',')
				}
				out.Write(els[i])
			}
			out.WriteByte(']')
			return json.RawMessage(out.String())
		}, schema.Dynamic, a...)
	}, "array_slice")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		return unary(a[0], schema.Dynamic, func(v any) any {
			b, ok := v.(json.RawMessage)
			if !ok {
				return nil
			}
			els, ok := dynElems(b)
			if !ok {
				return nil
			}
			var out strings.Builder
			out.WriteByte('[')
			for i := len(els) - 1; i >= 0; i-- {
				if i < len(els)-1 {
					out.WriteByte(',')
				}
				out.Write(els[i])
			}
			out.WriteByte(']')
			return json.RawMessage(out.String())
		})
	}, "array_reverse")
}
