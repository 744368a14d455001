package check

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// expr types a scalar expression evaluated over the columns of row (nil
// when no row is in scope) and records the type in Result.Types.
func (c *checker) expr(e ast.Expr, row *table) schema.Type {
	if e != nil {
		c.step(e.Pos())
	}
	t := c.expr1(e, row)
	if e != nil {
		c.res.Types[e] = t
	}
	return t
}

func (c *checker) expr1(e ast.Expr, row *table) schema.Type {
	switch x := e.(type) {
	case nil:
		return schema.Invalid
	case *ast.BasicLit:
		switch x.Kind {
		case ast.LitBool:
			return schema.Bool
		case ast.LitLong:
			return schema.Long
		case ast.LitReal:
			return schema.Real
		case ast.LitTimespan:
			return schema.TimeSpan
		case ast.LitGUID:
			return schema.GUID
		}
		return schema.Dynamic
	case *ast.StringLit:
		return schema.String
	case *ast.TypedLit:
		t, ok := schema.ParseType(x.Type)
		if !ok {
			c.errorf(x.TypePos, "unknown type '%s'", x.Type)
			return schema.Dynamic
		}
		// The body is read (and rejected) when the query runs, as
		// Kusto's engine does; Microsoft's analyzer accepts any body.
		return t
	case *ast.DynamicLit, *ast.JSONArray, *ast.JSONObject:
		return schema.Dynamic
	case *ast.Ident:
		return c.ident(x, row)
	case *ast.ParenExpr:
		if c.isTabular(x.X, row) {
			return c.scalarOfTable(x.X)
		}
		return c.expr(x.X, row)
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok && (id.Name == "$left" || id.Name == "$right") {
			// Bound by join; outside a join the side is unknown.
			return schema.Dynamic
		}
		t := c.expr(x.X, row)
		if t != schema.Dynamic && t != schema.Invalid {
			c.errorf(x.Dot, "member access on a %s", t)
		}
		return schema.Dynamic
	case *ast.IndexExpr:
		t := c.expr(x.X, row)
		c.expr(x.Index, row)
		if t != schema.Dynamic && t != schema.Invalid {
			c.errorf(x.Lbrack, "element access on a %s", t)
		}
		return schema.Dynamic
	case *ast.UnaryExpr:
		t := c.expr(x.X, row)
		if !isNumeric(t) && t != schema.TimeSpan && t != schema.Dynamic && t != schema.Invalid {
			c.errorf(x.OpPos, "unary %s expects a number, got %s", x.Op, t)
		}
		return t
	case *ast.BinaryExpr:
		return c.binary(x, row)
	case *ast.InExpr:
		c.expr(x.X, row)
		for _, v := range x.List {
			if c.isTabular(v, row) {
				c.tabular(v)
			} else {
				c.expr(v, row)
			}
		}
		return schema.Bool
	case *ast.BetweenExpr:
		t := c.expr(x.X, row)
		lo := c.expr(x.Low, row)
		hi := c.expr(x.High, row)
		// between's bounds may be a span from the low value: (t .. 1h).
		if !orderable(t, lo) || !orderable(t, hi) && !(t == schema.DateTime && hi == schema.TimeSpan) {
			c.errorf(x.OpPos, "between cannot compare %s with %s and %s", t, lo, hi)
		}
		return schema.Bool
	case *ast.CallExpr:
		return c.call(x, row)
	case *ast.NamedExpr:
		return c.expr(x.X, row)
	case *ast.PipeExpr, *ast.DataTableExpr:
		return c.scalarOfTable(x)
	case *ast.Star:
		return schema.Dynamic
	case *ast.TypeOfExpr:
		return schema.Invalid
	}
	c.errorf(e.Pos(), "unexpected expression")
	return schema.Invalid
}

// scalarOfTable types a tabular expression used as a scalar: the value of
// its single column, as in toscalar or x in (T | project y).
func (c *checker) scalarOfTable(e ast.Expr) schema.Type {
	t := c.tabular(e)
	if len(t.cols) > 0 {
		return t.cols[0].Type
	}
	return schema.Dynamic
}

