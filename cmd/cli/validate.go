package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mattermost/fleetgen/internal/action"
)

func newValidateCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Parse and validate the inventory; write nothing",
		Long: `validate parses and validates the inventory and prints every problem as
file:line:col: severity: summary, then renders it in memory, so an inventory
that validates also renders. Exit codes: 0 valid, 1 error (warnings count as
errors with --strict). With the render cache (see fleetgen render --help),
inventory files seen to validate and render cleanly before are not parsed
again.`,
		Example: `  fleetgen validate
  fleetgen validate --strict --env prod`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, unfinished, err := (&action.Validate{Config: g.config(cmd)}).Run()
			if err != nil {
				return failed(err)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%d environment(s) valid\n", n)
			if len(unfinished) > 0 {
				fmt.Fprintf(w, "%d not finished, set aside until filled in: %s\n", len(unfinished), strings.Join(unfinished, ", "))
			}
			return nil
		},
	}
}
