package sqlgen

import (
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// Encodings, hashes and the parse_* functions that split a string into a
// dynamic value.
func init() {
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "to_base64(encode(" + g.asString(a[0]) + "))"
	}, "base64_encode_tostring", "base64_encodestring")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		// Text that is not base64 or not UTF-8 decodes to ''.
		g.need(x, a, 1, 1)
		return "coalesce(try(decode(from_base64(" + g.asString(a[0]) + "))), '')"
	}, "base64_decode_tostring", "base64_decodestring")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		h := "hex(try(from_base64(" + g.asString(a[0]) + ")))"
		return "(CASE WHEN " + h + " = '' THEN NULL ELSE to_json(list_transform(range(0, length(" + h + "), 2), __i -> CAST(('0x' || substring(" + h + ", __i + 1, 2)) AS BIGINT))) END)"
	}, "base64_decode_toarray")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		// An array of byte values to base64; anything else gives ''.
		g.need(x, a, 1, 1)
		arr := g.asType(a[0], schema.Dynamic)
		hex := "array_to_string(list_transform(TRY_CAST(" + arr + " AS BIGINT[]), __b -> CASE WHEN __b BETWEEN 0 AND 255 THEN lpad(to_hex(__b), 2, '0') END), '')"
		return "coalesce(try(to_base64(unhex(" + hex + "))), '')"
	}, "base64_encode_fromarray")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		// A GUID's bytes in .NET's order: the first three fields
		// little-endian.
		g.need(x, a, 1, 1)
		h := "replace(CAST(" + g.asType(a[0], schema.GUID) + " AS VARCHAR), '-', '')"
		return "coalesce(to_base64(unhex(" + guidSwap(h) + ")), '')"
	}, "base64_encode_fromguid")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		h := "lower(hex(try(from_base64(" + g.asString(a[0]) + "))))"
		sw := guidSwap(h)
		return "(CASE WHEN length(" + h + ") = 32 THEN CAST(substring(" + sw + ", 1, 8) || '-' || substring(" + sw + ", 9, 4) || '-' || substring(" + sw + ", 13, 4) || '-' || substring(" + sw + ", 17, 4) || '-' || substring(" + sw + ", 21, 12) AS UUID) END)"
	}, "base64_decode_toguid")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		// HttpUtility.UrlEncode: lower-case escapes, space as '+',
		// !*() kept, ~ escaped.
		g.need(x, a, 1, 1)
		s := "replace(" + lowerEscapes("url_encode("+g.asString(a[0])+")") + ", '~', '%7e')"
		for _, r := range [][2]string{{"%20", "+"}, {"%21", "!"}, {"%2a", "*"}, {"%28", "("}, {"%29", ")"}} {
			s = "replace(" + s + ", '" + r[0] + "', '" + r[1] + "')"
		}
		return s
	}, "url_encode")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return lowerEscapes("url_encode(" + g.asString(a[0]) + ")")
	}, "url_encode_component")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "coalesce(try(url_decode(" + g.asString(a[0]) + ")), '')"
	}, "url_decode")
	hash := func(fn string) scalarFunc {
		return func(g *gen, x *ast.CallExpr, a []arg) string {
			g.need(x, a, 1, 1)
			switch a[0].typ {
			case schema.String:
				return fn + "(" + a[0].sql + ")"
			case schema.DateTime:
				// A datetime hashes as its text with seven fraction digits.
				return "(CASE WHEN " + a[0].sql + " IS NULL THEN '' ELSE " + fn + "(strftime(" + a[0].sql + ", '%Y-%m-%dT%H:%M:%S.%f') || '0Z') END)"
			case schema.Long, schema.Int, schema.Bool, schema.GUID:
				return "(CASE WHEN " + a[0].sql + " IS NULL THEN '' ELSE " + fn + "(" + g.asString(a[0]) + ") END)"
			}
			g.failf(x.Pos(), "%s of a %s value is not supported yet: convert it with tostring()", x.Fun.(*ast.Ident).Name, a[0].typ)
			return ""
		}
	}
	register(fnHash, "hash", "hash_xxhash64")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return bindAs(g.asString(a[0]), "__pu", punyEncode("__pu"))
	}, "punycode_from_string")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return bindAs(g.asString(a[0]), "__pu", punyDecode("__pu"))
	}, "punycode_to_string")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return punyDomain(g.asString(a[0]), true)
	}, "punycode_domain_to_string")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return punyDomain(g.asString(a[0]), false)
	}, "punycode_domain_from_string")
	register(hash("md5"), "hash_md5")
	register(hash("sha1"), "hash_sha1")
	register(hash("sha256"), "hash_sha256")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return g.parseURL(g.asString(a[0]))
	}, "parse_url", "parseurl")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		s := g.asString(a[0])
		q := "(CASE WHEN starts_with(" + s + ", '?') THEN substring(" + s + ", 2) ELSE " + s + " END)"
		return "CAST('{\"Query Parameters\":' || " + queryParams(q) + " || '}' AS JSON)"
	}, "parse_urlquery", "parseurlquery")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return parsePath(g.asString(a[0]))
	}, "parse_path")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		p, ok := litString(a[1])
		if !ok || !strings.EqualFold(p, "windows") {
			g.failf(x.Pos(), "parse_command_line: only the \"windows\" parser is supported")
		}
		return uses(parseCommandLine(g.asString(a[0])), a[1])
	}, "parse_command_line")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return parseCSV(g.asString(a[0]))
	}, "parse_csv")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return parseVersion(g.asString(a[0]))
	}, "parse_version")
}

