package eval

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

func (k *compiler) binary(x *ast.BinaryExpr) cexpr {
	switch x.Op {
	case ast.And, ast.Or:
		a, b := k.expr(x.X), k.expr(x.Y)
		fa, fb := truthFn(a), truthFn(b)
		if x.Op == ast.And {
			return derive(func(c *ctx) any {
				va := fa(c)
				if va == false {
					return false
				}
				vb := fb(c)
				if vb == false {
					return false
				}
				if va == nil || vb == nil {
					return nil
				}
				return true
			}, schema.Bool, a, b)
		}
		return derive(func(c *ctx) any {
			va := fa(c)
			if va == true {
				return true
			}
			vb := fb(c)
			if vb == true {
				return true
			}
			if va == nil || vb == nil {
				return nil
			}
			return false
		}, schema.Bool, a, b)
	case ast.Eql, ast.Neq, ast.Lss, ast.Leq, ast.Gtr, ast.Geq:
		a, b, t := k.operands(x.X, x.Y)
		if !(a.t == b.t || isNumber(a.t) && isNumber(b.t) || isDyn(a.t) && isDyn(b.t)) {
			k.failf(x.OpPos, "cannot compare %s and %s", a.t, b.t)
		}
		cmp := compareFunc(t, x.Op == ast.Eql || x.Op == ast.Neq)
		op := x.Op
		fa, fb := a.f, b.f
		eqOp := op == ast.Eql || op == ast.Neq
		return derive(func(c *ctx) any {
			va, vb := fa(c), fb(c)
			if va == nil || vb == nil {
				// Kusto: null == x is false and null != x true when
				// only one side is null; two nulls, and the ordering
				// operators, give null.
				if eqOp && (va != nil || vb != nil) {
					return op == ast.Neq
				}
				return nil
			}
			r := cmp(va, vb)
			if r == 2 { // NaN: unordered, unequal
				return op == ast.Neq
			}
			switch op {
			case ast.Eql:
				return r == 0
			case ast.Neq:
				return r != 0
			case ast.Lss:
				return r < 0
			case ast.Leq:
				return r <= 0
			case ast.Gtr:
				return r > 0
			}
			return r >= 0
		}, schema.Bool, a, b)
	case ast.Add, ast.Sub, ast.Mul, ast.Quo, ast.Rem:
		return k.arith(x)
	case ast.EqTilde, ast.NeqTilde:
		a, b := asStr(k.expr(x.X)), asStr(k.expr(x.Y))
		neg := x.Op == ast.NeqTilde
		fa := a.f
		if b.konst {
			lb := lower(b.f(nil).(string))
			return derive(func(c *ctx) any { return eqFold(fa(c).(string), lb) != neg }, schema.Bool, a)
		}
		fb := b.f
		return derive(func(c *ctx) any {
			return (lower(fa(c).(string)) == lower(fb(c).(string))) != neg
		}, schema.Bool, a, b)
	case ast.MatchesRegex:
		a := asStr(k.expr(x.X))
		re := k.regex(x.Y)
		fa := a.f
		return derive(func(c *ctx) any {
			r := re(c)
			if r == nil {
				return nil
			}
			return r.MatchString(fa(c).(string))
		}, schema.Bool, a)
	}
	return k.stringOp(x)
}

// namedGroup finds .NET's (?<name> group syntax, which RE2 spells (?P<name>.
var namedGroup = regexp.MustCompile(`\(\?<([A-Za-z_][A-Za-z0-9_]*)>`)

func compileRegex(p string) (*regexp.Regexp, error) {
	return regexp.Compile(namedGroup.ReplaceAllString(p, "(?P<$1>"))
}

