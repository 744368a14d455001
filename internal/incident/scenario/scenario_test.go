// Package scenario_test replays recorded attacks (OTRF Security-Datasets)
// through ingestion, the built-in detection pack and correlation, and
// checks the incidents they end as. It links the DuckDB event store, so
// it lives apart from the engine's unit tests.
package scenario_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/detect/pack"
	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/incident"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/enrich"
	"github.com/vigilsec/vigil/internal/ingest/formats"
	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/state/sqlite"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// attackDir holds the recordings, next to the repository.
const attackDir = "../../../../shared/datasets/attack"

type dataset struct {
	ID        string `json:"id"`
	TimeRange struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"time_range"`
}

func parseIndexTime(s string) time.Time {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// replay ingests a recording into a fresh event store and runs every pack
// rule over its time range; it returns the alerts.
func replay(t *testing.T, id string) []detect.Alert {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(attackDir, "index.json"))
	if err != nil {
		t.Skipf("attack datasets not available: %v", err)
	}
	var ds []dataset
	if err := json.Unmarshal(data, &ds); err != nil {
		t.Fatal(err)
	}
	var d *dataset
	for i := range ds {
		if ds[i].ID == id {
			d = &ds[i]
		}
	}
	if d == nil {
		t.Fatalf("no dataset %s", id)
	}
	ctx := context.Background()
	st, err := duckdb.Open(t.TempDir(), store.Options{RetentionInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	opts := ingest.Options{Format: "auto"}
	if opts.Enrichers, err = enrich.Default(ctx, st); err != nil {
		t.Fatal(err)
	}
	p, err := ingest.NewPipeline(formats.Registry(), st, opts)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(attackDir, id+".ndjson.gz")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := ingest.ReadLines(ctx, p, path, f, nil); err != nil {
		t.Fatal(err)
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	rules, err := pack.Rules()
	if err != nil {
		t.Fatal(err)
	}
	from, to := parseIndexTime(d.TimeRange.Start).Add(-time.Minute), parseIndexTime(d.TimeRange.End).Add(time.Minute)
	eng := &hunt.Engine{Store: st}
	var out []detect.Alert
	for _, c := range rules {
		alerts, _, err := detect.Backtest(ctx, eng, c, from, to)
		if err != nil {
			t.Errorf("rule %s: %v", c.Rule.ID, err)
			continue
		}
		out = append(out, alerts...)
	}
	// The same row can match a rule from two overlapping windows.
	seen := map[string]bool{}
	kept := out[:0]
	for _, a := range out {
		if !seen[a.ID] {
			seen[a.ID] = true
			kept = append(kept, a)
		}
	}
	if len(kept) == 0 {
		t.Fatalf("%s raised no alerts", id)
	}
	return kept
}

// correlate runs alerts through a fresh engine and returns its incidents
// holding alerts, with their alerts.
func correlate(t *testing.T, alerts []incident.Alert) (map[int64][]state.IncidentAlert, *sqlite.Store) {
	return correlateWith(t, alerts, nil)
}

// correlateWith is correlate with the devices' own addresses known, as
// the server learns them from the stored rows.
func correlateWith(t *testing.T, alerts []incident.Alert, addrs map[string]string) (map[int64][]state.IncidentAlert, *sqlite.Store) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	set := incident.Defaults()
	set.FlushAfter = 0
	e, err := incident.New(st, set)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := e.Load(ctx); err != nil {
		t.Fatal(err)
	}
	e.ObserveAddresses(addrs)
	if err := e.Ingest(ctx, alerts); err != nil {
		t.Fatal(err)
	}
	page, err := st.ListIncidents(ctx, state.IncidentFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64][]state.IncidentAlert{}
	for _, in := range page.Items {
		as, err := st.IncidentAlerts(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(as) > 0 {
			out[in.ID] = as
		}
	}
	return out, st
}

// describe prints incidents for the test log: why each alert joined.
func describe(t *testing.T, st *sqlite.Store, incs map[int64][]state.IncidentAlert) {
	t.Helper()
	var ids []int64
	for id := range incs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		in, _ := st.IncidentByID(context.Background(), id)
		t.Logf("incident %d %q: %d alerts, devices %v, users %v", id, in.Name, in.AlertCount, in.Devices, in.Users)
		for _, a := range incs[id] {
			var rs []string
			for _, r := range a.Reasons {
				rs = append(rs, strings.TrimSpace(fmt.Sprintf("%s %s %s %s", r.Kind, r.EntityKind, r.EntityValue, r.Note)))
			}
			t.Logf("  %s %s [%s]", a.Time.Format(time.RFC3339), a.Title, strings.Join(rs, "; "))
		}
	}
}

func TestMetasploitLsassIsOneIncident(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests an 85 MB recording")
	}
	alerts := replay(t, "metasploit_comsvcs_lsass_memory_dump")
	incs, st := correlate(t, incident.FromDetect(alerts))
	describe(t, st, incs)
	if len(incs) != 1 {
		t.Errorf("%d alerts ended as %d incidents, want 1", len(alerts), len(incs))
	}
}

func TestPurpleSharpADPlaybook(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests a 37 MB recording")
	}
	alerts := replay(t, "purplesharp_ad_playbook_I")
	incs, st := correlate(t, incident.FromDetect(alerts))
	describe(t, st, incs)
	// One incident spanning the hosts, or a split in which every alert
	// beyond an incident's first says which entity or sequence brought
	// it, and no two incidents share a linkable entity.
	for id, as := range incs {
		opened := 0
		for _, a := range as {
			linked := false
			for _, r := range a.Reasons {
				linked = linked || r.Kind == "entity" || r.Kind == "sequence" || r.Kind == "merge"
			}
			if !linked {
				opened++
			}
		}
		if opened != 1 {
			t.Errorf("incident %d: %d alerts joined without a link reason, want only its first", id, opened)
		}
	}
	if len(incs) > 1 {
		t.Logf("split into %d incidents; the reasons above explain each", len(incs))
		return
	}
	for _, in := range incs {
		hosts := map[string]bool{}
		for _, a := range in {
			for _, e := range a.Entities {
				if e.Kind == incident.KindDevice {
					hosts[strings.SplitN(e.Value, ".", 2)[0]] = true
				}
			}
		}
		for _, h := range []string{"mordordc", "workstation5", "workstation6", "workstation7"} {
			if !hosts[h] {
				t.Errorf("the incident does not span %s: %v", h, hosts)
			}
		}
	}
}

func TestUnrelatedScenariosStayApart(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests two recordings")
	}
	a := replay(t, "psh_lsass_memory_dump_comsvcs")
	b := replay(t, "reg_disable_eventlog_service_startuptype_modification_via_registry")
	// Run them at once: shift the second onto the first's time.
	shift := a[0].Timestamp.Sub(b[0].Timestamp)
	for i := range b {
		b[i].Timestamp = b[i].Timestamp.Add(shift)
	}
	incs, st := correlate(t, append(incident.FromDetect(a), incident.FromDetect(b)...))
	describe(t, st, incs)
	of := map[string]int64{}
	for id, as := range incs {
		for _, x := range as {
			of[x.AlertID] = id
		}
	}
	for _, x := range a {
		for _, y := range b {
			if of[x.ID] == of[y.ID] {
				t.Fatalf("alerts of unrelated scenarios share incident %d: %s and %s", of[x.ID], x.Title, y.Title)
			}
		}
	}
}
