package server

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/config"
	"github.com/vigilsec/vigil/internal/incident"
	"github.com/vigilsec/vigil/internal/schema"
	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/store"
)

// incidentTap sits under the streaming detection store: every batch that
// reaches the event store with AlertInfo rows (from continuous rules,
// scheduled rules, indicators, or alerts ingested from elsewhere) goes to
// correlation once it is durable. A correlation failure does not fail the
// append (the events and alerts are stored); the catch-up picks the alerts
// up later.
type incidentTap struct {
	store.Store
	engine *incident.Engine
	log    *slog.Logger
}

func (t incidentTap) Append(ctx context.Context, b store.Batch) error {
	if err := t.Store.Append(ctx, b); err != nil {
		return err
	}
	t.engine.ObserveAddresses(incident.AddressesOf(b))
	if alerts := incident.FromBatch(b); len(alerts) > 0 {
		if err := t.engine.Ingest(context.WithoutCancel(ctx), alerts); err != nil {
			t.log.Warn("incident correlation failed; the alerts are retried by the catch-up", "alerts", len(alerts), "err", err)
		}
	}
	return nil
}

// Correlation timing.
const (
	// catchUpLookback is how far back the catch-up reads AlertInfo at
	// start; catchUpEvery, and catchUpRecent, how often and how far back
	// it reads while serving.
	catchUpLookback = 7 * 24 * time.Hour
	catchUpEvery    = 10 * time.Minute
	catchUpRecent   = 2 * time.Hour
	// catchUpMaxAlerts bounds one catch-up read.
	catchUpMaxAlerts = 200_000
)

// startIncidents builds the correlation engine, loads it from the state
// store, seeds prevalence from telemetry and correlates the alerts the
// event store holds that no incident does yet.
func startIncidents(ctx context.Context, st state.Store, events store.Store, log *slog.Logger, set incident.Settings, onChange func(incident.IncidentEvent)) (*incident.Engine, error) {
	e, err := incident.New(st, set)
	if err != nil {
		return nil, err
	}
	e.OnChange = onChange
	if err := e.Load(ctx); err != nil {
		return nil, err
	}
	if err := seedPrevalence(ctx, events, e); err != nil {
		log.Warn("reading IP prevalence from the event store failed; prevalence comes from alerts only", "err", err)
	}
	n, err := catchUp(ctx, events, e, time.Now().Add(-catchUpLookback))
	if err != nil {
		return nil, fmt.Errorf("correlating stored alerts: %w", err)
	}
	if n > 0 {
		log.Info("stored alerts correlated into incidents", "alerts", n)
	}
	return e, nil
}

// runIncidents writes deferred incident rows and re-reads recent alerts
// until ctx ends, then flushes once more.
func runIncidents(ctx context.Context, e *incident.Engine, events store.Store, log *slog.Logger) {
	flush := time.NewTicker(max(e.Settings().FlushAfter, time.Second))
	defer flush.Stop()
	catch := time.NewTicker(catchUpEvery)
	defer catch.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := e.Flush(context.WithoutCancel(ctx)); err != nil {
				log.Warn("writing incident changes at shutdown failed", "err", err)
			}
			return
		case <-flush.C:
			if err := e.Flush(ctx); err != nil && ctx.Err() == nil {
				log.Warn("writing incident changes failed", "err", err)
			}
		case <-catch.C:
			if _, err := catchUp(ctx, events, e, time.Now().Add(-catchUpRecent)); err != nil && ctx.Err() == nil {
				log.Warn("incident catch-up failed", "err", err)
			}
		}
	}
}

// columnList is a table's columns, quoted, in schema order.
func columnList(table, alias string) string {
	t, _ := schema.Lookup(table)
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = alias + strconv.Quote(c.Name)
	}
	return strings.Join(cols, ", ")
}