// regex compiles a regular expression argument: a constant pattern once,
// at compile time; a computed one per row.
func (k *compiler) regex(e ast.Expr) func(c *ctx) *regexp.Regexp {
	p := asStr(k.expr(e))
	if p.konst {
		re, err := compileRegex(p.f(nil).(string))
		if err != nil {
			k.failf(e.Pos(), "invalid regular expression: %v", err)
		}
		return func(*ctx) *regexp.Regexp { return re }
	}
	f := p.f
	return func(c *ctx) *regexp.Regexp {
		re, err := compileRegex(f(c).(string))
		if err != nil {
			return nil
		}
		return re
	}
}

// operands compiles both sides of a comparison, converting a dynamic
// side to the other side's type as KQL does.
func (k *compiler) operands(x, y ast.Expr) (cexpr, cexpr, schema.Type) {
	a, b := k.expr(x), k.expr(y)
	return coerceOperands(a, b)
}

func coerceOperands(a, b cexpr) (cexpr, cexpr, schema.Type) {
	dynA, dynB := isDyn(a.t), isDyn(b.t)
	switch {
	case dynA && isNumber(b.t) && b.t != schema.Decimal:
		// A dynamic number compares by value: dynamic(2.5) > 2.
		return dynNumber(a), b, schema.Real
	case dynB && isNumber(a.t) && a.t != schema.Decimal:
		return a, dynNumber(b), schema.Real
	case dynA && !dynB:
		return coerceTo(a, b.t), b, b.t
	case dynB && !dynA:
		return a, coerceTo(b, a.t), a.t
	case dynA && dynB:
		return a, b, schema.Dynamic
	}
	if a.t == schema.GUID && b.t == schema.String || a.t == schema.String && b.t == schema.GUID {
		lo := func(e cexpr) cexpr {
			f := e.f
			return derive(func(c *ctx) any {
				v := f(c)
				if v == nil {
					return nil
				}
				return lower(toString(v))
			}, schema.String, e)
		}
		return lo(a), lo(b), schema.String
	}
	return a, b, a.t
}

// dynNumber reads a dynamic value as a number: a long when its text is
// an integer, else a real; null when it is not a number.
func dynNumber(e cexpr) cexpr {
	f := e.f
	return derive(func(c *ctx) any {
		v := f(c)
		if v == nil {
			return nil
		}
		s := strings.TrimSpace(dynText(v))
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
		if x, err := strconv.ParseFloat(s, 64); err == nil {
			return x
		}
		return nil
	}, schema.Real, e)
}

// compareFunc returns a three-way comparison of two non-null values of
// type t (2 means unordered: a NaN). eqOnly allows types that only have
// equality (dynamic).
func compareFunc(t schema.Type, eqOnly bool) func(a, b any) int {
	switch t {
	case schema.String, schema.GUID:
		return func(a, b any) int { return strings.Compare(a.(string), b.(string)) }
	case schema.Int, schema.Long, schema.Real, schema.Decimal:
		return cmpNumber
	case schema.DateTime:
		return func(a, b any) int {
			ta, ok1 := a.(time.Time)
			tb, ok2 := b.(time.Time)
			if !ok1 || !ok2 {
				return 1
			}
			return ta.Compare(tb)
		}
	case schema.TimeSpan:
		return func(a, b any) int {
			da, db := a.(time.Duration), b.(time.Duration)
			switch {
			case da < db:
				return -1
			case da > db:
				return 1
			}
			return 0
		}
	case schema.Bool:
		return func(a, b any) int {
			ba, bb := a.(bool), b.(bool)
			switch {
			case ba == bb:
				return 0
			case !ba:
				return -1
			}
			return 1
		}
	case schema.Dynamic, schema.Invalid:
		if eqOnly {
			return func(a, b any) int {
				return strings.Compare(string(a.(json.RawMessage)), string(b.(json.RawMessage)))
			}
		}
	}
	return func(a, b any) int { panic("values of type " + t.String() + " cannot be compared") }
}

