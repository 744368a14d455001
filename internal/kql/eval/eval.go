// Package eval runs the single-table subset of KQL in memory, for custom
// detection rules that run continuously: each ingested batch is evaluated
// as it arrives, without a database round trip.
//
// The subset is a pipeline over one stored table with where, extend,
// project, project-away, project-keep, project-rename, project-reorder
// and take/limit, plus let statements of scalars and scalar functions.
// Compile rejects anything else with a positioned error saying the rule
// cannot run continuously; the caller then falls back to the scheduled
// SQL path (package sqlgen), whose semantics this package matches.
//
// Compile turns every expression into a tree of Go closures once; Run
// walks no syntax tree. Values have the event store's canonical Go types
// (see package store); strings are never null, other types propagate
// null as in Kusto.
package eval

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/kql/token"
	"github.com/vigilsec/vigil/internal/schema"
)

// Error is a query the evaluator cannot run, at a position of the query.
// Line and Column (1-based) are set by CompileText.
type Error struct {
	Pos    token.Pos
	Msg    string
	Line   int
	Column int
}

func (e *Error) Error() string { return e.String() }

// bail carries an *Error out of deep recursion.
type bail struct{ err *Error }

// Program is a compiled continuous rule.
type Program struct {
	table   *schema.Table
	columns []check.Column
	stages  []stage
	width   int   // scratch slots
	out     []int // slot of each output column; negative is input column -1-i
	inTypes []schema.Type
	// perRun computes values fixed for a run (ago(1h)) once per Run.
	perRun []func(now time.Time) any
	// Now, when set, is the time now() and ago() count from in Run;
	// zero means the time Run starts.
	Now time.Time
	// need is what a row must hold for the leading filters to keep it
	// (see prefilter.go); Set skips the rows that fail it.
	need []clause
	// fail are conditions that make the leading filters drop a row
	// (prefilter_veto.go).
	fail []veto
}

// Columns is the schema of the rows Run returns.
func (p *Program) Columns() []check.Column { return p.columns }

// Table is the table the program reads.
func (p *Program) Table() string { return p.table.Name }

type stageKind uint8

const (
	stFilter stageKind = iota
	stAssign
	stTake
)

type stage struct {
	kind stageKind
	f    fn
	slot int
	n    int64
}

// ctx is the state of one row: the input row, the scratch slots computed
// by extend and project, and the run's now.
type ctx struct {
	in     []any
	row    []any
	now    time.Time
	prog   *Program
	runVal []any // the values of Program.perRun for this run
}

type fn func(c *ctx) any

// Run evaluates the program over rows in the table's schema column order
// and returns the output rows in Columns() order. A Program is immutable
// once compiled: Run and RunAt may be called from several goroutines.
// take counts rows within one call.
func (p *Program) Run(rows [][]any) ([][]any, error) {
	now := p.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	return p.RunAt(now, rows)
}

// RunAt is Run with now() fixed to now.
func (p *Program) RunAt(now time.Time, rows [][]any) (out [][]any, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, evalFailed(r)
		}
	}()
	if err := p.checkWidth(rows); err != nil {
		return nil, err
	}
	r := p.newRunner(now)
	for _, in := range rows {
		r.step(in)
	}
	return r.out, nil
}

func evalFailed(r any) error { return fmt.Errorf("continuous rule evaluation failed: %v", r) }

// checkWidth rejects a batch with a row narrower than the table.
func (p *Program) checkWidth(rows [][]any) error {
	nIn := len(p.inTypes)
	for _, in := range rows {
		if len(in) < nIn {
			return fmt.Errorf("row has %d values; table %s has %d columns", len(in), p.table.Name, nIn)
		}
	}
	return nil
}

// runner is the state of one run of a program: scratch slots, the run's
// fixed values, take's counts and the output so far. Set feeds it only
// the rows its prefilter lets through.
type runner struct {
	p     *Program
	c     ctx
	taken []int64
	chunk []any
	out   [][]any
}

func (p *Program) newRunner(now time.Time) *runner {
	r := &runner{p: p, taken: make([]int64, len(p.stages))}
	r.c = ctx{row: make([]any, p.width), now: now.UTC(), prog: p}
	for _, f := range p.perRun {
		r.c.runVal = append(r.c.runVal, f(r.c.now))
	}
	return r
}

