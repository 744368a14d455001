package api

import (
	"errors"
	"net/http"

	"github.com/vigilsec/vigil/internal/notify"
)

// listNotifications shows each webhook and syslog target with its
// delivery counts and last error, so an admin sees a receiver failing.
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"items": s.opts.Notifier.Status()})
}

// testNotification sends a "test" event to one target; the result shows
// up in the target's status (and, when it fails for good, the audit log).
func (s *Server) testNotification(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	p := principal(r.Context())
	err := s.opts.Notifier.Test(name, notify.Event{Subject: "test", Title: "Vigil test notification", Severity: "Informational",
		Data: map[string]string{"requestedBy": p.Actor()}})
	if errors.Is(err, notify.ErrNoTarget) {
		s.writeError(w, r, &Error{http.StatusNotFound, CodeNotFound, "no notification target with this name"})
		return
	}
	if err := s.state.Record(r.Context(), audit(r, p, "notification.test", "notification:"+name)); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "queued"})
}
