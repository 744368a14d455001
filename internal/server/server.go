// Package server wires Vigil together: it opens the stores in the data
// dir, bootstraps authentication, and serves the API over HTTPS until its
// context ends, then shuts down gracefully. It alone imports every layer.
//
// Data dir layout:
//
//	events.duckdb(.wal)  the event store
//	state.db(-wal,-shm)  the state store (users, tokens, sessions, audit)
//	tls/cert.pem, key.pem  the generated self-signed certificate
//	admin-password       the first admin's one-time password (0600)
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/detect/pack"
	"github.com/vigilsec/vigil/internal/hunt"
	"github.com/vigilsec/vigil/internal/incident"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/auth"
	"github.com/vigilsec/vigil/internal/config"
	"github.com/vigilsec/vigil/internal/ingest/enrich"
	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/state/sqlite"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/duckdb"
)

// StatePath is the state store's file in a data dir.
func StatePath(dataDir string) string { return filepath.Join(dataDir, "state.db") }

// PrepareDataDir creates the data dir (0700) or checks that it is a
// usable directory.
func PrepareDataDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("cannot create the data dir %s: %w", dir, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("cannot use the data dir %s: %w", dir, err)
	case !fi.IsDir():
		return fmt.Errorf("the data dir %s is not a directory", dir)
	}
	probe := filepath.Join(dir, ".write-test")
	if err := os.WriteFile(probe, nil, 0o600); err != nil {
		return fmt.Errorf("the data dir %s is not writable: %w", dir, err)
	}
	return os.Remove(probe)
}

// OpenState opens the data dir's state store with a clear message on
// failure.
func OpenState(dataDir string) (state.Store, error) {
	st, err := sqlite.Open(StatePath(dataDir))
	if err != nil {
		switch {
		case errors.Is(err, state.ErrCorrupt):
			return nil, fmt.Errorf("the state store %s is corrupt or not a Vigil file: %w", StatePath(dataDir), err)
		case errors.Is(err, state.ErrTooNew):
			return nil, fmt.Errorf("the state store %s was written by a newer Vigil; upgrade this binary: %w", StatePath(dataDir), err)
		}
		return nil, fmt.Errorf("cannot open the state store %s: %w", StatePath(dataDir), err)
	}
	return st, nil
}

// OpenEvents opens the data dir's event store with a clear message on
// failure.
func OpenEvents(dataDir string, opts store.Options) (store.Store, error) {
	ev, err := duckdb.Open(dataDir, opts)
	if err != nil {
		switch {
		case errors.Is(err, store.ErrLocked):
			return nil, fmt.Errorf("the event store in %s is in use by another process (is another vigil serve running on this data dir?): %w", dataDir, err)
		case errors.Is(err, store.ErrCorrupt):
			return nil, fmt.Errorf("the event store in %s is corrupt or not a Vigil file: %w", dataDir, err)
		}
		return nil, fmt.Errorf("cannot open the event store in %s: %w", dataDir, err)
	}
	return ev, nil
}

// NewLogger builds the structured logger the configuration asks for.
func NewLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Hooks let a caller run work inside a serving instance: `vigil demo`
// backfills and streams simulated telemetry into the event store.
type Hooks struct {
	// BeforeServe runs after the stores are open and before the listener
	// accepts requests (and before the URL is printed); an error stops
	// the server.
	BeforeServe func(ctx context.Context, events store.Store) error
	// Serving runs in its own goroutine once requests are accepted; its
	// context ends at shutdown.
	Serving func(ctx context.Context, events store.Store)
	// OnIncident is told of every incident change once stored
	// (notifications); it must not block.
	OnIncident func(incident.IncidentEvent)
}

// Run serves until ctx ends. Operator-facing messages (the URL, the first
// admin's password) go to out; logs go to log.
func Run(ctx context.Context, cfg config.Config, log *slog.Logger, out io.Writer) error {
	return RunWith(ctx, cfg, log, out, Hooks{})
}

