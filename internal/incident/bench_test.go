package incident

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/state"
)

// orgGen generates a day of alerts for a synthetic organisation: each
// alert on a device with its usual user (now and then another user),
// often an IP (internal, or one of a few shared external ones), sometimes
// a file; times spread evenly over 24 hours, in order.
type orgGen struct {
	r       *rand.Rand
	devices int
	n       int
	i       int
}

func (g *orgGen) next(batch int) []Alert {
	out := make([]Alert, 0, batch)
	cats := []string{"Execution", "Persistence", "Discovery", "LateralMovement", "CredentialAccess", "CommandAndControl", "DefenseEvasion"}
	step := 24 * time.Hour / time.Duration(g.n)
	for ; len(out) < batch && g.i < g.n; g.i++ {
		r := g.r
		d := r.IntN(g.devices)
		u := d
		if r.IntN(100) < 1 {
			u = r.IntN(g.devices)
		}
		at := t0.Add(time.Duration(g.i) * step)
		// Ids as Vigil's rules make them (time first, then a hash).
		sum := sha256.Sum256(strconv.AppendInt(nil, int64(g.i), 10))
		a := Alert{ID: detect.AlertID(at, sum[:]), Title: "synthetic", Category: cats[r.IntN(len(cats))], Severity: severities[r.IntN(4)],
			ServiceSource: "Vigil", DetectionSource: "Custom detection", Techniques: []string{"T1059"}, Time: at}
		dev := "ws" + strconv.Itoa(d)
		a.Evidence = append(a.Evidence,
			Evidence{EntityType: "Machine", EvidenceRole: "Impacted", Fields: map[string]any{"DeviceName": dev + ".corp.local", "DeviceId": "id" + strconv.Itoa(d)}},
			Evidence{EntityType: "User", EvidenceRole: "Impacted", Fields: map[string]any{"AccountDomain": "corp", "AccountName": "u" + strconv.Itoa(u), "AccountSid": "S-1-5-21-1-" + strconv.Itoa(u)}})
		switch r.IntN(10) {
		case 0:
			a.Evidence = append(a.Evidence, Evidence{EntityType: "Ip", EvidenceRole: "Related", Fields: map[string]any{"RemoteIP": fmt.Sprintf("10.%d.%d.%d", d>>16&255, d>>8&255, d&255)}})
		case 1:
			a.Evidence = append(a.Evidence, Evidence{EntityType: "Ip", EvidenceRole: "Related", Fields: map[string]any{"RemoteIP": fmt.Sprintf("198.51.%d.%d", r.IntN(8), r.IntN(250))}})
		}
		if r.IntN(10) < 3 {
			a.Evidence = append(a.Evidence, Evidence{EntityType: "File", EvidenceRole: "Related", Fields: map[string]any{"SHA1": fmt.Sprintf("%040x", r.IntN(200_000)), "FileName": "x.exe"}})
		}
		out = append(out, a)
	}
	return out
}

