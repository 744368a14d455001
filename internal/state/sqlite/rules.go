package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/vigilsec/vigil/internal/state"
)

const ruleColumns = `id, definition, version, created_by, created_at, updated_by, updated_at`

func scanRule(row interface{ Scan(...any) error }) (*state.Rule, error) {
	var r state.Rule
	var created, updated sql.NullInt64
	err := row.Scan(&r.ID, &r.Definition, &r.Version, &r.CreatedBy, &created, &r.UpdatedBy, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, state.ErrNotFound
	}
	if err != nil {
		return nil, mapErr(err)
	}
	r.CreatedAt, r.UpdatedAt = goTime(created), goTime(updated)
	return &r, nil
}

// CreateRule inserts r as version 1; an id in use is state.ErrConflict.
func (s *Store) CreateRule(ctx context.Context, r *state.Rule, audit state.Audit) error {
	if r.ID == "" {
		return errors.New("sqlite: rule needs an ID")
	}
	now := orNow(r.CreatedAt, s.now)
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO detection_rules (`+ruleColumns+`) VALUES (?, ?, 1, ?, ?, ?, ?)`,
			r.ID, r.Definition, r.CreatedBy, now.UnixMicro(), r.CreatedBy, now.UnixMicro())
		if err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, audit)
	})
	if err != nil {
		return err
	}
	r.Version, r.CreatedAt, r.UpdatedAt, r.UpdatedBy = 1, now, now, r.CreatedBy
	return nil
}

// RuleByID returns a rule or state.ErrNotFound.
func (s *Store) RuleByID(ctx context.Context, id string) (*state.Rule, error) {
	return scanRule(s.r.QueryRowContext(ctx, `SELECT `+ruleColumns+` FROM detection_rules WHERE id = ?`, id))
}

// ListRules returns every rule, by id.
func (s *Store) ListRules(ctx context.Context) ([]state.Rule, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+ruleColumns+` FROM detection_rules ORDER BY id`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []state.Rule{}
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, mapErr(rows.Err())
}

// UpdateRule replaces the definition of the rule at version r.Version
// and bumps it; a rule at another version is state.ErrConflict.
func (s *Store) UpdateRule(ctx context.Context, r *state.Rule, audit state.Audit) error {
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE detection_rules SET definition = ?, version = version + 1, updated_by = ?, updated_at = ?
			WHERE id = ? AND version = ?`, r.Definition, r.UpdatedBy, now.UnixMicro(), r.ID, r.Version)
		if err != nil {
			return err
		}
		if err := versionChecked(ctx, tx, res, r.ID); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, audit)
	})
	if err != nil {
		return err
	}
	r.Version++
	r.UpdatedAt = round(now)
	return nil
}

// DeleteRule deletes the rule at version; another version is
// state.ErrConflict.
func (s *Store) DeleteRule(ctx context.Context, id string, version int64, audit state.Audit) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM detection_rules WHERE id = ? AND version = ?`, id, version)
		if err != nil {
			return err
		}
		if err := versionChecked(ctx, tx, res, id); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, audit)
	})
}

// versionChecked tells a missing rule (ErrNotFound) from one at another
// version (ErrConflict) when a versioned write changed nothing.
func versionChecked(ctx context.Context, tx *sql.Tx, res sql.Result, id string) error {
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM detection_rules WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return state.ErrNotFound
	}
	if err != nil {
		return err
	}
	return state.ErrConflict
}