// RunWith is Run with hooks.
func RunWith(ctx context.Context, cfg config.Config, log *slog.Logger, out io.Writer, hooks Hooks) error {
	if err := PrepareDataDir(cfg.DataDir); err != nil {
		return err
	}
	st, err := OpenState(cfg.DataDir)
	if err != nil {
		return err
	}
	defer st.Close()

	authn := auth.NewService(st, auth.Options{SessionTTL: time.Duration(cfg.SessionTTL)})
	password, created, err := authn.Bootstrap(ctx, cfg.DataDir)
	if err != nil {
		return fmt.Errorf("cannot create the first admin user: %w", err)
	}

	metrics := api.NewMetrics()
	retention := map[string]time.Duration{}
	for table, d := range cfg.Retention.Tables {
		retention[table] = time.Duration(d)
	}
	raw, err := OpenEvents(cfg.DataDir, store.Options{
		Retention:         retention,
		DefaultRetention:  time.Duration(cfg.Retention.Default),
		RetentionInterval: time.Duration(cfg.Retention.Interval),
		OnError:           func(err error) { log.Error("event store background work failed", "err", err) },
	})
	if err != nil {
		return err
	}
	defer raw.Close()
	metrics.Registry.MustRegister(newStoreCollector(raw))
	// The built-in detection rules: continuous ones run on every batch
	// appended (their alerts land in the same batch), scheduled ones on
	// their frequency.
	rules, err := pack.Rules()
	if err != nil {
		return fmt.Errorf("built-in detection rules: %w", err)
	}
	registry := detect.NewRegistry(rules)
	// Custom rules created over the API, kept in the state store.
	if err := api.LoadRules(ctx, st, registry, func(id string, err error) {
		log.Warn("stored detection rule does not compile; it is not running", "rule", id, "err", err)
	}); err != nil {
		return fmt.Errorf("reading the stored detection rules: %w", err)
	}
	// Incidents: alerts reaching the event store, from any path, are
	// correlated once durable.
	// Notifications: webhooks and syslog receivers follow incident
	// changes. Closed last (deferred first), after correlation stops, so
	// its final changes are still delivered.
	notifier, err := startNotifications(cfg.Notifications, st, log)
	if err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(cfg.ShutdownTimeout))
		defer cancel()
		notifier.Close(ctx)
	}()
	onIncident := func(ev incident.IncidentEvent) {
		notifier.Notify(incidentNotification(ev))
		if hooks.OnIncident != nil {
			hooks.OnIncident(ev)
		}
	}
	incidents, err := startIncidents(ctx, st, raw, log, incidentSettings(cfg.Incidents), onIncident)
	if err != nil {
		return fmt.Errorf("incidents: %w", err)
	}
	incCtx, stopIncidents := context.WithCancel(ctx)
	incDone := make(chan struct{})
	go func() { runIncidents(incCtx, incidents, raw, log); close(incDone) }()
	defer func() { stopIncidents(); <-incDone }()
	streaming := detect.NewStreaming(incidentTap{Store: metered{Store: raw, m: metrics}, engine: incidents, log: log}, registry)
	streaming.OnError = func(rule string, err error) { log.Warn("detection rule failed on a batch", "rule", rule, "err", err) }
	// What alerts become, the same in the stream, the scheduler and
	// manual runs: allow indicators, tuning rules, deduplication, with
	// counts and triggering rows in the state store.
	alerts := detect.NewPipeline(time.Duration(cfg.Detection.DedupWindow), st)
	alerts.OnError = func(err error) {
		log.Warn("alert bookkeeping in the state store failed; the alerts are written", "err", err)
	}
	streaming.Alerts = alerts
	// Device groups (DeviceInfo's MachineGroup) for rules and indicators
	// scoped to some; the stream keeps them current.
	groups, err := detect.LoadDeviceGroups(ctx, raw)
	if err != nil {
		return fmt.Errorf("reading device groups from the event store: %w", err)
	}
	alerts.SetDeviceGroups(groups)
	if err := api.LoadTuning(ctx, st, alerts, func(id string, err error) {
		log.Warn("stored alert tuning rule does not validate; it is not applied", "rule", id, "err", err)
	}); err != nil {
		return fmt.Errorf("reading the alert tuning rules: %w", err)
	}
	// Indicators of compromise: Defender CSV and STIX 2.1 bundle files an
	// administrator puts in DATA/indicators, read at start, and those
	// managed over the API (state store).
	fileInds, indErrs := detect.LoadIndicatorDir(filepath.Join(cfg.DataDir, "indicators"))
	for _, e := range indErrs {
		log.Warn("indicator skipped", "err", e)
	}
	if err := api.LoadIndicators(ctx, st, alerts, fileInds, func(id string, err error) {
		log.Warn("indicator skipped", "indicator", id, "err", err)
	}); err != nil {
		return fmt.Errorf("reading the indicators: %w", err)
	}
	if len(fileInds) > 0 {
		log.Info("indicators loaded from files", "count", len(fileInds))
	}
	var events store.Store = streaming
	scheduler := &detect.Scheduler{Engine: &hunt.Engine{Store: events}, Store: events, Rules: registry, Alerts: alerts,
		LastRun: detect.LastScheduledRun(ctx, st),
		OnRun: func(r *detect.Run) {
			if err := st.AddRuleRun(ctx, r.Record()); err != nil && ctx.Err() == nil {
				log.Warn("recording a detection rule run failed", "rule", r.RuleID, "err", err)
			}
			if r.Err != "" {
				log.Warn("scheduled detection rule failed", "rule", r.RuleID, "err", r.Err)
				return
			}
			log.Debug("scheduled detection rule ran", "rule", r.RuleID, "alerts", len(r.Alerts), "duration", r.Duration)
		}}
	schedCtx, stopScheduler := context.WithCancel(ctx)
	schedDone := make(chan struct{})
	go func() { scheduler.Run(schedCtx, time.Minute); close(schedDone) }()
	// Stop the scheduler before the store closes (defers run last first).
	defer func() { stopScheduler(); <-schedDone }()

	host, _, _ := net.SplitHostPort(cfg.Listen)
	var tlsConf *tls.Config
	var certFingerprint string
	if !cfg.InsecureHTTP {
		cert, fp, err := loadTLS(cfg.TLSCert, cfg.TLSKey, cfg.DataDir, host, time.Now())
		if err != nil {
			return err
		}
		certFingerprint = fp
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("cannot listen on %s: the address is already in use (another vigil, or another program, holds the port)", cfg.Listen)
		}
		return fmt.Errorf("cannot listen on %s: %w", cfg.Listen, err)
	}
	defer ln.Close() // on the error paths before Serve owns it
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	}

	ready := func(ctx context.Context) error {
		if _, err := st.SchemaVersion(ctx); err != nil {
			return fmt.Errorf("state store: %w", err)
		}
		if _, err := events.Query(ctx, store.Query{SQL: "SELECT 1", MaxRows: 1}); err != nil {
			return fmt.Errorf("event store: %w", err)
		}
		return nil
	}
	enrichers, err := enrich.Default(ctx, events)
	if err != nil {
		return fmt.Errorf("cannot read the device registry from the event store: %w", err)
	}
	a := api.New(api.Options{
		RequestTimeout:       time.Duration(cfg.Limits.RequestTimeout),
		SessionTTL:           time.Duration(cfg.SessionTTL),
		InsecureHTTP:         cfg.InsecureHTTP,
		ExternalDataPrefixes: cfg.Hunting.ExternalDataAllowedPrefixes,
		HuntCPUBudget:        time.Duration(cfg.Hunting.CPUBudget),
		HuntCPUWindow:        time.Duration(cfg.Hunting.CPUBudgetWindow),
		Rules:                registry,
		RuleRuns:             scheduler.Runs,
		Notifier:             notifier,
		Alerts:               alerts,
		FileIndicators:       fileInds,
		Incidents:            incidents,
	}, log, authn, st, events, metrics, ready, enrichers)

	if hooks.BeforeServe != nil {
		if err := hooks.BeforeServe(ctx, events); err != nil {
			ln.Close()
			return err
		}
	}
	syslogs, err := startSyslog(ctx, cfg.Syslog, tlsConf, events, enrichers, metrics.Registry, log)
	if err != nil {
		ln.Close()
		return err
	}
	for name, addr := range syslogAddrs(syslogs) {
		fmt.Fprintf(out, "Syslog over %s on %s\n", name, addr)
	}

	srv := &http.Server{
		Handler:           http.MaxBytesHandler(a.Handler(), int64(cfg.Limits.MaxBodyBytes)),
		ReadHeaderTimeout: time.Duration(cfg.Limits.ReadHeaderTimeout),
		ReadTimeout:       time.Duration(cfg.Limits.RequestTimeout),
		WriteTimeout:      time.Duration(cfg.Limits.RequestTimeout) + 5*time.Second,
		IdleTimeout:       time.Duration(cfg.Limits.IdleTimeout),
		MaxHeaderBytes:    int(cfg.Limits.MaxHeaderBytes),
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}

	go sweepSessions(ctx, authn, log)
	go pruneOccurrences(ctx, st, log)

	scheme := "https"
	if cfg.InsecureHTTP {
		scheme = "http"
	}
	url := fmt.Sprintf("%s://%s", scheme, displayAddr(ln.Addr()))
	// The URL comes last: scripts and tests wait for it as the sign that
	// the server is ready.
	if created {
		fmt.Fprintf(out, "First start: user \"admin\", one-time password %s (also in %s; change it at first sign-in)\n",
			password, filepath.Join(cfg.DataDir, "admin-password"))
	}
	if certFingerprint != "" {
		fmt.Fprintf(out, "TLS certificate SHA-256: %s\n", certFingerprint)
	}
	fmt.Fprintf(out, "Vigil is serving at %s\n", url)
	log.Info("serving", "url", url, "dataDir", cfg.DataDir)
	servingDone := make(chan struct{})
	if hooks.Serving != nil {
		go func() {
			defer close(servingDone)
			hooks.Serving(ctx, events)
		}()
	} else {
		close(servingDone)
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("server stopped: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), time.Duration(cfg.ShutdownTimeout))
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("graceful shutdown timed out; closing connections", "err", err)
		_ = srv.Close()
	}
	syslogs.stop(shutdownCtx)
	select { // the stores close when Run returns
	case <-servingDone:
	case <-shutdownCtx.Done():
	}
	return nil
}

