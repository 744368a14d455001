package ast

import "github.com/vigilsec/vigil/internal/kql/token"

// This file declares one node per tabular operator. Synonyms share a node:
// where/filter, take/limit, sort/order, mv-expand/mvexpand,
// mv-apply/mvapply. Options holds the name=value parameters written after
// the operator keyword (kind=, hint.*=, withsource=, ...).

// AsOp is as [hint.materialized=true] Name.
type AsOp struct {
	As      token.Pos
	Options []*Option
	Name    *Ident
}

// ConsumeOp is consume [decodeblocks=true].
type ConsumeOp struct {
	Consume token.Pos
	Options []*Option
}

// CountOp is count [as Name].
type CountOp struct {
	Count token.Pos
	As    token.Pos
	Name  *Ident
}

// DistinctOp is distinct * or distinct a, b.
type DistinctOp struct {
	Distinct token.Pos
	Options  []*Option
	Exprs    []Expr
}

// EvaluateOp is evaluate [hint.*] plugin(args) [: (schema)].
type EvaluateOp struct {
	Evaluate token.Pos
	Options  []*Option
	Plugin   *CallExpr
	Colon    token.Pos
	Schema   *SchemaType
}

// ExtendOp is extend a = x, b, ...
type ExtendOp struct {
	Extend token.Pos
	Exprs  []Expr
}

// FacetOp is facet by a, b [with (operators)]. Query is the with clause: a
// *PipeExpr without a source, or a *ParenExpr around one.
type FacetOp struct {
	Facet token.Pos
	By    token.Pos
	Cols  []Expr
	With  token.Pos
	Query Expr
}

// FindOp is find [withsource=T] [in (tables)] where pred [project ... |
// project-smart].
type FindOp struct {
	Find         token.Pos
	Options      []*Option
	In           token.Pos
	Lparen       token.Pos
	Tables       []Expr
	Rparen       token.Pos
	Where        token.Pos
	Pred         Expr
	Project      token.Pos
	ProjectSmart bool
	Columns      []Expr // *Ident, *ColumnDecl (x:string), *Star, or pack(*) as a *CallExpr
}

// ForkOp is fork (query) [name=](query) ...
type ForkOp struct {
	Fork     token.Pos
	Branches []*ForkBranch
}

// ForkBranch is one [name=](query) of fork.
type ForkBranch struct {
	Name   *Ident
	Assign token.Pos
	Lparen token.Pos
	Query  Expr
	Rparen token.Pos
}

// GetSchemaOp is getschema [kind=csl].
type GetSchemaOp struct {
	GetSchema token.Pos
	Options   []*Option
}

// InvokeOp is invoke f(args), also invoke database("d").f(args).
type InvokeOp struct {
	Invoke token.Pos
	Call   Expr
}

// JoinOp is join [kind=...] [hint.*=...] Right on cond, ... (or where
// cond). Right is a table name, a path or a parenthesized pipeline.
type JoinOp struct {
	Join      token.Pos
	Options   []*Option
	Right     Expr
	On        token.Pos
	OnExprs   []Expr
	Where     token.Pos
	WhereExpr Expr
}

// LookupOp is lookup [kind=leftouter|inner] Right on cond, ...
type LookupOp struct {
	Lookup  token.Pos
	Options []*Option
	Right   Expr
	On      token.Pos
	OnExprs []Expr
}

// MakeSeriesOp is make-series aggs on axis (from a to b step c | in
// range(a, b, c)) [by ...].
type MakeSeriesOp struct {
	MakeSeries token.Pos
	Options    []*Option
	Aggs       []*MakeSeriesAgg
	On         token.Pos
	OnExpr     Expr
	From       token.Pos
	FromExpr   Expr
	To         token.Pos
	ToExpr     Expr
	Step       token.Pos
	StepExpr   Expr
	In         token.Pos // the in range(...) form
	Range      token.Pos
	Lparen     token.Pos
	RangeArgs  []Expr
	Rparen     token.Pos
	By         token.Pos
	ByExprs    []Expr
}

// MakeSeriesAgg is one aggregation of make-series: c = count() default = 0.
type MakeSeriesAgg struct {
	X            Expr
	Default      token.Pos
	Assign       token.Pos
	DefaultValue Expr
}

