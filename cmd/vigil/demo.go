package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/vigilsec/vigil/internal/config"
	"github.com/vigilsec/vigil/internal/server"
	"github.com/vigilsec/vigil/internal/simulate"
	"github.com/vigilsec/vigil/internal/store"
)

// runDemo serves a simulated organisation: a fresh (or the given) data
// dir, a quick backfill of recent days with every attack scenario in it,
// then live telemetry with the scenarios scheduled again, on the embedded
// stores. It prints the URL and the admin's credentials.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	data := fs.String("data", "", "data dir (default: a new folder under the system temp dir)")
	listen := fs.String("listen", "127.0.0.1:8443", "address to serve on (loopback recommended)")
	devices := fs.Int("devices", 30, "simulated devices (at least 8)")
	users := fs.Int("users", 40, "simulated people (at least 6)")
	seed := fs.Uint64("seed", 1, "random seed: the same seed and sizes give the same organisation")
	speed := fs.Float64("speed", 1, "live telemetry speed: 1 is real time, 60 is an hour a minute")
	backfill := fs.String("backfill", "12h", "how much recent history to generate before serving")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	span, err := config.ParseDuration(*backfill)
	if err != nil || span < 0 || span > 30*24*time.Hour {
		return usageError{"--backfill must be a duration between 0 and 30d, e.g. 12h or 2d"}
	}
	if *speed <= 0 || *speed > 10000 {
		return usageError{"--speed must be in (0, 10000]"}
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

	now := time.Now().UTC().Truncate(time.Second)
	gen, err := simulate.New(simulate.Config{Devices: *devices, Users: *users, Seed: *seed, Start: now.Add(-span)})
	if err != nil {
		return err
	}
	truthFile := filepath.Join(dir, "ground-truth.jsonl")
	fmt.Fprintf(stdout, "Demo data dir: %s\n", dir)
	hooks := server.Hooks{
		BeforeServe: func(ctx context.Context, events store.Store) error {
			if span == 0 {
				return nil
			}
			fmt.Fprintf(stdout, "Backfilling %s of telemetry for %d devices and %d people...\n", span, *devices, *users)
			sink := &countingSink{next: events}
			stop := showRows(stderr, sink, now.Add(-span))
			err := gen.Run(ctx, now.Add(-span), now, sink)
			stop()
			if err != nil {
				return fmt.Errorf("backfill: %w", err)
			}
			fmt.Fprintf(stdout, "Backfilled %d rows; attack scenarios: %s\n", sink.rows.Load(), scenarioNames(gen))
			return writeTruth(gen, truthFile)
		},
		Serving: func(ctx context.Context, events store.Store) {
			// The attacks play again live, starting a few simulated
			// minutes from now.
			liveFrom := gen.Now().Add(5 * time.Minute)
			if err := gen.ScheduleDefaults(liveFrom, liveFrom.Add(6*time.Hour)); err != nil {
				fmt.Fprintf(stderr, "demo: scheduling live scenarios: %v\n", err)
			}
			if err := gen.Stream(ctx, *speed, events); err != nil {
				fmt.Fprintf(stderr, "demo: live telemetry stopped: %v\n", err)
			}
			if err := writeTruth(gen, truthFile); err != nil {
				fmt.Fprintf(stderr, "demo: %v\n", err)
			}
		},
	}
	return server.RunWith(ctx, cfg, server.NewLogger(stderr, "warn", "text"), stdout, hooks)
}

// countingSink counts the rows that reach the store.
type countingSink struct {
	next store.Store
	rows atomic.Int64
}

func (c *countingSink) Append(ctx context.Context, b store.Batch) error {
	if err := c.next.Append(ctx, b); err != nil {
		return err
	}
	c.rows.Add(int64(b.Len()))
	return nil
}

// showRows draws the backfill's progress on a terminal until stopped.
func showRows(w io.Writer, sink *countingSink, from time.Time) (stop func()) {
	f, ok := w.(*os.File)
	if !ok {
		return func() {}
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return func() {}
	}
	done := make(chan struct{})
	start := time.Now()
	go func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				fmt.Fprintf(w, "\r%-70s\r", "")
				return
			case <-t.C:
				n := sink.rows.Load()
				fmt.Fprintf(w, "\r  %d rows  %.0f rows/s", n, float64(n)/time.Since(start).Seconds())
			}
		}
	}()
	return func() { close(done) }
}

func scenarioNames(gen *simulate.Generator) string {
	s := ""
	for i, r := range gen.Scheduled() {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s at %s", r.Scenario, r.At.Format("15:04"))
	}
	if s == "" {
		return "none"
	}
	return s
}
