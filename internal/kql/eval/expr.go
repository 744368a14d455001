package eval

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
)

// cexpr is a compiled scalar expression: its closure and KQL type. konst
// marks expressions that read neither the row nor the clock; they are
// folded to their value at compile time.
type cexpr struct {
	f     fn
	t     schema.Type
	konst bool
}

func constExpr(v any, t schema.Type) cexpr {
	if t == schema.String && v == nil {
		v = ""
	}
	return cexpr{f: func(*ctx) any { return v }, t: t, konst: true}
}

// fold evaluates a constant expression once.
func fold(e cexpr) cexpr {
	if !e.konst {
		return e
	}
	return constExpr(e.f(nil), e.t)
}

// derive builds an expression from operands: constant when all are.
func derive(f fn, t schema.Type, ops ...cexpr) cexpr {
	k := true
	for _, o := range ops {
		k = k && o.konst
	}
	return fold(cexpr{f: f, t: t, konst: k})
}

func isDyn(t schema.Type) bool { return t == schema.Dynamic || t == schema.Invalid }

func isInteger(t schema.Type) bool { return t == schema.Int || t == schema.Long }

func isNumber(t schema.Type) bool {
	return t == schema.Int || t == schema.Long || t == schema.Real || t == schema.Decimal
}

func (k *compiler) expr(e ast.Expr) cexpr {
	switch x := e.(type) {
	case *ast.ParenExpr:
		if isTabularSyntax(x.X) {
			k.failf(x.Pos(), "tabular expressions are not supported")
		}
		return k.expr(x.X)
	case *ast.Ident:
		return k.ident(x)
	case *ast.BasicLit:
		return k.basicLit(x)
	case *ast.StringLit:
		return constExpr(x.Value, schema.String)
	case *ast.TypedLit:
		t, ok := schema.ParseType(x.Type)
		if !ok {
			k.failf(x.Pos(), "unknown type %s", x.Type)
		}
		v, err := check.TypedValue(t, x.Body)
		if err != nil {
			k.failf(x.Pos(), "%s(%s): %v", x.Type, x.Body, err)
		}
		if t == schema.Dynamic {
			v = parseJSONText(x.Body)
		}
		return constExpr(v, t)
	case *ast.DynamicLit:
		v, err := jsonValue(x.Value)
		if err != nil {
			k.failf(x.Pos(), "%v", err)
		}
		if v == nil {
			return constExpr(nil, schema.Dynamic)
		}
		b, _ := json.Marshal(v)
		return constExpr(json.RawMessage(b), schema.Dynamic)
	case *ast.UnaryExpr:
		a := k.expr(x.X)
		if x.Op.String() != "-" {
			return a
		}
		switch a.t {
		case schema.Int:
			return derive(func(c *ctx) any {
				if n, ok := a.f(c).(int32); ok {
					return -n
				}
				return nil
			}, a.t, a)
		case schema.Long:
			return derive(func(c *ctx) any {
				if n, ok := a.f(c).(int64); ok {
					return -n
				}
				return nil
			}, a.t, a)
		case schema.Real:
			return derive(func(c *ctx) any {
				if n, ok := a.f(c).(float64); ok {
					return -n
				}
				return nil
			}, a.t, a)
		case schema.TimeSpan:
			return derive(func(c *ctx) any {
				if n, ok := a.f(c).(time.Duration); ok {
					return -n
				}
				return nil
			}, a.t, a)
		}
		k.failf(x.Pos(), "unary minus on %s is not supported", a.t)
	case *ast.BinaryExpr:
		return k.binary(x)
	case *ast.InExpr:
		return k.in(x)
	case *ast.BetweenExpr:
		return k.between(x)
	case *ast.SelectorExpr, *ast.IndexExpr:
		return k.path(e)
	case *ast.CallExpr:
		return k.call(x)
	case *ast.NamedExpr:
		return k.expr(x.X)
	}
	k.failf(e.Pos(), "expression not supported: %T", e)
	return cexpr{}
}

func (k *compiler) ident(x *ast.Ident) cexpr {
	if k.layout != nil {
		if i := k.find(x.Name); i >= 0 {
			lc := k.layout[i]
			return cexpr{f: k.readSlot(lc.slot, lc.typ), t: lc.typ}
		}
	}
	if b := k.sc.lookup(x.Name); b != nil {
		if b.fn != nil {
			return k.callUser(b, x.Name, nil, x)
		}
		return *b.e
	}
	if _, ok := schema.Lookup(x.Name); ok {
		k.failf(x.Pos(), "reading another table ('%s') is not supported", x.Name)
	}
	k.failf(x.Pos(), "unknown name '%s'", x.Name)
	return cexpr{}
}

