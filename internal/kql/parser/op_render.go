package parser

import (
	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/token"
)

// renderColumnLists are the render properties whose value is a list of
// columns: with (ycolumns=a, b, title="x").
var renderColumnLists = map[string]bool{"ycolumns": true, "anomalycolumns": true, "series": true}

// renderExprProps are the properties whose value may be computed: a title
// from strcat(...).
var renderExprProps = map[string]bool{"title": true, "xtitle": true, "ytitle": true}

// render chart [kind=... title=... accumulate=... by cols] [with (props)].
func (p *parser) parseRender() ast.Operator {
	o := &ast.RenderOp{Render: p.tok.Pos}
	p.next()
	o.Chart = p.parseWord("a chart type after render")
	// Properties written without with (...), deprecated but common.
	for {
		switch {
		case (p.isWord("kind") || p.isWord("title") || p.isWord("accumulate")) && p.peek(1).Kind == token.ASSIGN:
			name := p.tok.Lit
			prop := &ast.Option{NamePos: p.tok.Pos, Name: name}
			p.next()
			prop.Assign = p.tok.Pos
			p.next()
			prop.Value = p.parseRenderValue(name)
			o.Props = append(o.Props, prop)
			continue
		case p.isWord("by"):
			prop := &ast.Option{NamePos: p.tok.Pos, Name: "by"}
			p.next()
			prop.Value = p.parseNameList(false)
			o.Props = append(o.Props, prop)
			continue
		}
		break
	}
	if p.isWord("with") {
		o.With = p.parseWithProps(p.parseRenderValue)
	}
	return o
}

// parseRenderValue parses the value of a render property.
func (p *parser) parseRenderValue(name string) ast.Expr {
	switch {
	case renderColumnLists[name]:
		return p.parseNameList(true)
	case renderExprProps[name]:
		return p.requireExpr(p.parsePostfix(), "for "+name)
	}
	return p.parseOptionValue(name)
}

// parseNameList parses col, col, ... as a property value. Inside with
// (...) the list ends where the next property (name =) starts.
func (p *parser) parseNameList(inWith bool) ast.Expr {
	l := &ast.NameList{}
	for {
		name := p.tryName(token.Reference)
		if name == nil {
			p.errorExpected("a column name")
			break
		}
		l.Names = append(l.Names, name)
		if p.tok.Kind != token.COMMA {
			break
		}
		if inWith {
			if _, n := p.scanOptionNameAt(1); n > 0 && p.peek(1+n).Kind == token.ASSIGN {
				break // the comma separates properties
			}
		}
		if !inWith && (p.peekWord(1, "kind") || p.peekWord(1, "title") || p.peekWord(1, "accumulate") || p.peekWord(1, "with") || p.peekWord(1, "by")) {
			break
		}
		p.next()
	}
	return l
}
