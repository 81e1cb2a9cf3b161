package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X …/cmd/cli.Version=v1.2.3";
// otherwise the module version from the build info is used.
var Version = ""

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print fleetgen's version",
		Long: `version prints the version fleetgen was built as: the release tag given at
build time, else the module version (go install …@v1.2.3, or the pseudo-version
go build derives from the checkout), else "dev"; then the commit it was built
from, its time, and whether the checkout had changes, when the build recorded
them.`,
		Example: `  fleetgen version`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "fleetgen %s\n", version())
			return nil
		},
	}
}

// version is the release tag given at build time, else the module version
// from the build info, with the commit the binary was built from when the
// build recorded it (go build in a git checkout does).
func version() string {
	v := Version
	info, ok := debug.ReadBuildInfo()
	if v == "" && ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	if v == "" {
		v = "dev"
	}
	if !ok {
		return v
	}
	vcs := map[string]string{}
	for _, s := range info.Settings {
		vcs[s.Key] = s.Value
	}
	if rev := vcs["vcs.revision"]; rev != "" {
		v += " (" + vcs["vcs"] + " " + rev
		if t := vcs["vcs.time"]; t != "" {
			v += ", " + t
		}
		if vcs["vcs.modified"] == "true" {
			v += ", modified"
		}
		v += ")"
	}
	return v
}
