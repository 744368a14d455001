package simulate

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"
)

// Truth says that a generated row belongs to a scenario step. Detections
// never read it; it is the answer key for measuring them.
type Truth struct {
	Time      time.Time `json:"time"`
	Scenario  string    `json:"scenario"`
	Run       string    `json:"run"` // the scheduled instance, e.g. "ransomware-4"
	Step      string    `json:"step"`
	Technique string    `json:"technique"`
	Tactic    string    `json:"tactic,omitempty"`
	Table     string    `json:"table"`
	// ReportID is the row's ReportId (its decimal text in tables where
	// ReportId is a string).
	ReportID    int64  `json:"reportId"`
	DeviceID    string `json:"deviceId,omitempty"`
	DeviceName  string `json:"deviceName,omitempty"`
	AccountName string `json:"accountName,omitempty"`
	AccountUpn  string `json:"accountUpn,omitempty"`
}

// WriteGroundTruth writes the ground truth as JSON lines, one Truth per
// line, in time order.
func (g *Generator) WriteGroundTruth(w io.Writer) error {
	enc := json.NewEncoder(w)
	for _, t := range g.GroundTruth() {
		if err := enc.Encode(t); err != nil {
			return err
		}
	}
	return nil
}

// ScheduledRun is a scenario instance on the schedule.
type ScheduledRun struct {
	ID       string
	Scenario string
	At       time.Time
	Rows     int // rows planned (rows of filtered-out tables are not generated)
}

type scenarioRun struct {
	id   string
	sc   *Scenario
	at   int64
	rows int
}

// Scheduled lists the scenario instances scheduled so far.
func (g *Generator) Scheduled() []ScheduledRun {
	out := make([]ScheduledRun, len(g.runs))
	for i, r := range g.runs {
		out[i] = ScheduledRun{ID: r.id, Scenario: r.sc.Name, At: time.UnixMicro(r.at).UTC(), Rows: r.rows}
	}
	return out
}

// Schedule plans a scenario to start at a time (not before the simulated
// clock). Its rows are generated as the clock passes them. Scheduling
// anything turns off the automatic default schedule.
func (g *Generator) Schedule(sc *Scenario, at time.Time) error {
	a := at.UnixMicro()
	if a < g.now {
		return fmt.Errorf("simulate: cannot schedule %s at %s, before the simulated clock %s", sc.Name, at.UTC().Format(time.RFC3339), g.Now().Format(time.RFC3339))
	}
	g.explicit = true
	return g.schedule(sc, a)
}

// ScheduleDefaults schedules every shipped scenario at staggered times in
// [from, to), each placed so that it finishes inside the range when the
// range is long enough.
func (g *Generator) ScheduleDefaults(from, to time.Time) error {
	g.explicit = true
	return g.placeDefaults(from.UnixMicro(), to.UnixMicro())
}

func (g *Generator) scheduleDefaults(from, to int64) error {
	if g.explicit || g.cfg.NoScenarios {
		return nil
	}
	g.explicit = true
	return g.placeDefaults(from, to)
}

func (g *Generator) placeDefaults(from, to int64) error {
	if from < g.now {
		from = g.now
	}
	span := to - from
	scs := Scenarios()
	for i, sc := range scs {
		at := from + int64(float64(span)*(0.08+0.2*float64(i)))
		if latest := to - sc.Duration().Microseconds() - 10*usMinute; at > latest {
			at = latest
		}
		if at < from {
			at = from
		}
		if err := g.schedule(sc, at); err != nil {
			return err
		}
	}
	return nil
}

func (g *Generator) schedule(sc *Scenario, at int64) error {
	run := &scenarioRun{id: sc.Name + "-" + strconv.Itoa(len(g.runs)+1), sc: sc, at: at}
	p := &planner{g: g, sc: sc, run: run,
		r:     newRNG(g.cfg.Seed, hashString("scenario:"+sc.Name), uint64(at), uint64(len(g.runs))),
		procs: map[string]*proc{}, images: map[string]*image{}, picked: map[any]bool{}}
	if err := p.plan(); err != nil {
		return fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	run.rows = len(p.rows)
	g.runs = append(g.runs, run)
	per := make([][]*injRow, nShards)
	for _, ir := range p.rows {
		k := 0
		switch {
		case ir.dev != nil:
			k = ir.dev.Index % nShards
		case ir.user != nil:
			k = ir.user.Index % nShards
		}
		per[k] = append(per[k], ir)
	}
	for k, rows := range per {
		if len(rows) == 0 {
			continue
		}
		s := g.shards[k]
		merged := append(append([]*injRow(nil), s.inj[s.injPos:]...), rows...)
		sort.SliceStable(merged, func(i, j int) bool { return merged[i].at < merged[j].at })
		s.inj, s.injPos = merged, 0
	}
	return nil
}

// injRow is a planned scenario row: every value but Timestamp and
// ReportId is decided when the scenario is scheduled.
type injRow struct {
	at   int64
	t    *tab
	dev  *Device
	user *User
	vals []posVal
	step *stepTruth
	acct *account
}

type posVal struct {
	i int
	v value
}

type stepTruth struct {
	scenario, run, step, technique, tactic string
}

// later keeps a row for when the clock reaches its time: something that
// happens later because of what happens now (a click on a link in a mail
// that just arrived).
func (s *shard) later(r *row) {
	ir := &injRow{at: r.ts, t: r.t}
	if r.dev != nil {
		ir.dev = r.dev.d
	}
	if p := r.ip; p != nil {
		r.fast, r.ip = false, nil
		r.initiating(p)
	}
	r.forEach(func(i int) { ir.vals = append(ir.vals, posVal{i, r.v[i]}) })
	if s.injPos > 1024 && s.injPos > len(s.inj)/2 {
		s.inj, s.injPos = append([]*injRow(nil), s.inj[s.injPos:]...), 0
	}
	pending := s.inj[s.injPos:]
	k := sort.Search(len(pending), func(i int) bool { return pending[i].at > ir.at })
	s.inj = append(s.inj[:s.injPos+k], append([]*injRow{ir}, pending[k:]...)...)
}

// inject emits a planned row and records its ground truth (scenario rows
// only).
func (s *shard) inject(ir *injRow) {
	var ds *devState
	if ir.dev != nil {
		ds = s.devs[(ir.dev.Index-s.id)/nShards]
	}
	r := s.begin(ir.t, ds, ir.at)
	if r == nil {
		return
	}
	for _, pv := range ir.vals {
		r.at(pv.i, pv.v)
	}
	id := s.emitNow(r)
	if ir.step == nil {
		return
	}
	tr := Truth{Time: time.UnixMicro(r.ts).UTC(), Scenario: ir.step.scenario, Run: ir.step.run, Step: ir.step.step,
		Technique: ir.step.technique, Tactic: ir.step.tactic, Table: ir.t.name, ReportID: id}
	if ir.dev != nil {
		tr.DeviceID, tr.DeviceName = ir.dev.ID, ir.dev.Name
	}
	if ir.acct != nil {
		tr.AccountName = ir.acct.name.s
		if ir.acct.upn != nil {
			tr.AccountUpn = ir.acct.upn.s
		}
	}
	s.truth = append(s.truth, tr)
}
