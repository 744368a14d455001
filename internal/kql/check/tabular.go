package check

import (
	"fmt"
	"path"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/token"
	"github.com/vigilsec/vigil/internal/schema"
)

// tabular binds a tabular expression and returns its schema.
func (c *checker) tabular(e ast.Expr) *table {
	t := c.tabular1(e)
	c.record(e, t)
	return t
}

// record keeps the schema a tabular node produces, for the SQL generator.
func (c *checker) record(n ast.Node, t *table) {
	if n != nil && t != nil {
		c.res.Tables[n] = &Table{Columns: append([]Column(nil), t.cols...), Open: t.open}
	}
}

func (c *checker) tabular1(e ast.Expr) *table {
	if e != nil {
		c.step(e.Pos())
	}
	switch x := e.(type) {
	case *ast.ParenExpr:
		return c.tabular(x.X)
	case *ast.Ident:
		if sym := c.sc.lookup(x.Name); sym != nil {
			switch {
			case sym.tab != nil:
				return sym.tab.clone()
			case sym.fn != nil:
				return c.userTable(sym, x.Name, nil, x)
			}
		}
		if cols, ok := c.lookupTable(x.Name); ok {
			return &table{cols: cols}
		}
		if c.fuzzy {
			return &table{open: true}
		}
		c.errorf(x.Pos(), "unknown table '%s'", x.Name)
		return &table{open: true}
	case *ast.PipeExpr:
		var t *table
		if x.Source != nil {
			t = c.tabular(x.Source)
		}
		for _, op := range x.Ops {
			t = c.op(op, t)
		}
		if t == nil {
			t = &table{open: true}
		}
		return t
	case *ast.DataTableExpr:
		t := c.schemaTable(x.Schema)
		for _, v := range x.Values {
			c.expr(v, nil)
		}
		return t
	case *ast.ExternalDataExpr:
		return c.schemaTable(x.Schema)
	case *ast.CallExpr:
		id, ok := x.Fun.(*ast.Ident)
		if !ok {
			return &table{open: true}
		}
		if sym := c.sc.lookup(id.Name); sym != nil && sym.fn != nil {
			return c.userTable(sym, id.Name, x.Args, x)
		}
		switch id.Name {
		case "materialize", "view":
			if len(x.Args) == 1 {
				return c.tabular(x.Args[0])
			}
		case "table":
			if len(x.Args) >= 1 {
				if s, ok := x.Args[0].(*ast.StringLit); ok {
					return c.tabular(&ast.Ident{NamePos: s.Parts[0].Pos, Name: s.Value})
				}
			}
		}
		c.errorf(id.Pos(), "no tabular function '%s'", id.Name)
		return &table{open: true}
	case *ast.SelectorExpr:
		if sym, call := c.patternRef(x); sym != nil {
			// p(args).path of a declared pattern.
			m, err := MatchPattern(sym.pattern, call.Args, x.Sel)
			if err != nil {
				c.errorf(x.Pos(), "%v", err)
				return &table{open: true}
			}
			return c.userTable(&symbol{fn: &ast.FuncLit{Body: m.Body}, fnSc: sym.fnSc}, sym.pattern.Name.Name, nil, x)
		}
		// database("x").T: the same tables as ours.
		if x.Sel != nil {
			return c.tabular(x.Sel)
		}
	}
	if e != nil {
		c.errorf(e.Pos(), "expected a table")
	}
	return &table{open: true}
}

// userTable binds a call of a user function that returns a table.
func (c *checker) userTable(sym *symbol, name string, args []ast.Expr, at ast.Expr) *table {
	tab, _, ok := c.invokeUser(sym, name, args, nil, at.Pos())
	if !ok || tab == nil {
		if ok {
			c.errorf(at.Pos(), "function '%s' does not return a table", name)
		}
		return &table{open: true}
	}
	return tab
}

// schemaTable turns a declared schema into a table.
func (c *checker) schemaTable(s *ast.SchemaType) *table {
	t := &table{}
	if s == nil {
		t.open = true
		return t
	}
	for _, col := range s.Columns {
		if col.Star.IsValid() || col.Name == nil {
			t.open = true
			continue
		}
		t.cols = append(t.cols, Column{col.Name.Name, c.typeExpr(col.Type)})
	}
	return t
}

