package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// vigilBin is the binary under test, built once by TestMain.
var vigilBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vigil-bin-")
	if err != nil {
		panic(err)
	}
	vigilBin = filepath.Join(dir, "vigil")
	build := exec.Command("go", "build", "-o", vigilBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building vigil:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// instance is a `vigil serve` child process on a random loopback port.
type instance struct {
	t        *testing.T
	cmd      *exec.Cmd
	dataDir  string
	url      string
	password string // the first admin's one-time password
	banner   string // what serve printed before it was ready
	client   *http.Client
	stderr   *syncBuffer
	done     chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	urlLine      = regexp.MustCompile(`Vigil is serving at (\S+)`)
	passwordLine = regexp.MustCompile(`one-time password (\S+)`)
)

// startServe runs vigil serve and waits until it prints its URL.
func startServe(t *testing.T, dataDir string, extra ...string) *instance {
	t.Helper()
	return startVigil(t, dataDir, append([]string{"serve", "--data", dataDir, "--listen", "127.0.0.1:0"}, extra...)...)
}

// startVigil runs a serving vigil command and waits until it prints its URL.
func startVigil(t *testing.T, dataDir string, args ...string) *instance {
	t.Helper()
	cmd := exec.Command(vigilBin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in := &instance{t: t, cmd: cmd, dataDir: dataDir, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = in.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		in.done <- cmd.Wait()
	}()
	t.Cleanup(func() { in.stop() })
	deadline := time.After(60 * time.Second)
	for in.url == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("vigil serve exited before serving:\n%s", in.stderr.String())
			}
			in.banner += line + "\n"
			if m := urlLine.FindStringSubmatch(line); m != nil {
				in.url = m[1]
			}
			if m := passwordLine.FindStringSubmatch(line); m != nil {
				in.password = m[1]
			}
		case <-deadline:
			t.Fatalf("vigil serve did not start in time:\n%s", in.stderr.String())
		}
	}
	go func() {
		for range lines {
		}
	}()
	in.client = &http.Client{Timeout: 30 * time.Second}
	if strings.HasPrefix(in.url, "https://") {
		// Trust exactly the certificate the server generated.
		pemBytes, err := os.ReadFile(filepath.Join(dataDir, "tls", "cert.pem"))
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pemBytes)
		in.client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	}
	return in
}

// stop sends SIGTERM and waits for a clean exit.
func (in *instance) stop() error {
	if in.cmd.ProcessState != nil {
		return nil
	}
	_ = in.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-in.done:
		in.done <- err
		return err
	case <-time.After(30 * time.Second):
		_ = in.cmd.Process.Kill()
		return fmt.Errorf("vigil serve ignored SIGTERM")
	}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, r.body)
	}
	return m
}

// do sends a request with optional bearer token, JSON body and headers.
func (in *instance) do(method, path, token string, body any, headers ...string) response {
	in.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, in.url+path, rd)
	if err != nil {
		in.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := in.client.Do(req)
	if err != nil {
		in.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, b}
}

func (in *instance) expect(method, path, token string, body any, want int) response {
	in.t.Helper()
	r := in.do(method, path, token, body)
	if r.status != want {
		in.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, r.status, want, r.body)
	}
	return r
}

// cli runs a vigil subcommand and returns stdout, stderr and exit code.
func cli(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(vigilBin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func createToken(t *testing.T, dataDir, role string, extra ...string) string {
	t.Helper()
	out, errs, code := cli(t, append([]string{"token", "create", "--data", dataDir, "--role", role}, extra...)...)
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, errs)
	}
	tok := strings.TrimSpace(out)
	if strings.Contains(tok, "\n") || !strings.HasPrefix(tok, "vgl_") {
		t.Fatalf("token create must print only the token, got %q", out)
	}
	return tok
}

