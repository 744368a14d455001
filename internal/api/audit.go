package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/vigilsec/vigil/internal/state"
)

type auditEntry struct {
	ID        int64           `json:"id"`
	Time      time.Time       `json:"time"`
	Actor     string          `json:"actor"`
	Action    string          `json:"action"`
	Target    string          `json:"target"`
	Remote    string          `json:"remote"`
	RequestID string          `json:"requestId"`
	Outcome   string          `json:"outcome"`
	Details   json.RawMessage `json:"details,omitempty"`
}

type auditPage struct {
	Entries []auditEntry `json:"entries"`
	// Next is the "before" value of the next (older) page, 0 at the end.
	Next int64 `json:"next"`
}

// listAudit returns the audit log, newest first:
// ?since=&until= (RFC 3339), &actor=, &action= (exact or "prefix."),
// &before= (paging), &limit= (1..1000).
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f state.AuditFilter
	var err error
	parseTime := func(name string) time.Time {
		v := q.Get(name)
		if v == "" || err != nil {
			return time.Time{}
		}
		t, perr := time.Parse(time.RFC3339Nano, v)
		if perr != nil {
			err = errInvalid(name + " must be an RFC 3339 time, e.g. 2026-11-26T10:00:00Z")
		}
		return t
	}
	parseInt := func(name string, lo, hi int64) int64 {
		v := q.Get(name)
		if v == "" || err != nil {
			return 0
		}
		n, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil || n < lo || n > hi {
			err = errInvalid(name + " must be an integer in " + itoa(lo) + ".." + itoa(hi))
		}
		return n
	}
	f.Since, f.Until = parseTime("since"), parseTime("until")
	f.BeforeID = parseInt("before", 1, 1<<62)
	f.Limit = int(parseInt("limit", 1, 1000))
	f.Actor, f.Action = q.Get("actor"), q.Get("action")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	entries, err := s.state.ListAudit(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page := auditPage{Entries: make([]auditEntry, 0, len(entries))}
	for _, e := range entries {
		page.Entries = append(page.Entries, auditEntry{
			ID: e.ID, Time: e.Time.UTC(), Actor: e.Actor, Action: e.Action, Target: e.Target,
			Remote: e.Remote, RequestID: e.RequestID, Outcome: e.Outcome, Details: e.Details,
		})
	}
	limit := f.Limit
	if limit == 0 {
		limit = 100
	}
	if len(entries) == limit {
		page.Next = entries[len(entries)-1].ID
	}
	writeJSON(w, http.StatusOK, page)
}
