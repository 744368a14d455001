package sqlgen

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// String and regular-expression functions. KQL's regular expressions
// are RE2, as DuckDB's regexp_* functions are, so patterns pass through
// as bind parameters. Where DuckDB needs a constant (a capture group
// number, a group list) the value comes from a literal of the query,
// checked and formatted here.
func init() {
	register(fnExtract, "extract")
	register(fnExtractAll, "extract_all", "extractall")
	register(fnExtractJSON, "extract_json", "extractjson")
	register(fnSplit, "split")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, -1)
		parts := make([]string, len(a)-1)
		for i, v := range a[1:] {
			parts[i] = g.asString(v)
		}
		return "concat_ws(" + g.asString(a[0]) + ", " + strings.Join(parts, ", ") + ")"
	}, "strcat_delim")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		arr := g.asType(a[0], schema.Dynamic)
		return "coalesce(CASE WHEN json_type(" + arr + ") = 'ARRAY' THEN array_to_string(list_transform(CAST(" + arr + " AS JSON[]), __e -> " + dynToString("__e") + "), " + g.asString(a[1]) + ") END, '')"
	}, "strcat_array")
	register(fnSubstring, "substring")
	register(fnIndexOf, "indexof")
	register(fnIndexOfRegex, "indexof_regex")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 3, 3)
		return "replace(" + g.asString(a[0]) + ", " + g.asString(a[1]) + ", " + g.asString(a[2]) + ")"
	}, "replace_string")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 3, 3)
		return "regexp_replace(" + g.asString(a[0]) + ", " + g.regexSQL(x, a[1]) + ", " + g.asString(a[2]) + ", 'g')"
	}, "replace_regex")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 3, 3)
		return "regexp_replace(" + g.asString(a[2]) + ", " + g.regexSQL(x, a[0]) + ", " + g.asString(a[1]) + ", 'g')"
	}, "replace")
	trim := func(start, end bool) scalarFunc {
		return func(g *gen, x *ast.CallExpr, a []arg) string {
			g.need(x, a, 2, 2)
			re, s := g.regexSQL(x, a[0]), g.asString(a[1])
			if start {
				s = "regexp_replace(" + s + ", '^(?:' || " + re + " || ')+', '')"
			}
			if end {
				s = "regexp_replace(" + s + ", '(?:' || " + re + " || ')+$', '')"
			}
			return s
		}
	}
	register(trim(true, true), "trim")
	register(trim(true, false), "trim_start")
	register(trim(false, true), "trim_end")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		if a[0].typ == schema.DateTime {
			// reverse() reads a datetime with all seven fraction digits.
			return "coalesce(reverse(strftime(" + a[0].sql + ", '%Y-%m-%dT%H:%M:%S.%f') || '0Z'), '')"
		}
		return "reverse(" + g.asString(a[0]) + ")"
	}, "reverse")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		s1, s2 := g.asString(a[0]), g.asString(a[1])
		return "CAST(CASE WHEN " + s1 + " < " + s2 + " THEN -1 WHEN " + s1 + " > " + s2 + " THEN 1 ELSE 0 END AS BIGINT)"
	}, "strcmp")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 3)
		s, n := g.asString(a[0]), g.asType(a[1], schema.Long)
		d := "''"
		if len(a) == 3 {
			d = g.asString(a[2])
		}
		return "(CASE WHEN " + n + " IS NULL OR " + n + " <= 0 THEN '' ELSE repeat(" + s + " || " + d + ", CAST(" + n + " AS BIGINT) - 1) || " + s + " END)"
	}, "strrep")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "CAST(octet_length(encode(" + g.asString(a[0]) + ")) AS BIGINT)"
	}, "string_size")
	register(fnCountOf, "countof")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "(NOT regexp_matches(" + g.asString(a[0]) + ", '[^\\x00-\\x7f]'))"
	}, "isascii")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		// Every VARCHAR DuckDB holds is valid UTF-8.
		g.need(x, a, 1, 1)
		return "(" + g.asString(a[0]) + " IS NOT NULL)"
	}, "isutf8")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		// .NET's Regex.Escape: metacharacters and white space.
		g.need(x, a, 1, 1)
		s := "regexp_replace(" + g.asString(a[0]) + ", '([\\\\*+?|{\\[()^$.# ])', '\\\\\\1', 'g')"
		for _, r := range []struct{ code, esc string }{{"9", "\\t"}, {"10", "\\n"}, {"13", "\\r"}, {"12", "\\f"}} {
			s = "replace(" + s + ", chr(" + r.code + "), '" + r.esc + "')"
		}
		return s
	}, "regex_quote")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return g.unicodeCodepoints(a[0])
	}, "unicode_codepoints_from_string", "to_utf8")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, -1)
		parts := make([]string, len(a))
		for i, v := range a {
			if v.typ == schema.Dynamic || v.typ == schema.Invalid {
				parts[i] = "coalesce(array_to_string(list_transform(TRY_CAST(" + v.sql + " AS BIGINT[]), __c -> chr(CAST(__c AS INTEGER))), ''), '')"
			} else {
				parts[i] = "coalesce(chr(CAST(" + v.sql + " AS INTEGER)), '')"
			}
		}
		return "(" + strings.Join(parts, " || ") + ")"
	}, "unicode_codepoints_to_string", "make_string")
	register(fnHasAnyIndex, "has_any_index")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 0, 0)
		return "uuid()"
	}, "new_guid")
	register(fnTranslate, "translate")
	register(fnReplaceStrings, "replace_strings")
	register(fnFormatBytes, "format_bytes")
	register(fnToHex, "tohex")
}

