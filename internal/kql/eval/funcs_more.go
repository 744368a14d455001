package eval

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// More scalar functions: time parts and arithmetic, math, hashing and
// encodings, regex extraction, small string and array helpers.
func init() {
	dt1 := func(t schema.Type, f func(time.Time) any) builtin {
		return func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
			k.need(x, a, 1, 1)
			return unary(coerceTo(a[0], schema.DateTime), t, func(v any) any { return f(v.(time.Time)) })
		}
	}
	reg(dt1(schema.Int, func(t time.Time) any { return int32(t.Year()) }), "getyear")
	reg(dt1(schema.Int, func(t time.Time) any { return int32(t.Month()) }), "getmonth", "monthofyear")
	reg(dt1(schema.Int, func(t time.Time) any { return int32(t.Day()) }), "dayofmonth")
	reg(dt1(schema.Int, func(t time.Time) any { return int32(t.YearDay()) }), "dayofyear")
	reg(dt1(schema.DateTime, func(t time.Time) any {
		return time.Date(t.Year(), t.Month(), t.Day(), 23, 59, 59, 999999000, time.UTC)
	}), "endofday")
	reg(dt1(schema.Real, func(t time.Time) any { return float64(t.UnixMicro()) / 1e6 }), "datetime_to_unixtime_seconds")
	unix := func(scale float64) builtin {
		return func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
			k.need(x, a, 1, 1)
			return unary(a[0], schema.DateTime, func(v any) any {
				f, ok := asFloat(v)
				if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
					return nil
				}
				return time.UnixMicro(int64(math.Round(f * scale))).UTC()
			})
		}
	}
	reg(unix(1e6), "unixtime_seconds_todatetime")
	reg(unix(1e3), "unixtime_milliseconds_todatetime")
	reg(unix(1), "unixtime_microseconds_todatetime")
	reg(unix(1e-3), "unixtime_nanoseconds_todatetime")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 3, 3)
		part := k.constPart(x, a[0], "datetime_add")
		add := datetimeAdder(part)
		if add == nil {
			k.failf(x.Args[0].Pos(), "unknown datetime part '%s'", part)
		}
		n, d := coerceTo(a[1], schema.Long).f, coerceTo(a[2], schema.DateTime).f
		return derive(func(c *ctx) any {
			amount, ok1 := n(c).(int64)
			t, ok2 := d(c).(time.Time)
			if !ok1 || !ok2 {
				return nil
			}
			return add(t, amount)
		}, schema.DateTime, a...)
	}, "datetime_add")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 2, 2)
		p := asStr(a[0])
		if !p.konst {
			k.failf(x.Pos(), "datetime_part needs a constant part")
		}
		part := strings.ToLower(p.f(nil).(string))
		var f func(t time.Time) int
		switch part {
		case "year":
			f = func(t time.Time) int { return t.Year() }
		case "quarter":
			f = func(t time.Time) int { return (int(t.Month())-1)/3 + 1 }
		case "month":
			f = func(t time.Time) int { return int(t.Month()) }
		case "weekofyear", "week_of_year":
			f = func(t time.Time) int { _, w := t.ISOWeek(); return w }
		case "day":
			f = func(t time.Time) int { return t.Day() }
		case "dayofyear":
			f = func(t time.Time) int { return t.YearDay() }
		case "hour":
			f = func(t time.Time) int { return t.Hour() }
		case "minute":
			f = func(t time.Time) int { return t.Minute() }
		case "second":
			f = func(t time.Time) int { return t.Second() }
		case "millisecond":
			f = func(t time.Time) int { return t.Nanosecond() / 1e6 }
		case "microsecond":
			f = func(t time.Time) int { return t.Nanosecond() / 1e3 }
		case "nanosecond":
			f = func(t time.Time) int { return t.Nanosecond() }
		default:
			k.failf(x.Args[0].Pos(), "unknown datetime part '%s'", part)
		}
		return unary(coerceTo(a[1], schema.DateTime), schema.Int, func(v any) any { return int32(f(v.(time.Time))) })
	}, "datetime_part")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 3, 8)
		fs := make([]fn, len(a))
		for i := range a {
			t := schema.Long
			if i == 5 {
				t = schema.Real
			}
			fs[i] = coerceTo(a[i], t).f
		}
		return derive(func(c *ctx) any {
			var p [6]float64
			for i, f := range fs[:min(len(fs), 6)] {
				v, ok := asFloat(f(c))
				if !ok {
					return nil
				}
				p[i] = v
			}
			if p[1] < 1 || p[1] > 12 || p[2] < 1 || p[2] > 31 || p[0] < 1 || p[0] > 9999 {
				return nil
			}
			t := time.Date(int(p[0]), time.Month(p[1]), int(p[2]), int(p[3]), int(p[4]), 0, 0, time.UTC)
			if t.Day() != int(p[2]) {
				return nil
			}
			return t.Add(time.Duration(math.Round(p[5]*1e6)) * time.Microsecond)
		}, schema.DateTime, a...)
	}, "make_datetime")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 3, 3)
		v, size, at := a[0], a[1], a[2]
		switch v.t {
		case schema.DateTime, schema.TimeSpan:
			sz := coerceTo(size, schema.TimeSpan).f
			fv, fa := v.f, coerceTo(at, v.t).f
			dt := v.t == schema.DateTime
			return derive(func(c *ctx) any {
				d, ok := sz(c).(time.Duration)
				val, origin := fv(c), fa(c)
				if val == nil || origin == nil || !ok || d.Microseconds() <= 0 {
					return nil
				}
				us := d.Microseconds()
				if dt {
					o := origin.(time.Time).UnixMicro()
					return time.UnixMicro(floorDiv(val.(time.Time).UnixMicro()-o, us)*us + o).UTC()
				}
				o := origin.(time.Duration).Microseconds()
				return usDur(floorDiv(val.(time.Duration).Microseconds()-o, us)*us + o)
			}, v.t, a...)
		}
		if !isNumber(v.t) || !isNumber(size.t) || !isNumber(at.t) {
			k.failf(x.Pos(), "bin_at of %s is not supported", v.t)
		}
		t := schema.Real
		if isInteger(v.t) && isInteger(size.t) && isInteger(at.t) {
			t = schema.Long
		}
		fv, fs, fa := v.f, size.f, at.f
		return derive(func(c *ctx) any {
			x, ok1 := asFloat(fv(c))
			s, ok2 := asFloat(fs(c))
			o, ok3 := asFloat(fa(c))
			if fv(c) == nil || !ok1 || !ok2 || !ok3 || s == 0 {
				return nil
			}
			r := math.Floor((x-o)/s)*s + o
			if t == schema.Long {
				return int64(r)
			}
			return r
		}, t, a...)
	}, "bin_at")
	// Math.
	math1 := func(f func(float64) float64) builtin {
		return func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
			k.need(x, a, 1, 1)
			return unary(coerceTo(a[0], schema.Real), schema.Real, func(v any) any { return f(v.(float64)) })
		}
	}
	reg(math1(math.Sqrt), "sqrt")
	reg(math1(math.Exp), "exp")
	reg(math1(math.Log), "log")
	reg(math1(math.Log10), "log10")
	reg(math1(math.Log2), "log2")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 2, 2)
		b, e := coerceTo(a[0], schema.Real).f, coerceTo(a[1], schema.Real).f
		return derive(func(c *ctx) any {
			x, ok1 := b(c).(float64)
			y, ok2 := e(c).(float64)
			if !ok1 || !ok2 {
				return nil
			}
			return math.Pow(x, y)
		}, schema.Real, a...)
	}, "pow")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 2)
		t := k.resultType(x)
		if !isNumber(t) || t == schema.Decimal {
			k.failf(x.Pos(), "round of %s is not supported", t)
		}
		v := coerceTo(a[0], schema.Real).f
		var digits fn
		if len(a) == 2 {
			digits = coerceTo(a[1], schema.Long).f
		}
		return derive(func(c *ctx) any {
			f, ok := v(c).(float64)
			if !ok {
				return nil
			}
			p := int64(0)
			if digits != nil {
				if p, ok = digits(c).(int64); !ok {
					return nil
				}
			}
			m := math.Pow(10, float64(p))
			r := math.Round(f*m) / m
			return convert(r, schema.Real, t)
		}, t, a...)
	}, "round")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		t := a[0].t
		if !isNumber(t) || t == schema.Decimal {
			k.failf(x.Pos(), "ceiling of %s is not supported", t)
		}
		return unary(a[0], t, func(v any) any {
			if f, ok := v.(float64); ok {
				return math.Ceil(f)
			}
			return v
		})
	}, "ceiling")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		return unary(coerceTo(a[0], schema.Real), schema.Real, func(v any) any {
			f := v.(float64)
			switch {
			case f > 0:
				return 1.0
			case f < 0:
				return -1.0
			}
			return 0.0
		})
	}, "sign")
	// Strings.
	reg(str1(func(s string) any {
		r := []rune(s)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return string(r)
	}, schema.String), "reverse")
	reg(str1(func(s string) any { return int64(len(s)) }, schema.Long), "string_size")
	reg(str1(func(s string) any { return base64.StdEncoding.EncodeToString([]byte(s)) }, schema.String), "base64_encode_tostring", "base64_encodestring")
	reg(str1(func(s string) any { return url.QueryEscape(s) }, schema.String), "url_encode")
	reg(str1(func(s string) any {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, "%%%02x", c)
			}
		}
		return b.String()
	}, schema.String), "url_encode_component")
	hashFn := func(h func() hash.Hash) builtin {
		f := str1(func(s string) any {
			x := h()
			x.Write([]byte(s))
			return hex.EncodeToString(x.Sum(nil))
		}, schema.String)
		return func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
			if len(a) == 1 && a[0].t != schema.String {
				// Kusto hashes other types through its own encoding.
				k.failf(x.Pos(), "hashing a %s is not supported", a[0].t)
			}
			return f(k, x, a)
		}
	}
	reg(hashFn(sha256.New), "hash_sha256")
	reg(hashFn(sha1.New), "hash_sha1")
	reg(hashFn(md5.New), "hash_md5")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 2, 2)
		s1, s2 := asStr(a[0]).f, asStr(a[1]).f
		return derive(func(c *ctx) any { return int32(strings.Compare(s1(c).(string), s2(c).(string))) }, schema.Int, a...)
	}, "strcmp")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 2, 3)
		s, n := asStr(a[0]).f, coerceTo(a[1], schema.Long).f
		var d fn
		if len(a) == 3 {
			d = asStr(a[2]).f
		}
		return derive(func(c *ctx) any {
			cnt, ok := n(c).(int64)
			if !ok || cnt < 0 || cnt > 1<<16 {
				return ""
			}
			sep := ""
			if d != nil {
				sep = d(c).(string)
			}
			parts := make([]string, cnt)
			for i := range parts {
				parts[i] = s(c).(string)
			}
			return strings.Join(parts, sep)
		}, schema.String, a...)
	}, "strrep")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 2)
		v := a[0]
		if !isInteger(v.t) {
			k.failf(x.Pos(), "tohex of %s is not supported", v.t)
		}
		var ml fn
		if len(a) == 2 {
			ml = coerceTo(a[1], schema.Long).f
		}
		fv := v.f
		return derive(func(c *ctx) any {
			n, ok := asInt(fv(c))
			if !ok {
				return ""
			}
			var s string
			if n < 0 {
				if v.t == schema.Int {
					s = strconv.FormatUint(uint64(uint32(n)), 16)
				} else {
					s = strconv.FormatUint(uint64(n), 16)
				}
			} else {
				s = strconv.FormatInt(n, 16)
			}
			if ml != nil {
				if m, ok := ml(c).(int64); ok && int64(len(s)) < m {
					s = strings.Repeat("0", int(m)-len(s)) + s
				}
			}
			return s
		}, schema.String, a...)
	}, "tohex")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 2, 2)
		re := k.regex(x.Args[0])
		s := asStr(a[1]).f
		return derive(func(c *ctx) any {
			r := re(c)
			if r == nil {
				return nil
			}
			text := s(c).(string)
			ms := r.FindAllStringSubmatch(text, -1)
			if len(ms) == 0 {
				return nil
			}
			var out []any
			for _, m := range ms {
				switch {
				case len(m) == 1:
					out = append(out, m[0])
				case len(m) == 2:
					out = append(out, m[1])
				default:
					g := make([]any, len(m)-1)
					for i := range g {
						g[i] = m[i+1]
					}
					out = append(out, g)
				}
			}
			b, _ := json.Marshal(out)
			return json.RawMessage(b)
		}, schema.Dynamic, a...)
	}, "extract_all")
	// Dynamic helpers.
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 2, 2)
		bag, key := a[0].f, asStr(a[1]).f
		return derive(func(c *ctx) any {
			b, ok := bag(c).(json.RawMessage)
			if !ok || dynKind(b) != 'o' {
				return false
			}
			kp := key(c).(string)
			if strings.HasPrefix(kp, "$.") {
				// A JSONPath: follow all but the last step.
				steps := strings.Split(kp[2:], ".")
				for _, st := range steps[:len(steps)-1] {
					m, ok := dynMember(b, st).(json.RawMessage)
					if !ok {
						return false
					}
					b = m
				}
				kp = steps[len(steps)-1]
			}
			return dynHasMember(b, kp)
		}, schema.Bool, a...)
	}, "bag_has_key")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 2, 2)
		arr, d := a[0].f, asStr(a[1]).f
		return derive(func(c *ctx) any {
			els := dynArray(arr(c))
			parts := make([]string, len(els))
			for i, el := range els {
				parts[i] = dynText(dynNorm(el))
			}
			return strings.Join(parts, d(c).(string))
		}, schema.String, a...)
	}, "strcat_array")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 2, 2)
		arr, v := a[0].f, asStr(a[1]).f
		return derive(func(c *ctx) any {
			b, ok := arr(c).(json.RawMessage)
			if !ok {
				return nil
			}
			els, ok := dynElems(b)
			if !ok {
				return nil
			}
			want := v(c).(string)
			for i, el := range els {
				if dynText(dynNorm(el)) == want {
					return int64(i)
				}
			}
			return int64(-1)
		}, schema.Long, a...)
	}, "array_index_of")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 2, 2)
		t := asStr(a[1])
		if !t.konst {
			k.failf(x.Pos(), "format_datetime needs a constant format")
		}
		layout, err := dotnetLayout(t.f(nil).(string))
		if err != nil {
			k.failf(x.Args[1].Pos(), "%v", err)
		}
		return unary(coerceTo(a[0], schema.DateTime), schema.String, func(v any) any {
			if v == nil {
				return ""
			}
			return formatDotnet(v.(time.Time), layout)
		})
	}, "format_datetime")
}

