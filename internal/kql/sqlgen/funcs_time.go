package sqlgen

import (
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// Datetime and timespan functions. A datetime is a TIMESTAMP in UTC with
// microsecond precision (Kusto counts 100 ns ticks: the last digit of a
// tick count is lost); a timespan is an INTERVAL built from microseconds.
//
// Kusto's week starts on Sunday; its calendar parts and names are
// .NET's (invariant culture).
func init() {
	dt := func(a arg, g *gen) string { return g.asType(a, schema.DateTime) }
	intPart := func(sqlFn string) scalarFunc {
		return func(g *gen, x *ast.CallExpr, a []arg) string {
			g.need(x, a, 1, 1)
			return "CAST(" + sqlFn + "(" + dt(a[0], g) + ") AS INTEGER)"
		}
	}
	register(intPart("day"), "dayofmonth")
	register(intPart("dayofyear"), "dayofyear")
	register(intPart("month"), "monthofyear", "getmonth")
	register(intPart("year"), "getyear")
	register(intPart("hour"), "hourofday")
	// Kusto's weekofyear and week_of_year are ISO 8601 weeks, as
	// DuckDB's week().
	register(intPart("week"), "weekofyear", "week_of_year")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 1)
		return "to_microseconds(CAST(dayofweek(" + dt(a[0], g) + ") AS BIGINT) * 86400000000)"
	}, "dayofweek")

	startEnd := func(unit string, end bool) scalarFunc {
		return func(g *gen, x *ast.CallExpr, a []arg) string {
			g.need(x, a, 1, 2)
			off := ""
			if len(a) == 2 {
				off = g.asType(a[1], schema.Long)
			}
			return g.startOf(unit, dt(a[0], g), off, end)
		}
	}
	for _, u := range []string{"day", "week", "month", "year"} {
		register(startEnd(u, false), "startof"+u)
		register(startEnd(u, true), "endof"+u)
	}

	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		d := dt(a[1], g)
		return g.byPart(x, "datetime_part", a[0], datetimeParts, func(part string) string {
			return "CAST(" + datetimePartSQL(part, d) + " AS INTEGER)"
		})
	}, "datetime_part", "datepart")

	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 3, 3)
		n := g.asType(a[1], schema.Long)
		d := dt(a[2], g)
		return g.byPart(x, "datetime_add", a[0], calendarParts, func(part string) string {
			return datetimeAddSQL(part, n, d)
		})
	}, "datetime_add")

	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 3, 3)
		d1, d2 := dt(a[1], g), dt(a[2], g)
		return g.byPart(x, "datetime_diff", a[0], calendarParts, func(part string) string {
			return "CAST(" + datetimeDiffSQL(part, d1, d2) + " AS BIGINT)"
		})
	}, "datetime_diff")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 6)
		if len(a) == 1 {
			return g.convert(a[0], schema.DateTime)
		}
		if len(a) < 3 {
			g.failf(x.Pos(), "make_datetime needs year, month and day")
		}
		parts := []string{}
		for i := 0; i < 5; i++ {
			if i < len(a) {
				parts = append(parts, "CAST("+g.asType(a[i], schema.Long)+" AS BIGINT)")
			} else {
				parts = append(parts, "0")
			}
		}
		sec := "0"
		if len(a) == 6 {
			sec = "CAST(" + g.asType(a[5], schema.Real) + " AS DOUBLE)"
		}
		y, mo, d, h, mi := parts[0], parts[1], parts[2], parts[3], parts[4]
		// Out-of-range parts give null, as in Kusto (and no DuckDB
		// error): the day is tested once the month is known valid.
		return "(CASE WHEN " + y + " BETWEEN 1 AND 9999 AND " + mo + " BETWEEN 1 AND 12 THEN (CASE WHEN " +
			d + " BETWEEN 1 AND day(last_day(make_date(" + y + ", " + mo + ", 1))) AND " +
			h + " BETWEEN 0 AND 23 AND " + mi + " BETWEEN 0 AND 59 AND " + sec + " >= 0 AND " + sec + " < 60 " +
			"THEN make_timestamp(" + strings.Join(parts, ", ") + ", " + sec + ") END) END)"
	}, "make_datetime")

	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 1, 4)
		if len(a) == 1 {
			return g.convert(a[0], schema.TimeSpan)
		}
		units := []string{"86400", "3600", "60", "1"}
		if len(a) < 4 {
			units = units[1 : 1+len(a)]
		}
		terms := make([]string, len(a))
		for i, v := range a {
			terms[i] = "CAST(" + g.asType(v, schema.Real) + " AS DOUBLE) * " + units[i]
		}
		return "to_microseconds(CAST(round((" + strings.Join(terms, " + ") + ") * 1000000) AS BIGINT))"
	}, "make_timespan")

	unix := func(perUS int64, div bool) scalarFunc {
		return func(g *gen, x *ast.CallExpr, a []arg) string {
			g.need(x, a, 1, 1)
			// Kusto's datetimes span years 1 to 9999: beyond is null.
			const lo, hi = int64(-62135596800000000), int64(253402300799999999)
			if isInteger(a[0].typ) {
				n := "CAST(" + a[0].sql + " AS BIGINT)"
				if div {
					return "make_timestamp(" + n + " // " + strconv.FormatInt(perUS, 10) + ")"
				}
				return "(CASE WHEN " + n + " BETWEEN " + g.typedParam(lo/perUS, schema.Long) + " AND " + g.typedParam(hi/perUS, schema.Long) +
					" THEN make_timestamp(" + n + " * " + strconv.FormatInt(perUS, 10) + ") END)"
			}
			op := " * "
			if div {
				op = " / "
			}
			us := "round(CAST(" + g.asType(a[0], schema.Real) + " AS DOUBLE)" + op + strconv.FormatInt(perUS, 10) + ")"
			return "(CASE WHEN " + us + " BETWEEN " + g.typedParam(float64(lo), schema.Real) + " AND " + g.typedParam(float64(hi), schema.Real) +
				" THEN make_timestamp(CAST(" + us + " AS BIGINT)) END)"
		}
	}
	register(unix(1000000, false), "unixtime_seconds_todatetime")
	register(unix(1000, false), "unixtime_milliseconds_todatetime")
	register(unix(1, false), "unixtime_microseconds_todatetime")
	register(unix(1000, true), "unixtime_nanoseconds_todatetime")

	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		// The UTC instant seen on the zone's wall clock.
		return "timezone(" + g.asString(a[1]) + ", timezone('UTC', " + dt(a[0], g) + "))"
	}, "datetime_utc_to_local")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		// The zone's wall-clock time as a UTC instant. ICU reads a time
		// that a spring-forward gap skips with the offset before the
		// gap; Kusto uses the one after: take the offset in force at
		// ICU's instant and apply it to the wall-clock time.
		d, tz := dt(a[0], g), g.asString(a[1])
		u := "timezone('UTC', timezone(" + tz + ", " + d + "))"
		return "(" + d + " - (timezone(" + tz + ", timezone('UTC', " + u + ")) - " + u + "))"
	}, "datetime_local_to_utc")

	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 0, 0)
		// ICU's zones, which the two functions above accept.
		return "(SELECT CAST(to_json(list(name ORDER BY name)) AS JSON) FROM pg_timezone_names())"
	}, "datetime_list_timezones")

	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 3, 3)
		v, c, d := a[0], a[1], a[2]
		t := v.typ
		if t == schema.Dynamic || t == schema.Invalid {
			t = c.typ
		}
		switch t {
		case schema.DateTime, schema.TimeSpan:
			vs, cs := g.asType(v, t), g.asType(c, t)
			ds := g.asType(d, schema.TimeSpan)
			return "(" + vs + " BETWEEN " + cs + " - " + ds + " AND " + cs + " + " + ds + ")"
		}
		if !isNumber(t) {
			g.failf(x.Pos(), "around() needs numbers, datetimes or timespans")
		}
		vs, cs, ds := g.asType(v, schema.Real), g.asType(c, schema.Real), g.asType(d, schema.Real)
		return "(" + vs + " BETWEEN " + cs + " - " + ds + " AND " + cs + " + " + ds + ")"
	}, "around")

	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		f, ok := litString(a[1])
		if !ok {
			g.failf(x.Pos(), "format_datetime needs a constant format")
		}
		return g.formatDatetime(x, dt(a[0], g), f)
	}, "format_datetime")
	register(func(g *gen, x *ast.CallExpr, a []arg) string {
		g.need(x, a, 2, 2)
		f, ok := litString(a[1])
		if !ok {
			g.failf(x.Pos(), "format_timespan needs a constant format")
		}
		return g.formatTimespan(x, g.asType(a[0], schema.TimeSpan), f)
	}, "format_timespan")
}

