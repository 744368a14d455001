package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/vigilsec/vigil/internal/state"
)

const indicatorColumns = `id, type, value, definition, created_by, created_at, updated_by, updated_at`

func scanIndicator(row interface{ Scan(...any) error }) (*state.Indicator, error) {
	var in state.Indicator
	var def string
	var created, updated sql.NullInt64
	err := row.Scan(&in.ID, &in.Type, &in.Value, &def, &in.CreatedBy, &created, &in.UpdatedBy, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, state.ErrNotFound
	}
	if err != nil {
		return nil, mapErr(err)
	}
	in.Definition = json.RawMessage(def)
	in.CreatedAt, in.UpdatedAt = goTime(created), goTime(updated)
	return &in, nil
}

// PutIndicators creates or replaces indicators by id, in one
// transaction with one audit entry. A second indicator with the type and
// value of another id is state.ErrConflict.
func (s *Store) PutIndicators(ctx context.Context, list []state.Indicator, audit state.Audit) error {
	now := s.now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, in := range list {
			if in.ID == "" || !json.Valid(in.Definition) {
				return errors.New("sqlite: an indicator needs an id and a JSON definition")
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO indicators (`+indicatorColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET type = excluded.type, value = excluded.value, definition = excluded.definition,
					updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
				in.ID, in.Type, in.Value, string(in.Definition), in.CreatedBy, now.UnixMicro(), in.UpdatedBy, now.UnixMicro())
			if err != nil {
				return err
			}
		}
		return s.insertAudit(ctx, tx, audit)
	})
	return err
}

// IndicatorByID returns an indicator or state.ErrNotFound.
func (s *Store) IndicatorByID(ctx context.Context, id string) (*state.Indicator, error) {
	return scanIndicator(s.r.QueryRowContext(ctx, `SELECT `+indicatorColumns+` FROM indicators WHERE id = ?`, id))
}

// ListIndicators returns every indicator, by type and value.
func (s *Store) ListIndicators(ctx context.Context) ([]state.Indicator, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+indicatorColumns+` FROM indicators ORDER BY type, value`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []state.Indicator{}
	for rows.Next() {
		in, err := scanIndicator(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *in)
	}
	return out, mapErr(rows.Err())
}

// DeleteIndicator deletes an indicator; a missing one is
// state.ErrNotFound.
func (s *Store) DeleteIndicator(ctx context.Context, id string, audit state.Audit) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM indicators WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if err := exactlyOne(res); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, audit)
	})
}