// guidSwap reorders 32 hex digits between a GUID's text and .NET's byte
// order (the same swap both ways).
func guidSwap(h string) string {
	sub := func(from int) string {
		return "substring(" + h + ", " + strconv.Itoa(from) + ", 2)"
	}
	return "(" + sub(7) + " || " + sub(5) + " || " + sub(3) + " || " + sub(1) + " || " + sub(11) + " || " + sub(9) + " || " + sub(15) + " || " + sub(13) + " || substring(" + h + ", 17, 16))"
}

// lowerEscapes writes the hex digits of %XX escapes in lower case, as
// .NET does.
func lowerEscapes(s string) string {
	return "array_to_string(list_transform(string_split(" + s + ", '%'), (__p, __i) -> CASE WHEN __i = 1 THEN __p ELSE lower(substring(__p, 1, 2)) || substring(__p, 3) END), '%')"
}

// queryParams renders k=v&k2=v2 as a JSON object text, decoding %XX
// escapes and '+' as a space.
func queryParams(q string) string {
	pairs := "list_filter(string_split(" + q + ", '&'), __p -> __p <> '')"
	kv := "__p -> CAST(to_json(coalesce(try(url_decode(replace(split_part(__p, '=', 1), '+', ' '))), '')) AS VARCHAR) || ':' || CAST(to_json(CASE WHEN strpos(__p, '=') = 0 THEN '' ELSE coalesce(try(url_decode(replace(substring(__p, strpos(__p, '=') + 1), '+', ' '))), '') END) AS VARCHAR)"
	return "'{' || array_to_string(list_transform(" + pairs + ", " + kv + "), ',') || '}'"
}

// urlPattern splits scheme://user:password@host:port/path?query#fragment.
const urlPattern = `^([A-Za-z][A-Za-z0-9+.\-]*)://(?:([^:@/?#]*)(?::([^@/?#]*))?@)?(\[[^\]]*\]|[^:/?#]*)(?::([0-9]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$`

