package main

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// rawPost sends a body as is, with an Authorization header.
func (in *instance) rawPost(method, path, authz string, body []byte, headers ...string) response {
	in.t.Helper()
	req, _ := http.NewRequest(method, in.url+path, bytes.NewReader(body))
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := in.client.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, b}
}

func metricValue(t *testing.T, body []byte, series string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindSubmatch(body)
	if m == nil {
		return ""
	}
	return string(m[1])
}

func TestIngestEndpoints(t *testing.T) {
	in := startServe(t, t.TempDir())
	ingestTok := createToken(t, in.dataDir, "ingest", "--name", "shipper")
	reader := createToken(t, in.dataDir, "reader")
	admin := createToken(t, in.dataDir, "admin")

	// Native rows, one of them bad: the others are stored, the bad one
	// is reported with its line.
	rows := strings.Join([]string{
		`{"Timestamp":"2024-05-01T10:00:00Z","DeviceName":"ws1","ProcessCommandLine":"whoami","ProcessId":1}`,
		`{"Timestamp":"2024-05-01T10:00:01Z","DeviceName":"ws1","ProcessId":"two"}`,
		``,
		`{"Timestamp":"2024-05-01T10:00:02Z","DeviceName":"ws2","ProcessId":3}`,
	}, "\n")
	r := in.rawPost("POST", "/api/v1/ingest/DeviceProcessEvents", "Bearer "+ingestTok, []byte(rows))
	if r.status != 200 {
		t.Fatalf("native ingest: %d %s", r.status, r.body)
	}
	var sum struct {
		Records  int
		Rows     map[string]int
		Rejected int
		Errors   []struct {
			Line   int
			Reason string
		}
	}
	json.Unmarshal(r.body, &sum)
	if sum.Records != 3 || sum.Rows["DeviceProcessEvents"] != 2 || sum.Rejected != 1 || sum.Errors[0].Line != 2 || !strings.Contains(sum.Errors[0].Reason, "ProcessId") {
		t.Fatalf("summary %s", r.body)
	}
	// gzip bodies are detected.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"Timestamp":"2024-05-01T10:00:03Z","DeviceName":"ws3"}` + "\n"))
	zw.Close()
	if r := in.rawPost("POST", "/api/v1/ingest/DeviceProcessEvents", "Bearer "+ingestTok, gz.Bytes(), "Content-Encoding", "gzip"); r.status != 200 {
		t.Fatalf("gzip ingest: %d %s", r.status, r.body)
	}
	if r := in.rawPost("POST", "/api/v1/ingest/NoSuchTable", "Bearer "+ingestTok, []byte("{}")); r.status != 400 {
		t.Errorf("unknown table: %d %s", r.status, r.body)
	}
	if r := in.rawPost("POST", "/api/v1/ingest/DeviceProcessEvents", "Bearer "+reader, []byte("{}")); r.status != 403 {
		t.Errorf("reader may not ingest: %d", r.status)
	}
	if r := in.rawPost("POST", "/api/v1/ingest/DeviceProcessEvents", "", []byte("{}")); r.status != 401 {
		t.Errorf("anonymous ingest: %d", r.status)
	}
	// An ingest token cannot read.
	in.expect("GET", "/api/v1/schema", ingestTok, nil, 403)

	// Elasticsearch-compatible probes and _bulk, as Beats send them.
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("elastic:"+ingestTok))
	root := in.rawPost("GET", "/", basic, nil, "User-Agent", "Elastic-filebeat/8.13.4 (linux; amd64)")
	if root.status != 200 || !bytes.Contains(root.body, []byte(`"number":"8.13.4"`)) {
		t.Fatalf("GET / for filebeat: %d %s", root.status, root.body)
	}
	if r := in.rawPost("GET", "/_license", basic, nil); r.status != 200 || !bytes.Contains(r.body, []byte(`"status":"active"`)) {
		t.Fatalf("license: %d %s", r.status, r.body)
	}
	if r := in.rawPost("HEAD", "/_index_template/filebeat-8.13.4", basic, nil); r.status != 200 {
		t.Errorf("template head: %d", r.status)
	}
	if r := in.rawPost("PUT", "/_ilm/policy/filebeat", basic, []byte(`{"policy":{}}`)); r.status != 200 {
		t.Errorf("ilm put: %d", r.status)
	}
	if r := in.rawPost("GET", "/", "", nil); r.status != 401 {
		t.Errorf("anonymous GET / for a client: %d", r.status)
	}
	if r := in.rawPost("GET", "/", "", nil, "Accept", "text/html"); r.status != 200 || !bytes.Contains(r.body, []byte("<html")) {
		t.Errorf("browser GET /: %d", r.status)
	}
	bulk := strings.Join([]string{
		`{"create":{"_index":"filebeat-8.13.4"}}`,
		`{"@timestamp":"2024-05-01T10:00:00.000Z","message":"hello","host":{"name":"web1"},"ecs":{"version":"8.0.0"}}`,
		`{"index":{"_index":"logs","_id":"abc"}}`,
		`{"@timestamp":"2024-05-01T10:00:01.000Z","message":"broken`,
		`{"delete":{"_index":"logs","_id":"x"}}`,
		`{"create":{}}`,
		`{"message":"to the default index"}`,
	}, "\n") + "\n"
	br := in.rawPost("POST", "/myindex/_bulk", "ApiKey "+base64.StdEncoding.EncodeToString([]byte("id:"+ingestTok)), []byte(bulk), "Content-Type", "application/x-ndjson")
	if br.status != 200 {
		t.Fatalf("bulk: %d %s", br.status, br.body)
	}
	var resp struct {
		Errors bool
		Items  []map[string]struct {
			Index  string `json:"_index"`
			ID     string `json:"_id"`
			Status int
			Result string
			Error  *struct{ Type, Reason string }
		}
	}
	if err := json.Unmarshal(br.body, &resp); err != nil || !resp.Errors || len(resp.Items) != 4 {
		t.Fatalf("bulk response: %v %s", err, br.body)
	}
	if it := resp.Items[0]["create"]; it.Status != 201 || it.Result != "created" || it.Index != "filebeat-8.13.4" {
		t.Errorf("item 0: %+v", it)
	}
	if it := resp.Items[1]["index"]; it.Status != 400 || it.Error == nil || it.ID != "abc" {
		t.Errorf("item 1: %+v", it)
	}
	if it := resp.Items[2]["delete"]; it.Status != 404 {
		t.Errorf("item 2: %+v", it)
	}
	if it := resp.Items[3]["create"]; it.Status != 201 || it.Index != "myindex" {
		t.Errorf("item 3: %+v", it)
	}
	// Winlogbeat 8 sends ECS documents to a data stream: they land in the
	// Defender tables, with their raw copies.
	winlogbeat := `{"@timestamp":"2024-03-05T10:00:01.123Z","agent":{"type":"winlogbeat","version":"8.11.1"},"ecs":{"version":"8.0.0"},"event":{"code":"1","kind":"event","provider":"Microsoft-Windows-Sysmon"},"host":{"name":"ws01.corp.example"},"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","computer_name":"ws01.corp.example","event_id":"1","provider_name":"Microsoft-Windows-Sysmon","record_id":88231,"event_data":{"UtcTime":"2024-03-05 10:00:01.120","ProcessId":"6412","Image":"C:\\Windows\\System32\\rundll32.exe","CommandLine":"rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 712 C:\\Users\\Public\\l.dmp full","User":"CORP\\alice","IntegrityLevel":"High","Hashes":"SHA1=D7A3B1F8D3C4A7A6A4E3F5B9C2D1E0F9A8B7C6D5","ParentProcessId":"4480","ParentImage":"C:\\Windows\\System32\\cmd.exe","ParentCommandLine":"cmd.exe"}}}`
	wb := in.rawPost("POST", "/_bulk", basic, []byte(`{"create":{"_index":"logs-winlog-default"}}`+"\n"+winlogbeat+"\n"), "User-Agent", "Elastic-winlogbeat/8.11.1")
	if wb.status != 200 || bytes.Contains(wb.body, []byte(`"errors":true`)) {
		t.Fatalf("winlogbeat bulk: %d %s", wb.status, wb.body)
	}
	// Filebeat 8 ships /var/log/auth.log lines as ECS documents.
	filebeat := `{"@timestamp":"2026-11-26T20:15:42.000Z","agent":{"type":"filebeat","version":"8.13.4"},"ecs":{"version":"8.0.0"},"host":{"name":"web1"},"input":{"type":"filestream"},"log":{"file":{"path":"/var/log/auth.log"},"offset":1234},"message":"Nov 26 20:15:42 web1 sshd[1234]: Failed password for invalid user admin from 203.0.113.9 port 52100 ssh2"}`
	fb := in.rawPost("POST", "/_bulk", basic, []byte(`{"create":{"_index":"logs-system.auth-default"}}`+"\n"+filebeat+"\n"), "User-Agent", "Elastic-filebeat/8.13.4")
	if fb.status != 200 || bytes.Contains(fb.body, []byte(`"errors":true`)) {
		t.Fatalf("filebeat bulk: %d %s", fb.status, fb.body)
	}
	if r := in.rawPost("POST", "/_bulk", basic, []byte("not json\n")); r.status != 400 || !bytes.Contains(r.body, []byte("illegal_argument_exception")) {
		t.Errorf("malformed bulk: %d %s", r.status, r.body)
	}

	// vigil ingest --server sends a file through the API; errors point
	// into the file.
	file := filepath.Join(t.TempDir(), "rows.ndjson")
	os.WriteFile(file, []byte(rows+"\n"), 0o600)
	out, errs, code := cli(t, "ingest", "--server", in.url, "--token", ingestTok, "--ca", filepath.Join(in.dataDir, "tls", "cert.pem"), "--table", "DeviceProcessEvents", "--json", file)
	if code != 0 {
		t.Fatalf("ingest --server: %d %s", code, errs)
	}
	json.Unmarshal([]byte(out), &sum)
	if sum.Records != 3 || sum.Rows["DeviceProcessEvents"] != 2 || sum.Rejected != 1 || sum.Errors[0].Line != 2 {
		t.Fatalf("ingest --server summary: %s", out)
	}
	// The data dir is held by the server: a direct import says so.
	_, errs, code = cli(t, "ingest", "--data", in.dataDir, file)
	if code != 1 || !strings.Contains(errs, "--server") {
		t.Errorf("ingest --data on a served dir: %d %s", code, errs)
	}

	m := in.expect("GET", "/metrics", admin, nil, 200).body
	// 2 + 1 native rows, 2 more through vigil ingest --server, 1 from Winlogbeat.
	if v := metricValue(t, m, `vigil_rows_ingested_total{table="DeviceProcessEvents"}`); v != "6" {
		t.Errorf("rows ingested metric = %q, want 6", v)
	}
	if v := metricValue(t, m, `vigil_store_rows{table="DeviceProcessEvents"}`); v != "6" {
		t.Errorf("store rows metric = %q, want 6", v)
	}
	if v := metricValue(t, m, `vigil_rows_ingested_total{table="RawEvents"}`); v != "2" {
		t.Errorf("raw rows = %q, want 2", v)
	}
	// The Winlogbeat document's raw copy, and the device it introduced.
	for table, want := range map[string]string{"WindowsEvent": "1", "DeviceInfo": "2", "Syslog": "1", "DeviceLogonEvents": "1"} {
		if v := metricValue(t, m, `vigil_rows_ingested_total{table="`+table+`"}`); v != want {
			t.Errorf("%s rows = %q, want %s", table, v, want)
		}
	}
}

