package ast

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/token"
)

// Dump returns a compact one-line description of the tree for tests and
// debugging: Type{Field: value, ...}, leaving out positions and empty
// fields. Names print as Ident(x), literals as Lit(long 1), Str("x").
func Dump(n Node) string {
	d := dumper{}
	d.node(reflect.ValueOf(n))
	return d.b.String()
}

// DumpIndent is Dump with one field per line, for golden files.
func DumpIndent(n Node) string {
	d := dumper{indent: true}
	d.node(reflect.ValueOf(n))
	d.b.WriteByte('\n')
	return d.b.String()
}

type dumper struct {
	b      strings.Builder
	indent bool
	depth  int
}

var posType = reflect.TypeOf(token.Pos(0))

func (d *dumper) newline() {
	if d.indent {
		d.b.WriteByte('\n')
		d.b.WriteString(strings.Repeat("  ", d.depth))
	}
}

func (d *dumper) node(v reflect.Value) {
	if !v.IsValid() || (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && v.IsNil() {
		d.b.WriteString("nil")
		return
	}
	if v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	switch n := v.Interface().(type) {
	case *Ident:
		if n.Bracketed {
			d.b.WriteString("Ident([" + strconv.Quote(n.Name) + "])")
		} else {
			d.b.WriteString("Ident(" + n.Name + ")")
		}
		return
	case *Wildcard:
		if n.Qualifier == nil {
			d.b.WriteString("Wildcard(" + n.Pattern + ")")
			return
		}
	case *Star:
		d.b.WriteString("Star")
		return
	case *BasicLit:
		d.b.WriteString("Lit(" + n.Kind.String() + " " + n.Value + ")")
		return
	case *StringLit:
		d.b.WriteString("Str(" + strconv.Quote(n.Value) + ")")
		return
	case *TypedLit:
		d.b.WriteString("Typed(" + n.Type + "(" + n.Body + "))")
		return
	case *ScalarType:
		d.b.WriteString("Type(" + n.Name + ")")
		return
	case *ColumnDecl:
		if n.Star.IsValid() && n.Name == nil && n.Type == nil {
			d.b.WriteString("ColumnDecl(*)")
			return
		}
	case fmt.Stringer:
		if v.Kind() != reflect.Pointer {
			d.b.WriteString(n.String())
			return
		}
	}
	switch v.Kind() {
	case reflect.Pointer:
		d.node(v.Elem())
	case reflect.Struct:
		d.b.WriteString(v.Type().Name())
		d.b.WriteByte('{')
		d.depth++
		first := true
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if f.Type() == posType || f.IsZero() || (f.Kind() == reflect.Slice && f.Len() == 0) {
				continue
			}
			if f.Type() == reflect.TypeOf([]token.Pos(nil)) {
				continue
			}
			if !first && !d.indent {
				d.b.WriteString(", ")
			}
			first = false
			d.newline()
			d.b.WriteString(v.Type().Field(i).Name)
			d.b.WriteString(": ")
			d.node(f)
		}
		d.depth--
		if !first {
			d.newline()
		}
		d.b.WriteByte('}')
	case reflect.Slice:
		d.b.WriteByte('[')
		d.depth++
		for i := 0; i < v.Len(); i++ {
			if i > 0 && !d.indent {
				d.b.WriteString(", ")
			}
			d.newline()
			d.node(v.Index(i))
		}
		d.depth--
		if v.Len() > 0 {
			d.newline()
		}
		d.b.WriteByte(']')
	case reflect.String:
		d.b.WriteString(strconv.Quote(v.String()))
	default:
		fmt.Fprint(&d.b, v.Interface())
	}
}