// parseURL builds Kusto's parse_url object; text that is not an absolute
// URL gives every part empty.
func (g *gen) parseURL(s string) string {
	m := "regexp_extract(" + s + ", '" + sqlStr(urlPattern) + "', ['scheme', 'user', 'pass', 'host', 'port', 'path', 'query', 'frag'])"
	str := func(f string) string { return "CAST(to_json(" + m + "." + f + ") AS VARCHAR)" }
	return "CAST('{\"Scheme\":' || " + str("scheme") + " || ',\"Host\":' || " + str("host") + " || ',\"Port\":' || " + str("port") +
		" || ',\"Path\":' || " + str("path") + " || ',\"Username\":' || " + str("user") + " || ',\"Password\":' || " + str("pass") +
		" || ',\"Query Parameters\":' || " + queryParams(m+".query") + " || ',\"Fragment\":' || " + str("frag") + " || '}' AS JSON)"
}

// sqlStr escapes text for a SQL string literal written by the generator.
func sqlStr(s string) string { return strings.ReplaceAll(s, "'", "''") }

// parsePath splits a Windows or Unix path, with an optional scheme and
// an alternate data stream after the file name.
func parsePath(s string) string {
	scheme := "regexp_extract(" + s + ", '^([A-Za-z][A-Za-z0-9+.\\-]*)://', 1)"
	rest := "regexp_replace(" + s + ", '^[A-Za-z][A-Za-z0-9+.\\-]*://', '')"
	parts := "regexp_extract(" + rest + ", '^(?:(.*)[\\\\/])?([^\\\\/]*)$', ['dir', 'last'])"
	dir := parts + ".dir"
	last := parts + ".last"
	// The root C: has no stream; elsewhere name:stream.
	file := "regexp_extract(" + last + ", '^([^:]*)', 1)"
	ads := "regexp_extract(" + last + ", '^[^:]*:(.*)$', 1)"
	root := "regexp_extract(" + rest + ", '^([A-Za-z]:)', 1)"
	dirName := "regexp_extract(" + dir + ", '([^\\\\/]*)$', 1)"
	ext := "regexp_extract(" + file + ", '\\.([^.]*)$', 1)"
	field := func(k, v string) string { return "'\"" + k + "\":' || CAST(to_json(" + v + ") AS VARCHAR)" }
	return "CAST('{' || " + field("Scheme", scheme) + " || ',' || " + field("RootPath", root) + " || ',' || " + field("DirectoryPath", dir) +
		" || ',' || " + field("DirectoryName", dirName) + " || ',' || " + field("Filename", file) + " || ',' || " + field("Extension", ext) +
		" || ',' || " + field("AlternateDataStreamName", ads) + " || '}' AS JSON)"
}

// parseCommandLine splits a Windows command line as CommandLineToArgvW
// does: white space separates arguments outside double quotes; 2n
// backslashes before a quote give n backslashes and the quote toggles
// quoting, 2n+1 give n backslashes and a literal quote; other
// backslashes are literal. The state machine runs as a list_reduce over
// the characters.
func parseCommandLine(s string) string {
	st := func(args, cur, inq, bs, started string) string {
		return "{'args': CAST(" + args + " AS VARCHAR[]), 'cur': CAST(" + cur + " AS VARCHAR), 'inq': CAST(" + inq + " AS BOOLEAN), 'bs': CAST(" + bs + " AS BIGINT), 'started': CAST(" + started + " AS BOOLEAN)}"
	}
	const a, c = "__ca", "__cc.cur"
	half := "repeat('\\', CAST(" + a + ".bs // 2 AS BIGINT))"
	all := "repeat('\\', CAST(" + a + ".bs AS BIGINT))"
	step := "(" + a + ", __cc) -> CASE" +
		" WHEN " + c + " = '\\' THEN " + st(a+".args", a+".cur", a+".inq", a+".bs + 1", "true") +
		" WHEN " + c + " = '\"' AND " + a + ".bs % 2 = 1 THEN " + st(a+".args", a+".cur || "+half+" || '\"'", a+".inq", "0", "true") +
		" WHEN " + c + " = '\"' THEN " + st(a+".args", a+".cur || "+half, "NOT "+a+".inq", "0", "true") +
		" WHEN (" + c + " = ' ' OR " + c + " = chr(9)) AND NOT " + a + ".inq THEN " +
		st("CASE WHEN "+a+".started THEN list_append("+a+".args, "+a+".cur || "+all+") ELSE "+a+".args END", "''", "false", "0", "false") +
		" ELSE " + st(a+".args", a+".cur || "+all+" || "+c, a+".inq", "0", "true") + " END"
	chars := "(CASE WHEN " + s + " = '' THEN CAST([] AS VARCHAR[]) ELSE string_split(" + s + ", '') END)"
	elems := "list_transform(" + chars + ", __ch -> " + st("[]", "__ch", "false", "0", "false") + ")"
	res := "list_reduce(" + elems + ", " + step + ", " + st("[]", "''", "false", "0", "false") + ")"
	return "to_json(" + bindAs(res, "__cf", "CASE WHEN __cf.started THEN list_append(__cf.args, __cf.cur || repeat('\\', CAST(__cf.bs AS BIGINT))) ELSE __cf.args END") + ")"
}

