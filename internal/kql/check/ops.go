package check

import (
	"fmt"
	"path"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/schema"
)

func optValue(opts []*ast.Option, name string) (ast.Expr, bool) {
	for _, o := range opts {
		if o != nil && strings.EqualFold(o.Name, name) {
			return o.Value, true
		}
	}
	return nil, false
}

func optWord(opts []*ast.Option, name string) string {
	v, ok := optValue(opts, name)
	if !ok {
		return ""
	}
	switch x := v.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.StringLit:
		return x.Value
	case *ast.BasicLit:
		return x.Value
	}
	return ""
}

// join binds both sides and computes Kusto's result: the left columns,
// then the right ones, duplicates renamed X1, X2...
// joinKinds are the kinds join accepts.
var joinKinds = map[string]bool{"": true, "inner": true, "innerunique": true, "leftouter": true, "rightouter": true,
	"fullouter": true, "leftanti": true, "anti": true, "leftantisemi": true, "rightanti": true, "rightantisemi": true,
	"leftsemi": true, "rightsemi": true}

func (c *checker) join(x *ast.JoinOp, in *table) *table {
	if kind := strings.ToLower(optWord(x.Options, "kind")); !joinKinds[kind] {
		c.errorf(x.Join, "join kind '%s' is not one of inner, innerunique, leftouter, rightouter, fullouter, leftsemi, rightsemi, leftanti, rightanti", kind)
	}
	if len(x.OnExprs) == 0 && x.WhereExpr == nil {
		c.errorf(x.Join, "join needs an on clause naming the columns to match")
	}
	right := c.tabular(x.Right)
	c.joinConds(x.OnExprs, in, right)
	if x.WhereExpr != nil {
		c.joinConds([]ast.Expr{x.WhereExpr}, in, right)
	}
	switch strings.ToLower(optWord(x.Options, "kind")) {
	case "leftsemi", "leftanti", "anti", "leftantisemi":
		return in
	case "rightsemi", "rightanti", "rightantisemi":
		return right
	}
	return &table{cols: joinCols(in.cols, right.cols), open: in.open || right.open}
}

// joinCols appends the right columns to the left ones; a right name taken
// on the left gets the first suffix free on both sides (x1, x2...).
func joinCols(left, right []Column) []Column {
	b := &builder{cols: append([]Column(nil), left...)}
	rightNames := map[string]bool{}
	for _, col := range right {
		rightNames[col.Name] = true
	}
	for _, col := range right {
		name := col.Name
		if b.has(name) >= 0 {
			for i := 1; ; i++ {
				n := fmt.Sprintf("%s%d", col.Name, i)
				if b.has(n) < 0 && !rightNames[n] {
					name = n
					break
				}
			}
		}
		b.cols = append(b.cols, Column{name, col.Type})
	}
	return b.cols
}

// joinConds checks the on clause: a bare name must exist on both sides;
// $left.a and $right.b on their side.
func (c *checker) joinConds(exprs []ast.Expr, left, right *table) {
	both := &table{cols: append(append([]Column(nil), left.cols...), right.cols...), open: left.open || right.open}
	for _, e := range exprs {
		if id, ok := e.(*ast.Ident); ok {
			lc, li := left.find(id.Name)
			_, ri := right.find(id.Name)
			if li < 0 && !left.open || ri < 0 && !right.open {
				c.errorf(id.Pos(), "unknown column '%s' in join key", id.Name)
			}
			c.res.Types[e] = lc.Type
			continue
		}
		c.sideExpr(e, left, right, both)
	}
}

// sideExpr types an expression of a join condition, resolving $left and
// $right.
func (c *checker) sideExpr(e ast.Expr, left, right, both *table) schema.Type {
	switch x := e.(type) {
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok && (id.Name == "$left" || id.Name == "$right") && x.Sel != nil {
			side := left
			if id.Name == "$right" {
				side = right
			}
			col, i := side.find(x.Sel.Name)
			t := col.Type
			if i < 0 {
				t = schema.Dynamic
				if !side.open {
					c.errorf(x.Sel.Pos(), "unknown column '%s' on the %s side", x.Sel.Name, id.Name[1:])
					t = schema.Invalid
				}
			}
			c.res.Types[e] = t
			return t
		}
	case *ast.BinaryExpr:
		c.sideExpr(x.X, left, right, both)
		c.sideExpr(x.Y, left, right, both)
		c.res.Types[e] = schema.Bool
		return schema.Bool
	case *ast.ParenExpr:
		return c.sideExpr(x.X, left, right, both)
	}
	return c.expr(e, both)
}

