// Package api is Vigil's HTTP API: authentication, role checks, typed JSON
// errors, request ids, limits and metrics around every handler.
//
// Every route but /healthz, /readyz and the login call requires a bearer
// token or a portal session, and a permission of the caller's role.
package api

import (
	"context"
	"github.com/vigilsec/vigil/internal/detect"
	"log/slog"
	"net/http"
	"time"

	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/incident"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/formats"
	"github.com/vigilsec/vigil/internal/notify"
	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/store"
)

// Options configure the API.
type Options struct {
	RequestTimeout time.Duration
	SessionTTL     time.Duration
	// InsecureHTTP: served over plain HTTP (loopback only), so session
	// cookies cannot be Secure.
	InsecureHTTP bool
	// ExternalDataPrefixes are the URL prefixes KQL's externaldata may
	// fetch; none means the operator is refused.
	ExternalDataPrefixes []string
	// HuntCPUBudget and HuntCPUWindow bound each user's hunting CPU time
	// over a sliding window (zero: hunt's defaults).
	HuntCPUBudget, HuntCPUWindow time.Duration
	// Rules are the detection rules in force (nil: the built-in ones,
	// fixed); RuleRuns reports the scheduler's last run of each.
	Rules    *detect.Registry
	RuleRuns func() map[string]detect.Run
	// Notifier tells webhooks and syslog receivers of incident changes
	// (nil: none configured).
	Notifier *notify.Dispatcher
	// Alerts is the alert pipeline the stream and the scheduler share:
	// tuning and indicator changes are put in force there; manual runs
	// raise their alerts through it. nil: no deduplication or tuning.
	Alerts *detect.Pipeline
	// FileIndicators are the indicators read from DATA/indicators at
	// start; they stay in force beside the stored ones.
	FileIndicators []detect.Indicator
	// Incidents is the correlation engine that owns incident changes;
	// nil: incidents can be read but not changed (503).
	Incidents *incident.Engine
}

// ingestConcurrency is how many ingest requests are processed at once;
// more wait briefly, then get 429 with Retry-After.
const ingestConcurrency = 4

// Server holds the API's dependencies.
type Server struct {
	opts    Options
	log     *slog.Logger
	auth    *auth.Service
	state   state.Store
	events  store.Store
	metrics *Metrics
	// ready reports whether the server may take traffic; nil means ready.
	ready       func(context.Context) error
	formats     *ingest.Registry
	enrichers   []ingest.Enricher
	ingestSlots ingestSlots
	hunting     *hunting
	rules       rulesOf
}

// New builds the API. ready is called by /readyz; enrichers run over
// every ingested record.
func New(opts Options, log *slog.Logger, authn *auth.Service, st state.Store, events store.Store, m *Metrics, ready func(context.Context) error, enrichers []ingest.Enricher) *Server {
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 2 * time.Minute
	}
	if opts.Rules == nil {
		opts.Rules = detect.NewRegistry(nil)
	}
	if opts.Alerts == nil {
		opts.Alerts = detect.NewPipeline(0, nil)
	}
	return &Server{opts: opts, log: log, auth: authn, state: st, events: events, metrics: m, ready: ready,
		formats: formats.Registry(), enrichers: enrichers, ingestSlots: make(ingestSlots, ingestConcurrency),
		hunting: newHunting(events, opts.ExternalDataPrefixes, hunt.NewCPUBudget(opts.HuntCPUBudget, opts.HuntCPUWindow)),
		rules:   rulesOf{registry: opts.Rules, runs: opts.RuleRuns}}
}