// catchUp correlates the alerts AlertInfo received since a time (by
// ingestion time: a recording replayed today has old event times; the
// engine skips alerts already in incidents) and reports how many it read.
func catchUp(ctx context.Context, events store.Store, e *incident.Engine, since time.Time) (int, error) {
	ing := strconv.Quote(schema.IngestionTimeColumn)
	info, err := events.Query(ctx, store.Query{SQL: `SELECT ` + columnList("AlertInfo", "") + ` FROM "AlertInfo"
		WHERE ` + ing + ` >= $1 ORDER BY "Timestamp", "AlertId" LIMIT $2`, Args: []any{since.UTC(), catchUpMaxAlerts}, MaxRows: catchUpMaxAlerts})
	if err != nil {
		return 0, err
	}
	if len(info.Rows) == 0 {
		return 0, nil
	}
	ev, err := events.Query(ctx, store.Query{SQL: `SELECT ` + columnList("AlertEvidence", "e.") + ` FROM "AlertEvidence" e
		WHERE e.` + ing + ` >= $1 AND e."AlertId" IN (SELECT "AlertId" FROM "AlertInfo" WHERE ` + ing + ` >= $1)`,
		Args: []any{since.UTC()}, MaxRows: 10 * catchUpMaxAlerts})
	if err != nil {
		return 0, err
	}
	alerts := incident.FromBatch(store.Batch{Tables: []store.TableRows{{Table: "AlertInfo", Rows: info.Rows}, {Table: "AlertEvidence", Rows: ev.Rows}}})
	for len(alerts) > 0 {
		n := min(len(alerts), 5000)
		if err := e.Ingest(ctx, alerts[:n]); err != nil {
			return 0, err
		}
		alerts = alerts[n:]
	}
	return len(info.Rows), nil
}

// seedPrevalence marks the remote IPs that more than the prevalence
// threshold of devices talked to over the last week as high-prevalence:
// telemetry sees far more than alerts do.
func seedPrevalence(ctx context.Context, events store.Store, e *incident.Engine) error {
	set := e.Settings()
	since := time.Now().Add(-7 * 24 * time.Hour).UTC()
	res, err := events.Query(ctx, store.Query{SQL: `WITH d AS (SELECT count(DISTINCT "DeviceId") AS n FROM "DeviceNetworkEvents" WHERE "Timestamp" >= $1)
SELECT "RemoteIP" FROM "DeviceNetworkEvents", d WHERE "Timestamp" >= $1 AND "RemoteIP" <> ''
GROUP BY "RemoteIP", d.n HAVING count(DISTINCT "DeviceId") > greatest($2::DOUBLE, $3::DOUBLE * d.n) LIMIT 100000`,
		Args: []any{since, float64(set.PrevalenceMinDevices), set.PrevalenceShare}, MaxRows: 100_000})
	if err != nil {
		return err
	}
	ips := make([]string, 0, len(res.Rows))
	for _, r := range res.Rows {
		if s, ok := r[0].(string); ok {
			ips = append(ips, s)
		}
	}
	e.MarkPrevalent(incident.KindIP, ips)
	return nil
}

// incidentSettings applies the config file's incidents section over the
// engine's defaults: what it leaves out stays as it is.
func incidentSettings(c config.Incidents) incident.Settings {
	s := incident.Defaults()
	for k, w := range c.Windows {
		s.Windows[k] = time.Duration(w)
	}
	if c.SequenceWindow != nil {
		s.SequenceWindow = time.Duration(*c.SequenceWindow)
	}
	setInt := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	setInt(&s.MaxEntities, c.MaxEntities)
	setInt(&s.MaxAlerts, c.MaxAlerts)
	setInt(&s.PrevalenceMinDevices, c.PrevalenceMinDevices)
	setInt(&s.MaxRefsPerKey, c.MaxRefsPerKey)
	if c.PrevalenceShare != nil {
		s.PrevalenceShare = *c.PrevalenceShare
	}
	if c.DomainControllers != nil {
		s.DomainControllers = c.DomainControllers
	}
	if c.IgnoredAccounts != nil {
		s.IgnoredAccounts = *c.IgnoredAccounts
	}
	if c.FlushAfter != nil {
		s.FlushAfter = time.Duration(*c.FlushAfter)
	}
	return s
}