// parseCSV reads the first record of CSV text: quoted fields may hold
// commas, newlines and doubled quotes.
func parseCSV(s string) string {
	rec := "regexp_extract(" + s + ", '^(?:\"(?:[^\"]|\"\")*\"|[^\"\\r\\n])*', 0)"
	fields := "regexp_extract_all(" + rec + ", '(?:^|,)(\"(?:[^\"]|\"\")*\"|[^,]*)', 1)"
	return "to_json(list_transform(" + fields + ", __f -> CASE WHEN length(__f) >= 2 AND starts_with(__f, '\"') AND ends_with(__f, '\"') THEN replace(substring(__f, 2, length(__f) - 2), '\"\"', '\"') ELSE __f END))"
}

// parseVersion: one to four dot-separated parts of up to eight digits,
// each part eight decimal digits of the result.
func parseVersion(s string) string {
	t := "trim(" + s + ")"
	parts := "string_split(" + t + ", '.')"
	digits := "array_to_string(list_transform(list_concat(" + parts + ", ['0', '0', '0'])[1:4], __p -> lpad(__p, 8, '0')), '')"
	return "(CASE WHEN regexp_full_match(" + t + ", '[0-9]{1,8}(\\.[0-9]{1,8}){0,3}') THEN CAST(CAST(" + digits + " AS HUGEINT) AS DECIMAL(38,0)) END)"
}

// xxHash64 (seed 0) in SQL, as Kusto's hash() and hash_xxhash64()
// compute it: over the UTF-8 bytes of a string, or the eight
// little-endian bytes of a long or of a datetime's or timespan's ticks.
// Values are UHUGEINT kept below 2^64 so products never overflow.
const (
	xxP1 = "11400714785074694791::UHUGEINT"
	xxP2 = "14029467366897019727::UHUGEINT"
	xxP3 = "1609587929392839161::UHUGEINT"
	xxP4 = "9650029242287828579::UHUGEINT"
	xxP5 = "2870177450012600261::UHUGEINT"
	xxM  = "18446744073709551616::UHUGEINT"
)

// bindAs evaluates expr once and names it for body.
func bindAs(expr, name, body string) string {
	return "list_transform([" + expr + "], " + name + " -> " + body + ")[1]"
}

func xxMod(x string) string { return "((" + x + ") % " + xxM + ")" }

func xxMul(a, b string) string { return xxMod("(" + a + ") * " + b) }

// xxRotl rotates a value below 2^64 that is a plain name.
func xxRotl(name string, r int) string {
	return "((" + xxMod(name+" << "+strconv.Itoa(r)) + ") | (" + name + " >> " + strconv.Itoa(64-r) + "))"
}

func xxRotlE(expr string, r int, tmp string) string {
	return bindAs(expr, tmp, xxRotl(tmp, r))
}