// regexLit returns the text of a literal regular expression argument,
// checked to compile as RE2.
func (g *gen) regexLit(x *ast.CallExpr, a arg, what string) *regexp.Regexp {
	s, ok := litString(a)
	if !ok {
		g.failf(x.Pos(), "%s: the regular expression must be a string literal", what)
	}
	s, err := toRE2(s)
	if err != nil {
		g.failf(x.Pos(), "%s: %v", what, err)
	}
	return regexp.MustCompile(s)
}

// intLit reads an integer literal argument (with an optional minus).
func intLit(e ast.Expr) (int64, bool) {
	neg := false
	if u, ok := e.(*ast.UnaryExpr); ok && u.Op.String() == "-" {
		neg, e = true, u.X
	}
	if p, ok := e.(*ast.ParenExpr); ok {
		return intLit(p.X)
	}
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != ast.LitLong {
		return 0, false
	}
	n, err := strconv.ParseInt(b.Value, 0, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// fromString converts a string (” meaning no value) to type t, as the
// typed forms of extract do.
func (g *gen) fromString(s string, t schema.Type) string {
	if t == schema.String || t == schema.Invalid {
		return s
	}
	v := g.convert(arg{sql: "NULLIF(" + s + ", '')", typ: schema.String}, t)
	if t == schema.DateTime {
		// Also the US forms Kusto reads: 02/17/2016 08:40:01.
		v = "coalesce(" + v + ", try_strptime(" + s + ", ['%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y']))"
	}
	return v
}

func fnExtract(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 3, 4)
	grp, ok := intLit(a[1].e)
	if !ok || grp < 0 {
		g.failf(x.Pos(), "extract: the capture group must be a non-negative integer literal")
	}
	if s, ok := litString(a[0]); ok {
		s, err := toRE2(s)
		if err != nil {
			g.failf(x.Pos(), "extract: %v", err)
		}
		re := regexp.MustCompile(s)
		if int(grp) > re.NumSubexp() {
			// Kusto: a group the regex does not have extracts nothing.
			return uses(g.fromString("''", g.typeOf(x)), a[0], a[1], a[2])
		}
	}
	s := "regexp_extract(" + g.asString(a[2]) + ", " + g.regexSQL(x, a[0]) + ", " + strconv.FormatInt(grp, 10) + ")"
	return uses(g.fromString(s, g.typeOf(x)), a[1])
}

func fnExtractAll(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 2, 3)
	re := g.regexLit(x, a[0], "extract_all")
	src := g.asString(a[len(a)-1])
	pat := g.regexSQL(x, a[0])
	var groups []int
	if len(a) == 3 {
		dl, ok := a[1].e.(*ast.DynamicLit)
		if !ok {
			g.failf(x.Pos(), "extract_all: the capture groups must be a dynamic array literal")
		}
		v, err := jsonValue(dl.Value)
		list, isList := v.([]any)
		if err != nil || !isList || len(list) == 0 {
			g.failf(x.Pos(), "extract_all: the capture groups must be a non-empty array")
		}
		names := re.SubexpNames()
		for _, el := range list {
			switch e := el.(type) {
			case int64:
				if e < 0 || int(e) > re.NumSubexp() {
					g.failf(x.Pos(), "extract_all: capture group %d is out of range", e)
				}
				groups = append(groups, int(e))
			case string:
				found := -1
				for i, n := range names {
					if n == e && i > 0 {
						found = i
					}
				}
				if found < 0 {
					g.failf(x.Pos(), "extract_all: no capture group named %q", e)
				}
				groups = append(groups, found)
			default:
				g.failf(x.Pos(), "extract_all: capture groups are numbers or names")
			}
		}
	} else {
		switch n := re.NumSubexp(); n {
		case 0:
			groups = []int{0}
		case 1:
			groups = []int{1}
		default:
			for i := 1; i <= n; i++ {
				groups = append(groups, i)
			}
		}
	}
	var list string
	if len(groups) == 1 && len(a) == 2 {
		list = "regexp_extract_all(" + src + ", " + pat + ", " + strconv.Itoa(groups[0]) + ")"
	} else {
		lists := make([]string, len(groups))
		for i, gr := range groups {
			lists[i] = "regexp_extract_all(" + src + ", " + pat + ", " + strconv.Itoa(gr) + ")"
		}
		elems := make([]string, len(groups))
		for i := range groups {
			elems[i] = "__l" + strconv.Itoa(i) + "[__i]"
		}
		// Bind each group's list to a name with a one-element list so the
		// per-match lambda can index them.
		inner := "list_transform(range(1, len(__l0) + 1), __i -> [" + strings.Join(elems, ", ") + "])"
		for i := len(groups) - 1; i >= 0; i-- {
			inner = "list_transform([" + lists[i] + "], __l" + strconv.Itoa(i) + " -> " + inner + ")[1]"
		}
		list = inner
	}
	out := "(CASE WHEN len(" + list + ") = 0 THEN CAST(NULL AS JSON) ELSE to_json(" + list + ") END)"
	if len(a) == 3 {
		out = uses(out, a[1])
	}
	return out
}

