package sqlite

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/jsonenc"
	"github.com/vigilsec/vigil/internal/state"
)

// Incident list limits (state.IncidentFilter.Limit).
const (
	defaultIncidentLimit = 100
	maxIncidentLimit     = 1000
)

// severityRank orders severities for sorting: higher is worse.
func severityRank(s string) int {
	switch s {
	case "Low":
		return 1
	case "Medium":
		return 2
	case "High":
		return 3
	}
	return 0
}

const incidentColumns = `id, name, severity, status, assignee, classification, determination, tags, system_tags,
	categories, techniques, devices, users, mailboxes, apps, ips, service_sources, detection_sources, investigations, actions,
	alert_count, entity_count, first_activity, last_activity, redirect_to, created_at, updated_at, resolved_at, version`

// jsonList encodes a list of strings as a JSON array. It is on the
// correlation write path (13 lists per incident row, one per alert row),
// so it appends by hand rather than through reflection.
func jsonList(v []string) string {
	if len(v) == 0 {
		return "[]"
	}
	n := 2
	for _, s := range v {
		n += len(s) + 3
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i, s := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.AppendString(b, s)
	}
	return string(append(b, ']'))
}

func scanIncident(row interface{ Scan(...any) error }) (*state.Incident, error) {
	var in state.Incident
	var lists [13]string
	var first, last, created, updated, resolved sql.NullInt64
	err := row.Scan(&in.ID, &in.Name, &in.Severity, &in.Status, &in.Assignee, &in.Classification, &in.Determination,
		&lists[0], &lists[1], &lists[2], &lists[3], &lists[4], &lists[5], &lists[6], &lists[7], &lists[8], &lists[9], &lists[10], &lists[11], &lists[12],
		&in.AlertCount, &in.EntityCount, &first, &last, &in.RedirectTo, &created, &updated, &resolved, &in.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, state.ErrNotFound
	}
	if err != nil {
		return nil, mapErr(err)
	}
	dsts := []*[]string{&in.Tags, &in.SystemTags, &in.Categories, &in.Techniques, &in.Devices, &in.Users, &in.Mailboxes, &in.Apps, &in.IPs,
		&in.ServiceSources, &in.DetectionSources, &in.Investigations, &in.Actions}
	for i, d := range dsts {
		*d = []string{}
		if err := json.Unmarshal([]byte(lists[i]), d); err != nil {
			return nil, fmt.Errorf("sqlite: incident %d: bad list column: %w", in.ID, err)
		}
	}
	in.FirstActivity, in.LastActivity = goTime(first), goTime(last)
	in.CreatedAt, in.UpdatedAt, in.ResolvedAt = goTime(created), goTime(updated), goTime(resolved)
	return &in, nil
}

func incidentArgs(in *state.Incident) []any {
	return []any{in.Name, in.Severity, severityRank(in.Severity), in.Status, in.Assignee, in.Classification, in.Determination,
		jsonList(in.Tags), jsonList(in.SystemTags), jsonList(in.Categories), jsonList(in.Techniques), jsonList(in.Devices),
		jsonList(in.Users), jsonList(in.Mailboxes), jsonList(in.Apps), jsonList(in.IPs), jsonList(in.ServiceSources),
		jsonList(in.DetectionSources), jsonList(in.Investigations), jsonList(in.Actions), in.AlertCount, in.EntityCount,
		dbTime(in.FirstActivity), dbTime(in.LastActivity), in.RedirectTo, dbTime(in.ResolvedAt)}
}

// SaveIncidents writes one batch of incident changes and its audit
// entries in one transaction.
func (s *Store) SaveIncidents(ctx context.Context, ch *state.IncidentChange, audits []state.Audit) error {
	if len(audits) == 0 {
		return errors.New("sqlite: incident changes need an audit entry")
	}
	now := s.now()
	var staged []memoUpdate
	var spans map[int64]span
	err := s.writeFor(ch.Rederivable)(ctx, func(tx *sql.Tx) error {
		ai := newAlertInserter(s)
		defer ai.close()
		if err := ai.insert(ctx, tx, ch.Alerts, now); err != nil {
			return err
		}
		w := incidentWriter{tx: tx, now: now, memos: &s.memos}
		defer w.close()
		err := w.save(ctx, s, ch, audits)
		staged, spans = w.staged, ai.spans.staged
		return err
	})
	if err != nil {
		return err
	}
	s.memos.record(staged)
	s.spans.record(spans)
	bumpVersions(ch, now)
	return nil
}

