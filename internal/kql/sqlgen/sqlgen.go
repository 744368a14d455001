// Package sqlgen compiles a bound KQL query into one DuckDB SELECT.
//
// The logical plan is a chain of steps, one per tabular operator; each
// step becomes a common table expression reading the one before it, so
// the SQL has the shape of the KQL pipe and DuckDB's optimizer inlines
// it into one plan. Every literal of the query is a bind parameter
// ($1, $2...): no text of the query reaches the SQL except identifiers,
// which are quoted, so hostile literals and names cannot change its
// structure.
//
// Values keep KQL's types as DuckDB types: bool BOOLEAN, int INTEGER,
// long BIGINT, real DOUBLE, decimal DECIMAL(38,18), datetime TIMESTAMP,
// timespan INTERVAL, string VARCHAR, guid UUID, dynamic JSON. KQL
// strings are never null: table scans turn stored NULL strings into ”.
//
// Import rule: sqlgen reads the ast and the binder's Result; it never
// runs SQL. Package hunt runs what it produces.
package sqlgen

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/kql/token"
	"github.com/vigilsec/vigil/internal/schema"
)

// Options configure a compilation.
type Options struct {
	// Table maps a table name to the store's relation name and reports
	// whether the store has it. Nil means every hunting-schema table,
	// under its own name.
	Table func(name string) (string, bool)
	// Now is the query's notion of now(): ago() and the default window
	// count from it. Zero means time.Now().
	Now time.Time
	// Window, when positive, keeps only rows whose Timestamp is within
	// Window before Now in every scan of a table that has one.
	Window time.Duration
	// WindowEnd, when set, also keeps only rows with Timestamp before it
	// (scheduled detection runs over a past interval).
	WindowEnd time.Time
	// ExternalData fetches the rows of externaldata; nil refuses it.
	ExternalData ExternalData
	// Discover reads the data while compiling; nil refuses the
	// operators that need it.
	Discover Discover
}

// Program is a compiled query.
type Program struct {
	SQL  string
	Args []any
	// Columns is the result schema, as the binder computed it.
	Columns []check.Column
	// Steps is the logical plan, one entry per operator, in order.
	Steps []Step
	// Render is set when the query ends with render.
	Render *Render
}

// Step is one step of the logical plan.
type Step struct {
	Name    string // its name in the SQL
	Op      string // the KQL operator or source
	Pos     token.Pos
	Columns []check.Column
}

// Render is the visualization a query asked for.
type Render struct {
	Visualization string
	Props         map[string]any
}

// Error is a query the generator cannot compile, at a position.
type Error struct {
	Pos token.Pos
	Msg string
}

func (e *Error) Error() string { return e.Msg }

// bail carries an *Error out of deep recursion.
type bail struct{ err *Error }

// maxDepth bounds user-function expansion.
const maxDepth = 64

// Compile turns a bound query into a Program.
func Compile(q *ast.Query, res *check.Result, opts Options) (prog *Program, err error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	g := &gen{opts: opts, res: res, sc: &scope{names: map[string]*binding{}}}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			prog, err = nil, b.err
		}
	}()
	out := g.stmts(q.Stmts)
	if out.rel == nil {
		// A scalar query: print it.
		name := g.cte("print", token.NoPos, "SELECT "+out.sql+" AS \"print_0\"", []check.Column{{Name: "print_0", Type: out.typ}})
		out.rel = &rel{name: name, cols: []check.Column{{Name: "print_0", Type: out.typ}}}
	}
	cols := out.rel.cols
	var b strings.Builder
	if len(g.ctes) > 0 {
		b.WriteString("WITH ")
		b.WriteString(strings.Join(g.ctes, ",\n"))
		b.WriteString("\n")
	}
	b.WriteString("SELECT ")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		if c.Type == schema.Dynamic || c.Type == schema.Invalid {
			// Dynamic values leave as JSON text, which the caller reads
			// back exactly (the driver would decode them).
			b.WriteString("CAST(to_json(" + quote(c.Name) + ") AS VARCHAR) AS " + quote(c.Name))
			continue
		}
		b.WriteString(quote(c.Name))
	}
	if len(cols) == 0 {
		b.WriteString("NULL AS \"__empty\"")
	}
	b.WriteString(" FROM " + out.rel.name)
	if len(out.rel.order) > 0 {
		b.WriteString(" ORDER BY " + orderSQL(out.rel.order))
	}
	sql, args := compactParams(b.String(), g.args)
	return &Program{SQL: sql, Args: args, Columns: cols, Steps: g.steps, Render: g.render}, nil
}