func fnExtractJSON(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 2, 3)
	path := g.asString(a[0])
	if lit, ok := litString(a[0]); ok {
		p, err := duckJSONPath(lit)
		if err != nil {
			g.failf(x.Pos(), "extract_json: %v", err)
		}
		path = uses(g.typedParam(p, schema.String), a[0])
	}
	v := "json_extract(TRY_CAST(" + g.asString(a[1]) + " AS JSON), " + path + ")"
	t := g.typeOf(x)
	if t == schema.Dynamic {
		return v
	}
	return g.fromString(dynToString(v), t)
}

func fnSplit(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 2, 3)
	l := "string_split(" + g.asString(a[0]) + ", " + g.asString(a[1]) + ")"
	if len(a) == 2 {
		return "to_json(" + l + ")"
	}
	i := g.asType(a[2], schema.Long)
	return "to_json(CASE WHEN " + i + " >= 0 AND " + i + " < len(" + l + ") THEN [" + l + "[" + i + " + 1]] ELSE CAST([] AS VARCHAR[]) END)"
}

// fnSubstring: a negative start counts from the end; a negative length
// takes nothing.
func fnSubstring(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 2, 3)
	s := g.asString(a[0])
	v := g.asType(a[1], schema.Long)
	st := "(CASE WHEN " + v + " < 0 THEN greatest(length(" + s + ") + " + v + ", 0) ELSE " + v + " END)"
	if len(a) == 2 {
		return "coalesce(substring(" + s + ", " + st + " + 1), '')"
	}
	n := "greatest(" + g.asType(a[2], schema.Long) + ", 0)"
	return "coalesce(substring(" + s + ", " + st + " + 1, " + n + "), '')"
}

