// Command vigil is Vigil's one binary: the server, the CLI tools and the
// demo. Exit codes: 0 success, 1 failure, 2 usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"serve", "run the server on a data dir", runServe},
	{"demo", "run a simulated organisation under attack on a fresh data dir", runDemo},
	{"simulate", "generate simulated telemetry in bulk (benchmarks)", runSimulate},
	{"ingest", "import files (or stdin) into the event store, directly or through a server", runIngest},
	{"hunt", "run a KQL hunting query on a data dir or through a server", runHunt},
	{"rules", "validate detection rule files and backtest them on past events", runRules},
	{"token", "manage API tokens: token create --data DIR --role ROLE", runToken},
	{"schema", "print the hunting schema's tables, or one table's columns", runSchema},
	{"version", "print versions", runVersion},
}

// usageError makes main exit with 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		err := c.run(ctx, args[1:], stdout, stderr)
		var ue usageError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "vigil %s: %s\n", c.name, ue.msg)
			return 2
		default:
			fmt.Fprintf(stderr, "vigil %s: %s\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "vigil: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Vigil: a self-hosted XDR platform.\n\nUsage: vigil COMMAND [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'vigil COMMAND -h' for a command's flags.")
}

// parseFlags parses a command's flags; bad flags are usage errors.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}