// xxRound is round(acc, lane) = rotl(acc + lane*P2, 31) * P1.
func xxRound(acc, lane, tmp string) string {
	return xxMul(xxRotlE(xxMod("("+acc+") + ("+lane+") * "+xxP2), 31, tmp), xxP1)
}

// xxLane reads 8 (or 4) little-endian bytes at byte offset off of the
// hex text h.
func xxLane(h, off string, size int) string {
	parts := make([]string, size)
	for k := 0; k < size; k++ {
		parts[k] = "substring(" + h + ", 2 * (" + off + ") + " + strconv.Itoa(2*(size-1-k)+1) + ", 2)"
	}
	return "CAST(CAST('0x' || " + strings.Join(parts, " || ") + " AS UBIGINT) AS UHUGEINT)"
}

// xxHash64 hashes the bytes given as hex text; the result is a UHUGEINT
// below 2^64.
func xxHash64(hexText string) string {
	h, n := "__xh", "__xn"
	stripes := "list_transform(range(" + n + " // 32), __xi -> {'a': " + xxLane(h, "__xi * 32", 8) + ", 'b': " + xxLane(h, "__xi * 32 + 8", 8) +
		", 'c': " + xxLane(h, "__xi * 32 + 16", 8) + ", 'd': " + xxLane(h, "__xi * 32 + 24", 8) + "})"
	init := "{'a': " + xxMod(xxP1+" + "+xxP2) + ", 'b': " + xxP2 + ", 'c': 0::UHUGEINT, 'd': " + xxM + " - " + xxP1 + "}"
	acc := "list_reduce(" + stripes + ", (__xv, __xs) -> {'a': " + xxRound("__xv.a", "__xs.a", "__xt") + ", 'b': " + xxRound("__xv.b", "__xs.b", "__xt") +
		", 'c': " + xxRound("__xv.c", "__xs.c", "__xt") + ", 'd': " + xxRound("__xv.d", "__xs.d", "__xt") + "}, " + init + ")"
	merge := func(hv, v string) string {
		return xxMod(xxMul("xor("+hv+", "+xxRound("0::UHUGEINT", v, "__xt")+")", xxP1) + " + " + xxP4)
	}
	sum := xxMod(xxRotl("__xv.a", 1) + " + " + xxRotl("__xv.b", 7) + " + " + xxRotl("__xv.c", 12) + " + " + xxRotl("__xv.d", 18))
	long := bindAs(acc, "__xv", merge(merge(merge(merge(sum, "__xv.a"), "__xv.b"), "__xv.c"), "__xv.d"))
	h0 := xxMod("(CASE WHEN " + n + " >= 32 THEN " + long + " ELSE " + xxP5 + " END) + CAST(" + n + " AS UHUGEINT)")
	base8 := "(" + n + " // 32) * 32"
	lanes8 := "list_transform(range((" + n + " % 32) // 8), __xj -> " + xxLane(h, base8+" + __xj * 8", 8) + ")"
	h1 := "list_reduce(" + lanes8 + ", (__xg, __xk) -> " + xxMod(xxMul(xxRotlE("xor(__xg, "+xxRound("0::UHUGEINT", "__xk", "__xt")+")", 27, "__xu"), xxP1)+" + "+xxP4) + ", " + h0 + ")"
	base4 := "(" + n + " // 8) * 8"
	h2 := bindAs(h1, "__xg", "CASE WHEN "+n+" % 8 >= 4 THEN "+xxMod(xxMul(xxRotlE("xor(__xg, "+xxMul(xxLane(h, base4, 4), xxP1)+")", 23, "__xu"), xxP2)+" + "+xxP3)+" ELSE __xg END")
	base1 := "(" + n + " // 4) * 4"
	bytes := "list_transform(range(" + n + " % 4), __xj -> CAST(CAST('0x' || substring(" + h + ", 2 * (" + base1 + " + __xj) + 1, 2) AS UBIGINT) AS UHUGEINT))"
	h3 := "list_reduce(" + bytes + ", (__xg, __xb) -> " + xxMul(xxRotlE("xor(__xg, "+xxMul("__xb", xxP5)+")", 11, "__xu"), xxP1) + ", " + h2 + ")"
	av := bindAs(h3, "__xa", xxMul("xor(__xa, __xa >> 33)", xxP2))
	av = bindAs(av, "__xa", xxMul("xor(__xa, __xa >> 29)", xxP3))
	av = bindAs(av, "__xa", "xor(__xa, __xa >> 32)")
	return bindAs(hexText, h, bindAs("length("+h+") // 2", n, av))
}

