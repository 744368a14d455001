package detect_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/detect/pack"
	"github.com/vigilsec/vigil/internal/detect/sigma"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/kql/eval/settest"
	"github.com/vigilsec/vigil/internal/simulate"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// benchRules compiles the built-in pack and every SigmaHQ Windows rule
// (the in-tree Sigma compiler) as enabled continuous rules; Sigma rules
// that cannot run continuously are left out, as the product does.
func benchRules(b *testing.B) []*detect.Compiled {
	rules, err := pack.Rules()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(settest.SigmaDir); err != nil {
		b.Skipf("Sigma rules not available: %v", err)
	}
	var files []string
	err = filepath.WalkDir(settest.SigmaDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	sort.Strings(files)
	failed := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		for _, res := range sigma.CompileFile(data, nil) {
			if res.Err != nil {
				continue
			}
			r := *res.Rule
			r.Frequency, r.Enabled = detect.Continuous, true
			c, err := detect.Compile(&r)
			if err != nil || !c.Continuous() {
				failed++
				continue
			}
			rules = append(rules, c)
		}
	}
	for _, c := range rules {
		c.Rule.Enabled = true
	}
	b.Logf("%d rules (%d compiled Sigma rules cannot run continuously)", len(rules), failed)
	return rules
}

// nativeLines is n DeviceProcessEvents rows from the simulator as a
// sender posts them to POST /api/v1/ingest/DeviceProcessEvents: NDJSON,
// one object per row keyed by column (the simulator's "$table" key
// dropped). ends[i] is where line i ends in the text.
func nativeLines(b *testing.B, n int) (text []byte, ends []int) {
	g, err := simulate.New(simulate.Config{Seed: 3, Tables: []string{"DeviceProcessEvents"}})
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := g.WriteNDJSON(context.Background(), int64(n), &buf); err != nil {
		b.Fatal(err)
	}
	const prefix = `{"$table":"DeviceProcessEvents",`
	for _, line := range bytes.SplitAfter(buf.Bytes(), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if !bytes.HasPrefix(line, []byte(prefix)) {
			b.Fatalf("unexpected simulator line %.80q", line)
		}
		text = append(append(text, '{'), line[len(prefix):]...)
		ends = append(ends, len(text))
	}
	return text, ends
}

// markerLine is a process creation the built-in pack's shadow-copy rule
// (and Sigma's) alerts on, on a device of its own so that deduplication
// never folds two markers into one alert.
func markerLine(i int, at time.Time) []byte {
	return fmt.Appendf(nil, `{"Timestamp":%q,"ReportId":%d,"DeviceId":"%040x","DeviceName":"latency-marker-%d",`+
		`"ActionType":"ProcessCreated","FileName":"vssadmin.exe","FolderPath":"C:\\Windows\\System32\\vssadmin.exe",`+
		`"ProcessCommandLine":"vssadmin.exe delete shadows /all /quiet","AccountName":"marker","AccountDomain":"bench",`+
		`"InitiatingProcessFileName":"cmd.exe","InitiatingProcessCommandLine":"cmd.exe /c vssadmin.exe delete shadows /all /quiet"}`+"\n",
		at.UTC().Format(time.RFC3339Nano), 1<<50+i, i, i)
}

// timedStore adds up the time its Append calls take, keeps the longest
// and counts those over a second (stalls).
type timedStore struct {
	store.Store
	mu       sync.Mutex
	d, worst time.Duration
	stalls   int
}

func (t *timedStore) Append(ctx context.Context, b store.Batch) error {
	start := time.Now()
	err := t.Store.Append(ctx, b)
	d := time.Since(start)
	t.mu.Lock()
	t.d += d
	t.worst = max(t.worst, d)
	if d > time.Second {
		t.stalls++
	}
	t.mu.Unlock()
	return err
}

func (t *timedStore) total() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.d
}

// perRule is the baseline path before rule sets: every enabled
// continuous rule run alone over each batch.
type perRule struct {
	store.Store
	rules []*detect.Compiled
}

func (p *perRule) Append(ctx context.Context, b store.Batch) error {
	now := time.Now()
	var alerts []detect.Alert
	for _, tr := range b.Tables {
		for _, c := range p.rules {
			if c.Table == tr.Table {
				got, _, _ := c.Match(now, tr.Table, tr.Rows)
				alerts = append(alerts, got...)
			}
		}
	}
	if len(alerts) > 0 {
		b.Tables = append(append([]store.TableRows(nil), b.Tables...), detect.Batch(alerts).Tables...)
	}
	return p.Store.Append(ctx, b)
}

