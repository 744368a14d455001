package sqlgen

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// Readers of the exact hll and tdigest sketches of aggs_more.go.
func init() {
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "CAST(json_array_length(CAST(" + a[0].sql + " AS JSON)) AS BIGINT)"
	}, "dcount_hll")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 16)
		var ls []string
		for _, v := range a {
			ls = append(ls, "coalesce("+hllList(v.sql)+", [])")
		}
		return "CAST(to_json(list_sort(list_distinct(flatten([" + strings.Join(ls, ", ") + "])))) AS JSON)"
	}, "hll_merge")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 16)
		var ls []string
		for _, v := range a {
			ls = append(ls, "coalesce("+tdigestList(v.sql)+", [])")
		}
		return "CAST(to_json(list_sort(flatten([" + strings.Join(ls, ", ") + "]))) AS JSON)"
	}, "merge_tdigest", "tdigest_merge")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 3)
		return g.tdigestValue(x, tdigestPick(a[0].sql, "CAST("+a[1].sql+" AS DOUBLE)"))
	}, "percentile_tdigest")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, -1)
		if len(a) == 2 && a[1].typ == schema.Dynamic {
			return "CAST(to_json(list_transform(from_json(CAST(" + a[1].sql + " AS JSON), '[\"DOUBLE\"]'), p -> " + tdigestPick(a[0].sql, "p") + ")) AS JSON)"
		}
		var items []string
		for _, p := range a[1:] {
			items = append(items, tdigestPick(a[0].sql, "CAST("+p.sql+" AS DOUBLE)"))
		}
		return "CAST(to_json([" + strings.Join(items, ", ") + "]) AS JSON)"
	}, "percentiles_array_tdigest")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		if !isNumeric(a[1].typ) {
			g.failf(x.Pos(), "rank_tdigest of a %s value is not supported", a[1].typ)
		}
		return "CAST(" + tdigestRank(a[0].sql, "CAST("+a[1].sql+" AS DOUBLE)") + " AS DOUBLE)"
	}, "rank_tdigest")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		if !isNumeric(a[1].typ) {
			g.failf(x.Pos(), "percentrank_tdigest of a %s value is not supported", a[1].typ)
		}
		l := tdigestList(a[0].sql)
		return "CAST(100.0 * " + tdigestRank(a[0].sql, "CAST("+a[1].sql+" AS DOUBLE)") + " / nullif(list_sum(list_transform(" + l + ", e -> e[2])), 0) AS DOUBLE)"
	}, "percentrank_tdigest")
}

// tdigestPick is the nearest-rank percentile p of an exact tdigest.
func tdigestPick(d, p string) string {
	l := "list_transform(" + tdigestList(d) + ", e -> struct_pack(v := e[1], w := e[2]))"
	tot := "list_sum(list_transform(" + tdigestList(d) + ", e -> e[2]))"
	return weightedPick(l, tot, p)
}

// tdigestRank is the total weight of the values up to v.
func tdigestRank(d, v string) string {
	return "coalesce(list_sum(list_transform(list_filter(" + tdigestList(d) + ", e -> e[1] <= " + v + "), e -> e[2])), 0)"
}

// tdigestValue gives a percentile (a DOUBLE) the call's result type.
func (g *gen) tdigestValue(x *ast.CallExpr, v string) string {
	t := g.typeOf(x)
	switch t {
	case schema.Dynamic, schema.Invalid:
		return "CAST(to_json(" + v + ") AS JSON)"
	case schema.Int, schema.Long, schema.Real, schema.Decimal:
		return "CAST(" + v + " AS " + sqlType(t) + ")"
	}
	g.failf(x.Pos(), "percentile_tdigest as %s is not supported", t)
	return ""
}

// columnNamesOf is column_names_of(T): T's column names as a dynamic
// array, known when the query compiles.
func (g *gen) columnNamesOf(r *rel) string {
	names := make([]string, len(r.cols))
	for i, c := range r.cols {
		names[i] = c.Name
	}
	b, _ := json.Marshal(names)
	return "CAST(" + g.param(string(b)) + " AS JSON)"
}

// maxRange is the most elements range() gives, as in Kusto.
const maxRange = 1048576

