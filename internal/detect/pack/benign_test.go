package pack_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect/pack"
	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/simulate"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// benignAlertBudget is how many alerts the whole pack may raise on the
// demo's benign background (no attack scenarios): a false positive here is
// one an analyst would see on a quiet day.
const benignAlertBudget = 3

// TestBenignBackground replays every pack rule over the simulator's benign
// activity and fails when the pack raises more than benignAlertBudget
// alerts. VIGIL_BENIGN_EVENTS sets the volume (default 100000; the demo
// check uses 300000) and VIGIL_BENIGN_SEED the simulator's seed (default 1);
// VIGIL_BENIGN_DATA=DIR replays a data dir `vigil simulate --no-scenarios`
// filled instead (events is then reported as -1).
func TestBenignBackground(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and replays benign activity: not in -short")
	}
	events := int64(100_000)
	if s := os.Getenv("VIGIL_BENIGN_EVENTS"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("VIGIL_BENIGN_EVENTS: %v", err)
		}
		events = n
	}
	seed := uint64(1)
	if s := os.Getenv("VIGIL_BENIGN_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("VIGIL_BENIGN_SEED: %v", err)
		}
		seed = n
	}
	rules, err := pack.Rules()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var st store.Store
	if dir := os.Getenv("VIGIL_BENIGN_DATA"); dir != "" {
		// A data dir filled by `vigil simulate --no-scenarios --data DIR`.
		if st, err = duckdb.Open(dir, store.Options{RetentionInterval: -1}); err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		events = -1
	} else {
		st = openStore(t)
		g, err := simulate.New(simulate.Config{Seed: seed, NoScenarios: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Generate(ctx, events, st); err != nil {
			t.Fatal(err)
		}
	}
	eng := &hunt.Engine{Store: st}
	res, err := eng.Run(ctx, hunt.Request{Query: "union DeviceProcessEvents, DeviceNetworkEvents, DeviceFileEvents, DeviceLogonEvents, IdentityLogonEvents, CloudAppEvents | summarize min(Timestamp), max(Timestamp)", Timespan: -1})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := res.Rows[0][0].(time.Time)
	last, _ := res.Rows[0][1].(time.Time)
	if first.IsZero() || last.IsZero() {
		t.Fatalf("no benign rows: %v", res.Rows)
	}
	from, to := first.Add(-time.Minute).Truncate(time.Hour), last.Add(time.Hour).Truncate(time.Hour)
	alerts := backtestAll(ctx, t, st, rules, from, to, nil)
	total := 0
	var lines []string
	for _, c := range rules {
		as := alerts[c.Rule.ID]
		total += len(as)
		if len(as) == 0 {
			continue
		}
		lines = append(lines, fmt.Sprintf("%-40s %d  e.g. %s", c.Rule.ID, len(as), as[0].Title))
	}
	sort.Strings(lines)
	t.Logf("benign background: seed %d, %d events, %s - %s, %d rules, %d alerts\n%s", seed, events,
		first.Format(time.RFC3339), last.Format(time.RFC3339), len(rules), total, strings.Join(lines, "\n"))
	if total > benignAlertBudget {
		t.Errorf("the pack raised %d alerts on benign activity, over the budget of %d", total, benignAlertBudget)
	}
}

// scenarioFloor is how many of the demo scenarios' (scenario, technique)
// steps the pack must detect with an alert carrying the technique (or its
// parent) on the step's device or account.
const scenarioFloor = 21

// TestScenarios runs the demo's attack scenarios inside benign activity
// and reports which of their steps the pack detects.
func TestScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and replays the demo scenarios: not in -short")
	}
	rules, err := pack.Rules()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st := openStore(t)
	g, err := simulate.New(simulate.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	start := simulate.DefaultStart
	if err := g.ScheduleDefaults(start, start.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := g.Generate(ctx, 300_000, st); err != nil {
		t.Fatal(err)
	}
	truth := g.GroundTruth()
	if len(truth) == 0 {
		t.Fatal("no scenario rows generated")
	}
	last := start
	for _, tr := range truth {
		if tr.Time.After(last) {
			last = tr.Time
		}
	}
	alerts := backtestAll(ctx, t, st, rules, start.Add(-time.Minute), last.Add(2*time.Hour).Truncate(time.Hour), nil)
	type key struct{ scenario, technique string }
	steps := map[key]bool{}
	for _, tr := range truth {
		steps[key{tr.Scenario, tr.Technique}] = false
	}
	byTech := map[string][]string{}
	total := 0
	for id, as := range alerts {
		total += len(as)
		for _, a := range as {
			for _, tech := range a.Techniques {
				byTech[tech] = append(byTech[tech], id)
			}
		}
	}
	var lines []string
	covered := 0
	for k := range steps {
		var hits []string
		seen := map[string]bool{}
		for tech, ids := range byTech {
			if !covers(tech, k.technique) {
				continue
			}
			for _, id := range ids {
				if !seen[id] {
					seen[id] = true
					hits = append(hits, id)
				}
			}
		}
		sort.Strings(hits)
		mark := "no "
		if len(hits) > 0 {
			mark = "yes"
			covered++
		}
		lines = append(lines, fmt.Sprintf("%-18s %-10s %s %s", k.scenario, k.technique, mark, strings.Join(hits, " ")))
	}
	sort.Strings(lines)
	var ids []string
	for id, as := range alerts {
		ids = append(ids, fmt.Sprintf("%s(%d)", id, len(as)))
	}
	sort.Strings(ids)
	t.Logf("scenarios: %d of %d (scenario, technique) steps detected; %d alerts: %s\n%s", covered, len(steps), total,
		strings.Join(ids, " "), strings.Join(lines, "\n"))
	if covered < scenarioFloor {
		t.Errorf("detected %d scenario steps, below the floor %d", covered, scenarioFloor)
	}
}
