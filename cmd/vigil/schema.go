package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/vigilsec/vigil/internal/schema"
)

func runSchema(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("schema", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	switch fs.NArg() {
	case 0:
		for _, t := range schema.Tables() {
			fmt.Fprintf(tw, "%s\t%d columns\t%s\n", t.Name, len(t.Columns), t.Description)
		}
		return nil
	case 1:
		t, ok := schema.LookupFold(fs.Arg(0))
		if !ok {
			return fmt.Errorf("no table %q in the hunting schema (run 'vigil schema' for the list)", fs.Arg(0))
		}
		fmt.Fprintf(tw, "%s: %s\n\n", t.Name, t.Description)
		for _, c := range t.Columns {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, c.Type, c.Description)
		}
		return nil
	}
	return usageError{"usage: vigil schema [TABLE]"}
}
