package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mattermost/fleetgen/internal/action"
	"github.com/mattermost/fleetgen/internal/charts"
)

func newChartsCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "charts",
		Short: "Manage the chart cache of hydrated environments",
		Long: `The charts of environments with gitops { hydrate = true } are rendered from a
local cache (--charts, default charts/) whose lock file records the sha256
digest of every chart archive. render never downloads: "charts pull" fills
the cache.`,
		Example: `  fleetgen charts pull --env sandbox`,
		Args:    cobra.NoArgs,
	}
	cmd.AddCommand(newChartsPullCommand(g))
	return cmd
}

type chartsPullOptions struct {
	*globalOptions
	pull charts.PullOptions
}

func newChartsPullCommand(g *globalOptions) *cobra.Command {
	o := &chartsPullOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "pull",
		Short: "Download the charts of hydrated environments into the chart cache",
		Long: `pull downloads, with Helm's downloader, the chart of every delivered app of
every hydrated environment (or of those named with --env) into the chart
cache, checks each archive against the sha256 digest its repository's
index lists (an oci:// registry: the chart layer's digest in the manifest)
and against the lock when the lock already has it, and records new charts
in the lock. A chart already locked and present is not downloaded again, so
a second pull changes nothing. Exit codes: 0 ok, 1 error.`,
		Example: `  fleetgen charts pull
  fleetgen charts pull --env sandbox --charts charts`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd) },
	}
	cmd.Flags().StringVar(&o.pull.CAFile, "ca-file", "", "PEM bundle of extra certificate authorities for https chart repositories")
	return cmd
}

func (o *chartsPullOptions) run(cmd *cobra.Command) error {
	inv, _, err := o.config(cmd).Load()
	if err != nil {
		return failed(err)
	}
	var refs []charts.Ref
	for _, app := range inv.HydratedApps() {
		refs = append(refs, charts.RefOf(app))
	}
	cache, err := charts.Open(action.Relative(o.chartsDir))
	if err != nil {
		return err
	}
	report, err := cache.Pull(refs, o.pull)
	if report != nil {
		for _, ref := range report.Downloaded {
			fmt.Fprintf(cmd.OutOrStdout(), "downloaded and locked %s\n", ref)
		}
		for _, ref := range report.Locked {
			fmt.Fprintf(cmd.OutOrStdout(), "locked %s (already in the cache)\n", ref)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s: %d downloaded, %d locked, %d up to date\n",
			cache.Dir, len(report.Downloaded), len(report.Locked), len(report.UpToDate))
	}
	return err
}
