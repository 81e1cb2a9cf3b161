package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	udiff "github.com/aymanbagabas/go-udiff"
	"github.com/spf13/cobra"

	"github.com/mattermost/fleetgen/internal/action"
	"github.com/mattermost/fleetgen/inventory"
)

type fmtOptions struct {
	*globalOptions
	check, diff bool
}

func newFmtCommand(g *globalOptions) *cobra.Command {
	o := &fmtOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "fmt",
		Short: "Rewrite the inventory files in the canonical HCL layout",
		Long: `fmt rewrites every inventory file (environments/<env>/*.hcl, or those of
--env) in the canonical layout of HCL, the one terraform fmt gives: aligned
equals signs, two-space indentation, normalised spacing. Comments and the
order of everything are kept. It prints the name of each file it changed.

A file that does not parse, or that holds a credential, is reported with
file:line:col and nothing is written, not even the other files.

--check writes nothing and lists the files that are not formatted; CI's
drift job runs it. --diff prints the changes as a unified diff and, like
--check, writes nothing. Blank lines are kept (HCL's layout keeps them).
Exit codes: 0 formatted (or only shown), 1 error, 2 (with --check) some
files need formatting.`,
		Example: `  fleetgen fmt
  fleetgen fmt --diff
  fleetgen fmt --check --diff
  fleetgen fmt --env prod`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd) },
	}
	cmd.Flags().BoolVar(&o.check, "check", false, "write nothing; exit 2 when a file is not formatted")
	cmd.Flags().BoolVar(&o.diff, "diff", false, "print the changes as a unified diff; write nothing")
	return cmd
}

func (o *fmtOptions) run(cmd *cobra.Command) error {
	formatted, err := o.formatAll(cmd)
	if err != nil {
		return err
	}
	stdout := cmd.OutOrStdout()
	var changed int
	for _, f := range formatted {
		if !f.Changed() {
			continue
		}
		changed++
		if !o.check && !o.diff { // both are dry runs
			if err := writeKeepingMode(f.Path, f.Result); err != nil {
				return err
			}
		}
		fmt.Fprintln(stdout, f.Path)
		if o.diff {
			writeFmtDiff(stdout, f)
		}
	}
	if o.check && changed > 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "fleetgen fmt: %d file(s) not formatted; run fleetgen fmt\n", changed)
		return exitCode(exitDrift)
	}
	return nil
}

// formatAll formats every inventory file in memory. Any error stops the
// run before a file is written, and every diagnostic is printed.
func (o *fmtOptions) formatAll(cmd *cobra.Command) ([]inventory.Formatted, error) {
	sources, diags := inventory.Sources(action.Relative(o.inventoryDir), o.envs...)
	files := inventory.Files{}
	var formatted []inventory.Formatted
	for _, s := range sources {
		for _, path := range s.Files {
			f, ds := inventory.FormatFile(path, files)
			diags = append(diags, ds...)
			formatted = append(formatted, f)
		}
	}
	writeDiagnostics(cmd.ErrOrStderr(), files, diags)
	if diags.HasErrors() {
		return nil, exitCode(exitError)
	}
	return formatted, nil
}

// writeKeepingMode rewrites a file atomically with its current mode, like
// the edit commands: through a symbolic link, keeping the link.
func writeKeepingMode(path string, data []byte) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	return writeThrough(path, data, info.Mode().Perm())
}

func writeFmtDiff(w io.Writer, f inventory.Formatted) {
	name := filepath.ToSlash(f.Path)
	io.WriteString(w, udiff.Unified("a/"+name, "b/"+name, string(f.Original), string(f.Result)))
}
