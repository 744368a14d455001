package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDemoSmoke starts a small demo, sees the backfill and live rows
// arrive through the API, and stops it cleanly.
func TestDemoSmoke(t *testing.T) {
	dir := t.TempDir()
	in := startVigil(t, dir, "demo", "--data", dir, "--listen", "127.0.0.1:0",
		"--devices", "8", "--users", "6", "--backfill", "2h", "--speed", "600")
	m := regexp.MustCompile(`Backfilled (\d+) rows; attack scenarios: (.*)`).FindStringSubmatch(in.banner)
	if m == nil {
		t.Fatalf("no backfill line in:\n%s", in.banner)
	}
	backfilled, _ := strconv.Atoi(m[1])
	if backfilled < 1000 {
		t.Errorf("backfill of %d rows is too small for a demo", backfilled)
	}
	for _, sc := range []string{"ransomware", "bec", "credential-theft", "decoy-touch"} {
		if !strings.Contains(m[2], sc) {
			t.Errorf("scenario %s not scheduled: %s", sc, m[2])
		}
	}
	tok := createToken(t, dir, "reader")
	total := func() int {
		body := in.expect("GET", "/metrics", tok, nil, 200).body
		n := 0
		for _, mm := range regexp.MustCompile(`(?m)^vigil_rows_ingested_total\{[^}]*\} (\S+)$`).FindAllSubmatch(body, -1) {
			v, _ := strconv.ParseFloat(string(mm[1]), 64)
			n += int(v)
		}
		return n
	}
	first := total()
	if first < backfilled {
		t.Fatalf("metrics count %d rows, backfill wrote %d", first, backfilled)
	}
	deadline := time.Now().Add(30 * time.Second)
	for total() <= first {
		if time.Now().After(deadline) {
			t.Fatal("no live telemetry arrived")
		}
		time.Sleep(500 * time.Millisecond)
	}
	if err := in.stop(); err != nil {
		t.Fatalf("demo did not stop cleanly: %v\n%s", err, in.stderr.String())
	}
}
