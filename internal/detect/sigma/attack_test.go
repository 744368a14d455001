package sigma

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/enrich"
	"github.com/vigilsec/vigil/internal/ingest/formats"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// attackDir holds the OTRF Security-Datasets recordings and their index,
// outside the repository (next to it, in the shared checkout).
const attackDir = "../../../../shared/datasets/attack"

type dataset struct {
	ID         string   `json:"id"`
	Techniques []string `json:"techniques"`
	Bytes      int64    `json:"bytes_uncompressed"`
	TimeRange  struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"time_range"`
}

func loadIndex(t testing.TB) []dataset {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(attackDir, "index.json"))
	if err != nil {
		t.Skipf("attack datasets not available: %v", err)
	}
	var ds []dataset
	if err := json.Unmarshal(data, &ds); err != nil {
		t.Fatal(err)
	}
	return ds
}

func parseIndexTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q", s)
}

// capture keeps every row appended to the store, by table: what a
// continuous rule sees on the stream.
type capture struct {
	store.Store
	mu   sync.Mutex
	rows map[string][][]any
}

func (c *capture) Append(ctx context.Context, b store.Batch) error {
	c.mu.Lock()
	for _, tr := range b.Tables {
		for _, r := range tr.Rows {
			c.rows[tr.Table] = append(c.rows[tr.Table], append([]any(nil), r...))
		}
	}
	c.mu.Unlock()
	return c.Store.Append(ctx, b)
}

// ingested is a dataset in a fresh event store, with the rows the stream
// carried.
type ingested struct {
	st   store.Store
	rows map[string][][]any
}

// ingestDataset feeds a recording through the pipeline `vigil ingest`
// uses: format detection per record, the default enrichers, the store.
func ingestDataset(ctx context.Context, t testing.TB, id string) *ingested {
	t.Helper()
	st, err := duckdb.Open(t.TempDir(), store.Options{RetentionInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tee := &capture{Store: st, rows: map[string][][]any{}}
	opts := ingest.Options{Format: "auto"}
	if opts.Enrichers, err = enrich.Default(ctx, st); err != nil {
		t.Fatal(err)
	}
	p, err := ingest.NewPipeline(formats.Registry(), tee, opts)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(attackDir, id+".ndjson.gz")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := ingest.ReadLines(ctx, p, path, io.Reader(f), nil); err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	return &ingested{st: st, rows: tee.rows}
}

var (
	windowsOnce  sync.Once
	windowsRules []*detect.Compiled
)

// compiledWindows compiles SigmaHQ's Windows rules once per test binary.
func compiledWindows(t testing.TB) []*detect.Compiled {
	files := ruleFiles(t, filepath.Join(sigmaDir, "windows"))
	windowsOnce.Do(func() {
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range CompileFile(data, nil) {
				if r.Err == nil {
					windowsRules = append(windowsRules, r.Compiled)
				}
			}
		}
	})
	return windowsRules
}

// streamAlerts runs every continuous rule over the captured rows, as live
// ingestion does, and returns the alerts by rule id.
func streamAlerts(t testing.TB, rules []*detect.Compiled, rows map[string][][]any, now time.Time) map[string][]detect.Alert {
	out := map[string][]detect.Alert{}
	for _, c := range rules {
		if !c.Continuous() || len(rows[c.Table]) == 0 {
			continue
		}
		as, _, err := c.Match(now, c.Table, rows[c.Table])
		if err != nil {
			t.Errorf("rule %s: native: %v", c.Rule.ID, err)
			continue
		}
		if len(as) > 0 {
			out[c.Rule.ID] = as
		}
	}
	return out
}

// TestSigmaFiresOnAttackData ingests recordings of known attacks and
// checks that the Sigma rules written for them raise alerts, on the stream
// (native evaluator) and on the scheduled path (SQL) alike.
func TestSigmaFiresOnAttackData(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests ATT&CK recordings: not in -short")
	}
	index := map[string]dataset{}
	for _, d := range loadIndex(t) {
		index[d.ID] = d
	}
	rules := compiledWindows(t)
	byID := map[string]*detect.Compiled{}
	for _, c := range rules {
		byID[c.Rule.ID] = c
	}
	ctx := context.Background()
	for _, tc := range []struct {
		dataset string
		want    []string // Sigma ids
	}{
		{"psh_lsass_memory_dump_comsvcs", []string{
			"646ea171-dded-4578-8a4d-65e9822892e3", // Process Memory Dump Via Comsvcs.DLL (process_creation)
			"a49fa4d5-11db-418c-8473-1e014a8dd462", // Lsass Memory Dump via Comsvcs DLL (process_access)
			"d99b79d2-0a6f-4f46-ad8b-260b6e17f982", // Security Eventlog Cleared (SecurityEvent)
		}},
		{"cmd_sam_copy_esentutl", []string{
			"4e87b8e2-2ee9-4b2a-a715-4727d297ece0", // Potential SAM Database Dump (file_event)
		}},
		{"empire_persistence_registry_modification_run_keys_elevated_user", []string{
			"20f0ee37-5942-4e45-b7d5-c5b5db9df5cd", // CurrentVersion Autorun Keys Modification (registry_set)
		}},
		{"wmic_remote_xsl_jscript", []string{
			"06ce37c2-61ab-4f05-9ff5-b1a96d18ae32", // WMIC Loading Scripting Libraries (image_load)
		}},
		{"purplesharp_pe_injection_createremotethread", []string{
			"a1a144b7-5c9b-4853-a559-2172be8d4a03", // Remote Thread Creation In Uncommon Target Image (create_remote_thread)
		}},
	} {
		t.Run(tc.dataset, func(t *testing.T) {
			ds, ok := index[tc.dataset]
			if !ok {
				t.Fatalf("no dataset %s in the index", tc.dataset)
			}
			from, err1 := parseIndexTime(ds.TimeRange.Start)
			to, err2 := parseIndexTime(ds.TimeRange.End)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			from, to = from.Add(-5*time.Minute), to.Add(5*time.Minute)
			in := ingestDataset(ctx, t, tc.dataset)
			now := to
			got := streamAlerts(t, rules, in.rows, now)
			var fired []string
			for id, as := range got {
				fired = append(fired, fmt.Sprintf("%s(%d) %s", id, len(as), byID[id].Rule.Name))
			}
			sort.Strings(fired)
			t.Logf("%d Sigma rules fired:\n  %s", len(fired), strings.Join(fired, "\n  "))
			eng := &hunt.Engine{Store: in.st}
			for _, sid := range tc.want {
				id := "sigma-" + sid
				c := byID[id]
				if c == nil {
					t.Errorf("rule %s did not compile", id)
					continue
				}
				if len(got[id]) == 0 {
					t.Errorf("%s (%s) raised no alert on the stream\n%s", id, c.Rule.Name, c.Rule.Query)
				}
			}
			// The scheduled path (SQL) raises the same alerts as the stream:
			// for every rule that fired, and with VIGIL_SIGMA_ALL_SQL=1
			// for every rule over a table with rows.
			check := map[string]bool{}
			for id := range got {
				check[id] = true
			}
			if os.Getenv("VIGIL_SIGMA_ALL_SQL") != "" {
				for _, c := range rules {
					if len(in.rows[c.Table]) > 0 {
						check[c.Rule.ID] = true
					}
				}
			}
			for id := range check {
				as := got[id]
				sql, _, err := detect.Backtest(ctx, eng, byID[id], from, to)
				if err != nil {
					t.Errorf("%s: backtest: %v", id, err)
					continue
				}
				if !sameAlerts(as, sql) {
					t.Errorf("%s: %d alerts in SQL, %d on the stream\n%s", id, len(sql), len(as), byID[id].Rule.Query)
				}
			}
		})
	}
}

// sameAlerts compares alerts by event time (to the microsecond the store
// keeps), ReportId and title.
func sameAlerts(a, b []detect.Alert) bool {
	key := func(x detect.Alert) string {
		return fmt.Sprintf("%d|%v|%s", x.Timestamp.Truncate(time.Microsecond).UnixNano(), x.Row["ReportId"], x.Title)
	}
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[key(x)]++
	}
	for _, x := range b {
		seen[key(x)]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

// TestCorrelationOnAttackData runs correlation rules on the scheduled
// path over a recording: Security 4688 and Sysmon 1 of the comsvcs dump
// both hold the rundll32 process, so a temporal correlation of a Security
// rule and a process rule fires, and a count above the events there does not.
func TestCorrelationOnAttackData(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests an ATT&CK recording: not in -short")
	}
	var ds dataset
	for _, d := range loadIndex(t) {
		if d.ID == "psh_lsass_memory_dump_comsvcs" {
			ds = d
		}
	}
	from, err1 := parseIndexTime(ds.TimeRange.Start)
	to, err2 := parseIndexTime(ds.TimeRange.End)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	ctx := context.Background()
	in := ingestDataset(ctx, t, ds.ID)
	eng := &hunt.Engine{Store: in.st}
	base := `title: Rundll32 comsvcs
name: comsvcs
logsource: {product: windows, category: process_creation}
detection:
  sel: {CommandLine|contains|all: [comsvcs, MiniDump]}
  condition: sel
---
title: Process created (Security)
name: sec4688
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4688, NewProcessName|endswith: '\rundll32.exe'}
  condition: sel
