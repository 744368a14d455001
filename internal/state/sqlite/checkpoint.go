package sqlite

import (
	"context"
	"database/sql"
	"net/url"
	"path/filepath"
	"sync"
	"time"
)

// checkpointEvery is how often the background checkpointer copies the
// WAL into the database when no correlation commit asks it to.
const checkpointEvery = 250 * time.Millisecond

// restartFrames is the WAL length (in frames, of a page each) from which
// the next correlation transaction makes the WAL start over (see
// checkpointer). The pass that finds it there ran a commit or two
// before the transaction that acts on it, so with correlation commits
// of about 1,000-1,500 frames the WAL stays well under the writer's
// wal_autocheckpoint (20,000).
const restartFrames = 6000

// checkpointer copies committed WAL frames into the database from its own
// connection (passive checkpoints: it never waits for the writer or
// blocks it). Incident correlation commits continuously: at a million
// alerts SQLite's own auto-checkpoint, run inside the commit that takes
// the WAL past wal_autocheckpoint pages, was 7 % of the CPU on a batch's
// path, and its copy and fsyncs of up to 10,000 pages (the limit then)
// were the batches that took 100-150 ms where the median took 35.
//
// The WAL starts over (is written again from its first frame) only at a
// write transaction that begins when every frame has been copied. With
// commits back to back the next one has always begun before a pass
// started after the last commit ends, so passes alone (or a wait for
// them bounded by a timeout) let the WAL grow to the auto-checkpoint. So
// a pass follows every correlation commit (committed), and past
// restartFrames the correlation transaction about to begin runs a pass
// itself (beforeBegin): it waits for the running pass, then copies what
// is left (little or nothing), and begins with every frame copied, so
// the WAL starts over. Both passes run while the engine places the
// batch's alerts. Passes on a short ticker alone left the catch-up more
// to copy, and its batches were slower; a pass every second or third
// commit measured no better (docs/BENCHMARKS.md).
type checkpointer struct {
	db   *sql.DB
	stop chan struct{}
	kick chan struct{} // a commit; buffered, never blocks the writer
	wg   sync.WaitGroup

	pass sync.Mutex // held by the running pass

	mu     sync.Mutex
	frames int // the WAL's length at the last pass (0: starting over)
}

func startCheckpointer(path string) (*checkpointer, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(100)")
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	if u.Path != "" && u.Path[0] != '/' {
		u.Path = "/" + u.Path
	}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	c := &checkpointer{db: db, stop: make(chan struct{}), kick: make(chan struct{}, 1)}
	c.wg.Add(1)
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer c.wg.Done()
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		case <-t.C:
		}
		c.checkpoint()
	}
}

// checkpoint runs one passive pass and reports whether it copied every
// frame. Errors (a busy lock, another process's checkpoint) only leave
// the copy to the next pass or to the writer's auto-checkpoint.
func (c *checkpointer) checkpoint() (all bool) {
	c.pass.Lock()
	defer c.pass.Unlock()
	var busy, logFrames, copied int
	err := c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &copied)
	if err != nil || busy != 0 {
		return false
	}
	c.mu.Lock()
	c.frames = logFrames
	c.mu.Unlock()
	return copied == logFrames
}

// committed tells the checkpointer that a correlation transaction
// committed.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// beforeBegin runs, while the WAL is long, a pass that copies every
// frame, so that the transaction about to begin (on the writer, which the
// caller holds: nothing commits in between) starts the WAL over.
func (c *checkpointer) beforeBegin() {
	c.mu.Lock()
	long := c.frames >= restartFrames
	c.mu.Unlock()
	if !long || !c.checkpoint() {
		return
	}
	// The WAL starts over at the coming write (unless a reader still
	// uses its frames: the next pass then tells).
	c.mu.Lock()
	c.frames = 0
	c.mu.Unlock()
}

// close stops the checkpointer and closes its connection.
func (c *checkpointer) close() error {
	close(c.stop)
	c.wg.Wait()
	return c.db.Close()
}
