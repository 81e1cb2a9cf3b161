// Command fleetgen renders a Mattermost fleet's configuration from its
// inventory. See the README.
package main

import (
	"os"
	"runtime/debug"

	"github.com/mattermost/fleetgen/cmd/cli"
)

// memoryLimit is the Go runtime's soft memory limit unless GOMEMLIMIT is
// set. Render, check and validate hold one environment's files at a time
// or so (the rest is on disk, compared or staged), so the heap is small
// and the default GOGC=100 collects rarely; past the limit, on a fleet
// whose environments are huge or a render that writes a great deal, the
// collector works harder instead of the heap growing. With the 60-odd MB
// the binary itself occupies, the reference fleet peaks under 190 MB, and
// the limit barely binds on twice that fleet, whose plan of 50,000 files
// needs more (a tighter one cost it a fifth more time; docs/performance.md).
const memoryLimit = 150 << 20

func main() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(memoryLimit)
	}
	os.Exit(cli.Main())
}