// writeFor is the write path of a change: unsynced for correlation's own
// (incident_sync.go).
func (s *Store) writeFor(rederivable bool) func(context.Context, func(*sql.Tx) error) error {
	if rederivable {
		return s.writeUnsynced
	}
	return s.write
}

// bumpVersions records a committed change's new versions and times in
// its incidents.
func bumpVersions(ch *state.IncidentChange, now time.Time) {
	for _, in := range ch.Incidents {
		if in.Version == 0 {
			in.CreatedAt = orNow(in.CreatedAt, func() time.Time { return now })
		}
		in.Version++
		in.UpdatedAt = round(now)
	}
}

// alertInserter writes incident_alerts rows through one statement,
// prepared at the first row, and the spans that find them.
type alertInserter struct {
	stmt  *sql.Stmt
	buf   []byte
	args  []any
	spans spanWriter
}

func newAlertInserter(s *Store) alertInserter {
	return alertInserter{spans: spanWriter{known: &s.spans}}
}

func (ai *alertInserter) close() {
	if ai.stmt != nil {
		ai.stmt.Close()
	}
	ai.spans.close()
}

// insert writes alert rows; a row of an alert already stored moves it
// (its incident, reasons and link time).
func (ai *alertInserter) insert(ctx context.Context, tx *sql.Tx, alerts []state.IncidentAlert, now time.Time) error {
	if len(alerts) == 0 {
		return nil
	}
	if ai.stmt == nil {
		var err error
		ai.stmt, err = tx.PrepareContext(ctx, `INSERT INTO incident_alerts (alert_id, incident_id, time, title, severity, category,
			service_source, detection_source, techniques, entities, reasons, linked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (alert_id) DO UPDATE SET incident_id = excluded.incident_id, reasons = excluded.reasons,
			linked_at = excluded.linked_at`)
		if err != nil {
			return err
		}
		ai.args = make([]any, 12)
	}
	// One buffer and argument slice for every row.
	args := ai.args
	for i := range alerts {
		a := &alerts[i]
		ai.buf = appendEntities(ai.buf[:0], a.Entities)
		split := len(ai.buf)
		ai.buf = appendReasons(ai.buf, a.Reasons, a.Time)
		ents, reasons := ai.buf[:split], ai.buf[split:]
		linked := orNow(a.LinkedAt, func() time.Time { return now })
		args[0], args[1], args[2], args[3], args[4], args[5] = a.AlertID, a.IncidentID, a.Time.UnixMicro(), a.Title, a.Severity, a.Category
		args[6], args[7], args[8], args[9], args[10], args[11] = a.ServiceSource, a.DetectionSource, jsonList(a.Techniques),
			string(ents), string(reasons), linked.UnixMicro()
		if _, err := ai.stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
		if err := ai.spans.cover(ctx, tx, a.IncidentID, a.Time); err != nil {
			return err
		}
	}
	return nil
}

// incidentWriter writes incident rows and merges in one transaction,
// each statement prepared at its first use. staged are the row memos
// (incident_memo.go) to record if the transaction commits.
type incidentWriter struct {
	tx                *sql.Tx
	now               time.Time
	memos             *rowMemos
	staged            []memoUpdate
	ins, upd, derived *sql.Stmt
	changedStmts      map[uint16]*sql.Stmt // by the mask of lists set
}

func (w *incidentWriter) close() {
	for _, st := range []*sql.Stmt{w.ins, w.upd, w.derived} {
		if st != nil {
			st.Close()
		}
	}
	for _, st := range w.changedStmts {
		st.Close()
	}
}

// prepare prepares *st once.
func (w *incidentWriter) prepare(ctx context.Context, st **sql.Stmt, query string) error {
	if *st != nil {
		return nil
	}
	var err error
	*st, err = w.tx.PrepareContext(ctx, query)
	return err
}

