package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newValidateCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Parse and validate the inventory; write nothing",
		Long: `validate parses and validates the inventory and prints every problem as
file:line:col: severity: summary, then renders it in memory, so an inventory
that validates also renders. Exit codes: 0 valid, 1 error (warnings count as
errors with --strict).`,
		Example: `  fleetgen validate
  fleetgen validate --strict --env prod`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			inv, err := g.load(cmd)
			if err != nil {
				return err
			}
			if _, err := g.render(cmd, inv); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d environment(s) valid\n", len(inv.Environments))
			return nil
		},
	}
}
