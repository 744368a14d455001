package ast

import (
	"fmt"
	"reflect"
)

// A Visitor's Visit method is called for each node met by Walk. If the
// result w is not nil, Walk visits the children of node with w, then calls
// w.Visit(nil).
type Visitor interface {
	Visit(node Node) (w Visitor)
}

// Walk traverses the tree rooted at node depth-first, children in source
// order. It is the one traversal primitive of the tree; Inspect is a
// convenience over it. Nil nodes are skipped.
func Walk(v Visitor, node Node) {
	if isNilNode(node) {
		return
	}
	if v = v.Visit(node); v == nil {
		return
	}
	switch n := node.(type) {
	case *Query:
		walkList(v, n.Stmts)

	// Statements
	case *LetStmt:
		Walk(v, n.Name)
		Walk(v, n.Value)
	case *SetStmt:
		Walk(v, n.Name)
		Walk(v, n.Value)
	case *QueryParamsStmt:
		walkList(v, n.Params)
	case *AliasStmt:
		Walk(v, n.Name)
		Walk(v, n.Value)
	case *RestrictStmt:
		walkList(v, n.Tables)
	case *ExprStmt:
		Walk(v, n.X)
	case *PatternStmt:
		Walk(v, n.Name)
		walkList(v, n.Params)
		Walk(v, n.PathParam)
		walkList(v, n.Matches)
	case *PatternMatch:
		walkList(v, n.Args)
		Walk(v, n.PathValue)
		walkList(v, n.Body)

	// Expressions
	case *Ident, *Star, *BasicLit, *StringLit, *TypedLit, *ScalarType:
		// leaves
	case *Wildcard:
		Walk(v, n.Qualifier)
	case *ParenExpr:
		Walk(v, n.X)
	case *SelectorExpr:
		Walk(v, n.X)
		Walk(v, n.Sel)
	case *IndexExpr:
		Walk(v, n.X)
		Walk(v, n.Index)
	case *CallExpr:
		Walk(v, n.Fun)
		walkList(v, n.Options)
		walkList(v, n.Args)
	case *UnaryExpr:
		Walk(v, n.X)
	case *BinaryExpr:
		Walk(v, n.X)
		Walk(v, n.Y)
	case *InExpr:
		Walk(v, n.X)
		walkList(v, n.List)
	case *BetweenExpr:
		Walk(v, n.X)
		Walk(v, n.Low)
		Walk(v, n.High)
	case *NamedExpr:
		walkList(v, n.Names)
		Walk(v, n.X)
	case *PipeExpr:
		Walk(v, n.Source)
		walkList(v, n.Ops)
	case *FuncLit:
		walkList(v, n.Params)
		walkList(v, n.Body)
	case *Param:
		Walk(v, n.Name)
		Walk(v, n.Type)
		Walk(v, n.Default)
	case *DynamicLit:
		Walk(v, n.Value)
	case *JSONArray:
		walkList(v, n.Elems)
	case *JSONObject:
		walkList(v, n.Pairs)
	case *JSONPair:
		Walk(v, n.Key)
		Walk(v, n.Value)
	case *SchemaType:
		walkList(v, n.Columns)
	case *ColumnDecl:
		Walk(v, n.Name)
		Walk(v, n.Type)
	case *TypeOfExpr:
		Walk(v, n.Schema)
	case *Option:
		Walk(v, n.Value)
	case *NameList:
		walkList(v, n.Names)
	case *WithProps:
		walkList(v, n.Props)
	case *OrderedExpr:
		Walk(v, n.X)
	case *DataTableExpr:
		walkList(v, n.Options)
		Walk(v, n.Schema)
		walkList(v, n.Values)
	case *ExternalDataExpr:
		walkList(v, n.Options)
		Walk(v, n.Schema)
		walkList(v, n.URIs)
		Walk(v, n.With)

	// Operators
	case *AsOp:
		walkList(v, n.Options)
		Walk(v, n.Name)
	case *ConsumeOp:
		walkList(v, n.Options)
	case *CountOp:
		Walk(v, n.Name)
	case *DistinctOp:
		walkList(v, n.Options)
		walkList(v, n.Exprs)
	case *EvaluateOp:
		walkList(v, n.Options)
		Walk(v, n.Plugin)
		Walk(v, n.Schema)
	case *ExtendOp:
		walkList(v, n.Exprs)
	case *FacetOp:
		walkList(v, n.Cols)
		Walk(v, n.Query)
	case *FindOp:
		walkList(v, n.Options)
		walkList(v, n.Tables)
		Walk(v, n.Pred)
		walkList(v, n.Columns)
	case *ForkOp:
		walkList(v, n.Branches)
	case *ForkBranch:
		Walk(v, n.Name)
		Walk(v, n.Query)
	case *GetSchemaOp:
		walkList(v, n.Options)
	case *InvokeOp:
		Walk(v, n.Call)
	case *JoinOp:
		walkList(v, n.Options)
		Walk(v, n.Right)
		walkList(v, n.OnExprs)
		Walk(v, n.WhereExpr)
	case *LookupOp:
		walkList(v, n.Options)
		Walk(v, n.Right)
		walkList(v, n.OnExprs)
	case *MakeSeriesOp:
		walkList(v, n.Options)
		walkList(v, n.Aggs)
		Walk(v, n.OnExpr)
		Walk(v, n.FromExpr)
		Walk(v, n.ToExpr)
		Walk(v, n.StepExpr)
		walkList(v, n.RangeArgs)
		walkList(v, n.ByExprs)
	case *MakeSeriesAgg:
		Walk(v, n.X)
		Walk(v, n.DefaultValue)
	case *MvExpandOp:
		walkList(v, n.Options)
		walkList(v, n.Items)
		Walk(v, n.LimitExpr)
	case *MvApplyOp:
		walkList(v, n.Options)
		walkList(v, n.Items)
		Walk(v, n.LimitExpr)
		Walk(v, n.IDExpr)
		Walk(v, n.Subquery)
	case *MvItem:
		Walk(v, n.X)
		Walk(v, n.Type)
	case *ParseOp:
		walkList(v, n.Options)
		Walk(v, n.X)
		walkList(v, n.Pattern)
	case *ParseKvOp:
		Walk(v, n.X)
		Walk(v, n.Schema)
		Walk(v, n.With)
	case *PartitionOp:
		walkList(v, n.Options)
		Walk(v, n.Key)
		Walk(v, n.Scope)
		Walk(v, n.Query)
	case *PrintOp:
		walkList(v, n.Exprs)
	case *ProjectOp:
		walkList(v, n.Exprs)
	case *ProjectAwayOp:
		walkList(v, n.Cols)
	case *ProjectKeepOp:
		walkList(v, n.Cols)
	case *ProjectRenameOp:
		walkList(v, n.Exprs)
	case *ProjectReorderOp:
		walkList(v, n.Items)
	case *ProjectByNamesOp:
		walkList(v, n.Exprs)
	case *RangeOp:
		Walk(v, n.Name)
		Walk(v, n.FromExpr)
		Walk(v, n.ToExpr)
		Walk(v, n.StepExpr)
	case *ReduceOp:
		walkList(v, n.Options)
		Walk(v, n.X)
		walkList(v, n.WithOptions)
	case *RenderOp:
		Walk(v, n.Chart)
		walkList(v, n.Props)
		Walk(v, n.With)
	case *SampleOp:
		walkList(v, n.Options)
		Walk(v, n.Count)
	case *SampleDistinctOp:
		walkList(v, n.Options)
		Walk(v, n.Count)
		Walk(v, n.X)
	case *ScanOp:
		walkList(v, n.Options)
		walkList(v, n.OrderItems)
		walkList(v, n.PartitionExprs)
		walkList(v, n.Decls)
		walkList(v, n.Steps)
	case *ScanStep:
		Walk(v, n.Name)
		Walk(v, n.Output)
		Walk(v, n.Cond)
		walkList(v, n.Assigns)
	case *SearchOp:
		walkList(v, n.Options)
		walkList(v, n.Tables)
		Walk(v, n.Pred)
	case *SerializeOp:
		walkList(v, n.Options)
		walkList(v, n.Exprs)
	case *SortOp:
		walkList(v, n.Options)
		walkList(v, n.Items)
	case *SummarizeOp:
		walkList(v, n.Options)
		walkList(v, n.Aggs)
		walkList(v, n.ByExprs)
		Walk(v, n.Bin)
	case *TakeOp:
		walkList(v, n.Options)
		Walk(v, n.Count)
	case *TopOp:
		walkList(v, n.Options)
		Walk(v, n.Count)
		Walk(v, n.Item)
	case *TopHittersOp:
		Walk(v, n.Count)
		Walk(v, n.X)
		Walk(v, n.ByExpr)
	case *TopNestedOp:
		walkList(v, n.Clauses)
	case *TopNestedClause:
		Walk(v, n.Count)
		Walk(v, n.X)
		Walk(v, n.OthersValue)
		Walk(v, n.Item)
	case *UnionOp:
		walkList(v, n.Options)
		walkList(v, n.Tables)
	case *WhereOp:
		walkList(v, n.Options)
		Walk(v, n.Pred)
	case *AssertSchemaOp:
		Walk(v, n.Schema)

	// Graph operators
	case *MakeGraphOp:
		walkList(v, n.Options)
		Walk(v, n.Source)
		Walk(v, n.Target)
		walkList(v, n.Tables)
		Walk(v, n.NodeID)
		Walk(v, n.PartitionKey)
		Walk(v, n.Partition)
	case *GraphNodeTable:
		Walk(v, n.Table)
		Walk(v, n.Key)
	case *GraphMatchOp:
		walkList(v, n.Options)
		walkList(v, n.Patterns)
		Walk(v, n.Pred)
		walkList(v, n.Exprs)
	case *GraphShortestPathsOp:
		walkList(v, n.Options)
		walkList(v, n.Patterns)
		Walk(v, n.Pred)
		walkList(v, n.Exprs)
	case *GraphPattern:
		// Interleave nodes and edges in source order.
		for i, nd := range n.Nodes {
			Walk(v, nd)
			if i < len(n.Edges) {
				Walk(v, n.Edges[i])
			}
		}
		for i := len(n.Nodes); i < len(n.Edges); i++ {
			Walk(v, n.Edges[i])
		}
	case *GraphNode:
		Walk(v, n.Name)
	case *GraphEdge:
		Walk(v, n.Name)
		Walk(v, n.Min)
		Walk(v, n.Max)
	case *GraphToTableOp:
		walkList(v, n.Parts)
	case *GraphToTablePart:
		Walk(v, n.Name)
		walkList(v, n.Options)
	case *GraphMarkComponentsOp:
		walkList(v, n.Options)

	default:
		panic(fmt.Sprintf("ast.Walk: unexpected node type %T", n))
	}
	v.Visit(nil)
}

func walkList[T Node](v Visitor, list []T) {
	for _, n := range list {
		Walk(v, n)
	}
}

// isNilNode reports whether n is nil or a typed nil pointer, which a
// partial tree may hold.
func isNilNode(n Node) bool {
	if n == nil {
		return true
	}
	rv := reflect.ValueOf(n)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

type inspector func(Node) bool

func (f inspector) Visit(node Node) Visitor {
	if f(node) {
		return f
	}
	return nil
}

// Inspect calls f for each node of the tree in depth-first order. If f
// returns true for a node, Inspect visits its non-nil children, then calls
// f(nil), as go/ast.Inspect does.
func Inspect(node Node, f func(Node) bool) {
	Walk(inspector(f), node)
}
