package api

import (
	_ "embed"
	"net/http"

	"github.com/vigilsec/vigil/internal/schema"
)

type columnView struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
}

type tableView struct {
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Origin      string       `json:"origin"`
	Columns     []columnView `json:"columns,omitempty"`
}

func viewTable(t *schema.Table, withColumns bool) tableView {
	v := tableView{Name: t.Name, Description: t.Description, Origin: t.Origin}
	if withColumns {
		for _, c := range t.Columns {
			v.Columns = append(v.Columns, columnView{c.Name, c.Type.String(), c.Description})
		}
	}
	return v
}

// listSchema lists the hunting schema's tables (?columns=true adds columns).
func (s *Server) listSchema(w http.ResponseWriter, r *http.Request) {
	withCols := r.URL.Query().Get("columns") == "true"
	out := []tableView{}
	for _, t := range schema.Tables() {
		out = append(out, viewTable(t, withCols))
	}
	writeJSON(w, http.StatusOK, map[string]any{"tables": out})
}

func (s *Server) getTable(w http.ResponseWriter, r *http.Request) {
	t, ok := schema.Lookup(r.PathValue("table"))
	if !ok {
		s.writeError(w, r, &Error{http.StatusNotFound, CodeNotFound, "no table " + r.PathValue("table") + " in the hunting schema"})
		return
	}
	writeJSON(w, http.StatusOK, viewTable(t, true))
}

//go:embed openapi.yaml
var openAPI []byte

// openapi serves the API's OpenAPI document.
func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	_, _ = w.Write(openAPI)
}
