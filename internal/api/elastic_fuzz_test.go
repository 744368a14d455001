package api

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vigilsec/vigil/internal/auth"
)

// FuzzBulk feeds arbitrary bodies to POST /_bulk, the framing shippers
// depend on: the answer is always Elasticsearch-shaped JSON with a known
// status, a 200 lists one item per action line, and never a panic.
func FuzzBulk(f *testing.F) {
	seeds := []string{
		"{\"create\":{\"_index\":\"logs-winlog-default\"}}\n{\"@timestamp\":\"2024-01-01T00:00:00Z\",\"message\":\"x\"}\n",
		"{\"index\":{}}\n{\"a\":1}\n{\"delete\":{\"_id\":\"1\"}}\n",
		"{\"update\":{\"_id\":\"1\"}}\n{\"doc\":{\"a\":1}}\n",
		"{\"update\":{\"_id\":\"1\"}}\n{\"script\":\"x\"}\n",
		"{\"index\":{}}\n{\"a\":1}",
		"{\"index\":{},\"create\":{}}\n{}\n",
		"{\"drop\":{}}\n{}\n",
		"not json\n",
		"\n\n\n",
		"{\"index\":{\"_index\":5}}\n[1,2]\n",
		"{\"create\":{}}\n\x00\xff\xfe\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s), false)
	}
	f.Add([]byte(seeds[0]), true)
	fx := newHuntFixture(f)
	f.Fuzz(func(t *testing.T, body []byte, gz bool) {
		if len(body) > 1<<16 {
			return
		}
		payload := body
		if gz {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			zw.Write(body)
			zw.Close()
			payload = b.Bytes()
		}
		req := httptest.NewRequest("POST", "/_bulk", bytes.NewReader(payload))
		req.Header.Set("Authorization", "Bearer "+fx.tokens[auth.RoleIngest])
		req.Header.Set("Content-Type", "application/x-ndjson")
		if gz {
			req.Header.Set("Content-Encoding", "gzip")
		}
		rec := httptest.NewRecorder()
		fx.h.ServeHTTP(rec, req)
		var resp struct {
			Errors bool
			Items  []map[string]json.RawMessage
			Error  *struct{ Type, Reason string }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("status %d, body not JSON: %q", rec.Code, rec.Body)
		}
		switch rec.Code {
		case http.StatusOK:
			if resp.Error != nil {
				t.Fatalf("200 with an error: %s", rec.Body)
			}
			for _, it := range resp.Items {
				if len(it) != 1 {
					t.Fatalf("item with %d actions: %s", len(it), rec.Body)
				}
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
			if resp.Error == nil || resp.Error.Type == "" {
				t.Fatalf("%d without an Elasticsearch error: %s", rec.Code, rec.Body)
			}
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	})
}
