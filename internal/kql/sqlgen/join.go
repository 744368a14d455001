package sqlgen

import (
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
	"github.com/vigilsec/vigil/internal/schema"
)

// joinKey is one equality of a join's on clause.
type joinKey struct{ left, right string }

// joinKeys compiles the on clause: "x" is $left.x == $right.x.
func (g *gen) joinKeys(exprs []ast.Expr, left, right *rel) ([]joinKey, []string) {
	var keys []joinKey
	var extra []string
	side := func(e ast.Expr) (string, string, bool) {
		if s, ok := e.(*ast.SelectorExpr); ok && s.Sel != nil {
			if id, ok := s.X.(*ast.Ident); ok && (id.Name == "$left" || id.Name == "$right") {
				if id.Name == "$left" {
					return "l", quote(s.Sel.Name), true
				}
				return "r", quote(s.Sel.Name), true
			}
		}
		return "", "", false
	}
	var flat []ast.Expr
	var split func(e ast.Expr)
	split = func(e ast.Expr) {
		switch x := e.(type) {
		case *ast.BinaryExpr:
			if x.Op == ast.And {
				split(x.X)
				split(x.Y)
				return
			}
		case *ast.ParenExpr:
			split(x.X)
			return
		}
		flat = append(flat, e)
	}
	for _, e := range exprs {
		split(e)
	}
	for _, e := range flat {
		switch x := e.(type) {
		case *ast.Ident:
			if left.find(x.Name) < 0 || right.find(x.Name) < 0 {
				g.failf(x.Pos(), "join key '%s' must be a column of both sides", x.Name)
			}
			keys = append(keys, joinKey{"l." + quote(x.Name), "r." + quote(x.Name)})
			continue
		case *ast.BinaryExpr:
			if x.Op == ast.Eql {
				sa, ca, okA := side(x.X)
				sb, cb, okB := side(x.Y)
				if okA && okB && sa != sb {
					if sa == "r" {
						ca, cb = cb, ca
					}
					keys = append(keys, joinKey{"l." + ca, "r." + cb})
					continue
				}
			}
		}
		g.failf(e.Pos(), "join conditions must be columns or $left.x == $right.y")
	}
	return keys, extra
}

func (g *gen) join(x *ast.JoinOp, in *rel) *rel {
	kind := strings.ToLower(optionWord(x.Options, "kind"))
	if kind == "" {
		kind = "innerunique"
	}
	right := g.tabular(x.Right)
	if x.WhereExpr != nil {
		g.failf(x.WhereExpr.Pos(), "join ... where is not supported yet")
	}
	keys, _ := g.joinKeys(x.OnExprs, in, right)
	var conds []string
	for _, k := range keys {
		conds = append(conds, k.left+" = "+k.right)
	}
	on := strings.Join(conds, " AND ")
	cols := g.tableCols(x)
	left := in
	var unique *uniqueJoin
	switch kind {
	case "innerunique":
		// Kusto keeps one left row per key value before joining.
		var parts []string
		for _, k := range keys {
			parts = append(parts, strings.TrimPrefix(k.left, "l."))
		}
		dedup := func(l *rel) *rel {
			body := "SELECT " + selectCols(l.cols) + " FROM " + l.name + " QUALIFY row_number() OVER (PARTITION BY " + strings.Join(parts, ", ") + ") = 1"
			return g.step("join-unique", x.Pos(), body, l.cols)
		}
		left = dedup(in)
		kind = "inner"
		// A where on left columns after the join filters the left side
		// before the rows are made unique, as Kusto does (see where).
		unique = &uniqueJoin{in: in, rebuild: func(l *rel) *rel {
			ll := dedup(l)
			body := "SELECT " + g.joinSelect(ll.cols, right.cols, cols) + " FROM " + ll.name + " AS l JOIN " + right.name + " AS r ON " + on
			return g.step("join", x.Pos(), body, cols)
		}}
	case "anti", "leftantisemi":
		kind = "leftanti"
	case "rightantisemi":
		kind = "rightanti"
	}
	switch kind {
	case "leftsemi", "leftanti":
		j := "SEMI"
		if kind == "leftanti" {
			j = "ANTI"
		}
		body := "SELECT " + prefixed("l", in.cols) + " FROM " + in.name + " AS l " + j + " JOIN " + right.name + " AS r ON " + on
		return g.step("join", x.Pos(), body, cols)
	case "rightsemi", "rightanti":
		j := "SEMI"
		if kind == "rightanti" {
			j = "ANTI"
		}
		body := "SELECT " + prefixed("r", right.cols) + " FROM " + right.name + " AS r " + j + " JOIN " + in.name + " AS l ON " + on
		return g.step("join", x.Pos(), body, cols)
	}
	sqlKind := map[string]string{"inner": "JOIN", "leftouter": "LEFT JOIN", "rightouter": "RIGHT JOIN", "fullouter": "FULL JOIN"}[kind]
	if sqlKind == "" {
		g.failf(x.Pos(), "join kind '%s' is not supported", kind)
	}
	body := "SELECT " + g.joinSelect(left.cols, right.cols, cols) + " FROM " + left.name + " AS l " + sqlKind + " " + right.name + " AS r ON " + on
	r := g.step("join", x.Pos(), body, cols)
	r.unique = unique
	return r
}