// BenchmarkStreamingLatency measures event-to-alert latency under a
// steady background load: every 100 ms one native ingest request
// (POST /api/v1/ingest/DeviceProcessEvents, through the same ingest
// pipeline, without HTTP) of simulator process rows goes into a
// Streaming store over DuckDB with every continuous rule (the pack and
// the SigmaHQ Windows rules), and every markEvery-th request carries one
// more row, a marker that the shadow-copy rules alert on. A request's
// latency runs from when it was due to when its rows and alerts are
// durable and queryable (the request returned), so that a backlog
// counts; the markers' latencies are the event-to-alert figure. The run
// checks that every marker's alert is in AlertEvidence. Baseline in the
// same run: the store alone (no rules).
//
// Run with -benchtime 1x. VIGIL_LATENCY_SECONDS sets the duration
// (default 60), VIGIL_LATENCY_BATCH the rows per request (default 1,000:
// 10,000 events/s), VIGIL_LATENCY_MARKER_EVERY how often a marker is
// sent (default every 10th request: one a second);
// VIGIL_LATENCY_PER_RULE=1 adds the path before rule sets, every rule run
// alone per batch (a sixth of the duration).
func BenchmarkStreamingLatency(b *testing.B) {
	envInt := func(name string, def int) int {
		s := os.Getenv(name)
		if s == "" {
			return def
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("%s: want a positive integer, got %q", name, s)
		}
		return n
	}
	seconds := envInt("VIGIL_LATENCY_SECONDS", 60)
	per := envInt("VIGIL_LATENCY_BATCH", 1000)
	markEvery := envInt("VIGIL_LATENCY_MARKER_EVERY", 10)
	const interval = 100 * time.Millisecond
	rules := benchRules(b)
	// A pool of distinct rows, cycled: 50 requests' worth.
	text, ends := nativeLines(b, 50*per)
	body := func(i int) []byte {
		j := (i * per) % len(ends)
		start := 0
		if j > 0 {
			start = ends[j-1]
		}
		return text[start:ends[j+per-1]]
	}
	run := func(b *testing.B, wrap func(store.Store) store.Store, seconds int) {
		st, err := duckdb.Open(b.TempDir(), store.Options{RetentionInterval: -1})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		storeT := &timedStore{Store: st}
		outT := &timedStore{Store: wrap(storeT)}
		ctx := context.Background()
		request := func(r io.Reader) {
			p, err := ingest.NewPipeline(nil, outT, ingest.Options{Format: "ndjson", Table: "DeviceProcessEvents", BatchRows: math.MaxInt})
			if err != nil {
				b.Fatal(err)
			}
			if err := ingest.ReadLines(ctx, p, "api/DeviceProcessEvents", r, nil); err != nil {
				b.Fatal(err)
			}
			if err := p.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			if s := p.Summary(); s.Rejected > 0 {
				b.Fatalf("%d rows rejected: %v", s.Rejected, s.Errors[0])
			}
		}
		// Warm up: the first append builds the rule sets.
		request(bytes.NewReader(body(0)))
		storeT.d, outT.d, storeT.worst, storeT.stalls = 0, 0, 0, 0
		n := seconds * int(time.Second/interval)
		lat := make([]time.Duration, 0, n)
		var marks []time.Duration
		var busy time.Duration
		b.ResetTimer()
		start := time.Now()
		for i := 1; i <= n; i++ {
			due := start.Add(time.Duration(i-1) * interval)
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
			began := time.Now()
			r := io.Reader(bytes.NewReader(body(i)))
			marked := i%markEvery == 0
			if marked {
				r = io.MultiReader(r, bytes.NewReader(markerLine(i, due)))
			}
			request(r)
			busy += time.Since(began)
			l := time.Since(due)
			lat = append(lat, l)
			if marked {
				marks = append(marks, l)
			}
		}
		elapsed := time.Since(start)
		b.StopTimer()
		q := func(ds []time.Duration, p float64) float64 {
			s := append([]time.Duration(nil), ds...)
			sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
			return float64(s[int(p*float64(len(s)-1))]) / 1e6
		}
		b.ReportMetric(float64(n*per+len(marks))/elapsed.Seconds(), "events/s")
		b.ReportMetric(q(lat, 0.5), "p50-ms")
		b.ReportMetric(q(lat, 0.99), "p99-ms")
		b.ReportMetric(q(lat, 1), "max-ms")
		b.ReportMetric(q(marks, 0.5), "marker-p50-ms")
		b.ReportMetric(q(marks, 0.99), "marker-p99-ms")
		// Where a request's time goes: decoding (the ingest pipeline),
		// detection (rules and alert pipeline), the store's append.
		ms := func(d time.Duration) float64 { return float64(d) / 1e6 / float64(n) }
		b.ReportMetric(ms(busy-outT.total()), "decode-ms/req")
		b.ReportMetric(ms(outT.total()-storeT.total()), "detect-ms/req")
		b.ReportMetric(ms(storeT.total()), "store-ms/req")
		b.ReportMetric(float64(storeT.worst)/1e6, "store-max-ms")
		b.ReportMetric(float64(storeT.stalls), "store-stalls")
		res, err := st.Query(ctx, store.Query{SQL: `SELECT count(*), count(DISTINCT DeviceName) FILTER (WHERE DeviceName LIKE 'latency-marker-%') FROM "AlertEvidence"`})
		if err != nil {
			b.Fatal(err)
		}
		num := func(v any) float64 { f, _ := strconv.ParseFloat(fmt.Sprint(v), 64); return f }
		b.ReportMetric(num(res.Rows[0][0]), "evidence-rows")
		if _, ok := outT.Store.(*detect.Streaming); ok {
			if got := int(num(res.Rows[0][1])); got != len(marks) {
				b.Errorf("%d of %d markers have an alert", got, len(marks))
			}
		}
	}
	b.Run("store-only", func(b *testing.B) {
		run(b, func(st store.Store) store.Store { return st }, seconds)
	})
	b.Run("rule-set", func(b *testing.B) {
		run(b, func(st store.Store) store.Store { return detect.NewStreaming(st, detect.Static(rules)) }, seconds)
	})
	if os.Getenv("VIGIL_LATENCY_PER_RULE") != "" {
		b.Run("per-rule", func(b *testing.B) {
			run(b, func(st store.Store) store.Store { return &perRule{Store: st, rules: rules} }, max(1, seconds/6))
		})
	}
}
