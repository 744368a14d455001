package simulate

import (
	"bytes"
	"math"
	"sort"

	"github.com/vigilsec/vigil/internal/store"
)

// Time units of the simulated clock (microseconds since the Unix epoch).
const (
	usSecond = int64(1e6)
	usMinute = 60 * usSecond
	usHour   = 60 * usMinute
	usDay    = 24 * usHour
)

// nShards fixes how the organisation is partitioned. It is a constant, not
// the number of CPUs, so that the output is the same on every machine:
// each shard is a deterministic stream and the shards' chunks are
// interleaved in a fixed order.
const nShards = 8

// Activity kinds on a shard's agenda.
const (
	actDevice   uint8 = iota // a device does something
	actSession               // a workstation's user logs on, locks, unlocks, logs off
	actDevSnap               // DeviceInfo and DeviceNetworkInfo snapshot
	actUserDay               // a user's first cloud sign-in of the day
	actMail                  // mail to or from a user
	actCloud                 // a user works in a SaaS app
	actUserSnap              // IdentityInfo snapshot
)

type item struct {
	at   int64
	seq  uint64
	kind uint8
	idx  int32
}

// agenda is a binary min-heap of activities ordered by time, then by
// insertion, so that ties resolve the same way in every run.
type agenda struct {
	items []item
	seq   uint64
}

func (a *agenda) less(i, j int) bool {
	x, y := &a.items[i], &a.items[j]
	return x.at < y.at || (x.at == y.at && x.seq < y.seq)
}

func (a *agenda) push(at int64, kind uint8, idx int) {
	a.seq++
	a.items = append(a.items, item{at: at, seq: a.seq, kind: kind, idx: int32(idx)})
	i := len(a.items) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !a.less(i, p) {
			break
		}
		a.items[i], a.items[p] = a.items[p], a.items[i]
		i = p
	}
}

func (a *agenda) pop() item {
	top := a.items[0]
	n := len(a.items) - 1
	a.items[0] = a.items[n]
	a.items = a.items[:n]
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && a.less(l, m) {
			m = l
		}
		if r < n && a.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		a.items[i], a.items[m] = a.items[m], a.items[i]
		i = m
	}
	return top
}

func (a *agenda) next() int64 {
	if len(a.items) == 0 {
		return math.MaxInt64
	}
	return a.items[0].at
}

// userState is a person's moving state in the shard that owns them.
type userState struct {
	u    *User
	acct *account
}

// shard generates the activity of a slice of the organisation: every
// nShards-th device and user. Its rows are in time order per device.
type shard struct {
	g     *Generator
	id    int
	r     *rng
	now   int64
	devs  []*devState
	users []*userState
	ag    agenda

	inj    []*injRow // scenario rows not yet emitted, by time
	injPos int

	// Output of the current chunk.
	json    bool
	buf     []byte
	ids     []uint8   // table id of each row of the chunk, in order
	rows    [][][]any // by table id
	tc      timeCache
	seq     int64 // rows emitted so far; ReportId derives from it
	until   int64 // simulated time to stop at
	truth   []Truth
	scratch []*row
	dests   map[string]*dest // internal destinations made on the fly
}

func newShard(g *Generator, id int) *shard {
	return &shard{g: g, id: id, r: newRNG(g.cfg.Seed, hashString("shard"), uint64(id)),
		scratch: make([]*row, len(tabs)), rows: make([][][]any, len(tabs))}
}

// reportID is the ReportId of the shard's seq-th row: unique across
// shards, and the row's shard and position can be read back from it.
func reportID(shard int, seq int64) int64 { return seq*nShards + int64(shard) + 1 }

