package config

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	f := func(in string, want time.Duration, ok bool) {
		t.Helper()
		got, err := ParseDuration(in)
		if (err == nil) != ok || (ok && got != want) {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v ok=%v", in, got, err, want, ok)
		}
	}
	f("30d", 30*24*time.Hour, true)
	f("1.5d", 36*time.Hour, true)
	f("90m", 90*time.Minute, true)
	f(" 1h30m ", 90*time.Minute, true)
	f("d", 0, false)
	f("-1d", 0, false)
	f("1e9d", 0, false)
	f("ten days", 0, false)
	f("", 0, false)
}

func TestParseSize(t *testing.T) {
	f := func(in string, want int64, ok bool) {
		t.Helper()
		got, err := ParseSize(in)
		if (err == nil) != ok || (ok && got != want) {
			t.Errorf("ParseSize(%q) = %v, %v; want %v ok=%v", in, got, err, want, ok)
		}
	}
	f("4096", 4096, true)
	f("32MiB", 32<<20, true)
	f("1 GiB", 1<<30, true)
	f("1MB", 1000000, true)
	f("10B", 10, true)
	f("-1", 0, false)
	f("1TiB", 0, false)
	f("99999999999GiB", 0, false)
	f("MiB", 0, false)
}

func load(t *testing.T, file string, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl := RegisterFlags(fs)
	if file != "" {
		p := filepath.Join(t.TempDir(), "vigil.yaml")
		if err := os.WriteFile(p, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--config", p)
	}
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fl.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
}

func TestPrecedence(t *testing.T) {
	file := "data_dir: /from/file\nlisten: 127.0.0.1:1111\nlog_level: warn\nretention:\n  default: 7d\n  tables:\n    DeviceNetworkEvents: 2d\n"
	env := map[string]string{"VIGIL_LISTEN": "127.0.0.1:2222", "VIGIL_LOG_LEVEL": "debug"}
	c, err := load(t, file, env, "--log-level", "error")
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/from/file" || c.Listen != "127.0.0.1:2222" || c.LogLevel != "error" {
		t.Errorf("precedence: got data=%q listen=%q level=%q", c.DataDir, c.Listen, c.LogLevel)
	}
	if time.Duration(c.Retention.Default) != 7*24*time.Hour || time.Duration(c.Retention.Tables["DeviceNetworkEvents"]) != 48*time.Hour {
		t.Errorf("retention: %+v", c.Retention)
	}
	if c.Limits.MaxBodyBytes != Default().Limits.MaxBodyBytes {
		t.Errorf("unset limits must keep defaults, got %d", c.Limits.MaxBodyBytes)
	}
	if !strings.Contains(Describe(&c), "retention.tables.DeviceNetworkEvents") {
		t.Errorf("Describe lacks per-table retention:\n%s", Describe(&c))
	}
}

