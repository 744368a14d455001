package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSimulateCommand writes the same rows plain, zstd- and
// gzip-compressed, checks the compressed forms decompress to the plain
// bytes, and ingests them back with `vigil ingest`.
func TestSimulateCommand(t *testing.T) {
	dir := t.TempDir()
	const events = "3000"
	gen := func(extra ...string) (string, string) {
		t.Helper()
		args := append([]string{"simulate", "--events", events, "--seed", "7", "--devices", "10", "--users", "8"}, extra...)
		out, errs, code := cli(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		return out, errs
	}
	plainPath := filepath.Join(dir, "rows.ndjson")
	out, _ := gen("--out", plainPath)
	if !strings.Contains(out, "events: "+events+"\n") || !strings.Contains(out, "ground truth: "+plainPath+".truth.jsonl") {
		t.Errorf("summary:\n%s", out)
	}
	plain, err := os.ReadFile(plainPath)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(plain, []byte("\n")); n != 3000 {
		t.Fatalf("%d lines", n)
	}

	zstPath := filepath.Join(dir, "rows.ndjson.zst")
	out, _ = gen("--out", zstPath)
	// The ground truth of rows.ndjson.zst is rows.ndjson.truth.jsonl.
	if !strings.Contains(out, "ground truth: "+plainPath+".truth.jsonl") {
		t.Errorf("zstd summary:\n%s", out)
	}
	zst, _ := os.ReadFile(zstPath)
	if len(zst) == 0 || len(zst)*4 > len(plain) || !bytes.HasPrefix(zst, []byte{0x28, 0xb5, 0x2f, 0xfd}) {
		t.Errorf("zstd output: %d bytes (plain %d), starts % x", len(zst), len(plain), zst[:min(4, len(zst))])
	}

	// Rows to stdout, gzip by flag; the summary goes to stderr.
	gz, errs := gen("--out", "-", "--compress", "gzip")
	if !strings.Contains(errs, "events: "+events) {
		t.Errorf("stderr summary:\n%s", errs)
	}
	zr, err := gzip.NewReader(strings.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	unz, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unz, plain) {
		t.Errorf("gzip stdout decompresses to %d bytes (%v), the plain file has %d", len(unz), err, len(plain))
	}

	ingested := func(file string) map[string]int {
		t.Helper()
		out, errs, code := cli(t, "ingest", "--data", filepath.Join(dir, "data-"+filepath.Base(file)), "--json", "--no-rules", file)
		if code != 0 {
			t.Fatalf("ingest %s: exit %d: %s", file, code, errs)
		}
		var sum struct {
			Records  int
			Rows     map[string]int
			Rejected int
		}
		if err := json.Unmarshal([]byte(out), &sum); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if sum.Records != 3000 || sum.Rejected != 0 {
			t.Errorf("ingest %s: %s", file, out)
		}
		return sum.Rows
	}
	// (The ingest's enrichers may add rows of their own, such as the
	// DeviceInfo of a device seen first; the records are what count.)
	want := ingested(plainPath)
	if got := ingested(zstPath); !equalCounts(got, want) {
		t.Errorf("zstd file ingests as %v, the plain one as %v", got, want)
	}

	prof := filepath.Join(dir, "cpu.prof")
	gen("--out", filepath.Join(dir, "again.ndjson"), "--truth", "", "--cpuprofile", prof)
	if fi, err := os.Stat(prof); err != nil || fi.Size() == 0 {
		t.Errorf("cpu profile: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "again.ndjson.truth.jsonl")); !os.IsNotExist(err) {
		t.Errorf("--truth '' still wrote a ground truth file: %v", err)
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestSimulateUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--out", "-"}, "--events must be a positive number"},
		{[]string{"--events", "10"}, "give exactly one of --out and --data"},
		{[]string{"--events", "10", "--out", "-", "--data", dir}, "give exactly one of --out and --data"},
		{[]string{"--events", "10", "--out", "-", "--compress", "lz4"}, `--compress: unknown compression "lz4"`},
		{[]string{"--events", "10", "--data", dir, "--compress", "zstd"}, "--compress applies to --out"},
		{[]string{"--events", "10", "--out", "-", "--tables", "deviceprocessevents"}, "did you mean DeviceProcessEvents"},
		{[]string{"--events", "10", "--out", "-", "--start", "yesterday"}, "want an RFC 3339 time"},
	} {
		_, errs, code := cli(t, append([]string{"simulate"}, tc.args...)...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
}