// BenchmarkCorrelate feeds a day of alerts (VIGIL_INCIDENT_BENCH_ALERTS,
// default 100,000; the target is 1,000,000) in batches of 500 into an
// engine on a real SQLite state store, and reports alerts/s and the p50
// and p99 latency of a batch (correlated and committed). The baseline,
// measured in the same run on the same store, is storing the same alert
// rows with no correlation (SaveIncidents of pre-placed alerts).
// VIGIL_INCIDENT_BENCH_TRACE=file writes each batch's start and latency.
func BenchmarkCorrelate(b *testing.B) {
	n := 100_000
	if v := os.Getenv("VIGIL_INCIDENT_BENCH_ALERTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	const batch = 500
	ctx := context.Background()
	for b.Loop() {
		st := openStore(b)
		e := newEngine(b, st, func(s *Settings) { s.FlushAfter = flushAfterBench })
		// As in a server, a listener takes every change (notifications).
		events := 0
		e.OnChange = func(IncidentEvent) { events++ }
		g := &orgGen{r: rand.New(rand.NewPCG(1, 2)), devices: 20_000, n: n}
		var lat []time.Duration
		var in, cpu time.Duration
		tr := openBenchTrace(b)
		start := time.Now()
		for {
			as := g.next(batch)
			if len(as) == 0 {
				break
			}
			t, c := time.Now(), cpuTime()
			if err := e.Ingest(ctx, as); err != nil {
				b.Fatal(err)
			}
			tr.batch(t, time.Since(t))
			lat = append(lat, time.Since(t))
			in += time.Since(t)
			cpu += cpuTime() - c
		}
		t, c := time.Now(), cpuTime()
		if err := e.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		in += time.Since(t)
		cpu += cpuTime() - c
		el := time.Since(start)
		tr.close()
		slices.Sort(lat)
		// alerts/s counts the time spent in Ingest and Flush (generating
		// the alerts is not correlation); wall-alerts/s is the whole loop.
		b.ReportMetric(float64(n)/in.Seconds(), "alerts/s")
		b.ReportMetric(float64(n)/el.Seconds(), "wall-alerts/s")
		b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-us/alert")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		open := len(e.open)
		// Reading back: the engine's load at start (every open
		// incident and its alerts), then each open incident's alerts as
		// its detail page reads them.
		t = time.Now()
		incs, all, err := st.OpenIncidents(ctx)
		if err != nil || len(incs) != open {
			b.Fatalf("%d open incidents read back, want %d: %v", len(incs), open, err)
		}
		b.ReportMetric(float64(time.Since(t).Milliseconds()), "load-ms")
		var reads []time.Duration
		read := 0
		for _, in := range incs {
			t := time.Now()
			as, err := st.IncidentAlerts(ctx, in.ID)
			if err != nil {
				b.Fatal(err)
			}
			reads = append(reads, time.Since(t))
			read += len(as)
		}
		if read != len(all) {
			b.Fatalf("%d alerts read incident by incident, %d at once", read, len(all))
		}
		slices.Sort(reads)
		b.ReportMetric(float64(reads[len(reads)/2].Microseconds())/1000, "read-p50-ms")
		b.ReportMetric(float64(reads[len(reads)-1].Microseconds())/1000, "read-max-ms")
		page, err := st.ListIncidents(ctx, state.IncidentFilter{Limit: 1, IncludeRedirected: true})
		if err != nil {
			b.Fatal(err)
		}
		merged, err := st.ListIncidents(ctx, state.IncidentFilter{Limit: 1, OnlyRedirected: true})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(page.Total), "incidents")
		b.ReportMetric(float64(merged.Total), "merged")
		b.ReportMetric(float64(open), "open")
		if events == 0 {
			b.Fatal("no change events")
		}

		// Baseline: the same alerts' rows stored with no correlation, each
		// batch into one incident row, through the same store.
		st2 := openStore(b)
		g = &orgGen{r: rand.New(rand.NewPCG(1, 2)), devices: 20_000, n: n}
		var id int64
		var base time.Duration
		for {
			as := g.next(batch)
			if len(as) == 0 {
				break
			}
			t := time.Now()
			id++
			in := &state.Incident{ID: id, Name: "baseline", Severity: "Low", Status: "New", AlertCount: len(as)}
			rows := make([]state.IncidentAlert, len(as))
			for i := range as {
				rows[i] = state.IncidentAlert{AlertID: as[i].ID, IncidentID: id, Time: as[i].Time, Title: as[i].Title, Severity: as[i].Severity,
					Category: as[i].Category, Entities: entitiesOf(&as[i]), Reasons: []state.LinkReason{{Kind: "opened"}}}
			}
			if err := st2.SaveIncidents(ctx, &state.IncidentChange{Incidents: []*state.Incident{in}, Alerts: rows},
				[]state.Audit{{Actor: "system", Action: "bench"}}); err != nil {
				b.Fatal(err)
			}
			base += time.Since(t)
		}
		b.ReportMetric(float64(n)/base.Seconds(), "baseline-alerts/s")
	}
}