// fnIndexOf: Kusto searches count characters from start (a negative
// start counts from the end); each further occurrence is searched from
// one past the previous one, with the same count.
func fnIndexOf(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 2, 5)
	s, m := g.asString(a[0]), g.asString(a[1])
	st := "CAST(0 AS BIGINT)"
	if len(a) >= 3 {
		v := g.asType(a[2], schema.Long)
		st = "(CASE WHEN " + v + " < 0 THEN greatest(length(" + s + ") + " + v + ", 0) ELSE " + v + " END)"
	}
	cnt := "CAST(-1 AS BIGINT)"
	if len(a) >= 4 {
		cnt = g.asType(a[3], schema.Long)
	}
	occ := int64(1)
	if len(a) == 5 {
		n, ok := intLit(a[4].e)
		if !ok || n < 1 {
			g.failf(x.Pos(), "indexof: the occurrence must be a positive integer literal")
		}
		occ = n
	}
	// find(from): the first match at or after from, within cnt characters.
	find := func(from string) string {
		win := "substring(" + s + ", " + from + " + 1, CASE WHEN " + cnt + " < 0 THEN length(" + s + ") + 1 ELSE " + cnt + " END)"
		return "(CASE WHEN " + from + " < 0 THEN -1 WHEN strpos(" + win + ", " + m + ") = 0 THEN -1 ELSE " + from + " + strpos(" + win + ", " + m + ") - 1 END)"
	}
	res := find(st)
	if occ > 1 {
		res = "list_reduce(range(" + strconv.FormatInt(occ-1, 10) + "), (__p, __k) -> CASE WHEN __p < 0 THEN __p ELSE " + find("__p + 1") + " END, CAST(" + res + " AS BIGINT))"
	}
	out := "CAST(CASE WHEN " + st + " > length(" + s + ") THEN -1 ELSE " + res + " END AS BIGINT)"
	if len(a) == 5 {
		out = uses(out, a[4])
	}
	return out
}

// fnIndexOfRegex: matches do not overlap; the position of the n-th match
// is the length of the text before it: the pieces regexp_split_to_array
// leaves between matches plus the matches before it.
func fnIndexOfRegex(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 2, 5)
	s, re := g.asString(a[0]), g.regexSQL(x, a[1])
	st := "CAST(0 AS BIGINT)"
	if len(a) >= 3 {
		st = g.asType(a[2], schema.Long)
	}
	cnt := "CAST(-1 AS BIGINT)"
	if len(a) >= 4 {
		cnt = g.asType(a[3], schema.Long)
	}
	occ := "CAST(1 AS BIGINT)"
	if len(a) == 5 {
		occ = g.asType(a[4], schema.Long)
	}
	win := "substring(" + s + ", " + st + " + 1, CASE WHEN " + cnt + " < 0 THEN length(" + s + ") + 1 ELSE " + cnt + " END)"
	pieces := "regexp_split_to_array(" + win + ", " + re + ")"
	matches := "regexp_extract_all(" + win + ", " + re + ")"
	pos := st + " + list_sum(list_transform(" + pieces + "[1:" + occ + "], __p -> length(__p))) + coalesce(list_sum(list_transform(" + matches + "[1:" + occ + " - 1], __p -> length(__p))), 0)"
	return "CAST(CASE WHEN " + st + " < 0 OR " + occ + " < 1 THEN NULL WHEN " + st + " > length(" + s + ") THEN -1 WHEN len(" + matches + ") < " + occ + " THEN -1 ELSE " + pos + " END AS BIGINT)"
}

// fnCountOf: normal counts overlapping occurrences of a plain string;
// regex counts matches.
func fnCountOf(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 2, 3)
	kind := "normal"
	if len(a) == 3 {
		k, ok := litString(a[2])
		if !ok {
			g.failf(x.Pos(), "countof: the kind must be a string literal")
		}
		kind = k
	}
	s, m := g.asString(a[0]), g.asString(a[1])
	var out string
	switch kind {
	case "normal":
		out = "CAST(CASE WHEN length(" + m + ") = 0 THEN 0 ELSE len(list_filter(range(length(" + s + ")), __i -> substring(" + s + ", __i + 1, length(" + m + ")) = " + m + ")) END AS BIGINT)"
	case "regex":
		out = "CAST(len(regexp_extract_all(" + s + ", " + g.regexSQL(x, a[1]) + ")) AS BIGINT)"
	default:
		g.failf(x.Pos(), "countof: kind must be normal or regex")
	}
	if len(a) == 3 {
		out = uses(out, a[2])
	}
	return out
}

func (g *gen) unicodeCodepoints(a arg) string {
	s := g.asString(a)
	return "to_json(CASE WHEN " + s + " = '' THEN CAST([] AS BIGINT[]) ELSE list_transform(string_split(" + s + ", ''), __c -> CAST(unicode(__c) AS BIGINT)) END)"
}