// Every bad value is reported, each naming its setting and where it came from.
func TestErrorsNameTheSetting(t *testing.T) {
	f := func(file string, env map[string]string, args []string, want ...string) {
		t.Helper()
		_, err := load(t, file, env, args...)
		if err == nil {
			t.Fatalf("no error for file=%q env=%v args=%v", file, env, args)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
	}
	data := []string{"--data", "/d"}
	f("", nil, nil, "setting data_dir", "is required")
	f("", nil, append(data, "--listen", "nonsense"), "setting listen", "host:port")
	f("", nil, append(data, "--listen", "127.0.0.1:70000"), "setting listen", "port")
	f("", nil, append(data, "--listen", "0.0.0.0:8080", "--insecure-http"), "setting insecure_http", "loopback")
	f("", nil, append(data, "--tls-cert", "c.pem"), "setting tls_cert", "together")
	f("", map[string]string{"VIGIL_LOG_LEVEL": "loud"}, data, "setting log_level", `"loud"`)
	f("", map[string]string{"VIGIL_RETENTION_DEFAULT": "forever"}, data, "setting retention.default", "environment VIGIL_RETENTION_DEFAULT")
	f("", map[string]string{"VIGIL_INSECURE_HTTP": "maybe"}, data, "setting insecure_http", "boolean")
	f("", nil, append(data, "--max-body-bytes", "12XB"), "setting limits.max_body_bytes", "flag --max-body-bytes")
	f("", nil, append(data, "--max-body-bytes", "10"), "setting limits.max_body_bytes", "outside")
	f("lisen: x\n", nil, data, "setting config", "lisen")
	f("retention:\n  tables:\n    NoSuchTable: 3d\n", nil, data, "retention.tables.NoSuchTable", "no such table")
	f("retention:\n  default: 10m\n", nil, data, "retention.default", "minimum")
	f("limits: [1, 2]\n", nil, data, "setting config")
	f("data_dir: [\n", nil, nil, "setting config")
	f("", nil, append(data, "--session-ttl", "90d"), "setting session_ttl")
	f("syslog:\n  udp: nowhere\n", nil, data, "setting syslog.udp", "host:port")
	f("", map[string]string{"VIGIL_SYSLOG_TCP": "0.0.0.0:99999"}, data, "setting syslog.tcp", "port")
	f("", nil, append(data, "--listen", "127.0.0.1:1", "--insecure-http", "--syslog-tls", "127.0.0.1:6514"), "setting syslog.tls")
	f("hunting:\n  externaldata_allowed_prefixes: [\"file:///etc/\"]\n", nil, data, "setting hunting.externaldata_allowed_prefixes", "file:///etc/")
	wh := "notifications:\n  webhooks:\n    - name: soar\n      url: %s\n      %s\n"
	f(fmt.Sprintf(wh, "http://soar.example.org/h", "secret_env: S"), nil, data, "notifications.webhooks[0].url", "allow_http")
	f(fmt.Sprintf(wh, "https://u:p@soar.example.org/h", "secret_env: S"), nil, data, "notifications.webhooks[0].url", "user info")
	f(fmt.Sprintf(wh, "https://soar.example.org/h", "events: [alert.created]"), nil, data, "notifications.webhooks[0].events", "alert.created", "notifications.webhooks[0].secret_file", "exactly one")
	f("notifications:\n  syslog:\n    - name: a\n      address: siem:514\n      protocol: udp\n    - name: a\n      address: siem\n      protocol: http\n      ca_file: x\n",
		nil, data, "notifications.syslog[1].name", "notifications.syslog[1].address", "notifications.syslog[1].protocol", "notifications.syslog[1].ca_file")
	f("notifications:\n  webhooks:\n    - name: x\n      url: https://h/\n      secret: inline\n", nil, data, "setting config", "secret")
	// Several problems at once are all reported.
	f("", map[string]string{"VIGIL_LOG_FORMAT": "xml"}, []string{"--listen", "x"}, "data_dir", "listen", "log_format")
}

func TestInsecureHTTPOnLoopback(t *testing.T) {
	for _, listen := range []string{"127.0.0.1:0", "[::1]:8080", "localhost:80", "127.8.9.1:1"} {
		if _, err := load(t, "", nil, "--data", "/d", "--listen", listen, "--insecure-http"); err != nil {
			t.Errorf("%s: %v", listen, err)
		}
	}
	for _, listen := range []string{":8080", "0.0.0.0:80", "[::]:80", "192.0.2.1:80", "example.com:80"} {
		if _, err := load(t, "", nil, "--data", "/d", "--listen", listen, "--insecure-http"); err == nil {
			t.Errorf("%s: insecure HTTP accepted off loopback", listen)
		}
	}
}

func TestMissingConfigFile(t *testing.T) {
	_, err := load(t, "", nil, "--data", "/d", "--config", filepath.Join(t.TempDir(), "absent.yaml"))
	var ce *Error
	if !errors.As(err, &ce) || ce.Setting != "config" {
		t.Fatalf("got %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("data_dir: /x\nlisten: 127.0.0.1:1\n"))
	f.Add([]byte("retention:\n  default: 30d\n  tables:\n    DeviceEvents: 1h\n"))
	f.Add([]byte("limits:\n  max_body_bytes: 32MiB\n  request_timeout: 1m\n"))
	f.Add([]byte("&a [*a, *a]"))
	f.Add([]byte("{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := Default()
		if err := Parse(&c, "fuzz", data); err != nil {
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error of unexpected type %T: %v", err, err)
			}
			return
		}
		_ = c.Validate()
		_ = Describe(&c)
	})
}
