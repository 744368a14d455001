package eval

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"net/netip"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// builtin compiles a call of a built-in scalar function from its
// compiled arguments.
type builtin func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr

var builtins = map[string]builtin{}

func reg(f builtin, names ...string) {
	for _, n := range names {
		builtins[n] = f
	}
}

// Functions lists the scalar functions the evaluator implements, sorted.
func Functions() []string {
	out := make([]string, 0, len(builtins))
	for n := range builtins {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// impure functions read the clock: never folded at compile time.
var impure = map[string]bool{"now": true, "ago": true, "ingestion_time": true}

func (k *compiler) call(x *ast.CallExpr) cexpr {
	id, ok := x.Fun.(*ast.Ident)
	if !ok {
		k.failf(x.Pos(), "call of a non-function")
	}
	if b := k.sc.lookup(id.Name); b != nil && b.fn != nil {
		return k.callUser(b, id.Name, x.Args, x)
	}
	if id.Name == "column_ifexists" || id.Name == "columnifexists" {
		if len(x.Args) == 2 {
			if s, ok := x.Args[0].(*ast.StringLit); ok {
				if k.layout != nil && k.find(s.Value) >= 0 {
					return k.ident(&ast.Ident{NamePos: s.Pos(), Name: s.Value})
				}
				return k.expr(x.Args[1])
			}
		}
		k.failf(x.Pos(), "column_ifexists needs a literal column name and a default")
	}
	f := builtins[id.Name]
	if f == nil {
		k.failf(x.Pos(), "function '%s' is not supported", id.Name)
	}
	args := make([]cexpr, len(x.Args))
	for i, a := range x.Args {
		a = valueOf(a)
		if _, ok := a.(*ast.Star); ok {
			k.failf(a.Pos(), "* is not supported here")
		}
		args[i] = k.expr(a)
	}
	out := f(k, x, args)
	if impure[id.Name] {
		out.konst = false
	}
	return out
}

// callUser expands a call of a user function: arguments are compiled in
// the caller's scope and bound to the parameters, then the body is
// compiled in the scope the function was defined in.
func (k *compiler) callUser(b *binding, name string, args []ast.Expr, at ast.Node) cexpr {
	if k.depth >= 32 {
		k.failf(at.Pos(), "function '%s' nests too deeply", name)
	}
	fn := b.fn
	inner := &scope{parent: b.fnSc, names: map[string]*binding{}}
	for i, p := range fn.Params {
		if p == nil || p.Name == nil {
			continue
		}
		var a ast.Expr
		if i < len(args) {
			a = valueOf(args[i])
		}
		var e cexpr
		switch {
		case a != nil:
			if isTabularSyntax(a) {
				k.failf(a.Pos(), "tabular arguments are not supported")
			}
			e = k.expr(a)
		case p.Default != nil:
			saved := k.layout
			k.layout = nil
			e = k.expr(p.Default)
			k.layout = saved
		default:
			k.failf(at.Pos(), "function '%s' needs a value for '%s'", name, p.Name.Name)
		}
		if st, ok := p.Type.(*ast.ScalarType); ok {
			if decl, ok := schema.ParseType(st.Name); ok && decl != e.t {
				e = coerceTo(e, decl)
			}
		}
		inner.names[p.Name.Name] = &binding{e: &e}
	}
	saved := k.sc
	k.sc = inner
	k.depth++
	defer func() { k.sc = saved; k.depth-- }()
	var last *cexpr
	for _, st := range fn.Body {
		switch s := st.(type) {
		case *ast.LetStmt:
			if fl, ok := s.Value.(*ast.FuncLit); ok {
				k.sc.names[s.Name.Name] = &binding{fn: fl, fnSc: k.sc}
				continue
			}
			if isTabularSyntax(s.Value) {
				k.failf(s.Pos(), "let of a table is not supported")
			}
			e := k.expr(s.Value)
			k.sc.names[s.Name.Name] = &binding{e: &e}
		case *ast.ExprStmt:
			if isTabularSyntax(s.X) {
				k.failf(s.Pos(), "tabular functions are not supported")
			}
			e := k.expr(s.X)
			last = &e
		default:
			k.failf(st.Pos(), "statement not supported in a function")
		}
	}
	if last == nil {
		k.failf(at.Pos(), "function '%s' has no result", name)
	}
	return *last
}

func (k *compiler) need(x *ast.CallExpr, a []cexpr, min, max int) {
	if len(a) < min || max >= 0 && len(a) > max {
		k.failf(x.Pos(), "wrong number of arguments")
	}
}

// unary builds a one-argument function with null propagation.
func unary(a cexpr, t schema.Type, f func(v any) any) cexpr {
	fa := a.f
	return derive(func(c *ctx) any {
		v := fa(c)
		if v == nil && t != schema.String {
			return nil
		}
		return f(v)
	}, t, a)
}

// str1 builds a string function of one string argument.
func str1(f func(s string) any, t schema.Type) builtin {
	return func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		s := asStr(a[0])
		fs := s.f
		return derive(func(c *ctx) any { return f(fs(c).(string)) }, t, s)
	}
}

func (k *compiler) resultType(x *ast.CallExpr) schema.Type {
	t := k.res.Types[x]
	if t == schema.Invalid {
		t = schema.Dynamic
	}
	return t
}

func init() {
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		return asStr(a[0])
	}, "tostring")
	conv := func(t schema.Type) builtin {
		return func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
			k.need(x, a, 1, 1)
			from, f := a[0].t, a[0].f
			return derive(func(c *ctx) any { return convert(f(c), from, t) }, t, a[0])
		}
	}
	reg(conv(schema.Int), "toint")
	reg(conv(schema.Long), "tolong", "toint64")
	reg(conv(schema.Real), "toreal", "todouble")
	reg(conv(schema.Bool), "tobool", "toboolean")
	reg(conv(schema.DateTime), "todatetime")
	reg(conv(schema.TimeSpan), "totimespan")
	reg(conv(schema.GUID), "toguid")
	reg(conv(schema.Dynamic), "todynamic", "parse_json", "parsejson", "toobject")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		f := truthFn(a[0])
		return derive(func(c *ctx) any {
			v := f(c)
			if v == nil {
				return nil
			}
			return !v.(bool)
		}, schema.Bool, a[0])
	}, "not")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 3, 3)
		t := k.resultType(x)
		p, y, n := truthFn(a[0]), coerceTo(a[1], t).f, coerceTo(a[2], t).f
		return derive(func(c *ctx) any {
			if p(c) == true {
				return y(c)
			}
			return n(c)
		}, t, a...)
	}, "iff", "iif")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		if len(a) < 3 || len(a)%2 == 0 {
			k.failf(x.Pos(), "case expects predicate, value pairs and an else value")
		}
		t := k.resultType(x)
		var preds, vals []fn
		for i := 0; i+1 < len(a); i += 2 {
			preds = append(preds, truthFn(a[i]))
			vals = append(vals, coerceTo(a[i+1], t).f)
		}
		els := coerceTo(a[len(a)-1], t).f
		return derive(func(c *ctx) any {
			for i, p := range preds {
				if p(c) == true {
					return vals[i](c)
				}
			}
			return els(c)
		}, t, a...)
	}, "case")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		if len(a) == 0 {
			k.failf(x.Pos(), "coalesce needs arguments")
		}
		t := k.resultType(x)
		fs := make([]fn, len(a))
		for i := range a {
			fs[i] = coerceTo(a[i], t).f
		}
		return derive(func(c *ctx) any {
			for _, f := range fs {
				v := f(c)
				if v != nil && v != "" {
					return v
				}
			}
			if t == schema.String {
				return ""
			}
			return nil
		}, t, a...)
	}, "coalesce")
	empty := func(a cexpr) fn {
		f, t := a.f, a.t
		return func(c *ctx) any {
			v := f(c)
			switch {
			case t == schema.String:
				return v == nil || v.(string) == ""
			case isDyn(t):
				return dynText(v) == ""
			}
			return v == nil
		}
	}
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		return derive(empty(a[0]), schema.Bool, a[0])
	}, "isempty")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		e := empty(a[0])
		return derive(func(c *ctx) any { return !e(c).(bool) }, schema.Bool, a[0])
	}, "isnotempty", "notempty")
	isnull := func(a cexpr) fn {
		f, t := a.f, a.t
		return func(c *ctx) any {
			if t == schema.String {
				return false
			}
			return f(c) == nil
		}
	}
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		return derive(isnull(a[0]), schema.Bool, a[0])
	}, "isnull")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		e := isnull(a[0])
		return derive(func(c *ctx) any { return !e(c).(bool) }, schema.Bool, a[0])
	}, "isnotnull", "notnull")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 0, 1)
		if len(a) == 1 {
			off := coerceTo(a[0], schema.TimeSpan).f
			return cexpr{f: func(c *ctx) any {
				d, ok := off(c).(time.Duration)
				if !ok {
					return nil
				}
				return c.now.Add(d)
			}, t: schema.DateTime}
		}
		return cexpr{f: func(c *ctx) any { return c.now }, t: schema.DateTime}
	}, "now")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		off := coerceTo(a[0], schema.TimeSpan)
		if off.konst {
			d, ok := off.f(nil).(time.Duration)
			if !ok {
				return constExpr(nil, schema.DateTime)
			}
			// Computed once per run, not per row.
			i := len(k.perRun)
			k.perRun = append(k.perRun, func(now time.Time) any { return now.Add(-d) })
			return cexpr{f: func(c *ctx) any { return c.runVal[i] }, t: schema.DateTime}
		}
		fo := off.f
		return cexpr{f: func(c *ctx) any {
			d, ok := fo(c).(time.Duration)
			if !ok {
				return nil
			}
			return c.now.Add(-d)
		}, t: schema.DateTime}
	}, "ago")
	// ingestion_time() of a row being ingested is the run's now: a
	// continuous rule runs on each batch as it is appended.
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 0, 0)
		return cexpr{f: func(c *ctx) any { return c.now }, t: schema.DateTime}
	}, "ingestion_time")
	reg(str1(func(s string) any { return int64(utf8.RuneCountInString(s)) }, schema.Long), "strlen")
	reg(str1(func(s string) any { return strings.ToLower(s) }, schema.String), "tolower")
	reg(str1(func(s string) any { return strings.ToUpper(s) }, schema.String), "toupper")
	reg(str1(func(s string) any {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			if b, err = base64.RawStdEncoding.DecodeString(s); err != nil {
				return ""
			}
		}
		if !utf8.Valid(b) {
			return ""
		}
		return string(b)
	}, schema.String), "base64_decode_tostring", "base64_decodestring")
	reg(str1(func(s string) any {
		d, err := url.QueryUnescape(s)
		if err != nil {
			return ""
		}
		return d
	}, schema.String), "url_decode")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		if len(a) == 0 {
			k.failf(x.Pos(), "strcat needs arguments")
		}
		fs := make([]fn, len(a))
		for i := range a {
			fs[i] = asStr(a[i]).f
		}
		return derive(func(c *ctx) any {
			var b strings.Builder
			for _, f := range fs {
				b.WriteString(f(c).(string))
			}
			return b.String()
		}, schema.String, a...)
	}, "strcat")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		if len(a) < 2 {
			k.failf(x.Pos(), "strcat_delim needs a delimiter and arguments")
		}
		fs := make([]fn, len(a))
		for i := range a {
			fs[i] = asStr(a[i]).f
		}
		return derive(func(c *ctx) any {
			d := fs[0](c).(string)
			var b strings.Builder
			for i, f := range fs[1:] {
				if i > 0 {
					b.WriteString(d)
				}
				b.WriteString(f(c).(string))
			}
			return b.String()
		}, schema.String, a...)
	}, "strcat_delim")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 2, 3)
		s := asStr(a[0]).f
		st := coerceTo(a[1], schema.Long).f
		var ln fn
		if len(a) == 3 {
			ln = coerceTo(a[2], schema.Long).f
		}
		return derive(func(c *ctx) any {
			r := []rune(s(c).(string))
			start, ok := st(c).(int64)
			if !ok {
				return ""
			}
			if start < 0 {
				start += int64(len(r))
				if start < 0 {
					start = 0
				}
			}
			if start >= int64(len(r)) {
				return ""
			}
			end := int64(len(r))
			if ln != nil {
				n, ok := ln(c).(int64)
				if !ok {
					return ""
				}
				if n < 0 {
					return ""
				}
				if start+n < end {
					end = start + n
				}
			}
			return string(r[start:end])
		}, schema.String, a...)
	}, "substring")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 2, 3)
		s, l := asStr(a[0]).f, asStr(a[1]).f
		var st fn
		if len(a) == 3 {
			st = coerceTo(a[2], schema.Long).f
		}
		return derive(func(c *ctx) any {
			r := []rune(s(c).(string))
			start := int64(0)
			if st != nil {
				n, ok := st(c).(int64)
				if !ok {
					return nil
				}
				start = n
				if start < 0 {
					start += int64(len(r))
					if start < 0 {
						start = 0
					}
				}
				if start > int64(len(r)) {
					return int64(-1)
				}
			}
			i := strings.Index(string(r[start:]), l(c).(string))
			if i < 0 {
				return int64(-1)
			}
			return start + int64(utf8.RuneCountInString(string(r[start:])[:i]))
		}, schema.Long, a...)
	}, "indexof")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 2, 3)
		s, d := asStr(a[0]).f, asStr(a[1]).f
		var idx fn
		if len(a) == 3 {
			idx = coerceTo(a[2], schema.Long).f
		}
		return derive(func(c *ctx) any {
			parts := []string{s(c).(string)}
			if sep := d(c).(string); sep != "" {
				parts = strings.Split(parts[0], sep)
			}
			if idx != nil {
				n, ok := idx(c).(int64)
				if !ok || n < 0 || n >= int64(len(parts)) {
					return jsonArrayStrings([]string{})
				}
				return jsonArrayStrings(parts[n : n+1])
			}
			return jsonArrayStrings(parts)
		}, schema.Dynamic, a...)
	}, "split")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 3, 4)
		if len(a) == 4 {
			k.failf(x.Pos(), "extract with a type argument is not supported")
		}
		re := k.regex(x.Args[0])
		g := coerceTo(a[1], schema.Long).f
		s := asStr(a[2]).f
		return derive(func(c *ctx) any {
			r := re(c)
			n, ok := g(c).(int64)
			if r == nil || !ok || n < 0 || n > int64(r.NumSubexp()) {
				return ""
			}
			m := r.FindStringSubmatchIndex(s(c).(string))
			if m == nil || m[2*n] < 0 {
				return ""
			}
			return s(c).(string)[m[2*n]:m[2*n+1]]
		}, schema.String, a...)
	}, "extract")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 3, 3)
		s, l, r := asStr(a[0]).f, asStr(a[1]).f, asStr(a[2]).f
		return derive(func(c *ctx) any {
			lk := l(c).(string)
			if lk == "" {
				return s(c)
			}
			return strings.ReplaceAll(s(c).(string), lk, r(c).(string))
		}, schema.String, a...)
	}, "replace_string")
	trim := func(start, end bool) builtin {
		return func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
			k.need(x, a, 2, 2)
			p := asStr(a[0])
			if !p.konst {
				k.failf(x.Pos(), "trim needs a constant pattern")
			}
			pat := p.f(nil).(string)
			var reS, reE *regexpT
			if start {
				reS = mustRegex(k, x, "^(?:"+pat+")+")
			}
			if end {
				reE = mustRegex(k, x, "(?:"+pat+")+$")
			}
			s := asStr(a[1]).f
			return derive(func(c *ctx) any {
				v := s(c).(string)
				if reS != nil {
					if m := reS.FindStringIndex(v); m != nil {
						v = v[m[1]:]
					}
				}
				if reE != nil {
					if m := reE.FindStringIndex(v); m != nil {
						v = v[:m[0]]
					}
				}
				return v
			}, schema.String, a...)
		}
	}
	reg(trim(true, true), "trim")
	reg(trim(true, false), "trim_start")
	reg(trim(false, true), "trim_end")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		return unary(a[0], schema.Long, func(v any) any {
			b, ok := v.(json.RawMessage)
			if !ok {
				return nil
			}
			elems, ok := dynElems(b)
			if !ok {
				return nil
			}
			return int64(len(elems))
		})
	}, "array_length")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		return unary(a[0], schema.Dynamic, func(v any) any {
			b, ok := v.(json.RawMessage)
			if !ok || dynKind(b) != 'o' {
				return nil
			}
			var keys []string
			dec := json.NewDecoder(strings.NewReader(string(b)))
			dec.Token()
			for dec.More() {
				t, err := dec.Token()
				if err != nil {
					return nil
				}
				keys = append(keys, t.(string))
				var skip json.RawMessage
				if dec.Decode(&skip) != nil {
					return nil
				}
			}
			if keys == nil {
				keys = []string{}
			}
			return jsonArrayStrings(keys)
		})
	}, "bag_keys")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 2, 2)
		return binBuiltin(k, x, a[0], a[1])
	}, "bin", "floor")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		return unary(coerceTo(a[0], schema.DateTime), schema.DateTime, func(v any) any {
			t := v.(time.Time)
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		})
	}, "startofday")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		return unary(coerceTo(a[0], schema.DateTime), schema.DateTime, func(v any) any {
			t := v.(time.Time)
			return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		})
	}, "startofmonth")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		return unary(coerceTo(a[0], schema.DateTime), schema.DateTime, func(v any) any {
			t := v.(time.Time)
			return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		})
	}, "startofyear")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		return unary(coerceTo(a[0], schema.DateTime), schema.DateTime, func(v any) any {
			t := v.(time.Time)
			d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			return d.AddDate(0, 0, -int(d.Weekday()))
		})
	}, "startofweek")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		return unary(coerceTo(a[0], schema.DateTime), schema.Int, func(v any) any { return int32(v.(time.Time).Hour()) })
	}, "hourofday")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		return unary(coerceTo(a[0], schema.DateTime), schema.TimeSpan, func(v any) any {
			return time.Duration(v.(time.Time).Weekday()) * 24 * time.Hour
		})
	}, "dayofweek")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 3, 3)
		part := k.constPart(x, a[0], "datetime_diff")
		diff := datetimeDiff(part)
		if diff == nil {
			k.failf(x.Args[0].Pos(), "unknown datetime part '%s'", part)
		}
		f1, f2 := coerceTo(a[1], schema.DateTime).f, coerceTo(a[2], schema.DateTime).f
		return derive(func(c *ctx) any {
			t1, ok1 := f1(c).(time.Time)
			t2, ok2 := f2(c).(time.Time)
			if !ok1 || !ok2 {
				return nil
			}
			return diff(t1, t2)
		}, schema.Long, a...)
	}, "datetime_diff")
	reg(str1(func(s string) any {
		a, ok := parseIPv4(s)
		if !ok {
			return nil
		}
		return a.IsPrivate()
	}, schema.Bool), "ipv4_is_private")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 2, 2)
		s, r := asStr(a[0]).f, asStr(a[1]).f
		return derive(func(c *ctx) any {
			ip, ok := parseIPv4(s(c).(string))
			if !ok {
				return nil
			}
			rs := strings.TrimSpace(r(c).(string))
			if !strings.Contains(rs, "/") {
				rs += "/32"
			}
			pfx, err := netip.ParsePrefix(rs)
			if err != nil || !pfx.Addr().Is4() {
				return nil
			}
			return pfx.Masked().Contains(ip)
		}, schema.Bool, a...)
	}, "ipv4_is_in_range")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 2, 3)
		if len(a) == 3 {
			kind := asStr(a[2])
			if !kind.konst || kind.f(nil).(string) != "normal" {
				k.failf(x.Pos(), "countof supports only kind normal")
			}
		}
		s, n := asStr(a[0]).f, asStr(a[1]).f
		return derive(func(c *ctx) any {
			h, nd := s(c).(string), n(c).(string)
			if nd == "" {
				return int64(0)
			}
			cnt := int64(0)
			for i := 0; i+len(nd) <= len(h); i++ {
				if h[i:i+len(nd)] == nd {
					cnt++
				}
			}
			return cnt
		}, schema.Long, a...)
	}, "countof")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 1, 1)
		switch a[0].t {
		case schema.Int:
			return unary(a[0], schema.Int, func(v any) any {
				if n := v.(int32); n < 0 {
					return -n
				}
				return v
			})
		case schema.Long:
			return unary(a[0], schema.Long, func(v any) any {
				if n := v.(int64); n < 0 {
					return -n
				}
				return v
			})
		case schema.Real:
			return unary(a[0], schema.Real, func(v any) any { return math.Abs(v.(float64)) })
		case schema.TimeSpan:
			return unary(a[0], schema.TimeSpan, func(v any) any { return v.(time.Duration).Abs() })
		}
		k.failf(x.Pos(), "abs of %s is not supported", a[0].t)
		return cexpr{}
	}, "abs")
	minmax := func(max bool) builtin {
		return func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
			if len(a) == 0 {
				k.failf(x.Pos(), "needs arguments")
			}
			t := k.resultType(x)
			fs := make([]fn, len(a))
			for i := range a {
				fs[i] = coerceTo(a[i], t).f
			}
			cmp := compareFunc(t, false)
			return derive(func(c *ctx) any {
				var best any
				for _, f := range fs {
					v := f(c)
					if v == nil {
						continue
					}
					if best == nil || (cmp(v, best) > 0) == max && cmp(v, best) != 0 {
						best = v
					}
				}
				return best
			}, t, a...)
		}
	}
	reg(minmax(true), "max_of")
	reg(minmax(false), "min_of")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		k.need(x, a, 2, 2)
		arr, v := a[0].f, asStr(a[1])
		fv := v.f
		return derive(func(c *ctx) any {
			b, ok := arr(c).(json.RawMessage)
			if !ok {
				return nil
			}
			want := fv(c).(string)
			for _, el := range dynArray(b) {
				if dynText(dynNorm(el)) == want && dynKind(el) == 's' {
					return true
				}
			}
			return false
		}, schema.Bool, a...)
	}, "set_has_element")
}