// fnHasAnyIndex: the index of the first value the source has as a term.
func fnHasAnyIndex(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 2, 2)
	s := g.asString(a[0])
	arr := g.asType(a[1], schema.Dynamic)
	match := "list_transform(CAST(" + arr + " AS JSON[]), __e -> " + dynToString("__e") + " <> '' AND regexp_matches(" + s + ", '(?i)(?:^|[^0-9A-Za-z])' || regexp_escape(" + dynToString("__e") + ") || '(?:$|[^0-9A-Za-z])'))"
	return "CAST(CASE WHEN json_type(" + arr + ") <> 'ARRAY' THEN -1 ELSE coalesce(list_position(" + match + ", true), 0) - 1 END AS BIGINT)"
}

// fnTranslate maps each character of the search list to the one at the
// same place in the replacement list; extra search characters map to
// the replacement's last character, or are removed when it is empty.
func fnTranslate(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 3, 3)
	from, to, s := g.asString(a[0]), g.asString(a[1]), g.asString(a[2])
	padded := "(CASE WHEN length(" + to + ") = 0 OR length(" + to + ") >= length(" + from + ") THEN " + to + " ELSE " + to + " || repeat(right(" + to + ", 1), length(" + from + ") - length(" + to + ")) END)"
	return "translate(" + s + ", " + from + ", " + padded + ")"
}

// fnFormatBytes: 1024-based units, rounded to precision decimals.
func fnFormatBytes(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 1, 3)
	v := g.asType(a[0], schema.Real)
	prec := int64(0)
	if len(a) >= 2 {
		p, ok := intLit(a[1].e)
		if !ok || p < 0 || p > 15 {
			g.failf(x.Pos(), "format_bytes: the precision must be an integer literal between 0 and 15")
		}
		prec = p
	}
	units := []string{"Bytes", "KB", "MB", "GB", "TB", "PB", "EB"}
	exp := "(CASE WHEN abs(" + v + ") < 1024 THEN 0 ELSE least(floor(log(abs(" + v + ")) / log(1024)), 6) END)"
	if len(a) == 3 {
		u, ok := litString(a[2])
		if !ok {
			g.failf(x.Pos(), "format_bytes: the unit must be a string literal")
		}
		found := -1
		for i, n := range units {
			if strings.EqualFold(n, u) || i == 0 && strings.EqualFold(u, "B") {
				found = i
			}
		}
		if found < 0 {
			g.failf(x.Pos(), "format_bytes: unknown unit %q", u)
		}
		exp = strconv.Itoa(found)
	}
	unit := "['Bytes', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'][CAST(" + exp + " AS INTEGER) + 1]"
	num := "printf('%." + strconv.FormatInt(prec, 10) + "f', round(" + v + " / pow(1024, " + exp + "), " + strconv.FormatInt(prec, 10) + "))"
	return uses("CASE WHEN "+v+" IS NULL THEN '' ELSE "+num+" || ' ' || "+unit+" END", a[1:]...)
}

// fnToHex: two's complement over 64 bits for long, 32 for int, padded
// to the minimum length.
func fnToHex(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 1, 2)
	v := a[0].sql
	var h string
	switch a[0].typ {
	case schema.Int:
		h = "lower(to_hex(CAST(" + v + " AS BIGINT) & 4294967295))"
	case schema.Long:
		h = "lower(to_hex(" + v + "))"
	default:
		h = "lower(to_hex(" + g.asType(a[0], schema.Long) + "))"
	}
	if len(a) == 2 {
		n := g.asType(a[1], schema.Long)
		h = "(CASE WHEN length(" + h + ") >= " + n + " THEN " + h + " ELSE lpad(" + h + ", CAST(" + n + " AS INTEGER), '0') END)"
	}
	return "coalesce(" + h + ", '')"
}

// uses keeps the bind parameters of arguments read at compile time (a
// capture group number, a kind) in the SQL: DuckDB rejects a statement
// with a parameter it does not reference. The value of expr is kept.
func uses(expr string, read ...arg) string {
	for _, a := range read {
		if a.sql == "" {
			continue
		}
		expr = "(CASE WHEN (" + a.sql + ") IS NOT NULL OR true THEN " + expr + " END)"
	}
	return expr
}

