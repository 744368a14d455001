package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigilsec/vigil/internal/detect"
	"github.com/vigilsec/vigil/internal/detect/pack"
	"github.com/vigilsec/vigil/internal/server"
	"github.com/vigilsec/vigil/internal/state"
)

const rulesUsage = `usage:
  vigil rules list [--data DIR]     the built-in rules, and a data dir's custom ones
  vigil rules show ID [--data DIR]  a rule's definition (YAML)
  vigil rules test FILE...        validate rule files (YAML), with the position of a query error
  vigil rules backtest FILE --data DIR --from T --to T [--json]
                                   report the alerts a rule would have raised over [from, to)
                                   (RFC 3339 times, or durations before now such as 7d)
  vigil rules import-sigma PATH... (--data DIR | --dry-run | --json)
                                   compile Sigma rules; install them as custom rules`

func runRules(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{rulesUsage}
	}
	switch args[0] {
	case "list":
		return runRulesList(ctx, args[1:], stdout, stderr)
	case "show":
		return runRulesShow(ctx, args[1:], stdout, stderr)
	case "test":
		return runRulesTest(args[1:], stdout)
	case "backtest":
		return runRulesBacktest(ctx, args[1:], stdout, stderr)
	case "import-sigma":
		return runImportSigma(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, rulesUsage)
		return nil
	}
	return usageError{fmt.Sprintf("unknown rules command %q\n%s", args[0], rulesUsage)}
}

func runRulesTest(files []string, stdout io.Writer) error {
	if len(files) == 0 {
		return usageError{"rules test needs rule files\n" + rulesUsage}
	}
	bad := 0
	for _, f := range files {
		c, err := detect.LoadRule(f)
		if err != nil {
			bad++
			fmt.Fprintf(stdout, "FAIL %s\n", err)
			continue
		}
		mode := "scheduled every " + string(c.Rule.Frequency)
		if c.Continuous() {
			mode = "continuous on " + c.Table
		}
		fmt.Fprintf(stdout, "ok   %s: %s (%s)\n", f, c.Rule.Name, mode)
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d rule files are invalid", bad, len(files))
	}
	return nil
}

func runRulesBacktest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rules backtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "data dir whose events to replay (the server must not be running on it)")
	fromS := fs.String("from", "", "start of the interval: an RFC 3339 time, or a duration before now (7d, 12h)")
	toS := fs.String("to", "", "end of the interval (default: now)")
	asJSON := fs.Bool("json", false, "print one JSON object per alert")
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	}
	if file == "" || *data == "" || *fromS == "" {
		return usageError{"rules backtest needs a rule file, --data and --from\n" + rulesUsage}
	}
	now := time.Now().UTC()
	from, err := parseWhen(*fromS, now)
	if err != nil {
		return usageError{"--from: " + err.Error()}
	}
	to := now
	if *toS != "" {
		if to, err = parseWhen(*toS, now); err != nil {
			return usageError{"--to: " + err.Error()}
		}
	}
	c, err := detect.LoadRule(file)
	if err != nil {
		return err
	}
	lh, err := openLocalHunter(*data, 0, 0)
	if err != nil {
		return err
	}
	defer lh.close()
	alerts, runs, err := detect.Backtest(ctx, lh.eng, c, from, to)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, a := range alerts {
			if err := enc.Encode(map[string]any{"AlertId": a.ID, "Timestamp": a.Timestamp, "Title": a.Title, "Severity": a.Severity,
				"Category": a.Category, "AttackTechniques": a.Techniques, "Evidence": a.Evidence}); err != nil {
				return err
			}
		}
		return nil
	}
	truncated := 0
	for _, r := range runs {
		if r.Truncated {
			truncated++
		}
	}
	fmt.Fprintf(stdout, "%s: %d alerts from %d runs over %s – %s", c.Rule.Name, len(alerts), len(runs), from.Format(time.RFC3339), to.Format(time.RFC3339))
	if truncated > 0 {
		fmt.Fprintf(stdout, " (%d runs hit the %d-alert cap)", truncated, detect.MaxAlertsPerRun)
	}
	fmt.Fprintln(stdout)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "Timestamp\tAlertId\tSeverity\tTitle")
	for _, a := range alerts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Timestamp.Format(time.RFC3339), a.ID, a.Severity, a.Title)
	}
	return tw.Flush()
}

// parseWhen reads an RFC 3339 time or a duration before now (7d, 12h).
func parseWhen(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if strings.HasSuffix(s, "d") {
		var n int
		if _, err := fmt.Sscanf(s, "%dd", &n); err == nil && n >= 0 {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time nor a duration such as 7d or 12h", s)
	}
	return now.Add(-d), nil
}

// customRules reads a data dir's custom rules (none without a state
// store).
func customRules(ctx context.Context, data string) ([]state.Rule, error) {
	if data == "" {
		return nil, nil
	}
	if _, err := os.Stat(server.StatePath(data)); err != nil {
		return nil, nil
	}
	st, err := server.OpenState(data)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return st.ListRules(ctx)
}

func runRulesList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rules list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "also list this data dir's custom rules")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	builtin, err := pack.Rules()
	if err != nil {
		return err
	}
	custom, err := customRules(ctx, *data)
	if err != nil {
		return err
	}
	replaced := map[string]bool{}
	for _, r := range custom {
		replaced[r.ID] = true
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSOURCE\tFREQUENCY\tSEVERITY\tTECHNIQUES\tNAME")
	for _, c := range builtin {
		src := "built-in"
		if replaced[c.Rule.ID] {
			src = "built-in (replaced)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Rule.ID, src, c.Rule.Frequency, c.Rule.Severity, strings.Join(c.Rule.Techniques, ","), c.Rule.Name)
	}
	for _, sr := range custom {
		r, err := detect.ParseRule([]byte(sr.Definition))
		if err != nil {
			fmt.Fprintf(tw, "%s\tcustom v%d\t-\t-\t-\t(does not parse: %v)\n", sr.ID, sr.Version, err)
			continue
		}
		fmt.Fprintf(tw, "%s\tcustom v%d\t%s\t%s\t%s\t%s\n", r.ID, sr.Version, r.Frequency, r.Severity, strings.Join(r.Techniques, ","), r.Name)
	}
	return tw.Flush()
}

func runRulesShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rules show", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "look in this data dir's custom rules first")
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if id == "" && fs.NArg() == 1 {
		id = fs.Arg(0)
	}
	if id == "" {
		return usageError{"rules show needs a rule id\n" + rulesUsage}
	}
	custom, err := customRules(ctx, *data)
	if err != nil {
		return err
	}
	for _, sr := range custom {
		if sr.ID == id {
			fmt.Fprint(stdout, sr.Definition)
			return nil
		}
	}
	if def, ok := pack.Definition(id); ok {
		fmt.Fprint(stdout, def)
		return nil
	}
	return fmt.Errorf("no rule %q", id)
}
