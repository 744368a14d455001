package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// IPv4 and IPv6 functions. An address is parsed in SQL into a struct:
// IPv4 {ip BIGINT, p INTEGER} (the address as a number and its prefix
// length, 32 without a /suffix), IPv6 {g BIGINT[8], p INTEGER} (eight
// 16-bit groups). Text that is not an address parses to NULL.

const ipv4Pattern = `^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(/(\d{1,2}))?$`

// ipv4Of parses an IPv4 address text, with an optional /prefix.
func ipv4Of(s string) string {
	return bind("regexp_extract(trim("+s+"), '"+ipv4Pattern+"', ['a', 'b', 'c', 'd', 'x', 'm'])", func(m string) string {
		oct := func(f string) string { return "CAST(" + m + "." + f + " AS BIGINT)" }
		bad := "(" + oct("a") + " > 255 OR " + oct("b") + " > 255 OR " + oct("c") + " > 255 OR " + oct("d") + " > 255 OR (" + m + ".m <> '' AND CAST(" + m + ".m AS INTEGER) > 32))"
		return "(CASE WHEN " + m + " IS NULL OR " + m + ".a = '' THEN NULL WHEN " + bad + " THEN NULL ELSE {'ip': " +
			oct("a") + " * 16777216 + " + oct("b") + " * 65536 + " + oct("c") + " * 256 + " + oct("d") +
			", 'p': CASE WHEN " + m + ".m = '' THEN 32 ELSE CAST(" + m + ".m AS INTEGER) END} END)"
	})
}

// ipv4Arg parses an argument: a string, or a long holding the address.
func (g *gen) ipv4Arg(a arg) string {
	if isInteger(a.typ) {
		v := "CAST(" + a.sql + " AS BIGINT)"
		return "(CASE WHEN " + v + " BETWEEN 0 AND 4294967295 THEN {'ip': " + v + ", 'p': 32} END)"
	}
	return ipv4Of(g.asString(a))
}

// mask4 keeps the first p bits of a 32-bit address.
func mask4(ip, p string) string {
	return "((" + ip + " >> (32 - " + p + ")) << (32 - " + p + "))"
}

// ipv4Text formats a 32-bit address as dotted text.
func ipv4Text(ip string) string {
	return "(CAST((" + ip + " >> 24) & 255 AS VARCHAR) || '.' || CAST((" + ip + " >> 16) & 255 AS VARCHAR) || '.' || CAST((" + ip + " >> 8) & 255 AS VARCHAR) || '.' || CAST(" + ip + " & 255 AS VARCHAR))"
}

// prefixArg is an explicit prefix length argument, or the default.
func (g *gen) prefixArg(a []arg, i int, def string) string {
	if i < len(a) {
		return "CAST(" + g.asType(a[i], schema.Long) + " AS INTEGER)"
	}
	return def
}

// ipv4Match compares two parsed addresses on the shortest of their
// prefixes and p; it returns the SQL of (x, y, p) -> sign.
func ipv4Cmp(x, y, p string) string {
	q := "least(" + x + ".p, " + y + ".p, " + p + ")"
	return "sign(" + mask4(x+".ip", q) + " - " + mask4(y+".ip", q) + ")"
}

// ipv4InRange: ip is in range when they agree on the range's prefix.
func ipv4InRange(ip, rng string) string {
	return bind(ip, func(x string) string {
		return bind(rng, func(r string) string {
			q := "least(" + x + ".p, " + r + ".p)"
			return "(" + mask4(x+".ip", q) + " = " + mask4(r+".ip", q) + ")"
		})
	})
}

