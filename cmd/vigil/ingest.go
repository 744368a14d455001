package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/enrich"
	"github.com/vigilsec/vigil/internal/ingest/formats"
	"github.com/vigilsec/vigil/internal/server"
	"github.com/vigilsec/vigil/internal/store"
)

const ingestUsage = "usage: vigil ingest (--data DIR | --server URL --token T) [--format auto|ndjson|FORMAT] [--table T] [--json] FILE... ('-' reads stdin)"

func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "data dir to write into directly (the server must not be running on it)")
	serverURL := fs.String("server", "", "send through a running server's API instead, e.g. https://127.0.0.1:8443")
	token := fs.String("token", os.Getenv("VIGIL_TOKEN"), "API token with the ingest permission (env VIGIL_TOKEN)")
	caFile := fs.String("ca", "", "PEM certificate to trust for --server (e.g. DATA/tls/cert.pem)")
	format := fs.String("format", "auto", "record format: auto (detect per record), ndjson (rows of --table), or one of "+strings.Join(formats.Registry().Formats(), ", "))
	table := fs.String("table", "", "table of ndjson rows")
	asJSON := fs.Bool("json", false, "print the summary as one JSON object")
	noRules := fs.Bool("no-rules", false, "do not run the built-in detection rules over the imported time range")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	files := fs.Args()
	switch {
	case len(files) == 0:
		return usageError{ingestUsage}
	case (*data == "") == (*serverURL == ""):
		return usageError{"give exactly one of --data and --server\n" + ingestUsage}
	case *serverURL != "" && *token == "":
		return usageError{"--server needs --token (or VIGIL_TOKEN)"}
	}
	if *table != "" && *format == "auto" {
		*format = "ndjson"
	}
	progress := newProgress(stderr, files)
	var sum ingest.Summary
	var alerts map[string]int
	var err error
	if *serverURL != "" {
		sum, err = ingestRemote(ctx, *serverURL, *token, *caFile, *format, *table, files, progress)
	} else {
		sum, alerts, err = ingestLocal(ctx, *data, *format, *table, files, progress, !*noRules)
	}
	progress.done()
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		if alerts == nil {
			return enc.Encode(sum)
		}
		return enc.Encode(struct {
			ingest.Summary
			Alerts map[string]int `json:"alerts"`
		}{sum, alerts})
	}
	printSummary(stdout, sum)
	if alerts != nil {
		total := 0
		for _, n := range alerts {
			total += n
		}
		fmt.Fprintf(stdout, "alerts raised by the built-in rules over the imported time range: %d\n", total)
		for _, id := range sortedCounts(alerts) {
			fmt.Fprintf(stdout, "  %-36s %d\n", id, alerts[id])
		}
	}
	return nil
}

// ingestLocal imports files into a data dir's store; with rules, the
// built-in detection rules then replay over the imported time range, so
// that a recording yields the alerts a live deployment would have raised.
func ingestLocal(ctx context.Context, dataDir, format, table string, files []string, progress *progress, rules bool) (ingest.Summary, map[string]int, error) {
	opts := ingest.Options{Format: format, Table: table}
	if _, err := ingest.NewPipeline(formats.Registry(), nil, opts); err != nil {
		return ingest.Summary{}, nil, usageError{err.Error()}
	}
	if err := server.PrepareDataDir(dataDir); err != nil {
		return ingest.Summary{}, nil, err
	}
	events, err := server.OpenEvents(dataDir, store.Options{RetentionInterval: -1})
	if err != nil {
		return ingest.Summary{}, nil, fmt.Errorf("%w\n(while a server runs on the data dir, send through it: vigil ingest --server URL --token T)", err)
	}
	defer events.Close()
	if opts.Enrichers, err = enrich.Default(ctx, events); err != nil {
		return ingest.Summary{}, nil, err
	}
	// Ingestion times are whole microseconds in the store.
	importStart := time.Now().UTC().Truncate(time.Microsecond)
	p, _ := ingest.NewPipeline(formats.Registry(), events, opts)
	progress.records = p.Records
	for _, name := range files {
		if err := readFile(name, func(r io.Reader) error { return ingest.ReadLines(ctx, p, name, r, progress) }, p); err != nil {
			return p.Summary(), nil, err
		}
		progress.fileDone()
	}
	if err := p.Flush(ctx); err != nil {
		return p.Summary(), nil, err
	}
	sum := p.Summary()
	if !rules {
		return sum, nil, nil
	}
	// The alerts go through the pipeline a server uses (default window),
	// with their counts and triggering rows in the data dir's state store.
	st, err := server.OpenState(dataDir)
	if err != nil {
		return sum, nil, err
	}
	defer st.Close()
	pipeline := detect.NewPipeline(detect.DefaultDedupWindow, st)
	groups, err := detect.LoadDeviceGroups(ctx, events)
	if err != nil {
		return sum, nil, err
	}
	pipeline.SetDeviceGroups(groups)
	if err := api.LoadTuning(ctx, st, pipeline, func(id string, err error) {
		fmt.Fprintf(os.Stderr, "vigil: alert tuning rule %s does not validate; it is not applied: %v\n", id, err)
	}); err != nil {
		return sum, nil, err
	}
	var ledgerErr error
	pipeline.OnError = func(err error) { ledgerErr = errors.Join(ledgerErr, err) }
	alerts, err := replayRules(ctx, events, sum.Rows, importStart, pipeline)
	if err == nil && ledgerErr != nil {
		err = fmt.Errorf("recording alert activity in the state store: %w", ledgerErr)
	}
	if err != nil {
		return sum, nil, err
	}
	if alerts == nil {
		alerts = map[string]int{}
	}
	return sum, alerts, nil
}

// readFile opens a file (or stdin for "-") and hands it to read; an
// unreadable file is a rejected record of the summary, not the end of the
// import.
func readFile(name string, read func(io.Reader) error, p interface {
	Reject(source string, line int64, reason string)
}) error {
	if name == "-" {
		return read(os.Stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		p.Reject(name, 0, "cannot open: "+err.Error())
		return nil
	}
	defer f.Close()
	return read(f)
}

func printSummary(w io.Writer, sum ingest.Summary) {
	fmt.Fprintf(w, "records read: %d\n", sum.Records)
	tables := make([]string, 0, len(sum.Rows))
	var total int64
	for t, n := range sum.Rows {
		tables = append(tables, t)
		total += n
	}
	sort.Strings(tables)
	fmt.Fprintf(w, "rows written: %d\n", total)
	for _, t := range tables {
		fmt.Fprintf(w, "  %-36s %d\n", t, sum.Rows[t])
	}
	fmt.Fprintf(w, "records rejected: %d\n", sum.Rejected)
	const show = 20
	for i, e := range sum.Errors {
		if i == show {
			fmt.Fprintf(w, "  ... and %d more (--json lists up to 1000)\n", sum.Rejected-show)
			break
		}
		fmt.Fprintf(w, "  %s:%d: %s\n", e.File, e.Line, e.Reason)
	}
}
