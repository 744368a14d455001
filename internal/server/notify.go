package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/config"
	"github.com/vigilsec/vigil/internal/incident"
	"github.com/vigilsec/vigil/internal/notify"
	"github.com/vigilsec/vigil/internal/state"
	"github.com/vigilsec/vigil/internal/version"
)

// startNotifications builds the configured webhook and syslog targets.
// A delivery given up for good is logged and audited, so an admin sees
// it in the audit log as well as in GET /api/v1/notifications.
func startNotifications(cfg config.Notifications, st state.Store, log *slog.Logger) (*notify.Dispatcher, error) {
	var subs []notify.Subscription
	agent := "Vigil/" + version.Version
	for _, w := range cfg.Webhooks {
		secret, err := readSecret(w)
		if err != nil {
			return nil, err
		}
		t, err := notify.NewWebhook(w.Name, w.URL, secret, w.AllowHTTP, agent)
		if err != nil {
			return nil, err
		}
		subs = append(subs, notify.Subscription{Target: t, Events: w.Events, Policy: notify.Policy{MaxAttempts: w.MaxAttempts}})
	}
	for _, s := range cfg.Syslog {
		var tc *tls.Config
		if s.Protocol == "tls" {
			tc = &tls.Config{MinVersion: tls.VersionTLS12}
			if s.CAFile != "" {
				pem, err := os.ReadFile(s.CAFile)
				if err != nil {
					return nil, fmt.Errorf("notification target %s: ca_file: %w", s.Name, err)
				}
				pool := x509.NewCertPool()
				if !pool.AppendCertsFromPEM(pem) {
					return nil, fmt.Errorf("notification target %s: ca_file %s holds no PEM certificate", s.Name, s.CAFile)
				}
				tc.RootCAs = pool
			}
		}
		t, err := notify.NewSyslog(notify.SyslogOptions{Name: s.Name, Network: s.Protocol, Address: s.Address, TLS: tc,
			Format: s.Format, Framing: s.Framing, Facility: s.Facility, Version: version.Version})
		if err != nil {
			return nil, err
		}
		subs = append(subs, notify.Subscription{Target: t, Events: s.Events})
	}
	d := notify.NewDispatcher(subs)
	d.OnGiveUp = func(g notify.GiveUp) {
		log.Warn("notification not delivered", "target", g.Target, "kind", g.Kind, "event", g.Event.Type,
			"subject", g.Event.Subject, "delivery", g.ID, "attempts", g.Attempt, "err", g.Err)
		details, _ := json.Marshal(map[string]any{"kind": g.Kind, "event": g.Event.Type, "subject": g.Event.Subject,
			"delivery": g.ID, "attempts": g.Attempt, "error": g.Err.Error()})
		err := st.Record(context.Background(), state.Audit{Actor: "system", Action: "notification.fail",
			Target: "notification:" + g.Target, Remote: "local", Outcome: "failure", Details: details})
		if err != nil {
			log.Error("cannot audit a failed notification", "err", err)
		}
	}
	return d, nil
}

// readSecret reads a webhook's HMAC secret; errors never quote it.
func readSecret(w config.Webhook) ([]byte, error) {
	var v string
	if w.SecretFile != "" {
		b, err := os.ReadFile(w.SecretFile)
		if err != nil {
			return nil, fmt.Errorf("notification target %s: secret_file: %w", w.Name, err)
		}
		v = string(b)
	} else {
		var ok bool
		if v, ok = os.LookupEnv(w.SecretEnv); !ok {
			return nil, fmt.Errorf("notification target %s: environment variable %s (secret_env) is not set", w.Name, w.SecretEnv)
		}
	}
	v = strings.TrimSpace(v)
	if len(v) < 16 {
		return nil, fmt.Errorf("notification target %s: the secret must be at least 16 bytes", w.Name)
	}
	return []byte(v), nil
}

// incidentNotification is what webhooks and syslog receivers are told of
// an incident change: the change, then the incident as it now stands.
func incidentNotification(ev incident.IncidentEvent) notify.Event {
	inc := ev.Incident
	typ := notify.IncidentUpdated
	if ev.Type == "created" {
		typ = notify.IncidentCreated
	}
	id := strconv.FormatInt(inc.ID, 10)
	join := func(v []string) string { return strings.Join(v, ",") }
	data := map[string]any{
		"change": ev.Type, "incidentId": inc.ID, "incidentName": inc.Name, "status": inc.Status,
		"severity": inc.Severity, "assignedTo": inc.Assignee, "classification": inc.Classification,
		"determination": inc.Determination, "tags": nonNil(inc.Tags), "systemTags": nonNil(inc.SystemTags),
		"categories": nonNil(inc.Categories), "mitreTechniques": nonNil(inc.Techniques),
		"devices": nonNil(inc.Devices), "users": nonNil(inc.Users), "mailboxes": nonNil(inc.Mailboxes),
		"ips": nonNil(inc.IPs), "alertCount": inc.AlertCount, "alertIds": nonNil(ev.AlertIDs),
		"firstActivity": inc.FirstActivity.UTC(), "lastActivity": inc.LastActivity.UTC(),
		"createdTime": inc.CreatedAt.UTC(), "lastUpdateTime": inc.UpdatedAt.UTC(), "version": inc.Version,
		"actor": ev.Actor,
	}
	if ev.Into != 0 {
		data["redirectIncidentId"] = ev.Into
	}
	return notify.Event{
		Type: typ, Time: ev.Time, Subject: id, Title: inc.Name, Severity: inc.Severity, Data: data,
		Attrs: []notify.Attr{
			{Key: "act", Value: ev.Type},
			{Key: "cs1", Label: "status", Value: inc.Status},
			{Key: "cs2", Label: "assignedTo", Value: inc.Assignee},
			{Key: "cs3", Label: "classification", Value: inc.Classification},
			{Key: "cs4", Label: "categories", Value: join(inc.Categories)},
			{Key: "cs5", Label: "mitreTechniques", Value: join(inc.Techniques)},
			{Key: "cs6", Label: "devices", Value: join(inc.Devices)},
			{Key: "cn1", Label: "alertCount", Value: strconv.Itoa(inc.AlertCount)},
			{Key: "duser", Value: join(inc.Users)},
		},
	}
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