// datetimeParts are datetime_part's part names; calendarParts those of
// datetime_add and datetime_diff.
var datetimeParts = []string{"year", "quarter", "month", "week_of_year", "weekofyear", "week", "day", "dayofyear",
	"hour", "minute", "second", "millisecond", "microsecond", "nanosecond"}

var calendarParts = []string{"year", "quarter", "month", "week", "day", "hour", "minute", "second",
	"millisecond", "microsecond", "nanosecond"}

// byPart compiles a function of a part name: a constant part is
// compiled alone, any other value chooses among all parts at run time
// (an unknown one is an error, as in Kusto).
func (g *gen) byPart(x *ast.CallExpr, fn string, a arg, parts []string, f func(string) string) string {
	if lit, ok := litString(a); ok {
		p := strings.ToLower(strings.TrimSpace(lit))
		for _, q := range parts {
			if p == q {
				return f(p)
			}
		}
		g.failf(x.Pos(), "%s: unknown part '%s'", fn, lit)
	}
	var b strings.Builder
	b.WriteString("(CASE lower(trim(" + g.asString(a) + "))")
	for _, q := range parts {
		b.WriteString(" WHEN '" + q + "' THEN " + f(q))
	}
	b.WriteString(" ELSE error('" + fn + ": unknown part') END)")
	return b.String()
}

