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
		// !*() kept.
		g.need(x, a, 1, 1)
		s := lowerEscapes("url_encode(" + g.asString(a[0]) + ")")
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
			if a[0].typ != schema.String {
				g.failf(x.Pos(), "%s of a %s value is not supported yet: convert it with tostring()", x.Fun.(*ast.Ident).Name, a[0].typ)
			}
			return fn + "(" + a[0].sql + ")"
		}
	}
	register(hash("md5"), "hash_md5")
	register(hash("sha1"), "hash_sha1")
	register(hash("sha256"), "hash_sha256")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return g.parseURL(g.asString(a[0]))
	}, "parse_url")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		s := g.asString(a[0])
		q := "(CASE WHEN starts_with(" + s + ", '?') THEN substring(" + s + ", 2) ELSE " + s + " END)"
		return "CAST('{\"Query Parameters\":' || " + queryParams(q) + " || '}' AS JSON)"
	}, "parse_urlquery")
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

// queryParams renders k=v&k2=v2 as a JSON object text.
func queryParams(q string) string {
	pairs := "list_filter(string_split(" + q + ", '&'), __p -> __p <> '')"
	kv := "__p -> CAST(to_json(coalesce(try(url_decode(split_part(__p, '=', 1))), '')) AS VARCHAR) || ':' || CAST(to_json(CASE WHEN strpos(__p, '=') = 0 THEN '' ELSE coalesce(try(url_decode(substring(__p, strpos(__p, '=') + 1))), '') END) AS VARCHAR)"
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

// parseCommandLine splits a Windows command line: white space separates
// arguments except inside double quotes, which are removed. Backslash
// escapes of quotes are not interpreted.
func parseCommandLine(s string) string {
	toks := "regexp_extract_all(" + s + ", '(?:[^\\s\"]|\"[^\"]*(?:\"|$))+')"
	return "to_json(list_transform(" + toks + ", __t -> replace(__t, '\"', '')))"
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