func (c *checker) ident(x *ast.Ident, row *table) schema.Type {
	if row != nil {
		if col, i := row.find(x.Name); i >= 0 {
			return col.Type
		}
	}
	if sym := c.sc.lookup(x.Name); sym != nil {
		c.letRefs[x] = true
		switch {
		case sym.tab != nil:
			if len(sym.tab.cols) > 0 {
				return sym.tab.cols[0].Type
			}
			return schema.Dynamic
		case sym.fn != nil:
			if t, ok := c.userCall(sym, x.Name, nil, row, x.Pos()); ok {
				return t
			}
			return schema.Dynamic
		}
		return sym.scalar
	}
	if row != nil && row.open {
		// A column the binder cannot see (after bag_unpack, ...): its
		// type is unknown, which Invalid stands for. Like Microsoft's
		// analyzer, it becomes part of the table from here on.
		row.cols = append(row.cols, Column{x.Name, schema.Invalid})
		return schema.Invalid
	}
	if _, ok := c.lookupTable(x.Name); ok {
		return c.scalarOfTable(x)
	}
	c.errorf(x.Pos(), "unknown column '%s'", x.Name)
	return schema.Invalid
}

// orderable reports whether <, <=, >, >= and between apply to a and b.
func orderable(a, b schema.Type) bool {
	switch {
	case a == schema.Dynamic || b == schema.Dynamic || a == schema.Invalid || b == schema.Invalid:
		return true
	case isNumeric(a) && isNumeric(b):
		return true
	}
	return a == b && (a == schema.DateTime || a == schema.TimeSpan)
}

func isNumeric(t schema.Type) bool {
	return t == schema.Int || t == schema.Long || t == schema.Real || t == schema.Decimal
}

// widest is the promotion of two numeric types: int < long < real, and
// decimal wins over all.
func widest(a, b schema.Type) schema.Type {
	if a == schema.Decimal || b == schema.Decimal {
		return schema.Decimal
	}
	if a == schema.Real || b == schema.Real {
		return schema.Real
	}
	if a == schema.Long || b == schema.Long {
		return schema.Long
	}
	return schema.Int
}

func (c *checker) binary(x *ast.BinaryExpr, row *table) schema.Type {
	a := c.expr(x.X, row)
	b := c.expr(x.Y, row)
	unknown := a == schema.Invalid || b == schema.Invalid
	switch {
	case x.Op == ast.And || x.Op == ast.Or:
		for _, p := range [...]struct {
			t schema.Type
			e ast.Expr
		}{{a, x.X}, {b, x.Y}} {
			if p.t != schema.Bool && p.t != schema.Dynamic && p.t != schema.Invalid {
				c.errorf(p.e.Pos(), "%s expects a bool, got %s", x.Op, p.t)
			}
		}
		return schema.Bool
	case x.Op >= ast.Lss && x.Op <= ast.Geq:
		if !unknown && !orderable(a, b) {
			c.errorf(x.OpPos, "operator %s cannot compare %s and %s", x.Op, a, b)
		}
		return schema.Bool
	case x.Op >= ast.EqTilde && x.Op != ast.Search:
		// The string operators take strings (or dynamic values) on both
		// sides; Kusto does not convert numbers here.
		for _, t := range [...]schema.Type{a, b} {
			if t != schema.String && t != schema.Dynamic && t != schema.Invalid {
				c.errorf(x.OpPos, "operator %s expects strings, got %s and %s", x.Op, a, b)
				break
			}
		}
		return schema.Bool
	case x.Op >= ast.Eql && x.Op <= ast.Geq, x.Op >= ast.EqTilde:
		return schema.Bool
	}
	// Arithmetic.
	if unknown {
		return schema.Invalid
	}
	t := c.arith(x, a, b)
	if t == schema.Int {
		// Kusto computes int arithmetic in long: toint(1)+toint(2) is long.
		t = schema.Long
	}
	return t
}