func (k *compiler) basicLit(x *ast.BasicLit) cexpr {
	switch x.Kind {
	case ast.LitBool:
		return constExpr(strings.EqualFold(x.Value, "true"), schema.Bool)
	case ast.LitLong:
		n, err := strconv.ParseInt(x.Value, 0, 64)
		if err != nil {
			u, uerr := strconv.ParseUint(x.Value, 0, 64)
			if uerr != nil {
				k.failf(x.Pos(), "bad long literal %q", x.Value)
			}
			n = int64(u)
		}
		return constExpr(n, schema.Long)
	case ast.LitReal:
		f, err := strconv.ParseFloat(x.Value, 64)
		if err != nil {
			k.failf(x.Pos(), "bad real literal %q", x.Value)
		}
		return constExpr(f, schema.Real)
	case ast.LitTimespan:
		d, err := check.ParseTimespan(x.Value)
		if err != nil {
			k.failf(x.Pos(), "bad timespan literal %q: %v", x.Value, err)
		}
		return constExpr(d.Truncate(time.Microsecond), schema.TimeSpan)
	case ast.LitNull:
		return constExpr(nil, schema.Dynamic)
	case ast.LitGUID:
		return constExpr(strings.ToLower(x.Value), schema.GUID)
	}
	k.failf(x.Pos(), "literal not supported")
	return cexpr{}
}

// jsonValue turns a dynamic literal's tree into a Go value for
// json.Marshal.
func jsonValue(e ast.Expr) (any, error) {
	switch x := e.(type) {
	case nil:
		return nil, nil
	case *ast.JSONArray:
		out := make([]any, 0, len(x.Elems))
		for _, el := range x.Elems {
			v, err := jsonValue(el)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case *ast.JSONObject:
		// Keep the written order of keys.
		var b strings.Builder
		b.WriteByte('{')
		for i, p := range x.Pairs {
			if i > 0 {
				b.WriteByte(',')
			}
			v, err := jsonValue(p.Value)
			if err != nil {
				return nil, err
			}
			kb, _ := json.Marshal(p.Key.Value)
			vb, err := json.Marshal(v)
			if err != nil {
				return nil, err
			}
			b.Write(kb)
			b.WriteByte(':')
			b.Write(vb)
		}
		b.WriteByte('}')
		return json.RawMessage(b.String()), nil
	case *ast.StringLit:
		return x.Value, nil
	case *ast.BasicLit:
		switch x.Kind {
		case ast.LitBool:
			return strings.EqualFold(x.Value, "true"), nil
		case ast.LitLong:
			if n, err := strconv.ParseInt(x.Value, 0, 64); err == nil {
				return n, nil
			}
			return json.Number(x.Value), nil
		case ast.LitReal:
			return strconv.ParseFloat(x.Value, 64)
		case ast.LitNull:
			return nil, nil
		case ast.LitTimespan:
			d, err := check.ParseTimespan(x.Value)
			if err != nil {
				return nil, err
			}
			return timespanText(d), nil
		}
	case *ast.UnaryExpr:
		v, err := jsonValue(x.X)
		if err != nil {
			return nil, err
		}
		if x.Op.String() == "-" {
			switch n := v.(type) {
			case int64:
				return -n, nil
			case float64:
				return -n, nil
			}
		}
		return v, nil
	case *ast.TypedLit:
		t, ok := schema.ParseType(x.Type)
		if !ok {
			return nil, errf("unknown type %s", x.Type)
		}
		v, err := check.TypedValue(t, x.Body)
		if err != nil {
			return nil, err
		}
		switch y := v.(type) {
		case time.Time:
			return y.Format("2006-01-02T15:04:05.0000000Z"), nil
		case time.Duration:
			return timespanText(y), nil
		}
		return v, nil
	case *ast.DynamicLit:
		return jsonValue(x.Value)
	}
	return nil, errf("value not allowed in a dynamic literal")
}

type strErr string

func (e strErr) Error() string { return string(e) }

func errf(format string, args ...any) error {
	return strErr(sprintf(format, args...))
}

// truthFn is a predicate of a dynamic value: only true counts.
func truthFn(e cexpr) fn {
	if e.t == schema.Bool {
		return e.f
	}
	return func(c *ctx) any {
		v := e.f(c)
		if v == nil {
			return nil
		}
		b, ok := convert(v, e.t, schema.Bool).(bool)
		if !ok {
			return false
		}
		return b
	}
}

// asStr compiles e converted to a string, as the string operators do.
func asStr(e cexpr) cexpr {
	if e.t == schema.String {
		return e
	}
	f := e.f
	return derive(func(c *ctx) any { return toString(f(c)) }, schema.String, e)
}

// coerceTo converts e to type t where KQL converts implicitly.
func coerceTo(e cexpr, t schema.Type) cexpr {
	if e.t == t || t == schema.Invalid {
		return e
	}
	from, f := e.t, e.f
	if isDyn(from) && t != schema.String && t != schema.Dynamic {
		return derive(func(c *ctx) any { return dynCast(f(c), t) }, t, e)
	}
	return derive(func(c *ctx) any { return convert(f(c), from, t) }, t, e)
}

// dynCast converts a dynamic value to a scalar type as the SQL path does
// (TRY_CAST of its text): integers must be written as integers.
func dynCast(v any, t schema.Type) any {
	if v == nil {
		return nil
	}
	s := strings.TrimSpace(dynText(v))
	switch t {
	case schema.Int, schema.Long:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil
		}
		if t == schema.Int {
			if n < math.MinInt32 || n > math.MaxInt32 {
				return nil
			}
			return int32(n)
		}
		return n
	}
	return convert(s, schema.String, t)
}

// lower lowercases s, without allocating when it has no upper case.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
