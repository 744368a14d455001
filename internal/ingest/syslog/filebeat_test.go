package syslog

import (
	"testing"
	"time"

	"github.com/valyala/fastjson"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/store"
)

func TestFilebeat(t *testing.T) {
	now := time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)
	n := NewFilebeat(Options{Now: func() time.Time { return now }})
	f := func(doc string, wantTables ...string) []*ingest.Row {
		t.Helper()
		v, err := fastjson.Parse(doc)
		if err != nil {
			t.Fatal(err)
		}
		in := &ingest.Input{Record: ingest.Record{Source: "filebeat-8.11.1", Line: 1, Data: []byte(doc)}, JSON: v}
		if !n.Detect(in) {
			t.Fatalf("not detected: %s", doc)
		}
		var rs ingest.RowSet
		if err := n.Normalize(in, &rs); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rs.Rows() {
			got = append(got, r.Table.Name)
		}
		if len(got) != len(wantTables) {
			t.Fatalf("tables %v, want %v", got, wantTables)
		}
		for i := range got {
			if got[i] != wantTables[i] {
				t.Fatalf("tables %v, want %v", got, wantTables)
			}
		}
		return rs.Rows()
	}
	// /var/log/auth.log as Filebeat 8 ships it.
	rows := f(`{"@timestamp":"2026-11-26T20:15:42.000Z","agent":{"type":"filebeat","version":"8.11.1"},"ecs":{"version":"8.0.0"},"host":{"name":"web1.corp.example"},"input":{"type":"filestream"},"log":{"file":{"path":"/var/log/auth.log"},"offset":1234},"message":"Nov 26 20:15:42 web1 sshd[1234]: Accepted password for bob from 10.0.0.5 port 52100 ssh2"}`,
		"Syslog", "DeviceLogonEvents")
	if rows[0].Get("Computer") != "web1" || rows[1].Get("AccountName") != "bob" || rows[1].Get("ActionType") != "LogonSuccess" {
		t.Errorf("rows %v / %v", rows[0].Values, rows[1].Values)
	}
	// A line without a host name takes the document's.
	rows = f(`{"@timestamp":"2026-11-26T20:15:43.000Z","agent":{"type":"elastic-agent"},"host":{"name":"db2"},"log":{"file":{"path":"/var/log/syslog"}},"message":"<30>Nov 26 20:15:43 cron[99]: (root) CMD (run-parts /etc/cron.hourly)"}`, "Syslog")
	if rows[0].Get("Computer") == nil {
		t.Errorf("no host: %v", rows[0].Values)
	}
	// Other log lines are kept whole.
	rows = f(`{"@timestamp":"2026-11-26T20:15:44.000Z","agent":{"type":"filebeat"},"host":{"name":"web1"},"log":{"file":{"path":"/var/log/nginx/access.log"}},"message":"10.0.0.9 - - [26/Nov/2026:20:15:44 +0000] \"GET / HTTP/1.1\" 200 612"}`, "RawEvents")
	if rows[0].Get("Computer") != "web1" {
		t.Errorf("raw row %v", rows[0].Values)
	}
	// Winlogbeat documents are not Filebeat's.
	v := fastjson.MustParse(`{"agent":{"type":"filebeat"},"winlog":{"channel":"Security"},"message":"x"}`)
	if n.Detect(&ingest.Input{JSON: v}) {
		t.Error("a document with winlog was claimed")
	}
}

func FuzzFilebeat(f *testing.F) {
	f.Add(`{"@timestamp":"2026-11-26T20:15:42.000Z","agent":{"type":"filebeat"},"host":{"name":"web1"},"message":"Nov 26 20:15:42 web1 sshd[1234]: Accepted password for bob from 10.0.0.5 port 52100 ssh2"}`)
	f.Add(`{"agent":{"type":"filebeat"},"message":"Jan  1 00:00:00 "}`)
	f.Add(`{"@timestamp":"x","agent":{"type":"elastic-agent"},"message":"<13>1 - - - - - -"}`)
	n := NewFilebeat(Options{Now: func() time.Time { return time.Unix(1_800_000_000, 0) }})
	f.Fuzz(func(t *testing.T, doc string) {
		v, err := fastjson.Parse(doc)
		if err != nil {
			return
		}
		in := &ingest.Input{Record: ingest.Record{Source: "fuzz", Line: 1, Data: []byte(doc)}, JSON: v}
		if !n.Detect(in) {
			return
		}
		var rs ingest.RowSet
		if err := n.Normalize(in, &rs); err != nil {
			return
		}
		for _, r := range rs.Rows() {
			for i, val := range r.Values {
				if val == nil {
					continue
				}
				if _, err := store.Normalize(r.Table.Columns[i], val); err != nil {
					t.Fatalf("%s: %v", r.Table.Name, err)
				}
			}
		}
	})
}