// joinSelect lists the left columns then the right ones under the names
// the binder gave them (a right name taken on the left gets a suffix).
// Outer joins leave nulls where a side has no row; KQL strings read ”.
func (g *gen) joinSelect(left, right, out []check.Column) string {
	var sel []string
	i := 0
	for _, c := range left {
		sel = append(sel, nonNull("l."+quote(c.Name), c.Type)+" AS "+quote(out[i].Name))
		i++
	}
	for _, c := range right {
		if i >= len(out) {
			break
		}
		sel = append(sel, nonNull("r."+quote(c.Name), c.Type)+" AS "+quote(out[i].Name))
		i++
	}
	return strings.Join(sel, ", ")
}

func nonNull(s string, t schema.Type) string {
	if t == schema.String {
		return "coalesce(" + s + ", '')"
	}
	return s
}

func prefixed(p string, cols []check.Column) string {
	var sel []string
	for _, c := range cols {
		sel = append(sel, p+"."+quote(c.Name))
	}
	if len(sel) == 0 {
		return "NULL AS \"__empty\""
	}
	return strings.Join(sel, ", ")
}

// lookup is a left outer (or inner) join that keeps the right side's
// non-key columns.
func (g *gen) lookup(x *ast.LookupOp, in *rel) *rel {
	kind := strings.ToLower(optionWord(x.Options, "kind"))
	right := g.tabular(x.Right)
	keys, _ := g.joinKeys(x.OnExprs, in, right)
	var conds []string
	keyCols := map[string]bool{}
	for _, k := range keys {
		conds = append(conds, k.left+" = "+k.right)
		keyCols[strings.Trim(strings.TrimPrefix(k.right, "r."), `"`)] = true
	}
	var rest []check.Column
	for _, c := range right.cols {
		if !keyCols[c.Name] {
			rest = append(rest, c)
		}
	}
	cols := g.tableCols(x)
	j := "LEFT JOIN"
	if kind == "inner" {
		j = "JOIN"
	}
	body := "SELECT " + g.joinSelect(in.cols, rest, cols) + " FROM " + in.name + " AS l " + j + " " + right.name + " AS r ON " + strings.Join(conds, " AND ")
	return g.step("lookup", x.Pos(), body, cols)
}

// optionWord returns the text of an option's value (kind=inner).
func optionWord(opts []*ast.Option, name string) string {
	for _, o := range opts {
		if !strings.EqualFold(o.Name, name) {
			continue
		}
		switch v := o.Value.(type) {
		case *ast.Ident:
			return v.Name
		case *ast.StringLit:
			return v.Value
		case *ast.BasicLit:
			return v.Value
		}
	}
	return ""
}

// union concatenates its inputs, aligning columns by name as the binder
// merged them.
func (g *gen) union(x *ast.UnionOp, in *rel, need colSet) *rel {
	cols := g.tableCols(x)
	var ins []unionInput
	if in != nil {
		ins = append(ins, unionInput{in, "union_arg0"})
	}
	fuzzy := strings.EqualFold(optionWord(x.Options, "isfuzzy"), "true")
	for i, e := range x.Tables {
		if w, ok := e.(*ast.Wildcard); ok && w.Qualifier == nil {
			for _, name := range tablesMatching(w.Pattern) {
				if g.opts.Table != nil {
					if _, ok := g.opts.Table(name); !ok {
						continue
					}
				}
				ins = append(ins, unionInput{g.scan(name, e), name})
			}
			continue
		}
		name := unionName(e, i)
		if src := unionSource(e); src != nil && fuzzy && g.sc.lookup(src.Name) == nil {
			// isfuzzy=true skips the inputs whose table does not exist.
			if _, ok := schema.Lookup(src.Name); !ok {
				continue
			}
		}
		ins = append(ins, unionInput{g.tabular(e), name})
	}
	source := optionWord(x.Options, "withsource")
	if source == "" {
		source = optionWord(x.Options, "with_source")
	}
	// Each branch selects only what later operators read: DuckDB does
	// not prune the columns of a UNION ALL's branches by itself.
	out := pruned(cols, need, nil)
	if len(out) == 0 {
		out = cols[:min(1, len(cols))]
	}
	return g.step("union", x.Pos(), g.unionBody(ins, cols, out, source), out)
}