// builder accumulates the output columns of an operator, making names
// unique as Kusto does (x, x1, x2...).
type builder struct {
	cols   []Column
	unique bool
	// out, when set, records under cur the names of the columns each
	// expression produces (Result.Names).
	out map[ast.Expr][]string
	cur ast.Expr
}

// at starts recording the columns of e.
func (b *builder) at(e ast.Expr) {
	b.cur = e
	if b.out != nil {
		delete(b.out, e)
	}
}

func (b *builder) note(name string) {
	if b.out != nil && b.cur != nil {
		b.out[b.cur] = append(b.out[b.cur], name)
	}
}

func (b *builder) has(name string) int {
	for i, c := range b.cols {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// uniq returns name, or name with the smallest numeric suffix not taken.
func (b *builder) uniq(name string) string {
	if b.has(name) < 0 {
		return name
	}
	for i := 1; ; i++ {
		n := fmt.Sprintf("%s%d", name, i)
		if b.has(n) < 0 {
			return n
		}
	}
}

func (b *builder) add(name string, t schema.Type) {
	name = b.uniq(name)
	b.note(name)
	b.cols = append(b.cols, Column{name, t})
}

// columnN names the next unnamed column: Column1, Column2...
type columnN struct{ n int }

func (k *columnN) next(b *builder) string {
	for {
		k.n++
		n := fmt.Sprintf("Column%d", k.n)
		if b.has(n) < 0 {
			return n
		}
	}
}

// assignName returns the explicit names of a NamedExpr, or nil.
func assignNames(e ast.Expr) ([]string, ast.Expr) {
	if ne, ok := e.(*ast.NamedExpr); ok {
		var names []string
		for _, n := range ne.Names {
			if n != nil {
				names = append(names, n.Name)
			}
		}
		return names, ne.X
	}
	return nil, e
}

// matchCols returns the columns of t matched by a name or wildcard.
func matchCols(t *table, e ast.Expr) ([]int, bool) {
	switch x := e.(type) {
	case *ast.Ident:
		_, i := t.find(x.Name)
		if i < 0 {
			return nil, false
		}
		return []int{i}, true
	case *ast.Wildcard:
		var out []int
		for i, col := range t.cols {
			if ok, _ := path.Match(x.Pattern, col.Name); ok {
				out = append(out, i)
			}
		}
		return out, true
	case *ast.Star:
		var out []int
		for i := range t.cols {
			out = append(out, i)
		}
		return out, true
	}
	return nil, false
}

// op binds one operator over its input in.
func (c *checker) op(o ast.Operator, in *table) *table {
	t := c.op1(o, in)
	if o != nil {
		c.record(o, t)
	}
	return t
}

func (c *checker) op1(o ast.Operator, in *table) *table {
	if o == nil {
		if in == nil {
			return &table{open: true}
		}
		return in
	}
	c.step(o.Pos())
	if in == nil {
		in = &table{}
		switch o.(type) {
		case *ast.PrintOp, *ast.RangeOp, *ast.UnionOp, *ast.FindOp, *ast.SearchOp, *ast.EvaluateOp, nil:
		default:
			in.open = true
		}
	}
	switch x := o.(type) {
	case *ast.WhereOp:
		t := c.expr(x.Pred, in)
		if t != schema.Bool && t != schema.Dynamic && t != schema.Invalid {
			c.errorf(x.Pred.Pos(), "where expects a bool, got %s", t)
		}
		return in
	case *ast.TakeOp:
		c.count(x.Count)
		return in
	case *ast.SampleOp:
		c.expr(x.Count, nil)
		return in
	case *ast.SortOp:
		for _, it := range x.Items {
			if it == nil {
				continue
			}
			c.expr(it.X, in)
		}
		return in
	case *ast.TopOp:
		c.count(x.Count)
		if x.Item != nil {
			c.expr(x.Item.X, in)
		}
		return in
	case *ast.SerializeOp:
		return c.extend(x.Exprs, in)
	case *ast.RenderOp, *ast.ConsumeOp, *ast.AssertSchemaOp:
		return in
	case *ast.AsOp:
		if x.Name != nil {
			c.define(x.Name.Name, &symbol{tab: in.clone()})
		}
		return in
	case *ast.CountOp:
		name := "Count"
		if x.Name != nil {
			name = x.Name.Name
		}
		return &table{cols: []Column{{name, schema.Long}}}
	case *ast.ExtendOp:
		return c.extend(x.Exprs, in)
	case *ast.ProjectOp:
		return c.project(x.Exprs, in)
	case *ast.PrintOp:
		b := &builder{out: c.res.Names}
		for i, e := range x.Exprs {
			b.at(e)
			names, v := assignNames(e)
			t := c.expr(v, nil)
			if sorted := c.sortedNames(v); len(names) == 0 && len(sorted) > 1 {
				// print array_sort_asc(a, b): one column per array.
				for _, n := range sorted {
					b.add(n, schema.Dynamic)
				}
				continue
			}
			// print has no columns to derive names from (print
			// ingestion_time() is print_0): only explicit names count.
			if len(names) > 0 {
				b.add(names[0], t)
			} else {
				b.add(fmt.Sprintf("print_%d", i), t)
			}
		}
		return &table{cols: b.cols}
	case *ast.ProjectAwayOp:
		drop := map[int]bool{}
		for _, e := range x.Cols {
			idx, ok := matchCols(in, e)
			if !ok && !in.open {
				c.errorf(posOf(e), "unknown column '%s'", nameOf(e))
			}
			for _, i := range idx {
				drop[i] = true
			}
		}
		out := &table{open: in.open}
		for i, col := range in.cols {
			if !drop[i] {
				out.cols = append(out.cols, col)
			}
		}
		return out
	case *ast.ProjectKeepOp:
		keep := map[int]bool{}
		for _, e := range x.Cols {
			idx, ok := matchCols(in, e)
			if !ok && !in.open {
				c.errorf(posOf(e), "unknown column '%s'", nameOf(e))
			}
			for _, i := range idx {
				keep[i] = true
			}
		}
		out := &table{open: in.open}
		for i, col := range in.cols {
			if keep[i] {
				out.cols = append(out.cols, col)
			}
		}
		return out
	case *ast.ProjectRenameOp:
		out := in.clone()
		for _, e := range x.Exprs {
			names, v := assignNames(e)
			id, ok := v.(*ast.Ident)
			if len(names) == 0 || !ok {
				continue
			}
			_, i := out.find(id.Name)
			if i < 0 {
				if !in.open {
					c.errorf(id.Pos(), "unknown column '%s'", id.Name)
				}
				continue
			}
			out.cols[i].Name = names[0]
		}
		return out
	case *ast.ProjectReorderOp:
		var first []Column
		used := map[int]bool{}
		for _, it := range x.Items {
			if it == nil {
				continue
			}
			idx, ok := matchCols(in, it.X)
			if !ok && !in.open {
				c.errorf(posOf(it.X), "unknown column '%s'", nameOf(it.X))
			}
			for _, i := range idx {
				if !used[i] {
					used[i] = true
					first = append(first, in.cols[i])
				}
			}
		}
		out := &table{open: in.open, cols: first}
		for i, col := range in.cols {
			if !used[i] {
				out.cols = append(out.cols, col)
			}
		}
		return out
	case *ast.DistinctOp:
		if len(x.Exprs) == 1 {
			if _, ok := x.Exprs[0].(*ast.Star); ok {
				return in
			}
		}
		return c.project(x.Exprs, in)
	case *ast.SummarizeOp:
		return c.summarize(x, in)
	case *ast.JoinOp:
		return c.join(x, in)
	case *ast.LookupOp:
		return c.lookup(x, in)
	case *ast.UnionOp:
		return c.union(x, in)
	case *ast.MvExpandOp:
		return c.mvExpandOp(x, in)
	case *ast.MvApplyOp:
		t := c.withIndex(x.Options, c.mvExpand(x.Items, in))
		if x.Subquery != nil {
			saved := c.sc
			c.push()
			c.define("$mvapply_input", &symbol{tab: t})
			sub := c.subPipe(x.Subquery, t)
			c.sc = saved
			// mv-apply's result: the input's columns not expanded, then the
			// subquery's columns (an expanded column the subquery does not
			// return, as after summarize, is gone).
			expanded := map[string]bool{}
			for _, it := range x.Items {
				if it == nil {
					continue
				}
				if names, v := assignNames(it.X); len(names) > 0 {
					expanded[names[0]] = true
				} else if id, ok := v.(*ast.Ident); ok {
					expanded[id.Name] = true
				}
			}
			b := &builder{}
			for _, col := range in.cols {
				if _, i := sub.find(col.Name); i < 0 && !expanded[col.Name] {
					b.cols = append(b.cols, col)
				}
			}
			b.cols = append(b.cols, sub.cols...)
			return &table{cols: b.cols, open: in.open || sub.open}
		}
		return t
	case *ast.ParseKvOp:
		return c.parseKv(x, in)
	case *ast.ScanOp:
		return c.scan(x, in)
	case *ast.ReduceOp:
		c.expr(x.X, in)
		return &table{cols: []Column{{"Pattern", schema.String}, {"Count", schema.Long}, {"Representative", schema.String}}}
	case *ast.SearchOp:
		return c.search(x, in)
	case *ast.ParseOp:
		return c.parse(x, in)
	case *ast.GetSchemaOp:
		return &table{cols: []Column{{"ColumnName", schema.String}, {"ColumnOrdinal", schema.Long}, {"DataType", schema.String}, {"ColumnType", schema.String}}}
	case *ast.RangeOp:
		t := c.expr(x.FromExpr, nil)
		c.expr(x.ToExpr, nil)
		c.expr(x.StepExpr, nil)
		name := "value"
		if x.Name != nil {
			name = x.Name.Name
		}
		return &table{cols: []Column{{name, t}}}
	case *ast.InvokeOp:
		return c.invoke(x, in)
	case *ast.EvaluateOp:
		return c.evaluate(x, in)
	case *ast.MakeSeriesOp:
		return c.makeSeries(x, in)
	case *ast.TopNestedOp:
		return c.topNested(x, in)
	case *ast.PartitionOp:
		c.expr(x.Key, in)
		if x.Query != nil && x.Braced {
			// In the braced form the key's name stands for the partition.
			saved := c.sc
			c.push()
			if id, ok := x.Key.(*ast.Ident); ok {
				c.define(id.Name, &symbol{tab: in})
			}
			t := c.tabular(x.Query)
			c.sc = saved
			return t
		}
		if x.Query != nil {
			return c.subPipe(x.Query, in)
		}
		return &table{cols: in.cols, open: true}
	case *ast.SampleDistinctOp:
		c.expr(x.Count, nil)
		return c.project([]ast.Expr{x.X}, in)
	case *ast.TopHittersOp:
		return c.topHitters(x, in)
	case *ast.FindOp:
		return c.find(x)
	case *ast.FacetOp, *ast.ForkOp,
		*ast.ProjectByNamesOp:
		// Not modelled yet: the schema is unknown past this operator.
		return &table{cols: in.cols, open: true}
	}
	return &table{cols: in.cols, open: true}
}

// subPipe binds a sub-pipeline that reads an implicit input (mv-apply,
// fork, partition).
func (c *checker) subPipe(e ast.Expr, in *table) *table {
	if p, ok := e.(*ast.ParenExpr); ok {
		return c.subPipe(p.X, in)
	}
	p, ok := e.(*ast.PipeExpr)
	if !ok || p.Source != nil {
		return c.tabular(e)
	}
	t := in
	for _, op := range p.Ops {
		t = c.op(op, t)
	}
	return t
}

// posOf is n.Pos(), or NoPos for a nil interface (partial trees).
func posOf(n ast.Node) token.Pos {
	if n == nil {
		return token.NoPos
	}
	return n.Pos()
}

func nameOf(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.Wildcard:
		return x.Pattern
	}
	return "?"
}

// extend adds or replaces columns: a name already in the input keeps its
// position.
func (c *checker) extend(exprs []ast.Expr, in *table) *table {
	b := &builder{cols: append([]Column(nil), in.cols...), out: c.res.Names}
	k := &columnN{}
	row := &table{cols: b.cols, open: in.open}
	decl := declared{}
	for _, e := range exprs {
		b.at(e)
		names, v := assignNames(e)
		t := c.expr(v, row)
		switch {
		case len(names) > 1:
			for _, n := range names {
				c.declare(decl, n, e)
				c.setCol(b, n, schema.Dynamic)
			}
		case len(names) == 1:
			c.declare(decl, names[0], e)
			c.setCol(b, names[0], t)
		case c.exprName(v) != "":
			// A column's own name (x, tostring(x)) replaces the column;
			// a made-up name (x_y, strlen_x) gets a free suffix.
			n := c.exprName(v)
			if c.strictName(v) {
				c.declare(decl, n, e)
				c.setCol(b, n, t)
			} else {
				b.add(n, t)
			}
		default:
			b.add(k.next(b), t)
		}
		row.cols = b.cols
	}
	return &table{cols: b.cols, open: in.open}
}

// declared holds the names one operator has declared: Kusto rejects the
// same name declared twice (project x=1, x=2).
type declared map[string]bool

func (c *checker) declare(d declared, name string, at ast.Expr) {
	if d[name] {
		c.errorf(at.Pos(), "a column named '%s' is already declared", name)
	}
	d[name] = true
}

// strictName reports whether e is named after a column (x, tostring(x))
// or explicitly, rather than by a made-up name (x_y, count_, strlen_x).
func (c *checker) strictName(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return !c.letRefs[x]
	case *ast.ParenExpr:
		return c.strictName(x.X)
	case *ast.NamedExpr:
		return true
	case *ast.CallExpr:
		for _, a := range x.Args {
			if ne, ok := a.(*ast.NamedExpr); ok && len(ne.Names) == 1 && !ne.Lparen.IsValid() && isColumnNaming(x, ne) {
				return true
			}
		}
		id, ok := x.Fun.(*ast.Ident)
		if !ok || len(x.Args) == 0 {
			return false
		}
		if b := lookupFunc(id.Name, true); b != nil && (b.nameKind == "FirstArgument" || b.nameKind == "OnlyArgument") && !b.agg {
			return c.strictName(x.Args[0])
		}
	}
	return false
}