// lookup: the left columns, then the right ones except the keys.
func (c *checker) lookup(x *ast.LookupOp, in *table) *table {
	right := c.tabular(x.Right)
	c.joinConds(x.OnExprs, in, right)
	// The right side's key columns are dropped from the result.
	keys := map[string]bool{}
	for _, e := range x.OnExprs {
		switch k := e.(type) {
		case *ast.Ident:
			keys[k.Name] = true
		case *ast.BinaryExpr:
			for _, side := range []ast.Expr{k.X, k.Y} {
				if s, ok := side.(*ast.SelectorExpr); ok && s.Sel != nil {
					if id, ok := s.X.(*ast.Ident); ok && id.Name == "$right" {
						keys[s.Sel.Name] = true
					}
				}
			}
		}
	}
	var rest []Column
	for _, col := range right.cols {
		if !keys[col.Name] {
			rest = append(rest, col)
		}
	}
	return &table{cols: joinCols(in.cols, rest), open: in.open || right.open}
}

// union merges the columns of its inputs by name; a name with several
// types becomes one column per type, suffixed with the type.
func (c *checker) union(x *ast.UnionOp, in *table) *table {
	var tabs []*table
	if in != nil && (len(in.cols) > 0 || in.open) {
		tabs = append(tabs, in)
	}
	for _, e := range x.Tables {
		if w, ok := e.(*ast.Wildcard); ok && w.Qualifier == nil {
			for _, t := range schema.Tables() {
				if ok, _ := path.Match(w.Pattern, t.Name); ok {
					cols, _ := c.lookupTable(t.Name)
					tabs = append(tabs, &table{cols: cols})
				}
			}
			continue
		}
		if strings.EqualFold(optWord(x.Options, "isfuzzy"), "true") {
			// Missing tables are skipped silently.
			saved := c.fuzzy
			c.fuzzy = true
			t := c.tabular(e)
			c.fuzzy = saved
			tabs = append(tabs, t)
			continue
		}
		tabs = append(tabs, c.tabular(e))
	}
	inner := strings.EqualFold(optWord(x.Options, "kind"), "inner")
	type entry struct {
		name         string
		types        []schema.Type
		count        int
		firstTwoSame bool
	}
	var order []*entry
	byName := map[string]*entry{}
	open := false
	for _, t := range tabs {
		open = open || t.open
		for _, col := range t.cols {
			en := byName[col.Name]
			if en == nil {
				en = &entry{name: col.Name}
				byName[col.Name] = en
				order = append(order, en)
			}
			en.count++
			if en.count == 2 {
				en.firstTwoSame = en.types[0] == col.Type
			}
			found := false
			for _, ty := range en.types {
				found = found || ty == col.Type
			}
			if !found {
				en.types = append(en.types, col.Type)
			}
		}
	}
	b := &builder{}
	if ws := optWord(x.Options, "withsource"); ws != "" {
		b.add(ws, schema.String)
	} else if ws := optWord(x.Options, "with_source"); ws != "" {
		b.add(ws, schema.String)
	}
	for _, en := range order {
		if inner && en.count < len(tabs) {
			continue
		}
		// Microsoft's analyzer keeps one column when the first two
		// inputs with the name agree on its type (observed with the
		// oracle: union (x:long), (x:long), (x:string) gives x:long).
		if len(en.types) == 1 || en.firstTwoSame {
			b.add(en.name, en.types[0])
			continue
		}
		for _, ty := range en.types {
			b.add(en.name+"_"+ty.String(), ty)
		}
	}
	return &table{cols: b.cols, open: open}
}

// mvExpand turns the expanded columns into dynamic, or the type given with
// "to typeof(...)"; a named item adds or replaces a column.
func (c *checker) mvExpand(items []*ast.MvItem, in *table) *table {
	b := &builder{cols: append([]Column(nil), in.cols...)}
	row := &table{cols: in.cols, open: in.open}
	for _, it := range items {
		if it == nil {
			continue
		}
		names, v := assignNames(it.X)
		c.expr(v, row)
		t := schema.Dynamic
		if it.Type != nil && it.Type.Schema != nil && len(it.Type.Schema.Columns) > 0 {
			t = c.typeExpr(it.Type.Schema.Columns[0].Type)
		}
		name := ""
		if len(names) > 0 {
			name = names[0]
		} else {
			name = c.exprName(v)
		}
		if name == "" {
			name = "Column1"
		}
		c.setCol(b, name, t)
	}
	return &table{cols: b.cols, open: in.open}
}