// datetimePartSQL is datetime_part(part, d) before its cast to int.
func datetimePartSQL(part, d string) string {
	var s string
	switch part {
	case "year":
		s = "year(" + d + ")"
	case "quarter":
		s = "quarter(" + d + ")"
	case "month":
		s = "month(" + d + ")"
	case "week_of_year", "weekofyear", "week":
		s = "week(" + d + ")"
	case "day":
		s = "day(" + d + ")"
	case "dayofyear":
		s = "dayofyear(" + d + ")"
	case "hour":
		s = "hour(" + d + ")"
	case "minute":
		s = "minute(" + d + ")"
	case "second":
		s = "second(" + d + ")"
	case "millisecond":
		s = "(microsecond(" + d + ") % 1000000 // 1000)"
	case "microsecond":
		s = "(microsecond(" + d + ") % 1000000)"
	case "nanosecond":
		s = "(microsecond(" + d + ") % 1000000 * 1000)"
	}
	return s
}

// datetimeAddSQL is datetime_add(part, n, d).
func datetimeAddSQL(part, n, d string) string {
	months := map[string]string{"year": "12", "quarter": "3", "month": "1"}
	if k, ok := months[part]; ok {
		return "(" + d + " + to_months(CAST(" + n + " * " + k + " AS INTEGER)))"
	}
	us := map[string]string{"week": "604800000000", "day": "86400000000", "hour": "3600000000",
		"minute": "60000000", "second": "1000000", "millisecond": "1000", "microsecond": "1"}
	if k, ok := us[part]; ok {
		return "(" + d + " + to_microseconds(" + n + " * " + k + "))"
	}
	// nanosecond: below a microsecond is lost.
	return "(" + d + " + to_microseconds(" + n + " // 1000))"
}