func (c *checker) setCol(b *builder, name string, t schema.Type) {
	b.note(name)
	if i := b.has(name); i >= 0 {
		b.cols[i].Type = t
		return
	}
	b.cols = append(b.cols, Column{name, t})
}

// project computes a new column list.
func (c *checker) project(exprs []ast.Expr, in *table) *table {
	b := &builder{out: c.res.Names}
	k := &columnN{}
	decl := declared{}
	for _, e := range exprs {
		b.at(e)
		names, v := assignNames(e)
		if len(names) == 0 {
			if idx, ok := matchCols(in, v); ok {
				if _, isID := v.(*ast.Ident); !isID {
					for _, i := range idx {
						b.add(in.cols[i].Name, in.cols[i].Type)
					}
					continue
				}
			}
		}
		t := c.expr(v, in)
		switch {
		case len(names) > 0:
			for _, n := range names {
				c.declare(decl, n, e)
				b.note(n)
				if i := b.has(n); i >= 0 {
					b.cols[i].Type = t
				} else {
					b.cols = append(b.cols, Column{n, t})
				}
			}
		case c.exprName(v) != "":
			if c.strictName(v) {
				c.declare(decl, c.exprName(v), e)
			}
			b.add(c.exprName(v), t)
		default:
			b.add(k.next(b), t)
		}
	}
	return &table{cols: b.cols, open: in.open && len(b.cols) == 0}
}

