package sqlgen

import (
	"fmt"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

// Window functions read the rows of a serialized row set in order:
// row_number, prev, next, row_cumsum, row_rank_dense, row_rank_min and
// row_window_session. SQL cannot nest window functions nor put them in a
// WHERE clause, so the operators that may call them (extend, serialize,
// project, where) first call g.windowed: it numbers the input rows
// (1..n in their order) and computes every such call, innermost first,
// into a hidden column of its own step. The call then compiles to that
// column (see windowRef).

// windowFuncs are the functions that depend on row order.
var windowFuncs = map[string]bool{
	"row_number": true, "prev": true, "next": true, "row_cumsum": true,
	"row_rank_dense": true, "row_rank_min": true, "row_window_session": true,
}

func init() {
	notPrepared := func(g *gen, x *ast.CallExpr, a []arg) string {
		name := x.Fun.(*ast.Ident).Name
		if g.curRow == nil || len(g.curRow.order) == 0 {
			g.failf(x.Pos(), "%s(): the input is not serialized (use serialize, sort or top first)", name)
		}
		g.failf(x.Pos(), "%s() is only supported in extend, serialize, project and where", name)
		return ""
	}
	for n := range windowFuncs {
		register(notPrepared, n)
	}
}

// windowCol is the hidden column that holds a window call's value.
func windowCol(x *ast.CallExpr) string { return fmt.Sprintf("__w%d", int(x.Pos())) }

// isWindowCall reports whether x calls a built-in window function.
func (g *gen) isWindowCall(n ast.Node) (*ast.CallExpr, bool) {
	x, ok := n.(*ast.CallExpr)
	if !ok {
		return nil, false
	}
	id, ok := x.Fun.(*ast.Ident)
	if !ok || !windowFuncs[id.Name] {
		return nil, false
	}
	if b := g.sc.lookup(id.Name); b != nil && b.fn != nil {
		return nil, false
	}
	return x, true
}

// windowRef compiles a window call that g.windowed computed into a
// hidden column of row.
func (g *gen) windowRef(x *ast.CallExpr, row *rel) (string, bool) {
	if row == nil {
		return "", false
	}
	if _, ok := g.isWindowCall(x); !ok {
		return "", false
	}
	col := windowCol(x)
	for _, h := range row.hidden {
		if h == col {
			return quote(col), true
		}
	}
	return "", false
}

// windowCalls lists the window calls of exprs, every call after the
// calls inside its arguments. Tables inside the expressions are compiled
// by their own operators and are not searched.
func (g *gen) windowCalls(exprs []ast.Expr) []*ast.CallExpr {
	var pre []*ast.CallExpr
	for _, e := range exprs {
		if e == nil {
			continue
		}
		ast.Inspect(e, func(n ast.Node) bool {
			switch n.(type) {
			case *ast.PipeExpr, *ast.DataTableExpr:
				return false
			}
			if x, ok := g.isWindowCall(n); ok {
				pre = append(pre, x)
			}
			return true
		})
	}
	// In pre-order a call comes before the calls in its arguments.
	out := make([]*ast.CallExpr, len(pre))
	for i, x := range pre {
		out[len(pre)-1-i] = x
	}
	return out
}

// windowed prepares in for expressions that call window functions: it
// returns in itself when they call none.
func (g *gen) windowed(in *rel, exprs ...ast.Expr) *rel {
	calls := g.windowCalls(exprs)
	if len(calls) == 0 {
		return in
	}
	if len(in.order) == 0 {
		g.failf(calls[len(calls)-1].Pos(), "%s(): the input is not serialized (use serialize, sort or top first)", calls[len(calls)-1].Fun.(*ast.Ident).Name)
	}
	cur := g.numbered(in)
	for _, x := range calls {
		cur = g.windowStep(x, cur)
	}
	return cur
}

// withHidden adds a step over cur that computes sql into the hidden
// column col (replacing a column of that name), keeping cur's rows and
// order.
func (g *gen) withHidden(cur *rel, col, sql string) *rel {
	var hidden []string
	for _, h := range cur.hidden {
		if h != col {
			hidden = append(hidden, h)
		}
	}
	body := "SELECT " + selectCols(cur.cols) + carry(&rel{hidden: hidden}) + ", " + sql + " AS " + quote(col) + " FROM " + cur.name
	out := &rel{name: g.cte("window", 0, body, cur.cols), cols: cur.cols, order: cur.order}
	out.hidden = append(hidden, col)
	return out
}

// windowStep computes one window call over cur (numbered 1..n by
// __ord) into its hidden column.
func (g *gen) windowStep(x *ast.CallExpr, cur *rel) *rel {
	name := x.Fun.(*ast.Ident).Name
	col := windowCol(x)
	args := make([]arg, len(x.Args))
	for i, a := range x.Args {
		a = valueOf(a)
		args[i] = arg{sql: g.expr(a, cur), typ: g.typeOf(a), e: a}
	}
	t := g.typeOf(x)
	const ord = `"__ord"`
	running := " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
	// segment computes the restart argument's segments: each row whose
	// restart is true starts a new one.
	part := ""
	segment := func(i int) {
		if i >= len(args) {
			return
		}
		seg := col + "_seg"
		cur = g.withHidden(cur, seg, "sum(CASE WHEN "+g.truth(args[i])+" THEN 1 ELSE 0 END) OVER (ORDER BY "+ord+running+")")
		part = "PARTITION BY " + quote(seg) + " "
	}
	w := func() string { return "OVER (" + part + "ORDER BY " + ord }
	var sql string
	switch name {
	case "row_number":
		g.need(x, args, 0, 2)
		segment(1)
		start := "1"
		if len(args) > 0 {
			start = g.coerce(args[0].sql, args[0].typ, schema.Long)
		}
		sql = "(" + start + " - 1 + row_number() " + w() + "))"
	case "row_cumsum":
		g.need(x, args, 1, 2)
		segment(1)
		sql = "sum(" + args[0].sql + ") " + w() + running + ")"
	case "row_rank_dense", "row_rank_min":
		g.need(x, args, 1, 2)
		segment(1)
		first := "(row_number() " + w() + ") = 1 OR lag(" + args[0].sql + ") " + w() + ") IS DISTINCT FROM " + args[0].sql + ")"
		mark := col + "_mark"
		if name == "row_rank_dense" {
			cur = g.withHidden(cur, mark, "CASE WHEN "+first+" THEN 1 ELSE 0 END")
			sql = "sum(" + quote(mark) + ") " + w() + running + ")"
		} else {
			cur = g.withHidden(cur, mark, "CASE WHEN "+first+" THEN row_number() "+w()+") END")
			sql = "max(" + quote(mark) + ") " + w() + running + ")"
		}
	case "prev", "next":
		g.need(x, args, 1, 3)
		fn := "lag"
		if name == "next" {
			fn = "lead"
		}
		v := g.coerce(args[0].sql, args[0].typ, t)
		off := "1"
		if len(args) > 1 {
			off = g.coerce(args[1].sql, args[1].typ, schema.Long)
		}
		if len(args) > 2 && !isNullLit(args[2].e) {
			def := g.coerce(args[2].sql, args[2].typ, t)
			if dt := args[2].typ; dt == schema.Int || dt == schema.Long || dt == schema.Real {
				// A number for a datetime or timespan is ticks (100 ns),
				// as in next(Timestamp, 1, 0): 0001-01-01.
				switch t {
				case schema.DateTime:
					def = "make_timestamp(CAST(" + args[2].sql + " AS BIGINT) // 10 + " + datetimeOrigin + ")"
				case schema.TimeSpan:
					def = "to_microseconds(CAST(" + args[2].sql + " AS BIGINT) // 10)"
				}
			}
			sql = fn + "(" + v + ", " + off + ", " + def + ") " + w() + ")"
		} else {
			sql = fn + "(" + v + ", " + off + ") " + w() + ")"
		}
		if t == schema.String {
			sql = "coalesce(" + sql + ", '')"
		}
	case "row_window_session":
		g.need(x, args, 3, 4)
		return g.windowSession(x, args, cur, col)
	default:
		g.failf(x.Pos(), "%s() is not supported", name)
	}
	if t != schema.Invalid && t != schema.Dynamic {
		sql = "CAST(" + sql + " AS " + sqlType(t) + ")"
	}
	return g.withHidden(cur, col, sql)
}

// windowSession computes row_window_session: a session starts at the
// first row, at a null, where restart is true, where the value is at
// least the session's first value plus maxFromFirst, or at least the
// previous value plus maxBetween. The distance from the session's first
// value makes it recursive: the rows are folded in order with
// list_reduce, per run of rows that the non-recursive conditions do not
// split.
func (g *gen) windowSession(x *ast.CallExpr, args []arg, cur *rel, col string) *rel {
	const ord = `"__ord"`
	running := " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
	v := g.coerce(args[0].sql, args[0].typ, schema.DateTime)
	first := toUS(g.coerce(args[1].sql, args[1].typ, schema.TimeSpan))
	between := toUS(g.coerce(args[2].sql, args[2].typ, schema.TimeSpan))
	val := col + "_v"
	cur = g.withHidden(cur, val, "epoch_us("+v+")")
	restart := "false"
	if len(args) > 3 {
		restart = g.truth(args[3])
	}
	// A run starts where the row itself decides: first row, null value,
	// restart, null previous value, or a gap of maxBetween or more.
	prevV := "lag(" + quote(val) + ") OVER (ORDER BY " + ord + ")"
	brk := col + "_brk"
	cur = g.withHidden(cur, brk, "CASE WHEN row_number() OVER (ORDER BY "+ord+") = 1 OR "+quote(val)+" IS NULL OR "+prevV+" IS NULL OR ("+restart+") OR "+
		quote(val)+" >= "+prevV+" + "+between+" THEN 1 ELSE 0 END")
	run := col + "_run"
	cur = g.withHidden(cur, run, "sum("+quote(brk)+") OVER (ORDER BY "+ord+running+")")
	// Within a run, the session start is the last value s such that
	// every later value is below s + maxFromFirst, found by folding the
	// run's values so far: the fold keeps the current session start.
	vals := "list(" + quote(val) + ") OVER (PARTITION BY " + quote(run) + " ORDER BY " + ord + running + ")"
	fold := "list_reduce(" + vals + ", (s, y) -> CASE WHEN y >= s + " + first + " THEN y ELSE s END)"
	sql := "CASE WHEN " + quote(val) + " IS NULL THEN NULL ELSE make_timestamp(" + fold + ") END"
	return g.withHidden(cur, col, "CAST("+sql+" AS TIMESTAMP)")
}

// windowedExprs reports whether any expression calls a window function.
func (g *gen) windowedExprs(exprs ...ast.Expr) bool {
	return len(g.windowCalls(exprs)) > 0
}
