package check

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/token"
	"github.com/vigilsec/vigil/internal/schema"
)

// builtin is a built-in scalar or aggregate function as Kusto declares it
// (see builtins_gen.go).
type builtin struct {
	name     string
	agg      bool
	nameKind string // how the result column is named: FirstArgument, PrefixAndFirstArgument, ...
	prefix   string
	tabular  bool
	sigs     []sig
}

// sig is one signature: how the result type is found and the parameters.
type sig struct {
	ret    string // Declared, Parameter0, Common, Widest, Custom, ...
	retTyp schema.Type
	params []param
}

type param struct {
	name     string
	kind     string // Declared, Number, Scalar, DynamicArray, ...
	typ      schema.Type
	min, max int
}

// typeParam marks a parameter whose argument is a type literal.
const typeParam = schema.Invalid

var scalarFuncs, aggFuncs = func() (map[string]*builtin, map[string]*builtin) {
	s, a := map[string]*builtin{}, map[string]*builtin{}
	for _, b := range builtinTable {
		if b.agg {
			a[b.name] = b
		} else {
			s[b.name] = b
		}
	}
	return s, a
}()

// lookupFunc finds a built-in; inAgg prefers aggregates (inside summarize).
func lookupFunc(name string, inAgg bool) *builtin {
	if inAgg {
		if b := aggFuncs[name]; b != nil {
			return b
		}
	}
	if b := scalarFuncs[name]; b != nil {
		return b
	}
	return aggFuncs[name]
}

// call types a function call.
func (c *checker) call(x *ast.CallExpr, row *table) schema.Type {
	id, ok := x.Fun.(*ast.Ident)
	if !ok {
		c.tabular(x)
		return schema.Dynamic
	}
	if sym := c.sc.lookup(id.Name); sym != nil && sym.fn != nil {
		if t, ok := c.userCall(sym, id.Name, x.Args, row, x.Pos()); ok {
			return t
		}
		return schema.Dynamic
	}
	switch id.Name {
	case "toscalar":
		if len(x.Args) == 1 {
			if c.isTabular(x.Args[0], row) {
				return c.scalarOfTable(x.Args[0])
			}
			return c.expr(x.Args[0], row)
		}
	case "materialize", "view":
		c.tabular(x)
		return schema.Dynamic
	case "column_ifexists", "columnifexists":
		if len(x.Args) == 2 {
			d := c.expr(x.Args[1], row)
			if s, ok := x.Args[0].(*ast.StringLit); ok && row != nil {
				if col, i := row.find(s.Value); i >= 0 {
					return col.Type
				}
			}
			return d
		}
	}
	b := lookupFunc(id.Name, c.aggOK > 0)
	if b == nil {
		for _, a := range x.Args {
			c.argExpr(a, row)
		}
		c.errorf(id.Pos(), "no function '%s'", id.Name)
		return schema.Invalid
	}
	if b.agg && scalarFuncs[id.Name] == nil {
		if c.aggOK == 0 {
			c.errorf(id.Pos(), "aggregate '%s' used outside summarize", id.Name)
		}
		// An aggregate's arguments are per-row values, not aggregates.
		saved := c.aggOK
		c.aggOK = 0
		defer func() { c.aggOK = saved }()
	}
	args := make([]schema.Type, len(x.Args))
	for i, a := range x.Args {
		args[i] = c.argExpr(a, row)
	}
	s := pickSig(b, args)
	if s == nil {
		c.errorf(id.Pos(), "function '%s' does not take %d arguments", id.Name, len(x.Args))
		return schema.Invalid
	}
	if !sigFits(s, args) {
		// No signature takes these types. Only declared parameter types
		// are reported: the parameter kinds of the table (Number, ...)
		// are looser in Kusto than their names say.
		for j, t := range args {
			if p := paramAt(s, j, len(args)); (p.kind == "Declared" || p.kind == "StringOrDynamic") && !argFits(p, t) {
				c.errorf(x.Args[j].Pos(), "%s expects %s for '%s', got %s", id.Name, kindText(p), p.name, t)
				break
			}
		}
	}
	return c.retType(b, s, x, args)
}