func (w *incidentWriter) save(ctx context.Context, s *Store, ch *state.IncidentChange, audits []state.Audit) error {
	now := w.now
	for _, in := range ch.Incidents {
		if err := w.writeIncident(ctx, in); err != nil {
			return err
		}
	}
	// A merge writes nothing but the source's row, written in this
	// batch, which redirects to the target: alerts, comments and
	// activity stay where they are and are read through the chain
	// (incident_chains.go).
	if len(ch.Merges) > 0 {
		redirects := make(map[int64]int64, len(ch.Merges))
		for _, in := range ch.Incidents {
			if in.RedirectTo != 0 {
				redirects[in.ID] = in.RedirectTo
			}
		}
		for _, m := range ch.Merges {
			if to := redirects[m.Source]; to != m.Target || m.Source == m.Target {
				return fmt.Errorf("sqlite: merge of incident %d into %d: the batch does not redirect it there", m.Source, m.Target)
			}
		}
	}
	for i := range ch.Comments {
		c := &ch.Comments[i]
		c.CreatedAt = orNow(c.CreatedAt, func() time.Time { return now })
		res, err := w.tx.ExecContext(ctx, `INSERT INTO incident_comments (incident_id, author, text, created_at) VALUES (?, ?, ?, ?)`,
			c.IncidentID, c.Author, c.Text, c.CreatedAt.UnixMicro())
		if err != nil {
			return err
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return err
		}
	}
	var act *sql.Stmt
	if len(ch.Activity) > 0 {
		var err error
		if act, err = w.tx.PrepareContext(ctx, `INSERT INTO incident_activity (incident_id, time, actor, action, details) VALUES (?, ?, ?, ?, ?)`); err != nil {
			return err
		}
		defer act.Close()
	}
	for i := range ch.Activity {
		a := &ch.Activity[i]
		a.Time = orNow(a.Time, func() time.Time { return now })
		if a.Details == "" {
			a.Details = "{}"
		}
		if !json.Valid([]byte(a.Details)) {
			return errors.New("sqlite: incident activity details are not valid JSON")
		}
		res, err := act.ExecContext(ctx, a.IncidentID, a.Time.UnixMicro(), a.Actor, a.Action, a.Details)
		if err != nil {
			return err
		}
		if a.ID, err = res.LastInsertId(); err != nil {
			return err
		}
	}
	for _, a := range audits {
		if err := s.insertAudit(ctx, w.tx, a); err != nil {
			return err
		}
	}
	return nil
}

// writeIncident inserts (Version 0) or updates (at in.Version) one
// incident row.
func (w *incidentWriter) writeIncident(ctx context.Context, in *state.Incident) error {
	nowUS := w.now.UnixMicro()
	hs := w.memos.hashes(in)
	if mask, ok := w.memos.changed(in, &hs); ok && in.RedirectTo == 0 {
		done, err := w.writeChanged(ctx, in, mask, nowUS)
		if err != nil {
			return err
		}
		if done {
			w.staged = append(w.staged, memoUpdate{id: in.ID, rowMemo: rowMemo{version: in.Version + 1, lists: hs}})
			return nil
		}
		// Status changed, or the row did: the full update decides.
	}
	var res sql.Result
	var err error
	args := incidentArgs(in)
	if in.Version == 0 {
		if err := w.prepare(ctx, &w.ins, `INSERT INTO incidents (name, severity, severity_rank, status, assignee, classification,
			determination, tags, system_tags, categories, techniques, devices, users, mailboxes, apps, ips, service_sources,
			detection_sources, investigations, actions, alert_count, entity_count, first_activity, last_activity, redirect_to,
			resolved_at, id, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`); err != nil {
			return err
		}
		created := orNow(in.CreatedAt, func() time.Time { return w.now })
		res, err = w.ins.ExecContext(ctx, append(args, in.ID, created.UnixMicro(), nowUS)...)
		if err != nil && errors.Is(mapErr(err), state.ErrConflict) {
			return fmt.Errorf("incident %d exists: %w", in.ID, state.ErrConflict)
		}
	} else {
		full := func() (sql.Result, error) {
			if err := w.prepare(ctx, &w.upd, `UPDATE incidents SET name = ?, severity = ?, severity_rank = ?, status = ?, assignee = ?,
				classification = ?, determination = ?, tags = ?, system_tags = ?, categories = ?, techniques = ?, devices = ?, users = ?,
				mailboxes = ?, apps = ?, ips = ?, service_sources = ?, detection_sources = ?, investigations = ?, actions = ?,
				alert_count = ?, entity_count = ?, first_activity = ?, last_activity = ?, redirect_to = ?, resolved_at = ?,
				updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`); err != nil {
				return nil, err
			}
			return w.upd.ExecContext(ctx, append(args, nowUS, in.ID, in.Version)...)
		}
		if in.RedirectTo != 0 {
			// A redirected row is written by its merge, which changed
			// status and redirect: the derived update would not
			// match, and the full one is right for any row.
			res, err = full()
		} else {
			// Most updates are correlation's: derived fields change,
			// status and redirect do not. Leaving those two out of the
			// SET spares their index entries (the status index's page,
			// scattered by id); a row whose status or redirect did
			// change falls back to the full update.
			if err := w.prepare(ctx, &w.derived, `UPDATE incidents SET name = ?, severity = ?, severity_rank = ?, assignee = ?,
				classification = ?, determination = ?, tags = ?, system_tags = ?, categories = ?, techniques = ?, devices = ?, users = ?,
				mailboxes = ?, apps = ?, ips = ?, service_sources = ?, detection_sources = ?, investigations = ?, actions = ?,
				alert_count = ?, entity_count = ?, first_activity = ?, last_activity = ?, resolved_at = ?,
				updated_at = ?, version = version + 1 WHERE id = ? AND version = ? AND status = ? AND redirect_to = ?`); err != nil {
				return err
			}
			// args without status (3) and redirect_to (24).
			dargs := make([]any, 0, len(args)+3)
			dargs = append(append(append(dargs, args[:3]...), args[4:24]...), args[25:]...)
			res, err = w.derived.ExecContext(ctx, append(dargs, nowUS, in.ID, in.Version, in.Status, in.RedirectTo)...)
			if err == nil {
				var n int64
				if n, err = res.RowsAffected(); err == nil && n == 0 {
					res, err = full()
				}
			}
		}
	}
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return fmt.Errorf("incident %d changed since version %d: %w", in.ID, in.Version, state.ErrConflict)
	}
	w.staged = append(w.staged, memoUpdate{id: in.ID, rowMemo: rowMemo{version: in.Version + 1, lists: hs}})
	return nil
}

