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
// WAL into the database.
const checkpointEvery = 250 * time.Millisecond

// chaseFrames is the WAL length (in frames, of a page each) from which
// the checkpointer makes the WAL start over (see checkpointer). Below it,
// the ticker's passes copy a page changed by several commits once.
const chaseFrames = 4000

// chaseWait bounds how long a correlation transaction waits, before it
// begins, for the checkpointer's pass to end.
const chaseWait = 20 * time.Millisecond

// checkpointer copies committed WAL frames into the database from its own
// connection (passive checkpoints: it never waits for the writer or
// blocks it). Incident correlation commits continuously: at a million
// alerts SQLite's own auto-checkpoint, run inside the commit that takes
// the WAL past wal_autocheckpoint pages, was 7 % of the CPU on a batch's
// path, and its fsyncs waited on the disk inside the batch.
//
// The WAL starts over (is written again from its first frame) only at a
// write transaction that begins when every frame has been copied, and
// with commits back to back the next one has always begun before a
// tick's pass ends. So the WAL still grew to wal_autocheckpoint, and the
// commit that crossed it copied the frames left since the last tick and
// fsynced the WAL and the database: the batches that took 100-140 ms
// where the median took 30. Past chaseFrames the checkpointer also runs
// right after a correlation commit (committed), and the next correlation
// transaction waits for that pass (beforeBegin, at most chaseWait) and
// begins with every frame copied: the WAL starts over, and the auto-
// checkpoint is not reached.
type checkpointer struct {
	db   *sql.DB
	stop chan struct{}
	kick chan struct{} // a commit; buffered, never blocks the writer
	wg   sync.WaitGroup

	mu      sync.Mutex
	chasing bool          // the WAL is past chaseFrames
	pass    chan struct{} // closed when the running pass ends; nil: none runs
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
			c.mu.Lock()
			chasing := c.chasing
			c.mu.Unlock()
			if !chasing {
				continue
			}
		case <-t.C:
		}
		c.checkpoint()
	}
}

// checkpoint runs one passive pass. Errors (a busy lock, another
// process's checkpoint) only leave the copy to the next pass or to the
// writer's auto-checkpoint.
func (c *checkpointer) checkpoint() {
	done := make(chan struct{})
	c.mu.Lock()
	c.pass = done
	c.mu.Unlock()
	var busy, logFrames, copied int
	err := c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &copied)
	c.mu.Lock()
	c.pass = nil
	if err == nil && busy == 0 {
		c.chasing = logFrames >= chaseFrames
	}
	c.mu.Unlock()
	close(done)
}

// committed tells the checkpointer that a correlation transaction
// committed.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// beforeBegin waits, while the WAL is long, for the running pass to end
// (at most chaseWait), so that the transaction about to begin finds every
// frame copied and starts the WAL over.
func (c *checkpointer) beforeBegin() {
	c.mu.Lock()
	chasing, pass := c.chasing, c.pass
	c.mu.Unlock()
	if !chasing || pass == nil {
		return
	}
	t := time.NewTimer(chaseWait)
	defer t.Stop()
	select {
	case <-pass:
	case <-t.C:
	}
}

// close stops the checkpointer and closes its connection.
func (c *checkpointer) close() error {
	close(c.stop)
	c.wg.Wait()
	return c.db.Close()
}
