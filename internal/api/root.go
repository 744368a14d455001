package api

import (
	"net/http"
	"strings"
)

// placeholderPage is served at / until the portal is built into the
// binary.
const placeholderPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vigil</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>Vigil</h1>
<p>The server is running. The web portal is not part of this build yet.</p>
<p>Use the API: sign in with <code>POST /api/v1/auth/login</code>, or send an API token
(<code>vigil token create</code>) as <code>Authorization: Bearer ...</code>.</p>
</body></html>
`

// root serves browsers the portal (a placeholder for now) and
// Elasticsearch clients the cluster description they probe for.
func (s *Server) root(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "" || !strings.Contains(r.Header.Get("Accept"), "text/html") {
		s.esRequire(s.esRoot)(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(placeholderPage))
}