// decodeAlertLists reads an alert row's JSON columns.
func decodeAlertLists(a *state.IncidentAlert, techs, ents, reasons string) error {
	var err1, err2, err3 error
	err1 = json.Unmarshal([]byte(techs), &a.Techniques)
	a.Entities, err2 = decodeEntities(ents)
	a.Reasons, err3 = decodeReasons(reasons, a.Time)
	return errors.Join(err1, err2, err3)
}

// IncidentByID returns one incident, or state.ErrNotFound.
func (s *Store) IncidentByID(ctx context.Context, id int64) (*state.Incident, error) {
	return scanIncident(s.r.QueryRowContext(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE id = ?`, id))
}

// MaxIncidentID is the highest incident id stored.
func (s *Store) MaxIncidentID(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT max(id) FROM incidents`).Scan(&n); err != nil {
		return 0, mapErr(err)
	}
	return n.Int64, nil
}

// maxExpectedAlerts bounds the rows allocated for ahead of a read, which
// a damaged count could otherwise make absurd.
const maxExpectedAlerts = 10_000_000

const incidentAlertColumns = `a.alert_id, a.incident_id, a.time, a.title, a.severity, a.category, a.service_source,
	a.detection_source, a.techniques, a.entities, a.reasons, a.linked_at`

// scanIncidentAlerts reads alert rows and resolves each one's incident
// through c (nil: the rows' incidents are not redirected). expect is how
// many rows the caller expects, to allocate once (growing a million
// alerts' slice took 13 s of loading them).
func scanIncidentAlerts(rows *sql.Rows, c *chains, expect int) ([]state.IncidentAlert, error) {
	defer rows.Close()
	out := make([]state.IncidentAlert, 0, min(max(expect, 0), maxExpectedAlerts))
	for rows.Next() {
		var a state.IncidentAlert
		var t, linked sql.NullInt64
		var techs, ents, reasons string
		if err := rows.Scan(&a.AlertID, &a.IncidentID, &t, &a.Title, &a.Severity, &a.Category, &a.ServiceSource,
			&a.DetectionSource, &techs, &ents, &reasons, &linked); err != nil {
			return nil, mapErr(err)
		}
		a.Time, a.LinkedAt = goTime(t), goTime(linked)
		if err := decodeAlertLists(&a, techs, ents, reasons); err != nil {
			return nil, fmt.Errorf("sqlite: incident alert %s: bad JSON column: %w", a.AlertID, err)
		}
		if c != nil {
			if err := c.resolve(&a); err != nil {
				return nil, err
			}
		}
		out = append(out, a)
	}
	return out, mapErr(rows.Err())
}

// membersAlertsQuery follows membersCTE: it reads the alerts of the
// incidents m holds through the index keyed by time bucket first
// (migration 0010), one seek per (incident, bucket) of each incident's
// span. A span of 4,096 buckets (28 days) or more (alerts far apart, from bad
// clocks) is read by one range scan instead, so that a hostile time
// cannot make a read seek millions of empty buckets. "+ 0" drops the
// spans' INTEGER affinity, without which SQLite cannot compare them with
// the index's expression (which has none) and scans the index.
const membersAlertsQuery = `, s(id, lo, hi) AS (SELECT sp.incident_id, sp.lo, sp.hi FROM m JOIN incident_alert_spans sp ON sp.incident_id = m.id),
	b(id, k, hi) AS (SELECT id, lo, hi FROM s WHERE hi - lo < 4096 UNION ALL SELECT id, k + 1, hi FROM b WHERE k < hi)
	SELECT ` + incidentAlertColumns + ` FROM b CROSS JOIN incident_alerts a INDEXED BY incident_alerts_bucket ON a.time / 600000000 = b.k + 0 AND a.incident_id = b.id
	UNION ALL
	SELECT ` + incidentAlertColumns + ` FROM s CROSS JOIN incident_alerts a INDEXED BY incident_alerts_bucket
		ON a.time / 600000000 BETWEEN s.lo + 0 AND s.hi + 0 AND a.incident_id = s.id WHERE s.hi - s.lo >= 4096
	ORDER BY 3, 1`

// membersAlerts returns the alerts of the incidents base selects, with
// those of every incident merged into them (at any depth), oldest first.
func (s *Store) membersAlerts(ctx context.Context, expect int, base string, args ...any) ([]state.IncidentAlert, error) {
	// One read transaction: both queries see the same snapshot, so a
	// merge committed in between cannot add a member whose chain the
	// first did not load.
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return nil, mapErr(err)
	}
	defer tx.Rollback()
	cte := membersCTE(base)
	c := &chains{parent: map[int64]int64{}}
	if err := c.loadMembers(ctx, tx, cte, args...); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, cte+membersAlertsQuery, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	return scanIncidentAlerts(rows, c, expect)
}

