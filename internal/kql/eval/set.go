package eval

import (
	"fmt"
	"sort"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// Set runs many programs over the same rows, running each program only
// on the rows that can pass its leading filters: the literals the
// filters need (its prefilter, see prefilter.go) are indexed per column
// in one multi-pattern matcher, each indexed value is scanned once per
// row, and a program runs on a row only when every clause of its
// prefilter found one of its literals there. Programs without a
// prefilter run on every row. Either kind is skipped on a row where
// one of its vetoes holds (prefilter_veto.go): a test under a negation
// of its filters that the scan shows true.
//
// Its results are exactly those of running each program alone.
// A Set is immutable once built and safe for concurrent Match calls.
type Set struct {
	progs  []*Program
	table  string
	always []int32 // programs without a prefilter
	cols   []setColumn
	nums   []numColumn
	full   []uint8 // per program: the bitmask of all its clauses
	// prefix[p] are program p's startswith vetoes, checked on the row
	// when p is a candidate; hasPrefix says whether there are any.
	prefix    [][]veto
	hasPrefix bool
}

// numColumn indexes the integer equalities on one input column.
type numColumn struct {
	col  int
	typ  schema.Type
	hits map[int64][]progClause
}

// setColumn is the index of the literals on one input column.
type setColumn struct {
	col int
	ac  *acMatcher
	// hits[pattern] are the program clauses the pattern satisfies.
	hits [][]progClause
	// all is every program clause anchored on the column, for the values
	// the matcher cannot scan (non-ASCII that may fold to ASCII).
	all []progClause
	// wide is the clauses with a wide anchor on the column, which hold
	// on any non-ASCII value.
	wide []progClause
	// vetoes[pattern] are the vetoes (but startswith) the pattern is the
	// literal of (nil when the column has none); plen[pattern] is
	// the pattern's length.
	vetoes [][]progVeto
	plen   []int32
}

// progVeto is a veto of program prog of the given kind.
type progVeto struct {
	prog int32
	kind vetoKind
}

type progClause struct {
	prog   int32
	clause uint8
}

// NewSet indexes programs, which must all read the same table.
func NewSet(progs []*Program) (*Set, error) {
	s := &Set{progs: progs, full: make([]uint8, len(progs)), prefix: make([][]veto, len(progs))}
	type colLits struct {
		pats   map[string]int32
		lits   []string
		hits   [][]progClause
		all    []progClause
		inAll  map[progClause]bool
		wide   []progClause
		vetoes [][]progVeto
	}
	byCol := map[int]*colLits{}
	column := func(col int) *colLits {
		cl := byCol[col]
		if cl == nil {
			cl = &colLits{pats: map[string]int32{}, inAll: map[progClause]bool{}}
			byCol[col] = cl
		}
		return cl
	}
	pattern := func(cl *colLits, lit string) int32 {
		id, ok := cl.pats[lit]
		if !ok {
			id = int32(len(cl.lits))
			cl.pats[lit] = id
			cl.lits = append(cl.lits, lit)
			cl.hits = append(cl.hits, nil)
			cl.vetoes = append(cl.vetoes, nil)
		}
		return id
	}
	byNum := map[int]*numColumn{}
	for i, p := range progs {
		if p == nil {
			return nil, fmt.Errorf("program %d is nil", i)
		}
		if s.table == "" {
			s.table = p.table.Name
		} else if p.table.Name != s.table {
			return nil, fmt.Errorf("program %d reads %s, not %s", i, p.table.Name, s.table)
		}
		for _, v := range p.fail {
			if v.kind == vetoPrefix {
				s.prefix[i] = append(s.prefix[i], v)
				s.hasPrefix = true
				continue
			}
			cl := column(v.col)
			id := pattern(cl, v.lit)
			cl.vetoes[id] = append(cl.vetoes[id], progVeto{prog: int32(i), kind: v.kind})
		}
		if len(p.need) == 0 {
			s.always = append(s.always, int32(i))
			continue
		}
		s.full[i] = uint8(1)<<len(p.need) - 1
		for ci, c := range p.need {
			pc := progClause{prog: int32(i), clause: uint8(ci)}
			for _, a := range c {
				if a.num != nil {
					nc := byNum[a.col]
					if nc == nil {
						nc = &numColumn{col: a.col, typ: p.inTypes[a.col], hits: map[int64][]progClause{}}
						byNum[a.col] = nc
					}
					nc.hits[*a.num] = append(nc.hits[*a.num], pc)
					continue
				}
				cl := column(a.col)
				// A wide anchor holds only on non-ASCII values, which
				// mark every anchor of the column: it needs no pattern.
				if a.wide {
					cl.wide = append(cl.wide, pc)
				} else {
					id := pattern(cl, a.lit)
					cl.hits[id] = append(cl.hits[id], pc)
				}
				if !cl.inAll[pc] {
					cl.inAll[pc] = true
					cl.all = append(cl.all, pc)
				}
			}
		}
	}
	for col, cl := range byCol {
		sc := setColumn{col: col, ac: newACMatcher(cl.lits), hits: cl.hits, all: cl.all, wide: cl.wide}
		for _, v := range cl.vetoes {
			if v != nil {
				sc.vetoes = cl.vetoes
				break
			}
		}
		if sc.vetoes != nil {
			for _, l := range cl.lits {
				sc.plen = append(sc.plen, int32(len(l)))
			}
		}
		s.cols = append(s.cols, sc)
	}
	sort.Slice(s.cols, func(i, j int) bool { return s.cols[i].col < s.cols[j].col })
	for _, nc := range byNum {
		s.nums = append(s.nums, *nc)
	}
	sort.Slice(s.nums, func(i, j int) bool { return s.nums[i].col < s.nums[j].col })
	return s, nil
}

// Len is the number of programs.
func (s *Set) Len() int { return len(s.progs) }

// Indexed is how many programs have a prefilter (the others run on
// every row).
func (s *Set) Indexed() int { return len(s.progs) - len(s.always) }

// Match runs every program over rows (in the table's schema column
// order) with now() at now. out[i] and errs[i] are what
// progs[i].RunAt(now, rows) returns. A program that fails on a row fails
// the batch, as in RunAt; the rows its prefilter skips are not run.
func (s *Set) Match(rows [][]any, now time.Time) (out [][][]any, errs []error) {
	out = make([][][]any, len(s.progs))
	errs = make([]error, len(s.progs))
	if len(s.progs) == 0 {
		return out, errs
	}
	if err := s.progs[0].checkWidth(rows); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return out, errs
	}
	m := newMatchState(s, now, rows)
	m.failed = errs
	for !m.resume() {
	}
	for i, r := range m.runners {
		if r != nil && errs[i] == nil {
			out[i] = r.out
		}
	}
	return out, errs
}

