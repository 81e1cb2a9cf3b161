package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/mattermost/fleetgen/internal/charts"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render"
)

// Exit codes of the contract (outputs.md).
const (
	exitOK    = 0
	exitError = 1
	exitDrift = 2
)

// exitCode lets a command choose its exit code without printing an error:
// what went wrong has already been said (diagnostics, a drift report).
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit status %d", int(c)) }

// Main runs fleetgen with os.Args and returns the process exit code.
func Main() int {
	return run(os.Args[1:], os.Stdout, os.Stderr)
}

func run(args []string, stdout, stderr io.Writer) int {
	prof := &profiles{}
	root := newRootCommand(prof)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if perr := prof.stop(); err == nil {
		err = perr
	}
	var code exitCode
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &code):
		return int(code)
	default:
		fmt.Fprintf(stderr, "fleetgen: %v\n", err)
		return exitError
	}
}

// globalOptions are the flags every command shares.
type globalOptions struct {
	inventoryDir string
	outDir       string
	envs         []string
	strict       bool
	chartsDir    string

	files inventory.Files // sources of the last load, for diagnostics
}

func newRootCommand(prof *profiles) *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "fleetgen",
		Short: "Render a Mattermost fleet's configuration from its inventory",
		Long: `fleetgen reads the inventory in environments/<env>/*.hcl and renders every
configuration file the fleet runs on into out/, which is committed: HA node
firewall rules, SSH tunnels and systemd units, and the command and control
cluster's configuration. CI runs "fleetgen check" to fail on drift.`,
		Example: `  fleetgen validate                  # parse and validate the inventory
  fleetgen render                    # write out/; commit it with the inventory
  fleetgen check                     # what CI runs: exit 2 when out/ is stale
  fleetgen render --env prod         # one environment only`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: func(*cobra.Command, []string) error { return prof.start() },
	}
	pf := root.PersistentFlags()
	pf.StringVar(&prof.cpu, "cpuprofile", "", "write a pprof CPU profile of the run to this file")
	pf.StringVar(&prof.mem, "memprofile", "", "write a pprof allocation profile of the run to this file")
	_ = pf.MarkHidden("cpuprofile")
	_ = pf.MarkHidden("memprofile")
	pf.StringVar(&g.inventoryDir, "inventory", "environments", "inventory folder: one sub-folder of .hcl files per environment")
	pf.StringVar(&g.outDir, "out", "out", "folder of the rendered tree")
	pf.StringArrayVar(&g.envs, "env", nil, "limit the run to this environment (repeatable)")
	pf.BoolVar(&g.strict, "strict", false, "treat warnings as errors")
	pf.StringVar(&g.chartsDir, "charts", "charts", "chart cache of hydrated environments: packaged charts and "+charts.LockFile)
	root.AddCommand(
		newRenderCommand(g),
		newCheckCommand(g),
		newValidateCommand(g),
		newAffectedCommand(g),
		newExplainCommand(g),
		newVersionCommand(),
		newChartsCommand(g),
		newFmtCommand(g),
		newAddCommand(g),
		newRemoveCommand(g),
		newNewCommand(g),
	)
	setUpCompletion(root, g)
	root.AddCommand(newDocsCommand(root))
	return root
}

// load reads and validates the inventory, printing every diagnostic to
// stderr. It returns exitCode(1) when the run must stop.
func (g *globalOptions) load(cmd *cobra.Command) (*inventory.Inventory, error) {
	inv, files, diags := inventory.Load(relative(g.inventoryDir), g.envs...)
	g.files = files
	if g.strict {
		diags = promoteWarnings(diags)
		if diags.HasErrors() {
			inv = nil
		}
	}
	writeDiagnostics(cmd.ErrOrStderr(), files, diags)
	if inv == nil {
		return nil, exitCode(exitError)
	}
	return inv, nil
}

// loadAndRender loads the inventory and renders it in memory: what
// render, check and explain start with.
func (g *globalOptions) loadAndRender(cmd *cobra.Command) ([]render.File, error) {
	inv, err := g.load(cmd)
	if err != nil {
		return nil, err
	}
	return g.render(cmd, inv)
}

// render renders inv in memory. A mistake only a renderer can see (values
// that do not fit a chart's) is a diagnostic at its line, like a load's.
// The charts of hydrated environments come from the chart cache, verified
// against its lock; a missing or altered chart is a diagnostic at its app.
// Every rendered kustomization is then built with kustomize, so render,
// check and validate all fail on one Argo CD could not sync.
func (g *globalOptions) render(cmd *cobra.Command, inv *inventory.Inventory) ([]render.File, error) {
	var opts render.Options
	if apps := render.HydratedApps(inv); len(apps) > 0 {
		cache, err := charts.Open(relative(g.chartsDir))
		if err != nil {
			return nil, err
		}
		archives, diags, err := cache.LoadApps(apps)
		if err != nil {
			return nil, err
		}
		if diags.HasErrors() {
			writeDiagnostics(cmd.ErrOrStderr(), g.files, diags)
			return nil, exitCode(exitError)
		}
		opts.Charts = archives
	}
	files, err := render.RenderWith(inv, opts)
	var diag *hcl.Diagnostic
	if errors.As(err, &diag) {
		writeDiagnostics(cmd.ErrOrStderr(), g.files, hcl.Diagnostics{diag})
		return nil, exitCode(exitError)
	}
	if err != nil {
		return nil, err
	}
	if err := render.BuildKustomizations(files); err != nil {
		var kerr *render.KustomizeError
		if errors.As(err, &kerr) {
			kerr.Path = filepath.ToSlash(filepath.Join(g.outDir, kerr.Path))
		}
		return nil, err
	}
	return files, nil
}

// relative makes dir relative to the working directory when it is inside
// it, so diagnostics and goldens do not depend on where the repository is.
func relative(dir string) string {
	if !filepath.IsAbs(dir) {
		return filepath.Clean(dir)
	}
	wd, err := os.Getwd()
	if err != nil {
		return dir
	}
	rel, err := filepath.Rel(wd, dir)
	if err != nil || !filepath.IsLocal(rel) {
		return dir
	}
	return rel
}