// start boots the shard's devices and puts their first activities on the
// agenda.
func (s *shard) start(now int64) {
	s.now = now
	g := s.g
	for i := s.id; i < len(g.org.Devices); i += nShards {
		d := g.org.Devices[i]
		ds := &devState{d: d, id: newSym(d.ID), name: newSym(d.Name), ip: newSym(d.IP), linux: !d.IsWindows()}
		ds.head = append([]byte(`,"DeviceId":`), ds.id.j...)
		ds.head = append(append(ds.head, `,"DeviceName":`...), ds.name.j...)
		if d.Owner != nil {
			ds.profile = d.Owner.Name
		}
		s.bootDevice(ds, now)
		ds.last = now
		k := len(s.devs)
		s.devs = append(s.devs, ds)
		s.ag.push(now+int64(s.r.intn(int(30*usSecond))), actDevice, k)
		s.ag.push(now+int64(s.r.intn(int(10*usMinute))), actDevSnap, k)
		if d.Role == RoleWorkstation && d.Owner != nil {
			s.ag.push(now+int64(s.r.intn(int(5*usMinute))), actSession, k)
		}
	}
	all := append(g.org.Users[:len(g.org.Users):len(g.org.Users)], g.org.ServiceAccounts...)
	for i := s.id; i < len(all); i += nShards {
		u := all[i]
		k := len(s.users)
		s.users = append(s.users, &userState{u: u, acct: g.accts[i]})
		s.ag.push(now+int64(s.r.intn(int(15*usMinute))), actUserSnap, k)
		if u.Role == UserService {
			continue
		}
		s.ag.push(now+int64(s.r.intn(int(20*usMinute))), actUserDay, k)
		s.ag.push(now+int64(s.r.exp(float64(20*usMinute))), actMail, k)
		s.ag.push(now+int64(s.r.exp(float64(20*usMinute))), actCloud, k)
	}
}

// jump moves the agenda to a later time without generating the gap.
func (s *shard) jump(to int64) {
	if to <= s.now {
		return
	}
	for i := range s.ag.items {
		if s.ag.items[i].at < to {
			s.ag.items[i].at = to + int64(s.r.intn(int(5*usMinute)))
		}
	}
	items := s.ag.items
	s.ag.items = nil
	sort.Slice(items, func(i, j int) bool {
		return items[i].at < items[j].at || (items[i].at == items[j].at && items[i].seq < items[j].seq)
	})
	for _, it := range items {
		s.ag.items = append(s.ag.items, it) // a sorted slice is a valid heap
	}
	for _, ds := range s.devs {
		if ds.last < to {
			ds.last = to
		}
	}
	s.now = to
}

// maxChunkSpan bounds the simulated time one chunk covers, so that a
// shard whose rows are rare (a table filter) still hands over (empty)
// chunks and the merge sees its clock move.
const maxChunkSpan = usHour

// catchUp moves a shard that is behind to a time: pending scenario and
// deferred rows dated before it are dropped (they have no truth recorded
// until emitted) and the agenda jumps.
func (s *shard) catchUp(to int64) {
	for s.injPos < len(s.inj) && s.inj[s.injPos].at < to {
		s.injPos++
	}
	s.jump(to)
}

// fill generates until the chunk holds limit rows, the clock reaches
// s.until, or the chunk has covered maxChunkSpan. It reports whether the
// shard reached s.until, and the simulated time up to which the shard has
// generated everything.
func (s *shard) fill(limit int) (done bool, reached int64) {
	stop := s.until
	if s.now < stop-maxChunkSpan {
		stop = s.now + maxChunkSpan
	}
	for len(s.ids) < limit {
		at := s.ag.next()
		if s.injPos < len(s.inj) && s.inj[s.injPos].at <= at {
			ir := s.inj[s.injPos]
			if ir.at >= stop {
				return stop == s.until, stop
			}
			s.injPos++
			if ir.at > s.now {
				s.now = ir.at
			}
			s.inject(ir)
			continue
		}
		if at >= stop {
			return stop == s.until, stop
		}
		it := s.ag.pop()
		s.now = it.at
		s.dispatch(it)
	}
	return false, s.now
}

func (s *shard) dispatch(it item) {
	switch it.kind {
	case actDevice:
		ds := s.devs[it.idx]
		s.deviceTick(ds, it.at)
		s.ag.push(it.at+s.tickInterval(ds, it.at), actDevice, int(it.idx))
	case actSession:
		ds := s.devs[it.idx]
		s.ag.push(s.sessionEvent(ds, it.at), actSession, int(it.idx))
	case actDevSnap:
		ds := s.devs[it.idx]
		s.deviceSnapshot(ds, it.at)
		s.ag.push(it.at+usDay+int64(s.r.intn(int(10*usMinute))), actDevSnap, int(it.idx))
	case actUserDay:
		us := s.users[it.idx]
		s.ag.push(s.userDay(us, it.at), actUserDay, int(it.idx))
	case actMail:
		us := s.users[it.idx]
		s.mail(us, it.at)
		s.ag.push(it.at+s.mailInterval(us, it.at), actMail, int(it.idx))
	case actCloud:
		us := s.users[it.idx]
		s.cloud(us, it.at)
		s.ag.push(it.at+s.cloudInterval(us, it.at), actCloud, int(it.idx))
	case actUserSnap:
		us := s.users[it.idx]
		s.identityInfo(us, it.at)
		s.ag.push(it.at+usDay+int64(s.r.intn(int(10*usMinute))), actUserSnap, int(it.idx))
	}
}

