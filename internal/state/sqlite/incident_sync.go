package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
)

// writeUnsynced is write for a change the store may lose on power loss
// (state.IncidentChange.Rederivable): its commit is not fsynced
// (synchronous=NORMAL, which in WAL mode is still safe against a crash of
// the process; the WAL is fsynced at the next checkpoint or the next
// commit under FULL). That fsync was 5 ms of a correlation batch's
// latency. Every other write keeps FULL: the connection is pinned for
// the change and set back before any other write can use it.
func (s *Store) writeUnsynced(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return mapErr(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous=NORMAL"); err != nil {
		return mapErr(err)
	}
	defer func() {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous=FULL"); rerr != nil {
			// A connection left at NORMAL would weaken every later
			// write: discard it (a new one opens with the DSN's FULL).
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			if err == nil {
				err = mapErr(rerr)
			}
		}
	}()
	if s.ckpt != nil {
		s.ckpt.beforeBegin()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return mapErr(err)
	}
	if err := tx.Commit(); err != nil {
		return mapErr(err)
	}
	// Correlation commits back to back: the checkpointer copies between
	// two of them (checkpoint.go).
	if s.ckpt != nil {
		s.ckpt.committed()
	}
	return nil
}