// datetimeDiffSQL is datetime_diff(part, d1, d2) before its cast.
func datetimeDiffSQL(part, d1, d2 string) string {
	var s string
	switch part {
	case "year":
		s = "(year(" + d1 + ") - year(" + d2 + "))"
	case "quarter":
		s = "((year(" + d1 + ") * 4 + quarter(" + d1 + ")) - (year(" + d2 + ") * 4 + quarter(" + d2 + ")))"
	case "month":
		s = "((year(" + d1 + ") * 12 + month(" + d1 + ")) - (year(" + d2 + ") * 12 + month(" + d2 + ")))"
	case "week":
		s = "((" + sundayDate(d1) + " - " + sundayDate(d2) + ") // 7)"
	case "day":
		s = "(CAST(" + d1 + " AS DATE) - CAST(" + d2 + " AS DATE))"
	case "hour", "minute", "second", "millisecond", "microsecond":
		// date_diff counts the unit's boundaries between the two.
		s = "date_diff('" + part + "', " + d2 + ", " + d1 + ")"
	case "nanosecond":
		s = "((epoch_us(" + d1 + ") - epoch_us(" + d2 + ")) * 1000)"
	}
	return s
}

// sundayDate is the date of the Sunday that starts d's week.
func sundayDate(d string) string {
	return "(CAST(" + d + " AS DATE) - CAST(dayofweek(" + d + ") AS INTEGER))"
}

// startOf is startof<unit>(d, off); end gives endof<unit>: one
// microsecond before the next unit's start.
func (g *gen) startOf(unit, d, off string, end bool) string {
	n := off
	if end {
		if n == "" {
			n = "1"
		} else {
			n = "(" + n + " + 1)"
		}
	}
	var s string
	switch unit {
	case "day":
		s = "date_trunc('day', " + d + ")"
		if n != "" {
			s = "(" + s + " + to_days(CAST(" + n + " AS INTEGER)))"
		}
	case "week":
		s = "CAST(" + sundayDate(d) + " AS TIMESTAMP)"
		if n != "" {
			s = "(" + s + " + to_days(CAST(" + n + " * 7 AS INTEGER)))"
		}
	case "month":
		s = "date_trunc('month', " + d + ")"
		if n != "" {
			s = "(" + s + " + to_months(CAST(" + n + " AS INTEGER)))"
		}
	case "year":
		s = "date_trunc('year', " + d + ")"
		if n != "" {
			s = "(" + s + " + to_years(CAST(" + n + " AS INTEGER)))"
		}
	}
	if end {
		s = "(" + s + " - to_microseconds(1))"
	}
	return s
}

// fmtSeg is a piece of a formatted value: strftime text, or SQL.
type fmtSeg struct {
	strf string // strftime pattern text (when sql is empty)
	sql  string
}

// fmtBuilder assembles a format as strftime runs and SQL pieces.
type fmtBuilder struct {
	segs []fmtSeg
}

func (b *fmtBuilder) strf(s string) {
	if n := len(b.segs); n > 0 && b.segs[n-1].sql == "" {
		b.segs[n-1].strf += s
		return
	}
	b.segs = append(b.segs, fmtSeg{strf: s})
}

func (b *fmtBuilder) lit(s string) { b.strf(strings.ReplaceAll(s, "%", "%%")) }

func (b *fmtBuilder) sql(s string) { b.segs = append(b.segs, fmtSeg{sql: s}) }

// trimLastDot removes a literal '.' that ends the strftime text so far
// and reports whether it did.
func (b *fmtBuilder) trimLastDot() bool {
	n := len(b.segs)
	if n == 0 || b.segs[n-1].sql != "" || !strings.HasSuffix(b.segs[n-1].strf, ".") {
		return false
	}
	b.segs[n-1].strf = strings.TrimSuffix(b.segs[n-1].strf, ".")
	if b.segs[n-1].strf == "" {
		b.segs = b.segs[:n-1]
	}
	return true
}

