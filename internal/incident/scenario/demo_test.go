package scenario_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/detect/pack"
	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/incident"
	"github.com/vigilsec/vigil/internal/simulate"
	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/state/sqlite"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// simulated runs the demo's organisation with the named scenarios all
// starting at the same time, runs the pack over it, and correlates the
// alerts as the server does (device addresses learnt from the stored
// rows). It returns the incidents and the devices each scenario run
// touched, from the simulator's ground truth.
func simulated(t *testing.T, scenarios ...string) (map[int64][]state.IncidentAlert, map[string]map[string]bool, map[string]string, *incidentStore) {
	t.Helper()
	ctx := context.Background()
	g, err := simulate.New(simulate.Config{Seed: 7, Devices: 24, Users: 30, NoScenarios: true})
	if err != nil {
		t.Fatal(err)
	}
	start := simulate.DefaultStart
	for _, name := range scenarios {
		var sc *simulate.Scenario
		for _, s := range simulate.Scenarios() {
			if s.Name == name {
				sc = s
			}
		}
		if sc == nil {
			t.Fatalf("no scenario %s", name)
		}
		if err := g.Schedule(sc, start.Add(30*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	st, err := duckdb.Open(t.TempDir(), store.Options{RetentionInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	addrs := map[string]string{}
	sink := sinkFunc(func(ctx context.Context, b store.Batch) error {
		for ip, dev := range incident.AddressesOf(b) {
			addrs[ip] = dev
		}
		return st.Append(ctx, b)
	})
	end := start.Add(5 * time.Hour)
	if err := g.Run(ctx, start, end, sink); err != nil {
		t.Fatal(err)
	}
	devices := map[string]map[string]bool{}
	runOfReport := map[string]string{}
	for _, tr := range g.GroundTruth() {
		runOfReport[fmt.Sprint(tr.ReportID)] = tr.Run
		if devices[tr.Run] == nil {
			devices[tr.Run] = map[string]bool{}
		}
		if tr.DeviceName != "" {
			devices[tr.Run][strings.ToLower(strings.SplitN(tr.DeviceName, ".", 2)[0])] = true
		}
		if tr.AccountName != "" {
			devices[tr.Run]["account:"+strings.ToLower(tr.AccountName)] = true
		}
	}
	rules, err := pack.Rules()
	if err != nil {
		t.Fatal(err)
	}
	eng := &hunt.Engine{Store: st}
	var alerts []detect.Alert
	seen := map[string]bool{}
	for _, c := range rules {
		got, _, err := detect.Backtest(ctx, eng, c, start, end)
		if err != nil {
			t.Errorf("rule %s: %v", c.Rule.ID, err)
			continue
		}
		for _, a := range got {
			if !seen[a.ID] {
				seen[a.ID] = true
				alerts = append(alerts, a)
			}
		}
	}
	// An alert raised by a scenario's row belongs to that run.
	runOfAlert := map[string]string{}
	for _, a := range alerts {
		if r, ok := runOfReport[fmt.Sprint(a.Row["ReportId"])]; ok {
			runOfAlert[a.ID] = r
		}
	}
	incs, sst := correlateWith(t, incident.FromDetect(alerts), addrs)
	return incs, devices, runOfAlert, &incidentStore{sst}
}

type sinkFunc func(context.Context, store.Batch) error

func (f sinkFunc) Append(ctx context.Context, b store.Batch) error { return f(ctx, b) }

// hostsOf are the short device names of an incident's alerts.
func hostsOf(as []state.IncidentAlert) map[string]bool {
	hosts := map[string]bool{}
	for _, a := range as {
		for _, e := range a.Entities {
			if e.Kind == incident.KindDevice {
				hosts[strings.SplitN(strings.ToLower(e.Value), ".", 2)[0]] = true
			}
		}
	}
	return hosts
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestDemoRansomwareIsOneIncident: the demo's human-operated ransomware
// (phishing, macro, C2, LSASS dump, PsExec, WMI and RDP to three more
// devices, shadow copies, encryption) ends as one incident spanning the
// first victim and the devices it spread to.
func TestDemoRansomwareIsOneIncident(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates five hours of an organisation")
	}
	incs, devices, runOf, st := simulated(t, "ransomware")
	describe(t, st.Store, incs)
	var run map[string]bool
	for _, d := range devices {
		run = d
	}
	var biggest []state.IncidentAlert
	for _, as := range incs {
		if len(as) > len(biggest) {
			biggest = as
		}
	}
	hosts := hostsOf(biggest)
	var missing []string
	for d := range run {
		if !hosts[d] && !strings.HasPrefix(d, "dc") && !strings.HasPrefix(d, "mail") && !strings.HasPrefix(d, "account:") {
			missing = append(missing, d)
		}
	}
	if len(hosts) < 4 || len(missing) > 0 {
		t.Errorf("the largest incident spans %v; the scenario touched %v (missing %v)", keys(hosts), keys(run), missing)
	}
	// Every alert raised by the scenario's own rows, the phishing mail
	// included, is in that incident.
	in := map[string]bool{}
	for _, a := range biggest {
		in[a.AlertID] = true
	}
	traced := 0
	for id := range runOf {
		traced++
		if !in[id] {
			t.Errorf("alert %s of the scenario is outside its incident", id)
		}
	}
	t.Logf("%d of the incident's %d alerts traced to the scenario's rows", traced, len(biggest))
	if traced < 10 {
		t.Errorf("only %d alerts traced to the scenario's rows", traced)
	}
}

// TestDemoScenariosAtOnceStayApart: ransomware and business email compromise
// running at the same time on different users and devices end as
// separate incidents.
func TestDemoScenariosAtOnceStayApart(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates five hours of an organisation")
	}
	incs, devices, runOf, st := simulated(t, "ransomware", "bec")
	describe(t, st.Store, incs)
	if len(devices) != 2 {
		t.Fatalf("scenario runs %v", keys(map[string]bool{}))
	}
	// No incident holds alerts raised by rows of both runs.
	for id, as := range incs {
		runs := map[string]bool{}
		for _, a := range as {
			if r := runOf[a.AlertID]; r != "" {
				runs[r] = true
			}
		}
		if len(runs) > 1 {
			t.Errorf("incident %d holds alerts of both scenarios: %v", id, keys(runs))
		}
	}
	if len(runOf) == 0 {
		t.Fatal("no alert traced to a scenario row")
	}
}

type incidentStore struct{ Store *sqlite.Store }
