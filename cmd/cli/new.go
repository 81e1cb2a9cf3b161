package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/mattermost/fleetgen/internal/action"
	"github.com/mattermost/fleetgen/internal/atomicfile"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/inventory/edit"
)

func newNewCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "new",
		Short: "Scaffold a new part of the inventory",
		Long: `new scaffolds a part of the inventory that does not exist yet, with every
value only the operator knows left as a "FILL-IN" placeholder that validation
lists. See docs/editing.md.`,
		Example: `  fleetgen new environment staging --from prod`,
		Args:    cobra.NoArgs,
	}
	cmd.AddCommand(newNewEnvironmentCommand(g))
	return cmd
}

type newEnvironmentOptions struct {
	*globalOptions
	from string
}

func newNewEnvironmentCommand(g *globalOptions) *cobra.Command {
	o := &newEnvironmentOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "environment <name> [--from ENV]",
		Short: "Scaffold environments/<name>/ and list what must be filled in",
		Long: `new environment creates environments/<name>/environment.hcl: from a commented
template with every attribute (required ones present, optional ones commented
out with their default), or with --from a copy of another environment's
environment block (comments kept; not its workload or HA clusters) whose
values of that environment only (account, role, state bucket, VPC, subnets,
DNS zones and domains, hub cluster ID) are replaced by "FILL-IN".

Validation reports each "FILL-IN" as "Value not filled in": the command prints
those diagnostics as the list of what to fill in. It refuses when the folder
exists or the scaffold has any other error. Exit codes: 0 scaffolded (the
to-do list is not an error), 1 refused.`,
		Example: `  fleetgen new environment staging
  fleetgen new environment staging --from prod`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return o.run(cmd, args[0]) },
	}
	cmd.Flags().StringVar(&o.from, "from", "", "copy the environment block of this environment")
	_ = cmd.RegisterFlagCompletionFunc("from", g.completeEnvs)
	cmd.ValidArgsFunction = cobra.NoFileCompletions // a new name
	return cmd
}

func (o *newEnvironmentOptions) run(cmd *cobra.Command, name string) error {
	dir := action.Relative(o.inventoryDir)
	target := filepath.Join(dir, name)
	if _, err := os.Lstat(target); err == nil {
		return fmt.Errorf("%s already exists: fleetgen new environment never overwrites", target)
	}
	var from *edit.Folder
	if o.from != "" {
		var err error
		if from, err = o.readFolder(dir, o.from); err != nil {
			return err
		}
	}
	c, err := edit.NewEnvironment(dir, name, from)
	if err != nil {
		if from != nil {
			return o.editError(cmd, from, err)
		}
		return err
	}
	_, files, diags := inventory.LoadWith(dir, inventory.LoadOptions{Only: []string{name}, Overlay: map[string][]byte{c.Path: c.Data}})
	var todo, other hcl.Diagnostics
	for _, d := range diags {
		if d.Summary == inventory.PlaceholderSummary {
			todo = append(todo, d)
		} else {
			other = append(other, d)
		}
	}
	if o.strict {
		other = action.PromoteWarnings(other)
	}
	writeDiagnostics(cmd.ErrOrStderr(), files, other)
	if other.HasErrors() {
		return fmt.Errorf("%s not created: the scaffold has errors besides the values to fill in", target)
	}
	if err := os.MkdirAll(target, 0o755); err != nil { // with the inventory folder of a new repository
		return err
	}
	if err := atomicfile.WriteFile(c.Path, c.Data, c.Mode); err != nil {
		_ = os.Remove(target)
		return err
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "%s: %s (new file)\n", c.Path, c.Summary)
	if len(todo) > 0 {
		fmt.Fprintf(w, "\nFill in these %d values:\n\n", len(todo))
		writeDiagnostics(w, files, todo)
	}
	fmt.Fprintf(w, "fleetgen validate --env %s will list what is left.\n", name)
	return nil
}