// runs splits a .NET-style format into runs of one repeated letter and
// literal text; quoted text ('...' or "...") and \x are literal.
type fmtRun struct {
	ch  byte
	n   int
	lit string
}

func fmtRuns(f string) []fmtRun {
	var out []fmtRun
	for i := 0; i < len(f); {
		c := f[i]
		switch {
		case c == '\\' && i+1 < len(f):
			out = append(out, fmtRun{lit: f[i+1 : i+2]})
			i += 2
		case c == '\'' || c == '"':
			j := strings.IndexByte(f[i+1:], c)
			if j < 0 {
				out = append(out, fmtRun{lit: f[i+1:]})
				i = len(f)
			} else {
				out = append(out, fmtRun{lit: f[i+1 : i+1+j]})
				i += j + 2
			}
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(f) && f[j] == c {
				j++
			}
			out = append(out, fmtRun{ch: c, n: j - i})
			i = j
		default:
			out = append(out, fmtRun{lit: f[i : i+1]})
			i++
		}
	}
	return out
}

// fracSQL renders the first n of seven fraction digits of the
// microseconds us (0..999999); trim drops trailing zeros (F).
func fracSQL(us string, n int, trim bool) string {
	digits := "lpad(CAST(" + us + " AS VARCHAR), 6, '0') || '0'"
	s := "substr(" + digits + ", 1, " + strconv.Itoa(n) + ")"
	if trim {
		s = "rtrim(" + s + ", '0')"
	}
	return s
}

// formatDatetime compiles format_datetime with a constant format.
func (g *gen) formatDatetime(x *ast.CallExpr, d, f string) string {
	var b fmtBuilder
	frac := "(microsecond(" + d + ") % 1000000)"
	for _, r := range fmtRuns(f) {
		if r.ch == 0 {
			b.lit(r.lit)
			continue
		}
		switch r.ch {
		case 'd':
			switch r.n {
			case 1:
				b.strf("%-d")
			case 2:
				b.strf("%d")
			case 3:
				b.strf("%a")
			default:
				b.strf("%A")
			}
		case 'M':
			switch r.n {
			case 1:
				b.strf("%-m")
			case 2:
				b.strf("%m")
			case 3:
				b.strf("%b")
			default:
				b.strf("%B")
			}
		case 'y':
			switch r.n {
			case 1:
				b.strf("%-y")
			case 2:
				b.strf("%y")
			default:
				b.sql("lpad(CAST(year(" + d + ") AS VARCHAR), " + strconv.Itoa(r.n) + ", '0')")
			}
		case 'h':
			b.strf(map[bool]string{true: "%-I", false: "%I"}[r.n == 1])
		case 'H':
			b.strf(map[bool]string{true: "%-H", false: "%H"}[r.n == 1])
		case 'm':
			b.strf(map[bool]string{true: "%-M", false: "%M"}[r.n == 1])
		case 's':
			b.strf(map[bool]string{true: "%-S", false: "%S"}[r.n == 1])
		case 't':
			if r.n == 1 {
				b.sql("left(strftime(" + d + ", '%p'), 1)")
			} else {
				b.strf("%p")
			}
		case 'f':
			if r.n > 7 {
				g.failf(x.Pos(), "format_datetime: too many 'f' in the format")
			}
			b.sql(fracSQL(frac, r.n, false))
		case 'F':
			if r.n > 7 {
				g.failf(x.Pos(), "format_datetime: too many 'F' in the format")
			}
			s := fracSQL(frac, r.n, true)
			if b.trimLastDot() {
				// .NET drops the '.' before an F run that prints nothing.
				s = "(CASE WHEN " + s + " = '' THEN '' ELSE '.' || " + s + " END)"
			}
			b.sql(s)
		case 'z':
			b.lit(map[int]string{1: "+0", 2: "+00"}[min(r.n, 2)])
			if r.n >= 3 {
				b.lit(":00")
			}
		case 'K':
			b.lit("Z")
		case 'g':
			b.lit("A.D.")
		default:
			// Letters that are not specifiers print as they are
			// (yyyy-MM-ddTHH:mm:ssZ), as in .NET.
			b.lit(strings.Repeat(string(r.ch), r.n))
		}
	}
	return g.joinFormat(b, d)
}