// MvExpandOp is mv-expand [kind=...] [bagexpansion=...] [with_itemindex=i]
// items [limit n].
type MvExpandOp struct {
	MvExpand  token.Pos
	Options   []*Option
	Items     []*MvItem
	Limit     token.Pos
	LimitExpr Expr
}

// MvApplyOp is mv-apply [with_itemindex=i] items [limit n] [id x] on
// (subquery).
type MvApplyOp struct {
	MvApply   token.Pos
	Options   []*Option
	Items     []*MvItem
	Limit     token.Pos
	LimitExpr Expr
	ID        token.Pos
	IDExpr    Expr
	On        token.Pos
	Lparen    token.Pos
	Subquery  Expr
	Rparen    token.Pos
}

// MvItem is one item of mv-expand or mv-apply: [name =] expr [to
// typeof(type)]. X is nil for a bare "to typeof(...)".
type MvItem struct {
	X    Expr
	To   token.Pos
	Type *TypeOfExpr
}

// ParseOp is parse [kind=...] [flags=...] expr with pattern, and
// parse-where when Where is set. Pattern items are *Star, *StringLit and
// *ColumnDecl (name or name:type).
type ParseOp struct {
	Parse   token.Pos
	Where   bool
	Options []*Option
	X       Expr
	With    token.Pos
	Pattern []Expr
}

// ParseKvOp is parse-kv expr as (schema) [with (props)].
type ParseKvOp struct {
	ParseKv token.Pos
	X       Expr
	As      token.Pos
	Schema  *SchemaType
	With    *WithProps
}

// PartitionOp is partition [hint.*] by key [in (...)] (subquery), or the
// legacy form with { query } when Braced is set.
type PartitionOp struct {
	Partition token.Pos
	Options   []*Option
	By        token.Pos
	Key       Expr
	In        token.Pos
	Scope     Expr
	Open      token.Pos
	Braced    bool
	Query     Expr
	Close     token.Pos
}

// PrintOp is print [name =] expr, ...
type PrintOp struct {
	Print token.Pos
	Exprs []Expr
}

// ProjectOp is project [name =] expr, ...
type ProjectOp struct {
	Project token.Pos
	Exprs   []Expr
}

// ProjectAwayOp is project-away col, pattern*, ...
type ProjectAwayOp struct {
	ProjectAway token.Pos
	Cols        []Expr
}

// ProjectKeepOp is project-keep col, pattern*, ...
type ProjectKeepOp struct {
	ProjectKeep token.Pos
	Cols        []Expr
}

// ProjectRenameOp is project-rename new = old, ...
type ProjectRenameOp struct {
	ProjectRename token.Pos
	Exprs         []Expr
}

// ProjectReorderOp is project-reorder col [asc|desc|granny-asc|granny-desc], ...
type ProjectReorderOp struct {
	ProjectReorder token.Pos
	Items          []*OrderedExpr
}

// ProjectByNamesOp is project-by-names expr, ...
type ProjectByNamesOp struct {
	ProjectByNames token.Pos
	Exprs          []Expr
}

// RangeOp is range x from a to b step c.
type RangeOp struct {
	Range    token.Pos
	Name     *Ident
	From     token.Pos
	FromExpr Expr
	To       token.Pos
	ToExpr   Expr
	Step     token.Pos
	StepExpr Expr
}

// ReduceOp is reduce [kind=source] by expr [with threshold=..., characters=...].
type ReduceOp struct {
	Reduce      token.Pos
	Options     []*Option
	By          token.Pos
	X           Expr
	With        token.Pos
	WithOptions []*Option
}

// RenderOp is render chart [legacy properties] [with (properties)].
type RenderOp struct {
	Render token.Pos
	Chart  *Ident
	Props  []*Option // legacy: render timechart kind=stacked title="x" by a, b
	With   *WithProps
}

// SampleOp is sample n.
type SampleOp struct {
	Sample  token.Pos
	Options []*Option
	Count   Expr
}

// SampleDistinctOp is sample-distinct n of col.
type SampleDistinctOp struct {
	SampleDistinct token.Pos
	Options        []*Option
	Count          Expr
	Of             token.Pos
	X              Expr
}

