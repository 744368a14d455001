package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/state"
)

// Audit list limits (state.AuditFilter.Limit).
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 1000
)

// Record appends an audit entry that accompanies no other change. There is
// deliberately no method to change or remove an entry, and triggers in the
// schema refuse UPDATE and DELETE on audit_log.
func (s *Store) Record(ctx context.Context, audit state.Audit) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		return s.insertAudit(ctx, tx, audit)
	})
}

// ListAudit returns entries matching f, newest (highest ID) first. Since is
// inclusive and Until exclusive; an Action ending in "." is a prefix.
func (s *Store) ListAudit(ctx context.Context, f state.AuditFilter) ([]state.AuditEntry, error) {
	var where []string
	var args []any
	if !f.Since.IsZero() {
		where, args = append(where, "time >= ?"), append(args, f.Since.UnixMicro())
	}
	if !f.Until.IsZero() {
		where, args = append(where, "time < ?"), append(args, f.Until.UnixMicro())
	}
	if f.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, f.Actor)
	}
	switch {
	case strings.HasSuffix(f.Action, "."):
		// substr rather than LIKE: LIKE treats '_' and '%' as wildcards
		// and ignores ASCII case in SQLite but not in PostgreSQL.
		where = append(where, "substr(action, 1, ?) = ?")
		args = append(args, utf8.RuneCountInString(f.Action), f.Action)
	case f.Action != "":
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if f.BeforeID > 0 {
		where, args = append(where, "id < ?"), append(args, f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultAuditLimit
	}
	limit = min(limit, maxAuditLimit)

	q := `SELECT id, time, actor, action, target, remote, request_id, outcome, details
		FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit)

	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var es []state.AuditEntry
	for rows.Next() {
		var e state.AuditEntry
		var t sql.NullInt64
		var details sql.NullString
		if err := rows.Scan(&e.ID, &t, &e.Actor, &e.Action, &e.Target, &e.Remote,
			&e.RequestID, &e.Outcome, &details); err != nil {
			return nil, mapErr(err)
		}
		e.Time = goTime(t)
		if details.Valid {
			e.Details = json.RawMessage(details.String)
		}
		es = append(es, e)
	}
	return es, mapErr(rows.Err())
}
