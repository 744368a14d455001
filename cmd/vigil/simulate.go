package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/server"
	"github.com/vigilsec/vigil/internal/simulate"
	"github.com/vigilsec/vigil/internal/store"
)

const simulateUsage = "usage: vigil simulate --events N (--out FILE|- | --data DIR) [--compress auto|none|gzip|zstd] [--tables T1,T2] [--seed S] [--devices D] [--users U] [--start RFC3339] [--truth FILE] [--no-scenarios]"

// runSimulate generates the simulated organisation's telemetry in bulk:
// NDJSON rows (one object per line, "$table" naming the table) to a file,
// or rows appended straight into a data dir's event store. The ground
// truth of the attack scenarios goes to a side file.
func runSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	events := fs.Int64("events", 0, "rows to generate (required)")
	out := fs.String("out", "", "write NDJSON rows to FILE ('-' for stdout)")
	compress := fs.String("compress", "auto", "compress --out: none, gzip, zstd, or auto (by the file's extension: .gz, .zst)")
	data := fs.String("data", "", "append rows to the event store of a data dir (the server must not be running on it)")
	tables := fs.String("tables", "", "comma-separated tables to generate (default: all)")
	seed := fs.Uint64("seed", 1, "random seed: the same seed and sizes give the same rows")
	devices := fs.Int("devices", 50, "devices in the organisation (at least 8)")
	users := fs.Int("users", 60, "people in the organisation (at least 6)")
	start := fs.String("start", "", "simulated start time, RFC 3339 (default "+simulate.DefaultStart.Format(time.RFC3339)+")")
	truth := fs.String("truth", "auto", "ground-truth JSON lines file ('auto': next to --out, or in the data dir; '' to skip)")
	noScenarios := fs.Bool("no-scenarios", false, "generate only benign activity")
	workers := fs.Int("workers", 0, "generating goroutines (default: all CPUs); the output does not depend on it")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to FILE (for benchmarking)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	switch {
	case *events <= 0:
		return usageError{"--events must be a positive number\n" + simulateUsage}
	case (*out == "") == (*data == ""):
		return usageError{"give exactly one of --out and --data\n" + simulateUsage}
	case *devices < 0 || *users < 0 || *workers < 0:
		return usageError{"--devices, --users and --workers cannot be negative"}
	}
	comp := simulate.CompressionFor(*out)
	if *compress != "auto" {
		if *out == "" {
			return usageError{"--compress applies to --out, not to --data"}
		}
		c, err := simulate.ParseCompression(*compress)
		if err != nil {
			return usageError{"--compress: " + err.Error()}
		}
		comp = c
	}
	cfg := simulate.Config{Devices: *devices, Users: *users, Seed: *seed, Workers: *workers, NoScenarios: *noScenarios}
	if *start != "" {
		t, err := time.Parse(time.RFC3339Nano, *start)
		if err != nil {
			return usageError{fmt.Sprintf("--start %q: want an RFC 3339 time such as 2025-03-03T08:00:00Z", *start)}
		}
		cfg.Start = t
	}
	if *tables != "" {
		for _, t := range strings.Split(*tables, ",") {
			if t = strings.TrimSpace(t); t != "" {
				cfg.Tables = append(cfg.Tables, t)
			}
		}
	}
	g, err := simulate.New(cfg)
	if err != nil {
		return usageError{err.Error()}
	}
	truthPath := *truth
	if truthPath == "auto" {
		switch {
		case *data != "":
			truthPath = filepath.Join(*data, "simulate-truth.jsonl")
		case *out == "-":
			truthPath = ""
		default:
			truthPath = trimCompressionExt(*out) + ".truth.jsonl"
		}
	}
	// The summary goes to stdout unless the rows do.
	report := stdout
	if *out == "-" {
		report = stderr
	}

	if *cpuProfile != "" {
		stopProfile, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	began := time.Now()
	if *out != "" {
		err = simulateToFile(ctx, g, *events, *out, comp, stdout)
	} else {
		err = simulateToStore(ctx, g, *events, *data)
	}
	elapsed := time.Since(began)
	if err != nil {
		return err
	}
	if truthPath != "" {
		if err := writeTruth(g, truthPath); err != nil {
			return err
		}
	}
	printSimulateSummary(report, g, elapsed, truthPath)
	return nil
}

func simulateToFile(ctx context.Context, g *simulate.Generator, events int64, path string, comp simulate.Compression, stdout io.Writer) error {
	if path == "-" {
		if f, ok := stdout.(*os.File); ok {
			growPipe(f)
		}
		return g.WriteNDJSONCompressed(ctx, events, stdout, comp)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := g.WriteNDJSONCompressed(ctx, events, f, comp); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// trimCompressionExt drops a .gz or .zst(d) extension, so that the ground
// truth of rows.ndjson.zst is rows.ndjson.truth.jsonl.
func trimCompressionExt(path string) string {
	if ext := filepath.Ext(path); simulate.CompressionFor(ext) != simulate.NoCompression {
		return strings.TrimSuffix(path, ext)
	}
	return path
}

func simulateToStore(ctx context.Context, g *simulate.Generator, events int64, dataDir string) error {
	if err := server.PrepareDataDir(dataDir); err != nil {
		return err
	}
	st, err := server.OpenEvents(dataDir, store.Options{RetentionInterval: -1})
	if err != nil {
		return err
	}
	err = g.Generate(ctx, events, st)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return err
}

func writeTruth(g *simulate.Generator, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = g.WriteGroundTruth(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing ground truth %s: %w", path, err)
	}
	return nil
}

func printSimulateSummary(w io.Writer, g *simulate.Generator, elapsed time.Duration, truthPath string) {
	total := g.Total()
	secs := elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(total) / secs
	}
	fmt.Fprintf(w, "events: %d\nseconds: %.2f\nevents/s: %.0f\n", total, secs, rate)
	fmt.Fprintf(w, "simulated: %s to %s (%d devices, %d users)\n", g.Org().Config.Start.Format(time.RFC3339), g.Now().Format(time.RFC3339),
		len(g.Org().Devices), len(g.Org().Users))
	counts := g.Counts()
	names := make([]string, 0, len(counts))
	for t := range counts {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		fmt.Fprintf(w, "  %-30s %d\n", t, counts[t])
	}
	truth := g.GroundTruth()
	byRun := map[string]int{}
	for _, t := range truth {
		byRun[t.Run]++
	}
	for _, r := range g.Scheduled() {
		fmt.Fprintf(w, "scenario %s at %s: %d of %d rows generated\n", r.ID, r.At.Format(time.RFC3339), byRun[r.ID], r.Rows)
	}
	if truthPath != "" {
		fmt.Fprintf(w, "ground truth: %s (%d rows)\n", truthPath, len(truth))
	}
}

// startCPUProfile profiles the process into path until the returned
// function is called.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
