package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

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