// IncidentAlerts returns an incident's alerts, oldest first: those placed
// in it and those of the incidents merged into it. A redirected incident
// has none.
func (s *Store) IncidentAlerts(ctx context.Context, id int64) ([]state.IncidentAlert, error) {
	return s.membersAlerts(ctx, 0, `SELECT id FROM incidents WHERE id = ? AND redirect_to = 0`, id)
}

// OpenIncidents returns the incidents not resolved, and their alerts.
func (s *Store) OpenIncidents(ctx context.Context) ([]state.Incident, []state.IncidentAlert, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+incidentColumns+` FROM incidents WHERE status <> 'Resolved' ORDER BY id`)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	var incs []state.Incident
	for rows.Next() {
		in, err := scanIncident(rows)
		if err != nil {
			rows.Close()
			return nil, nil, err
		}
		incs = append(incs, *in)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, nil, mapErr(err)
	}
	// Incidents count the alerts merged into them: about the rows to come.
	expect := 0
	for i := range incs {
		expect += incs[i].AlertCount
	}
	alerts, err := s.membersAlerts(ctx, expect, `SELECT id FROM incidents WHERE status <> 'Resolved'`)
	return incs, alerts, err
}

// IncidentOfAlerts maps alert ids to their incidents.
func (s *Store) IncidentOfAlerts(ctx context.Context, ids []string) (map[string]int64, error) {
	out := map[string]int64{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		chunk := ids[:n]
		ids = ids[n:]
		args := make([]any, n)
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := s.r.QueryContext(ctx, `SELECT alert_id, incident_id FROM incident_alerts WHERE alert_id IN (?`+strings.Repeat(", ?", n-1)+`)`, args...)
		if err != nil {
			return nil, mapErr(err)
		}
		for rows.Next() {
			var id string
			var inc int64
			if err := rows.Scan(&id, &inc); err != nil {
				rows.Close()
				return nil, mapErr(err)
			}
			out[id] = inc
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, mapErr(err)
		}
	}
	return s.resolveHomes(ctx, out)
}

