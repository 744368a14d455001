package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

// AddRuleRun records a run and drops the rule's runs beyond the last
// state.MaxRuleRuns. Not audited: a manual run is audited by its caller,
// a scheduled one is the system's routine.
func (s *Store) AddRuleRun(ctx context.Context, r *state.RuleRun) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO rule_runs (rule_id, trigger, started, duration_us, from_time, to_time, status, error, alerts, truncated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.RuleID, r.Trigger, orNow(r.Started, s.now).UnixMicro(), r.Duration.Microseconds(),
			dbTime(r.From), dbTime(r.To), r.Status, r.Error, r.Alerts, r.Truncated)
		if err != nil {
			return err
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM rule_runs WHERE rule_id = ? AND id < (
			SELECT min(id) FROM (SELECT id FROM rule_runs WHERE rule_id = ? ORDER BY id DESC LIMIT ?))`, r.RuleID, r.RuleID, state.MaxRuleRuns)
		return err
	})
}

// RuleRuns returns a rule's runs, newest first (limit 0: all kept).
func (s *Store) RuleRuns(ctx context.Context, ruleID string, limit int) ([]state.RuleRun, error) {
	if limit <= 0 || limit > state.MaxRuleRuns {
		limit = state.MaxRuleRuns
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, rule_id, trigger, started, duration_us, from_time, to_time, status, error, alerts, truncated
		FROM rule_runs WHERE rule_id = ? ORDER BY id DESC LIMIT ?`, ruleID, limit)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []state.RuleRun{}
	for rows.Next() {
		var r state.RuleRun
		var started, from, to sql.NullInt64
		var dur int64
		if err := rows.Scan(&r.ID, &r.RuleID, &r.Trigger, &started, &dur, &from, &to, &r.Status, &r.Error, &r.Alerts, &r.Truncated); err != nil {
			return nil, mapErr(err)
		}
		r.Started, r.From, r.To, r.Duration = goTime(started), goTime(from), goTime(to), time.Duration(dur)*time.Microsecond
		out = append(out, r)
	}
	return out, mapErr(rows.Err())
}