// ScanOp is scan [with_match_id=id] [order by ...] [partition by ...]
// [declare (params)] with (steps).
type ScanOp struct {
	Scan           token.Pos
	Options        []*Option
	Order          token.Pos
	OrderBy        token.Pos
	OrderItems     []*OrderedExpr
	Partition      token.Pos
	PartitionBy    token.Pos
	PartitionExprs []Expr
	Declare        token.Pos
	DeclLparen     token.Pos
	Decls          []*Param
	DeclRparen     token.Pos
	With           token.Pos
	Lparen         token.Pos
	Steps          []*ScanStep
	Rparen         token.Pos
}

// ScanStep is step name [optional] [output=all|last|none]: cond [=> a = x, ...];
type ScanStep struct {
	Step     token.Pos
	Name     *Ident
	Optional token.Pos
	Output   *Option
	Colon    token.Pos
	Cond     Expr
	Arrow    token.Pos
	Assigns  []*NamedExpr
	Semi     token.Pos
}

// SearchOp is search [kind=...] [in (tables)] pred.
type SearchOp struct {
	Search  token.Pos
	Options []*Option
	In      token.Pos
	Lparen  token.Pos
	Tables  []Expr
	Rparen  token.Pos
	Pred    Expr
}

// SerializeOp is serialize [name = expr, ...].
type SerializeOp struct {
	Serialize token.Pos
	Options   []*Option
	Exprs     []Expr
}

// SortOp is sort by / order by expr [asc|desc] [nulls first|last], ...
type SortOp struct {
	Sort    token.Pos
	Options []*Option
	By      token.Pos
	Items   []*OrderedExpr
}

// SummarizeOp is summarize [hint.*] aggs [by keys]. Bin is the legacy
// "by key bin = size" clause.
type SummarizeOp struct {
	Summarize token.Pos
	Options   []*Option
	Aggs      []Expr
	By        token.Pos
	ByExprs   []Expr
	Bin       *Option
}

// TakeOp is take n or limit n.
type TakeOp struct {
	Take    token.Pos
	Options []*Option
	Count   Expr
}

// TopOp is top n by expr [asc|desc] [nulls first|last].
type TopOp struct {
	Top     token.Pos
	Options []*Option
	Count   Expr
	By      token.Pos
	Item    *OrderedExpr
}

// TopHittersOp is top-hitters n of col [by expr].
type TopHittersOp struct {
	TopHitters token.Pos
	Count      Expr
	Of         token.Pos
	X          Expr
	By         token.Pos
	ByExpr     Expr
}

// TopNestedOp is one or more top-nested clauses separated by commas.
type TopNestedOp struct {
	Clauses []*TopNestedClause
}

// TopNestedClause is top-nested [n] of expr [with others = v] by agg [asc|desc].
type TopNestedClause struct {
	TopNested   token.Pos
	Count       Expr
	Of          token.Pos
	X           Expr
	With        token.Pos
	Others      token.Pos
	Assign      token.Pos
	OthersValue Expr
	By          token.Pos
	Item        *OrderedExpr
}

// UnionOp is union [kind=...] [withsource=T] [isfuzzy=true] tables. A table
// is a name, a wildcard, a path or a parenthesized pipeline.
type UnionOp struct {
	Union   token.Pos
	Options []*Option
	Tables  []Expr
}

// WhereOp is where pred or filter pred.
type WhereOp struct {
	Where   token.Pos
	Options []*Option
	Pred    Expr
}

// AssertSchemaOp is assert-schema (schema).
type AssertSchemaOp struct {
	AssertSchema token.Pos
	Schema       *SchemaType
}