// processStart is about when the process started: the time base of
// GODEBUG=gctrace=1's "@...s", for lining batches up with collections.
var processStart = time.Now()

// benchTrace writes, when VIGIL_INCIDENT_BENCH_TRACE names a file, one
// line per batch: its start in seconds since processStart and its
// latency in milliseconds.
type benchTrace struct {
	f *os.File
	w *bufio.Writer
}

func openBenchTrace(b *testing.B) *benchTrace {
	path := os.Getenv("VIGIL_INCIDENT_BENCH_TRACE")
	if path == "" {
		return &benchTrace{}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	return &benchTrace{f: f, w: bufio.NewWriter(f)}
}

func (t *benchTrace) batch(start time.Time, d time.Duration) {
	if t.w != nil {
		fmt.Fprintf(t.w, "%.3f %.2f\n", start.Sub(processStart).Seconds(), float64(d.Microseconds())/1000)
	}
}

func (t *benchTrace) close() {
	if t.w != nil {
		t.w.Flush()
		t.f.Close()
	}
}

// cpuTime is the CPU time (user and system) the process has used: on a
// shared machine, CPU per alert holds better than a rate.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var flushAfterBench = func() time.Duration {
	if v := os.Getenv("VIGIL_INCIDENT_BENCH_FLUSH"); v != "" {
		d, _ := time.ParseDuration(v)
		return d
	}
	return Defaults().FlushAfter
}()

// memStore is an IncidentStore that keeps only which alert is where: it
// isolates the engine's own cost from the database's.
type memStore struct {
	state.IncidentStore
	placed map[string]int64
}

func (m *memStore) SaveIncidents(_ context.Context, ch *state.IncidentChange, _ []state.Audit) error {
	for _, a := range ch.Alerts {
		m.placed[a.AlertID] = a.IncidentID
	}
	for _, in := range ch.Incidents {
		in.Version++
	}
	return nil
}

func (m *memStore) IncidentOfAlerts(_ context.Context, ids []string) (map[string]int64, error) {
	out := map[string]int64{}
	for _, id := range ids {
		if v, ok := m.placed[id]; ok {
			out[id] = v
		}
	}
	return out, nil
}

func (m *memStore) MaxIncidentID(context.Context) (int64, error) { return 0, nil }
func (m *memStore) OpenIncidents(context.Context) ([]state.Incident, []state.IncidentAlert, error) {
	return nil, nil, nil
}

// BenchmarkCorrelateMemory is BenchmarkCorrelate's workload with the
// store's writes discarded: the engine's own throughput.
func BenchmarkCorrelateMemory(b *testing.B) {
	n := 100_000
	if v := os.Getenv("VIGIL_INCIDENT_BENCH_ALERTS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	ctx := context.Background()
	for b.Loop() {
		e := newEngine(b, &memStore{placed: map[string]int64{}}, func(s *Settings) { s.FlushAfter = flushAfterBench })
		// As in a server, a listener takes every change (notifications).
		events := 0
		e.OnChange = func(IncidentEvent) { events++ }
		g := &orgGen{r: rand.New(rand.NewPCG(1, 2)), devices: 20_000, n: n}
		var lat []time.Duration
		var cpu time.Duration
		start := time.Now()
		for {
			as := g.next(500)
			if len(as) == 0 {
				break
			}
			t, c := time.Now(), cpuTime()
			if err := e.Ingest(ctx, as); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t))
			cpu += cpuTime() - c
		}
		el := time.Since(start)
		slices.Sort(lat)
		b.ReportMetric(float64(n)/el.Seconds(), "alerts/s")
		b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-us/alert")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(len(e.open)), "open")
		if events == 0 {
			b.Fatal("no change events")
		}
	}
}