// hashHex is the hex text of the bytes Kusto hashes for a value.
func (g *gen) hashHex(x *ast.CallExpr, a arg) string {
	le := func(v string) string {
		return bindAs("lpad(to_hex(CAST("+v+" AS BIGINT)), 16, '0')", "__xl",
			"substring(__xl, 15, 2) || substring(__xl, 13, 2) || substring(__xl, 11, 2) || substring(__xl, 9, 2) || substring(__xl, 7, 2) || substring(__xl, 5, 2) || substring(__xl, 3, 2) || substring(__xl, 1, 2)")
	}
	switch a.typ {
	case schema.String:
		return "hex(encode(" + a.sql + "))"
	case schema.Long:
		return le(a.sql)
	case schema.DateTime:
		return le("epoch_us(" + a.sql + ") * 10 + 621355968000000000")
	case schema.TimeSpan:
		return le(toUS(a.sql) + " * 10")
	}
	g.failf(x.Pos(), "hash of a %s value is not supported yet", a.typ)
	return ""
}

func fnHash(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 1, 2)
	hx := g.hashHex(x, a[0])
	h := xxHash64(hx)
	var out string
	if len(a) == 2 {
		m := g.asType(a[1], schema.Long)
		out = "CAST(" + h + " % CAST(" + m + " AS UHUGEINT) AS BIGINT)"
	} else {
		out = bindAs(h, "__xr", "CAST(CASE WHEN __xr >= 9223372036854775808::UHUGEINT THEN CAST(__xr AS HUGEINT) - 18446744073709551616::HUGEINT ELSE CAST(__xr AS HUGEINT) END AS BIGINT)")
	}
	return "(CASE WHEN " + a[0].sql + " IS NULL THEN NULL ELSE " + out + " END)"
}

// Punycode (RFC 3492) in SQL: the encoder and decoder loops run as
// list_reduce over structs. Lambda names carry a suffix per nesting
// level so inner lambdas can read outer ones.

// pcAdapt is the bias adaptation of RFC 3492 section 6.1.
func pcAdapt(delta, numPoints, first, sfx string) string {
	d0 := "(CASE WHEN " + first + " THEN (" + delta + ") // 700 ELSE (" + delta + ") // 2 END)"
	d1 := bindAs(d0, "__pa"+sfx, "__pa"+sfx+" + __pa"+sfx+" // ("+numPoints+")")
	loop := "list_reduce(list_transform(range(8), __pz" + sfx + " -> {'d': 0::BIGINT, 'k': 0::BIGINT}), (__ps" + sfx + ", __pe" + sfx + ") -> CASE WHEN __ps" + sfx + ".d > 455 THEN {'d': __ps" + sfx + ".d // 35, 'k': __ps" + sfx + ".k + 36} ELSE __ps" + sfx + " END, {'d': CAST(" + d1 + " AS BIGINT), 'k': 0::BIGINT})"
	return bindAs(loop, "__pr"+sfx, "__pr"+sfx+".k + (36 * __pr"+sfx+".d) // (__pr"+sfx+".d + 38)")
}

// pcClamp is t for a k and bias.
func pcClamp(k, bias string) string {
	return "(CASE WHEN " + k + " <= " + bias + " THEN 1 WHEN " + k + " >= " + bias + " + 26 THEN 26 ELSE " + k + " - " + bias + " END)"
}

