package samba

import (
	"testing"

	"github.com/vigilsec/vigil/internal/ingest/ingesttest"
)

// TestPipeline runs the golden inputs through the pipeline: the records
// a golden case expects to fail are the only ones rejected.
func TestPipeline(t *testing.T) { ingesttest.PipelineGolden(t, normalizers) }
