package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/notify"
)

// TestServeNotifiesIncidents runs a server configured with a webhook and
// a syslog/CEF receiver on loopback, raises an alert, and sees the new
// incident arrive at both: signed JSON at the webhook, a CEF line over
// UDP.
func TestServeNotifiesIncidents(t *testing.T) {
	dir := t.TempDir()
	secret := "webhook-secret-0123456789"
	hooks := make(chan notify.Body, 16)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	recv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := notify.Verify([]byte(secret), r.Header.Get("X-Vigil-Timestamp"), r.Header.Get("X-Vigil-Signature"), body, time.Now(), time.Minute); err != nil {
			t.Errorf("webhook signature: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var b notify.Body
		if err := json.Unmarshal(body, &b); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		hooks <- b
	}))
	recv.Listener = ln
	recv.Start()
	defer recv.Close()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()

	secretFile := filepath.Join(dir, "hook-secret")
	if err := os.WriteFile(secretFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`notifications:
  webhooks:
    - name: soar
      url: %s/hook
      allow_http: true
      secret_file: %s
  syslog:
    - name: siem
      address: %s
      protocol: udp
      events: [incident.created]
`, recv.URL, secretFile, pc.LocalAddr())
	cfgFile := filepath.Join(t.TempDir(), "vigil.yaml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(filepath.Join(data, "indicators"), 0o700); err != nil {
		t.Fatal(err)
	}
	csv := "IndicatorType,IndicatorValue,Action,Severity,Title,GenerateAlert\nIpAddress,203.0.113.50,Audit,High,C2 from the feed,true\n"
	if err := os.WriteFile(filepath.Join(data, "indicators", "feed.csv"), []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	in := startServe(t, data, "--config", cfgFile)
	ingestTok := createToken(t, data, "ingest")
	admin := createToken(t, data, "admin")
	row := []byte(`{"Timestamp":"2024-05-01T10:00:00Z","ReportId":1,"DeviceId":"d1","DeviceName":"ws1","RemoteIP":"203.0.113.50"}`)
	if r := in.rawPost("POST", "/api/v1/ingest/DeviceNetworkEvents", "Bearer "+ingestTok, row); r.status != 200 {
		t.Fatalf("ingest: %d %s", r.status, r.body)
	}
	select {
	case b := <-hooks:
		data, _ := b.Data.(map[string]any)
		if b.Type != notify.IncidentCreated || b.Subject == "" || b.Severity != "High" || data["alertCount"] != float64(1) {
			t.Errorf("webhook got %+v", b)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no webhook delivery")
	}
	buf := make([]byte, 64<<10)
	_ = pc.SetReadDeadline(time.Now().Add(30 * time.Second))
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatalf("no syslog message: %v", err)
	}
	msg := string(buf[:n])
	if !strings.Contains(msg, "CEF:0|Vigil|Vigil XDR|") || !strings.Contains(msg, "|incident.created|") || !strings.Contains(msg, "cn1=1 cn1Label=alertCount") {
		t.Errorf("syslog message %q", msg)
	}
	// The receiver has the webhook before the sender has its answer: the
	// status counts it a moment later.
	var st struct{ Items []notify.Status }
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		st.Items = nil
		json.Unmarshal(in.expect("GET", "/api/v1/notifications", admin, nil, 200).body, &st)
		ok := len(st.Items) == 2 && st.Items[0].Delivered >= 1 && st.Items[1].Delivered == 1
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("notification status %+v", st.Items)
		}
	}
}