// argExpr types an argument; tabular arguments (percentiles of a table,
// user functions) are bound as tables.
func (c *checker) argExpr(a ast.Expr, row *table) schema.Type {
	switch v := a.(type) {
	case *ast.Star:
		return schema.Dynamic
	case *ast.TypeOfExpr:
		return schema.Invalid
	case *ast.NamedExpr:
		return c.argExpr(v.X, row)
	}
	if c.isTabular(a, row) {
		c.tabular(a)
		return schema.Invalid
	}
	return c.expr(a, row)
}

// countFits reports whether n arguments fit the signature.
func countFits(s *sig, n int) bool {
	lo, hi := 0, 0
	for _, p := range s.params {
		lo += p.min
		hi += p.max
	}
	return n >= lo && n <= hi
}

// argFits reports whether an argument of type t can bind to p.
func argFits(p param, t schema.Type) bool {
	if t == schema.Invalid || t == schema.Dynamic {
		return true
	}
	switch p.kind {
	case "Declared":
		if p.typ == schema.Invalid || p.typ == t || p.typ == schema.Dynamic {
			return true
		}
		return isNumeric(p.typ) && isNumeric(t)
	case "Number", "Summable":
		return isNumeric(t) || (p.kind == "Summable" && t == schema.TimeSpan)
	case "Integer":
		return t == schema.Int || t == schema.Long
	case "StringOrDynamic":
		return t == schema.String
	case "DynamicArray", "DynamicBag":
		return false
	case "NotDynamic":
		return true
	}
	return true
}

// pickSig chooses the first signature whose arity and argument types fit,
// falling back to the first whose arity fits.
func pickSig(b *builtin, args []schema.Type) *sig {
	var byCount *sig
	for i := range b.sigs {
		s := &b.sigs[i]
		if !countFits(s, len(args)) {
			continue
		}
		if byCount == nil {
			byCount = s
		}
		if sigFits(s, args) {
			return s
		}
	}
	return byCount
}

// sigFits reports whether every argument fits its parameter.
func sigFits(s *sig, args []schema.Type) bool {
	for j, t := range args {
		if !argFits(paramAt(s, j, len(args)), t) {
			return false
		}
	}
	return true
}

// paramAt returns the parameter argument j of n binds to; repeatable
// parameters take as many arguments as the count allows.
func paramAt(s *sig, j, n int) param {
	if len(s.params) == 0 {
		return param{kind: "Scalar"}
	}
	if len(s.params) == 1 || j < len(s.params) && s.params[j].max == 1 && allSingle(s.params[:j]) {
		if j < len(s.params) {
			return s.params[j]
		}
		return s.params[len(s.params)-1]
	}
	// Repeating groups (case(pred, then, ..., else)): alternate over the
	// repeatable parameters, the rest at the end.
	reps := 0
	for _, p := range s.params {
		if p.max > 1 {
			reps++
		}
	}
	if reps == 0 {
		return s.params[min(j, len(s.params)-1)]
	}
	tail := len(s.params) - reps
	if j >= n-tail && tail > 0 {
		return s.params[len(s.params)-(n-j)]
	}
	return s.params[j%reps]
}

func allSingle(ps []param) bool {
	for _, p := range ps {
		if p.max != 1 {
			return false
		}
	}
	return true
}