type regexpT = regexp.Regexp

func mustRegex(k *compiler, x *ast.CallExpr, p string) *regexpT {
	re, err := compileRegex(p)
	if err != nil {
		k.failf(x.Pos(), "invalid regular expression: %v", err)
	}
	return re
}

func parseIPv4(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return netip.Addr{}, false
	}
	return a, true
}

// binBuiltin rounds down to a multiple of size: numbers, timespans, and
// datetimes (counted from 0001-01-01, as Kusto does).
func binBuiltin(k *compiler, x *ast.CallExpr, v, size cexpr) cexpr {
	switch v.t {
	case schema.DateTime, schema.TimeSpan:
		sz := coerceTo(size, schema.TimeSpan).f
		fv := v.f
		dt := v.t == schema.DateTime
		return derive(func(c *ctx) any {
			val, s := fv(c), sz(c)
			d, ok := s.(time.Duration)
			if val == nil || !ok || d <= 0 {
				return nil
			}
			us := d.Microseconds()
			if us <= 0 {
				return nil
			}
			if dt {
				const origin = -62135596800000000 // 0001-01-01 in Unix µs
				t := val.(time.Time).UnixMicro() - origin
				return time.UnixMicro(floorDiv(t, us)*us + origin).UTC()
			}
			return usDur(floorDiv(val.(time.Duration).Microseconds(), us) * us)
		}, v.t, v, size)
	case schema.Int, schema.Long:
		if isInteger(size.t) {
			fv, fs := v.f, size.f
			return derive(func(c *ctx) any {
				a, ok1 := asInt(fv(c))
				b, ok2 := asInt(fs(c))
				if !ok1 || !ok2 || b == 0 {
					return nil
				}
				return floorDiv(a, b) * b
			}, schema.Long, v, size)
		}
	}
	if !isNumber(v.t) || !isNumber(size.t) {
		k.failf(x.Pos(), "bin of %s by %s is not supported", v.t, size.t)
	}
	fv, fs := v.f, size.f
	return derive(func(c *ctx) any {
		a, ok1 := asFloat(fv(c))
		b, ok2 := asFloat(fs(c))
		if fv(c) == nil || fs(c) == nil || !ok1 || !ok2 || b == 0 {
			return nil
		}
		return math.Floor(a/b) * b
	}, schema.Real, v, size)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// datetimeDiff returns the difference of two datetimes in a calendar
// unit, counting unit boundaries crossed, as Kusto's datetime_diff does.
func datetimeDiff(part string) func(a, b time.Time) any {
	trunc := func(d time.Duration) func(a, b time.Time) any {
		return func(a, b time.Time) any {
			ua, ub := a.UnixMicro(), b.UnixMicro()
			n := d.Microseconds()
			if n == 0 {
				return (a.UnixNano() - b.UnixNano())
			}
			return floorDiv(ua, n) - floorDiv(ub, n)
		}
	}
	switch part {
	case "year":
		return func(a, b time.Time) any { return int64(a.Year() - b.Year()) }
	case "quarter":
		return func(a, b time.Time) any {
			return int64((a.Year()*4 + (int(a.Month())-1)/3) - (b.Year()*4 + (int(b.Month())-1)/3))
		}
	case "month":
		return func(a, b time.Time) any {
			return int64((a.Year()*12 + int(a.Month())) - (b.Year()*12 + int(b.Month())))
		}
	case "week":
		return func(a, b time.Time) any {
			wk := func(t time.Time) int64 {
				d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
				d = d.AddDate(0, 0, -int(d.Weekday()))
				return floorDiv(d.Unix(), 7*86400)
			}
			return wk(a) - wk(b)
		}
	case "day":
		return trunc(24 * time.Hour)
	case "hour":
		return trunc(time.Hour)
	case "minute":
		return trunc(time.Minute)
	case "second":
		return trunc(time.Second)
	case "millisecond":
		return trunc(time.Millisecond)
	case "microsecond":
		return trunc(time.Microsecond)
	case "nanosecond":
		return func(a, b time.Time) any { return a.UnixMicro()*1000 - b.UnixMicro()*1000 }
	}
	return nil
}

// constPart reads the constant datetime part name of datetime_add and
// datetime_diff, lower-cased.
func (k *compiler) constPart(x *ast.CallExpr, a cexpr, fn string) string {
	p := asStr(a)
	if !p.konst {
		k.failf(x.Pos(), "%s needs a constant part", fn)
	}
	return strings.ToLower(p.f(nil).(string))
}