func (o *AsOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.As
}
func (o *ConsumeOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Consume
}
func (o *CountOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Count
}
func (o *DistinctOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Distinct
}
func (o *EvaluateOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Evaluate
}
func (o *ExtendOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Extend
}
func (o *FacetOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Facet
}
func (o *FindOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Find
}
func (o *ForkOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Fork
}
func (o *GetSchemaOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.GetSchema
}
func (o *InvokeOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Invoke
}
func (o *JoinOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Join
}
func (o *LookupOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Lookup
}
func (o *MakeSeriesOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.MakeSeries
}
func (o *MvExpandOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.MvExpand
}
func (o *MvApplyOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.MvApply
}
func (o *ParseOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Parse
}
func (o *ParseKvOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.ParseKv
}
func (o *PartitionOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Partition
}
func (o *PrintOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Print
}
func (o *ProjectOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Project
}
func (o *ProjectAwayOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.ProjectAway
}
func (o *ProjectKeepOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.ProjectKeep
}
func (o *ProjectRenameOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.ProjectRename
}
func (o *ProjectReorderOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.ProjectReorder
}
func (o *ProjectByNamesOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.ProjectByNames
}
func (o *RangeOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Range
}
func (o *ReduceOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Reduce
}
func (o *RenderOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Render
}
func (o *SampleOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Sample
}
func (o *SampleDistinctOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.SampleDistinct
}
func (o *ScanOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Scan
}
func (o *SearchOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Search
}
func (o *SerializeOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Serialize
}
func (o *SortOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Sort
}
func (o *SummarizeOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Summarize
}
func (o *TakeOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Take
}
func (o *TopOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Top
}
func (o *TopHittersOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.TopHitters
}
func (o *UnionOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Union
}
func (o *WhereOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Where
}
func (o *AssertSchemaOp) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.AssertSchema
}

func (o *TopNestedOp) Pos() token.Pos {
	if o == nil || len(o.Clauses) == 0 {
		return token.NoPos
	}
	return o.Clauses[0].Pos()
}

func (o *ForkBranch) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	if o.Name != nil {
		return o.Name.Pos()
	}
	return o.Lparen
}

func (o *MakeSeriesAgg) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return posOf(o.X)
}

func (o *MvItem) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	if o.X != nil {
		return o.X.Pos()
	}
	return o.To
}

func (o *ScanStep) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.Step
}

func (o *TopNestedClause) Pos() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return o.TopNested
}

func (o *AsOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.As, 2), endOfList(o.Options), endOf(o.Name))
}

func (o *ConsumeOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Consume, 7), endOfList(o.Options))
}

func (o *CountOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Count, 5), kwEnd(o.As, 2), endOf(o.Name))
}

func (o *DistinctOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Distinct, 8), endOfList(o.Options), endOfList(o.Exprs))
}

func (o *EvaluateOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Evaluate, 8), endOfList(o.Options), endOf(o.Plugin), kwEnd(o.Colon, 1), endOf(o.Schema))
}

func (o *ExtendOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Extend, 6), endOfList(o.Exprs))
}

func (o *FacetOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Facet, 5), kwEnd(o.By, 2), endOfList(o.Cols), kwEnd(o.With, 4), endOf(o.Query))
}

func (o *FindOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	projectLen := len("project")
	if o.ProjectSmart {
		projectLen = len("project-smart")
	}
	return maxPos(kwEnd(o.Find, 4), endOfList(o.Options), kwEnd(o.In, 2), kwEnd(o.Lparen, 1),
		endOfList(o.Tables), kwEnd(o.Rparen, 1), kwEnd(o.Where, 5), endOf(o.Pred),
		kwEnd(o.Project, projectLen), endOfList(o.Columns))
}

func (o *ForkOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Fork, 4), endOfList(o.Branches))
}

func (o *ForkBranch) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(endOf(o.Name), kwEnd(o.Assign, 1), kwEnd(o.Lparen, 1), endOf(o.Query), kwEnd(o.Rparen, 1))
}

func (o *GetSchemaOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.GetSchema, 9), endOfList(o.Options))
}

func (o *InvokeOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Invoke, 6), endOf(o.Call))
}

func (o *JoinOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Join, 4), endOfList(o.Options), endOf(o.Right), kwEnd(o.On, 2),
		endOfList(o.OnExprs), kwEnd(o.Where, 5), endOf(o.WhereExpr))
}

func (o *LookupOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Lookup, 6), endOfList(o.Options), endOf(o.Right), kwEnd(o.On, 2), endOfList(o.OnExprs))
}