// retType computes the result type of a call under signature s.
func (c *checker) retType(b *builtin, s *sig, x *ast.CallExpr, args []schema.Type) schema.Type {
	arg := func(i int) schema.Type {
		if i < len(args) {
			return args[i]
		}
		return schema.Dynamic
	}
	switch s.ret {
	case "Declared":
		if (b.name == "avg" || b.name == "avgif") && arg(0) == schema.Decimal {
			return schema.Decimal // the average of decimals stays decimal
		}
		return s.retTyp
	case "Parameter0":
		return arg(0)
	case "Parameter1":
		return arg(1)
	case "Parameter0Promoted":
		if t := arg(0); t == schema.Int || t == schema.Bool {
			return schema.Long
		}
		return arg(0)
	case "ParameterNLiteral", "Parameter0Literal", "Parameter1Literal":
		for _, a := range x.Args {
			if to, ok := a.(*ast.TypeOfExpr); ok && to.Schema != nil && len(to.Schema.Columns) > 0 {
				return c.typeExpr(to.Schema.Columns[0].Type)
			}
		}
		return schema.Dynamic
	case "Widest":
		w := schema.Invalid
		for _, t := range args {
			if isNumeric(t) {
				if w == schema.Invalid {
					w = t
				} else {
					w = widest(w, t)
				}
			}
		}
		if w == schema.Invalid {
			return arg(0)
		}
		return w
	case "Common", "CommonNonDynamic":
		var ts []schema.Type
		for j, t := range args {
			p := paramAt(s, j, len(args))
			if len(p.kind) >= 6 && p.kind[:6] == "Common" {
				ts = append(ts, t)
			}
		}
		return commonType(ts, s.ret == "CommonNonDynamic")
	case "Parameter0Array":
		return schema.Dynamic
	case "Custom":
		switch b.name {
		case "take_any", "any", "percentile", "percentilew", "bin_auto":
			return arg(0)
		case "arg_max", "arg_min", "argmax", "argmin":
			return arg(0)
		}
		return schema.Dynamic
	}
	return schema.Dynamic
}

// commonType is the type values of types ts share: equal types, or the
// widest number; nonDyn prefers a concrete type over dynamic.
// Dynamic values adopt the others' type; types that do not agree give
// dynamic (iff(c, "a", 1) is dynamic, as in Kusto's analyzer).
func commonType(ts []schema.Type, nonDyn bool) schema.Type {
	r := schema.Invalid
	for _, t := range ts {
		switch {
		case t == schema.Invalid, t == schema.Dynamic:
		case r == schema.Invalid:
			r = t
		case r == t:
		case isNumeric(r) && isNumeric(t):
			r = widest(r, t)
		default:
			return schema.Dynamic
		}
	}
	if r == schema.Invalid {
		return schema.Dynamic
	}
	return r
}

// callName is the column name Kusto derives from a call.
func (c *checker) callName(x *ast.CallExpr) string {
	id, ok := x.Fun.(*ast.Ident)
	if !ok {
		return ""
	}
	if sym := c.sc.lookup(id.Name); sym != nil && sym.fn != nil {
		return ""
	}
	b := lookupFunc(id.Name, c.aggOK > 0)
	if b == nil {
		return ""
	}
	first := func() string {
		if len(x.Args) == 0 {
			return ""
		}
		return c.exprName(x.Args[0])
	}
	switch b.nameKind {
	case "FirstArgument":
		return first()
	case "NameAndFirstArgument":
		if f := first(); f != "" {
			return b.name + "_" + f
		}
	case "PrefixAndFirstArgument":
		return b.prefix + "_" + first()
	case "PrefixOnly":
		return b.prefix
	case "OnlyArgument":
		if len(x.Args) == 1 {
			return first()
		}
	case "NameAndOnlyArgument":
		if f := first(); f != "" && len(x.Args) == 1 {
			return b.name + "_" + f
		}
	case "PrefixAndOnlyArgument":
		if len(x.Args) == 1 {
			return b.prefix + "_" + first()
		}
	case "FirstArgumentValueIfColumn":
		if len(x.Args) > 0 {
			if s, ok := x.Args[0].(*ast.StringLit); ok {
				return s.Value
			}
		}
	}
	return ""
}

