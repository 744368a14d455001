package printer

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
)

// precOf returns the precedence level of x, for deciding parentheses.
// Pipelines, functions and named expressions rank below every operator:
// in a scalar position they always need parentheses.
func precOf(x ast.Expr) int {
	switch x := x.(type) {
	case *ast.BinaryExpr:
		return x.Op.Precedence()
	case *ast.InExpr, *ast.BetweenExpr:
		return ast.PrecEquality
	case *ast.UnaryExpr:
		return ast.PrecUnary
	case *ast.PipeExpr, *ast.FuncLit, *ast.NamedExpr:
		return 0
	}
	return ast.PrecPrimary
}

// expr prints x, in parentheses if its precedence is below min.
func (p *printer) expr(x ast.Expr, min int) {
	if x == nil {
		return
	}
	if precOf(x) < min {
		p.print("(")
		p.pipeOrExpr(x)
		p.print(")")
		return
	}
	switch x := x.(type) {
	case *ast.Ident:
		p.ident(x)
	case *ast.Wildcard:
		if x.Qualifier != nil {
			p.expr(x.Qualifier, ast.PrecPrimary)
			p.print(".")
		}
		p.print(x.Pattern)
	case *ast.Star:
		p.print("*")
	case *ast.BasicLit:
		p.print(x.Value)
	case *ast.StringLit:
		p.stringLit(x)
	case *ast.TypedLit:
		p.print(x.Type, "(", x.Body, ")")
	case *ast.DynamicLit:
		p.print("dynamic(")
		p.jsonValue(x.Value)
		p.print(")")
	case *ast.JSONArray:
		p.print("[")
		for i, e := range x.Elems {
			if i > 0 {
				p.print(", ")
			}
			p.jsonValue(e)
		}
		p.print("]")
	case *ast.JSONObject:
		p.print("{")
		for i, pair := range x.Pairs {
			if i > 0 {
				p.print(", ")
			}
			p.jsonPair(pair)
		}
		p.print("}")
	case *ast.TypeOfExpr:
		p.print("typeof")
		p.schema(x.Schema)
	case *ast.ColumnDecl:
		p.columnDecl(x)
	case *ast.ParenExpr:
		p.print("(")
		p.pipeOrExpr(x.X)
		p.print(")")
	case *ast.SelectorExpr:
		p.expr(x.X, ast.PrecPrimary)
		p.print(".")
		p.ident(x.Sel)
	case *ast.IndexExpr:
		p.expr(x.X, ast.PrecPrimary)
		if x.Dot.IsValid() {
			p.print(".")
		}
		p.print("[")
		p.expr(x.Index, ast.PrecOr)
		p.print("]")
	case *ast.CallExpr:
		p.call(x)
	case *ast.UnaryExpr:
		p.print(x.Op.String())
		p.expr(x.X, ast.PrecPrimary)
	case *ast.BinaryExpr:
		p.binary(x)
	case *ast.InExpr:
		p.expr(x.X, ast.PrecRelational)
		p.print(" ", x.Op.String(), " (")
		p.exprList(x.List)
		p.print(")")
	case *ast.BetweenExpr:
		p.expr(x.X, ast.PrecRelational)
		if x.Not {
			p.print(" !between (")
		} else {
			p.print(" between (")
		}
		p.expr(x.Low, ast.PrecOr)
		p.print(" .. ")
		p.expr(x.High, ast.PrecOr)
		p.print(")")
	case *ast.NamedExpr:
		p.named(x)
	case *ast.PipeExpr:
		p.pipe(x, " | ")
	case *ast.FuncLit:
		p.funcLit(x)
	case *ast.NameList:
		p.nameList(x)
	case *ast.DataTableExpr:
		p.dataTable(x)
	case *ast.ExternalDataExpr:
		p.externalData(x)
	}
}

func (p *printer) binary(x *ast.BinaryExpr) {
	prec := x.Op.Precedence()
	left := prec
	if !x.Op.Chains() {
		left = prec + 1
	}
	p.expr(x.X, left)
	p.print(" ", x.Op.String(), " ")
	p.expr(x.Y, prec+1)
}

func (p *printer) call(c *ast.CallExpr) {
	p.expr(c.Fun, ast.PrecPrimary)
	p.options(c.Options)
	if len(c.Options) > 0 {
		p.print(" ")
	}
	p.print("(")
	p.exprList(c.Args)
	p.print(")")
}

func (p *printer) named(x *ast.NamedExpr) {
	if x.Lparen.IsValid() || len(x.Names) != 1 {
		p.print("(")
		for i, id := range x.Names {
			if i > 0 {
				p.print(", ")
			}
			p.ident(id)
		}
		p.print(")")
	} else {
		p.ident(x.Names[0])
	}
	p.print(" = ")
	p.expr(x.X, ast.PrecOr)
}

func (p *printer) dataTable(d *ast.DataTableExpr) {
	p.print("datatable")
	p.options(d.Options)
	p.schema(d.Schema)
	p.print(" [")
	for i, v := range d.Values {
		if i > 0 {
			p.print(", ")
		}
		p.expr(v, ast.PrecOr)
	}
	p.print("]")
}

func (p *printer) externalData(e *ast.ExternalDataExpr) {
	if e.Name == "" {
		p.print("externaldata")
	} else {
		p.print(e.Name)
	}
	p.options(e.Options)
	p.schema(e.Schema)
	p.print(" [")
	for i, v := range e.URIs {
		if i > 0 {
			p.print(", ")
		}
		p.expr(v, ast.PrecOr)
	}
	p.print("]")
	p.withProps(e.With)
}

// jsonValue prints a value inside dynamic(...). There a sign touching a
// number reads back as a signed literal, so a unary minus keeps a space.
func (p *printer) jsonValue(x ast.Expr) {
	if u, ok := x.(*ast.UnaryExpr); ok {
		p.print(u.Op.String(), " ")
		p.expr(u.X, ast.PrecPrimary)
		return
	}
	p.expr(x, ast.PrecOr)
}
