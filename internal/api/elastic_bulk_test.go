package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/auth"
)

// A bulk request larger than one pipeline chunk answers one item per
// action, in order, with each bad document's error on its own item.
func TestBulkItemsAcrossChunks(t *testing.T) {
	fx := newHuntFixture(t)
	const docs = 2*bulkChunk + 500
	bad := func(i int) bool { return i%997 == 13 }
	var body bytes.Buffer
	for i := range docs {
		body.WriteString(`{"create":{"_index":"logs-app-default"}}` + "\n")
		if bad(i) {
			body.WriteString("{\"message\": truncated\n")
		} else {
			fmt.Fprintf(&body, `{"@timestamp":"2024-01-01T00:00:00Z","message":"event %d"}`+"\n", i)
		}
	}
	req := httptest.NewRequest("POST", "/_bulk", &body)
	req.Header.Set("Authorization", "Bearer "+fx.tokens[auth.RoleIngest])
	req.Header.Set("Content-Type", "application/x-ndjson")
	rec := httptest.NewRecorder()
	fx.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %.300s", rec.Code, rec.Body)
	}
	var resp struct {
		Errors bool
		Items  []map[string]struct {
			Status int
			Error  *struct{ Type, Reason string }
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.Items) != docs || !resp.Errors {
		t.Fatalf("%d items (errors %v), want %d with errors", len(resp.Items), resp.Errors, docs)
	}
	for i, it := range resp.Items {
		r := it["create"]
		switch {
		case bad(i) && (r.Status != http.StatusBadRequest || r.Error == nil || !strings.Contains(r.Error.Reason, fmt.Sprintf("[line %d]", 2*i+2))):
			t.Errorf("item %d: %+v, want a 400 naming line %d", i, r, 2*i+2)
		case !bad(i) && r.Status != http.StatusCreated:
			t.Errorf("item %d: %+v, want 201", i, r)
		}
	}
}