---
`
	for _, tc := range []struct {
		name, corr string
		alerts     bool
	}{
		{"event_count fires", "type: event_count\n  rules: [comsvcs]\n  group-by: [DeviceName]\n  timespan: 1h\n  condition: {gte: 1}", true},
		{"event_count above", "type: event_count\n  rules: [comsvcs]\n  group-by: [DeviceName]\n  timespan: 1h\n  condition: {gte: 1000}", false},
		{"value_count", "type: value_count\n  rules: [comsvcs]\n  timespan: 1h\n  condition: {gte: 1, field: CommandLine}", true},
		{"temporal_ordered", "type: temporal_ordered\n  rules: [sec4688, comsvcs]\n  group-by: [DeviceName]\n  timespan: 1h", true},
		{"temporal", "type: temporal\n  rules: [comsvcs, sec4688]\n  group-by: [Host]\n  aliases: {Host: {comsvcs: DeviceName, sec4688: DeviceName}}\n  timespan: 1h", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := base + "title: Correlated\nid: 22222222-3333-4444-8555-666666666666\nlevel: high\ntags: [attack.t1003.001]\ncorrelation:\n  " + tc.corr + "\n"
			res := CompileFile([]byte(src), nil)
			last := res[len(res)-1]
			if last.Err != nil {
				t.Fatal(last.Err)
			}
			if last.Compiled.Continuous() {
				t.Fatal("a correlation runs on the schedule")
			}
			as, _, err := detect.Backtest(ctx, eng, last.Compiled, from.Add(-time.Hour), to.Add(time.Hour))
			if err != nil {
				t.Fatalf("%v\n%s", err, last.Rule.Query)
			}
			if (len(as) > 0) != tc.alerts {
				t.Errorf("%d alerts, want any: %v\n%s", len(as), tc.alerts, last.Rule.Query)
			}
		})
	}
}