func TestServeAuthenticationAndAudit(t *testing.T) {
	in := startServe(t, t.TempDir())
	if in.password == "" {
		t.Fatal("first start did not print the admin's one-time password")
	}
	fi, err := os.Stat(filepath.Join(in.dataDir, "admin-password"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("admin-password file: %v mode %v", err, fi)
	}

	in.expect("GET", "/healthz", "", nil, 200)
	in.expect("GET", "/readyz", "", nil, 200)

	// No credentials: 401 with a typed JSON error carrying the request id.
	r := in.expect("GET", "/api/v1/me", "", nil, 401)
	e := r.json(t)["error"].(map[string]any)
	if e["code"] != "unauthenticated" || e["requestId"] == "" || e["requestId"] != r.header.Get("X-Request-Id") {
		t.Fatalf("401 body: %s", r.body)
	}
	in.expect("GET", "/api/v1/me", "vgl_garbage", nil, 401)
	in.expect("GET", "/api/v1/me", "vgl_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", nil, 401)

	// Tokens made by the CLI while the server runs.
	admin := createToken(t, in.dataDir, "admin", "--name", "ci-admin")
	reader := createToken(t, in.dataDir, "reader", "--name", "ci-reader")
	me := in.expect("GET", "/api/v1/me", admin, nil, 200).json(t)
	if me["role"] != "admin" || me["kind"] != "token" {
		t.Fatalf("/me: %v", me)
	}
	in.expect("GET", "/api/v1/audit", reader, nil, 403)
	in.expect("GET", "/api/v1/tokens", reader, nil, 403)
	in.expect("GET", "/api/v1/me", reader, nil, 200)
	in.expect("GET", "/api/v1/schema/DeviceProcessEvents", reader, nil, 200)
	in.expect("GET", "/api/v1/audit", admin, nil, 200)

	// Revocation through the API.
	created := in.expect("POST", "/api/v1/tokens", admin, map[string]any{"name": "soar", "role": "analyst"}, 201).json(t)
	soar, soarID := created["token"].(string), created["id"].(string)
	in.expect("GET", "/api/v1/me", soar, nil, 200)
	in.expect("DELETE", "/api/v1/tokens/"+soarID, admin, nil, 204)
	in.expect("GET", "/api/v1/me", soar, nil, 401)
	in.expect("DELETE", "/api/v1/tokens/"+soarID, admin, nil, 404)

	// Expiry: a token that lives one second stops working.
	short := createToken(t, in.dataDir, "reader", "--expires", "1s")
	deadline := time.Now().Add(15 * time.Second)
	for in.do("GET", "/api/v1/me", short, nil).status != 401 {
		if time.Now().After(deadline) {
			t.Fatal("an expired token still authenticates")
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Bad input gets a positioned error.
	bad := in.do("POST", "/api/v1/tokens", admin, nil)
	if bad.status != 400 {
		t.Fatalf("empty body: %d %s", bad.status, bad.body)
	}
	in.expect("POST", "/api/v1/tokens", admin, map[string]any{"name": "x", "role": "emperor"}, 400)
	in.expect("POST", "/api/v1/tokens", admin, map[string]any{"name": "x", "role": "reader", "extra": 1}, 400)

	// The audit log has both token changes with who and from where.
	audit := in.expect("GET", "/api/v1/audit?action=token.&limit=100", admin, nil, 200).json(t)
	var sawCreate, sawRevoke, sawCLI bool
	for _, it := range audit["entries"].([]any) {
		en := it.(map[string]any)
		switch {
		case en["action"] == "token.create" && en["target"] == "token:"+soarID:
			sawCreate = strings.HasPrefix(en["actor"].(string), "token:") && en["remote"] != ""
		case en["action"] == "token.revoke" && en["target"] == "token:"+soarID:
			sawRevoke = true
		case en["action"] == "token.create" && strings.HasPrefix(en["actor"].(string), "cli:"):
			sawCLI = true
		}
		if strings.Contains(string(jsonOf(en)), soar) {
			t.Fatal("the audit log contains a token secret")
		}
	}
	if !sawCreate || !sawRevoke || !sawCLI {
		t.Fatalf("audit lacks token events (create %v revoke %v cli %v): %s", sawCreate, sawRevoke, sawCLI, jsonOf(audit))
	}
	denied := in.expect("GET", "/api/v1/audit?action=access.denied", admin, nil, 200).json(t)
	if len(denied["entries"].([]any)) == 0 {
		t.Fatal("a 403 was not audited")
	}

	// Metrics answer, and count the requests made.
	m := in.expect("GET", "/metrics", reader, nil, 200)
	for _, want := range []string{"vigil_http_requests_total", `code="403"`, "vigil_store_disk_bytes", "vigil_query_duration_seconds"} {
		if !bytes.Contains(m.body, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	in.expect("GET", "/metrics", "", nil, 401)
	in.expect("GET", "/no/such/route", admin, nil, 404)

	if err := in.stop(); err != nil {
		t.Fatalf("graceful shutdown: %v\n%s", err, in.stderr.String())
	}
}

func TestPortalSessionAndPasswordChange(t *testing.T) {
	in := startServe(t, t.TempDir())
	in.expect("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "wrong-password-123"}, 401)
	r := in.expect("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": in.password}, 200)
	var cookie *http.Cookie
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		cookie = c
	}
	if cookie == nil || !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie: %+v", cookie)
	}
	body := r.json(t)
	csrf := body["csrfToken"].(string)
	if body["mustChangePassword"] != true {
		t.Fatal("the one-time password must be changed at first sign-in")
	}
	withCookie := func(method, path string, body any, csrfHeader string, want int) response {
		t.Helper()
		h := []string{"Cookie", cookie.Name + "=" + cookie.Value}
		if csrfHeader != "" {
			h = append(h, "X-CSRF-Token", csrfHeader)
		}
		got := in.do(method, path, "", body, h...)
		if got.status != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, got.status, want, got.body)
		}
		return got
	}
	withCookie("GET", "/api/v1/me", nil, "", 200)
	r = withCookie("GET", "/api/v1/audit", nil, "", 403)
	if !bytes.Contains(r.body, []byte("password_change_required")) {
		t.Fatalf("want password_change_required: %s", r.body)
	}
	change := map[string]string{"currentPassword": in.password, "newPassword": "a much better passphrase"}
	r = withCookie("POST", "/api/v1/me/password", change, "", 403)
	if !bytes.Contains(r.body, []byte("csrf")) {
		t.Fatalf("want a CSRF failure: %s", r.body)
	}
	withCookie("POST", "/api/v1/me/password", change, "not-the-token", 403)
	withCookie("POST", "/api/v1/me/password", map[string]string{"currentPassword": in.password, "newPassword": "short"}, csrf, 400)
	withCookie("POST", "/api/v1/me/password", change, csrf, 204)

	// A password change ends the sessions; sign in again with the new one.
	r = in.expect("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": "a much better passphrase"}, 200)
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		cookie = c
	}
	csrf = r.json(t)["csrfToken"].(string)
	withCookie("GET", "/api/v1/audit", nil, "", 200)
	withCookie("POST", "/api/v1/users", map[string]string{"username": "bob", "password": "correct horse battery", "role": "reader"}, csrf, 201)
	withCookie("POST", "/api/v1/auth/logout", nil, csrf, 204)
	withCookie("GET", "/api/v1/me", nil, "", 401)
}

