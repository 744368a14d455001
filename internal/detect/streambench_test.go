package detect_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/detect/pack"
	"github.com/vigilsec/vigil/internal/kql/eval/settest"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// benchRules compiles the built-in pack and the Windows Sigma rules (the
// Sigma compiler's output when VIGIL_SIGMA_RULES names a JSON-lines file
// of {"id","title","query"}, else settest's translation) as enabled
// continuous rules.
func benchRules(b *testing.B) []*detect.Compiled {
	rules, err := pack.Rules()
	if err != nil {
		b.Fatal(err)
	}
	type src struct{ ID, Title, Query string }
	var sigma []src
	if f := os.Getenv("VIGIL_SIGMA_RULES"); f != "" {
		fh, err := os.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		defer fh.Close()
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var r src
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				b.Fatal(err)
			}
			sigma = append(sigma, r)
		}
	} else {
		if _, err := os.Stat(settest.SigmaDir); err != nil {
			b.Skipf("Sigma rules not available: %v", err)
		}
		rs, err := settest.Sigma(settest.SigmaDir)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rs {
			sigma = append(sigma, src{r.ID, r.Title, r.Query})
		}
	}
	failed := 0
	for _, s := range sigma {
		title := strings.NewReplacer("{{", "", "}}", "").Replace(s.Title)
		c, err := detect.Compile(&detect.Rule{ID: "bench-" + strings.TrimPrefix(s.ID, "sigma-"), Name: title, Query: s.Query,
			Frequency: detect.Continuous, Severity: detect.Medium, Category: "Execution", Title: "Sigma: " + title, Enabled: true})
		if err != nil || !c.Continuous() {
			failed++
			continue
		}
		rules = append(rules, c)
	}
	for _, c := range rules {
		c.Rule.Enabled = true
	}
	b.Logf("%d rules (%d Sigma rules did not compile as continuous detections)", len(rules), failed)
	return rules
}

func fmtValue(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// perRule is the baseline: the path Streaming took before rule sets,
// every enabled continuous rule run alone over each batch.
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

// loadBatches cuts the recorded attacks, as the pipeline normalized
// them, into batches of per rows (one ingest request each), cycling
// until n batches; each cycle after the first shifts ReportId so that
// its events, and the alerts they raise, are new.
func loadBatches(ing *settest.Ingested, per, n int) func(i int) store.Batch {
	type piece struct {
		table string
		rows  [][]any
	}
	var all []piece
	for _, b := range ing.Batches {
		for _, tr := range b.Tables {
			for i := 0; i < len(tr.Rows); i += per {
				all = append(all, piece{tr.Table, tr.Rows[i:min(i+per, len(tr.Rows))]})
			}
		}
	}
	// Batches of per rows, mixing tables as requests do.
	var batches []store.Batch
	var cur store.Batch
	size := 0
	for _, p := range all {
		for len(p.rows) > 0 {
			k := min(per-size, len(p.rows))
			cur.Tables = append(cur.Tables, store.TableRows{Table: p.table, Rows: p.rows[:k]})
			p.rows = p.rows[k:]
			size += k
			if size == per {
				cur.Canonical = true
				batches = append(batches, cur)
				cur, size = store.Batch{}, 0
			}
		}
	}
	return func(i int) store.Batch {
		b := batches[i%len(batches)]
		cycle := int64(i / len(batches))
		if cycle == 0 {
			return b
		}
		out := store.Batch{Canonical: true}
		for _, tr := range b.Tables {
			t, _ := schema.Lookup(tr.Table)
			_, rid, ok := t.Column("ReportId")
			rows := tr.Rows
			if ok {
				rows = make([][]any, len(tr.Rows))
				for j, r := range tr.Rows {
					c := append([]any(nil), r...)
					if id, isLong := c[rid].(int64); isLong {
						c[rid] = id + cycle<<40
					}
					rows[j] = c
				}
			}
			out.Tables = append(out.Tables, store.TableRows{Table: tr.Table, Rows: rows})
		}
		return out
	}
}

// BenchmarkStreamingLatency measures event-to-alert latency under a
// steady 10,000 events/s: every 100 ms one ingest request of 1,000
// recorded attack events is appended to a Streaming store over DuckDB,
// and the latency of each is the time from when it was due to when its
// events and alerts are durable (Append returned), so that a backlog
// counts. Baselines in the same run: the store alone, and every rule
// run alone per batch (the path before rule sets). Run with -benchtime
// 1x; VIGIL_LATENCY_SECONDS sets the duration (default 60; the per-rule
// baseline runs a sixth of it, on every sixth request) and VIGIL_LATENCY_BATCH the events per
// request (default 1,000: 10,000 events/s).
func BenchmarkStreamingLatency(b *testing.B) {
	rules := benchRules(b)
	if _, err := os.Stat(settest.AttackDir); err != nil {
		b.Skipf("attack datasets not available: %v", err)
	}
	ing, err := settest.AttackRows(settest.AttackDir, 0)
	if err != nil {
		b.Fatal(err)
	}
	seconds := 60
	if s := os.Getenv("VIGIL_LATENCY_SECONDS"); s != "" {
		if seconds, err = strconv.Atoi(s); err != nil {
			b.Fatalf("VIGIL_LATENCY_SECONDS: %v", err)
		}
	}
	const interval = 100 * time.Millisecond
	per := 1000
	if s := os.Getenv("VIGIL_LATENCY_BATCH"); s != "" {
		if per, err = strconv.Atoi(s); err != nil || per < 1 {
			b.Fatalf("VIGIL_LATENCY_BATCH: %v", s)
		}
	}
	// stride spreads a shorter run's batches over the same data.
	run := func(b *testing.B, wrap func(store.Store) store.Store, seconds, stride int) {
		st, err := duckdb.Open(b.TempDir(), store.Options{RetentionInterval: -1})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		s := wrap(st)
		n := seconds * int(time.Second/interval)
		all := loadBatches(ing, per, n*stride)
		batch := func(i int) store.Batch { return all(i * stride) }
		ctx := context.Background()
		// Warm up: the first append builds the rule sets.
		if err := s.Append(ctx, batch(0)); err != nil {
			b.Fatal(err)
		}
		lat := make([]time.Duration, 0, n)
		b.ResetTimer()
		start := time.Now()
		for i := 1; i <= n; i++ {
			due := start.Add(time.Duration(i-1) * interval)
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
			if err := s.Append(ctx, batch(i)); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(due))
		}
		elapsed := time.Since(start)
		b.StopTimer()
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / 1e6 }
		res, err := st.Query(ctx, store.Query{SQL: `SELECT count(*) FROM "AlertInfo"`})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(q(0.5), "p50-ms")
		b.ReportMetric(q(0.99), "p99-ms")
		b.ReportMetric(q(1), "max-ms")
		b.ReportMetric(float64(n*per)/elapsed.Seconds(), "events/s")
		alerts, _ := strconv.ParseFloat(strings.TrimSpace(fmtValue(res.Rows[0][0])), 64)
		b.ReportMetric(alerts, "alerts")
	}
	b.Run("store-only", func(b *testing.B) {
		run(b, func(st store.Store) store.Store { return st }, seconds, 1)
	})
	b.Run("rule-set", func(b *testing.B) {
		run(b, func(st store.Store) store.Store { return detect.NewStreaming(st, detect.Static(rules)) }, seconds, 1)
	})
	b.Run("per-rule", func(b *testing.B) {
		run(b, func(st store.Store) store.Store { return &perRule{Store: st, rules: rules} }, max(1, seconds/6), 6)
	})
}
