package cli

import (
	"github.com/spf13/cobra"

	"github.com/mattermost/fleetgen/prsummary"
)

type prSummaryOptions struct {
	*globalOptions
	base, head, plans string
}

func newPRSummaryCommand(g *globalOptions) *cobra.Command {
	o := &prSummaryOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "pr-summary --base <ref> [--head <ref>] [--plans DIR]",
		Short: "Say in Markdown what merging a change will do",
		Long: `pr-summary compares out/ of two commits, as fleetgen affected does, and
prints Markdown for a pull request: per environment, the Terraform layers the
apply workflow will apply with each plan's counts, the Argo CD Applications
whose rendered objects change (for hydrated apps, the objects added, changed
and removed), and the HA nodes apply.sh will run on; details are folded.

--plans DIR holds <env>/<layer>.json, terraform show -json of each layer's
saved plan, or <env>/<layer>.unavailable, one line saying why there is none;
a layer with neither says "plan not available". It reads git and those
files only: no terraform, no network.`,
		Example: `  fleetgen pr-summary --base origin/main
  fleetgen pr-summary --base "$BASE_SHA" --plans "$RUNNER_TEMP/plans" >>"$GITHUB_STEP_SUMMARY"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := prsummary.Build(cmd.Context(), prsummary.Options{Dir: ".", OutDir: o.outDir, Base: o.base, Head: o.head, Plans: o.plans})
			if err != nil {
				return err
			}
			return s.WriteMarkdown(cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.base, "base", "", "the pull request's base commit (required)")
	f.StringVar(&o.head, "head", "HEAD", "its head")
	f.StringVar(&o.plans, "plans", "", "folder of the layers' plans (terraform show -json) or why there are none")
	completeGitRefs(cmd, "base", "head")
	_ = cmd.MarkFlagRequired("base")
	return cmd
}
