package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/vigilsec/vigil/internal/state"
)

// write runs fn in one write transaction (BEGIN IMMEDIATE, on the single
// writer connection) and commits it if fn succeeds. fn returns driver
// errors as they are; write maps them once.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	// A long WAL starts over here too (checkpoint.go): writers other
	// than correlation that commit back to back would otherwise grow it
	// to the auto-checkpoint. Another write may still commit between
	// the pass and this one (the writer connection is not held yet):
	// the WAL then starts over at a later write.
	if s.ckpt != nil {
		s.ckpt.beforeBegin()
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	// Also on a panic in fn: an open transaction would hold the only
	// writer connection forever. After Commit this is a no-op.
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return mapErr(err)
	}
	return mapErr(tx.Commit())
}

// exactlyOne turns "no row changed" into state.ErrNotFound.
func exactlyOne(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return state.ErrNotFound
	}
	return nil
}

// insertAudit appends a to the audit log inside tx, so that the record and
// the change it describes commit or roll back together.
func (s *Store) insertAudit(ctx context.Context, tx *sql.Tx, a state.Audit) error {
	if a.Actor == "" || a.Action == "" {
		return errors.New("sqlite: audit entry needs an actor and an action")
	}
	if a.Outcome == "" {
		a.Outcome = "success"
	}
	var details any
	if len(a.Details) > 0 {
		if !json.Valid(a.Details) {
			return errors.New("sqlite: audit details are not valid JSON")
		}
		details = string(a.Details)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log
		(time, actor, action, target, remote, request_id, outcome, details)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		orNow(a.Time, s.now).UnixMicro(), a.Actor, a.Action, a.Target,
		a.Remote, a.RequestID, a.Outcome, details)
	return err
}
