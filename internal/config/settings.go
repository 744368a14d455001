package config

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Setting is one scalar setting reachable by flag and environment.
type Setting struct {
	Key    string // YAML key path, e.g. "limits.max_body_bytes"
	Flag   string // flag name without dashes
	Usage  string
	IsBool bool
	set    func(c *Config, v string) error
	get    func(c *Config) string
}

// Env is the environment variable that sets s.
func (s Setting) Env() string {
	r := strings.NewReplacer(".", "_", "-", "_")
	return "VIGIL_" + strings.ToUpper(r.Replace(s.Key))
}

func str(p func(*Config) *string) (func(*Config, string) error, func(*Config) string) {
	return func(c *Config, v string) error { *p(c) = v; return nil },
		func(c *Config) string { return *p(c) }
}

func boolean(p func(*Config) *bool) (func(*Config, string) error, func(*Config) string) {
	return func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%q is not a boolean (true/false)", v)
			}
			*p(c) = b
			return nil
		},
		func(c *Config) string { return strconv.FormatBool(*p(c)) }
}

func duration(p func(*Config) *Duration) (func(*Config, string) error, func(*Config) string) {
	return func(c *Config, v string) error {
			d, err := ParseDuration(v)
			if err != nil {
				return err
			}
			*p(c) = Duration(d)
			return nil
		},
		func(c *Config) string { return time.Duration(*p(c)).String() }
}

func size(p func(*Config) *Size) (func(*Config, string) error, func(*Config) string) {
	return func(c *Config, v string) error {
			n, err := ParseSize(v)
			if err != nil {
				return err
			}
			*p(c) = Size(n)
			return nil
		},
		func(c *Config) string { return strconv.FormatInt(int64(*p(c)), 10) }
}

// Settings lists every scalar setting. Per-table retention is set in the
// config file only (retention.tables).
var Settings = func() []Setting {
	list := []Setting{}
	add := func(key, flagName, usage string, set func(*Config, string) error, get func(*Config) string) {
		list = append(list, Setting{Key: key, Flag: flagName, Usage: usage, set: set, get: get})
	}
	set, get := str(func(c *Config) *string { return &c.DataDir })
	add("data_dir", "data", "data directory (created if missing)", set, get)
	set, get = str(func(c *Config) *string { return &c.Listen })
	add("listen", "listen", "address to serve on, host:port", set, get)
	set, get = str(func(c *Config) *string { return &c.TLSCert })
	add("tls_cert", "tls-cert", "TLS certificate file (PEM); a self-signed one is generated into the data dir when none is given", set, get)
	set, get = str(func(c *Config) *string { return &c.TLSKey })
	add("tls_key", "tls-key", "TLS private key file (PEM)", set, get)
	set, get = boolean(func(c *Config) *bool { return &c.InsecureHTTP })
	add("insecure_http", "insecure-http", "serve plain HTTP (loopback addresses only)", set, get)
	list[len(list)-1].IsBool = true
	set, get = str(func(c *Config) *string { return &c.LogLevel })
	add("log_level", "log-level", "debug, info, warn or error", set, get)
	set, get = str(func(c *Config) *string { return &c.LogFormat })
	add("log_format", "log-format", "text or json", set, get)
	set, get = duration(func(c *Config) *Duration { return &c.Retention.Default })
	add("retention.default", "retention", "how long events are kept, counted from ingestion (e.g. 30d)", set, get)
	set, get = duration(func(c *Config) *Duration { return &c.Retention.Interval })
	add("retention.interval", "retention-interval", "how often retention runs", set, get)
	set, get = duration(func(c *Config) *Duration { return &c.Detection.DedupWindow })
	add("detection.dedup_window", "dedup-window", "one alert per rule and impacted entities per window (aligned; 24h is a UTC day); 0: one per row", set, get)
	set, get = size(func(c *Config) *Size { return &c.Limits.MaxBodyBytes })
	add("limits.max_body_bytes", "max-body-bytes", "largest request body (e.g. 32MiB)", set, get)
	set, get = size(func(c *Config) *Size { return &c.Limits.MaxHeaderBytes })
	add("limits.max_header_bytes", "max-header-bytes", "largest request header block", set, get)
	set, get = duration(func(c *Config) *Duration { return &c.Limits.RequestTimeout })
	add("limits.request_timeout", "request-timeout", "longest time a request may take", set, get)
	set, get = duration(func(c *Config) *Duration { return &c.Limits.ReadHeaderTimeout })
	add("limits.read_header_timeout", "read-header-timeout", "longest time to read request headers", set, get)
	set, get = duration(func(c *Config) *Duration { return &c.Limits.IdleTimeout })
	add("limits.idle_timeout", "idle-timeout", "how long an idle keep-alive connection stays open", set, get)
	set, get = str(func(c *Config) *string { return &c.Syslog.UDP })
	add("syslog.udp", "syslog-udp", "syslog over UDP listen address, e.g. 0.0.0.0:514 (empty: off)", set, get)
	set, get = str(func(c *Config) *string { return &c.Syslog.TCP })
	add("syslog.tcp", "syslog-tcp", "syslog over TCP listen address (octet counting or newline framing; empty: off)", set, get)
	set, get = str(func(c *Config) *string { return &c.Syslog.TLS })
	add("syslog.tls", "syslog-tls", "syslog over TLS listen address, RFC 5425 (empty: off)", set, get)
	set, get = duration(func(c *Config) *Duration { return &c.Hunting.CPUBudget })
	add("hunting.cpu_budget", "hunting-cpu-budget", "CPU time one user's hunting queries may use per window", set, get)
	set, get = duration(func(c *Config) *Duration { return &c.Hunting.CPUBudgetWindow })
	add("hunting.cpu_budget_window", "hunting-cpu-budget-window", "the sliding window of the hunting CPU budget", set, get)
	set, get = duration(func(c *Config) *Duration { return &c.SessionTTL })
	add("session_ttl", "session-ttl", "portal session lifetime", set, get)
	set, get = duration(func(c *Config) *Duration { return &c.ShutdownTimeout })
	add("shutdown_timeout", "shutdown-timeout", "how long a graceful shutdown waits for requests", set, get)
	return list
}()

