package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// vigil rules import-sigma compiles Sigma files and directories, lists
// the rules that do not compile with their reason, and installs the others
// as custom rules.
func TestImportSigma(t *testing.T) {
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules")
	os.MkdirAll(filepath.Join(rules, "sub"), 0o700)
	os.WriteFile(filepath.Join(rules, "good.yml"), []byte(`title: Whoami run
id: 6b8b7b6a-0000-4000-8000-000000000001
author: Someone
level: low
tags: [attack.discovery, attack.t1033]
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\whoami.exe'}
  condition: sel
`), 0o600)
	os.WriteFile(filepath.Join(rules, "sub", "bad.yaml"), []byte(`title: Bad
logsource: {product: windows, category: process_creation}
detection:
  sel:
    Image|nope: x
  condition: sel
`), 0o600)
	os.WriteFile(filepath.Join(rules, "notes.txt"), []byte("not a rule"), 0o600)

	out, errs, code := cli(t, "rules", "import-sigma", rules, "--dry-run")
	if code != 0 || !strings.Contains(out, "id: sigma-6b8b7b6a-0000-4000-8000-000000000001") || !strings.Contains(out, `FolderPath endswith "\\whoami.exe"`) ||
		!strings.Contains(errs, "bad.yaml:5: unsupported modifier use: unknown modifier \"nope\"") || !strings.Contains(errs, "compiled 1 of 2 Sigma rules") {
		t.Errorf("dry run: exit %d\n%s\n%s", code, out, errs)
	}
	out, _, code = cli(t, "rules", "import-sigma", "--json", filepath.Join(rules, "good.yml"))
	var o struct {
		OK   bool `json:"ok"`
		Rule struct {
			Frequency  string   `json:"frequency"`
			Techniques []string `json:"techniques"`
		} `json:"rule"`
	}
	if err := json.Unmarshal([]byte(out), &o); code != 0 || err != nil || !o.OK || o.Rule.Frequency != "continuous" || len(o.Rule.Techniques) != 1 {
		t.Errorf("json: exit %d, %v\n%s", code, err, out)
	}
	data := filepath.Join(dir, "data")
	_, errs, code = cli(t, "rules", "import-sigma", "--data", data, rules)
	if code != 0 || !strings.Contains(errs, "installed 1 new, updated 0, 0 unchanged") {
		t.Errorf("install: exit %d\n%s", code, errs)
	}
	_, errs, code = cli(t, "rules", "import-sigma", "--data", data, rules)
	if code != 0 || !strings.Contains(errs, "installed 0 new, updated 0, 1 unchanged") {
		t.Errorf("reinstall: exit %d\n%s", code, errs)
	}
	if out, _, code := cli(t, "rules", "list", "--data", data); code != 0 || !strings.Contains(out, "sigma-6b8b7b6a-0000-4000-8000-000000000001") {
		t.Errorf("rules list: exit %d\n%s", code, out)
	}
	if out, _, code := cli(t, "rules", "show", "sigma-6b8b7b6a-0000-4000-8000-000000000001", "--data", data); code != 0 || !strings.Contains(out, "author: Someone") {
		t.Errorf("rules show: exit %d\n%s", code, out)
	}
	if _, _, code := cli(t, "rules", "import-sigma", rules); code != 2 {
		t.Errorf("no mode: exit %d, want 2", code)
	}
	if _, _, code := cli(t, "rules", "import-sigma", "--dry-run", filepath.Join(rules, "sub")); code != 1 {
		t.Errorf("nothing compiles: exit %d, want 1", code)
	}
	if _, _, code := cli(t, "rules", "import-sigma", "--dry-run", filepath.Join(dir, "missing")); code != 1 {
		t.Errorf("missing path: exit %d, want 1", code)
	}
}
