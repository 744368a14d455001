package sqlgen

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
)

// parse, parse-where and parse-kv. Each builds one RE2 regular
// expression in Go from the pattern and binds it as a parameter; the
// captures are converted to the declared types.
func init() {
	registerOp("parse", func(g *gen, o ast.Operator, in *rel) *rel {
		return g.parseOp(o.(*ast.ParseOp), in)
	})
	registerOp("parse-kv", func(g *gen, o ast.Operator, in *rel) *rel {
		return g.parseKv(o.(*ast.ParseKvOp), in)
	})
}

// optText is the text of an option's value: a word, a string or a literal.
func optText(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.StringLit:
		return x.Value
	case *ast.BasicLit:
		return x.Value
	}
	return ""
}

// parsedCol is a column a parse pattern assigns.
type parsedCol struct {
	name  string
	typ   schema.Type
	group string // the name of its capture group in the regex
}

func colType(cols []check.Column, name string) schema.Type {
	for _, c := range cols {
		if c.Name == name {
			return c.Type
		}
	}
	return schema.String
}

// numberRegex matches what a numeric column accepts in a parse pattern.
func numberRegex(t schema.Type) string {
	switch t {
	case schema.Int, schema.Long:
		return `-?\d+`
	case schema.Real, schema.Decimal:
		return `-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?`
	}
	return ""
}

func (g *gen) parseOp(x *ast.ParseOp, in *rel) *rel {
	kind, flags := "simple", ""
	for _, opt := range x.Options {
		switch strings.ToLower(opt.Name) {
		case "kind":
			kind = strings.ToLower(optText(opt.Value))
		case "flags":
			flags = optText(opt.Value)
		default:
			g.failf(x.Pos(), "parse: unknown option %s", opt.Name)
		}
	}
	switch kind {
	case "simple", "regex", "relaxed":
	default:
		g.failf(x.Pos(), "parse: kind must be simple, regex or relaxed")
	}
	if flags != "" {
		if kind != "regex" {
			g.failf(x.Pos(), "parse: flags need kind=regex")
		}
		if strings.Trim(flags, "imsU") != "" {
			g.failf(x.Pos(), "parse: flags may only hold i, m, s and U")
		}
	}
	out := g.tableCols(x)
	in = g.orderFor(in, out)
	// Not anchored: the first constant is searched for, as in Kusto
	// (parse s with "key=" v finds "key=" anywhere; a leading column
	// starts at the beginning of the text).
	var re strings.Builder
	if flags != "" {
		re.WriteString("(?" + flags + ")")
	}
	var cols []parsedCol
	for i, p := range x.Pattern {
		last := i == len(x.Pattern)-1
		var name string
		switch v := p.(type) {
		case *ast.Star:
			re.WriteString(".*?")
			continue
		case *ast.StringLit:
			if kind == "regex" {
				frag := netNamedGroup.ReplaceAllString(v.Value, "(?P<$1>")
				if _, err := regexp.Compile(frag); err != nil {
					g.failf(v.Pos(), "parse: bad regular expression %q (RE2 syntax): %v", v.Value, err)
				}
				re.WriteString("(?:" + frag + ")")
			} else {
				re.WriteString(regexp.QuoteMeta(v.Value))
			}
			continue
		case *ast.Ident:
			name = v.Name
		case *ast.ColumnDecl:
			if v.Name == nil {
				g.failf(x.Pos(), "parse: a pattern column needs a name")
			}
			name = v.Name.Name
		default:
			g.failf(x.Pos(), "parse: unexpected item in the pattern")
		}
		t := colType(out, name)
		grp := "c" + strconv.Itoa(len(cols))
		cols = append(cols, parsedCol{name: name, typ: t, group: grp})
		body := ""
		if kind != "relaxed" {
			// Relaxed: a value that is not a number leaves the column null
			// instead of failing the match.
			body = numberRegex(t)
		}
		// A string column is lazy, except the last one (the rest of the
		// text) and in regex mode, where the documented outputs show
		// greedy columns that flags=U makes lazy.
		switch {
		case body != "":
		case kind == "regex" || last:
			body = ".*"
		default:
			body = ".*?"
		}
		re.WriteString("(?P<" + grp + ">" + body + ")")
	}
	if len(cols) == 0 {
		g.failf(x.Pos(), "parse: the pattern assigns no column")
	}
	compiled, err := regexp.Compile(re.String())
	if err != nil {
		g.failf(x.Pos(), "parse: the pattern makes a bad regular expression: %v", err)
	}
	// A column's capture is its group, counted over the whole regex
	// (a kind=regex pattern may hold groups of its own).
	index := map[string]int{}
	for i, nm := range compiled.SubexpNames() {
		if nm != "" {
			index[nm] = i
		}
	}
	src := g.toStringSQL(g.expr(x.X, in), g.typeOf(x.X))
	pat := g.typedParam(re.String(), schema.String)
	inner := "SELECT *"
	for _, c := range cols {
		inner += ", regexp_extract(__src, " + pat + ", " + strconv.Itoa(index[c.group]) + ") AS \"__parse_" + c.group + "\""
	}
	inner += ", regexp_matches(__src, " + pat + ") AS \"__parse_ok\" FROM (SELECT *, " + src + " AS __src FROM " + in.name + ") AS __a"
	// Middle: each column converted, and the row's verdict: a strict
	// parse fails when a typed capture does not convert.
	conv := make([]string, len(cols))
	ok := []string{"\"__parse_ok\""}
	for i, c := range cols {
		field := "\"__parse_" + c.group + "\""
		conv[i] = g.fromString(field, c.typ)
		if c.typ != schema.String && kind != "relaxed" {
			ok = append(ok, "("+conv[i]+") IS NOT NULL")
		}
	}
	middle := "SELECT *"
	for i, v := range conv {
		middle += ", " + v + " AS \"__pv" + strconv.Itoa(i) + "\""
	}
	middle += ", (" + strings.Join(ok, " AND ") + ") AS \"__pok\" FROM (" + inner + ") AS __b"
	sel := make([]string, len(out))
	for i, c := range out {
		sel[i] = quote(c.Name)
		for j, pc := range cols {
			if pc.name == c.Name {
				def := "NULL"
				if c.Type == schema.String {
					def = "''"
				}
				sel[i] = "CAST(CASE WHEN \"__pok\" THEN \"__pv" + strconv.Itoa(j) + "\" ELSE " + def + " END AS " + sqlType(c.Type) + ") AS " + quote(c.Name)
			}
		}
	}
	body := "SELECT " + strings.Join(sel, ", ") + carry(in) + " FROM (" + middle + ") AS __c"
	op := "parse"
	if x.Where {
		body += " WHERE \"__pok\""
		op = "parse-where"
	}
	return keep(g.cte(op, x.Pos(), body, out), out, in)
}

