package config

import (
	"fmt"
	"net"
	"net/url"
	"slices"
)

// Notifications are the outside systems told of incident changes; they
// are set in the config file only (lists have no flag or variable form).
type Notifications struct {
	Webhooks []Webhook      `yaml:"webhooks"`
	Syslog   []SyslogExport `yaml:"syslog"`
}

// Webhook is a receiver of signed JSON posts.
type Webhook struct {
	Name string `yaml:"name"`
	URL  string `yaml:"url"`
	// The HMAC secret comes from a file or an environment variable, never
	// from the config file itself, so the config can be shared and logged.
	SecretFile string   `yaml:"secret_file"`
	SecretEnv  string   `yaml:"secret_env"`
	Events     []string `yaml:"events"`
	// AllowHTTP permits a plain-http URL (a receiver on loopback or a
	// trusted network); https is required otherwise.
	AllowHTTP   bool `yaml:"allow_http"`
	MaxAttempts int  `yaml:"max_attempts"`
}

// SyslogExport is a SIEM's syslog collector receiving CEF.
type SyslogExport struct {
	Name     string   `yaml:"name"`
	Address  string   `yaml:"address"`
	Protocol string   `yaml:"protocol"` // udp, tcp, tls
	Format   string   `yaml:"format"`   // rfc5424 (default), rfc3164
	Framing  string   `yaml:"framing"`  // octet (default), newline
	Facility string   `yaml:"facility"` // local4 by default
	CAFile   string   `yaml:"ca_file"`  // tls: the collector's CA (system roots by default)
	Events   []string `yaml:"events"`
}

// NotificationEvents are the event types a target may list.
var NotificationEvents = []string{"incident.created", "incident.updated"}

func (n Notifications) validate(bad func(setting, format string, args ...any)) {
	names := map[string]bool{}
	name := func(key, v string) {
		if v == "" {
			bad(key+".name", "is required")
		} else if names[v] {
			bad(key+".name", "%q is used by another notification target", v)
		}
		names[v] = true
	}
	events := func(key string, evs []string) {
		for _, e := range evs {
			if !slices.Contains(NotificationEvents, e) {
				bad(key+".events", "%q is not one of %v", e, NotificationEvents)
			}
		}
	}
	for i, w := range n.Webhooks {
		key := fmt.Sprintf("notifications.webhooks[%d]", i)
		name(key, w.Name)
		events(key, w.Events)
		u, err := url.Parse(w.URL)
		switch {
		case err != nil || u.Host == "":
			bad(key+".url", "%q is not an http(s) URL with a host", w.URL)
		case u.User != nil:
			bad(key+".url", "must not hold user info; the receiver authenticates the HMAC signature")
		case u.Scheme == "http" && !w.AllowHTTP:
			bad(key+".url", "plain http needs allow_http: true (https is the default)")
		case u.Scheme != "http" && u.Scheme != "https":
			bad(key+".url", "scheme %q is not http(s)", u.Scheme)
		}
		if (w.SecretFile == "") == (w.SecretEnv == "") {
			bad(key+".secret_file", "give exactly one of secret_file and secret_env")
		}
		if w.MaxAttempts < 0 || w.MaxAttempts > 100 {
			bad(key+".max_attempts", "%d is outside 0..100 (0: the default)", w.MaxAttempts)
		}
	}
	for i, s := range n.Syslog {
		key := fmt.Sprintf("notifications.syslog[%d]", i)
		name(key, s.Name)
		events(key, s.Events)
		if _, port, err := net.SplitHostPort(s.Address); err != nil {
			bad(key+".address", "%q is not host:port", s.Address)
		} else if _, err := parsePort(port); err != nil {
			bad(key+".address", "port %q: %v", port, err)
		}
		if !slices.Contains([]string{"udp", "tcp", "tls"}, s.Protocol) {
			bad(key+".protocol", "%q is not one of udp, tcp, tls", s.Protocol)
		}
		if s.Format != "" && s.Format != "rfc5424" && s.Format != "rfc3164" {
			bad(key+".format", "%q is not rfc5424 or rfc3164", s.Format)
		}
		if s.Framing != "" && s.Framing != "octet" && s.Framing != "newline" {
			bad(key+".framing", "%q is not octet or newline", s.Framing)
		}
		if s.CAFile != "" && s.Protocol != "tls" {
			bad(key+".ca_file", "is only used with protocol tls")
		}
	}
}