// duckJSONPath rewrites a Kusto JSONPath ($.a, $['a b'], $.x[0]) in the
// form DuckDB reads: every key quoted ($."a b").
func duckJSONPath(p string) (string, error) {
	p = strings.TrimSpace(p)
	if !strings.HasPrefix(p, "$") {
		return "", fmt.Errorf("a JSON path starts with $: %q", p)
	}
	var b strings.Builder
	b.WriteString("$")
	key := func(k string) error {
		if strings.ContainsAny(k, "\"\\") {
			return fmt.Errorf("JSON path key %q is not supported", k)
		}
		b.WriteString(".\"" + k + "\"")
		return nil
	}
	for i := 1; i < len(p); {
		switch {
		case p[i] == '.':
			j := i + 1
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			if j == i+1 {
				return "", fmt.Errorf("bad JSON path %q", p)
			}
			if err := key(p[i+1 : j]); err != nil {
				return "", err
			}
			i = j
		case p[i] == '[' && i+1 < len(p) && (p[i+1] == '\'' || p[i+1] == '"'):
			q := p[i+1]
			end := strings.IndexByte(p[i+2:], q)
			if end < 0 || i+2+end+1 >= len(p) || p[i+2+end+1] != ']' {
				return "", fmt.Errorf("bad JSON path %q", p)
			}
			if err := key(p[i+2 : i+2+end]); err != nil {
				return "", err
			}
			i = i + 2 + end + 2
		case p[i] == '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return "", fmt.Errorf("bad JSON path %q", p)
			}
			idx := strings.TrimSpace(p[i+1 : i+end])
			if _, err := strconv.Atoi(idx); err != nil {
				return "", fmt.Errorf("JSON path index %q is not supported", idx)
			}
			b.WriteString("[" + idx + "]")
			i += end + 1
		default:
			return "", fmt.Errorf("bad JSON path %q", p)
		}
	}
	return b.String(), nil
}

// netNamedGroup is .NET's (?<name>...), which RE2 spells (?P<name>...).
var netNamedGroup = regexp.MustCompile(`\(\?<([A-Za-z_][A-Za-z0-9_]*)>`)

// toRE2 rewrites what RE2 spells differently and checks that the
// expression compiles.
func toRE2(s string) (string, error) {
	s = netNamedGroup.ReplaceAllString(s, "(?P<$1>")
	if _, err := regexp.Compile(s); err != nil {
		return "", fmt.Errorf("bad regular expression (RE2 syntax: no lookaround or backreferences): %v", err)
	}
	return s, nil
}

// regexSQL is a regular expression argument: a literal is checked and
// rewritten for RE2 at compile time; other values pass as they are.
func (g *gen) regexSQL(x *ast.CallExpr, a arg) string {
	lit, ok := litString(a)
	if !ok {
		return g.asString(a)
	}
	re, err := toRE2(lit)
	if err != nil {
		g.failf(x.Pos(), "%v", err)
	}
	if re == lit {
		return a.sql
	}
	return uses(g.typedParam(re, schema.String), a)
}

// fnReplaceStrings replaces every lookup: earlier lookups take
// precedence over the whole text, and what one lookup matched is not
// searched by later ones. So the text is split on the first lookup, the
// pieces are processed with the rest, and joined with its rewrite. A
// rewrite that is not a string keeps the matched text.
func fnReplaceStrings(g *gen, x *ast.CallExpr, a []arg) string {
	g.need(x, a, 3, 3)
	list := func(e ast.Expr) []any {
		dl, ok := e.(*ast.DynamicLit)
		if !ok {
			g.failf(x.Pos(), "replace_strings: lookups and rewrites must be dynamic array literals")
		}
		v, err := jsonValue(dl.Value)
		l, isList := v.([]any)
		if err != nil || !isList {
			g.failf(x.Pos(), "replace_strings: lookups and rewrites must be arrays")
		}
		return l
	}
	lookups, rewrites := list(a[1].e), list(a[2].e)
	type pair struct{ look, rewrite string }
	var pairs []pair
	for i, l := range lookups {
		ls, ok := l.(string)
		if !ok || ls == "" {
			continue
		}
		p := pair{look: g.typedParam(ls, schema.String)}
		p.rewrite = p.look
		if i < len(rewrites) {
			if r, ok := rewrites[i].(string); ok {
				p.rewrite = g.typedParam(r, schema.String)
			}
		}
		pairs = append(pairs, p)
	}
	var level func(k int, t string) string
	level = func(k int, t string) string {
		if k == len(pairs) {
			return t
		}
		v := "__rs" + strconv.Itoa(k)
		return "array_to_string(list_transform(string_split(" + t + ", " + pairs[k].look + "), " + v + " -> " + level(k+1, v) + "), " + pairs[k].rewrite + ")"
	}
	return uses(level(0, g.asString(a[0])), a[1], a[2])
}