// compactParams drops the arguments no placeholder reads (a let that is
// never used still bound its literals) and renumbers the placeholders:
// DuckDB wants every parameter from $1 to the highest one provided.
func compactParams(sql string, args []any) (string, []any) {
	used := make([]int, len(args)+1)
	scanParams(sql, func(n int) string {
		if n >= 1 && n <= len(args) {
			used[n] = 1
		}
		return ""
	})
	var out []any
	for n := 1; n <= len(args); n++ {
		if used[n] != 0 {
			out = append(out, args[n-1])
			used[n] = len(out)
		}
	}
	if len(out) == len(args) {
		return sql, args
	}
	return scanParams(sql, func(n int) string {
		if n < 1 || n > len(args) {
			return ""
		}
		return fmt.Sprintf("$%d", used[n])
	}), out
}

// scanParams calls f for each placeholder $n outside quoted strings and
// identifiers, and returns sql with each replaced by what f returns
// (kept when f returns "").
func scanParams(sql string, f func(n int) string) string {
	var b strings.Builder
	var quote byte
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '$' && i+1 < len(sql) && sql[i+1] >= '0' && sql[i+1] <= '9':
			j := i + 1
			for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
				j++
			}
			n, err := strconv.Atoi(sql[i+1 : j])
			if err == nil {
				if r := f(n); r != "" {
					b.WriteString(r)
					i = j - 1
					continue
				}
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// gen is the state of one compilation.
type gen struct {
	opts   Options
	res    *check.Result
	args   []any
	ctes   []string
	steps  []Step
	sc     *scope
	depth  int
	render *Render
	// curRow is the row of the call being compiled, for functions that
	// read columns by name (pack_all, column_ifexists).
	curRow *rel
	// agg is set while compiling summarize's aggregate expressions.
	agg *aggCtx
	// outNeed is, while an operator of a pipe compiles, the columns of
	// its output that later operators read (nil: all); see pipeNeeds.
	outNeed colSet
	// bare marks comparisons whose null may stand for false (the
	// conjuncts of a where clause).
	bare map[ast.Expr]bool
	// sets holds the values of the query's set statements (bin_auto
	// reads query_bin_auto_size and query_bin_auto_at).
	sets map[string]ast.Expr
}

// rel is a relation: a named step and its columns. SQL relations have no
// order, so a rel that has one (after sort, top, serialize...) carries it
// as keys over its columns or hidden columns, and every step that keeps
// rows in order repeats them; the final SELECT orders by them.
type rel struct {
	name   string
	cols   []check.Column
	order  []orderKey
	hidden []string // columns present in the SQL but not in KQL's schema
	// unique is set on the output of a join kind=innerunique.
	unique *uniqueJoin
}

// orderKey is one key of a rel's order: a column and its direction.
type orderKey struct {
	col  string
	desc bool
	// nullsFirst: KQL puts nulls first when ascending, last when
	// descending, unless the query says otherwise.
	nullsFirst bool
}

func orderSQL(keys []orderKey) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		p := quote(k.col)
		if k.desc {
			p += " DESC"
		} else {
			p += " ASC"
		}
		if k.nullsFirst {
			p += " NULLS FIRST"
		} else {
			p += " NULLS LAST"
		}
		parts[i] = p
	}
	return strings.Join(parts, ", ")
}

