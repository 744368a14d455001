package samba

import (
	"testing"

	"github.com/vigilsec/vigil/internal/ingest"
	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
)

func normalizers() []ingest.Normalizer {
	return []ingest.Normalizer{NewAudit()}
}

// TestGolden runs testdata/<case>/input.ndjson through the normalizer and
// compares the rows with output.json (-update rewrites).
func TestGolden(t *testing.T) { ingesttest.GoldenCases(t, normalizers) }
