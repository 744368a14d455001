package detect

import (
	"sync"
	"time"

	"github.com/vigilsec/vigil/internal/kql/eval"
)

// ruleSets holds, per table, one eval.Set of the enabled continuous
// rules, so that a batch is matched against all of them in one pass
// instead of running every rule over every row. It is rebuilt when the
// rule source hands out a different rule slice (Registry makes a new one
// on every change) or a rule's Enabled flag differs.
type ruleSets struct {
	mu      sync.Mutex
	src     []*Compiled
	enabled []bool
	tables  tableSets
}

// tableSets is the sets of one rule slice, by table.
type tableSets map[string]*tableSet

type tableSet struct {
	set   *eval.Set
	rules []*Compiled // rules[i] is the set's program i
}

// get returns the sets for rules, building them when rules changed.
func (r *ruleSets) get(rules []*Compiled) tableSets {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tables != nil && r.same(rules) {
		return r.tables
	}
	progs := map[string][]*eval.Program{}
	ts := tableSets{}
	enabled := make([]bool, len(rules))
	for i, c := range rules {
		enabled[i] = c.Rule.Enabled
		if !c.Continuous() || !c.Rule.Enabled {
			continue
		}
		t := ts[c.Table]
		if t == nil {
			t = &tableSet{}
			ts[c.Table] = t
		}
		t.rules = append(t.rules, c)
		progs[c.Table] = append(progs[c.Table], c.native)
	}
	for table, t := range ts {
		set, err := eval.NewSet(progs[table])
		if err != nil {
			// Compile checked each rule's table; a mismatch is a bug.
			panic("detect: " + err.Error())
		}
		t.set = set
	}
	r.src, r.enabled, r.tables = rules, enabled, ts
	return ts
}

// same reports whether rules is the slice the sets were built from,
// with the same rules enabled. The cache keeps the old slice alive, so
// its address cannot be reused by a new one.
func (r *ruleSets) same(rules []*Compiled) bool {
	if len(rules) != len(r.src) {
		return false
	}
	if len(rules) > 0 && &rules[0] != &r.src[0] {
		return false
	}
	for i, c := range rules {
		if c.Rule.Enabled != r.enabled[i] {
			return false
		}
	}
	return true
}

// match runs the table's rules over rows and returns their alerts, in
// rule order; a rule that fails is reported to onError.
func (ts tableSets) match(now time.Time, table string, rows [][]any, onError func(string, error)) []Alert {
	t := ts[table]
	if t == nil || len(rows) == 0 {
		return nil
	}
	outs, errs := t.set.Match(rows, now)
	var alerts []Alert
	for i, c := range t.rules {
		if errs[i] != nil {
			if onError != nil {
				onError(c.Rule.ID, errs[i])
			}
			continue
		}
		if len(outs[i]) > 0 {
			got, _ := c.alerts(outs[i])
			alerts = append(alerts, got...)
		}
	}
	return alerts
}