func TestOperatorMistakes(t *testing.T) {
	// A port in use.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f := func(wantCode int, wantMsg string, args ...string) {
		t.Helper()
		_, errs, code := cli(t, args...)
		if code != wantCode || !strings.Contains(errs, wantMsg) {
			t.Errorf("vigil %v: exit %d (want %d), stderr %q lacks %q", args, code, wantCode, errs, wantMsg)
		}
		if strings.Contains(errs, "goroutine ") || strings.Contains(errs, "panic") {
			t.Errorf("vigil %v printed a stack trace:\n%s", args, errs)
		}
	}
	f(1, "already in use", "serve", "--data", t.TempDir(), "--listen", ln.Addr().String())
	f(2, "setting listen", "serve", "--data", t.TempDir(), "--listen", "nowhere")
	f(2, "setting insecure_http", "serve", "--data", t.TempDir(), "--listen", "0.0.0.0:0", "--insecure-http")
	f(2, "setting data_dir", "serve")
	f(2, "flag provided but not defined", "serve", "--no-such-flag")

	notDir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notDir, []byte("x"), 0o600)
	f(1, "not a directory", "serve", "--data", notDir, "--listen", "127.0.0.1:0")

	corrupt := t.TempDir()
	os.WriteFile(filepath.Join(corrupt, "state.db"), bytes.Repeat([]byte("not sqlite "), 1000), 0o600)
	f(1, "corrupt", "serve", "--data", corrupt, "--listen", "127.0.0.1:0")

	badCert := t.TempDir()
	os.WriteFile(filepath.Join(badCert, "c.pem"), []byte("nope"), 0o600)
	f(1, "cannot load the TLS certificate", "serve", "--data", t.TempDir(), "--listen", "127.0.0.1:0",
		"--tls-cert", filepath.Join(badCert, "c.pem"), "--tls-key", filepath.Join(badCert, "c.pem"))

	f(1, "no Vigil state store", "token", "create", "--data", t.TempDir(), "--role", "admin")
	f(2, "--role is required", "token", "create", "--data", t.TempDir())

	// A second server on the same data dir: the event store is locked.
	dir := t.TempDir()
	first := startServe(t, dir)
	f(1, "in use by another process", "serve", "--data", dir, "--listen", "127.0.0.1:0")
	f(2, "role", "token", "create", "--data", dir, "--role", "emperor")
	first.stop()

	// --check-config validates without starting.
	out, errs, code := cli(t, "serve", "--data", t.TempDir(), "--check-config")
	if code != 0 || !strings.Contains(out, "configuration is valid") {
		t.Errorf("--check-config: %d %s %s", code, out, errs)
	}
}

