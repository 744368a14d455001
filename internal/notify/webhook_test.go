package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var testSecret = []byte("0123456789abcdef-secret")

// loopbackServer serves h on 127.0.0.1 only (TESTING.md: no traffic
// leaves the machine).
func loopbackServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func TestWebhookSignedDelivery(t *testing.T) {
	var got Body
	srv := loopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := Verify(testSecret, r.Header.Get("X-Vigil-Timestamp"), r.Header.Get("X-Vigil-Signature"), body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("verify: %v", err)
		}
		if r.Header.Get("X-Vigil-Event") != IncidentCreated || r.Header.Get("X-Vigil-Delivery") != "d1" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("headers %v", r.Header)
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Errorf("body: %v", err)
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	wh, err := NewWebhook("soar", srv.URL+"/hook", testSecret, true, "Vigil/test")
	if err != nil {
		t.Fatal(err)
	}
	ev := Event{Type: IncidentCreated, Time: time.Date(2026, 11, 27, 1, 2, 3, 0, time.UTC), Subject: "42", Title: "Multi-stage incident", Severity: "High",
		Data: map[string]any{"incidentId": 42}}
	if err := wh.Deliver(context.Background(), Delivery{ID: "d1", Event: ev, Attempt: 1}); err != nil {
		t.Fatal(err)
	}
	if got.ID != "d1" || got.Subject != "42" || got.Title != "Multi-stage incident" || !got.Time.Equal(ev.Time) {
		t.Errorf("got %+v", got)
	}
}

func TestWebhookAnswers(t *testing.T) {
	tests := []struct {
		status     int
		header     string
		permanent  bool
		retryAfter time.Duration
		ok         bool
	}{
		{200, "", false, 0, true},
		{204, "", false, 0, true},
		{302, "", true, 0, false}, // redirects are not followed
		{400, "", true, 0, false},
		{401, "", true, 0, false},
		{404, "", true, 0, false},
		{408, "", false, 0, false},
		{429, "7", false, 7 * time.Second, false},
		{503, "", false, 0, false},
		{500, "", false, 0, false},
	}
	for _, tc := range tests {
		var hits atomic.Int32
		srv := loopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			if tc.header != "" {
				w.Header().Set("Retry-After", tc.header)
			}
			if tc.status == 302 {
				w.Header().Set("Location", "http://127.0.0.1:1/elsewhere")
			}
			w.WriteHeader(tc.status)
		}))
		wh, _ := NewWebhook("w", srv.URL, testSecret, true, "Vigil/test")
		err := wh.Deliver(context.Background(), Delivery{ID: "x", Event: Event{Type: IncidentUpdated}})
		if (err == nil) != tc.ok || permanent(err) != tc.permanent {
			t.Errorf("%d: err %v, permanent %v", tc.status, err, permanent(err))
		}
		if ra, ok := retryAfter(err); ok != (tc.retryAfter > 0) || ra != tc.retryAfter {
			t.Errorf("%d: retry after %v %v", tc.status, ra, ok)
		}
		if hits.Load() != 1 {
			t.Errorf("%d: %d requests", tc.status, hits.Load())
		}
	}
}

func TestWebhookUnreachableIsRetried(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	wh, _ := NewWebhook("w", "http://"+addr+"/", testSecret, true, "Vigil/test")
	err := wh.Deliver(context.Background(), Delivery{ID: "x", Event: Event{Type: IncidentUpdated}})
	if err == nil || permanent(err) {
		t.Errorf("err %v", err)
	}
}

func TestNewWebhookRefuses(t *testing.T) {
	tests := []struct {
		url, secret string
		allowHTTP   bool
		want        string
	}{
		{"http://127.0.0.1/x", "0123456789abcdef", false, "must be https"},
		{"ftp://example.org/", "0123456789abcdef", true, "not http(s)"},
		{"https://user:pw@example.org/", "0123456789abcdef", false, "no user info"},
		{"https:///path", "0123456789abcdef", false, "needs a host"},
		{"https://example.org/", "short", false, "at least 16 bytes"},
		{"://", "0123456789abcdef", false, "url"},
	}
	for _, tc := range tests {
		_, err := NewWebhook("w", tc.url, []byte(tc.secret), tc.allowHTTP, "")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.url, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), tc.secret) && len(tc.secret) > 5 {
			t.Errorf("error leaks the secret: %v", err)
		}
	}
}

func TestVerify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	ts := "1800000000"
	body := []byte(`{"id":"1"}`)
	sig := Sign(testSecret, ts, body)
	tests := []struct {
		name    string
		ts, sig string
		body    []byte
		now     time.Time
		want    error
	}{
		{"good", ts, sig, body, now, nil},
		{"tampered body", ts, sig, []byte(`{"id":"2"}`), now, ErrBadSignature},
		{"other secret", ts, Sign([]byte("another-secret-0123"), ts, body), body, now, ErrBadSignature},
		{"replayed late", ts, sig, body, now.Add(10 * time.Minute), ErrStale},
		{"from the future", ts, sig, body, now.Add(-10 * time.Minute), ErrStale},
		{"no timestamp", "", sig, body, now, ErrStale},
	}
	for _, tc := range tests {
		if err := Verify(testSecret, tc.ts, tc.sig, tc.body, tc.now, 5*time.Minute); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"120", 2 * time.Minute, true},
		{"Fri, 27 Nov 2026 00:01:00 GMT", time.Minute, true},
		{"Thu, 26 Nov 2026 00:01:00 GMT", 0, true},
		{"-5", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	}
	for _, tc := range tests {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%q: %v %v", tc.in, got, ok)
		}
	}
}
