package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/detect"
)

// Alerts, as the detection rules wrote them to AlertInfo and
// AlertEvidence:
//
//	GET /api/v1/alerts        newest first; filters since, until (RFC 3339),
//	                          severity (repeatable), category, title
//	                          (substring); limit (1..1000); cursor (next page)
//	GET /api/v1/alerts/{id}   one alert and its evidence
func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f detect.AlertFilter
	var err error
	for _, name := range []string{"since", "until"} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		t, perr := time.Parse(time.RFC3339Nano, v)
		if perr != nil {
			err = errInvalid(name + " must be an RFC 3339 time, e.g. 2026-11-26T10:00:00Z")
			break
		}
		if name == "since" {
			f.Since = t
		} else {
			f.Until = t
		}
	}
	if v := q.Get("limit"); v != "" && err == nil {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 || n > 1000 {
			err = errInvalid("limit must be an integer in 1..1000")
		}
		f.Limit = n
	}
	for _, sev := range q["severity"] {
		for _, one := range strings.Split(sev, ",") {
			if one = strings.TrimSpace(one); one != "" {
				f.Severities = append(f.Severities, one)
			}
		}
	}
	f.Category, f.TitleContains, f.Cursor = q.Get("category"), q.Get("title"), q.Get("cursor")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := detect.ListAlerts(r.Context(), s.events, f)
	if errors.Is(err, detect.ErrBadCursor) {
		err = errInvalid("cursor is not one a listing returned")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) getAlert(w http.ResponseWriter, r *http.Request) {
	d, err := detect.GetAlert(r.Context(), s.events, r.PathValue("id"))
	if errors.Is(err, detect.ErrNoAlert) {
		err = &Error{http.StatusNotFound, CodeNotFound, "no alert with this id"}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}
