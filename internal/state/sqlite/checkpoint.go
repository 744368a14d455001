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

// checkpointer copies committed WAL frames into the database from its own
// connection (passive checkpoints: it never waits for the writer or
// blocks it). SQLite's auto-checkpoint runs inside the commit that takes
// the WAL past wal_autocheckpoint pages, and copied there up to 10,000
// pages; with this running, it finds most of them already copied.
// Incident correlation commits continuously: at a million alerts that
// copy was 7 % of the CPU on a batch's path (3 % with this), and its
// fsyncs waited on the disk inside the batch.
type checkpointer struct {
	db   *sql.DB
	stop chan struct{}
	wg   sync.WaitGroup
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
	c := &checkpointer{db: db, stop: make(chan struct{})}
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
		case <-t.C:
			// Errors (a busy lock, another process's checkpoint) only
			// leave the copy to the next tick or to the writer's own
			// auto-checkpoint.
			var busy, logFrames, copied int
			_ = c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &copied)
		}
	}
}

// close stops the checkpointer and closes its connection.
func (c *checkpointer) close() error {
	close(c.stop)
	c.wg.Wait()
	return c.db.Close()
}
