package sqlite

import (
	"context"
	"database/sql"
	"hash/maphash"
	"strings"
	"sync"

	"github.com/vigilsec/vigil/internal/state"
)

// rowMemos remembers, per incident, the version the store last wrote and
// a hash of each of that row's thirteen list columns. Correlation
// rewrites an incident row about once per alert, and most alerts change
// its counts and times and at most a short list or two (categories, IPs)
// while the long ones (devices, users) stay: writeIncident then sets
// only the lists that changed (no JSON built or bound for the others).
// The memo is only a hint: the UPDATE is still conditional on the
// version, so a row changed since (another process, a rolled-back
// change) gets the full update. A memo is set only after its change
// commits.
type rowMemos struct {
	mu   sync.Mutex
	seed maphash.Seed
	m    map[int64]rowMemo
}

// rowMemo is a row as last written: its version and lists' hashes.
type rowMemo struct {
	version int64
	lists   listHashes
}

// listHashes are the hashes of an incident's lists, in listColumns'
// order.
type listHashes [len(listColumns)]uint64

// listColumns are the incidents table's list columns, in incidentArgs'
// order (lists of it).
var listColumns = [...]string{"tags", "system_tags", "categories", "techniques", "devices", "users", "mailboxes", "apps", "ips",
	"service_sources", "detection_sources", "investigations", "actions"}

func lists(in *state.Incident) [len(listColumns)][]string {
	return [...][]string{in.Tags, in.SystemTags, in.Categories, in.Techniques, in.Devices, in.Users, in.Mailboxes,
		in.Apps, in.IPs, in.ServiceSources, in.DetectionSources, in.Investigations, in.Actions}
}

// memoUpdate is a memo to record once its change commits.
type memoUpdate struct {
	id int64
	rowMemo
}

// maxRowMemos bounds the memos: past it they start over (each costs a
// full update once).
const maxRowMemos = 200_000

// hashes hashes an incident's lists: each member by maphash.String (the
// seed is random, so members cannot be chosen to collide), folded in
// order into 64 bits with the list's length. Two different lists hashing
// alike, which would leave the older list in the row, has a chance of
// about 2^-64 per write. One call per member: a streaming maphash.Hash
// with a length before each member made this a fifth of writing a row.
func (r *rowMemos) hashes(in *state.Incident) listHashes {
	seed := r.init()
	var out listHashes
	for i, l := range lists(in) {
		x := uint64(len(l))
		for _, s := range l {
			x = fold(x ^ maphash.String(seed, s))
		}
		out[i] = fold(x)
	}
	return out
}

// fold mixes x's bits (the finalizer of MurmurHash3): a member's hash
// then affects every bit of the next step, so the order counts.
func fold(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// init makes the map and seed once; it returns the seed.
func (r *rowMemos) init() maphash.Seed {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.seed = maphash.MakeSeed()
		r.m = map[int64]rowMemo{}
	}
	return r.seed
}

// changed returns the bits (by listColumns) of in's lists that differ
// from those stored at in.Version, and false when that is unknown.
func (r *rowMemos) changed(in *state.Incident, hs *listHashes) (uint16, bool) {
	r.mu.Lock()
	m, ok := r.m[in.ID]
	r.mu.Unlock()
	if !ok || in.Version <= 0 || m.version != in.Version {
		return 0, false
	}
	var mask uint16
	for i := range hs {
		if hs[i] != m.lists[i] {
			mask |= 1 << i
		}
	}
	return mask, true
}

// record keeps the memos of a committed change.
func (r *rowMemos) record(us []memoUpdate) {
	if len(us) == 0 {
		return
	}
	r.init()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.m)+len(us) > maxRowMemos {
		r.m = make(map[int64]rowMemo, len(us))
	}
	for _, u := range us {
		r.m[u.id] = u.rowMemo
	}
}

// writeChanged updates a row known (memo) to be stored at in.Version
// with lists that differ only by mask: the scalar fields and the lists
// in mask. It reports false when no row matched (status or redirect
// changed, or the row did): the caller falls back to the full update.
func (w *incidentWriter) writeChanged(ctx context.Context, in *state.Incident, mask uint16, nowUS int64) (bool, error) {
	st, err := w.changedStmt(ctx, mask)
	if err != nil {
		return false, err
	}
	args := make([]any, 0, 16+len(listColumns))
	args = append(args, in.Name, in.Severity, severityRank(in.Severity), in.Assignee, in.Classification, in.Determination,
		in.AlertCount, in.EntityCount, dbTime(in.FirstActivity), dbTime(in.LastActivity), dbTime(in.ResolvedAt))
	for i, l := range lists(in) {
		if mask&(1<<i) != 0 {
			args = append(args, jsonList(l))
		}
	}
	args = append(args, nowUS, in.ID, in.Version, in.Status)
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// changedStmt prepares, once per transaction, the UPDATE of a mask.
func (w *incidentWriter) changedStmt(ctx context.Context, mask uint16) (*sql.Stmt, error) {
	if st := w.changedStmts[mask]; st != nil {
		return st, nil
	}
	var b strings.Builder
	b.WriteString(`UPDATE incidents SET name = ?, severity = ?, severity_rank = ?, assignee = ?, classification = ?,
		determination = ?, alert_count = ?, entity_count = ?, first_activity = ?, last_activity = ?, resolved_at = ?`)
	for i, c := range listColumns {
		if mask&(1<<i) != 0 {
			b.WriteString(", " + c + " = ?")
		}
	}
	b.WriteString(`, updated_at = ?, version = version + 1 WHERE id = ? AND version = ? AND status = ? AND redirect_to = 0`)
	st, err := w.tx.PrepareContext(ctx, b.String())
	if err != nil {
		return nil, err
	}
	if w.changedStmts == nil {
		w.changedStmts = map[uint16]*sql.Stmt{}
	}
	w.changedStmts[mask] = st
	return st, nil
}