func (c *checker) mvExpandOp(x *ast.MvExpandOp, in *table) *table {
	return c.withIndex(x.Options, c.mvExpand(x.Items, in))
}

// withIndex adds the with_itemindex column of mv-expand and mv-apply.
func (c *checker) withIndex(opts []*ast.Option, t *table) *table {
	if n := optWord(opts, "with_itemindex"); n != "" {
		b := &builder{cols: t.cols}
		c.setCol(b, n, schema.Long)
		t.cols = b.cols
	}
	return t
}

// parse adds a string column (or the declared type) per named part of
// the pattern.
func (c *checker) parse(x *ast.ParseOp, in *table) *table {
	c.expr(x.X, in)
	b := &builder{cols: append([]Column(nil), in.cols...)}
	for _, p := range x.Pattern {
		switch v := p.(type) {
		case *ast.Ident:
			c.setCol(b, v.Name, schema.String)
		case *ast.ColumnDecl:
			if v.Name == nil {
				continue
			}
			t := schema.String
			if v.Type != nil {
				t = c.typeExpr(v.Type)
			}
			c.setCol(b, v.Name.Name, t)
		}
	}
	return &table{cols: b.cols, open: in.open}
}

// defenderFuncs are the columns Defender's enrichment functions add.
var defenderFuncs = map[string][]Column{
	"FileProfile": {
		{"SHA1", schema.String}, {"SHA256", schema.String}, {"MD5", schema.String},
		{"FileSize", schema.Int}, {"GlobalPrevalence", schema.Int},
		{"GlobalFirstSeen", schema.DateTime}, {"GlobalLastSeen", schema.DateTime},
		{"Signer", schema.String}, {"Issuer", schema.String}, {"SignerHash", schema.String},
		{"IsCertificateValid", schema.Bool}, {"IsRootSignerMicrosoft", schema.Bool},
		{"SignatureState", schema.String}, {"IsExecutable", schema.Bool},
		{"ThreatName", schema.String}, {"Publisher", schema.String},
		{"SoftwareName", schema.String}, {"ProfileAvailability", schema.String},
	},
}

func (c *checker) invoke(x *ast.InvokeOp, in *table) *table {
	call, ok := x.Call.(*ast.CallExpr)
	if !ok {
		return &table{cols: in.cols, open: true}
	}
	id, _ := call.Fun.(*ast.Ident)
	if id == nil {
		return &table{cols: in.cols, open: true}
	}
	for _, a := range call.Args {
		c.argExpr(a, in)
	}
	if cols, ok := defenderFuncs[id.Name]; ok {
		b := &builder{cols: append([]Column(nil), in.cols...)}
		for _, col := range cols {
			if b.has(col.Name) < 0 {
				b.cols = append(b.cols, col)
			}
		}
		return &table{cols: b.cols, open: in.open}
	}
	if sym := c.sc.lookup(id.Name); sym != nil && sym.fn != nil {
		// The pipeline's input is the first (tabular) argument.
		saved := c.sc
		c.push()
		c.define("$invoke_input", &symbol{tab: in})
		args := append([]ast.Expr{&ast.Ident{NamePos: id.NamePos, Name: "$invoke_input"}}, call.Args...)
		t := c.userTable(sym, id.Name, args, call)
		c.sc = saved
		return t
	}
	c.errorf(id.Pos(), "no function '%s'", id.Name)
	return &table{cols: in.cols, open: true}
}