// begin starts a row of a table at a time, for a device (nil for rows of
// no device). It returns nil when the table is filtered out.
func (s *shard) begin(t *tab, ds *devState, ts int64) *row {
	if f := s.g.filter; f != nil && !f[t.id] {
		return nil
	}
	r := s.scratch[t.id]
	if r == nil {
		r = newRow(t)
		s.scratch[t.id] = r
	}
	r.reset()
	r.fast = s.json
	r.ts = ts
	if ds != nil && t.hasDevice {
		r.dev = ds
		if r.fast && t.devHead {
			r.head = ds.head
		} else {
			r.sym(cDeviceId, ds.id)
			r.sym(cDeviceName, ds.name)
		}
	}
	return r
}

// emit stamps a row with its Timestamp and ReportId and writes it to the
// chunk. Timestamps of a device never go backwards: a row that would is
// moved to the device's latest time. A row dated after the run's end (the
// tail of an activity that started before it) waits for the next run. It
// returns the ReportId, or 0 for a row put off.
func (s *shard) emit(r *row) int64 {
	if r.ts >= s.until {
		s.later(r)
		return 0
	}
	return s.emitNow(r)
}

func (s *shard) emitNow(r *row) int64 {
	ts := r.ts
	if r.dev != nil {
		if ts < r.dev.last {
			ts = r.dev.last
		}
		r.dev.last = ts
	}
	r.ts = ts
	r.time(cTimestamp, ts)
	id := reportID(s.id, s.seq)
	s.seq++
	r.int(cReportId, id)
	if s.json {
		s.buf = r.appendJSON(s.buf, &s.tc)
	} else {
		s.rows[r.t.id] = append(s.rows[r.t.id], r.values())
	}
	s.ids = append(s.ids, uint8(r.t.id))
	return id
}

// chunk is a shard's output between two hand-offs: rows seq0, seq0+1, ...
// of the shard, as NDJSON or as store rows, and each row's table.
type chunk struct {
	shard  int
	seq0   int64
	end    int64 // the shard has generated everything before this time
	buf    []byte
	packed []byte // buf compressed, when the output is
	ids    []uint8
	tables []store.TableRows
}

func (s *shard) beginChunk(c *chunk) {
	c.shard, c.seq0 = s.id, s.seq
	if s.json && c.buf == nil {
		c.buf = make([]byte, 0, chunkRows*2200)
	}
	s.buf, s.ids = c.buf[:0], c.ids[:0]
}

func (s *shard) endChunk(c *chunk, reached int64) {
	c.end = reached
	c.ids, s.ids = s.ids, nil
	if s.json {
		c.buf, s.buf = s.buf, nil
		return
	}
	c.tables = c.tables[:0]
	for id, rs := range s.rows {
		if len(rs) > 0 {
			c.tables = append(c.tables, store.TableRows{Table: tabs[id].name, Rows: rs})
			s.rows[id] = nil
		}
	}
}

// truncate keeps the chunk's first n rows.
func (c *chunk) truncate(n int) {
	if n >= len(c.ids) {
		return
	}
	if c.buf != nil {
		end := 0
		for k := 0; k < n; k++ {
			end += bytes.IndexByte(c.buf[end:], '\n') + 1
		}
		c.buf = c.buf[:end]
	}
	keep := make([]int, len(tabs))
	for _, id := range c.ids[:n] {
		keep[id]++
	}
	for i := range c.tables {
		c.tables[i].Rows = c.tables[i].Rows[:keep[tabByName[c.tables[i].Table].id]]
	}
	c.ids = c.ids[:n]
}