// ApplyEnv sets from VIGIL_* variables (lookup is os.LookupEnv in
// production, a map in tests).
func ApplyEnv(c *Config, lookup func(string) (string, bool)) error {
	var errs Errors
	for _, s := range Settings {
		if v, ok := lookup(s.Env()); ok {
			if err := s.set(c, v); err != nil {
				errs = append(errs, &Error{Setting: s.Key, Source: "environment " + s.Env(), Reason: err.Error()})
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// Flags registers every setting on fs. Load applies only the flags the
// user set, so defaults from the file and environment are not overridden
// by flag defaults.
type Flags struct {
	fs     *flag.FlagSet
	Config string
	Check  bool
}

// RegisterFlags adds the settings' flags and --config/--check-config to fs.
func RegisterFlags(fs *flag.FlagSet) *Flags {
	f := &Flags{fs: fs}
	def := Default()
	for _, s := range Settings {
		usage := fmt.Sprintf("%s (env %s)", s.Usage, s.Env())
		if s.IsBool {
			fs.Bool(s.Flag, false, usage)
			continue
		}
		fs.String(s.Flag, s.get(&def), usage)
	}
	fs.StringVar(&f.Config, "config", "", "YAML config file (env VIGIL_CONFIG)")
	fs.BoolVar(&f.Check, "check-config", false, "validate the configuration, print it and exit")
	return f
}

// Load builds the configuration: defaults, then the config file (from
// --config or VIGIL_CONFIG), then the environment, then the flags that were
// set. It validates the result.
func (f *Flags) Load(lookup func(string) (string, bool)) (Config, error) {
	c := Default()
	path := f.Config
	if path == "" {
		path, _ = lookup("VIGIL_CONFIG")
	}
	if path != "" {
		if err := LoadFile(&c, path); err != nil {
			return c, err
		}
	}
	if err := ApplyEnv(&c, lookup); err != nil {
		return c, err
	}
	var errs Errors
	f.fs.Visit(func(fl *flag.Flag) {
		for _, s := range Settings {
			if s.Flag == fl.Name {
				if err := s.set(&c, fl.Value.String()); err != nil {
					errs = append(errs, &Error{Setting: s.Key, Source: "flag --" + s.Flag, Reason: err.Error()})
				}
			}
		}
	})
	if len(errs) > 0 {
		return c, errs
	}
	return c, c.Validate()
}

// Describe prints the effective configuration, one setting a line, for
// --check-config.
func Describe(c *Config) string {
	var b strings.Builder
	for _, s := range Settings {
		fmt.Fprintf(&b, "%-28s %s\n", s.Key, s.get(c))
	}
	names := make([]string, 0, len(c.Retention.Tables))
	for name := range c.Retention.Tables {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		d := c.Retention.Tables[name]
		fmt.Fprintf(&b, "%-28s %s\n", "retention.tables."+name, time.Duration(d))
	}
	return b.String()
}

// LookupEnv is os.LookupEnv, named for callers' readability.
var LookupEnv = os.LookupEnv
