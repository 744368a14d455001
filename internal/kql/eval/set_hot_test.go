package eval

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/store"
)

// logHot logs where the rule set's time goes on a stream: the bytes the
// matcher scans per event, and the programs that cost the most, with how
// often they are candidates and their prefilter. It is an analysis aid
// for BenchmarkRuleSet (VIGIL_RULESET_HOT=N logs the top N), not a
// measurement: timing each run adds its own overhead.
func logHot(b *testing.B, sets map[string]*Set, src map[*Program]string, stream []store.TableRows, top int) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	type stat struct {
		set    *Set
		prog   int32
		rows   int
		passed int
		cost   time.Duration
	}
	stats := map[*Program]*stat{}
	scanned, events := 0, 0
	for _, tr := range stream {
		s := sets[tr.Table]
		m := newMatchState(s, now, tr.Rows)
		runners := make([]*runner, len(s.progs))
		for _, in := range tr.Rows {
			events++
			for _, cl := range s.cols {
				if v, ok := in[cl.col].(string); ok {
					scanned += len(v)
				}
			}
			m.candidates(in)
			for _, p := range m.cand {
				if runners[p] == nil {
					runners[p] = s.progs[p].newRunner(now)
				}
				st := stats[s.progs[p]]
				if st == nil {
					st = &stat{set: s, prog: p}
					stats[s.progs[p]] = st
				}
				n := len(runners[p].out)
				t0 := time.Now()
				func() {
					defer func() { _ = recover() }()
					runners[p].step(in)
				}()
				st.cost += time.Since(t0)
				st.rows++
				if len(runners[p].out) > n {
					st.passed++
				}
			}
		}
	}
	var all []*stat
	var total time.Duration
	for _, st := range stats {
		all = append(all, st)
		total += st.cost
	}
	sort.Slice(all, func(i, j int) bool { return all[i].cost > all[j].cost })
	b.Logf("scanned %.0f bytes/event; programs run %v in all (%.2f µs/event)", float64(scanned)/float64(events), total.Round(time.Millisecond), float64(total.Microseconds())/float64(events))
	for _, st := range all[:min(top, len(all))] {
		p := st.set.progs[st.prog]
		pf := prefilterText(p)
		if pf == "" {
			pf = "(none)"
		}
		q := strings.Join(strings.Fields(src[p]), " ")
		if len(q) > 160 {
			q = q[:160] + "..."
		}
		b.Logf("%5.1f%% %6.2f%% rows %5d passed %6.2f µs/run  prefilter %s\n        %s", 100*float64(st.cost)/float64(total),
			100*float64(st.rows)/float64(events), st.passed, float64(st.cost.Nanoseconds())/1e3/float64(st.rows), pf, q)
	}
}