func (o *MakeSeriesOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.MakeSeries, 11), endOfList(o.Options), endOfList(o.Aggs), kwEnd(o.On, 2),
		endOf(o.OnExpr), kwEnd(o.From, 4), endOf(o.FromExpr), kwEnd(o.To, 2), endOf(o.ToExpr),
		kwEnd(o.Step, 4), endOf(o.StepExpr), kwEnd(o.In, 2), kwEnd(o.Range, 5), kwEnd(o.Lparen, 1),
		endOfList(o.RangeArgs), kwEnd(o.Rparen, 1), kwEnd(o.By, 2), endOfList(o.ByExprs))
}

func (o *MakeSeriesAgg) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(endOf(o.X), kwEnd(o.Default, 7), kwEnd(o.Assign, 1), endOf(o.DefaultValue))
}

func (o *MvExpandOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.MvExpand, 9), endOfList(o.Options), endOfList(o.Items), kwEnd(o.Limit, 5), endOf(o.LimitExpr))
}

func (o *MvApplyOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.MvApply, 8), endOfList(o.Options), endOfList(o.Items), kwEnd(o.Limit, 5),
		endOf(o.LimitExpr), kwEnd(o.ID, 2), endOf(o.IDExpr), kwEnd(o.On, 2), kwEnd(o.Lparen, 1),
		endOf(o.Subquery), kwEnd(o.Rparen, 1))
}

func (o *MvItem) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(endOf(o.X), kwEnd(o.To, 2), endOf(o.Type))
}

func (o *ParseOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	kw := len("parse")
	if o.Where {
		kw = len("parse-where")
	}
	return maxPos(kwEnd(o.Parse, kw), endOfList(o.Options), endOf(o.X), kwEnd(o.With, 4), endOfList(o.Pattern))
}

func (o *ParseKvOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.ParseKv, 8), endOf(o.X), kwEnd(o.As, 2), endOf(o.Schema), endOf(o.With))
}

func (o *PartitionOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Partition, 9), endOfList(o.Options), kwEnd(o.By, 2), endOf(o.Key),
		kwEnd(o.In, 2), endOf(o.Scope), kwEnd(o.Open, 1), endOf(o.Query), kwEnd(o.Close, 1))
}

func (o *PrintOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Print, 5), endOfList(o.Exprs))
}

func (o *ProjectOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Project, 7), endOfList(o.Exprs))
}

func (o *ProjectAwayOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.ProjectAway, 12), endOfList(o.Cols))
}

func (o *ProjectKeepOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.ProjectKeep, 12), endOfList(o.Cols))
}

func (o *ProjectRenameOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.ProjectRename, 14), endOfList(o.Exprs))
}

func (o *ProjectReorderOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.ProjectReorder, 15), endOfList(o.Items))
}

func (o *ProjectByNamesOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.ProjectByNames, 16), endOfList(o.Exprs))
}

func (o *RangeOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Range, 5), endOf(o.Name), kwEnd(o.From, 4), endOf(o.FromExpr),
		kwEnd(o.To, 2), endOf(o.ToExpr), kwEnd(o.Step, 4), endOf(o.StepExpr))
}

func (o *ReduceOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Reduce, 6), endOfList(o.Options), kwEnd(o.By, 2), endOf(o.X),
		kwEnd(o.With, 4), endOfList(o.WithOptions))
}

func (o *RenderOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Render, 6), endOf(o.Chart), endOfList(o.Props), endOf(o.With))
}

func (o *SampleOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Sample, 6), endOfList(o.Options), endOf(o.Count))
}

func (o *SampleDistinctOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.SampleDistinct, 15), endOfList(o.Options), endOf(o.Count), kwEnd(o.Of, 2), endOf(o.X))
}

func (o *ScanOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Scan, 4), endOfList(o.Options), kwEnd(o.Order, 5), kwEnd(o.OrderBy, 2),
		endOfList(o.OrderItems), kwEnd(o.Partition, 9), kwEnd(o.PartitionBy, 2), endOfList(o.PartitionExprs),
		kwEnd(o.Declare, 7), kwEnd(o.DeclLparen, 1), endOfList(o.Decls), kwEnd(o.DeclRparen, 1),
		kwEnd(o.With, 4), kwEnd(o.Lparen, 1), endOfList(o.Steps), kwEnd(o.Rparen, 1))
}

func (o *ScanStep) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Step, 4), endOf(o.Name), kwEnd(o.Optional, 8), endOf(o.Output),
		kwEnd(o.Colon, 1), endOf(o.Cond), kwEnd(o.Arrow, 2), endOfList(o.Assigns), kwEnd(o.Semi, 1))
}

