package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

const tokenColumns = `id, name, role, secret_hash, created_by, created_at,
	expires_at, revoked_at, last_used_at`

func scanToken(row interface{ Scan(...any) error }) (*state.Token, error) {
	var t state.Token
	var created, expires, revoked, used sql.NullInt64
	err := row.Scan(&t.ID, &t.Name, &t.Role, &t.SecretHash, &t.CreatedBy,
		&created, &expires, &revoked, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, state.ErrNotFound
	}
	if err != nil {
		return nil, mapErr(err)
	}
	t.CreatedAt, t.ExpiresAt = goTime(created), goTime(expires)
	t.RevokedAt, t.LastUsedAt = goTime(revoked), goTime(used)
	return &t, nil
}

// CreateToken inserts t; an ID in use is state.ErrConflict. A zero
// CreatedAt is set to now; the times in t are rounded as stored.
func (s *Store) CreateToken(ctx context.Context, t *state.Token, audit state.Audit) error {
	if t.ID == "" || len(t.SecretHash) == 0 {
		return errors.New("sqlite: token needs an ID and a secret hash")
	}
	created := orNow(t.CreatedAt, s.now)
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens
			(id, name, role, secret_hash, created_by, created_at,
			 expires_at, revoked_at, last_used_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.Name, t.Role, t.SecretHash, t.CreatedBy, created.UnixMicro(),
			dbTime(t.ExpiresAt), dbTime(t.RevokedAt), dbTime(t.LastUsedAt))
		if err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, audit)
	})
	if err != nil {
		return err
	}
	t.CreatedAt = created
	t.ExpiresAt, t.RevokedAt, t.LastUsedAt = round(t.ExpiresAt), round(t.RevokedAt), round(t.LastUsedAt)
	return nil
}

// TokenByID returns the token with id, revoked or not, or state.ErrNotFound.
func (s *Store) TokenByID(ctx context.Context, id string) (*state.Token, error) {
	return scanToken(s.r.QueryRowContext(ctx,
		"SELECT "+tokenColumns+" FROM api_tokens WHERE id = ?", id))
}

// ListTokens returns every token, revoked ones included, oldest first.
func (s *Store) ListTokens(ctx context.Context) ([]state.Token, error) {
	rows, err := s.r.QueryContext(ctx,
		"SELECT "+tokenColumns+" FROM api_tokens ORDER BY created_at, id")
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var ts []state.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		ts = append(ts, *t)
	}
	return ts, mapErr(rows.Err())
}

// RevokeToken sets RevokedAt; an unknown or already revoked token is
// state.ErrNotFound and writes no audit record.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time, audit state.Audit) error {
	at = orNow(at, s.now)
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			"UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
			at.UnixMicro(), id)
		if err != nil {
			return err
		}
		if err := exactlyOne(res); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, audit)
	})
}

// TouchToken records a use of the token; it is not audited.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	at = orNow(at, s.now)
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			"UPDATE api_tokens SET last_used_at = ? WHERE id = ?", at.UnixMicro(), id)
		if err != nil {
			return err
		}
		return exactlyOne(res)
	})
}
