package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mattermost/fleetgen/internal/action"
)

type renderOptions struct {
	*globalOptions
	force bool
}

func newRenderCommand(g *globalOptions) *cobra.Command {
	o := &renderOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "render",
		Short: "Validate the inventory and write the rendered tree to out/",
		Long: `render validates the inventory, renders every environment (or those named
with --env) and writes out/. Nothing is written when the inventory has an
error. Files fleetgen wrote before that the inventory no longer produces are
deleted; a file fleetgen did not write is never overwritten or deleted.

A render cache outside the repository ($FLEETGEN_CACHE; default fleetgen/
in the user's cache folder; "off" turns it off) remembers the SHA-256 of
every file each environment rendered: an environment whose inventory files
and fleetgen binary are unchanged, and whose part of out/ still holds
exactly those files (every byte read), is not rendered again. Any
difference means a full render.`,
		Example: `  fleetgen render
  fleetgen render --env prod
  fleetgen render --inventory environments --out out`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd) },
	}
	cmd.Flags().BoolVar(&o.force, "force", false, "overwrite or delete files of out/ that were edited by hand since fleetgen wrote them")
	return cmd
}

func (o *renderOptions) run(cmd *cobra.Command) error {
	r := &action.Render{Config: o.config(cmd), Force: o.force}
	report, err := r.Run()
	if err != nil {
		return failed(err)
	}
	unfinished := ""
	if len(r.Unfinished) > 0 {
		unfinished = fmt.Sprintf("; not finished, left as they are: %s", strings.Join(r.Unfinished, ", "))
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s: %s%s\n", o.outDir, report, unfinished)
	return nil
}