// Handler returns the API's routes wrapped in the common middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.require(auth.PermReadSelf, s.metricsHandler()))

	mux.HandleFunc("POST /api/v1/auth/login", s.login)
	mux.HandleFunc("POST /api/v1/auth/logout", s.require(auth.PermReadSelf, s.logout))
	mux.HandleFunc("GET /api/v1/me", s.require(auth.PermReadSelf, s.me))
	mux.HandleFunc("POST /api/v1/me/password", s.require(auth.PermReadSelf, s.changePassword))

	mux.HandleFunc("GET /api/v1/audit", s.require(auth.PermReadAudit, s.listAudit))

	mux.HandleFunc("GET /api/v1/tokens", s.require(auth.PermManageTokens, s.listTokens))
	mux.HandleFunc("POST /api/v1/tokens", s.require(auth.PermManageTokens, s.createToken))
	mux.HandleFunc("DELETE /api/v1/tokens/{id}", s.require(auth.PermManageTokens, s.revokeToken))

	mux.HandleFunc("GET /api/v1/users", s.require(auth.PermManageUsers, s.listUsers))
	mux.HandleFunc("POST /api/v1/users", s.require(auth.PermManageUsers, s.createUser))

	mux.HandleFunc("POST /api/v1/ingest", s.require(auth.PermIngest, s.ingestRecords))
	mux.HandleFunc("POST /api/v1/ingest/{table}", s.require(auth.PermIngest, s.ingestNative))

	mux.HandleFunc("GET /api/v1/openapi.yaml", s.require(auth.PermReadSelf, s.openapi))
	mux.HandleFunc("GET /api/v1/schema", s.require(auth.PermReadEvents, s.listSchema))
	mux.HandleFunc("GET /api/v1/schema/{table}", s.require(auth.PermReadEvents, s.getTable))

	// Advanced hunting, Defender's and Graph's APIs (hunting.go).
	mux.HandleFunc("POST /api/advancedhunting/run", s.require(auth.PermHunt, s.huntDefender))
	mux.HandleFunc("POST /v1.0/security/runHuntingQuery", s.require(auth.PermHunt, s.huntGraph))
	mux.HandleFunc("GET /api/advancedhunting/resources", s.require(auth.PermReadAudit, s.huntResources))
	// Detection rules (rules.go).
	mux.HandleFunc("GET /api/v1/rules", s.require(auth.PermReadIncidents, s.listRules))
	mux.HandleFunc("POST /api/v1/rules", s.require(auth.PermManageRules, s.createRule))
	mux.HandleFunc("GET /api/v1/rules/{id}", s.require(auth.PermReadIncidents, s.getRule))
	mux.HandleFunc("PUT /api/v1/rules/{id}", s.require(auth.PermManageRules, s.updateRule))
	mux.HandleFunc("DELETE /api/v1/rules/{id}", s.require(auth.PermManageRules, s.deleteRule))
	mux.HandleFunc("POST /api/v1/rules/{id}/run", s.require(auth.PermManageRules, s.runRule))
	mux.HandleFunc("GET /api/v1/rules/{id}/runs", s.require(auth.PermReadIncidents, s.listRuleRuns))
	// Alert tuning (alert_tuning.go).
	mux.HandleFunc("GET /api/v1/alert-tuning", s.require(auth.PermReadIncidents, s.listTuning))
	mux.HandleFunc("POST /api/v1/alert-tuning", s.require(auth.PermManageRules, s.createTuning))
	mux.HandleFunc("GET /api/v1/alert-tuning/{id}", s.require(auth.PermReadIncidents, s.getTuning))
	mux.HandleFunc("PUT /api/v1/alert-tuning/{id}", s.require(auth.PermManageRules, s.updateTuning))
	mux.HandleFunc("DELETE /api/v1/alert-tuning/{id}", s.require(auth.PermManageRules, s.deleteTuning))
	// Indicators of compromise (indicators.go), and Defender's API for them.
	mux.HandleFunc("GET /api/v1/indicators", s.require(auth.PermReadIncidents, s.listIndicators))
	mux.HandleFunc("POST /api/v1/indicators", s.require(auth.PermManageRules, s.createIndicator))
	mux.HandleFunc("POST /api/v1/indicators/import", s.require(auth.PermManageRules, s.importIndicators))
	mux.HandleFunc("GET /api/v1/indicators/{id}", s.require(auth.PermReadIncidents, s.getIndicator))
	mux.HandleFunc("PUT /api/v1/indicators/{id}", s.require(auth.PermManageRules, s.updateIndicator))
	mux.HandleFunc("DELETE /api/v1/indicators/{id}", s.require(auth.PermManageRules, s.deleteIndicator))
	mux.HandleFunc("GET /api/indicators", s.require(auth.PermReadIncidents, s.defenderList))
	mux.HandleFunc("POST /api/indicators", s.require(auth.PermManageRules, s.defenderSubmit))
	mux.HandleFunc("POST /api/indicators/import", s.require(auth.PermManageRules, s.defenderImport))
	mux.HandleFunc("DELETE /api/indicators/{id}", s.require(auth.PermManageRules, s.deleteIndicator))
	// Alerts raised by the detection rules (alerts.go).
	mux.HandleFunc("GET /api/v1/alerts", s.require(auth.PermReadIncidents, s.listAlerts))
	mux.HandleFunc("GET /api/v1/alerts/{id}", s.require(auth.PermReadIncidents, s.getAlert))
	mux.HandleFunc("PATCH /api/v1/alerts/{id}", s.require(auth.PermManageIncidents, s.updateAlert))
	mux.HandleFunc("POST /api/v1/alerts/{id}/comments", s.require(auth.PermManageIncidents, s.commentAlert))
	mux.HandleFunc("POST /api/v1/alerts/{id}/incident", s.require(auth.PermManageIncidents, s.moveAlert))
	// Incidents (incidents.go) and Defender's incidents API (defender_incidents.go).
	mux.HandleFunc("GET /api/v1/incidents", s.require(auth.PermReadIncidents, s.listIncidents))
	mux.HandleFunc("POST /api/v1/incidents/bulk", s.require(auth.PermManageIncidents, s.bulkUpdateIncidents))
	mux.HandleFunc("GET /api/v1/incidents/{id}", s.require(auth.PermReadIncidents, s.getIncident))
	mux.HandleFunc("PATCH /api/v1/incidents/{id}", s.require(auth.PermManageIncidents, s.updateIncident))
	mux.HandleFunc("POST /api/v1/incidents/{id}/comments", s.require(auth.PermManageIncidents, s.commentIncident))
	mux.HandleFunc("POST /api/v1/incidents/{id}/merge", s.require(auth.PermManageIncidents, s.mergeIncidents))
	mux.HandleFunc("GET /api/v1/incidents/{id}/timeline", s.require(auth.PermReadIncidents, s.incidentTimeline))
	mux.HandleFunc("GET /api/incidents", s.require(auth.PermReadIncidents, s.defListIncidents))
	mux.HandleFunc("GET /api/incidents/{id}", s.require(auth.PermReadIncidents, s.defGetIncident))
	mux.HandleFunc("PATCH /api/incidents/{id}", s.require(auth.PermManageIncidents, s.defUpdateIncident))
	mux.HandleFunc("GET /api/alerts", s.require(auth.PermReadIncidents, s.defListAlerts))

	// Elasticsearch-compatible ingestion for log shippers.
	mux.HandleFunc("GET /api/v1/notifications", s.require(auth.PermManageSettings, s.listNotifications))
	mux.HandleFunc("POST /api/v1/notifications/{name}/test", s.require(auth.PermManageSettings, s.testNotification))

	mux.HandleFunc("GET /{$}", s.root)
	mux.HandleFunc("HEAD /{$}", s.esRequire(s.esRoot))
	mux.HandleFunc("GET /_license", s.esRequire(s.esLicense))
	mux.HandleFunc("GET /_xpack", s.esRequire(s.esXPack))
	mux.HandleFunc("GET /_cluster/health", s.esRequire(s.esHealth))
	for _, prefix := range []string{"/_index_template/", "/_template/", "/_component_template/", "/_ilm/policy/", "/_ingest/pipeline/", "/_data_stream/"} {
		for _, method := range []string{"GET ", "HEAD ", "PUT "} {
			mux.HandleFunc(method+prefix+"{name}", s.esRequire(s.esSetup))
		}
	}
	mux.HandleFunc("POST /_bulk", s.esRequire(s.esBulk))
	mux.HandleFunc("PUT /_bulk", s.esRequire(s.esBulk))
	mux.HandleFunc("POST /{index}/_bulk", s.esRequire(s.esBulk))

	mux.HandleFunc("/", s.notFound)
	return s.outer(mux)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, &Error{http.StatusNotFound, CodeNotFound, "no such route: " + r.Method + " " + r.URL.Path})
}

// audit builds the audit entry of a request made by p.
func audit(r *http.Request, p *auth.Principal, action, target string) state.Audit {
	a := state.Audit{Action: action, Target: target, Remote: clientAddr(r), RequestID: requestID(r.Context())}
	if p != nil {
		a.Actor = p.Actor()
	}
	return a
}

// denied records a refused request in the audit log: who tried what.
func (s *Server) denied(r *http.Request, p *auth.Principal, perm auth.Permission) {
	a := audit(r, p, "access.denied", r.Method+" "+r.URL.Path)
	a.Outcome = "denied"
	a.Details = jsonRaw(map[string]string{"permission": string(perm), "role": p.Role})
	if err := s.state.Record(r.Context(), a); err != nil {
		s.log.WarnContext(r.Context(), "audit write failed", "err", err)
	}
}
