package printer

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
)

// operator prints one tabular operator.
func (p *printer) operator(op ast.Operator) {
	switch o := op.(type) {
	case *ast.AsOp:
		p.print("as")
		p.options(o.Options)
		p.print(" ")
		p.ident(o.Name)
	case *ast.AssertSchemaOp:
		p.print("assert-schema ")
		p.schema(o.Schema)
	case *ast.ConsumeOp:
		p.print("consume")
		p.options(o.Options)
	case *ast.CountOp:
		p.print("count")
		if o.Name != nil {
			p.print(" as ")
			p.ident(o.Name)
		}
	case *ast.DistinctOp:
		p.print("distinct")
		p.options(o.Options)
		p.print(" ")
		p.exprList(o.Exprs)
	case *ast.EvaluateOp:
		p.print("evaluate")
		p.options(o.Options)
		p.print(" ")
		if o.Plugin != nil {
			p.call(o.Plugin)
		}
		if o.Schema != nil {
			p.print(" : ")
			p.schema(o.Schema)
		}
	case *ast.ExtendOp:
		p.print("extend ")
		p.exprList(o.Exprs)
	case *ast.FacetOp:
		p.print("facet by ")
		p.exprList(o.Cols)
		if o.Query != nil {
			p.print(" with ")
			p.pipeOrExpr(o.Query)
		}
	case *ast.FindOp:
		p.find(o)
	case *ast.ForkOp:
		p.print("fork")
		for _, b := range o.Branches {
			p.print(" ")
			p.forkBranch(b)
		}
	case *ast.GetSchemaOp:
		p.print("getschema")
		p.options(o.Options)
	case *ast.InvokeOp:
		p.print("invoke ")
		p.expr(o.Call, ast.PrecPrimary)
	case *ast.JoinOp:
		p.print("join")
		p.options(o.Options)
		p.print(" ")
		p.expr(o.Right, ast.PrecOr)
		if o.OnExprs != nil || o.On.IsValid() {
			p.print(" on ")
			p.exprList(o.OnExprs)
		} else if o.WhereExpr != nil {
			p.print(" where ")
			p.expr(o.WhereExpr, ast.PrecOr)
		}
	case *ast.LookupOp:
		p.print("lookup")
		p.options(o.Options)
		p.print(" ")
		p.expr(o.Right, ast.PrecOr)
		p.print(" on ")
		p.exprList(o.OnExprs)
	case *ast.MakeSeriesOp:
		p.makeSeries(o)
	case *ast.MvExpandOp:
		p.print("mv-expand")
		p.options(o.Options)
		p.print(" ")
		p.mvItems(o.Items)
		if o.LimitExpr != nil {
			p.print(" limit ")
			p.expr(o.LimitExpr, ast.PrecOr)
		}
	case *ast.MvApplyOp:
		p.print("mv-apply")
		p.options(o.Options)
		p.print(" ")
		p.mvItems(o.Items)
		if o.LimitExpr != nil {
			p.print(" limit ")
			p.expr(o.LimitExpr, ast.PrecOr)
		}
		if o.IDExpr != nil {
			p.print(" id ")
			p.expr(o.IDExpr, ast.PrecOr)
		}
		p.print(" on ")
		p.subquery(o.Subquery)
	case *ast.ParseOp:
		if o.Where {
			p.print("parse-where")
		} else {
			p.print("parse")
		}
		p.options(o.Options)
		p.print(" ")
		p.expr(o.X, ast.PrecOr)
		p.print(" with")
		for _, item := range o.Pattern {
			p.print(" ")
			p.expr(item, ast.PrecOr)
		}
	case *ast.ParseKvOp:
		p.print("parse-kv ")
		p.expr(o.X, ast.PrecOr)
		p.print(" as ")
		p.schema(o.Schema)
		p.withProps(o.With)
	case *ast.PartitionOp:
		p.partition(o)
	case *ast.PrintOp:
		p.print("print ")
		p.exprList(o.Exprs)
	case *ast.ProjectOp:
		p.list("project", o.Exprs)
	case *ast.ProjectAwayOp:
		p.list("project-away", o.Cols)
	case *ast.ProjectKeepOp:
		p.list("project-keep", o.Cols)
	case *ast.ProjectRenameOp:
		p.list("project-rename", o.Exprs)
	case *ast.ProjectReorderOp:
		p.print("project-reorder")
		if len(o.Items) > 0 {
			p.print(" ")
			p.orderedList(o.Items)
		}
	case *ast.ProjectByNamesOp:
		p.list("project-by-names", o.Exprs)
	case *ast.RangeOp:
		p.print("range ")
		p.ident(o.Name)
		p.print(" from ")
		p.expr(o.FromExpr, ast.PrecOr)
		p.print(" to ")
		p.expr(o.ToExpr, ast.PrecOr)
		p.print(" step ")
		p.expr(o.StepExpr, ast.PrecOr)
	case *ast.ReduceOp:
		p.print("reduce")
		p.options(o.Options)
		p.print(" by ")
		p.listItem(o.X)
		if len(o.WithOptions) > 0 {
			p.print(" with ")
			for i, opt := range o.WithOptions {
				if i > 0 {
					p.print(", ")
				}
				p.option(opt)
			}
		}
	case *ast.RenderOp:
		p.print("render ")
		p.ident(o.Chart)
		p.options(o.Props)
		p.withProps(o.With)
	case *ast.SampleOp:
		p.print("sample")
		p.options(o.Options)
		p.print(" ")
		p.listItem(o.Count)
	case *ast.SampleDistinctOp:
		p.print("sample-distinct")
		p.options(o.Options)
		p.print(" ")
		p.listItem(o.Count)
		p.print(" of ")
		p.listItem(o.X)
	case *ast.ScanOp:
		p.scan(o)
	case *ast.SearchOp:
		p.print("search")
		p.options(o.Options)
		if o.In.IsValid() || o.Tables != nil {
			p.print(" in (")
			p.exprList(o.Tables)
			p.print(")")
		}
		p.print(" ")
		p.expr(o.Pred, ast.PrecOr)
	case *ast.SerializeOp:
		p.print("serialize")
		p.options(o.Options)
		if len(o.Exprs) > 0 {
			p.print(" ")
			p.exprList(o.Exprs)
		}
	case *ast.SortOp:
		p.print("sort")
		p.options(o.Options)
		p.print(" by ")
		p.orderedList(o.Items)
	case *ast.SummarizeOp:
		p.print("summarize")
		p.options(o.Options)
		if len(o.Aggs) > 0 {
			p.print(" ")
			p.exprList(o.Aggs)
		}
		if o.By.IsValid() || o.ByExprs != nil {
			p.print(" by ")
			p.exprList(o.ByExprs)
		}
		if o.Bin != nil {
			p.print(" ")
			p.option(o.Bin)
		}
	case *ast.TakeOp:
		p.print("take")
		p.options(o.Options)
		p.print(" ")
		p.listItem(o.Count)
	case *ast.TopOp:
		p.print("top")
		p.options(o.Options)
		p.print(" ")
		p.listItem(o.Count)
		p.print(" by ")
		p.ordered(o.Item)
	case *ast.TopHittersOp:
		p.print("top-hitters ")
		p.listItem(o.Count)
		p.print(" of ")
		p.listItem(o.X)
		if o.ByExpr != nil {
			p.print(" by ")
			p.listItem(o.ByExpr)
		}
	case *ast.TopNestedOp:
		for i, c := range o.Clauses {
			if i > 0 {
				p.print(", ")
			}
			p.topNestedClause(c)
		}
	case *ast.UnionOp:
		p.print("union")
		p.options(o.Options)
		p.print(" ")
		p.exprList(o.Tables)
	case *ast.WhereOp:
		p.print("where")
		p.options(o.Options)
		p.print(" ")
		p.listItem(o.Pred)
	case *ast.MakeGraphOp:
		p.makeGraph(o)
	case *ast.GraphMatchOp:
		p.print("graph-match")
		p.options(o.Options)
		p.graphClauses(o.Patterns, o.Pred, o.Exprs)
	case *ast.GraphShortestPathsOp:
		p.print("graph-shortest-paths")
		p.options(o.Options)
		p.graphClauses(o.Patterns, o.Pred, o.Exprs)
	case *ast.GraphToTableOp:
		p.print("graph-to-table ")
		for i, part := range o.Parts {
			if i > 0 {
				p.print(", ")
			}
			p.graphToTablePart(part)
		}
	case *ast.GraphMarkComponentsOp:
		p.print("graph-mark-components")
		p.options(o.Options)
	}
}

