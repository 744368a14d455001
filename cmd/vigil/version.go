package main

import (
	"context"
	"fmt"
	"io"

	"github.com/vigilsec/vigil/internal/store/duckdb"
	"github.com/vigilsec/vigil/internal/version"
)

func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return usageError{"usage: vigil version"}
	}
	fmt.Fprintf(stdout, "vigil %s\ncommit %s\ngo %s\nduckdb %s\n", version.Version, version.Commit, version.Go(), duckdb.Version())
	return nil
}
