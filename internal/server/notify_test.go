package server

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsec/vigil/internal/config"
	"github.com/vigilsec/vigil/internal/state/sqlite"
)

func TestStartNotifications(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const secret = "s3cret-value-0123456789"
	good := filepath.Join(dir, "secret")
	short := filepath.Join(dir, "short")
	os.WriteFile(good, []byte(secret+"\n"), 0o600)
	os.WriteFile(short, []byte("tiny"), 0o600)
	t.Setenv("VIGIL_TEST_HOOK_SECRET", secret)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		cfg  config.Notifications
		want string // "" is success
	}{
		{config.Notifications{Webhooks: []config.Webhook{{Name: "a", URL: "https://soar.example.org/h", SecretFile: good}},
			Syslog: []config.SyslogExport{{Name: "b", Address: "127.0.0.1:6514", Protocol: "tls"}}}, ""},
		{config.Notifications{Webhooks: []config.Webhook{{Name: "a", URL: "https://soar.example.org/h", SecretEnv: "VIGIL_TEST_HOOK_SECRET"}}}, ""},
		{config.Notifications{Webhooks: []config.Webhook{{Name: "a", URL: "https://soar.example.org/h", SecretFile: short}}}, "at least 16 bytes"},
		{config.Notifications{Webhooks: []config.Webhook{{Name: "a", URL: "https://soar.example.org/h", SecretFile: filepath.Join(dir, "missing")}}}, "secret_file"},
		{config.Notifications{Webhooks: []config.Webhook{{Name: "a", URL: "https://soar.example.org/h", SecretEnv: "VIGIL_TEST_UNSET_VARIABLE"}}}, "is not set"},
		{config.Notifications{Syslog: []config.SyslogExport{{Name: "b", Address: "127.0.0.1:6514", Protocol: "tls", CAFile: good}}}, "no PEM certificate"},
	}
	for i, tc := range tests {
		d, err := startNotifications(tc.cfg, st, log)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%d: %v", i, err)
			} else if n := len(d.Status()); n != len(tc.cfg.Webhooks)+len(tc.cfg.Syslog) {
				t.Errorf("%d: %d targets", i, n)
			}
		} else if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%d: err %v, want %q", i, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%d: error leaks the secret", i)
		}
		d.Close(context.Background())
	}
}