func pcDigit(d string) string {
	return "chr(CAST(CASE WHEN " + d + " < 26 THEN 97 + " + d + " ELSE 22 + " + d + " END AS INTEGER))"
}

// punyEncode encodes a label (without the xn-- prefix).
func punyEncode(s string) string {
	cps := "__pc"
	b := "__pb"
	basic := "array_to_string(list_transform(list_filter(" + cps + ", __x -> __x < 128), __x -> chr(CAST(__x AS INTEGER))), '') || CASE WHEN " + b + " > 0 THEN '-' ELSE '' END"
	ms := "list_sort(list_distinct(list_filter(" + cps + ", __x -> __x >= 128)))"
	state := func(n, delta, bias, h, out, c string) string {
		return "{'n': CAST(" + n + " AS BIGINT), 'delta': CAST(" + delta + " AS BIGINT), 'bias': CAST(" + bias + " AS BIGINT), 'h': CAST(" + h + " AS BIGINT), 'out': CAST(" + out + " AS VARCHAR), 'c': CAST(" + c + " AS BIGINT)}"
	}
	// The variable-length integer for q with the state's bias.
	varint := func(q, bias string) string {
		st := func(qq, k, out, done string) string {
			return "{'q': CAST(" + qq + " AS BIGINT), 'k': CAST(" + k + " AS BIGINT), 's': CAST(" + out + " AS VARCHAR), 'done': CAST(" + done + " AS BOOLEAN)}"
		}
		t := pcClamp("__pv.k", bias)
		step := "(__pv, __pw) -> CASE WHEN __pv.done THEN __pv WHEN __pv.q < " + t + " THEN " + st("__pv.q", "__pv.k", "__pv.s || "+pcDigit("__pv.q"), "true") +
			" ELSE " + st("(__pv.q - "+t+") // (36 - "+t+")", "__pv.k + 36", "__pv.s || "+pcDigit(t+" + (__pv.q - "+t+") % (36 - "+t+")"), "false") + " END"
		elems := "list_transform(range(16), __pz -> " + st("0", "0", "''", "false") + ")"
		return "list_reduce(" + elems + ", " + step + ", " + st(q, "36", "''", "false") + ").s"
	}
	innerStep := "(__pi, __px) -> CASE WHEN __px.c < __pi.n THEN " + state("__pi.n", "__pi.delta + 1", "__pi.bias", "__pi.h", "__pi.out", "0") +
		" WHEN __px.c = __pi.n THEN " + state("__pi.n", "0", pcAdapt("__pi.delta", "__pi.h + 1", "__pi.h = "+b, "1"), "__pi.h + 1", "__pi.out || "+varint("__pi.delta", "__pi.bias"), "0") +
		" ELSE __pi END"
	innerElems := "list_transform(" + cps + ", __x -> " + state("0", "0", "0", "0", "''", "__x") + ")"
	outerStep := "(__po, __pm) -> " + bindAs("list_reduce("+innerElems+", "+innerStep+", "+state("__pm.c", "__po.delta + (__pm.c - __po.n) * (__po.h + 1)", "__po.bias", "__po.h", "__po.out", "0")+")", "__pq",
		state("__pq.n + 1", "__pq.delta + 1", "__pq.bias", "__pq.h", "__pq.out", "0"))
	outerElems := "list_transform(" + ms + ", __x -> " + state("0", "0", "0", "0", "''", "__x") + ")"
	body := "list_reduce(" + outerElems + ", " + outerStep + ", " + state("128", "0", "72", b, basic, "0") + ").out"
	cpList := "(CASE WHEN " + s + " = '' THEN CAST([] AS BIGINT[]) ELSE list_transform(string_split(" + s + ", ''), __x -> CAST(unicode(__x) AS BIGINT)) END)"
	return bindAs(cpList, cps, bindAs("len(list_filter("+cps+", __x -> __x < 128))", b, body))
}