func newMatchState(s *Set, now time.Time, rows [][]any) *matchState {
	m := &matchState{
		set: s, now: now, rows: rows,
		runners: make([]*runner, len(s.progs)),
		stamp:   make([]uint32, len(s.progs)),
		got:     make([]uint8, len(s.progs)),
		vetoed:  make([]uint32, len(s.progs)),
	}
	m.patStamps = make([][]uint32, len(s.cols))
	for i, cl := range s.cols {
		m.patStamps[i] = make([]uint32, len(cl.hits))
	}
	return m
}

// matchState is one Match call's progress, kept outside the row loop so
// that a program's panic can be recovered and the loop resumed after it.
type matchState struct {
	set     *Set
	now     time.Time
	rows    [][]any
	runners []*runner
	failed  []error
	// The row being matched and its candidates, run up to next.
	row  int
	cand []int32
	next int
	// Per row generation stamps: stamp[p] == gen means got[p] holds the
	// clauses of p found in this row; patStamps dedupe pattern hits.
	gen       uint32
	stamp     []uint32
	got       []uint8
	patStamps [][]uint32
	hits      []int32
	// vetoed[p] == gen: a veto of p holds on this row.
	vetoed  []uint32
	anyVeto bool
}

// resume runs from the current position to the end, returning true; a
// panicking program fails (as RunAt would) and resume returns false to
// be called again.
func (m *matchState) resume() (done bool) {
	defer func() {
		if r := recover(); r != nil {
			p := m.cand[m.next]
			m.failed[p] = evalFailed(r)
			m.runners[p] = nil
			m.next++
			done = false
		}
	}()
	s := m.set
	for m.row < len(m.rows) {
		in := m.rows[m.row]
		if m.next == 0 {
			m.candidates(in)
		}
		for m.next < len(m.cand) {
			p := m.cand[m.next]
			if m.failed[p] == nil {
				r := m.runners[p]
				if r == nil {
					r = s.progs[p].newRunner(m.now)
					m.runners[p] = r
				}
				r.step(in)
			}
			m.next++
		}
		m.row++
		m.next = 0
	}
	return true
}