// ipv6Of parses an IPv6 (or IPv4) address text, with an optional
// /prefix. An IPv4 address maps to ::ffff:a.b.c.d; a prefix written
// after IPv4 notation counts in the IPv4 bits.
func ipv6Of(s string) string {
	return bind("regexp_extract(trim("+s+"), '^([^/]*)(/(\\d{1,3}))?$', ['a', 'x', 'p'])", func(m string) string {
		addr := m + ".a"
		tail := "regexp_extract(" + addr + ", '(\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3})$', 1)"
		return bind(tail, func(t string) string {
			v4 := ipv4Of(t)
			return bind(v4, func(v string) string {
				hex := func(x string) string { return "lower(hex(" + x + "))" }
				groups4 := hex("("+v+".ip >> 16)") + " || ':' || " + hex("("+v+".ip & 65535)")
				full := "(CASE WHEN " + t + " = '' THEN " + addr + " WHEN " + t + " = " + addr + " OR '::' || " + t + " = " + addr + " THEN '::ffff:' || " + groups4 +
					" ELSE left(" + addr + ", length(" + addr + ") - length(" + t + ")) || " + groups4 + " END)"
				return bind(full, func(f string) string {
					side := func(x string) string {
						return "(CASE WHEN " + x + " = '' THEN CAST([] AS VARCHAR[]) ELSE string_split(" + x + ", ':') END)"
					}
					l, r := side("split_part("+f+", '::', 1)"), side("split_part("+f+", '::', 2)")
					z := lambdaVar()
					expanded := "(CASE WHEN strpos(" + f + ", '::') > 0 THEN list_concat(list_concat(" + l + ", list_transform(range(greatest(8 - len(" + l + ") - len(" + r + "), 0)), " + z + " -> '0')), " + r + ") ELSE string_split(" + f + ", ':') END)"
					return bind(expanded, func(gs string) string {
						h := lambdaVar()
						ok := "len(" + gs + ") = 8 AND list_bool_and(list_transform(" + gs + ", " + h + " -> regexp_matches(" + h + ", '^[0-9a-fA-F]{1,4}$'))) AND (" + t + " = '' OR " + v + " IS NOT NULL) AND length(" + f + ") - length(replace(" + f + ", '::', '')) <= 2"
						pfx := "(CASE WHEN " + m + ".p = '' THEN 128 WHEN " + t + " <> '' THEN CAST(" + m + ".p AS INTEGER) + 96 ELSE CAST(" + m + ".p AS INTEGER) END)"
						val := "{'g': list_transform(" + gs + ", " + h + " -> CAST(CAST('0x' || " + h + " AS INTEGER) AS BIGINT)), 'p': " + pfx + "}"
						return "(CASE WHEN " + m + " IS NULL OR " + m + ".a = '' OR NOT (" + ok + ") OR " + pfx + " > 128 THEN NULL ELSE " + val + " END)"
					})
				})
			})
		})
	})
}

// mask6 keeps the first p bits of eight 16-bit groups.
func mask6(gs, p string) string {
	i := lambdaVar()
	keep := "least(greatest(" + p + " - 16 * " + i + ", 0), 16)"
	return "list_transform(range(8), " + i + " -> " + gs + "[" + i + " + 1] & ((CAST(65535 AS BIGINT) << (16 - " + keep + ")) & 65535))"
}

// ipv6Text formats eight groups in Kusto's full form.
func ipv6Text(gs string) string {
	x := lambdaVar()
	return "array_to_string(list_transform(" + gs + ", " + x + " -> lpad(lower(hex(" + x + ")), 4, '0')), ':')"
}

// ipv6Cmp compares two parsed addresses on the shortest prefix.
func ipv6Cmp(x, y, p string) string {
	q := "least(" + x + ".p, " + y + ".p, " + p + ")"
	return bind(q, func(qv string) string {
		a, b := mask6(x+".g", qv), mask6(y+".g", qv)
		return "(CASE WHEN " + a + " < " + b + " THEN -1 WHEN " + a + " > " + b + " THEN 1 ELSE 0 END)"
	})
}

// rangeList is the ranges of ipv*_is_in_any_range: string arguments and
// the strings of array arguments, as one VARCHAR[].
func (g *gen) rangeList(a []arg) string {
	var parts []string
	for _, v := range a {
		if v.typ == schema.Dynamic || v.typ == schema.Invalid {
			s := v.sql
			e := lambdaVar()
			parts = append(parts, "(CASE WHEN json_type("+s+") = 'ARRAY' THEN list_transform(CAST("+s+" AS JSON[]), "+e+" -> "+dynToString(e)+") ELSE ["+dynToString(s)+"] END)")
			continue
		}
		parts = append(parts, "["+g.asString(v)+"]")
	}
	out := parts[0]
	for _, p := range parts[1:] {
		out = "list_concat(" + out + ", " + p + ")"
	}
	return out
}

