// Package check is the KQL binder: it resolves the names of a parsed query
// against the hunting schema and the query's own let statements, gives
// every expression a type, and computes the query's result schema with
// the column names and types Kusto would report.
//
// The rules follow Microsoft's analyzer (../shared/tools/kusto-oracle):
// the table of built-in functions with their signatures and result-naming
// rules (builtins_gen.go) is extracted from it, and the corpus tests
// compare result schemas with what it reports for real hunting queries.
//
// Errors are positioned ("3:9: unknown column 'FileSize'") and collected
// in a scanner.ErrorList. Check never panics on a malformed or partial
// tree: a panic inside the binder is recovered and reported as an internal
// error, and the work of one call is bounded (user functions re-bind their
// bodies per call, which could otherwise take exponential time).
//
// Where the binder cannot know a schema (evaluate bag_unpack, pivot,
// operators not modelled yet) the table is marked open: names it does not
// list are accepted with the unknown type, schema.Invalid, and join the
// table from then on, as in Microsoft's analyzer.
//
// Deliberate differences from that analyzer: Vigil's own tables
// (SecurityEvent, Syslog, ...) resolve, and Defender's FileProfile is
// accepted by invoke.
//
// Import rule: this package reads the ast and the schema; the planner and
// the SQL generator read its Result, never the other way round.
package check

import (
	"fmt"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/scanner"
	"github.com/vigilsec/vigil/internal/kql/token"
	"github.com/vigilsec/vigil/internal/schema"
)

// Column is one column of a tabular result.
type Column struct {
	Name string
	Type schema.Type
}

// Env is what a query is bound against.
type Env struct {
	// Source is the query text; it turns positions into line:col in
	// errors. Without it errors carry byte offsets only.
	Source string
	// Table resolves a table name. Nil means the hunting schema.
	Table func(name string) ([]Column, bool)
}

// Result is what the binder learned about a query.
type Result struct {
	// Columns is the schema of the query's result (the last tabular
	// statement), in order. Nil when the query's result is a scalar.
	Columns []Column
	// Open is set when the result may hold columns the binder cannot know
	// (evaluate bag_unpack, ...).
	Open bool
	// Scalar is the type of the result when it is a scalar expression.
	Scalar schema.Type
	// Types gives the type of every scalar expression node; tabular nodes
	// are absent. The SQL generator reads it. schema.Invalid, here and in
	// Columns, means unknown: a column of an open table. The body of a
	// user function is bound once per call; its nodes keep the types of
	// the last call.
	Types map[ast.Expr]schema.Type
	// Tables gives the schema each tabular expression and each operator
	// produces (an operator's entry is its output). As with Types, a user
	// function's body keeps the schema of its last call.
	Tables map[ast.Node]*Table
	// Names gives, for each expression of print, extend, project and
	// summarize (by-expressions and aggregates), the names of the
	// columns it produces, in order (arg_max(x, *) produces several).
	Names map[ast.Expr][]string
}

// Table is the schema of a tabular node.
type Table struct {
	Columns []Column
	Open    bool
}

// maxErrors bounds the errors kept: after that they are mostly echoes.
const maxErrors = 10

// maxDepth bounds the nesting of function calls and let expansions, so
// that recursive user functions end with an error instead of a hang.
const maxDepth = 64

// maxSteps bounds the work of one Check: each user function call binds
// the function's body again, so calls nested in calls could otherwise take
// exponential time.
const maxSteps = 200000

// bailout aborts binding once too many errors were found.
type bailout struct{}

// Check binds q. On error the Result is still returned with what could be
// bound; the error is a scanner.ErrorList with every problem found.
func Check(q *ast.Query, env *Env) (res *Result, err error) {
	if env == nil {
		env = &Env{}
	}
	c := &checker{env: env, res: &Result{Types: map[ast.Expr]schema.Type{}, Tables: map[ast.Node]*Table{}, Names: map[ast.Expr][]string{}}, letRefs: map[*ast.Ident]bool{}, tabularFn: map[*ast.FuncLit]bool{}}
	if env.Source != "" {
		c.file = token.NewFile(env.Source)
	}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok && repanic {
				panic(r)
			} else if !ok {
				c.errorf(token.NoPos, "internal error: binder: %v", r)
			}
		}
		res, err = c.res, c.errs.Err()
	}()
	if q == nil {
		return c.res, nil
	}
	c.query(q)
	return c.res, nil
}

// repanic, set by tests, lets panics through to show their stack.
var repanic bool

// checker holds the state of one Check call.
type checker struct {
	env   *Env
	file  *token.File
	res   *Result
	errs  scanner.ErrorList
	depth int
	sc    *scope
	// letRefs marks the names that resolved to let values, not columns.
	letRefs map[*ast.Ident]bool
	steps   int
	// aggOK is positive where aggregate functions may be called.
	aggOK int
	// tabularFn caches whether a user function returns a table.
	tabularFn map[*ast.FuncLit]bool
	// fuzzy is set inside union isfuzzy=true, where missing tables are
	// skipped.
	fuzzy bool
}

