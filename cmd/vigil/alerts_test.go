package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestServeIndicatorsAndDedup runs a server with an indicator file in
// DATA/indicators and one created over the API, ingests connections to
// both, and sees one alert per indicator and device, with a count that a
// restart and a re-sent batch do not change.
func TestServeIndicatorsAndDedup(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "indicators"), 0o700); err != nil {
		t.Fatal(err)
	}
	csv := "IndicatorType,IndicatorValue,Action,Severity,Title,GenerateAlert\nIpAddress,203.0.113.50,Audit,High,C2 from the feed file,true\n"
	if err := os.WriteFile(filepath.Join(dir, "indicators", "feed.csv"), []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	rows := []byte(strings.Join([]string{
		`{"Timestamp":"2024-05-01T10:00:00Z","ReportId":1,"DeviceId":"d1","DeviceName":"ws1","RemoteIP":"203.0.113.50"}`,
		`{"Timestamp":"2024-05-01T11:00:00Z","ReportId":2,"DeviceId":"d1","DeviceName":"ws1","RemoteIP":"203.0.113.50"}`,
		`{"Timestamp":"2024-05-01T12:00:00Z","ReportId":3,"DeviceId":"d1","DeviceName":"ws1","RemoteIP":"203.0.113.60"}`,
	}, "\n"))
	summary := func(in *instance, tok string) []string {
		t.Helper()
		var page struct {
			Alerts []struct {
				Title string `json:"title"`
				Count int    `json:"count"`
			} `json:"alerts"`
		}
		if err := json.Unmarshal(in.expect("GET", "/api/v1/alerts", tok, nil, 200).body, &page); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range page.Alerts {
			out = append(out, a.Title+" x"+string(rune('0'+a.Count)))
		}
		sort.Strings(out)
		return out
	}

	in := startServe(t, dir)
	admin := createToken(t, dir, "admin")
	ingestTok := createToken(t, dir, "ingest")
	in.expect("POST", "/api/v1/indicators", admin, map[string]any{"indicatorType": "IpAddress", "indicatorValue": "203.0.113.60",
		"action": "Audit", "generateAlert": true, "title": "C2 from the API", "severity": "Medium"}, 201)
	if r := in.rawPost("POST", "/api/v1/ingest/DeviceNetworkEvents", "Bearer "+ingestTok, rows); r.status != 200 {
		t.Fatalf("ingest: %d %s", r.status, r.body)
	}
	want := []string{"C2 from the API x1", "C2 from the feed file x2"}
	if got := summary(in, admin); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("alerts %v, want %v", got, want)
	}
	if err := in.stop(); err != nil {
		t.Fatal(err)
	}

	// After a restart: the stored indicator still applies, the same
	// events sent again are not counted twice, and a new one is.
	in = startServe(t, dir)
	if r := in.rawPost("POST", "/api/v1/ingest/DeviceNetworkEvents", "Bearer "+ingestTok, rows); r.status != 200 {
		t.Fatalf("ingest again: %d %s", r.status, r.body)
	}
	more := []byte(`{"Timestamp":"2024-05-01T13:00:00Z","ReportId":4,"DeviceId":"d1","DeviceName":"ws1","RemoteIP":"203.0.113.60"}`)
	if r := in.rawPost("POST", "/api/v1/ingest/DeviceNetworkEvents", "Bearer "+ingestTok, more); r.status != 200 {
		t.Fatalf("ingest more: %d %s", r.status, r.body)
	}
	want = []string{"C2 from the API x2", "C2 from the feed file x2"}
	if got := summary(in, admin); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("after restart: alerts %v, want %v", got, want)
	}
}