func dynHasMember(b []byte, key string) bool {
	i := jsonSkipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i++
	for {
		i = jsonSkipSpace(b, i)
		if i >= len(b) || b[i] == '}' {
			return false
		}
		kEnd := jsonSkip(b, i)
		if kEnd < 0 || b[i] != '"' {
			return false
		}
		if keyEquals(b[i:kEnd], key) {
			return true
		}
		i = jsonSkipSpace(b, kEnd)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		vEnd := jsonSkip(b, i+1)
		if vEnd < 0 {
			return false
		}
		i = jsonSkipSpace(b, vEnd)
		if i < len(b) && b[i] == ',' {
			i++
		}
	}
}

func datetimeAdder(part string) func(t time.Time, n int64) any {
	dur := func(d time.Duration) func(t time.Time, n int64) any {
		return func(t time.Time, n int64) any { return t.Add(time.Duration(n) * d) }
	}
	months := func(m int) func(t time.Time, n int64) any {
		return func(t time.Time, n int64) any {
			// .NET's AddMonths clamps the day to the target month.
			y, mo, d := t.Date()
			total := int(mo) - 1 + int(n)*m
			ty, tm := y+floorDivInt(total, 12), total-12*floorDivInt(total, 12)+1
			last := time.Date(ty, time.Month(tm)+1, 0, 0, 0, 0, 0, time.UTC).Day()
			if d > last {
				d = last
			}
			h, mi, s := t.Clock()
			return time.Date(ty, time.Month(tm), d, h, mi, s, t.Nanosecond(), time.UTC)
		}
	}
	switch part {
	case "year":
		return months(12)
	case "quarter":
		return months(3)
	case "month":
		return months(1)
	case "week":
		return dur(7 * 24 * time.Hour)
	case "day":
		return dur(24 * time.Hour)
	case "hour":
		return dur(time.Hour)
	case "minute":
		return dur(time.Minute)
	case "second":
		return dur(time.Second)
	case "millisecond":
		return dur(time.Millisecond)
	case "microsecond":
		return dur(time.Microsecond)
	}
	return nil
}

