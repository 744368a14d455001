//go:build !unix

package formats_test

import "time"

// cpuTime is unknown here; the benchmark then reports no CPU figure.
func cpuTime() time.Duration { return 0 }