// summarize: the by-columns first, then the aggregates.
func (c *checker) summarize(x *ast.SummarizeOp, in *table) *table {
	b := &builder{out: c.res.Names}
	k := &columnN{}
	decl := declared{}
	for _, e := range x.ByExprs {
		b.at(e)
		names, v := assignNames(e)
		t := c.expr(v, in)
		switch {
		case len(names) > 0:
			c.declare(decl, names[0], e)
			b.add(names[0], t)
		case c.exprName(v) != "":
			if c.strictName(v) {
				c.declare(decl, c.exprName(v), e)
			}
			b.add(c.exprName(v), t)
		default:
			b.add(k.next(b), t)
		}
	}
	byNames := map[string]bool{}
	for _, col := range b.cols {
		byNames[col.Name] = true
	}
	for _, e := range x.Aggs {
		if names, _ := assignNames(e); len(names) == 1 {
			c.declare(decl, names[0], e)
		}
		c.aggregate(e, in, b, byNames, k)
	}
	return &table{cols: b.cols, open: in.open && false}
}

// aggregate adds the columns of one aggregation to b.
func (c *checker) aggregate(e ast.Expr, in *table, b *builder, byNames map[string]bool, k *columnN) {
	b.at(e)
	names, v := assignNames(e)
	c.aggOK++
	defer func() { c.aggOK-- }()
	c.checkAggShape(v, in)
	call, _ := v.(*ast.CallExpr)
	fname := ""
	if call != nil {
		if id, ok := call.Fun.(*ast.Ident); ok {
			fname = id.Name
		}
	}
	switch fname {
	case "arg_max", "arg_min", "argmax", "argmin":
		if len(call.Args) == 0 {
			break
		}
		t0 := c.expr(call.Args[0], in)
		add := func(name string, t schema.Type) {
			if len(names) > 0 {
				name = names[0]
			}
			b.add(name, t)
		}
		// The first argument keeps its column's name; an expression is
		// named max_ or min_ as Kusto does.
		n0 := c.exprName(call.Args[0])
		col0 := n0
		if n0 == "" {
			n0 = strings.TrimPrefix(strings.TrimPrefix(fname, "arg_"), "arg") + "_"
		}
		add(n0, t0)
		ni := 1
		for _, a := range call.Args[1:] {
			an, av := assignNames(a)
			if _, ok := av.(*ast.Star); ok {
				for _, col := range in.cols {
					// * stands for the columns that are neither by-columns
					// nor the first argument.
					if col.Name == col0 || byNames[col.Name] {
						continue
					}
					b.add(col.Name, col.Type)
				}
				continue
			}
			t := c.expr(av, in)
			switch {
			case len(an) > 0:
				b.add(an[0], t)
			case ni < len(names):
				b.add(names[ni], t)
			case c.exprName(av) != "":
				b.add(c.exprName(av), t)
			default:
				b.add(k.next(b), t)
			}
			ni++
		}
		return
	case "take_any":
		// Each argument is its own column, named after it.
		for i, a := range call.Args {
			if _, ok := a.(*ast.Star); ok {
				for _, col := range in.cols {
					b.add(col.Name, col.Type)
				}
				continue
			}
			t := c.expr(a, in)
			switch {
			case i < len(names):
				b.add(names[i], t)
			case c.exprName(a) != "":
				b.add(c.exprName(a), t)
			default:
				b.add(k.next(b), t)
			}
		}
		return
	case "percentile", "percentiles", "percentilew", "percentilesw", "percentiles_array", "percentilesw_array":
		// percentile(x, 50) is percentile_x_50; the weighted forms take
		// the weight second; the _array forms give one dynamic column.
		if len(call.Args) < 2 {
			break
		}
		t := c.expr(call.Args[0], in)
		for _, a := range call.Args[1:] {
			c.expr(a, in)
		}
		base := c.exprName(call.Args[0])
		vals := call.Args[1:]
		if strings.Contains(fname, "w") {
			vals = vals[1:]
		}
		if strings.HasSuffix(fname, "_array") {
			name := "percentiles_" + base
			if len(names) > 0 {
				name = names[0]
			}
			b.add(name, schema.Dynamic)
			return
		}
		for i, a := range vals {
			name := "percentile_" + base + "_" + strings.ReplaceAll(litText(a), ".", "_")
			if i < len(names) {
				name = names[i]
			}
			b.add(name, t)
		}
		return
	}
	t := c.expr(v, in)
	switch {
	case len(names) > 0:
		b.add(names[0], t)
	case c.exprName(v) != "":
		b.add(c.exprName(v), t)
	default:
		b.add(k.next(b), t)
	}
}

