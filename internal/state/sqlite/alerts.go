package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/vigilsec/vigil/internal/state"
)

const alertStateColumns = `alert_id, status, assignee, classification, determination, version, updated_by, updated_at`

func scanAlertState(row interface{ Scan(...any) error }) (*state.AlertState, error) {
	var a state.AlertState
	var updated sql.NullInt64
	err := row.Scan(&a.AlertID, &a.Status, &a.Assignee, &a.Classification, &a.Determination, &a.Version, &a.UpdatedBy, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, state.ErrNotFound
	}
	if err != nil {
		return nil, mapErr(err)
	}
	a.UpdatedAt = goTime(updated)
	return &a, nil
}

// AlertState returns an alert's workflow state, or state.ErrNotFound.
func (s *Store) AlertState(ctx context.Context, id string) (*state.AlertState, error) {
	return scanAlertState(s.r.QueryRowContext(ctx, `SELECT `+alertStateColumns+` FROM alert_state WHERE alert_id = ?`, id))
}

// AlertStates returns the states of the alerts that have one.
func (s *Store) AlertStates(ctx context.Context, ids []string) (map[string]state.AlertState, error) {
	out := map[string]state.AlertState{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		chunk := ids[:n]
		ids = ids[n:]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := s.r.QueryContext(ctx, `SELECT `+alertStateColumns+` FROM alert_state WHERE alert_id IN (?`+strings.Repeat(", ?", n-1)+`)`, args...)
		if err != nil {
			return nil, mapErr(err)
		}
		for rows.Next() {
			a, err := scanAlertState(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[a.AlertID] = *a
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, mapErr(err)
		}
	}
	return out, nil
}

// SetAlertState writes a's state if the stored version is a.Version (0:
// none yet), and bumps the version.
func (s *Store) SetAlertState(ctx context.Context, a *state.AlertState, audit state.Audit) error {
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		var res sql.Result
		var err error
		if a.Version == 0 {
			res, err = tx.ExecContext(ctx, `INSERT INTO alert_state (`+alertStateColumns+`) VALUES (?, ?, ?, ?, ?, 1, ?, ?)
				ON CONFLICT (alert_id) DO NOTHING`, a.AlertID, a.Status, a.Assignee, a.Classification, a.Determination, a.UpdatedBy, now.UnixMicro())
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE alert_state SET status = ?, assignee = ?, classification = ?, determination = ?,
				version = version + 1, updated_by = ?, updated_at = ? WHERE alert_id = ? AND version = ?`,
				a.Status, a.Assignee, a.Classification, a.Determination, a.UpdatedBy, now.UnixMicro(), a.AlertID, a.Version)
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return state.ErrConflict
		}
		return s.insertAudit(ctx, tx, audit)
	})
	if err != nil {
		return err
	}
	a.Version++
	a.UpdatedAt = round(now)
	return nil
}

// AddAlertComment appends a comment.
func (s *Store) AddAlertComment(ctx context.Context, c *state.AlertComment, audit state.Audit) error {
	now := orNow(c.CreatedAt, s.now)
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO alert_comments (alert_id, author, text, created_at) VALUES (?, ?, ?, ?)`,
			c.AlertID, c.Author, c.Text, now.UnixMicro())
		if err != nil {
			return err
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, audit)
	})
	if err != nil {
		return err
	}
	c.CreatedAt = now
	return nil
}

// AlertComments returns an alert's comments, oldest first.
func (s *Store) AlertComments(ctx context.Context, id string) ([]state.AlertComment, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, alert_id, author, text, created_at FROM alert_comments WHERE alert_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []state.AlertComment{}
	for rows.Next() {
		var c state.AlertComment
		var created sql.NullInt64
		if err := rows.Scan(&c.ID, &c.AlertID, &c.Author, &c.Text, &created); err != nil {
			return nil, mapErr(err)
		}
		c.CreatedAt = goTime(created)
		out = append(out, c)
	}
	return out, mapErr(rows.Err())
}