// candidates sets m.cand to the programs to run on row in: the
// always-run ones and those whose every clause was found. Their order
// does not matter: each program's output is its own.
func (m *matchState) candidates(in []any) {
	s := m.set
	m.gen++
	if m.gen == 0 { // wrapped: clear the stamps
		clear(m.stamp)
		clear(m.vetoed)
		for _, ps := range m.patStamps {
			clear(ps)
		}
		m.gen = 1
	}
	gen := m.gen
	m.cand = append(m.cand[:0], s.always...)
	m.anyVeto = false
	for i := range s.nums {
		nc := &s.nums[i]
		v := in[nc.col]
		if _, ok := v.(int64); !ok {
			if _, ok := v.(int32); !ok {
				v = canon(v, nc.typ)
			}
		}
		if n, ok := asInt(v); ok {
			for _, pc := range nc.hits[n] {
				m.mark(pc, gen)
			}
		}
	}
	for ci := range s.cols {
		cl := &s.cols[ci]
		v, ok := in[cl.col].(string)
		if !ok {
			v, _ = canon(in[cl.col], m.set.progs[0].inTypes[cl.col]).(string)
		}
		if v == "" {
			continue
		}
		var wide bool
		var end int32
		m.hits, end, wide, ok = cl.ac.scanText(v, m.hits[:0])
		if !ok {
			for _, pc := range cl.all {
				m.mark(pc, gen)
			}
			continue
		}
		if wide {
			for _, pc := range cl.wide {
				m.mark(pc, gen)
			}
		}
		ps := m.patStamps[ci]
		vetoes := cl.vetoes
		if wide {
			vetoes = nil // vetoes hold only on ASCII values
		}
		for _, h := range m.hits {
			if ps[h] == gen {
				continue
			}
			ps[h] = gen
			for _, pc := range cl.hits[h] {
				m.mark(pc, gen)
			}
			if vetoes != nil {
				for _, pv := range vetoes[h] {
					if pv.kind == vetoContains {
						m.veto(pv.prog, gen)
					}
				}
			}
		}
		if vetoes != nil {
			// The patterns the value ends with are those of the final
			// state.
			ac := cl.ac
			if o := ac.out[end]; o >= 0 {
				m.vetoEnd(cl, o, len(v), gen)
			}
			for t := ac.dict[end]; t >= 0; t = ac.dict[t] {
				m.vetoEnd(cl, ac.out[t], len(v), gen)
			}
		}
	}
	if m.anyVeto || s.hasPrefix {
		cand := m.cand[:0]
		for _, p := range m.cand {
			if m.vetoed[p] != gen && !m.prefixVeto(s.prefix[p], in) {
				cand = append(cand, p)
			}
		}
		m.cand = cand
	}
}

// prefixVeto reports whether one of the startswith vetoes vs holds on
// row in.
func (m *matchState) prefixVeto(vs []veto, in []any) bool {
	for _, v := range vs {
		str, ok := in[v.col].(string)
		if !ok {
			str, _ = canon(in[v.col], m.set.progs[0].inTypes[v.col]).(string)
		}
		if hasPrefixASCII(str, v.lit) {
			return true
		}
	}
	return false
}

// vetoEnd applies the vetoes of pattern h, found at the end of a value
// n bytes long.
func (m *matchState) vetoEnd(cl *setColumn, h int32, n int, gen uint32) {
	for _, pv := range cl.vetoes[h] {
		if pv.kind == vetoSuffix || pv.kind == vetoEqual && int(cl.plen[h]) == n {
			m.veto(pv.prog, gen)
		}
	}
}

func (m *matchState) veto(p int32, gen uint32) {
	m.vetoed[p] = gen
	m.anyVeto = true
}

func (m *matchState) mark(pc progClause, gen uint32) {
	p := pc.prog
	if m.stamp[p] != gen {
		m.stamp[p] = gen
		m.got[p] = 0
	}
	bit := uint8(1) << pc.clause
	if m.got[p]&bit != 0 {
		return
	}
	m.got[p] |= bit
	if m.got[p] == m.set.full[p] {
		m.cand = append(m.cand, p)
	}
}