// parseKv extracts the values of the schema's keys. With delimiters, a
// key is found after the start or a pair delimiter; its value runs to the
// next pair delimiter (or, greedy, to the next key), unless quoted. With
// regex=, the regex's two groups are each match's key and value. With
// neither, any character that is not a letter or a digit delimits.
func (g *gen) parseKv(x *ast.ParseKvOp, in *rel) *rel {
	props := map[string]string{}
	var quotes, escapes []string // may repeat
	if x.With != nil {
		for _, p := range x.With.Props {
			n, v := strings.ToLower(p.Name), optText(p.Value)
			props[n] = v
			switch {
			case n == "quote" && v != "":
				quotes = append(quotes, v)
			case n == "escape" && v != "":
				escapes = append(escapes, v)
			}
		}
	}
	for k := range props {
		switch k {
		case "pair_delimiter", "kv_delimiter", "quote", "escape", "greedy", "regex":
		default:
			g.failf(x.Pos(), "parse-kv: unknown property %s", k)
		}
	}
	out := g.tableCols(x)
	in = g.orderFor(in, out)
	var keys []string
	if x.Schema != nil {
		for _, c := range x.Schema.Columns {
			if c != nil && c.Name != nil {
				keys = append(keys, c.Name.Name)
			}
		}
	}
	src := g.toStringSQL(g.expr(x.X, in), g.typeOf(x.X))
	vals := map[string]string{}
	if rx, ok := props["regex"]; ok {
		re, err := regexp.Compile(rx)
		if err != nil || re.NumSubexp() != 2 {
			g.failf(x.Pos(), "parse-kv: regex must be valid and have two capture groups (key and value)")
		}
		p := g.typedParam(rx, schema.String)
		ks := "regexp_extract_all(__src, " + p + ", 1)"
		vs := "regexp_extract_all(__src, " + p + ", 2)"
		for _, k := range keys {
			vals[k] = "coalesce(" + vs + "[list_position(list_transform(" + ks + ", __k -> trim(__k)), " + g.typedParam(k, schema.String) + ")], '')"
		}
	} else {
		pd, kd := props["pair_delimiter"], props["kv_delimiter"]
		esc := ""
		for _, e := range escapes {
			esc += regexp.QuoteMeta(e)
		}
		greedy := strings.EqualFold(props["greedy"], "true")
		var before, kvSep, unquoted string
		switch {
		case pd != "" && kd != "":
			before = `(?:^|` + regexp.QuoteMeta(pd) + `)\s*`
			kvSep = `\s*` + regexp.QuoteMeta(kd) + `\s*`
			if greedy {
				unquoted = `(.*?)\s*(?:` + regexp.QuoteMeta(pd) + `[^` + regexp.QuoteMeta(pd) + `]*?` + regexp.QuoteMeta(kd) + `|$)`
			} else {
				unquoted = `([^` + regexp.QuoteMeta(pd) + `]*)`
			}
		case pd == "" && kd == "":
			// Any character that is not a letter or digit delimits.
			before = `(?:^|[^\p{L}\p{N}])`
			kvSep = `[^\p{L}\p{N}]+?`
			unquoted = `([\p{L}\p{N}]+)`
		default:
			g.failf(x.Pos(), "parse-kv: give both pair_delimiter and kv_delimiter, or neither")
		}
		for _, k := range keys {
			// The key, bare or quoted; the value quoted (one group per
			// quote pair) or bare (the last group).
			key := regexp.QuoteMeta(k)
			keyAlts := []string{key}
			var valAlts []string
			for _, q := range quotes {
				rs := []rune(q)
				qo, qc := regexp.QuoteMeta(string(rs[0])), regexp.QuoteMeta(string(rs[len(rs)-1]))
				keyAlts = append(keyAlts, qo+key+qc)
				body := `[^` + qc + `]*`
				if esc != "" {
					body = `(?:[` + esc + `].|[^` + qc + esc + `])*`
				}
				valAlts = append(valAlts, qo+`(`+body+`)`+qc)
			}
			valAlts = append(valAlts, unquoted)
			re := before + `(?:` + strings.Join(keyAlts, "|") + `)` + kvSep + `(?:` + strings.Join(valAlts, "|") + `)`
			if _, err := regexp.Compile(re); err != nil {
				g.failf(x.Pos(), "parse-kv: the options make a bad regular expression: %v", err)
			}
			p := g.typedParam(re, schema.String)
			group := func(i int) string { return "regexp_extract(__src, " + p + ", " + strconv.Itoa(i) + ")" }
			v := "trim(" + group(len(quotes)+1) + ")"
			for i := len(quotes); i >= 1; i-- {
				quoted := group(i)
				if esc != "" {
					quoted = "regexp_replace(" + quoted + ", " + g.typedParam(`[`+esc+`](.)`, schema.String) + ", '\\1', 'g')"
				}
				v = "(CASE WHEN " + group(i) + " <> '' THEN " + quoted + " ELSE " + v + " END)"
			}
			vals[k] = v
		}
	}
	sel := make([]string, len(out))
	for i, c := range out {
		sel[i] = quote(c.Name)
		if v, ok := vals[c.Name]; ok {
			sel[i] = "CAST(" + g.fromString(v, c.Type) + " AS " + sqlType(c.Type) + ") AS " + quote(c.Name)
		}
	}
	body := "SELECT " + strings.Join(sel, ", ") + carry(in) + " FROM (SELECT *, " + src + " AS __src FROM " + in.name + ") AS __a"
	return keep(g.cte("parse-kv", x.Pos(), body, out), out, in)
}