// step runs the stages over one row of the input (at least as wide as
// the table) and keeps its output row if no stage drops it.
func (r *runner) step(in []any) {
	p, c := r.p, &r.c
	c.in = in
	for i := range p.stages {
		s := &p.stages[i]
		switch s.kind {
		case stFilter:
			if b, ok := s.f(c).(bool); !ok || !b {
				return
			}
		case stAssign:
			c.row[s.slot] = s.f(c)
		case stTake:
			if r.taken[i] >= s.n {
				return
			}
			r.taken[i]++
		}
	}
	// Output rows share backing arrays allocated in chunks.
	if len(r.chunk) < len(p.out) {
		r.chunk = make([]any, len(p.out)*64)
	}
	o := r.chunk[:len(p.out):len(p.out)]
	r.chunk = r.chunk[len(p.out):]
	for j, slot := range p.out {
		var v any
		if slot < 0 {
			i := -1 - slot
			v = canon(in[i], p.inTypes[i])
		} else {
			v = c.row[slot]
		}
		o[j] = outValue(v, p.columns[j].Type)
	}
	r.out = append(r.out, o)
}

// lcol is a column of the pipeline at some operator: its name, type and
// where its value is (slot >= 0 scratch, slot < 0 input column -1-slot).
type lcol struct {
	name string
	typ  schema.Type
	slot int
}

type compiler struct {
	res       *check.Result
	sc        *scope
	layout    []lcol // nil outside the pipeline
	width     int
	inT       []schema.Type
	depth     int
	stages    []stage
	perRun    []func(now time.Time) any
	prefilter []clause
	vetoes    []veto
	// taken: a take stage was compiled, so later filters no longer
	// decide alone whether a row counts (take counts the rows it sees).
	taken bool
}

type binding struct {
	e    *cexpr
	fn   *ast.FuncLit
	fnSc *scope
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

func (k *compiler) failf(pos token.Pos, format string, args ...any) {
	panic(bail{&Error{Pos: pos, Msg: "cannot run continuously: " + fmt.Sprintf(format, args...)}})
}

// Compile compiles a bound query for continuous evaluation on rows of
// table. The query must read table (by name) and use only the operators
// and functions this package implements; otherwise the error (an *Error)
// says why the rule cannot run continuously.
func Compile(q *ast.Query, res *check.Result, table string) (prog *Program, err error) {
	k := &compiler{res: res, sc: &scope{names: map[string]*binding{}}}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bail)
			if !ok {
				panic(r)
			}
			prog, err = nil, b.err
		}
	}()
	if q == nil || res == nil {
		k.failf(token.NoPos, "no query")
	}
	var query *ast.ExprStmt
	for i, st := range q.Stmts {
		switch s := st.(type) {
		case *ast.LetStmt:
			if query != nil {
				k.failf(s.Pos(), "a let statement after the query")
			}
			k.let(s)
		case *ast.ExprStmt:
			if i != len(q.Stmts)-1 {
				k.failf(s.Pos(), "only one query statement is allowed")
			}
			query = s
		default:
			k.failf(st.Pos(), "statement not supported")
		}
	}
	if query == nil {
		k.failf(token.NoPos, "the query has no tabular expression")
	}
	return k.pipeline(query.X, table), nil
}

func (k *compiler) let(s *ast.LetStmt) {
	if s.Name == nil {
		k.failf(s.Pos(), "let without a name")
	}
	switch v := s.Value.(type) {
	case *ast.FuncLit:
		if v.View.IsValid() {
			k.failf(v.Pos(), "view functions are not supported")
		}
		for _, p := range v.Params {
			if _, ok := p.Type.(*ast.SchemaType); ok {
				k.failf(p.Pos(), "tabular function parameters are not supported")
			}
		}
		k.sc.names[s.Name.Name] = &binding{fn: v, fnSc: k.sc}
		return
	}
	if isTabularSyntax(s.Value) {
		k.failf(s.Value.Pos(), "let of a table is not supported")
	}
	saved := k.layout
	k.layout = nil
	e := k.expr(s.Value)
	k.layout = saved
	k.sc.names[s.Name.Name] = &binding{e: &e}
}

func isTabularSyntax(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.PipeExpr, *ast.DataTableExpr, *ast.ExternalDataExpr:
		return true
	case *ast.ParenExpr:
		return isTabularSyntax(x.X)
	case *ast.CallExpr:
		if id, ok := x.Fun.(*ast.Ident); ok {
			switch id.Name {
			case "materialize", "view", "table", "toscalar":
				return true
			}
		}
	}
	return false
}

