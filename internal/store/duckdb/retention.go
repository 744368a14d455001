package duckdb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/schema"
)

// DefaultRetentionInterval is how often the background loop enforces
// retention when Options.RetentionInterval is zero.
const DefaultRetentionInterval = 10 * time.Minute

// EnforceRetention implements store.Store. It deletes, per table, the rows
// whose ingestion time is before now minus the table's retention: from
// the base tables in one transaction, then from the segments (whole files
// dropped, straddling ones rewritten). The map holds only tables that
// lost rows.
func (s *Store) EnforceRetention(ctx context.Context, now time.Time) (map[string]int64, error) {
	deleted := map[string]int64{}
	if err := s.expireBase(ctx, now, deleted); err != nil {
		return nil, err
	}
	err := s.expireSegments(ctx, now, deleted)
	for t, n := range deleted {
		if n == 0 {
			delete(deleted, t)
		}
	}
	if err != nil {
		return deleted, fmt.Errorf("duckdb: retention: %w", err)
	}
	return deleted, nil
}

// expireBase deletes expired base-table rows in one transaction and
// checkpoints when it deleted anything: the checkpoint frees the row
// groups so later appends reuse their space instead of growing the file.
func (s *Store) expireBase(ctx context.Context, now time.Time, deleted map[string]int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wconn == nil {
		return errClosed
	}
	if _, err := s.wconn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("duckdb: retention: %w", err)
	}
	removed := false
	for _, name := range s.names {
		cutoff := now.Add(-s.opts.RetentionFor(name)).UTC()
		res, err := s.wconn.ExecContext(ctx,
			fmt.Sprintf("DELETE FROM main.%s WHERE %s < ?", quoteIdent(name), quoteIdent(schema.IngestionTimeColumn)), cutoff)
		if err == nil {
			var n int64
			if n, err = res.RowsAffected(); err == nil && n > 0 {
				deleted[name] = n
				removed = true
			}
		}
		if err != nil {
			_, _ = s.wconn.ExecContext(context.Background(), "ROLLBACK")
			return queryError(ctx, "retention: "+name, err)
		}
	}
	if _, err := s.wconn.ExecContext(context.Background(), "COMMIT"); err != nil {
		return fmt.Errorf("duckdb: retention: commit: %w", err)
	}
	// DuckDB refuses the checkpoint while another write transaction (a
	// compaction) is open; the background checkpointer does it later.
	if removed {
		if _, err := s.wconn.ExecContext(ctx, "CHECKPOINT"); err != nil && !strings.Contains(err.Error(), "other write transactions") {
			return fmt.Errorf("duckdb: retention: checkpoint: %w", err)
		}
	}
	return nil
}

// startRetention runs EnforceRetention every RetentionInterval until
// Close; a negative interval disables it.
func (s *Store) startRetention() {
	every := s.opts.RetentionInterval
	if every < 0 {
		return
	}
	if every == 0 {
		every = DefaultRetentionInterval
	}
	s.retention = s.every(every, func(ctx context.Context, now time.Time) error {
		_, err := s.EnforceRetention(ctx, now)
		return err
	})
}
