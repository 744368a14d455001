package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

// RecordAlertActivity counts each occurrence not counted before into its
// alert's activity, in one transaction. The occurrence table's primary
// key is what makes a re-read row count once.
func (s *Store) RecordAlertActivity(ctx context.Context, occ []state.AlertOccurrence) error {
	if len(occ) == 0 {
		return nil
	}
	now := s.now().UnixMicro()
	return s.write(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, `INSERT INTO alert_occurrences (occurrence_id, alert_id, activity, recorded_at, row)
			VALUES (?, ?, ?, ?, NULL) ON CONFLICT (occurrence_id) DO NOTHING`)
		if err != nil {
			return err
		}
		defer ins.Close()
		up, err := tx.PrepareContext(ctx, `INSERT INTO alert_activity (alert_id, rule_id, count, first_activity, last_activity, stored_rows)
			VALUES (?, ?, 1, ?, ?, 0)
			ON CONFLICT (alert_id) DO UPDATE SET count = count + 1,
				first_activity = min(first_activity, excluded.first_activity),
				last_activity = max(last_activity, excluded.last_activity)
			RETURNING stored_rows`)
		if err != nil {
			return err
		}
		defer up.Close()
		for _, o := range occ {
			res, err := ins.ExecContext(ctx, o.OccurrenceID, o.AlertID, o.Activity.UnixMicro(), now)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				continue // counted before
			}
			var stored int
			if err := up.QueryRowContext(ctx, o.AlertID, o.RuleID, o.Activity.UnixMicro(), o.Activity.UnixMicro()).Scan(&stored); err != nil {
				return err
			}
			if stored < state.MaxStoredRows && len(o.Row) > 0 && json.Valid(o.Row) {
				if _, err := tx.ExecContext(ctx, `UPDATE alert_occurrences SET row = ? WHERE occurrence_id = ?`, string(o.Row), o.OccurrenceID); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE alert_activity SET stored_rows = stored_rows + 1 WHERE alert_id = ?`, o.AlertID); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// AlertActivity returns the activity of the alerts that have one.
func (s *Store) AlertActivity(ctx context.Context, ids []string) (map[string]state.AlertActivity, error) {
	out := map[string]state.AlertActivity{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		ids = ids[n:]
		rows, err := s.r.QueryContext(ctx, `SELECT alert_id, rule_id, count, first_activity, last_activity FROM alert_activity
			WHERE alert_id IN (?`+strings.Repeat(", ?", n-1)+`)`, args...)
		if err != nil {
			return nil, mapErr(err)
		}
		for rows.Next() {
			var a state.AlertActivity
			var first, last sql.NullInt64
			if err := rows.Scan(&a.AlertID, &a.RuleID, &a.Count, &first, &last); err != nil {
				rows.Close()
				return nil, mapErr(err)
			}
			a.FirstActivity, a.LastActivity = goTime(first), goTime(last)
			out[a.AlertID] = a
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, mapErr(err)
		}
	}
	return out, nil
}

// AlertTriggers returns an alert's stored triggering rows, by event time.
func (s *Store) AlertTriggers(ctx context.Context, id string) ([]state.AlertTrigger, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT occurrence_id, activity, row FROM alert_occurrences
		WHERE alert_id = ? AND row IS NOT NULL ORDER BY activity, occurrence_id`, id)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []state.AlertTrigger{}
	for rows.Next() {
		var t state.AlertTrigger
		var at sql.NullInt64
		var row string
		if err := rows.Scan(&t.OccurrenceID, &at, &row); err != nil {
			return nil, mapErr(err)
		}
		t.Activity, t.Row = goTime(at), json.RawMessage(row)
		out = append(out, t)
	}
	return out, mapErr(rows.Err())
}

// PruneAlertOccurrences deletes the occurrences recorded before t that
// carry no stored row; the counts in alert_activity stay.
func (s *Store) PruneAlertOccurrences(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM alert_occurrences WHERE recorded_at < ? AND row IS NULL`, before.UnixMicro())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