func litText(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.BasicLit:
		return x.Value
	case *ast.UnaryExpr:
		return litText(x.X)
	}
	return ""
}

// checkAggShape reports columns used outside any aggregate in a summarize
// aggregation: summarize Timestamp is an error, toint(dcount(x)) is not.
func (c *checker) checkAggShape(e ast.Expr, in *table) {
	switch x := e.(type) {
	case *ast.Ident:
		if _, i := in.find(x.Name); i >= 0 {
			c.errorf(x.Pos(), "'%s' is not an aggregate", x.Name)
		}
	case *ast.ParenExpr:
		c.checkAggShape(x.X, in)
	case *ast.BinaryExpr:
		c.checkAggShape(x.X, in)
		c.checkAggShape(x.Y, in)
	case *ast.UnaryExpr:
		c.checkAggShape(x.X, in)
	case *ast.CallExpr:
		id, ok := x.Fun.(*ast.Ident)
		if !ok {
			return
		}
		if sym := c.sc.lookup(id.Name); sym != nil {
			return // user functions may aggregate inside
		}
		if aggFuncs[id.Name] != nil {
			return
		}
		for _, a := range x.Args {
			c.checkAggShape(a, in)
		}
	}
}

// count checks the row count of take and top: an integer.
func (c *checker) count(e ast.Expr) {
	if t := c.expr(e, nil); t != schema.Int && t != schema.Long && t != schema.Dynamic && t != schema.Invalid {
		c.errorf(e.Pos(), "expected an integer row count, got %s", t)
	}
}
