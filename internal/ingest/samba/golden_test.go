package samba

import "testing"

// TestGolden runs testdata/<case>/input.ndjson through the normalizer and
// compares the rows with output.json (-update rewrites).
func TestGolden(t *testing.T) { goldenCases(t, normalizers) }