func (c *checker) evaluate(x *ast.EvaluateOp, in *table) *table {
	// Plugins such as pivot take aggregations as arguments.
	c.aggOK++
	defer func() { c.aggOK-- }()
	if x.Plugin == nil {
		if x.Schema != nil {
			return c.schemaTable(x.Schema)
		}
		return &table{open: true}
	}
	id, _ := x.Plugin.Fun.(*ast.Ident)
	name := ""
	if id != nil {
		name = id.Name
	}
	if x.Schema != nil {
		// evaluate plugin(...) : (*, a:string): "*" keeps the input's
		// columns (bag_unpack drops the bag), then the declared ones.
		out := &table{}
		drop := ""
		if name == "bag_unpack" && len(x.Plugin.Args) > 0 {
			c.expr(x.Plugin.Args[0], in)
			drop = c.exprName(x.Plugin.Args[0])
		}
		for _, col := range x.Schema.Columns {
			if col.Star.IsValid() {
				for _, ic := range in.cols {
					if ic.Name != drop {
						out.cols = append(out.cols, ic)
					}
				}
				continue
			}
			if col.Name != nil {
				out.cols = append(out.cols, Column{col.Name.Name, c.typeExpr(col.Type)})
			}
		}
		return out
	}
	switch name {
	case "rows_near":
		for _, a := range x.Plugin.Args {
			c.expr(a, in)
		}
		return in
	case "sliding_window_counts":
		for _, a := range x.Plugin.Args {
			c.expr(a, in)
		}
		ts := "Timestamp"
		if len(x.Plugin.Args) > 1 {
			if n := c.exprName(x.Plugin.Args[1]); n != "" {
				ts = n
			}
		}
		return &table{cols: []Column{{ts, schema.DateTime}, {"Count", schema.Long}, {"Dcount", schema.Long}}}
	case "geo_polygon_lookup", "geo_line_lookup":
		// The input's columns, then the lookup table's, without its
		// polygon or line column unless return_lookup_key is true.
		args := x.Plugin.Args
		if len(args) > 3 {
			right := c.tabular(args[0])
			c.expr(args[1], right)
			c.expr(args[2], in)
			c.expr(args[3], in)
			for _, a := range args[4:] {
				c.expr(a, in)
			}
			keep := GeoLookupReturnsKey(name, args)
			key := c.exprName(args[1])
			var rest []Column
			for _, col := range right.cols {
				if keep || col.Name != key {
					rest = append(rest, col)
				}
			}
			return &table{cols: joinCols(in.cols, rest), open: in.open || right.open}
		}
	case "ipv4_lookup", "ipv6_lookup":
		// The input's columns, then the lookup table's.
		if len(x.Plugin.Args) > 0 {
			right := c.tabular(x.Plugin.Args[0])
			// The source address is the input's, the range the table's.
			if len(x.Plugin.Args) > 2 {
				c.expr(x.Plugin.Args[1], in)
				c.expr(x.Plugin.Args[2], right)
			}
			// Extra key columns after (source, range) are matched by name
			// and dropped from the right side.
			keys := map[string]bool{}
			for i, a := range x.Plugin.Args[1:] {
				if _, ok := a.(*ast.NamedExpr); ok {
					continue
				}
				if id, ok := a.(*ast.Ident); ok && i >= 2 {
					keys[id.Name] = true
				}
			}
			var rest []Column
			for _, col := range right.cols {
				if !keys[col.Name] {
					rest = append(rest, col)
				}
			}
			return &table{cols: joinCols(in.cols, rest), open: in.open || right.open}
		}
	case "pivot":
		// The remaining (or by) columns, then one column per pivot value:
		// those are unknown, so the table is open.
		args := x.Plugin.Args
		for _, a := range args {
			c.expr(a, in)
		}
		out := &table{open: true}
		if len(args) > 2 {
			for _, a := range args[2:] {
				names, v := assignNames(a)
				n := c.exprName(v)
				if len(names) > 0 {
					n = names[0]
				}
				out.cols = append(out.cols, Column{n, c.res.Types[v]})
			}
			return out
		}
		skip := map[string]bool{}
		for _, a := range args {
			ast.Inspect(a, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok {
					skip[id.Name] = true
				}
				return true
			})
		}
		for _, col := range in.cols {
			if !skip[col.Name] {
				out.cols = append(out.cols, col)
			}
		}
		return out
	case "narrow":
		return &table{cols: []Column{{"Row", schema.Int}, {"Column", schema.String}, {"Value", schema.String}}}
	case "dcount_intersect":
		// The input's columns, then s0, s1... one per sketch.
		b := &builder{}
		for _, col := range in.cols {
			b.add(col.Name, col.Type)
		}
		for i, a := range x.Plugin.Args {
			c.expr(a, in)
			b.add(fmt.Sprintf("s%d", i), schema.Long)
		}
		return &table{cols: b.cols}
	case "rolling_percentile":
		// rolling_percentile(value, p, axis, step, window, dims...): the
		// axis, the dimensions, then rolling_<window>_percentile_<value>_<p>.
		args := x.Plugin.Args
		var ts []schema.Type
		for _, a := range args {
			ts = append(ts, c.expr(a, in))
		}
		if len(args) < 5 {
			break
		}
		b := &builder{}
		b.add(c.exprName(args[2]), ts[2])
		for i, a := range args[5:] {
			b.add(c.exprName(a), ts[5+i])
		}
		lit := func(e ast.Expr) string {
			if l, ok := e.(*ast.BasicLit); ok {
				return strings.ReplaceAll(l.Value, ".", "_")
			}
			return ""
		}
		b.add("rolling_"+lit(args[4])+"_percentile_"+c.exprName(args[0])+"_"+lit(args[1]), ts[0])
		return &table{cols: b.cols}
	case "bag_unpack":
		out := &table{open: true}
		drop := ""
		if len(x.Plugin.Args) > 0 {
			drop = c.exprName(x.Plugin.Args[0])
			c.expr(x.Plugin.Args[0], in)
		}
		for _, col := range in.cols {
			if col.Name != drop {
				out.cols = append(out.cols, col)
			}
		}
		return out
	}
	return &table{open: true}
}