func TestPlainHTTPOnLoopback(t *testing.T) {
	in := startServe(t, t.TempDir(), "--insecure-http")
	if !strings.HasPrefix(in.url, "http://127.0.0.1:") {
		t.Fatalf("url %s", in.url)
	}
	in.expect("GET", "/healthz", "", nil, 200)
	r := in.expect("POST", "/api/v1/auth/login", "", map[string]string{"username": "admin", "password": in.password}, 200)
	if c := (&http.Response{Header: r.header}).Cookies(); len(c) != 1 || c[0].Secure || !c[0].HttpOnly {
		t.Fatalf("plain-HTTP session cookie: %+v", c)
	}
}

func TestCommands(t *testing.T) {
	out, _, code := cli(t, "version")
	for _, want := range []string{"vigil ", "commit ", "go go1.", "duckdb v"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("version output lacks %q:\n%s", want, out)
		}
	}
	out, _, code = cli(t, "schema")
	if code != 0 || !strings.Contains(out, "DeviceProcessEvents") || !strings.Contains(out, "SecurityEvent") {
		t.Errorf("schema:\n%s", out)
	}
	out, _, code = cli(t, "schema", "deviceprocessevents")
	if code != 0 || !strings.Contains(out, "InitiatingProcessCommandLine") {
		t.Errorf("schema TABLE:\n%s", out)
	}
	_, errs, code := cli(t, "schema", "NoSuchTable")
	if code != 1 || !strings.Contains(errs, "no table") {
		t.Errorf("schema NoSuchTable: %d %s", code, errs)
	}
	_, _, code = cli(t, "frobnicate")
	if code != 2 {
		t.Errorf("unknown command: exit %d", code)
	}
}

func jsonOf(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
