// Command fleetgen renders a Mattermost fleet's configuration from its
// inventory. See the README.
package main

import (
	"os"
	"runtime/debug"

	"github.com/mattermost/fleetgen/cmd/cli"
)

func main() {
	// A render holds every file it made in memory until it has planned the
	// whole write, so that a conflict anywhere leaves out/ untouched. Go's
	// default GOGC=100 lets the heap grow to twice what is live before it
	// collects; 40 keeps it within 1.4 times, which holds the reference
	// fleet's peak under 300 MB for about 15% more CPU in a check
	// (docs/performance.md). GOGC in the environment still decides.
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(40)
	}
	os.Exit(cli.Main())
}
