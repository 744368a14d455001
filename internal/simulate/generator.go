package simulate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/store"
)

// Sink receives generated rows. store.Store satisfies it.
type Sink interface {
	Append(ctx context.Context, batch store.Batch) error
}

// Clock is the wall clock Stream paces itself by.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type wallClock struct{}

func (wallClock) Now() time.Time                         { return time.Now() }
func (wallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// chunkRows is how many rows a shard generates before handing them over.
const chunkRows = 1024

// Generator produces the organisation's telemetry over simulated time.
// Its methods are not safe for concurrent use; call them one at a time.
type Generator struct {
	org    *Org
	cfg    Config
	filter []bool // by table id; nil: every table
	accts  []*account
	world  *world
	shards []*shard
	counts []int64     // rows handed out, by table id
	free   chan *chunk // chunks (and their buffers) for reuse
	now    int64       // simulated clock, µs
	booted bool
	// pack, when set, compresses a chunk's NDJSON (shard id, dst, src).
	pack func(shard int, dst, src []byte) []byte
	// Time the workers spent generating, and the wall time of generate
	// times the workers: how well the merge keeps every worker busy
	// (the benchmarks report it).
	busy, slots atomic.Int64

	// Scenarios scheduled so far; defaults are scheduled by the first
	// generating call unless Schedule came first or NoScenarios is set.
	runs     []*scenarioRun
	explicit bool
}

// NewGenerator prepares a generator for an organisation. The simulated
// clock starts at org.Config.Start.
func NewGenerator(org *Org) (*Generator, error) {
	cfg := org.Config
	g := &Generator{org: org, cfg: cfg, now: cfg.Start.UnixMicro(), counts: make([]int64, len(tabs)),
		free: make(chan *chunk, (chunkSlack+2)*nShards)}
	if len(cfg.Tables) > 0 {
		g.filter = make([]bool, len(tabs))
		for _, name := range cfg.Tables {
			t, ok := tabByName[name]
			if !ok {
				if st, ok := schema.LookupFold(name); ok {
					return nil, fmt.Errorf("unknown table %q (did you mean %s?)", name, st.Name)
				}
				return nil, fmt.Errorf("unknown table %q", name)
			}
			g.filter[t.id] = true
		}
	}
	g.world = newWorld(org)
	for _, u := range org.Users {
		g.accts = append(g.accts, userAccount(org, u))
	}
	for _, u := range org.ServiceAccounts {
		g.accts = append(g.accts, userAccount(org, u))
	}
	for i := 0; i < nShards; i++ {
		g.shards = append(g.shards, newShard(g, i))
	}
	return g, nil
}

// New builds the organisation for cfg and a generator for it.
func New(cfg Config) (*Generator, error) { return NewGenerator(NewOrg(cfg)) }

// Org returns the simulated organisation.
func (g *Generator) Org() *Org { return g.org }

// Now returns the simulated clock: where the next call continues from.
func (g *Generator) Now() time.Time { return time.UnixMicro(g.now).UTC() }

func (g *Generator) boot() {
	if g.booted {
		return
	}
	g.booted = true
	for _, s := range g.shards {
		s.start(g.now)
	}
}

func (g *Generator) workers() int {
	if g.cfg.Workers > 0 {
		return g.cfg.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// Run generates the telemetry of [from, to) into sink, in batches of
// Config.BatchRows rows. from must not be before the simulated clock; a
// gap after it is skipped (nothing happens in it). Unless scenarios were
// scheduled explicitly, the shipped ones are scheduled at staggered times
// inside the first range generated.
func (g *Generator) Run(ctx context.Context, from, to time.Time, sink Sink) error {
	f, t := from.UnixMicro(), to.UnixMicro()
	if f < g.now {
		return fmt.Errorf("simulate: run from %s is before the simulated clock %s", from.UTC().Format(time.RFC3339), g.Now().Format(time.RFC3339))
	}
	if t <= f {
		return nil
	}
	g.boot()
	if f > g.now {
		for _, s := range g.shards {
			s.jump(f)
		}
		g.now = f
	}
	if err := g.scheduleDefaults(f, t); err != nil {
		return err
	}
	b := newBatcher(sink, g.cfg.BatchRows)
	_, err := g.generate(ctx, t, -1, false, b.add, nil)
	if err == nil {
		err = b.flush(ctx)
	}
	g.now = t
	return err
}

// Generate appends exactly events rows to sink: the organisation's
// activity from the simulated clock on, for as long as it takes to make
// that many rows. Unless scenarios were scheduled explicitly, the shipped
// ones are scheduled in the first ten simulated hours.
func (g *Generator) Generate(ctx context.Context, events int64, sink Sink) error {
	b := newBatcher(sink, g.cfg.BatchRows)
	err := g.generateN(ctx, events, false, b.add)
	if err == nil {
		err = b.flush(ctx)
	}
	return err
}

// WriteNDJSON writes exactly events rows to w as NDJSON (see the package
// documentation for the format). The bytes depend only on the
// configuration, not on Workers or the machine.
func (g *Generator) WriteNDJSON(ctx context.Context, events int64, w io.Writer) error {
	return g.generateN(ctx, events, true, func(_ context.Context, c *chunk) error {
		_, err := w.Write(c.buf)
		return err
	})
}

// generateN advances the whole organisation from the simulated clock
// until it has handed out exactly events rows. The shards run without a
// common deadline; the merge in generate keeps them abreast of each other
// in simulated time, so wherever the cut falls every device has covered
// about the same time.
func (g *Generator) generateN(ctx context.Context, events int64, asJSON bool, consume func(context.Context, *chunk) error) error {
	g.boot()
	if err := g.scheduleDefaults(g.now, g.now+10*usHour); err != nil {
		return err
	}
	began := g.now
	// A table filter can leave so few rows that reaching the count would
	// take simulated decades; say so instead of grinding.
	guard := func(done, reached int64) error {
		if reached-began >= 7*usDay && done*100 < events {
			return fmt.Errorf("simulate: the selected tables gave %d rows in %d simulated days; %d rows would take about %d days",
				done, (reached-began)/usDay, events, events*(reached-began)/usDay/max(done, 1))
		}
		return nil
	}
	_, err := g.generate(ctx, math.MaxInt64, events, asJSON, consume, guard)
	// The cut leaves the shards at slightly different times. Bring them
	// all to the latest, as a window's end would: what a shard had still
	// to do before it is forgotten, like the rows generated past the cut,
	// so that the next call starts every shard from the same clock.
	for _, s := range g.shards {
		g.now = max(g.now, s.now)
	}
	for _, s := range g.shards {
		s.catchUp(g.now)
	}
	return err
}

// Stream generates in real time: every tick it advances the simulated
// clock by the wall time elapsed times speed and appends what happened.
// It returns nil when ctx ends. Scheduled scenarios play out as the clock
// reaches them; Stream schedules none of its own.
func (g *Generator) Stream(ctx context.Context, speed float64, sink Sink) error {
	if speed <= 0 || math.IsNaN(speed) || math.IsInf(speed, 0) {
		return fmt.Errorf("simulate: speed must be a positive number, got %v", speed)
	}
	clock := g.cfg.Clock
	if clock == nil {
		clock = wallClock{}
	}
	g.explicit = true // a live stream plays what the caller scheduled
	wall0, sim0 := clock.Now(), g.now
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-clock.After(time.Second):
		}
		elapsed := clock.Now().Sub(wall0)
		to := sim0 + int64(float64(elapsed.Microseconds())*speed)
		if to <= g.now {
			continue
		}
		if err := g.Run(ctx, g.Now(), time.UnixMicro(to), sink); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

// errEnough stops a run that has produced the rows asked for.
var errEnough = errors.New("enough rows")

// chunkSlack is how many finished chunks a shard may hold ahead of the
// merge, besides the one it is filling.
const chunkSlack = 2

// generate runs the shards in parallel up to a time and hands their chunks
// to consume in a fixed order: next comes the live shard that has reached
// the earliest simulated time in the chunks consumed so far (the lowest
// shard id on a tie). That order depends only on the shards' own
// deterministic streams, not on how many workers run, and it keeps the
// shards within about a chunk of each other in simulated time with no
// barrier at which the workers wait for the slowest shard.
//
// With limit >= 0 it stops after limit rows, cutting the last chunk. Rows
// generated but not consumed (past the cut, or after an error) are
// forgotten: they are neither counted nor in the ground truth. guard, when
// not nil, is told after every chunk how many rows were consumed and the
// earliest time every live shard has reached; an error from it stops the
// run. It returns the rows consumed.
func (g *Generator) generate(parent context.Context, until, limit int64, asJSON bool, consume func(context.Context, *chunk) error,
	guard func(done, reached int64) error) (int64, error) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	kept := make([]int64, len(g.shards)) // per shard: seq of the first row not consumed
	reached := make([]int64, len(g.shards))
	for i, s := range g.shards {
		s.json = asJSON
		s.until = until
		kept[i] = s.seq
		reached[i] = s.now
	}
	// A semaphore bounds the shards generating at once to the workers.
	sem := make(chan struct{}, g.workers())
	outs := make([]chan *chunk, len(g.shards))
	free := g.free
	var wg sync.WaitGroup
	for i, s := range g.shards {
		outs[i] = make(chan *chunk, chunkSlack)
		wg.Add(1)
		go func(s *shard, out chan<- *chunk) {
			defer wg.Done()
			defer close(out)
			for {
				var c *chunk
				select {
				case c = <-free:
				default:
					c = &chunk{}
				}
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					return
				}
				t0 := time.Now()
				s.beginChunk(c)
				done, reached := s.fill(chunkRows)
				s.endChunk(c, reached)
				if g.pack != nil && len(c.ids) > 0 {
					c.packed = g.pack(s.id, c.packed[:0], c.buf)
				}
				g.busy.Add(int64(time.Since(t0)))
				<-sem
				select {
				case out <- c:
				case <-ctx.Done():
					return
				}
				if done {
					return
				}
			}
		}(s, outs[i])
	}
	began := time.Now()
	defer func() { g.slots.Add(int64(time.Since(began)) * int64(cap(sem))) }()
	var total int64
	var err error
	for live := len(outs); live > 0 && err == nil; {
		i := -1
		for k, out := range outs {
			if out != nil && (i < 0 || reached[k] < reached[i]) {
				i = k
			}
		}
		c, ok := <-outs[i]
		if !ok {
			outs[i] = nil
			live--
			continue
		}
		reached[i] = c.end
		if limit >= 0 && total+int64(len(c.ids)) >= limit {
			c.truncate(int(limit - total))
			if g.pack != nil {
				// The shard's compressor may be busy with its next chunk.
				c.packed = g.pack(len(g.shards), c.packed[:0], c.buf)
			}
			err = errEnough
		}
		if len(c.ids) > 0 {
			if cerr := consume(ctx, c); cerr != nil {
				err = cerr
				break
			}
			total += int64(len(c.ids))
			kept[c.shard] = c.seq0 + int64(len(c.ids))
			for _, id := range c.ids {
				g.counts[id]++
			}
		}
		if err == nil && guard != nil {
			low := int64(math.MaxInt64)
			for k, out := range outs {
				if out != nil {
					low = min(low, reached[k])
				}
			}
			err = guard(total, low)
		}
		select {
		case free <- c:
		default:
		}
	}
	cancel()
	wg.Wait()
	for i, s := range g.shards {
		s.forget(kept[i])
	}
	if errors.Is(err, errEnough) {
		err = nil
	}
	if err == nil {
		err = parent.Err()
	}
	return total, err
}

// forget drops the ground truth of rows from seq on, which were generated
// but never handed out.
func (s *shard) forget(seq int64) {
	first := reportID(s.id, seq)
	k := len(s.truth)
	for k > 0 && s.truth[k-1].ReportID >= first {
		k--
	}
	s.truth = s.truth[:k]
}

// batcher gathers chunks into store batches of about n rows.
type batcher struct {
	sink    Sink
	n       int
	pending map[string][][]any
	order   []string
	rows    int
}

func newBatcher(sink Sink, n int) *batcher {
	return &batcher{sink: sink, n: n, pending: map[string][][]any{}}
}

func (b *batcher) add(ctx context.Context, c *chunk) error {
	for _, tr := range c.tables {
		if _, ok := b.pending[tr.Table]; !ok {
			b.order = append(b.order, tr.Table)
		}
		b.pending[tr.Table] = append(b.pending[tr.Table], tr.Rows...)
		b.rows += len(tr.Rows)
	}
	c.tables = c.tables[:0]
	if b.rows >= b.n {
		return b.flush(ctx)
	}
	return nil
}

func (b *batcher) flush(ctx context.Context) error {
	if b.rows == 0 {
		return nil
	}
	batch := store.Batch{}
	for _, t := range b.order {
		batch.Tables = append(batch.Tables, store.TableRows{Table: t, Rows: b.pending[t]})
	}
	b.pending = map[string][][]any{}
	b.order = b.order[:0]
	b.rows = 0
	return b.sink.Append(ctx, batch)
}

// Counts returns the rows handed out so far per table.
func (g *Generator) Counts() map[string]int64 {
	out := map[string]int64{}
	for id, n := range g.counts {
		if n > 0 {
			out[tabs[id].name] = n
		}
	}
	return out
}

// Total returns the rows handed out so far.
func (g *Generator) Total() int64 {
	var n int64
	for _, c := range g.counts {
		n += c
	}
	return n
}

// GroundTruth returns the scenario rows generated so far, by time.
func (g *Generator) GroundTruth() []Truth {
	var out []Truth
	for _, s := range g.shards {
		out = append(out, s.truth...)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.Before(out[j].Time)
		}
		return out[i].ReportID < out[j].ReportID
	})
	return out
}
