package duckdb

import (
	"context"
	"os"
	"time"
)

// DuckDB checkpoints (writes the log's changes into the database file,
// recompressing row groups) inside the commit that takes the log past
// wal_autocheckpoint: that append then takes seconds, and every event
// queued behind it waits, which is what kept event-to-alert latency over
// a second at 10,000 events/s. The store instead checkpoints from a
// connection of its own once the log passes walSoftLimit, while appends
// go on; DuckDB's own threshold stays as a bound should that keep failing.
const walHardLimit = "1GB"

var (
	// walSoftLimit: 256MB bounds the log replayed after a crash and the
	// data held uncompressed until the checkpoint. Checkpoints every 64MB
	// were measured worse: each recompresses every table's last, partly
	// filled row group, and appends wait on more of them.
	walSoftLimit int64 = 256 << 20
	// checkpointEvery is how often the log's size is looked at.
	checkpointEvery = 250 * time.Millisecond
)

// startCheckpointer runs the background checkpoints until Close.
func (s *Store) startCheckpointer(walPath string) {
	s.checkpointer = s.every(checkpointEvery, func(ctx context.Context, _ time.Time) error {
		fi, err := os.Stat(walPath)
		if err != nil || fi.Size() < walSoftLimit {
			return nil
		}
		// A checkpoint DuckDB refuses (another write is being committed)
		// is tried again at the next tick.
		_, _ = s.db.ExecContext(ctx, "CHECKPOINT")
		return nil
	})
}
