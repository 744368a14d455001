package api

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/notify"
	"github.com/vigilsec/vigil/internal/state"
)

func TestNotificationsAPI(t *testing.T) {
	got := make(chan string, 4)
	secret := []byte("0123456789abcdef0123")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	recv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if notify.Verify(secret, r.Header.Get("X-Vigil-Timestamp"), r.Header.Get("X-Vigil-Signature"), body, time.Now(), time.Minute) != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		got <- r.Header.Get("X-Vigil-Event")
	}))
	recv.Listener = ln
	recv.Start()
	defer recv.Close()
	wh, err := notify.NewWebhook("soar", recv.URL, secret, true, "Vigil/test")
	if err != nil {
		t.Fatal(err)
	}
	f := newHuntFixture(t)
	d := notify.NewDispatcher([]notify.Subscription{{Target: wh, Events: []string{notify.IncidentCreated}}})
	defer d.Close(context.Background())
	f.srv.opts.Notifier = d

	for role, want := range map[string]int{"": 401, "reader": 403, "analyst": 403, "admin": 200} {
		if rec := f.do(t, "GET", "/api/v1/notifications", role, ""); rec.Code != want {
			t.Errorf("%q: %d, want %d", role, rec.Code, want)
		}
	}
	if rec := f.do(t, "POST", "/api/v1/notifications/nope/test", "admin", ""); rec.Code != 404 {
		t.Errorf("unknown target: %d", rec.Code)
	}
	if rec := f.do(t, "POST", "/api/v1/notifications/soar/test", "admin", ""); rec.Code != 202 {
		t.Fatalf("test: %d %s", rec.Code, rec.Body)
	}
	select {
	case ev := <-got:
		if ev != notify.TestEvent {
			t.Errorf("event %q", ev)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery")
	}
	var list struct{ Items []notify.Status }
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		rec := f.do(t, "GET", "/api/v1/notifications", "admin", "")
		_ = json.Unmarshal(rec.Body.Bytes(), &list)
		if len(list.Items) == 1 && list.Items[0].Delivered == 1 {
			break
		}
	}
	if len(list.Items) != 1 || list.Items[0].Name != "soar" || list.Items[0].Delivered != 1 || list.Items[0].Kind != "webhook" {
		t.Errorf("status %+v", list.Items)
	}
	entries, err := f.st.ListAudit(context.Background(), state.AuditFilter{Action: "notification.test"})
	if err != nil || len(entries) != 1 || entries[0].Target != "notification:soar" {
		t.Errorf("audit %+v %v", entries, err)
	}
}