// list prints keyword a, b, c (or the keyword alone).
func (p *printer) list(keyword string, items []ast.Expr) {
	p.print(keyword)
	if len(items) > 0 {
		p.print(" ")
		p.exprList(items)
	}
}

func (p *printer) find(o *ast.FindOp) {
	p.print("find")
	p.options(o.Options)
	if o.In.IsValid() || o.Tables != nil {
		p.print(" in (")
		p.exprList(o.Tables)
		p.print(")")
	}
	if o.Where.IsValid() || len(o.Options) > 0 || o.Tables != nil {
		p.print(" where")
	}
	p.print(" ")
	p.expr(o.Pred, ast.PrecOr)
	switch {
	case o.ProjectSmart:
		p.print(" project-smart")
	case o.Columns != nil:
		p.print(" project ")
		p.exprList(o.Columns)
	}
}

func (p *printer) forkBranch(b *ast.ForkBranch) {
	if b.Name != nil {
		p.ident(b.Name)
		p.print("=")
	}
	p.subquery(b.Query)
}

func (p *printer) makeSeries(o *ast.MakeSeriesOp) {
	p.print("make-series")
	p.options(o.Options)
	p.print(" ")
	for i, a := range o.Aggs {
		if i > 0 {
			p.print(", ")
		}
		p.makeSeriesAgg(a)
	}
	p.print(" on ")
	p.listItem(o.OnExpr)
	if o.RangeArgs != nil || o.In.IsValid() {
		p.print(" in range(")
		p.exprList(o.RangeArgs)
		p.print(")")
	} else {
		if o.FromExpr != nil {
			p.print(" from ")
			p.expr(o.FromExpr, ast.PrecOr)
		}
		if o.ToExpr != nil {
			p.print(" to ")
			p.expr(o.ToExpr, ast.PrecOr)
		}
		p.print(" step ")
		p.expr(o.StepExpr, ast.PrecOr)
	}
	if o.By.IsValid() || o.ByExprs != nil {
		p.print(" by ")
		p.exprList(o.ByExprs)
	}
}