// step counts work and gives up when the budget is spent.
func (c *checker) step(pos token.Pos) {
	c.steps++
	if c.steps == maxSteps {
		c.errorf(pos, "query too complex to check")
		panic(bailout{})
	}
}

func (c *checker) errorf(pos token.Pos, format string, args ...any) {
	var p token.Position
	if c.file != nil {
		p = c.file.Position(pos)
	} else if pos.IsValid() {
		p = token.Position{Offset: pos.Offset()}
	}
	c.errs.Add(p, fmt.Sprintf(format, args...))
	if len(c.errs) >= maxErrors {
		panic(bailout{})
	}
}

// table is the schema of a tabular value.
type table struct {
	cols []Column
	open bool // may hold columns not listed
}

func (t *table) find(name string) (Column, int) {
	for i, col := range t.cols {
		if col.Name == name {
			return col, i
		}
	}
	return Column{}, -1
}

func (t *table) clone() *table {
	return &table{cols: append([]Column(nil), t.cols...), open: t.open}
}

// symbol is what a let name or a parameter stands for.
type symbol struct {
	scalar schema.Type // for scalar values
	tab    *table      // for tabular values
	fn     *ast.FuncLit
	fnSc   *scope // the scope the function was declared in
	// pattern is a declared pattern (fn is then empty): a reference
	// binds the body of the mapping its arguments select.
	pattern *ast.PatternStmt
}

// scope maps let names to symbols; lookups go outwards.
type scope struct {
	parent *scope
	names  map[string]*symbol
}

func (s *scope) lookup(name string) *symbol {
	for ; s != nil; s = s.parent {
		if sym, ok := s.names[name]; ok {
			return sym
		}
	}
	return nil
}

func (c *checker) push() { c.sc = &scope{parent: c.sc, names: map[string]*symbol{}} }
func (c *checker) pop()  { c.sc = c.sc.parent }

func (c *checker) define(name string, sym *symbol) {
	if c.sc == nil {
		c.push()
	}
	c.sc.names[name] = sym
}

func (c *checker) query(q *ast.Query) {
	c.push()
	c.stmts(q.Stmts, true)
}

// stmts binds statements; the last expression statement gives the result
// when top is set. It returns the last statement's value.
func (c *checker) stmts(list []ast.Stmt, top bool) (tab *table, scalar schema.Type) {
	for _, st := range list {
		switch s := st.(type) {
		case *ast.LetStmt:
			c.let(s)
		case *ast.PatternStmt:
			if s.Name != nil {
				c.define(s.Name.Name, &symbol{fn: PatternShape(s), fnSc: c.sc, pattern: s})
			}
		case *ast.SetStmt:
			// bin_auto reads these options as values.
			if s.Name != nil && s.Value != nil && (s.Name.Name == "query_bin_auto_size" || s.Name.Name == "query_bin_auto_at") {
				c.expr(s.Value, nil)
			}
		case *ast.QueryParamsStmt:
			for _, p := range s.Params {
				c.param(p)
			}
		case *ast.ExprStmt:
			tab, scalar = c.value(s.X, nil)
			if top {
				if tab != nil {
					c.res.Columns, c.res.Open, c.res.Scalar = tab.cols, tab.open, schema.Invalid
				} else {
					c.res.Columns, c.res.Open, c.res.Scalar = nil, false, scalar
				}
			}
		}
	}
	return tab, scalar
}

func (c *checker) let(s *ast.LetStmt) {
	if s.Name == nil {
		return
	}
	if c.sc != nil && c.sc.names[s.Name.Name] != nil {
		// Kusto rejects a second let of a name in the same scope.
		c.errorf(s.Name.Pos(), "'%s' is already declared", s.Name.Name)
	}
	switch v := s.Value.(type) {
	case *ast.FuncLit:
		c.define(s.Name.Name, &symbol{fn: v, fnSc: c.sc})
		return
	}
	tab, t := c.value(s.Value, nil)
	if tab != nil {
		c.define(s.Name.Name, &symbol{tab: tab})
	} else {
		c.define(s.Name.Name, &symbol{scalar: t})
	}
}

// param defines a function or query parameter in the current scope.
func (c *checker) param(p *ast.Param) {
	if p == nil || p.Name == nil {
		return
	}
	switch t := p.Type.(type) {
	case *ast.SchemaType:
		tab := &table{}
		for _, col := range t.Columns {
			if col.Star.IsValid() || col.Name == nil {
				tab.open = true
				continue
			}
			tab.cols = append(tab.cols, Column{col.Name.Name, c.typeExpr(col.Type)})
		}
		c.define(p.Name.Name, &symbol{tab: tab})
	default:
		c.define(p.Name.Name, &symbol{scalar: c.typeExpr(p.Type)})
	}
}

