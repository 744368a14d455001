package eval

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// jsonOf renders a value inside a dynamic object or array: datetimes and
// timespans as Kusto's text, dynamic values as they are.
func jsonOf(v any) json.RawMessage {
	switch x := v.(type) {
	case nil:
		return json.RawMessage("null")
	case json.RawMessage:
		return x
	case time.Time:
		b, _ := json.Marshal(x.UTC().Format("2006-01-02T15:04:05.0000000Z"))
		return b
	case time.Duration:
		b, _ := json.Marshal(timespanText(x))
		return b
	}
	if d, ok := dynFrom(v).(json.RawMessage); ok {
		return d
	}
	return json.RawMessage("null")
}

// backref finds .NET's \1 group references, which Go spells ${1}.
var backref = regexp.MustCompile(`\\(\d+)`)

func init() {
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		if len(a)%2 != 0 {
			k.failf(x.Pos(), "bag_pack expects key, value pairs")
		}
		keys := make([]fn, 0, len(a)/2)
		vals := make([]fn, 0, len(a)/2)
		for i := 0; i < len(a); i += 2 {
			keys = append(keys, asStr(a[i]).f)
			vals = append(vals, a[i+1].f)
		}
		return derive(func(c *ctx) any {
			var b strings.Builder
			b.WriteByte('{')
			for i := range keys {
				if i > 0 {
					b.WriteByte(',')
				}
				kb, _ := json.Marshal(keys[i](c).(string))
				b.Write(kb)
				b.WriteByte(':')
				b.Write(jsonOf(vals[i](c)))
			}
			b.WriteByte('}')
			return json.RawMessage(b.String())
		}, schema.Dynamic, a...)
	}, "bag_pack", "pack")
	reg(func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
		vals := make([]fn, len(a))
		for i := range a {
			vals[i] = a[i].f
		}
		return derive(func(c *ctx) any {
			var b strings.Builder
			b.WriteByte('[')
			for i, f := range vals {
				if i > 0 {
					b.WriteByte(',')
				}
				b.Write(jsonOf(f(c)))
			}
			b.WriteByte(']')
			return json.RawMessage(b.String())
		}, schema.Dynamic, a...)
	}, "pack_array")
	replaceRegex := func(src, re, rw int) builtin {
		return func(k *compiler, x *ast.CallExpr, a []cexpr) cexpr {
			k.need(x, a, 3, 3)
			r := k.regex(x.Args[re])
			s, w := asStr(a[src]).f, asStr(a[rw]).f
			return derive(func(c *ctx) any {
				rx := r(c)
				if rx == nil {
					return nil
				}
				tmpl := backref.ReplaceAllString(strings.ReplaceAll(w(c).(string), "$", "$$"), "$${$1}")
				return rx.ReplaceAllString(s(c).(string), tmpl)
			}, schema.String, a...)
		}
	}
	reg(replaceRegex(0, 1, 2), "replace_regex")
	reg(replaceRegex(2, 0, 1), "replace")
	reg(str1(func(s string) any {
		u, err := url.Parse(s)
		if err != nil || u.Scheme == "" {
			return json.RawMessage(`{"Scheme":"","Host":"","Port":"","Path":"","Username":"","Password":"","Query Parameters":{},"Fragment":""}`)
		}
		pw, _ := u.User.Password()
		q := map[string]string{}
		for k, v := range u.Query() {
			if len(v) > 0 {
				q[k] = v[len(v)-1]
			}
		}
		type parsed struct {
			Scheme   string            `json:"Scheme"`
			Host     string            `json:"Host"`
			Port     string            `json:"Port"`
			Path     string            `json:"Path"`
			Username string            `json:"Username"`
			Password string            `json:"Password"`
			Query    map[string]string `json:"Query Parameters"`
			Fragment string            `json:"Fragment"`
		}
		b, _ := json.Marshal(parsed{u.Scheme, u.Hostname(), u.Port(), u.EscapedPath(), u.User.Username(), pw, q, u.Fragment})
		return json.RawMessage(b)
	}, schema.Dynamic), "parse_url")
}
