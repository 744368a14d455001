package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// vigil rules test validates rule files; vigil rules backtest replays one
// over a data dir filled by vigil ingest.
func TestRulesCommand(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte(`id: sam-copy
name: SAM hive copied
frequency: 1h
severity: High
techniques: [T1003.002]
title: SAM copied on {{DeviceName}}
query: |
  DeviceProcessEvents
  | where ProcessCommandLine has_all ("esentutl", "SAM")
  | project Timestamp, ReportId, DeviceId, DeviceName, ProcessCommandLine
`), 0o600)
	os.WriteFile(bad, []byte("id: bad\nname: x\nfrequency: 1h\nseverity: High\ntitle: t\nquery: |\n  DeviceProcessEvents\n  | where ProcessComandLine has \"x\"\n"), 0o600)
	out, _, code := cli(t, "rules", "test", good, bad)
	if code != 1 || !strings.Contains(out, "ok   "+good) || !strings.Contains(out, "query 2:9: unknown column 'ProcessComandLine'") {
		t.Errorf("rules test: exit %d\n%s", code, out)
	}
	data := filepath.Join(dir, "data")
	if _, errs, code := cli(t, "ingest", "--data", data, "--no-rules", "../../../shared/datasets/attack/cmd_sam_copy_esentutl.ndjson.gz"); code != 0 {
		t.Skipf("dataset not available: %s", errs)
	}
	out, errs, code := cli(t, "rules", "backtest", good, "--data", data, "--from", "2020-01-01T00:00:00Z", "--to", "2021-01-01T00:00:00Z")
	if code != 0 || !strings.Contains(out, "SAM copied on") {
		t.Errorf("backtest: exit %d\n%s%s", code, out, errs)
	}
	if _, _, code := cli(t, "rules", "backtest", good); code != 2 {
		t.Errorf("backtest without --data: exit %d, want 2", code)
	}
	if out, _, code := cli(t, "rules", "list"); code != 0 || !strings.Contains(out, "shadow-copy-deletion  ") {
		t.Errorf("rules list: exit %d\n%s", code, out)
	}
	if out, _, code := cli(t, "rules", "show", "shadow-copy-deletion"); code != 0 || !strings.HasPrefix(out, "id: shadow-copy-deletion") {
		t.Errorf("rules show: exit %d\n%s", code, out)
	}
	if _, _, code := cli(t, "rules", "show", "no-such-rule"); code != 1 {
		t.Errorf("rules show of an unknown id: exit %d", code)
	}
}