// resolveHomes replaces each alert's home incident by its current one.
func (s *Store) resolveHomes(ctx context.Context, m map[string]int64) (map[string]int64, error) {
	if len(m) == 0 {
		return m, nil
	}
	homes := make([]int64, 0, len(m))
	for _, h := range m {
		homes = append(homes, h)
	}
	c, err := chainsOf(ctx, s.r, homes)
	if err != nil {
		return nil, err
	}
	for id, h := range m {
		r, _, err := c.root(h)
		if err != nil {
			return nil, err
		}
		m[id] = r
	}
	return m, nil
}

// An incident's comments and activity are its own rows and those of the
// incidents merged into it, at any depth: a merge copies none of them
// (they are read through the redirect chains, as alerts are). Row ids are
// global, so ordering by id is ordering by when each row was written.
// Each query is one snapshot, walks the chain by incidents_redirect and
// reads each member's rows by its (incident_id, id) index. The IN
// subquery, not a join, so that a member reached twice (a cycle in a
// damaged database) does not repeat its rows.

var (
	incidentCommentsQuery = membersCTE(`SELECT ? AS id`) + `
		SELECT c.id, c.author, c.text, c.created_at FROM incident_comments c
		WHERE c.incident_id IN (SELECT id FROM m) ORDER BY c.id`
	// The incident's id twice: the chain's end, and whose entries are
	// its own.
	incidentActivityQuery = membersCTE(`SELECT ? AS id`) + `
		SELECT a.id, a.time, a.actor, a.action,
			CASE WHEN a.incident_id = ? THEN a.details ELSE json_set(a.details, '$.fromIncident', a.incident_id) END
		FROM incident_activity a WHERE a.incident_id IN (SELECT id FROM m) ORDER BY a.id`
)

// IncidentComments returns an incident's comments and those of the
// incidents merged into it, oldest first, each with IncidentID id.
func (s *Store) IncidentComments(ctx context.Context, id int64) ([]state.IncidentComment, error) {
	rows, err := s.r.QueryContext(ctx, incidentCommentsQuery, id)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []state.IncidentComment{}
	for rows.Next() {
		c := state.IncidentComment{IncidentID: id}
		var t sql.NullInt64
		if err := rows.Scan(&c.ID, &c.Author, &c.Text, &t); err != nil {
			return nil, mapErr(err)
		}
		c.CreatedAt = goTime(t)
		out = append(out, c)
	}
	return out, mapErr(rows.Err())
}

// IncidentActivity returns an incident's activity log and those of the
// incidents merged into it, oldest first, each with IncidentID id. The
// details of an entry of a merged incident name it: "fromIncident".
func (s *Store) IncidentActivity(ctx context.Context, id int64) ([]state.IncidentActivity, error) {
	rows, err := s.r.QueryContext(ctx, incidentActivityQuery, id, id)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []state.IncidentActivity{}
	for rows.Next() {
		a := state.IncidentActivity{IncidentID: id}
		var t sql.NullInt64
		if err := rows.Scan(&a.ID, &t, &a.Actor, &a.Action, &a.Details); err != nil {
			return nil, mapErr(err)
		}
		a.Time = goTime(t)
		out = append(out, a)
	}
	return out, mapErr(rows.Err())
}

// incidentSorts maps the sort names of state.IncidentFilter to columns;
// each is an integer column, so a cursor holds (value, id).
var incidentSorts = map[string]string{
	"":              "coalesce(last_activity, 0)",
	"lastActivity":  "coalesce(last_activity, 0)",
	"firstActivity": "coalesce(first_activity, 0)",
	"createdAt":     "created_at",
	"updatedAt":     "updated_at",
	"severity":      "severity_rank",
	"alertCount":    "alert_count",
	"id":            "id",
}

func encodeIncidentCursor(sort string, v, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(sort + ":" + strconv.FormatInt(v, 10) + ":" + strconv.FormatInt(id, 10)))
}

func decodeIncidentCursor(sort, c string) (int64, int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, 0, state.ErrBadCursor
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 || parts[0] != sort {
		return 0, 0, state.ErrBadCursor
	}
	v, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, state.ErrBadCursor
	}
	return v, id, nil
}

