// Package version says which Vigil this is. Version and Commit are set at
// link time by the Makefile (-ldflags -X); a plain `go build` reports "dev".
package version

import "runtime"

var (
	// Version is the release, e.g. "0.1.0", or "dev".
	Version = "dev"
	// Commit is the git commit the binary was built from, or "unknown".
	Commit = "unknown"
)

// Go is the Go toolchain the binary was built with.
func Go() string { return runtime.Version() }