func (c *checker) arith(x *ast.BinaryExpr, a, b schema.Type) schema.Type {
	// A dynamic operand takes the other one's type: dynamic(1) * 1.5 is
	// real, now() - dynamic(x) a timespan.
	switch {
	case a == schema.Dynamic && b == schema.Dynamic:
		return schema.Dynamic
	case a == schema.Dynamic:
		a = b
	case b == schema.Dynamic:
		b = a
	}
	switch x.Op {
	case ast.Add:
		switch {
		case isNumeric(a) && isNumeric(b):
			return widest(a, b)
		case a == schema.DateTime && b == schema.DateTime:
			return schema.DateTime // accepted by Kusto's analyzer
		case a == schema.DateTime && b == schema.TimeSpan, a == schema.TimeSpan && b == schema.DateTime:
			return schema.DateTime
		case a == schema.TimeSpan && b == schema.TimeSpan:
			return schema.TimeSpan
		}
	case ast.Sub:
		switch {
		case isNumeric(a) && isNumeric(b):
			return widest(a, b)
		case a == schema.DateTime && b == schema.DateTime:
			return schema.TimeSpan
		case a == schema.DateTime && b == schema.TimeSpan:
			return schema.DateTime
		case a == schema.TimeSpan && b == schema.TimeSpan:
			return schema.TimeSpan
		}
	case ast.Mul:
		switch {
		case isNumeric(a) && isNumeric(b):
			return widest(a, b)
		case a == schema.TimeSpan && isNumeric(b), isNumeric(a) && b == schema.TimeSpan:
			return schema.TimeSpan
		}
	case ast.Quo:
		switch {
		case isNumeric(a) && isNumeric(b):
			return widest(a, b)
		case a == schema.TimeSpan && b == schema.TimeSpan:
			return schema.Real
		case a == schema.TimeSpan && isNumeric(b):
			return schema.TimeSpan
		}
	case ast.Rem:
		switch {
		case isNumeric(a) && isNumeric(b):
			return widest(a, b)
		case a == schema.TimeSpan && (b == schema.TimeSpan || isNumeric(b)):
			return schema.TimeSpan
		case a == schema.DateTime && b == schema.TimeSpan:
			return schema.TimeSpan
		}
	}
	c.errorf(x.OpPos, "operator %s cannot apply to %s and %s", x.Op, a, b)
	return schema.Invalid
}

// exprName is the column name Kusto derives from an expression, or ""
// when it derives none (and the column becomes Column1, print_0, ...).
func (c *checker) exprName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		if c.letRefs[x] {
			// Only columns lend their names: print x of a let x is print_0.
			return ""
		}
		return x.Name
	case *ast.ParenExpr:
		return c.exprName(x.X)
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok && (id.Name == "$left" || id.Name == "$right") {
			return x.Sel.Name
		}
		if base := c.exprName(x.X); base != "" && x.Sel != nil {
			return base + "_" + x.Sel.Name
		}
	case *ast.IndexExpr:
		base := c.exprName(x.X)
		if base == "" {
			return ""
		}
		switch k := x.Index.(type) {
		case *ast.StringLit:
			return base + "_" + k.Value
		case *ast.BasicLit:
			return base + "_" + strings.TrimPrefix(k.Value, "-")
		case *ast.UnaryExpr:
			if l, ok := k.X.(*ast.BasicLit); ok {
				return base + "_" + l.Value
			}
		}
	case *ast.NamedExpr:
		if len(x.Names) == 1 {
			return x.Names[0].Name
		}
	case *ast.CallExpr:
		// A name given inside the call wins: bin(b=Timestamp, 1h),
		// toint(n = dcount(x)).
		for _, a := range x.Args {
			if ne, ok := a.(*ast.NamedExpr); ok && len(ne.Names) == 1 && !ne.Lparen.IsValid() && isColumnNaming(x, ne) {
				return ne.Names[0].Name
			}
		}
		return c.callName(x)
	}
	return ""
}

// isColumnNaming tells a name given to a value inside a call (the column
// name) from a named argument of the function (kind=..., return_unmatched=...).
func isColumnNaming(call *ast.CallExpr, ne *ast.NamedExpr) bool {
	id, ok := call.Fun.(*ast.Ident)
	if !ok {
		return false
	}
	b := lookupFunc(id.Name, true)
	if b == nil {
		return false
	}
	for _, s := range b.sigs {
		for _, p := range s.params {
			if p.name == ne.Names[0].Name {
				return false
			}
		}
	}
	return true
}