func syslogAddrs(s *syslogIngest) map[string]string {
	out := map[string]string{}
	if s != nil {
		for name, a := range s.addrs {
			out[name] = a.String()
		}
	}
	return out
}

// displayAddr shows the bound address, with 127.0.0.1 for "all
// interfaces" so the printed URL works when pasted.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if tcp.IP.IsUnspecified() {
		return fmt.Sprintf("127.0.0.1:%d", tcp.Port)
	}
	return tcp.String()
}

// occurrenceMemory is how long the state store remembers which
// triggering rows it counted: past the longest lookback (30 days) a row
// cannot be read again, so forgetting it cannot count it twice.
const occurrenceMemory = 31 * 24 * time.Hour

// pruneOccurrences bounds the memory of counted rows, daily.
func pruneOccurrences(ctx context.Context, st state.Store, log *slog.Logger) {
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		if n, err := st.PruneAlertOccurrences(ctx, time.Now().Add(-occurrenceMemory)); err != nil && ctx.Err() == nil {
			log.Warn("pruning alert occurrences failed", "err", err)
		} else if n > 0 {
			log.Debug("pruned alert occurrences", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func sweepSessions(ctx context.Context, authn *auth.Service, log *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := authn.PurgeExpiredSessions(ctx); err != nil && ctx.Err() == nil {
				log.Warn("session sweep failed", "err", err)
			}
		}
	}
}