// punyDecode decodes a label (without the xn-- prefix); text that is not
// Punycode gives ”.
func punyDecode(s string) string {
	last := "(CASE WHEN strpos(" + s + ", '-') = 0 THEN 0 ELSE length(" + s + ") - strpos(reverse(" + s + "), '-') + 1 END)"
	body := bindAs(last, "__pl", func() string {
		basic := "(CASE WHEN __pl <= 1 THEN CAST([] AS BIGINT[]) ELSE list_transform(string_split(substring(" + s + ", 1, __pl - 1), ''), __x -> CAST(unicode(__x) AS BIGINT)) END)"
		rest := "substring(" + s + ", __pl + 1)"
		digit := "(CASE WHEN lower(__x) BETWEEN 'a' AND 'z' THEN unicode(lower(__x)) - 97 WHEN __x BETWEEN '0' AND '9' THEN unicode(__x) - 22 ELSE -1000000 END)"
		digits := "(CASE WHEN " + rest + " = '' THEN CAST([] AS BIGINT[]) ELSE list_transform(string_split(" + rest + ", ''), __x -> CAST(" + digit + " AS BIGINT)) END)"
		state := func(n, i, bias, oldi, w, k, out, d string) string {
			return "{'n': CAST(" + n + " AS BIGINT), 'i': CAST(" + i + " AS BIGINT), 'bias': CAST(" + bias + " AS BIGINT), 'oldi': CAST(" + oldi + " AS BIGINT), 'w': CAST(" + w + " AS BIGINT), 'k': CAST(" + k + " AS BIGINT), 'out': CAST(" + out + " AS BIGINT[]), 'd': CAST(" + d + " AS BIGINT)}"
		}
		i2 := "(__da.i + __de.d * __da.w)"
		t := pcClamp("__da.k", "__da.bias")
		ln := "(len(__da.out) + 1)"
		n2 := "(__da.n + " + i2 + " // " + ln + ")"
		ii := "(" + i2 + " % " + ln + ")"
		ins := "list_concat(__da.out[1:" + ii + "], [" + n2 + "], __da.out[" + ii + " + 1:])"
		step := "(__da, __de) -> CASE WHEN __de.d < 0 OR __da.d < 0 THEN " + state("0", "0", "0", "0", "0", "0", "CAST([] AS BIGINT[])", "-1") +
			" WHEN __de.d < " + t + " THEN " + state(n2, ii+" + 1", pcAdapt(i2+" - __da.oldi", ln, "__da.oldi = 0", "2"), ii+" + 1", "1", "36", ins, "0") +
			" ELSE " + state("__da.n", i2, "__da.bias", "__da.oldi", "__da.w * (36 - "+t+")", "__da.k + 36", "__da.out", "0") + " END"
		elems := "list_transform(" + digits + ", __x -> " + state("0", "0", "0", "0", "0", "0", "CAST([] AS BIGINT[])", "__x") + ")"
		res := "list_reduce(" + elems + ", " + step + ", " + state("128", "0", "72", "0", "1", "36", basic, "0") + ")"
		return bindAs(res, "__pf", "CASE WHEN __pf.d < 0 OR __pf.w <> 1 THEN '' ELSE coalesce(array_to_string(list_transform(__pf.out, __x -> chr(CAST(__x AS INTEGER))), ''), '') END")
	}())
	return "coalesce(try(" + body + "), '')"
}

// punyDomain applies f to each label of a domain name.
func punyDomain(s string, encode bool) string {
	labels := "regexp_split_to_array(" + s + ", '[.\u3002\uff0e\uff61]')"
	var f string
	if encode {
		f = "CASE WHEN regexp_matches(__pd, '[^\\x00-\\x7f]') THEN 'xn--' || " + punyEncode("__pd") + " ELSE __pd END"
	} else {
		f = "CASE WHEN lower(__pd) LIKE 'xn--%' THEN " + punyDecode("substring(__pd, 5)") + " ELSE __pd END"
	}
	return "array_to_string(list_transform(" + labels + ", __pd -> " + f + "), '.')"
}