// joinFormat turns the segments into one string expression; a null
// value formats as ”.
func (g *gen) joinFormat(b fmtBuilder, d string) string {
	if len(b.segs) == 0 {
		return "''"
	}
	parts := make([]string, len(b.segs))
	for i, s := range b.segs {
		if s.sql != "" {
			parts[i] = s.sql
		} else {
			parts[i] = "strftime(" + d + ", " + g.param(s.strf) + ")"
		}
	}
	return "coalesce(" + strings.Join(parts, " || ") + ", '')"
}

// formatTimespan compiles format_timespan with a constant format: the
// parts are of the absolute value, as .NET prints them.
func (g *gen) formatTimespan(x *ast.CallExpr, ts, f string) string {
	us := "abs(" + toUS(ts) + ")"
	type part struct {
		sql string
		lit *string
	}
	var parts []part
	dotEnd := false // parts ends with a literal '.'
	pad := func(v string, n int) string {
		if n <= 1 {
			return "CAST(" + v + " AS VARCHAR)"
		}
		return "lpad(CAST(" + v + " AS VARCHAR), " + strconv.Itoa(n) + ", '0')"
	}
	add := func(s string) { parts = append(parts, part{sql: s}); dotEnd = false }
	for _, r := range fmtRuns(f) {
		if r.ch == 0 {
			lit := r.lit
			parts = append(parts, part{lit: &lit})
			dotEnd = lit == "."
			continue
		}
		switch r.ch {
		case 'd':
			add(pad(us+" // 86400000000", r.n))
		case 'h', 'H':
			add(pad("("+us+" // 3600000000) % 24", min(r.n, 2)))
		case 'm':
			add(pad("("+us+" // 60000000) % 60", min(r.n, 2)))
		case 's':
			add(pad("("+us+" // 1000000) % 60", min(r.n, 2)))
		case 'f', 'F':
			if r.n > 7 {
				g.failf(x.Pos(), "format_timespan: too many '%c' in the format", r.ch)
			}
			s := fracSQL(us+" % 1000000", r.n, r.ch == 'F')
			if r.ch == 'F' && dotEnd {
				// .NET drops the '.' before an F run that prints nothing.
				parts = parts[:len(parts)-1]
				s = "(CASE WHEN " + s + " = '' THEN '' ELSE '.' || " + s + " END)"
			}
			add(s)
		default:
			g.failf(x.Pos(), "format_timespan: unsupported format letter '%c'", r.ch)
		}
	}
	if len(parts) == 0 {
		return "''"
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = p.sql
		if p.lit != nil {
			out[i] = "CAST(" + g.param(*p.lit) + " AS VARCHAR)"
		}
	}
	return "coalesce(" + strings.Join(out, " || ") + ", '')"
}

// datetimeLayouts are the strptime forms todatetime() reads beyond what
// DuckDB's own timestamp cast does (ISO 8601 and yyyy/mm/dd): RFC 822,
// RFC 850, US dates and dd-mm-yyyy, as datetime() literals accept them.
var datetimeLayouts = []string{
	"%a, %d %b %y %H:%M:%S", "%a, %d %b %Y %H:%M:%S", "%d %b %y %H:%M:%S", "%d %b %Y %H:%M:%S",
	"%a, %d %b %y %H:%M", "%a, %d %b %Y %H:%M", "%d %b %y %H:%M", "%d %b %Y %H:%M",
	"%A, %d-%b-%y %H:%M:%S", "%A, %d-%b-%y %H:%M", "%d-%b-%y %H:%M:%S", "%d-%b-%y %H:%M",
	"%m/%d/%Y %H:%M:%S.%f", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%d-%m-%Y",
	"%Y-%m", "%Y",
}

