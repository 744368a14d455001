package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/state/sqlite"
)

// TestOpenAPIMatchesRoutes checks that every operation the OpenAPI
// document describes is served (no "no such route"), so the document
// cannot drift from the router silently.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := New(Options{}, slog.New(slog.NewTextHandler(io.Discard, nil)), auth.NewService(st, auth.Options{}), st, nil, NewMetrics(), nil, nil)
	h := s.Handler()
	n := 0
	for path, ops := range doc.Paths {
		concrete := strings.NewReplacer("{id}", "tok123", "{table}", "DeviceEvents").Replace(path)
		for method := range ops {
			req := httptest.NewRequest(strings.ToUpper(method), concrete, strings.NewReader("{}"))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code == http.StatusNotFound && strings.Contains(rec.Body.String(), "no such route") {
				t.Errorf("%s %s is documented but not served", strings.ToUpper(method), path)
			}
			n++
		}
	}
	if n < 19 {
		t.Errorf("only %d operations documented", n)
	}
}