func floorDivInt(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// dotnetLayout splits a .NET custom date format into tokens.
func dotnetLayout(f string) ([]string, error) {
	var out []string
	for i := 0; i < len(f); {
		c := f[i]
		if strings.IndexByte("yMdHhmsfFt", c) >= 0 {
			j := i
			for j < len(f) && f[j] == c {
				j++
			}
			out = append(out, f[i:j])
			i = j
			continue
		}
		if strings.IndexByte(" /-:.,_[]T", c) < 0 {
			return nil, fmt.Errorf("format_datetime: unsupported format character %q", c)
		}
		out = append(out, "\x00"+string(c))
		i++
	}
	return out, nil
}

func formatDotnet(t time.Time, layout []string) string {
	var b strings.Builder
	pad := func(n, w int) string {
		s := strconv.Itoa(n)
		for len(s) < w {
			s = "0" + s
		}
		return s
	}
	for _, tok := range layout {
		if tok[0] == 0 {
			b.WriteString(tok[1:])
			continue
		}
		n := len(tok)
		switch tok[0] {
		case 'y':
			if n <= 2 {
				b.WriteString(pad(t.Year()%100, n))
			} else {
				b.WriteString(pad(t.Year(), n))
			}
		case 'M':
			b.WriteString(pad(int(t.Month()), min(n, 2)))
		case 'd':
			b.WriteString(pad(t.Day(), min(n, 2)))
		case 'H':
			b.WriteString(pad(t.Hour(), min(n, 2)))
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b.WriteString(pad(h, min(n, 2)))
		case 'm':
			b.WriteString(pad(t.Minute(), min(n, 2)))
		case 's':
			b.WriteString(pad(t.Second(), min(n, 2)))
		case 'f', 'F':
			frac := pad(t.Nanosecond()/100, 7)[:min(n, 7)]
			if tok[0] == 'F' {
				frac = strings.TrimRight(frac, "0")
			}
			b.WriteString(frac)
		case 't':
			ampm := "AM"
			if t.Hour() >= 12 {
				ampm = "PM"
			}
			b.WriteString(ampm[:min(n, 2)])
		}
	}
	return b.String()
}
