// Package formats wires every source normalizer into one registry, in
// detection order: the most specific shapes first, the raw catch-all last.
// It is the only package that imports all the source packages.
package formats

import (
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/syslog"
)

// Registry returns the registry of every supported format.
func Registry() *ingest.Registry {
	return ingest.NewRegistry(
		syslog.NewCEF(syslog.Options{}),
		syslog.NewSyslog(syslog.Options{}),
		ingest.Raw{},
	)
}