// incidentWhere builds the filter's conditions; every value is a bind
// parameter.
func incidentWhere(f state.IncidentFilter) ([]string, []any) {
	var where []string
	var args []any
	in := func(col string, vals []string, fold bool) {
		if len(vals) == 0 {
			return
		}
		expr := col
		if fold {
			expr = "lower(" + col + ")"
		}
		where = append(where, expr+" IN (?"+strings.Repeat(", ?", len(vals)-1)+")")
		for _, v := range vals {
			if fold {
				v = strings.ToLower(v)
			}
			args = append(args, v)
		}
	}
	anyOf := func(cols []string, vals []string) {
		if len(vals) == 0 {
			return
		}
		var ors []string
		for _, c := range cols {
			ors = append(ors, "EXISTS (SELECT 1 FROM json_each("+c+") WHERE lower(value) IN (?"+strings.Repeat(", ?", len(vals)-1)+"))")
			for _, v := range vals {
				args = append(args, strings.ToLower(v))
			}
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	}
	switch {
	case f.OnlyRedirected:
		where = append(where, "redirect_to <> 0")
	case !f.IncludeRedirected:
		where = append(where, "redirect_to = 0")
	}
	for _, c := range []struct {
		col string
		t   time.Time
		op  string
	}{{"updated_at", f.UpdatedSince, ">="}, {"updated_at", f.UpdatedUntil, "<"}, {"created_at", f.CreatedSince, ">="}, {"created_at", f.CreatedUntil, "<"}} {
		if !c.t.IsZero() {
			where, args = append(where, c.col+" "+c.op+" ?"), append(args, c.t.UnixMicro())
		}
	}
	in("status", f.Statuses, true)
	in("severity", f.Severities, true)
	in("assignee", f.Assignees, true)
	in("classification", f.Classifications, true)
	anyOf([]string{"service_sources"}, f.ServiceSources)
	anyOf([]string{"detection_sources"}, f.DetectionSources)
	anyOf([]string{"tags", "system_tags"}, f.Tags)
	anyOf([]string{"categories"}, f.Categories)
	assets := []string{"devices", "users", "mailboxes", "apps", "ips"}
	if f.Entity != "" {
		anyOf(assets, []string{f.Entity})
	}
	if f.Search != "" {
		q := strings.ToLower(f.Search)
		ors := []string{"instr(lower(name), ?) > 0"}
		args = append(args, q)
		if n, err := strconv.ParseInt(strings.TrimPrefix(q, "#"), 10, 64); err == nil {
			ors = append(ors, "id = ?")
			args = append(args, n)
		}
		for _, c := range assets {
			ors = append(ors, "EXISTS (SELECT 1 FROM json_each("+c+") WHERE instr(lower(value), ?) > 0)")
			args = append(args, q)
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	}
	if !f.Since.IsZero() {
		where, args = append(where, "last_activity >= ?"), append(args, f.Since.UnixMicro())
	}
	if !f.Until.IsZero() {
		where, args = append(where, "first_activity < ?"), append(args, f.Until.UnixMicro())
	}
	if f.MultiSource {
		where = append(where, "json_array_length(detection_sources) > 1")
	}
	if f.MultiCategory {
		where = append(where, "json_array_length(categories) > 1")
	}
	return where, args
}

// ListIncidents returns a page of the incident queue and the counts per
// severity and status of everything the filter selects.
func (s *Store) ListIncidents(ctx context.Context, f state.IncidentFilter) (*state.IncidentPage, error) {
	col, ok := incidentSorts[f.Sort]
	if !ok {
		return nil, fmt.Errorf("sqlite: unknown incident sort %q", f.Sort)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultIncidentLimit
	}
	if limit > maxIncidentLimit {
		return nil, fmt.Errorf("sqlite: limit %d is above %d", limit, maxIncidentLimit)
	}
	where, args := incidentWhere(f)
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	page := &state.IncidentPage{Items: []state.Incident{}, CountsBySeverity: map[string]int{}, CountsByStatus: map[string]int{}}
	rows, err := s.r.QueryContext(ctx, `SELECT severity, status, count(*) FROM incidents`+cond+` GROUP BY 1, 2`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	for rows.Next() {
		var sev, st string
		var n int
		if err := rows.Scan(&sev, &st, &n); err != nil {
			rows.Close()
			return nil, mapErr(err)
		}
		page.CountsBySeverity[sev] += n
		page.CountsByStatus[st] += n
		page.Total += n
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, mapErr(err)
	}

	sortName := f.Sort
	if sortName == "" {
		sortName = "lastActivity"
	}
	cmp, dir := ">", "ASC"
	if f.Desc {
		cmp, dir = "<", "DESC"
		// A cursor holds its direction: one page of an ascending listing
		// does not continue a descending one.
		sortName = "-" + sortName
	}
	if f.Cursor != "" {
		v, id, err := decodeIncidentCursor(sortName, f.Cursor)
		if err != nil {
			return nil, err
		}
		where = append(where, "("+col+" "+cmp+" ? OR ("+col+" = ? AND id "+cmp+" ?))")
		args = append(args, v, v, id)
	}
	q := `SELECT ` + incidentColumns + `, ` + col + ` FROM incidents`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY " + col + " " + dir + ", id " + dir + " LIMIT ?"
	args = append(args, limit+1)
	if f.Cursor == "" && f.Skip > 0 {
		q += " OFFSET ?"
		args = append(args, f.Skip)
	}
	rows, err = s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var lastKey int64
	for rows.Next() {
		if len(page.Items) == limit {
			last := page.Items[limit-1]
			page.Next = encodeIncidentCursor(sortName, lastKey, last.ID)
			break
		}
		var key int64
		in, err := scanIncident(scanPlus{rows, &key})
		if err != nil {
			return nil, err
		}
		lastKey = key
		page.Items = append(page.Items, *in)
	}
	return page, mapErr(rows.Err())
}

// scanPlus scans a row with one extra trailing column into extra.
type scanPlus struct {
	rows  *sql.Rows
	extra *int64
}

func (p scanPlus) Scan(dst ...any) error { return p.rows.Scan(append(dst, p.extra)...) }

// ListIncidentAlerts pages through alerts in incidents with their triage
// state, most recently updated first.
func (s *Store) ListIncidentAlerts(ctx context.Context, f state.IncidentAlertFilter) ([]state.IncidentAlertRow, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = defaultIncidentLimit
	}
	if limit > maxIncidentLimit {
		return nil, fmt.Errorf("sqlite: limit %d is above %d", limit, maxIncidentLimit)
	}
	const updated = `max(a.linked_at, coalesce(s.updated_at, 0))`
	var where []string
	var args []any
	if len(f.Statuses) > 0 {
		where = append(where, "lower(coalesce(s.status, 'New')) IN (?"+strings.Repeat(", ?", len(f.Statuses)-1)+")")
		for _, v := range f.Statuses {
			args = append(args, strings.ToLower(v))
		}
	}
	if len(f.Severities) > 0 {
		where = append(where, "lower(a.severity) IN (?"+strings.Repeat(", ?", len(f.Severities)-1)+")")
		for _, v := range f.Severities {
			args = append(args, strings.ToLower(v))
		}
	}
	if !f.UpdatedSince.IsZero() {
		where, args = append(where, updated+" >= ?"), append(args, f.UpdatedSince.UnixMicro())
	}
	if !f.UpdatedUntil.IsZero() {
		where, args = append(where, updated+" < ?"), append(args, f.UpdatedUntil.UnixMicro())
	}
	q := `SELECT a.alert_id, a.incident_id, a.time, a.title, a.severity, a.category, a.service_source, a.detection_source,
		a.techniques, a.entities, a.reasons, a.linked_at, coalesce(s.status, 'New'), coalesce(s.assignee, ''),
		coalesce(s.classification, ''), coalesce(s.determination, ''), ` + updated + `
		FROM incident_alerts a LEFT JOIN alert_state s ON s.alert_id = a.alert_id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY " + updated + " DESC, a.alert_id DESC LIMIT ? OFFSET ?"
	args = append(args, limit, max(f.Skip, 0))
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := []state.IncidentAlertRow{}
	var homes []int64
	for rows.Next() {
		var a state.IncidentAlertRow
		var t, linked, upd sql.NullInt64
		var techs, ents, reasons string
		if err := rows.Scan(&a.AlertID, &a.IncidentID, &t, &a.Title, &a.Severity, &a.Category, &a.ServiceSource,
			&a.DetectionSource, &techs, &ents, &reasons, &linked, &a.Status, &a.Assignee, &a.Classification, &a.Determination, &upd); err != nil {
			return nil, mapErr(err)
		}
		a.Time, a.LinkedAt, a.UpdatedAt = goTime(t), goTime(linked), goTime(upd)
		if err := decodeAlertLists(&a.IncidentAlert, techs, ents, reasons); err != nil {
			return nil, fmt.Errorf("sqlite: incident alert %s: bad JSON column: %w", a.AlertID, err)
		}
		out = append(out, a)
		homes = append(homes, a.IncidentID)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	c, err := chainsOf(ctx, s.r, homes)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if err := c.resolve(&out[i].IncidentAlert); err != nil {
			return nil, err
		}
	}
	return out, nil
}
