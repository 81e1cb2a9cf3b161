// Command fleetgen renders a Mattermost fleet's configuration from its
// inventory. See the README.
package main

import (
	"os"

	"github.com/mattermost/fleetgen/cmd/cli"
)

func main() { os.Exit(cli.Main()) }
