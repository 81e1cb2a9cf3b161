package cli

import (
	"github.com/spf13/cobra"

	"github.com/mattermost/fleetgen/internal/action"
)

type affectedOptions struct {
	*globalOptions
	base, head, format string
}

func newAffectedCommand(g *globalOptions) *cobra.Command {
	o := &affectedOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "affected --base <ref> [--head <ref>]",
		Short: "List what must be applied between two commits of out/",
		Long: `affected compares the rendered tree (out/) of two commits and lists what
must be applied, per environment: the Terraform layers whose files changed
(in apply order), whether files Argo CD syncs changed, the HA nodes whose
files changed (with the address and port to reach them), the environments
added, and what was removed (reported, never destroyed).

It reads git alone: no network, no credentials, no inventory. A --base of
all zeros (GitHub's github.event.before on a new branch) compares against
nothing: everything is new. The JSON is documented in docs/affected.md.
Exit codes: 0 ok, 1 error (not a git repository, unknown commit).`,
		Example: `  fleetgen affected --base origin/main
  fleetgen affected --base "$BEFORE" --head "$GITHUB_SHA" --format json
  fleetgen affected --base 0000000000000000000000000000000000000000 --env prod`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd) },
	}
	f := cmd.Flags()
	f.StringVar(&o.base, "base", "", "the commit already applied (all zeros: none)")
	f.StringVar(&o.head, "head", "HEAD", "the commit to apply")
	f.StringVar(&o.format, "format", "text", "output format: text or json")
	completeWords(cmd, "format", affectedFormats...)
	completeGitRefs(cmd, "base", "head")
	_ = cmd.MarkFlagRequired("base")
	return cmd
}

func (o *affectedOptions) run(cmd *cobra.Command) error {
	if err := checkFormat(o.format, affectedFormats...); err != nil {
		return err
	}
	rep, err := (&action.Affected{Dir: ".", OutDir: o.outDir, Base: o.base, Head: o.head, Envs: o.envs}).Run(cmd.Context())
	if err != nil {
		return err
	}
	if o.format == "json" {
		return rep.WriteJSON(cmd.OutOrStdout())
	}
	return rep.WriteText(cmd.OutOrStdout())
}