// makeSeries: the by columns, then the series (dynamic), then the axis.
func (c *checker) makeSeries(x *ast.MakeSeriesOp, in *table) *table {
	b := &builder{}
	k := &columnN{}
	for _, e := range x.ByExprs {
		names, v := assignNames(e)
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
	for _, a := range x.Aggs {
		if a == nil {
			continue
		}
		names, v := assignNames(a.X)
		c.aggOK++
		c.expr(v, in)
		c.aggOK--
		switch {
		case len(names) > 0:
			b.add(names[0], schema.Dynamic)
		case c.exprName(v) != "":
			b.add(c.exprName(v), schema.Dynamic)
		default:
			b.add(k.next(b), schema.Dynamic)
		}
	}
	c.expr(x.OnExpr, in)
	axis := c.exprName(x.OnExpr)
	if axis == "" {
		axis = k.next(b)
	}
	b.add(axis, schema.Dynamic)
	return &table{cols: b.cols}
}

// search: a $table column, then the searched tables' columns merged as
// union merges them.
func (c *checker) search(x *ast.SearchOp, in *table) *table {
	u := &ast.UnionOp{Tables: x.Tables}
	if len(x.Tables) == 0 && len(in.cols) == 0 && !in.open {
		u.Tables = []ast.Expr{&ast.Wildcard{Pattern: "*"}}
	}
	t := c.union(u, in)
	if x.Pred != nil {
		c.searchPred(x.Pred, t)
	}
	return &table{cols: append([]Column{{"$table", schema.String}}, t.cols...), open: t.open}
}

// searchPred types a search predicate, where bare strings are terms.
func (c *checker) searchPred(e ast.Expr, t *table) {
	switch x := e.(type) {
	case *ast.StringLit:
		c.res.Types[e] = schema.Bool
	case *ast.BinaryExpr:
		if x.Op == ast.And || x.Op == ast.Or {
			c.searchPred(x.X, t)
			c.searchPred(x.Y, t)
			c.res.Types[e] = schema.Bool
			return
		}
		if x.Op == ast.Search {
			c.res.Types[e] = schema.Bool
			return
		}
		c.expr(e, t)
	case *ast.ParenExpr:
		c.searchPred(x.X, t)
	default:
		c.expr(e, t)
	}
}

// topNested: per clause, the value column and its aggregated_ column.
func (c *checker) topNested(x *ast.TopNestedOp, in *table) *table {
	b := &builder{}
	for _, cl := range x.Clauses {
		if cl == nil {
			continue
		}
		c.expr(cl.Count, nil)
		name := ""
		if cl.X != nil {
			names, v := assignNames(cl.X)
			t := c.expr(v, in)
			if len(names) > 0 {
				name = names[0]
			} else {
				name = c.exprName(v)
			}
			b.add(name, t)
		}
		if cl.OthersValue != nil {
			c.expr(cl.OthersValue, nil)
		}
		if cl.Item != nil {
			names, v := assignNames(cl.Item.X)
			c.aggOK++
			t := c.expr(v, in)
			c.aggOK--
			if len(names) > 0 {
				b.add(names[0], t)
			} else {
				b.add("aggregated_"+name, t)
			}
		}
	}
	return &table{cols: b.cols}
}

func (c *checker) parseKv(x *ast.ParseKvOp, in *table) *table {
	c.expr(x.X, in)
	b := &builder{cols: append([]Column(nil), in.cols...)}
	for _, col := range c.schemaTable(x.Schema).cols {
		c.setCol(b, col.Name, col.Type)
	}
	return &table{cols: b.cols, open: in.open}
}

// scan: the input, then the declared columns.
func (c *checker) scan(x *ast.ScanOp, in *table) *table {
	b := &builder{cols: append([]Column(nil), in.cols...)}
	for _, d := range x.Decls {
		if d == nil || d.Name == nil {
			continue
		}
		c.setCol(b, d.Name.Name, c.typeExpr(d.Type))
	}
	row := &table{cols: b.cols, open: in.open}
	saved := c.sc
	c.push()
	for _, st := range x.Steps {
		if st != nil && st.Name != nil {
			// A step's name stands for its row: s1.cumulative_x.
			c.define(st.Name.Name, &symbol{scalar: schema.Dynamic})
		}
	}
	for _, st := range x.Steps {
		if st == nil {
			continue
		}
		c.expr(st.Cond, row)
		for _, a := range st.Assigns {
			c.expr(a.X, row)
		}
	}
	c.sc = saved
	id := "match_id"
	if n := optWord(x.Options, "with_match_id"); n != "" {
		id = n
	}
	b.add(id, schema.Long)
	return &table{cols: b.cols, open: in.open}
}

// find: the source column, then the listed columns, or project-smart's
// columns (see PlanFind) followed by pack_, a bag of the others.
func (c *checker) find(x *ast.FindOp) *table {
	var names []string
	for _, t := range schema.Tables() {
		names = append(names, t.Name)
	}
	inputs := FindTables(x.Tables, names, func(e ast.Expr, name string) ([]Column, bool) {
		if e == nil {
			return c.lookupTable(name)
		}
		return c.union(&ast.UnionOp{Tables: []ast.Expr{e}}, nil).cols, true
	})
	plan := PlanFind(inputs, x.Pred)
	var all []Column
	have := map[string]bool{}
	for _, k := range plan.Kept {
		for _, col := range inputs[k].Cols {
			if !have[col.Name] {
				have[col.Name] = true
				all = append(all, col)
			}
		}
	}
	if x.Pred != nil {
		c.searchPred(x.Pred, &table{cols: all, open: true})
	}
	src := "source_"
	if n := optWord(x.Options, "withsource"); n != "" {
		src = n
	} else if n := optWord(x.Options, "with_source"); n != "" {
		src = n
	}
	b := &builder{}
	b.add(src, schema.String)
	if x.Project.IsValid() && !x.ProjectSmart && len(x.Columns) > 0 {
		for _, e := range x.Columns {
			switch v := e.(type) {
			case *ast.Ident:
				col, i := (&table{cols: all}).find(v.Name)
				if i < 0 {
					c.errorf(v.Pos(), "unknown column '%s' in the tables find reads", v.Name)
				}
				b.add(v.Name, col.Type)
			case *ast.ColumnDecl:
				if v.Name != nil {
					b.add(v.Name.Name, c.typeExpr(v.Type))
				}
			case *ast.CallExpr:
				b.add("pack_", schema.Dynamic)
			}
		}
		return &table{cols: b.cols}
	}
	for _, col := range plan.Smart {
		b.add(col.Name, col.Type)
	}
	b.add("pack_", schema.Dynamic)
	return &table{cols: b.cols}
}

// topHitters: the value and its approximate count, or sum of by.
func (c *checker) topHitters(x *ast.TopHittersOp, in *table) *table {
	c.count(x.Count)
	t := c.expr(x.X, in)
	name := c.exprName(x.X)
	b := &builder{}
	b.add(name, t)
	if x.ByExpr != nil {
		bt := c.expr(x.ByExpr, in)
		if bt == schema.Int {
			bt = schema.Long
		}
		b.add("approximate_sum_"+c.exprName(x.ByExpr), bt)
	} else {
		b.add("approximate_count_"+name, schema.Long)
	}
	return &table{cols: b.cols}
}

// GeoLookupReturnsKey reads return_lookup_key of geo_polygon_lookup
// (LookupTable, Key, Lon, Lat, [radius], [return_unmatched],
// [lookup_area_radius], [return_lookup_key]) and geo_line_lookup (the same
// with radius required): named, or the eighth positional argument.
func GeoLookupReturnsKey(plugin string, args []ast.Expr) bool {
	pos := 0
	for _, a := range args {
		if ne, ok := a.(*ast.NamedExpr); ok && len(ne.Names) == 1 {
			if ne.Names[0].Name == "return_lookup_key" {
				return isTrue(ne.X)
			}
			continue
		}
		if pos == 7 {
			return isTrue(a)
		}
		pos++
	}
	return false
}

func isTrue(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name == "true"
	case *ast.BasicLit:
		return strings.EqualFold(x.Value, "true")
	}
	return false
}
