package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"
)

// Alert rows are indexed by time bucket first (migration 0010), and
// incident_alert_spans keeps, per incident, a range of buckets that
// covers every alert row whose incident_id it is: reading an incident's
// alerts seeks each bucket of its span.

const (
	// spanBucket is a bucket's width in µs, as in the index's
	// expression "time / 600000000" (both divisions truncate).
	spanBucket = int64(10 * time.Minute / time.Microsecond)
	// spanSlack is how many buckets a span grows beyond the alert that
	// widens it: an incident taking alerts for hours rewrites its span
	// once an hour, not at every alert, and a read seeks a few empty
	// buckets more.
	spanSlack = 6
	// maxSpans bounds the spans remembered: past it they start over
	// (each costs one more upsert).
	maxSpans = 200_000
)

// span is a range of buckets, both ends included.
type span struct{ lo, hi int64 }

func (s span) covers(b int64) bool { return s.lo <= b && b <= s.hi }

func bucketOf(t time.Time) int64 { return t.UnixMicro() / spanBucket }

// spans remembers, per incident, a span its row covers, as committed.
// Rows only grow, so a span remembered stays covered whatever else
// writes them (another process, a later change): the store upserts a
// row only when an alert falls outside the span it remembers, which for
// most alerts it does not.
type spans struct {
	mu sync.Mutex
	m  map[int64]span
}

func (s *spans) get(id int64) (span, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp, ok := s.m[id]
	return sp, ok
}

// record remembers the spans a change staged, once it commits.
func (s *spans) record(staged map[int64]span) {
	if len(staged) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil || len(s.m)+len(staged) > maxSpans {
		s.m = make(map[int64]span, len(staged))
	}
	for id, sp := range staged {
		s.m[id] = sp
	}
}

// spanWriter widens incidents' spans within one transaction. staged are
// the spans the transaction wrote or found, to remember if it commits.
type spanWriter struct {
	known  *spans
	stmt   *sql.Stmt
	staged map[int64]span
}

// cover makes incident id's span cover the bucket of an alert at t.
func (w *spanWriter) cover(ctx context.Context, tx *sql.Tx, id int64, t time.Time) error {
	b := bucketOf(t)
	sp, ok := w.staged[id]
	if !ok {
		sp, ok = w.known.get(id)
	}
	if ok && sp.covers(b) {
		return nil
	}
	if w.stmt == nil {
		var err error
		w.stmt, err = tx.PrepareContext(ctx, `INSERT INTO incident_alert_spans (incident_id, lo, hi) VALUES (?, ?, ?)
			ON CONFLICT (incident_id) DO UPDATE SET lo = min(lo, excluded.lo), hi = max(hi, excluded.hi)
			WHERE excluded.lo < lo OR excluded.hi > hi
			RETURNING lo, hi`)
		if err != nil {
			return err
		}
		w.staged = map[int64]span{}
	}
	want := span{b - spanSlack, b + spanSlack}
	var got span
	err := w.stmt.QueryRowContext(ctx, id, want.lo, want.hi).Scan(&got.lo, &got.hi)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// The row already covered want (and whatever was known): it
		// is a range, so it covers both and everything between.
		got = want
		if ok {
			got = span{min(sp.lo, want.lo), max(sp.hi, want.hi)}
		}
	case err != nil:
		return err
	}
	w.staged[id] = got
	return nil
}

func (w *spanWriter) close() {
	if w.stmt != nil {
		w.stmt.Close()
	}
}
