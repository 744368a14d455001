// Command vigil-sensor is the endpoint agent built alone: a static,
// cgo-free binary (CGO_ENABLED=0 go build ./cmd/vigil-sensor) carrying
// only the sensor's package tree.
package main

import (
	"fmt"
	"os"

	"github.com/vigilsec/vigil/internal/sensor"
	"github.com/vigilsec/vigil/internal/version"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Printf("vigil-sensor %s (commit %s, %s, protocol %d)\n", version.Version, version.Commit, version.Go(), sensor.Protocol)
		return
	}
	fmt.Fprintln(os.Stderr, "usage: vigil-sensor version\n\nThe sensor's collectors are not built yet; this binary reports its version only.")
	os.Exit(2)
}