func (r *rel) find(name string) int {
	for i, c := range r.cols {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// value is a compiled statement or expression: a relation or a scalar.
type value struct {
	rel *rel
	sql string
	typ schema.Type
}

type binding struct {
	rel *rel
	// sql is a compiled scalar (a let of a scalar, a bound parameter).
	sql string
	typ schema.Type
	// fn is a user function and the scope it was defined in.
	fn   *ast.FuncLit
	fnSc *scope
	// pattern is a declared pattern: a reference compiles the body of
	// the mapping its arguments select.
	pattern *ast.PatternStmt
}

type scope struct {
	parent *scope
	names  map[string]*binding
}

func (s *scope) lookup(name string) *binding {
	for ; s != nil; s = s.parent {
		if b, ok := s.names[name]; ok {
			return b
		}
	}
	return nil
}

func (g *gen) failf(pos token.Pos, format string, args ...any) {
	panic(bail{&Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}})
}

// param binds a value and returns its placeholder.
func (g *gen) param(v any) string {
	g.args = append(g.args, v)
	return fmt.Sprintf("$%d", len(g.args))
}

// typedParam binds a value as a given KQL type.
func (g *gen) typedParam(v any, t schema.Type) string {
	if v == nil {
		return "CAST(NULL AS " + sqlType(t) + ")"
	}
	return "CAST(" + g.param(v) + " AS " + sqlType(t) + ")"
}

// cte adds a step and returns its name.
func (g *gen) cte(op string, pos token.Pos, body string, cols []check.Column) string {
	name := fmt.Sprintf("_s%d", len(g.steps)+1)
	g.ctes = append(g.ctes, name+" AS (\n"+body+"\n)")
	g.steps = append(g.steps, Step{Name: name, Op: op, Pos: pos, Columns: cols})
	return name
}

// step adds a step whose output columns are cols, without order.
func (g *gen) step(op string, pos token.Pos, body string, cols []check.Column) *rel {
	return &rel{name: g.cte(op, pos, body, cols), cols: cols}
}

// stmts compiles a statement list and returns the value of its last
// expression statement.
func (g *gen) stmts(list []ast.Stmt) value {
	var last value
	for _, s := range list {
		switch x := s.(type) {
		case *ast.LetStmt:
			g.let(x)
		case *ast.ExprStmt:
			last = g.value(x.X, nil)
		case *ast.SetStmt:
			if x.Name != nil && x.Value != nil {
				if g.sets == nil {
					g.sets = map[string]ast.Expr{}
				}
				g.sets[x.Name.Name] = x.Value
			}
		case *ast.PatternStmt:
			if x.Name != nil {
				g.sc.names[x.Name.Name] = &binding{fn: check.PatternShape(x), fnSc: g.sc, pattern: x}
			}
		case *ast.QueryParamsStmt, *ast.AliasStmt, *ast.RestrictStmt:
			// Options and declarations that change nothing here.
		default:
			g.failf(s.Pos(), "statement not supported")
		}
	}
	if last.rel == nil && last.sql == "" {
		g.failf(token.NoPos, "the query has no expression to return")
	}
	return last
}

func (g *gen) let(x *ast.LetStmt) {
	if x.Name == nil {
		return
	}
	if fl, ok := x.Value.(*ast.FuncLit); ok {
		g.sc.names[x.Name.Name] = &binding{fn: fl, fnSc: g.sc}
		return
	}
	v := g.value(x.Value, nil)
	g.sc.names[x.Name.Name] = &binding{rel: v.rel, sql: v.sql, typ: v.typ}
}

// value compiles an expression that may be tabular or scalar.
func (g *gen) value(e ast.Expr, row *rel) value {
	if g.isTabular(e) {
		return value{rel: g.tabular(e)}
	}
	return value{sql: g.expr(e, row), typ: g.typeOf(e)}
}

// isTabular reports whether the binder saw e as a table.
func (g *gen) isTabular(e ast.Expr) bool {
	if p, ok := e.(*ast.ParenExpr); ok {
		return g.isTabular(p.X)
	}
	if _, ok := g.res.Tables[e]; ok {
		return true
	}
	switch x := e.(type) {
	case *ast.PipeExpr, *ast.DataTableExpr, *ast.ExternalDataExpr:
		return true
	case *ast.Ident:
		if b := g.sc.lookup(x.Name); b != nil {
			return b.rel != nil || b.fn != nil && g.fnTabular(b.fn)
		}
	case *ast.CallExpr:
		if id, ok := x.Fun.(*ast.Ident); ok {
			if b := g.sc.lookup(id.Name); b != nil && b.fn != nil {
				return g.fnTabular(b.fn)
			}
		}
	case *ast.SelectorExpr:
		if b, _ := g.patternRef(x); b != nil {
			return g.fnTabular(b.fn)
		}
	}
	return false
}

// fnTabular reports whether a user function returns a table: the binder
// recorded its body's last expression as tabular.
func (g *gen) fnTabular(fl *ast.FuncLit) bool {
	for i := len(fl.Body) - 1; i >= 0; i-- {
		if es, ok := fl.Body[i].(*ast.ExprStmt); ok {
			return g.isTabular(es.X)
		}
	}
	return false
}

func (g *gen) typeOf(e ast.Expr) schema.Type {
	return g.res.Types[e]
}

// tableCols returns the binder's schema for a tabular node.
func (g *gen) tableCols(n ast.Node) []check.Column {
	if t, ok := g.res.Tables[n]; ok {
		return t.Columns
	}
	g.failf(n.Pos(), "internal error: no schema for this table")
	return nil
}

// quote quotes an identifier for DuckDB.
func quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// sqlType is the DuckDB type of a KQL type.
func sqlType(t schema.Type) string {
	switch t {
	case schema.Bool:
		return "BOOLEAN"
	case schema.Int:
		return "INTEGER"
	case schema.Long:
		return "BIGINT"
	case schema.Real:
		return "DOUBLE"
	case schema.Decimal:
		return "DECIMAL(38,18)"
	case schema.DateTime:
		return "TIMESTAMP"
	case schema.TimeSpan:
		return "INTERVAL"
	case schema.String:
		return "VARCHAR"
	case schema.GUID:
		return "UUID"
	case schema.Dynamic:
		return "JSON"
	}
	return "JSON"
}

// selectList renders the columns of r as a select list.
func selectCols(cols []check.Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = quote(c.Name)
	}
	if len(parts) == 0 {
		return "NULL AS \"__empty\""
	}
	return strings.Join(parts, ", ")
}