// unionName is the name withsource gives a union input: a table's (or
// let's) name, the name of a final as operator, or union_argN.
func unionName(e ast.Expr, i int) string {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			break
		}
		e = p.X
	}
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.PipeExpr:
		if n := len(x.Ops); n > 0 {
			if as, ok := x.Ops[n-1].(*ast.AsOp); ok && as.Name != nil {
				return as.Name.Name
			}
		}
	}
	return "union_arg" + itoa(i)
}

// unionSource is the table name a union input starts from, if any.
func unionSource(e ast.Expr) *ast.Ident {
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
		case *ast.PipeExpr:
			e = x.Source
		case *ast.Ident:
			return x
		default:
			return nil
		}
	}
}

// unionOrigin is where a merged column of a union comes from: the
// inputs' columns of that name, or, for a column split by type
// (x_long, x_int), those of that name and type.
type unionOrigin struct {
	name  string
	typ   schema.Type
	typed bool
}

// unionOrigins follows the binder's merge: names in order of first
// appearance; a name whose first two inputs disagree on the type splits
// into one column per type. It returns nil when the merge does not give
// cols (then columns are matched by name).
func unionOrigins(ins []unionInput, cols []check.Column, source string) []unionOrigin {
	type entry struct {
		name         string
		types        []schema.Type
		count        int
		firstTwoSame bool
	}
	var order []*entry
	byName := map[string]*entry{}
	for _, inp := range ins {
		for _, c := range inp.r.cols {
			en := byName[c.Name]
			if en == nil {
				en = &entry{name: c.Name}
				byName[c.Name] = en
				order = append(order, en)
			}
			en.count++
			if en.count == 2 {
				en.firstTwoSame = en.types[0] == c.Type
			}
			found := false
			for _, t := range en.types {
				found = found || t == c.Type
			}
			if !found {
				en.types = append(en.types, c.Type)
			}
		}
	}
	var out []unionOrigin
	if source != "" {
		out = append(out, unionOrigin{})
	}
	for _, en := range order {
		if len(en.types) == 1 || en.firstTwoSame {
			out = append(out, unionOrigin{name: en.name, typ: en.types[0]})
			continue
		}
		for _, t := range en.types {
			out = append(out, unionOrigin{name: en.name, typ: t, typed: true})
		}
	}
	if len(out) != len(cols) {
		return nil
	}
	for i, o := range out {
		if o.name != "" && cols[i].Type != o.typ && o.typed {
			return nil
		}
	}
	return out
}

// unionInput is one table of a union and the name withsource gives it.
type unionInput struct {
	r    *rel
	name string
}

// unionBody aligns each input with the merged columns (missing columns
// read null, or ” for strings) and concatenates them.
func (g *gen) unionBody(ins []unionInput, cols, out []check.Column, source string) string {
	var parts []string
	origins := unionOrigins(ins, cols, source)
	wanted := make(map[string]bool, len(out))
	for _, c := range out {
		wanted[c.Name] = true
	}
	for _, inp := range ins {
		var sel []string
		for k, c := range cols {
			if !wanted[c.Name] {
				continue
			}
			if source != "" && c.Name == source {
				sel = append(sel, g.typedParam(inp.name, schema.String)+" AS "+quote(c.Name))
				continue
			}
			i := inp.r.find(c.Name)
			if origins != nil {
				o := origins[k]
				i = inp.r.find(o.name)
				if i >= 0 && o.typed && inp.r.cols[i].Type != o.typ {
					i = -1
				}
			} else if i < 0 {
				// A column split by type: name_type.
				for j, ic := range inp.r.cols {
					if ic.Name+"_"+ic.Type.String() == c.Name {
						i = j
					}
				}
			}
			if i < 0 {
				if c.Type == schema.String {
					sel = append(sel, "'' AS "+quote(c.Name))
				} else {
					sel = append(sel, "CAST(NULL AS "+sqlType(c.Type)+") AS "+quote(c.Name))
				}
				continue
			}
			ic := inp.r.cols[i]
			sel = append(sel, g.coerce(quote(ic.Name), ic.Type, c.Type)+" AS "+quote(c.Name))
		}
		if len(sel) == 0 {
			sel = []string{"NULL AS \"__empty\""}
		}
		parts = append(parts, "SELECT "+strings.Join(sel, ", ")+" FROM "+inp.r.name)
	}
	if len(parts) == 0 {
		g.failf(0, "union has no tables")
	}
	return strings.Join(parts, "\nUNION ALL\n")
}

func itoa(i int) string { return strconv.Itoa(i) }
