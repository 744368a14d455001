package sqlgen

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
)

// colSet is a set of column names; nil stands for every column.
type colSet map[string]bool

// pipeNeeds says, for each operator of a pipe, which columns of its output
// the operators after it read (nil: all of them, or not known). Operators
// that would carry every column of a wide table through work DuckDB's
// optimizer cannot undo (a union's branches, mv-expand's copies of each
// row, summarize's aggregates) then compute only what is read.
//
// The analysis may over-approximate (any identifier counts as a column)
// but never under-approximate: an operator it does not model, a star, or a
// function that reads columns by name or order makes everything needed.
func (g *gen) pipeNeeds(ops []ast.Operator) []colSet {
	needs := make([]colSet, len(ops))
	var out colSet // what reads the pipe's result is not known
	for i := len(ops) - 1; i >= 0; i-- {
		needs[i] = out
		out = g.inputNeed(ops[i], out)
	}
	return needs
}

// inputNeed is the columns an operator reads from its input, given the
// columns read from its output.
func (g *gen) inputNeed(op ast.Operator, out colSet) colSet {
	switch x := op.(type) {
	case *ast.CountOp:
		return colSet{}
	case *ast.SummarizeOp:
		return g.refs(colSet{}, append(append([]ast.Expr(nil), x.ByExprs...), x.Aggs...)...)
	case *ast.ProjectOp:
		return g.refs(colSet{}, x.Exprs...)
	case *ast.DistinctOp:
		return g.refs(colSet{}, x.Exprs...)
	}
	if out == nil {
		return nil
	}
	in := make(colSet, len(out))
	for c := range out {
		in[c] = true
	}
	switch x := op.(type) {
	case *ast.WhereOp:
		return g.refs(in, x.Pred)
	case *ast.ExtendOp:
		// Over-approximated: a name the extend defines stays needed.
		return g.refs(in, x.Exprs...)
	case *ast.SortOp:
		for _, it := range x.Items {
			if in = g.refs(in, it.X); in == nil {
				return nil
			}
		}
		return in
	case *ast.TopOp:
		if x.Item == nil {
			return nil
		}
		return g.refs(in, x.Item.X, x.Count)
	case *ast.TakeOp:
		return g.refs(in, x.Count)
	case *ast.MvExpandOp:
		for _, it := range x.Items {
			if it == nil {
				continue
			}
			if in = g.refs(in, it.X); in == nil {
				return nil
			}
		}
		if x.LimitExpr != nil {
			return g.refs(in, x.LimitExpr)
		}
		return in
	}
	return nil
}

// rowwideFuncs read columns they are not given (all of them, by name, or
// the row's neighbours in order).
var rowwideFuncs = map[string]bool{
	"pack_all": true, "column_ifexists": true, "ingestion_time": true,
	"bag_pack_columns": true,
}

// refs adds to set every identifier of the expressions, or returns nil
// when an expression may read columns it does not name.
func (g *gen) refs(set colSet, es ...ast.Expr) colSet {
	if set == nil {
		return nil
	}
	whole := false
	for _, e := range es {
		if e == nil {
			continue
		}
		ast.Inspect(e, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.Star:
				whole = true
			case *ast.Ident:
				set[x.Name] = true
			case *ast.CallExpr:
				if id, ok := x.Fun.(*ast.Ident); ok {
					if rowwideFuncs[id.Name] || windowFuncs[id.Name] || g.sc.lookup(id.Name) != nil {
						whole = true
					}
				} else {
					whole = true
				}
			}
			return !whole
		})
		if whole {
			return nil
		}
	}
	return set
}

// pruned keeps the columns of cols that need holds (all when need is nil),
// in order, and those keep names.
func pruned(cols []check.Column, need colSet, keep map[string]bool) []check.Column {
	if need == nil {
		return cols
	}
	out := make([]check.Column, 0, len(cols))
	for _, c := range cols {
		if need[c.Name] || keep[c.Name] {
			out = append(out, c)
		}
	}
	return out
}
