package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mattermost/fleetgen/explain"
	"github.com/mattermost/fleetgen/render"
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
	completeWords(cmd, "format", "text", "markdown", "json")
	completeGitRefs(cmd, "against")
	return cmd
}

func (o *explainOptions) run(cmd *cobra.Command) error {
	switch o.format {
	case "text", "markdown", "json":
	default:
		return fmt.Errorf("unknown --format %q: use text, markdown or json", o.format)
	}
	files, err := o.loadAndRender(cmd)
	if err != nil {
		return err
	}
	rep, err := o.explain(cmd, files, o.against, nil)
	if err != nil {
		return err
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

// explain explains the rendered files against out/ at the git commit
// against, or, when against is "", against out/ on disk (from drift when
// the caller has it already).
func (g *globalOptions) explain(cmd *cobra.Command, files []render.File, against string, drift *render.Drift) (*explain.Report, error) {
	var trees explain.Trees
	var err error
	if against != "" {
		trees, err = explain.FromGit(cmd.Context(), ".", g.outDir, against, files, g.envs)
	} else {
		if drift == nil {
			if drift, err = render.Check(g.outDir, files, render.CheckOptions{Envs: g.envs}); err != nil {
				return nil, err
			}
		}
		trees, err = explain.FromDrift(g.outDir, drift, files, g.envs)
	}
	if err != nil {
		return nil, err
	}
	return explain.Explain(trees), nil
}