func init() {
	// range(start, stop [, step]): the dynamic array start, start+step,
	// ... up to stop, for numbers, datetimes (timespan step) and
	// timespans.
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 3)
		start, stop := a[0], a[1]
		step := arg{sql: "1", typ: schema.Long}
		if len(a) == 3 {
			step = a[2]
		}
		limit := g.param(int64(maxRange - 1))
		count := func(diff, stepv string) string {
			return "list_transform(range(0, CASE WHEN " + stepv + " = 0 THEN 0 ELSE least(CAST(floor((" + diff + ") / (" + stepv + ")) AS BIGINT), " + limit + ") + 1 END), i -> "
		}
		var list string
		switch start.typ {
		case schema.DateTime, schema.TimeSpan:
			if step.typ != schema.TimeSpan || stop.typ != start.typ {
				g.failf(x.Pos(), "range of a %s needs a %s end and a timespan step", start.typ, start.typ)
			}
			s0, s1 := start.sql, stop.sql
			us := toUS(step.sql)
			var diff string
			if start.typ == schema.DateTime {
				diff = "CAST(epoch_us(" + s1 + ") - epoch_us(" + s0 + ") AS DOUBLE)"
			} else {
				diff = "CAST(" + toUS(s1) + " - " + toUS(s0) + " AS DOUBLE)"
			}
			elem := "(" + s0 + " + to_microseconds(i * " + us + "))"
			list = count(diff, "CAST("+us+" AS DOUBLE)") + toJSON(elem, start.typ) + ")"
		default:
			if !isNumeric(start.typ) || !isNumeric(stop.typ) || !isNumeric(step.typ) {
				g.failf(x.Pos(), "range of %s, %s and %s values is not supported", start.typ, stop.typ, step.typ)
			}
			t := "BIGINT"
			for _, v := range []arg{start, stop, step} {
				if v.typ == schema.Real || v.typ == schema.Decimal {
					t = "DOUBLE"
				}
			}
			s0 := "CAST(" + start.sql + " AS " + t + ")"
			st := "CAST(" + step.sql + " AS " + t + ")"
			diff := "CAST(" + stop.sql + " AS DOUBLE) - CAST(" + start.sql + " AS DOUBLE)"
			list = count(diff, "CAST("+step.sql+" AS DOUBLE)") + s0 + " + i * " + st + ")"
		}
		return "CAST(to_json(" + list + ") AS JSON)"
	}, "range")
}

// userArgs puts the arguments of a user function call in the order of
// its parameters: positional ones first, then name=value ones by name
// (f(12, c=7), f(c=7, a=12)). Missing ones are nil.
func (g *gen) userArgs(params []*ast.Param, args []ast.Expr, name string, at ast.Node) []ast.Expr {
	out := make([]ast.Expr, len(params))
	if len(args) > len(params) {
		g.failf(at.Pos(), "function '%s' takes %d arguments, not %d", name, len(params), len(args))
	}
	for i, a := range args {
		ne, ok := a.(*ast.NamedExpr)
		if !ok || len(ne.Names) != 1 {
			out[i] = a
			continue
		}
		j := -1
		for k, p := range params {
			if p != nil && p.Name != nil && p.Name.Name == ne.Names[0].Name {
				j = k
			}
		}
		if j < 0 {
			g.failf(a.Pos(), "function '%s' has no parameter '%s'", name, ne.Names[0].Name)
		}
		if out[j] != nil {
			g.failf(a.Pos(), "parameter '%s' of '%s' is given twice", ne.Names[0].Name, name)
		}
		out[j] = ne.X
	}
	return out
}

func init() {
	// bin_auto(x) is bin_at(x, size, at) with the query's options
	// query_bin_auto_size and query_bin_auto_at.
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		size := g.sets["query_bin_auto_size"]
		if size == nil {
			g.failf(x.Pos(), "bin_auto needs set query_bin_auto_size=...")
		}
		sa := arg{sql: g.expr(size, nil), typ: g.typeOf(size), e: size}
		at := ""
		if v := g.sets["query_bin_auto_at"]; v != nil {
			at = g.coerce(g.expr(v, nil), g.typeOf(v), a[0].typ)
		}
		return g.bin(a[0], sa, at)
	}, "bin_auto")
}

