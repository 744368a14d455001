// Package formats wires every source normalizer into one registry, in
// detection order: the most specific shapes first, the raw catch-all last.
// It is the only package that imports all the source packages.
package formats

import (
	"github.com/vigilsec/vigil/internal/ingest"
)

// Registry returns the registry of every supported format.
func Registry() *ingest.Registry {
	return ingest.NewRegistry(
		ingest.Raw{},
	)
}
