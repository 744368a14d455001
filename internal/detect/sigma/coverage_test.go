package sigma

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/detect/pack"
	"github.com/vigilsec/vigil/internal/hunt"
)

// covers reports whether an alert technique detects a dataset technique:
// the same id, or the dataset technique's parent.
func covers(alertTech, dsTech string) bool {
	p := dsTech
	if i := strings.IndexByte(dsTech, '.'); i > 0 {
		p = dsTech[:i]
	}
	return alertTech == dsTech || alertTech == p
}

// TestCoverageWithSigma reports the ATT&CK coverage of the recordings in
// ../shared/datasets/attack by the built-in pack alone and by the pack
// plus SigmaHQ's Windows rules: a dataset is covered when an alert carries
// its technique or its parent. It ingests every recording (about 200 MB),
// so it runs only with VIGIL_SIGMA_COVERAGE=1.
func TestCoverageWithSigma(t *testing.T) {
	if os.Getenv("VIGIL_SIGMA_COVERAGE") == "" {
		t.Skip("set VIGIL_SIGMA_COVERAGE=1 to ingest the ATT&CK recordings")
	}
	ds := loadIndex(t)
	sigmaRules := compiledWindows(t)
	packRules, err := pack.Rules()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	type row struct {
		id, techs     string
		pack, sigma   bool
		packHits      []string
		sigmaHits     []string
		sigmaAlerting int
	}
	rows := make([]row, len(ds))
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, d := range ds {
		wg.Add(1)
		go func(i int, d dataset) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r := row{id: d.ID, techs: strings.Join(d.Techniques, ",")}
			from, err1 := parseIndexTime(d.TimeRange.Start)
			to, err2 := parseIndexTime(d.TimeRange.End)
			if err1 != nil || err2 != nil {
				t.Errorf("%s: time range: %v %v", d.ID, err1, err2)
				return
			}
			from, to = from.Add(-5*time.Minute), to.Add(5*time.Minute)
			in := ingestDataset(ctx, t, d.ID)
			hit := func(as []detect.Alert) bool {
				for _, a := range as {
					for _, at := range a.Techniques {
						for _, dt := range d.Techniques {
							if covers(at, dt) {
								return true
							}
						}
					}
				}
				return false
			}
			// The pack as the coverage test of package pack runs it: the
			// scheduled path for every rule over the recording's range.
			eng := &hunt.Engine{Store: in.st}
			for _, c := range packRules {
				if c.Continuous() && len(in.rows[c.Table]) == 0 {
					continue
				}
				as, _, err := detect.Backtest(ctx, eng, c, from, to)
				if err != nil {
					t.Errorf("%s: %s: %v", d.ID, c.Rule.ID, err)
					continue
				}
				if hit(as) {
					r.pack = true
					r.packHits = append(r.packHits, c.Rule.ID)
				}
			}
			// Sigma's rules on the stream, as live ingestion runs them.
			for id, as := range streamAlerts(t, sigmaRules, in.rows, to) {
				r.sigmaAlerting++
				if hit(as) {
					r.sigma = true
					r.sigmaHits = append(r.sigmaHits, id)
				}
			}
			sort.Strings(r.sigmaHits)
			rows[i] = r
		}(i, d)
	}
	wg.Wait()
	nPack, nSigma, nBoth := 0, 0, 0
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-70s %-30s %-5s %-6s %-5s %s\n", "dataset", "techniques", "pack", "sigma", "both", "Sigma rules alerting (technique matches)")
	for _, r := range rows {
		yn := func(v bool) string {
			if v {
				return "yes"
			}
			return "no"
		}
		if r.pack {
			nPack++
		}
		if r.sigma {
			nSigma++
		}
		if r.pack || r.sigma {
			nBoth++
		}
		techs := r.techs
		if len(techs) > 30 {
			techs = techs[:27] + "..."
		}
		hits := strings.Join(r.sigmaHits, " ")
		if len(r.sigmaHits) > 4 {
			hits = strings.Join(r.sigmaHits[:4], " ") + fmt.Sprintf(" +%d", len(r.sigmaHits)-4)
		}
		fmt.Fprintf(&b, "%-70s %-30s %-5s %-6s %-5s %d (%s)\n", r.id, techs, yn(r.pack), yn(r.sigma), yn(r.pack || r.sigma), r.sigmaAlerting, hits)
	}
	fmt.Fprintf(&b, "coverage of %d datasets: pack %d, Sigma alone %d, pack + Sigma %d\n", len(ds), nPack, nSigma, nBoth)
	t.Log(b.String())
	if nBoth < nPack {
		t.Errorf("adding Sigma lowered coverage: %d < %d", nBoth, nPack)
	}
}
