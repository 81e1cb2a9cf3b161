package cli

import (
	"github.com/spf13/cobra"

	"github.com/mattermost/fleetgen/internal/action"
)

type explainOptions struct {
	*globalOptions
	against, format string
}

func newExplainCommand(g *globalOptions) *cobra.Command {
	o := &explainOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "explain [--against <ref>]",
		Short: "Say in words what the inventory changes in out/",
		Long: `explain renders the inventory in memory and says, per environment, what it
changes compared with out/ on disk (or out/ at a git commit with --against):
federation targets added or removed, alerting rules, apps and chart
versions, DNS names, Terraform resources and attributes, HA nodes added or
removed and how many nodes' firewall and tunnels change, and the cluster
settings that need a full cluster stop. Files it cannot explain are listed,
so nothing is left out. It writes nothing.

--format markdown is the section "fleetgen check --format github" puts in
its summary; json is documented in docs/explain.md.
Exit codes: 0 ok (changes or not), 1 error (invalid inventory, unknown ref).`,
		Example: `  fleetgen explain
  fleetgen explain --against origin/main
  fleetgen explain --env prod --format markdown
  fleetgen explain --against HEAD~1 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd) },
	}
	f := cmd.Flags()
	f.StringVar(&o.against, "against", "", "compare with out/ at this git commit instead of out/ on disk")
	f.StringVar(&o.format, "format", "text", "output format: text, markdown or json")
	completeWords(cmd, "format", explainFormats...)
	completeGitRefs(cmd, "against")
	return cmd
}

func (o *explainOptions) run(cmd *cobra.Command) error {
	if err := checkFormat(o.format, explainFormats...); err != nil {
		return err
	}
	rep, err := (&action.Explain{Config: o.config(cmd), Against: o.against}).Run(cmd.Context())
	if err != nil {
		return failed(err)
	}
	w := cmd.OutOrStdout()
	switch o.format {
	case "json":
		return rep.WriteJSON(w)
	case "markdown":
		return rep.WriteMarkdown(w)
	default:
		return rep.WriteText(w)
	}
}