func (k *compiler) pipeline(e ast.Expr, table string) *Program {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			break
		}
		e = p.X
	}
	var src ast.Expr
	var ops []ast.Operator
	switch x := e.(type) {
	case *ast.PipeExpr:
		src, ops = x.Source, x.Ops
	case *ast.Ident:
		src = x
	default:
		k.failf(e.Pos(), "the query must read one stored table")
	}
	id, ok := src.(*ast.Ident)
	if !ok {
		pos := e.Pos()
		if src != nil {
			pos = src.Pos()
		}
		k.failf(pos, "the source must be a stored table named by an identifier")
	}
	if b := k.sc.lookup(id.Name); b != nil {
		k.failf(id.Pos(), "the source '%s' is a let name, not a stored table", id.Name)
	}
	t, ok := schema.Lookup(id.Name)
	if !ok {
		k.failf(id.Pos(), "unknown table '%s'", id.Name)
	}
	if table != "" && id.Name != table {
		k.failf(id.Pos(), "the query reads %s, not %s", id.Name, table)
	}
	return k.program(t, ops)
}

// program compiles ops over rows of table t.
func (k *compiler) program(t *schema.Table, ops []ast.Operator) *Program {
	k.inT = make([]schema.Type, len(t.Columns))
	k.layout = make([]lcol, len(t.Columns))
	for i, c := range t.Columns {
		k.inT[i] = c.Type
		k.layout[i] = lcol{name: c.Name, typ: c.Type, slot: -1 - i}
	}
	for _, o := range ops {
		k.op(o)
	}
	p := &Program{table: t, inTypes: k.inT, stages: k.stages, width: k.width, perRun: k.perRun, need: pickClauses(k.prefilter), fail: pickVetoes(k.vetoes)}
	for _, c := range k.layout {
		p.columns = append(p.columns, check.Column{Name: c.name, Type: c.typ})
		p.out = append(p.out, c.slot)
	}
	return p
}

func (k *compiler) find(name string) int {
	for i, c := range k.layout {
		if c.name == name {
			return i
		}
	}
	return -1
}

func (k *compiler) newSlot() int {
	k.width++
	return k.width - 1
}

// conform reorders and retypes the layout to the binder's schema of o.
func (k *compiler) conform(o ast.Operator) {
	t := k.res.Tables[o]
	if t == nil {
		k.failf(o.Pos(), "the operator was not bound")
	}
	if t.Open {
		k.failf(o.Pos(), "the operator's schema is not known")
	}
	out := make([]lcol, len(t.Columns))
	for i, c := range t.Columns {
		j := k.find(c.Name)
		if j < 0 {
			k.failf(o.Pos(), "internal: column '%s' missing", c.Name)
		}
		lc := k.layout[j]
		if c.Type != lc.typ && c.Type != schema.Invalid {
			// Convert to the binder's type, as the SQL path does.
			from, to, src := lc.typ, c.Type, lc.slot
			read := k.readSlot(src, from)
			slot := k.newSlot()
			k.stages = append(k.stages, stage{kind: stAssign, slot: slot, f: func(c *ctx) any { return convert(read(c), from, to) }})
			lc = lcol{name: c.Name, typ: to, slot: slot}
		}
		out[i] = lc
	}
	k.layout = out
}

func (k *compiler) op(o ast.Operator) {
	switch x := o.(type) {
	case *ast.WhereOp:
		if len(x.Options) > 0 {
			k.failf(x.Pos(), "where options are not supported")
		}
		e := k.expr(x.Pred)
		if e.t != schema.Bool && e.t != schema.Dynamic {
			k.failf(x.Pred.Pos(), "where needs a bool, got %s", e.t)
		}
		f := e.f
		if e.t == schema.Dynamic {
			f = truthFn(e)
		}
		k.stages = append(k.stages, stage{kind: stFilter, f: f})
		if !k.taken {
			k.prefilter = append(k.prefilter, k.clauses(x.Pred)...)
			k.vetoes = append(k.vetoes, k.failIf(x.Pred)...)
		}
	case *ast.ExtendOp:
		for _, ex := range x.Exprs {
			names := k.res.Names[ex]
			if len(names) != 1 {
				k.failf(ex.Pos(), "extend with %d names is not supported", len(names))
			}
			e := k.expr(valueOf(ex))
			slot := k.newSlot()
			k.stages = append(k.stages, stage{kind: stAssign, slot: slot, f: e.f})
			lc := lcol{name: names[0], typ: e.t, slot: slot}
			if i := k.find(names[0]); i >= 0 {
				k.layout[i] = lc
			} else {
				k.layout = append(k.layout, lc)
			}
		}
		k.conform(o)
	case *ast.ProjectOp:
		k.project(o, x.Exprs)
	case *ast.ProjectAwayOp, *ast.ProjectKeepOp, *ast.ProjectReorderOp:
		k.conform(o)
	case *ast.ProjectRenameOp:
		k.rename(x)
	case *ast.TakeOp:
		k.take(x)
	default:
		k.failf(o.Pos(), "operator %s is not supported", opName(o))
	}
}