func (p *printer) makeSeriesAgg(a *ast.MakeSeriesAgg) {
	p.listItem(a.X)
	if a.DefaultValue != nil {
		p.print(" default = ")
		p.listItem(a.DefaultValue)
	}
}

func (p *printer) mvItems(items []*ast.MvItem) {
	for i, item := range items {
		if i > 0 {
			p.print(", ")
		}
		p.mvItem(item)
	}
}

func (p *printer) mvItem(item *ast.MvItem) {
	if item.X != nil {
		p.listItem(item.X)
	}
	if item.Type != nil {
		if item.X != nil {
			p.print(" ")
		}
		p.print("to ")
		p.expr(item.Type, ast.PrecOr)
	}
}

func (p *printer) partition(o *ast.PartitionOp) {
	p.print("partition")
	p.options(o.Options)
	p.print(" by ")
	p.expr(o.Key, ast.PrecOr)
	if o.Scope != nil {
		p.print(" in ")
		p.expr(o.Scope, ast.PrecPrimary)
	}
	if o.Braced {
		p.print(" { ")
		p.pipeOrExpr(o.Query)
		p.print(" }")
		return
	}
	p.print(" ")
	p.subquery(o.Query)
}

func (p *printer) scan(o *ast.ScanOp) {
	p.print("scan")
	p.options(o.Options)
	if o.OrderItems != nil || o.Order.IsValid() {
		p.print(" order by ")
		p.orderedList(o.OrderItems)
	}
	if o.PartitionExprs != nil || o.Partition.IsValid() {
		p.print(" partition by ")
		p.exprList(o.PartitionExprs)
	}
	if o.Decls != nil || o.Declare.IsValid() {
		p.print(" declare ")
		p.params(o.Decls)
	}
	p.print(" with (")
	for _, s := range o.Steps {
		p.print(" ")
		p.scanStep(s)
	}
	p.print(" )")
}

func (p *printer) scanStep(s *ast.ScanStep) {
	p.print("step ")
	p.ident(s.Name)
	if s.Optional.IsValid() {
		p.print(" optional")
	}
	if s.Output != nil {
		p.print(" ")
		p.option(s.Output)
	}
	p.print(": ")
	p.expr(s.Cond, ast.PrecOr)
	if len(s.Assigns) > 0 {
		p.print(" => ")
		for i, a := range s.Assigns {
			if i > 0 {
				p.print(", ")
			}
			p.named(a)
		}
	}
	p.print(";")
}

func (p *printer) topNestedClause(c *ast.TopNestedClause) {
	p.print("top-nested")
	if c.Count != nil {
		p.print(" ")
		p.listItem(c.Count)
	}
	p.print(" of ")
	p.listItem(c.X)
	if c.OthersValue != nil {
		p.print(" with others = ")
		p.expr(c.OthersValue, ast.PrecOr)
	}
	p.print(" by ")
	p.ordered(c.Item)
}
