package eval

import (
	"context"
	"encoding/json"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/simulate"
	"github.com/vigilsec/vigil/internal/store"
)

// SigmaRules compiles the SigmaHQ Windows rules with the in-tree Sigma
// compiler (internal/detect/sigma). It is set by an external test file
// (sigma_rules_test.go), because the compiler imports this package.
var SigmaRules func() (queries []string, source string, err error)

// benchQueries are the rules of the rule-set benchmark and the exactness
// test: the Windows Sigma rules as the Sigma compiler makes them, and
// the built-in pack.
func benchQueries(tb testing.TB) (queries []string, source string) {
	if SigmaRules == nil {
		tb.Fatal("SigmaRules is not set (sigma_rules_test.go)")
	}
	queries, source, err := SigmaRules()
	if os.IsNotExist(err) {
		tb.Skipf("Sigma rules not available: %v", err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	queries = append(queries, packQueries(tb)...)
	return queries, source
}

// benchStream is an event stream: batches cycled until n rows of tables
// with rules, keeping only those tables.
func benchStream(batches []store.Batch, progs map[string][]*Program, n int) (stream []store.TableRows, events int) {
	for events < n {
		for _, b := range batches {
			for _, tr := range b.Tables {
				if len(progs[tr.Table]) == 0 || events >= n {
					continue
				}
				rows := tr.Rows
				if events+len(rows) > n {
					rows = rows[:n-events]
				}
				stream = append(stream, store.TableRows{Table: tr.Table, Rows: rows})
				events += len(rows)
			}
		}
	}
	return stream, events
}

// simStream is n DeviceProcessEvents rows from the simulator (benign
// activity and the demo's attack scenarios), in its batches.
func simStream(tb testing.TB, n int) []store.TableRows {
	sink := &simSink{}
	g, err := simulate.New(simulate.Config{Seed: 1, Tables: []string{"DeviceProcessEvents"}, BatchRows: 5000})
	if err != nil {
		tb.Fatal(err)
	}
	if err := g.Generate(context.Background(), int64(n), sink); err != nil {
		tb.Fatal(err)
	}
	return sink.tables
}

type simSink struct{ tables []store.TableRows }

func (s *simSink) Append(_ context.Context, b store.Batch) error {
	for _, tr := range b.Tables {
		if tr.Table == "DeviceProcessEvents" {
			s.tables = append(s.tables, tr)
		}
	}
	return nil
}

// BenchmarkRuleSet measures continuous rules over Sysmon-shaped events
// on one core: about 2,400 rules (Windows Sigma plus the built-in pack)
// matched through one Set per table, against the baseline of running
// every program alone over a 20,000-event sample spread over the same
// stream.
// Two streams of 1,000,000 rows: "attack" is the recorded attacks' rows
// as the ingest pipeline batches them, cycled (mostly WindowsEvent,
// DeviceEvents and registry rows: process creations are few there);
// "process" is DeviceProcessEvents from the simulator, where most Sigma
// rules apply. Run with -cpu 1 -benchtime 1x; VIGIL_RULESET_EVENTS
// changes the streams' size.
func BenchmarkRuleSet(b *testing.B) {
	queries, source := benchQueries(b)
	progs := map[string][]*Program{}
	src := map[*Program]string{}
	nProgs := 0
	for _, q := range queries {
		p, err := CompileText(q, "")
		if err != nil {
			continue // rules that only run on a schedule
		}
		src[p] = q
		progs[p.Table()] = append(progs[p.Table()], p)
		nProgs++
	}
	n := 1_000_000
	if s := os.Getenv("VIGIL_RULESET_EVENTS"); s != "" {
		if err := json.Unmarshal([]byte(s), &n); err != nil {
			b.Fatalf("VIGIL_RULESET_EVENTS: %v", err)
		}
	}
	sets := map[string]*Set{}
	indexed := 0
	start := time.Now()
	for table, ps := range progs {
		s, err := NewSet(ps)
		if err != nil {
			b.Fatal(err)
		}
		sets[table] = s
		indexed += s.Indexed()
	}
	b.Logf("rules: %d compiled (%d with a prefilter) from %s and the pack; sets built in %v",
		nProgs, indexed, source, time.Since(start).Round(time.Millisecond))
	ing := attackRows(b)
	var sim []store.TableRows
	for len(sim) == 0 || count(sim) < n {
		sim = append(sim, simStream(b, n)...)
	}
	workloads := []struct {
		name   string
		stream func(n int) ([]store.TableRows, int)
	}{
		{"attack", func(n int) ([]store.TableRows, int) { return benchStream(ing.Batches, progs, n) }},
		{"process", func(n int) ([]store.TableRows, int) {
			return benchStream([]store.Batch{{Tables: sim}}, progs, n)
		}},
	}
	for _, w := range workloads {
		stream, events := w.stream(n)
		perTable := map[string]int{}
		for _, tr := range stream {
			perTable[tr.Table] += len(tr.Rows)
		}
		var names []string
		for t := range perTable {
			names = append(names, t)
		}
		sort.Strings(names)
		for _, t := range names {
			b.Logf("%s: %-24s %8d events %5d rules", w.name, t, perTable[t], len(progs[t]))
		}
		if s := os.Getenv("VIGIL_RULESET_HOT"); s != "" {
			top, err := strconv.Atoi(s)
			if err != nil {
				b.Fatalf("VIGIL_RULESET_HOT: %v", err)
			}
			logHot(b, sets, src, stream, top)
		}
		b.Run(w.name, func(b *testing.B) {
			sample, sampled := spread(stream, events, 20_000)
			benchSets(b, sets, progs, stream, events, sample, sampled)
		})
	}
}

// spread samples about n rows of stream evenly: the head of each batch,
// in proportion, so that the sample has the stream's mix over time.
func spread(stream []store.TableRows, events, n int) (sample []store.TableRows, sampled int) {
	for _, tr := range stream {
		k := (len(tr.Rows)*n + events - 1) / events
		if k > 0 {
			sample = append(sample, store.TableRows{Table: tr.Table, Rows: tr.Rows[:k]})
			sampled += k
		}
	}
	return sample, sampled
}

func count(trs []store.TableRows) int {
	n := 0
	for _, tr := range trs {
		n += len(tr.Rows)
	}
	return n
}

func benchSets(b *testing.B, sets map[string]*Set, progs map[string][]*Program, stream []store.TableRows, events int, sample []store.TableRows, sampled int) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	// On this shared machine wall time overstates the cost several times
	// over; the process's CPU time is the one-core figure (events/s), and
	// wall time is reported beside it.
	report := func(b *testing.B, cpu0 int64, events int) {
		cpu := float64(cpuTime()-cpu0) / 1e9
		b.ReportMetric(float64(events*b.N)/cpu, "events/s")
		b.ReportMetric(cpu*1e9/float64(events*b.N), "cpu-ns/event")
		b.ReportMetric(float64(events*b.N)/b.Elapsed().Seconds(), "wall-events/s")
	}
	b.Run("set", func(b *testing.B) {
		out := 0
		cpu0 := cpuTime()
		for i := 0; i < b.N; i++ {
			for _, tr := range stream {
				res, _ := sets[tr.Table].Match(tr.Rows, now)
				for _, r := range res {
					out += len(r)
				}
			}
		}
		report(b, cpu0, events)
		b.ReportMetric(float64(out)/float64(b.N), "matches")
	})
	b.Run("candidates", func(b *testing.B) {
		// How many programs run per event once the prefilter has chosen.
		cands := 0
		for i := 0; i < b.N; i++ {
			for _, tr := range stream {
				s := sets[tr.Table]
				m := newMatchState(s, now, tr.Rows)
				for _, in := range tr.Rows {
					m.candidates(in)
					cands += len(m.cand)
				}
			}
		}
		b.ReportMetric(float64(cands)/float64(events*b.N), "programs/event")
	})
	b.Run("each", func(b *testing.B) {
		out := 0
		cpu0 := cpuTime()
		for i := 0; i < b.N; i++ {
			for _, tr := range sample {
				for _, p := range progs[tr.Table] {
					res, _ := p.RunAt(now, tr.Rows)
					out += len(res)
				}
			}
		}
		report(b, cpu0, sampled)
		b.ReportMetric(float64(out)/float64(b.N), "matches")
	})
}