// datetimeFromText parses a string column as todatetime() does: a
// string with a UTC offset goes through TIMESTAMPTZ (and back to UTC),
// others through the plain timestamp cast, which never applies the
// session's time zone; other layouts are tried after.
func datetimeFromText(s string) string {
	t := "trim(" + s + ")"
	layouts := make([]string, len(datetimeLayouts))
	for i, l := range datetimeLayouts {
		layouts[i] = "'" + l + "'"
	}
	noZone := "regexp_replace(" + t + ", ' (GMT|UTC|Z)$', '')"
	return "coalesce(CASE WHEN regexp_matches(" + t + ", '\\d:\\d\\d(:\\d\\d(\\.\\d*)?)?\\s*[+-]\\d\\d:?\\d\\d$') " +
		"THEN TRY_CAST(timezone('UTC', TRY_CAST(" + t + " AS TIMESTAMPTZ)) AS TIMESTAMP) " +
		"ELSE TRY_CAST(" + t + " AS TIMESTAMP) END, " +
		"try_strptime(" + noZone + ", [" + strings.Join(layouts, ", ") + "]))"
}

// timespanFromText parses [-][d.]hh:mm[:ss[.fffffff]] and a number with
// a unit (1.5h, 30s, 2d...) as totimespan() does; anything else is null.
func timespanFromText(s string) string {
	t := "trim(" + s + ")"
	clock := "regexp_extract(" + t + ", '^(-?)(?:(\\d+)\\.)?(\\d{1,2}):(\\d{1,2})(?::(\\d{1,2})(?:\\.(\\d{1,7}))?)?$', ['neg', 'd', 'h', 'm', 's', 'f'])"
	num := func(f string) string { return "coalesce(TRY_CAST(nullif(__ts." + f + ", '') AS BIGINT), 0)" }
	clockUS := "(CASE WHEN __ts.h = '' OR TRY_CAST(__ts.h AS INTEGER) > 23 OR TRY_CAST(__ts.m AS INTEGER) > 59 OR coalesce(TRY_CAST(nullif(__ts.s, '') AS INTEGER), 0) > 59 THEN NULL ELSE " +
		"(CASE WHEN __ts.neg = '-' THEN -1 ELSE 1 END) * ((" + num("d") + " * 86400 + " + num("h") + " * 3600 + " + num("m") + " * 60 + " + num("s") + ") * 1000000 + " +
		"coalesce(TRY_CAST(nullif(left(rpad(__ts.f, 6, '0'), 6), '') AS BIGINT), 0)) END)"
	unit := "regexp_extract(" + t + ", '^(-?\\d+(?:\\.\\d+)?)\\s*(d|days?|h|hrs?|hours?|m|mins?|minutes?|s|secs?|seconds?|ms|millis?|milliseconds?|micros?|microseconds?|ticks?)$', ['n', 'u'])"
	unitUS := "(TRY_CAST(__tu.n AS DOUBLE) * CASE WHEN __tu.u LIKE 'd%' THEN 86400000000 WHEN __tu.u LIKE 'h%' THEN 3600000000 " +
		"WHEN __tu.u IN ('m', 'min', 'mins', 'minute', 'minutes') THEN 60000000 WHEN __tu.u LIKE 's%' THEN 1000000 " +
		"WHEN __tu.u IN ('ms', 'milli', 'millis', 'millisecond', 'milliseconds') THEN 1000 WHEN __tu.u LIKE 'micro%' THEN 1 " +
		"WHEN __tu.u LIKE 'tick%' THEN 0.1 END)"
	// list_transform binds each parse once per row.
	return "coalesce(to_microseconds(list_transform([" + clock + "], __ts -> " + clockUS + ")[1]), " +
		"to_microseconds(CAST(round(list_transform([" + unit + "], __tu -> " + unitUS + ")[1]) AS BIGINT)))"
}