// ipv4Tokens is the valid IPv4 addresses written in a text, delimited
// by characters that are neither letters, digits nor dots.
func ipv4Tokens(text string) string {
	t := lambdaVar()
	all := "regexp_extract_all(" + text + ", '[0-9A-Za-z]+(\\.[0-9A-Za-z]+)*')"
	return "list_filter(" + all + ", " + t + " -> regexp_matches(" + t + ", '^\\d{1,3}(\\.\\d{1,3}){3}$') AND " + ipv4Of(t) + " IS NOT NULL)"
}

func init() {
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return bind(g.ipv4Arg(a[0]), func(v string) string { return mask4(v+".ip", v+".p") })
	}, "parse_ipv4")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		p := g.prefixArg(a, 1, "32")
		return bind(g.ipv4Arg(a[0]), func(v string) string {
			return "(CASE WHEN " + p + " BETWEEN 0 AND 32 THEN " + mask4(v+".ip", "least("+v+".p, "+p+")") + " END)"
		})
	}, "parse_ipv4_mask")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		return ipv4InRange(g.ipv4Arg(a[0]), g.ipv4Arg(a[1]))
	}, "ipv4_is_in_range")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		if len(a) < 2 {
			g.failf(x.Pos(), "ipv4_is_in_any_range needs an address and ranges")
		}
		r := lambdaVar()
		return bind(g.ipv4Arg(a[0]), func(ip string) string {
			return "(CASE WHEN " + ip + " IS NULL THEN NULL ELSE coalesce(list_bool_or(list_transform(" + g.rangeList(a[1:]) + ", " + r + " -> " + ipv4InRange(ip, ipv4Of(r)) + ")), false) END)"
		})
	}, "ipv4_is_in_any_range")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 3)
		p := g.prefixArg(a, 2, "32")
		return bind(g.ipv4Arg(a[0]), func(u string) string {
			return bind(g.ipv4Arg(a[1]), func(v string) string {
				return "(CASE WHEN " + p + " BETWEEN 0 AND 32 THEN " + ipv4Cmp(u, v, p) + " = 0 END)"
			})
		})
	}, "ipv4_is_match")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 3)
		p := g.prefixArg(a, 2, "32")
		return bind(g.ipv4Arg(a[0]), func(u string) string {
			return bind(g.ipv4Arg(a[1]), func(v string) string {
				return "(CASE WHEN " + p + " BETWEEN 0 AND 32 THEN CAST(" + ipv4Cmp(u, v, p) + " AS " + sqlType(g.typeOf(x)) + ") END)"
			})
		})
	}, "ipv4_compare")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return bind(g.ipv4Arg(a[0]), func(v string) string {
			in := func(net string, bits int) string {
				b := []string{"8", "12", "16"}[map[int]int{8: 0, 12: 1, 16: 2}[bits]]
				return mask4(v+".ip", b) + " = " + net
			}
			return "(CASE WHEN " + v + " IS NULL THEN NULL ELSE (" + in("167772160", 8) + " OR " + in("2886729728", 12) + " OR " + in("3232235520", 16) + ") END)"
		})
	}, "ipv4_is_private")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "CAST((" + ipv4Of(g.asString(a[0])) + ").p AS " + sqlType(g.typeOf(x)) + ")"
	}, "ipv4_netmask_suffix")
	format := func(withMask bool) scalarFunc {
		return func(g *gen, x *ast.CallExpr, a []arg) string {
			g.need(x, a, 1, 2)
			p := g.prefixArg(a, 1, "32")
			return bind(g.ipv4Arg(a[0]), func(v string) string {
				q := "least(" + v + ".p, " + p + ")"
				text := ipv4Text(mask4(v+".ip", q))
				if withMask {
					text += " || '/' || CAST(" + q + " AS VARCHAR)"
				}
				return "coalesce(CASE WHEN " + p + " BETWEEN 0 AND 32 THEN " + text + " END, '')"
			})
		}
	}
	registerT(format(false), "format_ipv4")
	registerT(format(true), "format_ipv4_mask")
	has := func(prefix bool) scalarFunc {
		return func(g *gen, x *ast.CallExpr, a []arg) string {
			if len(a) < 2 {
				g.failf(x.Pos(), "%s needs a text and addresses", callName(x))
			}
			t := lambdaVar()
			var test func(tok, want string) string
			if prefix {
				// A prefix is whole octets: "10.1." or a full address.
				test = func(tok, want string) string {
					return "((regexp_matches(" + want + ", '^(\\d{1,3}\\.){1,3}$') AND starts_with(" + tok + ", " + want + ")) OR " + tok + " = " + want + ")"
				}
			} else {
				test = func(tok, want string) string { return tok + " = " + want }
			}
			w := lambdaVar()
			return bind(ipv4Tokens(g.asString(a[0])), func(toks string) string {
				return "coalesce(list_bool_or(list_transform(" + g.rangeList(a[1:]) + ", " + w + " -> coalesce(list_bool_or(list_transform(" + toks + ", " + t + " -> " + test(t, "trim("+w+")") + ")), false))), false)"
			})
		}
	}
	registerT(has(false), "has_ipv4", "has_any_ipv4")
	registerT(has(true), "has_ipv4_prefix", "has_any_ipv4_prefix")

	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return bind(ipv6Of(g.asString(a[0])), func(v string) string {
			return "coalesce(" + ipv6Text(mask6(v+".g", v+".p")) + ", '')"
		})
	}, "parse_ipv6")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		p := g.prefixArg(a, 1, "128")
		return bind(ipv6Of(g.asString(a[0])), func(v string) string {
			return "coalesce(CASE WHEN " + p + " BETWEEN 0 AND 128 THEN " + ipv6Text(mask6(v+".g", "least("+v+".p, "+p+")")) + " END, '')"
		})
	}, "parse_ipv6_mask")
	cmp6 := func(g *gen, x *ast.CallExpr, a []arg, body func(c string) string) string {
		g.need(x, a, 2, 3)
		p := g.prefixArg(a, 2, "128")
		return bind(ipv6Of(g.asString(a[0])), func(u string) string {
			return bind(ipv6Of(g.asString(a[1])), func(v string) string {
				return "(CASE WHEN " + u + " IS NULL OR " + v + " IS NULL OR " + p + " NOT BETWEEN 0 AND 128 THEN NULL ELSE " + body(ipv6Cmp(u, v, p)) + " END)"
			})
		})
	}
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		return cmp6(g, x, a, func(c string) string { return "CAST(" + c + " AS " + sqlType(g.typeOf(x)) + ")" })
	}, "ipv6_compare")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		return cmp6(g, x, a, func(c string) string { return "(" + c + " = 0)" })
	}, "ipv6_is_match")
	in6 := func(ip, rng string) string {
		return bind(ip, func(u string) string {
			return bind(rng, func(r string) string {
				return "(CASE WHEN " + u + " IS NULL OR " + r + " IS NULL THEN NULL ELSE " + ipv6Cmp(u, r, r+".p") + " = 0 END)"
			})
		})
	}
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		return in6(ipv6Of(g.asString(a[0])), ipv6Of(g.asString(a[1])))
	}, "ipv6_is_in_range")
	registerT(func(g *gen, x *ast.CallExpr, a []arg) string {
		if len(a) < 2 {
			g.failf(x.Pos(), "ipv6_is_in_any_range needs an address and ranges")
		}
		r := lambdaVar()
		return bind(ipv6Of(g.asString(a[0])), func(ip string) string {
			return "(CASE WHEN " + ip + " IS NULL THEN NULL ELSE coalesce(list_bool_or(list_transform(" + g.rangeList(a[1:]) + ", " + r + " -> coalesce(" + in6(ip, ipv6Of(r)) + ", false))), false) END)"
		})
	}, "ipv6_is_in_any_range")
}
