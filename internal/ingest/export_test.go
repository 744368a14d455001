package ingest

// SetFastCanonical turns the pipeline's canonical-JSON shortcut on or off
// and returns the previous setting.
func SetFastCanonical(on bool) bool {
	prev := fastCanonical
	fastCanonical = on
	return prev
}
