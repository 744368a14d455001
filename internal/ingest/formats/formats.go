// Package formats wires every source normalizer into one registry, in
// detection order: the most specific shapes first, the raw catch-all last.
// It is the only package that imports all the source packages.
package formats

import (
	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/cloud"
	"github.com/vigilsec/vigil/internal/ingest/dovecot"
	"github.com/vigilsec/vigil/internal/ingest/geoip"
	"github.com/vigilsec/vigil/internal/ingest/samba"
	"github.com/vigilsec/vigil/internal/ingest/syslog"
	"github.com/vigilsec/vigil/internal/ingest/windows"
)

// Registry returns the registry of every supported format. Each source's
// Detect accepts only its own shape (the tests check that no two claim
// the same record), so the order matters only for the catch-all.
func Registry() *ingest.Registry {
	return ingest.NewRegistry(
		windows.NewWinlogbeat(),
		windows.NewSentinel(),
		windows.NewOTRF(),
		cloud.NewCloudTrail(),
		cloud.NewEntraAudit(),
		cloud.NewEntraSignIn(),
		cloud.NewOfficeActivity(),
		cloud.NewM365Audit(),
		cloud.NewDefenderExport(),
		samba.NewAudit(),
		dovecot.NewEvents(),
		syslog.NewFilebeat(syslog.Options{}),
		syslog.NewCEF(syslog.Options{}),
		syslog.NewSyslog(syslog.Options{}),
		geoip.Ranges{},
		ingest.Raw{},
	)
}