// userCall binds a call of a let-declared function and returns its
// scalar result type; tabular results are bound by userTable.
func (c *checker) userCall(sym *symbol, name string, args []ast.Expr, row *table, pos token.Pos) (schema.Type, bool) {
	tab, t, ok := c.invokeUser(sym, name, args, row, pos)
	if !ok {
		return schema.Invalid, false
	}
	if tab != nil {
		if len(tab.cols) > 0 {
			return tab.cols[0].Type, true
		}
		return schema.Dynamic, true
	}
	return t, true
}

// invokeUser binds the body of a user function with its arguments.
func (c *checker) invokeUser(sym *symbol, name string, args []ast.Expr, row *table, pos token.Pos) (*table, schema.Type, bool) {
	if c.depth >= maxDepth {
		c.errorf(pos, "function '%s' nests too deeply", name)
		return nil, schema.Invalid, false
	}
	fn := sym.fn
	if sym.pattern != nil {
		m, err := MatchPattern(sym.pattern, args, nil)
		if err != nil {
			c.errorf(pos, "%v", err)
			return nil, schema.Invalid, false
		}
		fn, args = &ast.FuncLit{Body: m.Body}, nil
	}
	nreq := 0
	for _, p := range fn.Params {
		if p != nil && p.Default == nil {
			nreq++
		}
	}
	if len(args) < nreq || len(args) > len(fn.Params) {
		c.errorf(pos, "function '%s' expects %d arguments, got %d", name, len(fn.Params), len(args))
	}
	// Arguments are bound in the caller's scope.
	type bound struct {
		tab *table
		t   schema.Type
	}
	vals := make([]bound, len(fn.Params))
	for i, p := range fn.Params {
		if p == nil {
			continue
		}
		var a ast.Expr
		if i < len(args) {
			a = args[i]
		}
		if ne, ok := a.(*ast.NamedExpr); ok {
			a = ne.X
		}
		if _, ok := p.Type.(*ast.SchemaType); ok {
			if a != nil {
				vals[i].tab = c.tabular(a)
			} else {
				vals[i].tab = &table{open: true}
			}
			continue
		}
		decl := c.typeExpr(p.Type)
		if a != nil {
			if c.isTabular(a, row) {
				vals[i].tab = c.tabular(a)
				continue
			}
			c.expr(a, row)
		} else if p.Default != nil {
			c.expr(p.Default, nil)
		}
		vals[i].t = decl
	}
	saved := c.sc
	c.sc = &scope{parent: sym.fnSc, names: map[string]*symbol{}}
	c.depth++
	defer func() { c.sc = saved; c.depth-- }()
	for i, p := range fn.Params {
		if p == nil || p.Name == nil {
			continue
		}
		if vals[i].tab != nil {
			c.sc.names[p.Name.Name] = &symbol{tab: vals[i].tab}
		} else {
			c.sc.names[p.Name.Name] = &symbol{scalar: vals[i].t}
		}
	}
	tab, t := c.stmtsIn(fn.Body, row)
	return tab, t, true
}

// stmtsIn binds a function body; its scalar result may read the caller's
// row.
func (c *checker) stmtsIn(list []ast.Stmt, row *table) (*table, schema.Type) {
	var tab *table
	t := schema.Dynamic
	for _, st := range list {
		switch s := st.(type) {
		case *ast.LetStmt:
			c.let(s)
		case *ast.ExprStmt:
			tab, t = c.value(s.X, row)
		}
	}
	return tab, t
}

// kindText describes what a parameter accepts, for errors.
func kindText(p param) string {
	switch p.kind {
	case "Declared":
		return "a " + p.typ.String()
	case "Number", "Summable":
		return "a number"
	case "Integer":
		return "an integer"
	case "StringOrDynamic":
		return "a string"
	case "DynamicArray":
		return "a dynamic array"
	case "DynamicBag":
		return "a dynamic bag"
	}
	return "a " + p.kind
}
