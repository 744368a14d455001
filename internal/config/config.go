// Package config loads `vigil serve`'s settings from, in rising order of
// precedence, built-in defaults, a YAML config file, VIGIL_* environment
// variables and command-line flags, and validates them with messages that
// name the setting.
//
// Every setting has one key, used as the YAML key, the flag (--key with
// dots and underscores as dashes) and the environment variable (VIGIL_KEY
// in upper case with dots and dashes as underscores); see Settings.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vigilsec/vigil/internal/schema"
)

// Config is the server's configuration.
type Config struct {
	DataDir      string `yaml:"data_dir"`
	Listen       string `yaml:"listen"`
	TLSCert      string `yaml:"tls_cert"`
	TLSKey       string `yaml:"tls_key"`
	InsecureHTTP bool   `yaml:"insecure_http"`

	LogLevel  string `yaml:"log_level"`
	LogFormat string `yaml:"log_format"`

	Retention Retention `yaml:"retention"`
	Limits    Limits    `yaml:"limits"`
	Syslog    Syslog    `yaml:"syslog"`
	Hunting   Hunting   `yaml:"hunting"`
	Detection Detection `yaml:"detection"`

	Notifications Notifications `yaml:"notifications"`
	Incidents     Incidents     `yaml:"incidents"`

	SessionTTL      Duration `yaml:"session_ttl"`
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
}

// Hunting configures KQL queries.
type Hunting struct {
	// ExternalDataAllowedPrefixes are the URL prefixes externaldata may
	// fetch (https://feeds.example.org/); empty refuses the operator,
	// which would otherwise let any analyst make the server fetch any
	// address.
	ExternalDataAllowedPrefixes []string `yaml:"externaldata_allowed_prefixes"`
	// CPUBudget is the processor time one user's queries may use over
	// CPUBudgetWindow (a sliding window); a user over it gets 429 until
	// older queries age out.
	CPUBudget       Duration `yaml:"cpu_budget"`
	CPUBudgetWindow Duration `yaml:"cpu_budget_window"`
}

// Detection configures what detections' alerts become.
type Detection struct {
	// DedupWindow: the occurrences of one rule on the same impacted
	// entities within one window (aligned: 24h is a UTC day) are one
	// alert with a count; 0 raises one alert per triggering row.
	DedupWindow Duration `yaml:"dedup_window"`
}

// Retention bounds how long events are kept, per table.
type Retention struct {
	Default  Duration            `yaml:"default"`
	Interval Duration            `yaml:"interval"`
	Tables   map[string]Duration `yaml:"tables"`
}

// Syslog are the syslog listeners' addresses; empty disables one. TLS
// uses the server's certificate.
type Syslog struct {
	UDP string `yaml:"udp"`
	TCP string `yaml:"tcp"`
	TLS string `yaml:"tls"`
}

// Limits protect the server from oversized or slow requests.
type Limits struct {
	MaxBodyBytes      Size     `yaml:"max_body_bytes"`
	MaxHeaderBytes    Size     `yaml:"max_header_bytes"`
	RequestTimeout    Duration `yaml:"request_timeout"`
	ReadHeaderTimeout Duration `yaml:"read_header_timeout"`
	IdleTimeout       Duration `yaml:"idle_timeout"`
}

// Default returns the built-in defaults.
func Default() Config {
	return Config{
		Listen:    "127.0.0.1:8443",
		LogLevel:  "info",
		LogFormat: "text",
		Retention: Retention{
			Default:  Duration(30 * 24 * time.Hour),
			Interval: Duration(10 * time.Minute),
		},
		Limits: Limits{
			MaxBodyBytes:      32 << 20,
			MaxHeaderBytes:    64 << 10,
			RequestTimeout:    Duration(2 * time.Minute),
			ReadHeaderTimeout: Duration(10 * time.Second),
			IdleTimeout:       Duration(2 * time.Minute),
		},
		Hunting:         Hunting{CPUBudget: Duration(10 * time.Minute), CPUBudgetWindow: Duration(15 * time.Minute)},
		Detection:       Detection{DedupWindow: Duration(24 * time.Hour)},
		SessionTTL:      Duration(12 * time.Hour),
		ShutdownTimeout: Duration(15 * time.Second),
	}
}

// Error is a problem with one setting, named as the operator wrote it.
type Error struct {
	Setting string // "listen", "retention.tables.DeviceEvents", ...
	Source  string // "config file x.yaml line 3", "environment VIGIL_LISTEN", "flag --listen", "default"
	Reason  string
}

func (e *Error) Error() string {
	if e.Source == "" {
		return fmt.Sprintf("setting %s: %s", e.Setting, e.Reason)
	}
	return fmt.Sprintf("setting %s (%s): %s", e.Setting, e.Source, e.Reason)
}

// Errors is every problem found, so an operator fixes them in one pass.
type Errors []*Error

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// maxConfigFile caps the config file so a wrong path (a disk image, a
// device) fails fast instead of being read whole.
const maxConfigFile = 1 << 20

// LoadFile reads a YAML config file over c. Unknown keys are errors.
func LoadFile(c *Config, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return &Error{Setting: "config", Source: "flag --config", Reason: err.Error()}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	if err != nil {
		return &Error{Setting: "config", Source: path, Reason: err.Error()}
	}
	if len(data) > maxConfigFile {
		return &Error{Setting: "config", Source: path, Reason: "file is larger than 1 MiB"}
	}
	return Parse(c, path, data)
}

// Parse decodes YAML config text over c.
func Parse(c *Config, name string, data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return &Error{Setting: "config", Source: "config file " + name, Reason: yamlReason(err)}
	}
	return nil
}