func TestIngestCommandLocal(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "mixed.log")
	os.WriteFile(file, []byte("{\"a\":1}\nplain text\n{broken\n"), 0o600)
	out, errs, code := cli(t, "ingest", "--data", dir, "--json", file, filepath.Join(dir, "missing.gz"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var sum struct {
		Records  int
		Rows     map[string]int
		Rejected int
		Errors   []struct {
			File   string
			Line   int
			Reason string
		}
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if sum.Records != 4 || sum.Rows["RawEvents"] != 2 || sum.Rejected != 2 || sum.Errors[0].Line != 3 || !strings.Contains(sum.Errors[1].Reason, "cannot open") {
		t.Fatalf("summary %s", out)
	}
	out, _, code = cli(t, "ingest", "--data", dir, file)
	if code != 0 || !strings.Contains(out, "records rejected: 1") || !strings.Contains(out, "mixed.log:3: malformed JSON") {
		t.Errorf("text summary:\n%s", out)
	}
	if _, errs, code := cli(t, "ingest", "--data", dir, "--format", "nope", file); code != 2 || !strings.Contains(errs, "unknown format") {
		t.Errorf("bad format: %d %s", code, errs)
	}
}

func TestRequestLimits(t *testing.T) {
	in := startServe(t, t.TempDir(), "--max-body-bytes", "4KiB", "--max-header-bytes", "8KiB")
	tok := createToken(t, in.dataDir, "admin")
	big := bytes.Repeat([]byte(`{"Timestamp":"2024-05-01T10:00:00Z","DeviceName":"ws1"}`+"\n"), 200)
	r := in.rawPost("POST", "/api/v1/ingest/DeviceProcessEvents", "Bearer "+tok, big)
	if r.status != 413 || !bytes.Contains(r.body, []byte("payload_too_large")) {
		t.Errorf("oversized ingest: %d %s", r.status, r.body)
	}
	r = in.rawPost("POST", "/api/v1/tokens", "Bearer "+tok, bytes.Repeat([]byte(" "), 8<<10))
	if r.status != 413 {
		t.Errorf("oversized JSON body: %d %s", r.status, r.body)
	}
	r = in.rawPost("GET", "/api/v1/me", "Bearer "+tok, nil, "X-Padding", strings.Repeat("a", 16<<10))
	if r.status != 431 {
		t.Errorf("oversized headers: %d", r.status)
	}
	in.expect("GET", "/api/v1/me", tok, nil, 200)
}

func TestSyslogListeners(t *testing.T) {
	in := startServe(t, t.TempDir(), "--syslog-udp", "127.0.0.1:0", "--syslog-tcp", "127.0.0.1:0")
	admin := createToken(t, in.dataDir, "admin")
	addrs := map[string]string{}
	for _, line := range strings.Split(in.banner, "\n") {
		if m := regexp.MustCompile(`Syslog over (\w+) on (\S+)`).FindStringSubmatch(line); m != nil {
			addrs[m[1]] = m[2]
		}
	}
	if addrs["udp"] == "" || addrs["tcp"] == "" {
		t.Fatalf("syslog addresses not printed: %q", in.banner)
	}
	udp, err := net.Dial("udp", addrs["udp"])
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	udp.Write([]byte("<34>Oct 11 22:14:15 web1 su[230]: 'su root' failed for lonvick on /dev/pts/8"))
	tcp, err := net.Dial("tcp", addrs["tcp"])
	if err != nil {
		t.Fatal(err)
	}
	msg := "<165>1 2024-05-01T10:00:00.003Z fw1 sshd 1234 - - Failed password for invalid user admin from 203.0.113.9 port 52311 ssh2"
	cef := "<134>May  1 10:00:01 fw2 CEF:0|Palo Alto Networks|PAN-OS|10.1|TRAFFIC|end|3|src=10.0.0.5 dst=203.0.113.80 spt=51000 dpt=443 act=allow"
	fmt.Fprintf(tcp, "%d %s%s\n", len(msg), msg, "")
	tcp.Close()
	tcp2, _ := net.Dial("tcp", addrs["tcp"])
	fmt.Fprintf(tcp2, "%s\n", cef)
	tcp2.Close()

	want := map[string]string{"Syslog": "2", "DeviceLogonEvents": "1", "CommonSecurityLog": "1"}
	deadline := time.Now().Add(20 * time.Second)
	for {
		m := in.expect("GET", "/metrics", admin, nil, 200).body
		ok := true
		for table, n := range want {
			if metricValue(t, m, `vigil_rows_ingested_total{table="`+table+`"}`) != n {
				ok = false
			}
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("syslog rows did not arrive:\n%s", regexp.MustCompile(`(?m)^vigil_rows_ingested_total.*$`).FindAll(m, -1))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