func (o *SearchOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Search, 6), endOfList(o.Options), kwEnd(o.In, 2), kwEnd(o.Lparen, 1),
		endOfList(o.Tables), kwEnd(o.Rparen, 1), endOf(o.Pred))
}

func (o *SerializeOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Serialize, 9), endOfList(o.Options), endOfList(o.Exprs))
}

func (o *SortOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Sort, 4), endOfList(o.Options), kwEnd(o.By, 2), endOfList(o.Items))
}

func (o *SummarizeOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Summarize, 9), endOfList(o.Options), endOfList(o.Aggs), kwEnd(o.By, 2),
		endOfList(o.ByExprs), endOf(o.Bin))
}

func (o *TakeOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Take, 4), endOfList(o.Options), endOf(o.Count))
}

func (o *TopOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Top, 3), endOfList(o.Options), endOf(o.Count), kwEnd(o.By, 2), endOf(o.Item))
}

func (o *TopHittersOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.TopHitters, 11), endOf(o.Count), kwEnd(o.Of, 2), endOf(o.X), kwEnd(o.By, 2), endOf(o.ByExpr))
}

func (o *TopNestedOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return endOfList(o.Clauses)
}

func (o *TopNestedClause) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.TopNested, 10), endOf(o.Count), kwEnd(o.Of, 2), endOf(o.X), kwEnd(o.With, 4),
		kwEnd(o.Others, 6), kwEnd(o.Assign, 1), endOf(o.OthersValue), kwEnd(o.By, 2), endOf(o.Item))
}

func (o *UnionOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Union, 5), endOfList(o.Options), endOfList(o.Tables))
}

func (o *WhereOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.Where, 5), endOfList(o.Options), endOf(o.Pred))
}

func (o *AssertSchemaOp) End() token.Pos {
	if o == nil {
		return token.NoPos
	}
	return maxPos(kwEnd(o.AssertSchema, 13), endOf(o.Schema))
}

func (*AsOp) operatorNode()             {}
func (*ConsumeOp) operatorNode()        {}
func (*CountOp) operatorNode()          {}
func (*DistinctOp) operatorNode()       {}
func (*EvaluateOp) operatorNode()       {}
func (*ExtendOp) operatorNode()         {}
func (*FacetOp) operatorNode()          {}
func (*FindOp) operatorNode()           {}
func (*ForkOp) operatorNode()           {}
func (*GetSchemaOp) operatorNode()      {}
func (*InvokeOp) operatorNode()         {}
func (*JoinOp) operatorNode()           {}
func (*LookupOp) operatorNode()         {}
func (*MakeSeriesOp) operatorNode()     {}
func (*MvExpandOp) operatorNode()       {}
func (*MvApplyOp) operatorNode()        {}
func (*ParseOp) operatorNode()          {}
func (*ParseKvOp) operatorNode()        {}
func (*PartitionOp) operatorNode()      {}
func (*PrintOp) operatorNode()          {}
func (*ProjectOp) operatorNode()        {}
func (*ProjectAwayOp) operatorNode()    {}
func (*ProjectKeepOp) operatorNode()    {}
func (*ProjectRenameOp) operatorNode()  {}
func (*ProjectReorderOp) operatorNode() {}
func (*ProjectByNamesOp) operatorNode() {}
func (*RangeOp) operatorNode()          {}
func (*ReduceOp) operatorNode()         {}
func (*RenderOp) operatorNode()         {}
func (*SampleOp) operatorNode()         {}
func (*SampleDistinctOp) operatorNode() {}
func (*ScanOp) operatorNode()           {}
func (*SearchOp) operatorNode()         {}
func (*SerializeOp) operatorNode()      {}
func (*SortOp) operatorNode()           {}
func (*SummarizeOp) operatorNode()      {}
func (*TakeOp) operatorNode()           {}
func (*TopOp) operatorNode()            {}
func (*TopHittersOp) operatorNode()     {}
func (*TopNestedOp) operatorNode()      {}
func (*UnionOp) operatorNode()          {}
func (*WhereOp) operatorNode()          {}
func (*AssertSchemaOp) operatorNode()   {}