// project compiles project's expressions (and print's, in tests).
func (k *compiler) project(o ast.Operator, exprs []ast.Expr) {
	var out []lcol
	for _, ex := range exprs {
		names := k.res.Names[ex]
		v := valueOf(ex)
		switch v.(type) {
		case *ast.Wildcard, *ast.Star:
			for _, n := range names {
				i := k.find(n)
				if i < 0 {
					k.failf(ex.Pos(), "unknown column '%s'", n)
				}
				out = append(out, k.layout[i])
			}
			continue
		}
		if len(names) != 1 {
			k.failf(ex.Pos(), "project with %d names is not supported", len(names))
		}
		if id, ok := v.(*ast.Ident); ok {
			if i := k.find(id.Name); i >= 0 {
				lc := k.layout[i]
				lc.name = names[0]
				out = append(out, lc)
				continue
			}
		}
		e := k.expr(v)
		slot := k.newSlot()
		k.stages = append(k.stages, stage{kind: stAssign, slot: slot, f: e.f})
		out = append(out, lcol{name: names[0], typ: e.t, slot: slot})
	}
	k.layout = out
	k.conform(o)
}

func (k *compiler) rename(x *ast.ProjectRenameOp) {
	oldOf := map[string]string{}
	for _, ex := range x.Exprs {
		ne, ok := ex.(*ast.NamedExpr)
		if !ok || len(ne.Names) != 1 {
			k.failf(ex.Pos(), "project-rename expects new = old")
		}
		old, ok := ne.X.(*ast.Ident)
		if !ok {
			k.failf(ex.Pos(), "project-rename expects new = old")
		}
		oldOf[ne.Names[0].Name] = old.Name
	}
	renamed := map[string]bool{}
	for _, o := range oldOf {
		renamed[o] = true
	}
	var out []lcol
	for _, c := range k.layout {
		if !renamed[c.name] {
			out = append(out, c)
		}
	}
	for n, o := range oldOf {
		i := k.find(o)
		if i < 0 {
			k.failf(x.Pos(), "unknown column '%s'", o)
		}
		lc := k.layout[i]
		lc.name = n
		out = append(out, lc)
	}
	k.layout = out
	k.conform(x)
}

func (k *compiler) take(x *ast.TakeOp) {
	if len(x.Options) > 0 {
		k.failf(x.Pos(), "take options are not supported")
	}
	saved := k.layout
	k.layout = nil
	e := k.expr(x.Count)
	k.layout = saved
	if !e.konst {
		k.failf(x.Count.Pos(), "take needs a constant count")
	}
	n, ok := asInt(convert(e.f(nil), e.t, schema.Long))
	if !ok || n < 0 {
		k.failf(x.Count.Pos(), "take needs a non-negative count")
	}
	k.stages = append(k.stages, stage{kind: stTake, n: n})
	k.taken = true
}

func opName(o ast.Operator) string {
	n := fmt.Sprintf("%T", o)
	n = strings.TrimPrefix(n, "*ast.")
	n = strings.TrimSuffix(n, "Op")
	return strings.ToLower(n)
}

// valueOf strips the names of x = value.
func valueOf(e ast.Expr) ast.Expr {
	if ne, ok := e.(*ast.NamedExpr); ok {
		return ne.X
	}
	return e
}

// readSlot returns a closure reading a layout slot.
func (k *compiler) readSlot(slot int, t schema.Type) fn {
	if slot >= 0 {
		return func(c *ctx) any { return c.row[slot] }
	}
	i := -1 - slot
	switch t {
	case schema.String:
		return func(c *ctx) any {
			v := c.in[i]
			if _, ok := v.(string); ok {
				return v
			}
			return canon(v, t)
		}
	case schema.Long:
		return func(c *ctx) any {
			v := c.in[i]
			if _, ok := v.(int64); ok || v == nil {
				return v
			}
			return canon(v, t)
		}
	case schema.Int:
		return func(c *ctx) any {
			v := c.in[i]
			if _, ok := v.(int32); ok || v == nil {
				return v
			}
			return canon(v, t)
		}
	case schema.DateTime:
		return func(c *ctx) any {
			v := c.in[i]
			if tm, ok := v.(time.Time); ok && tm.Location() == time.UTC || v == nil {
				return v
			}
			return canon(v, t)
		}
	}
	return func(c *ctx) any { return canon(c.in[i], t) }
}