// zlib_compress_to_base64_string and gzip_compress_to_base64_string
// write the text's UTF-8 bytes as deflate "stored" blocks (RFC 1951
// 3.2.4) in a zlib (RFC 1950) or gzip (RFC 1952) wrapper. Stored blocks
// do not shrink the data, but the result is valid compressed data that
// every inflater (and Kusto's decompress functions) reads back.
func init() {
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return bind("encode("+g.asString(a[0])+")", func(b string) string {
			return "to_base64(from_hex('7801' || " + storedBlocks(b) + " || " + adler32Hex(b) + "))"
		})
	}, "zlib_compress_to_base64_string")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return bind("encode("+g.asString(a[0])+")", func(b string) string {
			return "to_base64(from_hex('1f8b08000000000000ff' || " + storedBlocks(b) + " || " + le32Hex(crc32SQL(b)) + " || " + le32Hex("(octet_length("+b+") % 4294967296)") + "))"
		})
	}, "gzip_compress_to_base64_string")
	// Decompression runs in the store's vigil_*_decompress_b64 functions
	// (Go's inflaters, output bounded); a failure is an empty string.
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "coalesce(vigil_zlib_decompress_b64(" + g.asString(a[0]) + "), '')"
	}, "zlib_decompress_from_base64_string")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "coalesce(vigil_gzip_decompress_b64(" + g.asString(a[0]) + "), '')"
	}, "gzip_decompress_from_base64_string")
}

// byteList is the bytes of a BLOB as a BIGINT list.
func byteList(b string) string {
	return "list_transform(regexp_extract_all(hex(" + b + "), '..'), __h -> CAST(CAST('0x' || __h AS INTEGER) AS BIGINT))"
}

// storedBlocks is the hex of the deflate stored blocks holding b: 65535
// bytes each, the last one marked final (one empty block for no data).
func storedBlocks(b string) string {
	n := "octet_length(" + b + ")"
	k := "greatest(CAST(ceil(" + n + " / 65535.0) AS BIGINT), 1)"
	l := "least(" + n + " - __k * 65535, 65535)"
	lenHex := "printf('%02x%02x%02x%02x', " + l + " & 255, " + l + " >> 8, (65535 - " + l + ") & 255, (65535 - " + l + ") >> 8)"
	blk := "__k -> (CASE WHEN __k = " + k + " - 1 THEN '01' ELSE '00' END) || " + lenHex + " || substr(hex(" + b + "), __k * 65535 * 2 + 1, 65535 * 2)"
	return "array_to_string(list_transform(range(" + k + "), " + blk + "), '')"
}

// adler32Hex is the big-endian hex of the Adler-32 of b.
func adler32Hex(b string) string {
	bs := byteList(b)
	n := "CAST(octet_length(" + b + ") AS HUGEINT)"
	s1 := "((1 + coalesce(list_sum(list_transform(" + bs + ", __v -> CAST(__v AS HUGEINT))), 0)) % 65521)"
	s2 := "((" + n + " + coalesce(list_sum(list_transform(" + bs + ", (__v, __j) -> CAST(__v AS HUGEINT) * (" + n + " - __j + 1))), 0)) % 65521)"
	return "printf('%08x', CAST(" + s2 + " * 65536 + " + s1 + " AS BIGINT))"
}

// le32Hex is the little-endian hex of a 32-bit value.
func le32Hex(v string) string {
	return bind(v, func(v string) string {
		return "printf('%02x%02x%02x%02x', " + v + " & 255, (" + v + " >> 8) & 255, (" + v + " >> 16) & 255, (" + v + " >> 24) & 255)"
	})
}

// crc32Table is the table of the CRC-32 of gzip (polynomial 0xEDB88320).
var crc32Table = func() string {
	parts := make([]string, 256)
	for i := range parts {
		c := uint32(i)
		for k := 0; k < 8; k++ {
			if c&1 == 1 {
				c = 0xEDB88320 ^ c>>1
			} else {
				c >>= 1
			}
		}
		parts[i] = strconv.FormatUint(uint64(c), 10)
	}
	return "CAST([" + strings.Join(parts, ", ") + "] AS BIGINT[])"
}()

// crc32SQL is the CRC-32 of b as a BIGINT.
func crc32SQL(b string) string {
	return "xor(list_reduce(list_prepend(CAST(4294967295 AS BIGINT), " + byteList(b) + "), (__c, __v) -> xor(" + crc32Table + "[(xor(__c, __v) & 255) + 1], __c >> 8)), CAST(4294967295 AS BIGINT))"
}

// isSortCall reports whether e calls array_sort_asc or array_sort_desc.
func isSortCall(e ast.Expr) bool {
	if c, ok := e.(*ast.CallExpr); ok {
		if id, ok := c.Fun.(*ast.Ident); ok {
			return id.Name == "array_sort_asc" || id.Name == "array_sort_desc"
		}
	}
	return false
}
