package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

const tuningColumns = `id, name, definition, version, hits, last_hit, created_by, created_at, updated_by, updated_at`

func scanTuning(row interface{ Scan(...any) error }) (*state.TuningRule, error) {
	var r state.TuningRule
	var def string
	var last, created, updated sql.NullInt64
	err := row.Scan(&r.ID, &r.Name, &def, &r.Version, &r.Hits, &last, &r.CreatedBy, &created, &r.UpdatedBy, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, state.ErrNotFound
	}
	if err != nil {
		return nil, mapErr(err)
	}
	r.Definition = json.RawMessage(def)
	r.LastHit, r.CreatedAt, r.UpdatedAt = goTime(last), goTime(created), goTime(updated)
	return &r, nil
}

// newID is a random identifier with a prefix.
func newID(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// CreateTuningRule inserts r as version 1 (with a new id when r.ID is
// empty); an id in use is state.ErrConflict.
func (s *Store) CreateTuningRule(ctx context.Context, r *state.TuningRule, audit state.Audit) error {
	if !json.Valid(r.Definition) {
		return errors.New("sqlite: tuning rule definition is not JSON")
	}
	if r.ID == "" {
		r.ID = newID("tun_")
	}
	now := orNow(r.CreatedAt, s.now)
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO alert_tuning_rules (`+tuningColumns+`) VALUES (?, ?, ?, 1, 0, NULL, ?, ?, ?, ?)`,
			r.ID, r.Name, string(r.Definition), r.CreatedBy, now.UnixMicro(), r.CreatedBy, now.UnixMicro())
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

// TuningRuleByID returns a tuning rule or state.ErrNotFound.
func (s *Store) TuningRuleByID(ctx context.Context, id string) (*state.TuningRule, error) {
	return scanTuning(s.r.QueryRowContext(ctx, `SELECT `+tuningColumns+` FROM alert_tuning_rules WHERE id = ?`, id))
}

// ListTuningRules returns every tuning rule, oldest first.
func (s *Store) ListTuningRules(ctx context.Context) ([]state.TuningRule, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+tuningColumns+` FROM alert_tuning_rules ORDER BY created_at, id`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []state.TuningRule{}
	for rows.Next() {
		r, err := scanTuning(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, mapErr(rows.Err())
}

// UpdateTuningRule replaces the rule at version r.Version and bumps it.
func (s *Store) UpdateTuningRule(ctx context.Context, r *state.TuningRule, audit state.Audit) error {
	if !json.Valid(r.Definition) {
		return errors.New("sqlite: tuning rule definition is not JSON")
	}
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE alert_tuning_rules SET name = ?, definition = ?, version = version + 1, updated_by = ?, updated_at = ?
			WHERE id = ? AND version = ?`, r.Name, string(r.Definition), r.UpdatedBy, now.UnixMicro(), r.ID, r.Version)
		if err != nil {
			return err
		}
		if err := versionCheckedIn(ctx, tx, res, "alert_tuning_rules", r.ID); err != nil {
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

// DeleteTuningRule deletes the rule at version.
func (s *Store) DeleteTuningRule(ctx context.Context, id string, version int64, audit state.Audit) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM alert_tuning_rules WHERE id = ? AND version = ?`, id, version)
		if err != nil {
			return err
		}
		if err := versionCheckedIn(ctx, tx, res, "alert_tuning_rules", id); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, audit)
	})
}

// AddTuningHits adds to the rules' hit counts. Not audited: it records
// what the rules did, not a change anyone made.
func (s *Store) AddTuningHits(ctx context.Context, hits map[string]int64, at time.Time) error {
	if len(hits) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		for id, n := range hits {
			if _, err := tx.ExecContext(ctx, `UPDATE alert_tuning_rules SET hits = hits + ?, last_hit = max(coalesce(last_hit, 0), ?) WHERE id = ?`,
				n, at.UnixMicro(), id); err != nil {
				return err
			}
		}
		return nil
	})
}

// versionCheckedIn tells a missing row (ErrNotFound) from one at another
// version (ErrConflict) when a versioned write changed nothing. table is
// one of this package's constants, never user text.
func versionCheckedIn(ctx context.Context, tx *sql.Tx, res sql.Result, table, id string) error {
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM `+table+` WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return state.ErrNotFound
	}
	if err != nil {
		return err
	}
	return state.ErrConflict
}
