package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHuntCommand runs vigil hunt on a data dir filled by vigil ingest,
// in every output format and in batch mode, then through a server on
// the same data dir.
func TestHuntCommand(t *testing.T) {
	dir := t.TempDir()
	rows := filepath.Join(t.TempDir(), "rows.ndjson")
	os.WriteFile(rows, []byte(strings.Join([]string{
		`{"Timestamp":"2024-05-01T10:00:00Z","DeviceName":"ws1","FileName":"cmd.exe","ProcessCommandLine":"cmd /c \"whoami, all\"","ProcessId":1}`,
		`{"Timestamp":"2024-05-01T10:00:01.25Z","DeviceName":"ws2","FileName":"powershell.exe","ProcessCommandLine":"powershell -enc AAAA","ProcessId":2}`,
	}, "\n")), 0o600)
	if _, errs, code := cli(t, "ingest", "--data", dir, "--table", "DeviceProcessEvents", rows); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errs)
	}
	// A data dir a server has run on has a state store: local runs are
	// audited there too.
	if err := startServe(t, dir).stop(); err != nil {
		t.Fatal(err)
	}
	admin := createToken(t, dir, "admin")
	const q = "DeviceProcessEvents | where Timestamp > datetime(2024-01-01) | order by Timestamp asc | project Timestamp, DeviceName, ProcessCommandLine, ProcessId"
	hunt := func(wantCode int, args ...string) (string, string) {
		t.Helper()
		out, errs, code := cli(t, append([]string{"hunt"}, args...)...)
		if code != wantCode {
			t.Fatalf("vigil hunt %q: exit %d, want %d\nstdout: %s\nstderr: %s", args, code, wantCode, out, errs)
		}
		return out, errs
	}

	wantCSV := "Timestamp,DeviceName,ProcessCommandLine,ProcessId\n" +
		"2024-05-01T10:00:00Z,ws1,\"cmd /c \"\"whoami, all\"\"\",1\n" +
		"2024-05-01T10:00:01.25Z,ws2,powershell -enc AAAA,2\n"
	if out, _ := hunt(0, "--data", dir, "--format", "csv", q); out != wantCSV {
		t.Errorf("csv:\n got %q\nwant %q", out, wantCSV)
	}
	out, _ := hunt(0, "--data", dir, "--format", "json", q)
	var body struct {
		Stats   map[string]any
		Schema  []struct{ Name, Type string }
		Results []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &body); err != nil {
		t.Fatalf("json output: %v\n%s", err, out)
	}
	if len(body.Results) != 2 || body.Schema[0].Type != "DateTime" || body.Schema[3].Type != "Int64" ||
		body.Results[1]["Timestamp"] != "2024-05-01T10:00:01.25Z" || body.Stats["Truncated"] != false {
		t.Errorf("json output: %s", out)
	}
	out, _ = hunt(0, "--data", dir, q)
	if lines := strings.Split(out, "\n"); len(lines) != 5 || !strings.HasPrefix(lines[0], "Timestamp ") || !strings.HasPrefix(lines[1], "---------") ||
		!strings.Contains(lines[3], "powershell -enc AAAA") {
		t.Errorf("table output:\n%s", out)
	}
	// --max-rows truncates and says so on stderr; --timespan limits the window.
	out, errs := hunt(0, "--data", dir, "--format", "csv", "--max-rows", "1", q)
	if strings.Count(out, "\n") != 2 || !strings.Contains(errs, "truncated at 1 rows") {
		t.Errorf("--max-rows 1: %q %q", out, errs)
	}
	if out, _ := hunt(0, "--data", dir, "--format", "csv", "--timespan", "PT1H", "DeviceProcessEvents | count"); out != "Count\n0\n" {
		t.Errorf("--timespan PT1H: %q", out)
	}

	// Errors: a query error points at its line and column (exit 1);
	// usage mistakes exit 2; a missing store is not created.
	_, errs = hunt(1, "--data", dir, "DeviceProcessEvents\n| where FileName == ")
	if !strings.Contains(errs, "2:21: expected an expression") || !strings.Contains(errs, "    | where FileName == \n") || !strings.Contains(errs, "^") {
		t.Errorf("syntax error report: %s", errs)
	}
	hunt(2, "--data", dir)
	hunt(2, "--data", dir, "--format", "xml", "print 1")
	hunt(2, "--data", dir, "--timespan", "a week", "print 1")
	hunt(2, "--server", "https://127.0.0.1:1", "print 1")
	if _, errs := hunt(1, "--data", filepath.Join(dir, "typo"), "print 1"); !strings.Contains(errs, "no event store") {
		t.Errorf("missing store: %s", errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "typo")); err == nil {
		t.Error("a mistyped --data created a store")
	}

	// Batch: one line per query, in order; a failed query exits 1.
	batch := filepath.Join(t.TempDir(), "batch.jsonl")
	os.WriteFile(batch, []byte(`{"id":"good","query":"DeviceProcessEvents | where Timestamp > datetime(2024-01-01) | count"}`+"\n\n"+
		`{"id":7,"query":"DeviceProcessEvents | project Nope"}`+"\n"), 0o600)
	out, errs = hunt(1, "--data", dir, "--batch", batch)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	wantGood := `{"id":"good","Schema":[{"Name":"Count","Type":"Int64"}],"Results":[{"Count":2}]}`
	if len(lines) != 2 || lines[0] != wantGood || !strings.HasPrefix(lines[1], `{"id":7,"error":{"message":`) ||
		!strings.Contains(lines[1], `"line":1,"column":31`) || !strings.Contains(errs, "1 of 2 queries failed") {
		t.Errorf("batch:\n%s\nstderr: %s", out, errs)
	}

	// While a server holds the store, --data says to use --server, and
	// --server gives the same answers.
	in := startServe(t, dir)
	if _, errs := hunt(1, "--data", dir, "print 1"); !strings.Contains(errs, "vigil hunt --server") {
		t.Errorf("locked store: %s", errs)
	}
	tok := createToken(t, dir, "reader")
	remote := []string{"--server", in.url, "--token", tok, "--ca", filepath.Join(dir, "tls", "cert.pem")}
	if out, _ := hunt(0, append(remote, "--format", "csv", q)...); out != wantCSV {
		t.Errorf("remote csv:\n got %q\nwant %q", out, wantCSV)
	}
	_, errs = hunt(1, append(remote, "DeviceProcessEvents\n| where FileName == ")...)
	if !strings.Contains(errs, "2:21: expected an expression") {
		t.Errorf("remote syntax error: %s", errs)
	}
	out, _ = hunt(1, append(remote, "--batch", batch)...)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || lines[0] != wantGood {
		t.Errorf("remote batch:\n%s", out)
	}
	// Runs are audited, local ones as the OS user.
	r := in.expect("GET", "/api/v1/audit?action=hunting.run&limit=1000", admin, nil, 200)
	var page struct {
		Entries []struct{ Actor, Outcome string }
	}
	json.Unmarshal(r.body, &page)
	actors := map[string]int{}
	for _, e := range page.Entries {
		actors[strings.SplitN(e.Actor, ":", 2)[0]]++
	}
	if actors["cli"] < 5 || actors["token"] != 4 {
		t.Errorf("audited hunting runs by actor kind: %v\n%s", actors, r.body)
	}
	ingestTok := createToken(t, dir, "ingest")
	if _, errs := hunt(1, "--server", in.url, "--token", ingestTok, "--ca", filepath.Join(dir, "tls", "cert.pem"), "print 1"); !strings.Contains(errs, "403") {
		t.Errorf("ingest token: %s", errs)
	}
}