// yamlReason makes yaml's errors read as one line.
func yamlReason(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return strings.Join(te.Errors, "; ")
	}
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

// Validate checks every setting and returns Errors naming each bad one.
func (c *Config) Validate() error {
	var errs Errors
	bad := func(setting, format string, args ...any) {
		errs = append(errs, &Error{Setting: setting, Reason: fmt.Sprintf(format, args...)})
	}
	if c.DataDir == "" {
		bad("data_dir", "is required (flag --data, environment VIGIL_DATA_DIR)")
	}
	host, port, err := net.SplitHostPort(c.Listen)
	if err != nil {
		bad("listen", "%q is not host:port (e.g. 127.0.0.1:8443, :8443)", c.Listen)
	} else if p, perr := parsePort(port); perr != nil {
		bad("listen", "port %q: %v", port, perr)
	} else if c.InsecureHTTP && !IsLoopback(host) {
		bad("insecure_http", "plain HTTP is allowed only on a loopback address, not %q (use 127.0.0.1:%d, or TLS)", c.Listen, p)
	}
	for _, l := range []struct{ key, addr string }{{"syslog.udp", c.Syslog.UDP}, {"syslog.tcp", c.Syslog.TCP}, {"syslog.tls", c.Syslog.TLS}} {
		if l.addr == "" {
			continue
		}
		if _, port, err := net.SplitHostPort(l.addr); err != nil {
			bad(l.key, "%q is not host:port (e.g. 0.0.0.0:514)", l.addr)
		} else if _, perr := parsePort(port); perr != nil {
			bad(l.key, "port %q: %v", port, perr)
		}
	}
	if c.Syslog.TLS != "" && c.InsecureHTTP {
		bad("syslog.tls", "needs the server's TLS certificate; it cannot be combined with insecure_http")
	}
	for _, p := range c.Hunting.ExternalDataAllowedPrefixes {
		if u, err := url.Parse(p); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("hunting.externaldata_allowed_prefixes", "%q is not an http(s) URL prefix with a host", p)
		}
	}
	if c.Hunting.CPUBudget < Duration(time.Second) {
		bad("hunting.cpu_budget", "%s is shorter than the minimum of 1s", c.Hunting.CPUBudget)
	}
	if c.Hunting.CPUBudgetWindow < Duration(time.Minute) || c.Hunting.CPUBudgetWindow > Duration(24*time.Hour) {
		bad("hunting.cpu_budget_window", "%s is outside 1m..24h", c.Hunting.CPUBudgetWindow)
	}
	c.Notifications.validate(bad)
	c.Incidents.validate(bad)
	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("tls_cert", "tls_cert and tls_key must be given together")
	}
	if c.InsecureHTTP && c.TLSCert != "" {
		bad("insecure_http", "cannot be combined with tls_cert/tls_key")
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		bad("log_level", "%q is not one of debug, info, warn, error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		bad("log_format", "%q is not one of text, json", c.LogFormat)
	}
	if c.Retention.Default < Duration(time.Hour) {
		bad("retention.default", "%s is shorter than the minimum of 1h", c.Retention.Default)
	}
	if c.Retention.Interval < Duration(time.Second) {
		bad("retention.interval", "%s is shorter than the minimum of 1s", c.Retention.Interval)
	}
	names := make([]string, 0, len(c.Retention.Tables))
	for name := range c.Retention.Tables {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, ok := schema.Lookup(name); !ok {
			bad("retention.tables."+name, "no such table in the hunting schema")
		}
		if c.Retention.Tables[name] < Duration(time.Hour) {
			bad("retention.tables."+name, "%s is shorter than the minimum of 1h", c.Retention.Tables[name])
		}
	}
	l := c.Limits
	if l.MaxBodyBytes < 1<<10 || l.MaxBodyBytes > 1<<30 {
		bad("limits.max_body_bytes", "%d is outside 1KiB..1GiB", l.MaxBodyBytes)
	}
	if l.MaxHeaderBytes < 4<<10 || l.MaxHeaderBytes > 16<<20 {
		bad("limits.max_header_bytes", "%d is outside 4KiB..16MiB", l.MaxHeaderBytes)
	}
	if l.RequestTimeout < Duration(time.Second) {
		bad("limits.request_timeout", "%s is shorter than the minimum of 1s", l.RequestTimeout)
	}
	if l.ReadHeaderTimeout < Duration(time.Second) {
		bad("limits.read_header_timeout", "%s is shorter than the minimum of 1s", l.ReadHeaderTimeout)
	}
	if l.IdleTimeout < Duration(time.Second) {
		bad("limits.idle_timeout", "%s is shorter than the minimum of 1s", l.IdleTimeout)
	}
	if w := c.Detection.DedupWindow; w != 0 && (w < Duration(time.Minute) || w > Duration(30*24*time.Hour)) {
		bad("detection.dedup_window", "%s is outside 1m..30d (0 turns deduplication off)", w)
	}
	if c.SessionTTL < Duration(time.Minute) || c.SessionTTL > Duration(30*24*time.Hour) {
		bad("session_ttl", "%s is outside 1m..30d", c.SessionTTL)
	}
	if c.ShutdownTimeout < Duration(time.Second) {
		bad("shutdown_timeout", "%s is shorter than the minimum of 1s", c.ShutdownTimeout)
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func parsePort(s string) (int, error) {
	var p int
	if _, err := fmt.Sscanf(s, "%d", &p); err != nil || fmt.Sprint(p) != s || p < 0 || p > 65535 {
		return 0, fmt.Errorf("not a port number 0..65535")
	}
	return p, nil
}

// IsLoopback reports whether host names only this machine: a loopback IP
// or "localhost". An empty host (all interfaces) is not loopback.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
