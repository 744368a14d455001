package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"

	"github.com/vigilsec/vigil/internal/config"
	"github.com/vigilsec/vigil/internal/server"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	flags := config.RegisterFlags(fs)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	cfg, err := flags.Load(config.LookupEnv)
	if flags.Check {
		if err != nil {
			return fmt.Errorf("configuration is invalid:\n%w", err)
		}
		fmt.Fprint(stdout, config.Describe(&cfg))
		fmt.Fprintln(stdout, "configuration is valid")
		return nil
	}
	if err != nil {
		var ce config.Errors
		var one *config.Error
		if errors.As(err, &ce) || errors.As(err, &one) {
			return usageError{"configuration is invalid:\n" + err.Error()}
		}
		return err
	}
	log := server.NewLogger(stderr, cfg.LogLevel, cfg.LogFormat)
	return server.Run(ctx, cfg, log, stdout)
}

// runDemo serves a fresh data dir on loopback with a printed URL and
// admin password. The simulated organisation (issue "vigil demo") will
// populate it; until then it is an empty instance.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	data := fs.String("data", "", "data dir (default: a new folder under the system temp dir)")
	listen := fs.String("listen", "127.0.0.1:8443", "address to serve on (loopback recommended)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *data == "" {
		dir, err := os.MkdirTemp("", "vigil-demo-")
		if err != nil {
			return err
		}
		*data = dir
	}
	dir, err := filepath.Abs(*data)
	if err != nil {
		return err
	}
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.Listen = *listen
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	host, _, _ := net.SplitHostPort(cfg.Listen)
	if !config.IsLoopback(host) {
		fmt.Fprintf(stderr, "warning: the demo listens on %s, reachable from other machines\n", cfg.Listen)
	}
	fmt.Fprintf(stdout, "Demo data dir: %s\n", dir)
	return server.Run(ctx, cfg, server.NewLogger(stderr, "warn", "text"), stdout)
}
