package sqlgen

import (
	"strings"

	"github.com/vigilsec/vigil/internal/kql/ast"
	"github.com/vigilsec/vigil/internal/kql/check"
)

// ExternalRequest is what an externaldata operator asks for.
type ExternalRequest struct {
	URIs    []string
	Columns []check.Column
	// Props are the with(...) properties, keys lower-cased: format,
	// ignorefirstrecord...
	Props map[string]string
}

// ExternalData fetches and types the rows of an externaldata operator:
// each row holds one value per column, of the Go type store values use
// (string, int32, int64, float64, bool, time.Time, time.Duration, JSON
// text for dynamic), or nil.
type ExternalData func(req ExternalRequest) ([][]any, error)

// externalData compiles externaldata into VALUES of bound parameters,
// once Options.ExternalData has fetched the rows; without it the
// operator is refused.
func (g *gen) externalData(x *ast.ExternalDataExpr) *rel {
	if g.opts.ExternalData == nil {
		g.failf(x.Pos(), "externaldata is disabled: an administrator must allow its URL prefixes")
	}
	cols := g.tableCols(x)
	req := ExternalRequest{Columns: cols, Props: map[string]string{}}
	for _, u := range x.URIs {
		lit, ok := u.(*ast.StringLit)
		if !ok {
			g.failf(u.Pos(), "externaldata expects literal URLs")
		}
		req.URIs = append(req.URIs, lit.Value)
	}
	if x.With != nil {
		for _, p := range x.With.Props {
			v := ""
			switch pv := p.Value.(type) {
			case *ast.StringLit:
				v = pv.Value
			case *ast.Ident:
				v = pv.Name
			case *ast.BasicLit:
				v = pv.Value
			}
			req.Props[strings.ToLower(p.Name)] = v
		}
	}
	rows, err := g.opts.ExternalData(req)
	if err != nil {
		g.failf(x.Pos(), "externaldata: %v", err)
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = quote(c.Name)
	}
	var vals []string
	for _, row := range rows {
		items := make([]string, len(cols))
		for j, c := range cols {
			var v any
			if j < len(row) {
				v = row[j]
			}
			if v == nil {
				items[j] = "CAST(NULL AS " + sqlType(c.Type) + ")"
				continue
			}
			items[j] = "CAST(" + g.bindValue(v, c.Type) + " AS " + sqlType(c.Type) + ")"
		}
		vals = append(vals, "("+strings.Join(items, ", ")+")")
	}
	var body string
	if len(vals) == 0 {
		sel := make([]string, len(cols))
		for i, c := range cols {
			sel[i] = "CAST(NULL AS " + sqlType(c.Type) + ") AS " + quote(c.Name)
		}
		body = "SELECT " + strings.Join(sel, ", ") + " WHERE false"
	} else {
		body = "SELECT * FROM (VALUES " + strings.Join(vals, ", ") + ") AS t(" + strings.Join(names, ", ") + ")"
	}
	return g.step("externaldata", x.Pos(), body, cols)
}