// typeExpr resolves a declared scalar type.
func (c *checker) typeExpr(t ast.TypeExpr) schema.Type {
	st, ok := t.(*ast.ScalarType)
	if !ok || st == nil {
		return schema.Dynamic
	}
	ty, ok := schema.ParseType(st.Name)
	if !ok {
		c.errorf(st.NamePos, "unknown type '%s'", st.Name)
		return schema.Dynamic
	}
	return ty
}

// value binds an expression that may be tabular or scalar, with row as the
// columns in scope (nil outside operators).
func (c *checker) value(e ast.Expr, row *table) (*table, schema.Type) {
	if c.isTabular(e, row) {
		return c.tabular(e), schema.Invalid
	}
	return nil, c.expr(e, row)
}

// isTabular reports whether e denotes a table.
func (c *checker) isTabular(e ast.Expr, row *table) bool {
	switch x := e.(type) {
	case *ast.PipeExpr, *ast.DataTableExpr, *ast.ExternalDataExpr:
		return true
	case *ast.ParenExpr:
		return c.isTabular(x.X, row)
	case *ast.Ident:
		if row != nil {
			if _, i := row.find(x.Name); i >= 0 {
				return false
			}
		}
		if sym := c.sc.lookup(x.Name); sym != nil {
			return sym.tab != nil || (sym.fn != nil && c.fnIsTabular(sym))
		}
		_, ok := c.lookupTable(x.Name)
		return ok
	case *ast.CallExpr:
		id, ok := x.Fun.(*ast.Ident)
		if !ok {
			return true // cluster(..).database(..).T(...)
		}
		if sym := c.sc.lookup(id.Name); sym != nil && sym.fn != nil {
			return c.fnIsTabular(sym)
		}
		switch id.Name {
		case "materialize", "view", "table", "FileProfile", "DeviceFromIP", "AssignedIPAddresses":
			return true
		}
	case *ast.SelectorExpr:
		if sym, _ := c.patternRef(x); sym != nil {
			return c.fnIsTabular(sym)
		}
		// database("x").T
		if _, ok := x.X.(*ast.CallExpr); ok {
			if id, ok := x.X.(*ast.CallExpr).Fun.(*ast.Ident); ok && (id.Name == "database" || id.Name == "cluster") {
				return true
			}
		}
	}
	return false
}

// fnIsTabular reports whether a user function's body ends in a table.
func (c *checker) fnIsTabular(sym *symbol) bool {
	if r, ok := c.tabularFn[sym.fn]; ok {
		return r
	}
	// Assume scalar while looking, so that recursion ends.
	c.tabularFn[sym.fn] = false
	r := c.fnIsTabular1(sym)
	c.tabularFn[sym.fn] = r
	return r
}

func (c *checker) fnIsTabular1(sym *symbol) bool {
	body := sym.fn.Body
	if len(body) == 0 || c.depth >= maxDepth {
		return false
	}
	c.depth++
	defer func() { c.depth-- }()
	es, ok := body[len(body)-1].(*ast.ExprStmt)
	if !ok {
		return false
	}
	// Bind in the function's scope with its parameters, without
	// recording errors: only the shape matters here.
	saved, savedErrs := c.sc, c.errs
	c.sc = &scope{parent: sym.fnSc, names: map[string]*symbol{}}
	for _, p := range sym.fn.Params {
		if p != nil && p.Name != nil {
			if st, ok := p.Type.(*ast.SchemaType); ok {
				_ = st
				c.sc.names[p.Name.Name] = &symbol{tab: &table{open: true}}
			} else {
				c.sc.names[p.Name.Name] = &symbol{scalar: schema.Dynamic}
			}
		}
	}
	for _, st := range body[:len(body)-1] {
		if l, ok := st.(*ast.LetStmt); ok && l.Name != nil {
			if fl, ok := l.Value.(*ast.FuncLit); ok {
				c.sc.names[l.Name.Name] = &symbol{fn: fl, fnSc: c.sc}
			} else if c.isTabular(l.Value, nil) {
				c.sc.names[l.Name.Name] = &symbol{tab: &table{open: true}}
			} else {
				c.sc.names[l.Name.Name] = &symbol{scalar: schema.Dynamic}
			}
		}
	}
	r := c.isTabular(es.X, nil)
	c.sc, c.errs = saved, savedErrs
	return r
}

func (c *checker) lookupTable(name string) ([]Column, bool) {
	if c.env.Table != nil {
		return c.env.Table(name)
	}
	t, ok := schema.Lookup(name)
	if !ok {
		return nil, false
	}
	cols := make([]Column, len(t.Columns))
	for i, col := range t.Columns {
		cols[i] = Column{col.Name, col.Type}
	}
	return cols, true
}
