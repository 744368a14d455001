package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

const sessionColumns = "hash, user_id, csrf_token, created_at, expires_at, remote"

// CreateSession inserts s. A session for an unknown user is
// state.ErrNotFound; a hash in use is state.ErrConflict. A zero CreatedAt
// is set to now.
func (s *Store) CreateSession(ctx context.Context, sess *state.Session, audit state.Audit) error {
	if len(sess.Hash) == 0 || sess.ExpiresAt.IsZero() {
		return errors.New("sqlite: session needs a hash and an expiry")
	}
	created := orNow(sess.CreatedAt, s.now)
	expires := round(sess.ExpiresAt)
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO sessions ("+sessionColumns+
			") VALUES (?, ?, ?, ?, ?, ?)",
			sess.Hash, sess.UserID, sess.CSRFToken, created.UnixMicro(),
			expires.UnixMicro(), sess.Remote)
		if err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, audit)
	})
	if err != nil {
		return err
	}
	sess.CreatedAt, sess.ExpiresAt = created, expires
	return nil
}

// SessionByHash returns the session, expired or not, or state.ErrNotFound.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (*state.Session, error) {
	var sess state.Session
	var created, expires sql.NullInt64
	err := s.r.QueryRowContext(ctx,
		"SELECT "+sessionColumns+" FROM sessions WHERE hash = ?", hash,
	).Scan(&sess.Hash, &sess.UserID, &sess.CSRFToken, &created, &expires, &sess.Remote)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, state.ErrNotFound
	}
	if err != nil {
		return nil, mapErr(err)
	}
	sess.CreatedAt, sess.ExpiresAt = goTime(created), goTime(expires)
	return &sess, nil
}

// DeleteSession ends one session; an unknown one is state.ErrNotFound and
// writes no audit record.
func (s *Store) DeleteSession(ctx context.Context, hash []byte, audit state.Audit) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE hash = ?", hash)
		if err != nil {
			return err
		}
		if err := exactlyOne(res); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, audit)
	})
}

// DeleteUserSessions ends every session of userID but keep (nil: all).
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64, keep []byte) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		q, args := "DELETE FROM sessions WHERE user_id = ?", []any{userID}
		if keep != nil {
			q, args = q+" AND hash <> ?", append(args, keep)
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// DeleteExpiredSessions removes sessions whose expiry is at or before now.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <= ?", now.UnixMicro())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