// cmpNumber compares two numbers: as integers when both are, else as reals.
func cmpNumber(a, b any) int {
	if ia, ok := asInt(a); ok {
		if ib, ok := asInt(b); ok {
			switch {
			case ia < ib:
				return -1
			case ia > ib:
				return 1
			}
			return 0
		}
	}
	fa, _ := asFloat(a)
	fb, _ := asFloat(b)
	switch {
	case fa < fb:
		return -1
	case fa > fb:
		return 1
	case fa == fb:
		return 0
	}
	// NaN: not equal, not ordered; report "greater" so == is false.
	return 2
}

// arith compiles + - * / % with KQL's typing.
func (k *compiler) arith(x *ast.BinaryExpr) cexpr {
	a, b := k.expr(x.X), k.expr(x.Y)
	out := k.res.Types[x]
	if isDyn(a.t) && isDyn(b.t) {
		k.failf(x.OpPos, "arithmetic on two dynamic values is not supported")
	}
	// A dynamic operand takes the other's type family, through real.
	if isDyn(a.t) {
		a = coerceTo(a, schema.Real)
		if isInteger(out) {
			a = roundToLong(a)
		}
	}
	if isDyn(b.t) {
		b = coerceTo(b, schema.Real)
		if isInteger(out) {
			b = roundToLong(b)
		}
	}
	ta, tb := a.t, b.t
	fa, fb := a.f, b.f
	op := x.Op
	both := func(f func(va, vb any) any, t schema.Type) cexpr {
		return derive(func(c *ctx) any {
			va := fa(c)
			if va == nil {
				return nil
			}
			vb := fb(c)
			if vb == nil {
				return nil
			}
			return f(va, vb)
		}, t, a, b)
	}
	if ta == schema.Decimal || tb == schema.Decimal {
		k.failf(x.OpPos, "decimal arithmetic is not supported")
	}
	switch {
	case isInteger(ta) && isInteger(tb):
		return both(func(va, vb any) any {
			ia, _ := asInt(va)
			ib, _ := asInt(vb)
			switch op {
			case ast.Add:
				return ia + ib
			case ast.Sub:
				return ia - ib
			case ast.Mul:
				return ia * ib
			case ast.Quo:
				if ib == 0 || ia == math.MinInt64 && ib == -1 {
					return nil
				}
				return ia / ib
			}
			if ib == 0 || ib == -1 {
				if ib == -1 {
					return int64(0)
				}
				return nil
			}
			return ia % ib
		}, schema.Long)
	case isNumber(ta) && isNumber(tb):
		return both(func(va, vb any) any {
			fa, _ := asFloat(va)
			fb, _ := asFloat(vb)
			switch op {
			case ast.Add:
				return fa + fb
			case ast.Sub:
				return fa - fb
			case ast.Mul:
				return fa * fb
			case ast.Quo:
				return fa / fb // IEEE: x/0 is ±Inf or NaN, as in Kusto and DuckDB
			}
			return math.Mod(fa, fb)
		}, schema.Real)
	case ta == schema.DateTime && tb == schema.DateTime && op == ast.Sub:
		return both(func(va, vb any) any { return usDur(va.(time.Time).UnixMicro() - vb.(time.Time).UnixMicro()) }, schema.TimeSpan)
	case ta == schema.DateTime && tb == schema.TimeSpan && (op == ast.Add || op == ast.Sub):
		return both(func(va, vb any) any {
			d := vb.(time.Duration)
			if op == ast.Sub {
				d = -d
			}
			return va.(time.Time).Add(d)
		}, schema.DateTime)
	case ta == schema.TimeSpan && tb == schema.DateTime && op == ast.Add:
		return both(func(va, vb any) any { return vb.(time.Time).Add(va.(time.Duration)) }, schema.DateTime)
	case ta == schema.TimeSpan && tb == schema.TimeSpan:
		switch op {
		case ast.Add:
			return both(func(va, vb any) any { return va.(time.Duration) + vb.(time.Duration) }, schema.TimeSpan)
		case ast.Sub:
			return both(func(va, vb any) any { return va.(time.Duration) - vb.(time.Duration) }, schema.TimeSpan)
		case ast.Quo:
			return both(func(va, vb any) any {
				d := vb.(time.Duration).Microseconds()
				if d == 0 {
					return nil
				}
				return float64(va.(time.Duration).Microseconds()) / float64(d)
			}, schema.Real)
		case ast.Rem:
			return both(func(va, vb any) any {
				d := vb.(time.Duration).Microseconds()
				if d == 0 {
					return nil
				}
				return usDur(va.(time.Duration).Microseconds() % d)
			}, schema.TimeSpan)
		}
	case ta == schema.TimeSpan && isNumber(tb) && (op == ast.Mul || op == ast.Quo):
		return both(func(va, vb any) any {
			f, _ := asFloat(vb)
			us := float64(va.(time.Duration).Microseconds())
			if op == ast.Mul {
				return usDur(int64(math.Round(us * f)))
			}
			if f == 0 {
				return nil
			}
			return usDur(int64(math.Round(us / f)))
		}, schema.TimeSpan)
	case isNumber(ta) && tb == schema.TimeSpan && op == ast.Mul:
		return both(func(va, vb any) any {
			f, _ := asFloat(va)
			return usDur(int64(math.Round(f * float64(vb.(time.Duration).Microseconds()))))
		}, schema.TimeSpan)
	}
	k.failf(x.OpPos, "operator %s on %s and %s is not supported", x.Op, ta, tb)
	return cexpr{}
}

