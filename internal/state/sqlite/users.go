package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/vigilsec/vigil/internal/state"
)

// usernameKey is the unique key of a username: uniqueness and lookup
// ignore case. It is computed here rather than with SQL lower(), which
// folds only ASCII in SQLite and all of Unicode in PostgreSQL.
func usernameKey(name string) string { return strings.ToLower(name) }

const userColumns = `id, username, password_hash, role, must_change_password,
	disabled, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (*state.User, error) {
	var u state.User
	var created, updated sql.NullInt64
	err := row.Scan(&u.ID, &u.Username, &u.PasswordHash, &u.Role,
		&u.MustChangePassword, &u.Disabled, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, state.ErrNotFound
	}
	if err != nil {
		return nil, mapErr(err)
	}
	u.CreatedAt, u.UpdatedAt = goTime(created), goTime(updated)
	return &u, nil
}

// CreateUser inserts u and sets u.ID, and u.CreatedAt and u.UpdatedAt when
// they are zero. A username that differs from an existing one only in case
// is state.ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u *state.User, audit state.Audit) error {
	if u.Username == "" {
		return errors.New("sqlite: user without a username")
	}
	created := orNow(u.CreatedAt, s.now)
	updated := created
	if !u.UpdatedAt.IsZero() {
		updated = round(u.UpdatedAt)
	}
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO users
			(username, username_key, password_hash, role, must_change_password,
			 disabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			u.Username, usernameKey(u.Username), u.PasswordHash, u.Role,
			u.MustChangePassword, u.Disabled, created.UnixMicro(), updated.UnixMicro(),
		).Scan(&id)
		if err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, audit)
	})
	if err != nil {
		return err
	}
	u.ID, u.CreatedAt, u.UpdatedAt = id, created, updated
	return nil
}

// UserByID returns the user with id, or state.ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id int64) (*state.User, error) {
	return scanUser(s.r.QueryRowContext(ctx,
		"SELECT "+userColumns+" FROM users WHERE id = ?", id))
}

// UserByName returns the user whose name equals username ignoring case, or
// state.ErrNotFound.
func (s *Store) UserByName(ctx context.Context, username string) (*state.User, error) {
	return scanUser(s.r.QueryRowContext(ctx,
		"SELECT "+userColumns+" FROM users WHERE username_key = ?", usernameKey(username)))
}

// ListUsers returns every user, oldest first.
func (s *Store) ListUsers(ctx context.Context) ([]state.User, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+userColumns+" FROM users ORDER BY id")
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var us []state.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		us = append(us, *u)
	}
	return us, mapErr(rows.Err())
}

// UpdateUser stores every field of u by u.ID and sets u.UpdatedAt. CreatedAt
// never changes.
func (s *Store) UpdateUser(ctx context.Context, u *state.User, audit state.Audit) error {
	if u.Username == "" {
		return errors.New("sqlite: user without a username")
	}
	updated := round(s.now())
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET
			username = ?, username_key = ?, password_hash = ?, role = ?,
			must_change_password = ?, disabled = ?, updated_at = ?
			WHERE id = ?`,
			u.Username, usernameKey(u.Username), u.PasswordHash, u.Role,
			u.MustChangePassword, u.Disabled, updated.UnixMicro(), u.ID)
		if err != nil {
			return err
		}
		if err := exactlyOne(res); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, audit)
	})
	if err != nil {
		return err
	}
	u.UpdatedAt = updated
	return nil
}

// CountUsers returns the number of users, disabled ones included.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&n)
	return n, mapErr(err)
}