func usDur(us int64) time.Duration { return time.Duration(us) * time.Microsecond }

func roundToLong(e cexpr) cexpr {
	f := e.f
	return derive(func(c *ctx) any {
		v, ok := f(c).(float64)
		if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return int64(math.RoundToEven(v))
	}, schema.Long, e)
}

// stringOp compiles has, contains, startswith, endswith, hasprefix,
// hassuffix and their _cs and negated forms.
func (k *compiler) stringOp(x *ast.BinaryExpr) cexpr {
	op := x.Op.String()
	neg := strings.HasPrefix(op, "!")
	base := strings.TrimPrefix(op, "!")
	cs := strings.HasSuffix(base, "_cs")
	base = strings.TrimSuffix(base, "_cs")
	var test func(h, n string) bool
	switch base {
	case "contains":
		test = strings.Contains
	case "startswith":
		test = strings.HasPrefix
	case "endswith":
		test = strings.HasSuffix
	case "has":
		test = func(h, n string) bool { return hasTerm(h, n, true, true) }
	case "hasprefix":
		test = func(h, n string) bool { return hasTerm(h, n, true, false) }
	case "hassuffix":
		test = func(h, n string) bool { return hasTerm(h, n, false, true) }
	default:
		k.failf(x.OpPos, "operator %s is not supported", x.Op)
	}
	a, b := asStr(k.expr(x.X)), asStr(k.expr(x.Y))
	fa := a.f
	if b.konst {
		n := b.f(nil).(string)
		if cs {
			return derive(func(c *ctx) any { return test(fa(c).(string), n) != neg }, schema.Bool, a)
		}
		n = lower(n)
		if isASCII(n) {
			startB, endB := base != "hassuffix", base != "hasprefix"
			return derive(func(c *ctx) any { return foldTest(base, fa(c).(string), n, startB, endB) != neg }, schema.Bool, a)
		}
		return derive(func(c *ctx) any { return test(lower(fa(c).(string)), n) != neg }, schema.Bool, a)
	}
	fb := b.f
	return derive(func(c *ctx) any {
		h, n := fa(c).(string), fb(c).(string)
		if !cs {
			h, n = lower(h), lower(n)
		}
		return test(h, n) != neg
	}, schema.Bool, a, b)
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// hasTerm matches needle as a term of h: terms are runs of ASCII letters
// and digits, so an occurrence counts where it is not glued to another
// such character on the sides that must be boundaries (start for has and
// hasprefix, end for has and hassuffix). A side of the needle that is not
// alphanumeric is its own boundary. This is the SQL path's rule.
func hasTerm(h, needle string, startB, endB bool) bool {
	return hasTermIdx(h, needle, startB, endB, func(h, n string, off int) int {
		i := strings.Index(h[off:], n)
		if i < 0 {
			return -1
		}
		return i + off
	})
}

func hasTermIdx(h, needle string, startB, endB bool, index func(h, n string, off int) int) bool {
	if needle == "" {
		return true
	}
	checkStart := startB && isAlnum(needle[0])
	checkEnd := endB && isAlnum(needle[len(needle)-1])
	off := 0
	for {
		i := index(h, needle, off)
		if i < 0 {
			return false
		}
		j := i + len(needle)
		if (!checkStart || i == 0 || !isAlnum(h[i-1])) && (!checkEnd || j == len(h) || !isAlnum(h[j])) {
			return true
		}
		off = i + 1
	}
}

// in compiles in, !in, in~, !in~, has_any and has_all.
func (k *compiler) in(x *ast.InExpr) cexpr {
	for _, e := range x.List {
		if isTabularSyntax(e) {
			k.failf(e.Pos(), "a tabular expression in %s is not supported", x.Op)
		}
		if id, ok := e.(*ast.Ident); ok {
			if _, ok := schema.Lookup(id.Name); ok && k.find(id.Name) < 0 && k.sc.lookup(id.Name) == nil {
				k.failf(e.Pos(), "reading another table ('%s') is not supported", id.Name)
			}
		}
	}
	if x.Op == ast.HasAny || x.Op == ast.HasAll {
		return k.hasAnyAll(x)
	}
	ci := x.Op == ast.InCs || x.Op == ast.NotInCs
	neg := x.Op == ast.NotIn || x.Op == ast.NotInCs
	a := k.expr(x.X)
	if isDyn(a.t) {
		f := a.f
		a = derive(func(c *ctx) any {
			v := f(c)
			if v == nil {
				return nil // dynToString of SQL NULL stays NULL
			}
			return dynText(v)
		}, schema.String, a)
	}
	ta := a.t
	raw := a
	if ci {
		f := a.f
		a = derive(func(c *ctx) any {
			v := f(c)
			if v == nil {
				return nil
			}
			return lower(toString(v))
		}, schema.String, a)
		ta = schema.String
	}
	// Items: constants are gathered; others evaluated per row.
	var konst []any
	var dynItems []fn // dynamic arrays computed per row
	var items []fn
	deps := []cexpr{a}
	for _, e := range x.List {
		if dl, ok := e.(*ast.DynamicLit); ok {
			v, err := jsonValue(dl.Value)
			if err != nil {
				k.failf(e.Pos(), "%v", err)
			}
			if arr, ok := v.([]any); ok {
				for _, el := range arr {
					konst = append(konst, inItem(el, ta, ci))
				}
				continue
			}
		}
		it := k.expr(e)
		deps = append(deps, it)
		if isDyn(it.t) {
			f := it.f
			toT := ta
			if it.konst {
				for _, el := range dynArray(f(nil)) {
					konst = append(konst, dynItem(el, toT, ci))
				}
				continue
			}
			dynItems = append(dynItems, func(c *ctx) any { return f(c) })
			continue
		}
		if ci {
			f := it.f
			it = derive(func(c *ctx) any {
				v := f(c)
				if v == nil {
					return nil
				}
				return lower(toString(v))
			}, schema.String, it)
		} else {
			it = coerceTo(it, ta)
		}
		if it.konst {
			konst = append(konst, it.f(nil))
		} else {
			items = append(items, it.f)
		}
	}
	eq := compareFunc(ta, true)
	var set map[string]bool
	konstNull := false
	if ta == schema.String {
		set = map[string]bool{}
		for _, v := range konst {
			if v == nil {
				konstNull = true
				continue
			}
			set[v.(string)] = true
		}
	}
	fa := a.f
	if ci && len(items) == 0 && len(dynItems) == 0 && !konstNull && raw.t == schema.String {
		// in~ over constant ASCII items: fold on the fly, no lowering.
		ascii := true
		for _, v := range konst {
			ascii = ascii && isASCII(v.(string))
		}
		if ascii {
			fr := raw.f
			return derive(func(c *ctx) any {
				v := fr(c).(string)
				for _, it := range konst {
					if eqFold(v, it.(string)) {
						return !neg
					}
				}
				return neg
			}, schema.Bool, deps...)
		}
	}
	member := func(c *ctx) any {
		v := fa(c)
		if v == nil {
			return nil
		}
		sawNull := false
		if set != nil {
			if set[v.(string)] {
				return true
			}
			sawNull = konstNull
		} else {
			for _, it := range konst {
				if it == nil {
					sawNull = true
				} else if eq(v, it) == 0 {
					return true
				}
			}
		}
		for _, f := range items {
			it := f(c)
			if it == nil {
				sawNull = true
			} else if eq(v, it) == 0 {
				return true
			}
		}
		for _, f := range dynItems {
			for _, el := range dynArray(f(c)) {
				it := dynItem(el, ta, ci)
				if it == nil {
					sawNull = true
				} else if eq(v, it) == 0 {
					return true
				}
			}
		}
		if sawNull {
			return nil
		}
		return false
	}
	if neg {
		// KQL's !in keeps a null value in (the SQL path's NOT coalesce(in, false)).
		return derive(func(c *ctx) any { return member(c) != true }, schema.Bool, deps...)
	}
	return derive(member, schema.Bool, deps...)
}

// dynArray returns the elements of a dynamic array value (nil otherwise).
func dynArray(v any) []json.RawMessage {
	b, ok := v.(json.RawMessage)
	if !ok {
		return nil
	}
	elems, ok := dynElems(b)
	if !ok {
		return nil
	}
	out := make([]json.RawMessage, len(elems))
	for i, e := range elems {
		out[i] = json.RawMessage(e)
	}
	return out
}

// dynItem converts an element of a dynamic array to the type of in's
// left side.
func dynItem(el json.RawMessage, t schema.Type, ci bool) any {
	v := dynNorm(el)
	if ci {
		if v == nil {
			return nil
		}
		return lower(dynText(v))
	}
	if t == schema.String {
		if v == nil {
			return nil
		}
		return dynText(v)
	}
	return dynCast(v, t)
}

// inItem converts an element of a dynamic array literal for in().
func inItem(el any, t schema.Type, ci bool) any {
	text := jsonScalarText(el)
	if ci {
		return lower(text)
	}
	if t == schema.String {
		return text
	}
	return dynCast(dynFrom(text), t)
}

func jsonScalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// hasAnyAll compiles has_any and has_all: a term match per item.
func (k *compiler) hasAnyAll(x *ast.InExpr) cexpr {
	a := asStr(k.expr(x.X))
	var konst []string
	var dyn []fn
	var items []fn
	deps := []cexpr{a}
	for _, e := range x.List {
		if dl, ok := e.(*ast.DynamicLit); ok {
			v, err := jsonValue(dl.Value)
			if err == nil {
				if arr, ok := v.([]any); ok {
					for _, el := range arr {
						konst = append(konst, lower(jsonScalarText(el)))
					}
					continue
				}
			}
		}
		it := k.expr(e)
		deps = append(deps, it)
		if isDyn(it.t) {
			if it.konst {
				for _, el := range dynArray(it.f(nil)) {
					konst = append(konst, lower(dynText(dynNorm(el))))
				}
				continue
			}
			dyn = append(dyn, it.f)
			continue
		}
		it = asStr(it)
		if it.konst {
			konst = append(konst, lower(it.f(nil).(string)))
		} else {
			items = append(items, it.f)
		}
	}
	all := x.Op == ast.HasAll
	fa := a.f
	konstASCII := true
	for _, t := range konst {
		konstASCII = konstASCII && isASCII(t)
	}
	return derive(func(c *ctx) any {
		raw := fa(c).(string)
		n := 0
		if konstASCII && isASCII(raw) {
			for _, t := range konst {
				n++
				if hasTermIdx(raw, t, true, true, indexFoldASCII) != all {
					return !all
				}
			}
		}
		if len(items) == 0 && len(dyn) == 0 && konstASCII && isASCII(raw) {
			return all && n > 0
		}
		h := lower(raw)
		if !konstASCII || !isASCII(raw) {
			for _, t := range konst {
				n++
				if hasTerm(h, t, true, true) != all {
					return !all
				}
			}
		}
		for _, f := range items {
			n++
			if hasTerm(h, lower(f(c).(string)), true, true) != all {
				return !all
			}
		}
		for _, f := range dyn {
			for _, el := range dynArray(f(c)) {
				n++
				if hasTerm(h, lower(dynText(dynNorm(el))), true, true) != all {
					return !all
				}
			}
		}
		return all && n > 0
	}, schema.Bool, deps...)
}

func (k *compiler) between(x *ast.BetweenExpr) cexpr {
	a, lo, t := k.operands(x.X, x.Low)
	if !(a.t == lo.t || isNumber(a.t) && isNumber(lo.t)) || t == schema.String || t == schema.Dynamic {
		k.failf(x.OpPos, "between cannot compare %s and %s", a.t, lo.t)
	}
	hi := k.expr(x.High)
	if t == schema.DateTime && hi.t == schema.TimeSpan {
		flo, fhi := lo.f, hi.f
		hi = derive(func(c *ctx) any {
			l, ok := flo(c).(time.Time)
			h, ok2 := fhi(c).(time.Duration)
			if !ok || !ok2 {
				return nil
			}
			return l.Add(h)
		}, schema.DateTime, lo, hi)
	} else {
		hi = coerceTo(hi, t)
	}
	cmp := compareFunc(t, false)
	neg := x.Not
	fa, fl, fh := a.f, lo.f, hi.f
	return derive(func(c *ctx) any {
		v, l, h := fa(c), fl(c), fh(c)
		if v == nil || l == nil || h == nil {
			return nil
		}
		r1, r2 := cmp(v, l), cmp(v, h)
		in := r1 >= 0 && r1 != 2 && r2 <= 0
		return in != neg
	}, schema.Bool, a, lo, hi)
}

// path compiles d.a.b[0] and d["a"] on a dynamic value.
func (k *compiler) path(e ast.Expr) cexpr {
	switch x := e.(type) {
	case *ast.SelectorExpr:
		base := k.expr(x.X)
		if !isDyn(base.t) {
			k.failf(x.Pos(), "member access on a %s", base.t)
		}
		name := x.Sel.Name
		fb := base.f
		return derive(func(c *ctx) any {
			b, ok := fb(c).(json.RawMessage)
			if !ok {
				return nil
			}
			return dynMember(b, name)
		}, schema.Dynamic, base)
	case *ast.IndexExpr:
		base := k.expr(x.X)
		if !isDyn(base.t) {
			k.failf(x.Pos(), "element access on a %s", base.t)
		}
		idx := k.expr(x.Index)
		fb, fi := base.f, idx.f
		integer := isInteger(idx.t)
		return derive(func(c *ctx) any {
			b, ok := fb(c).(json.RawMessage)
			if !ok {
				return nil
			}
			i := fi(c)
			if i == nil {
				return nil
			}
			if integer {
				n, _ := asInt(i)
				return dynIndex(b, n)
			}
			return dynMember(b, toString(i))
		}, schema.Dynamic, base, idx)
	}
	k.failf(e.Pos(), "path not supported")
	return cexpr{}
}
