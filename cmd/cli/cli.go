package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/mattermost/fleetgen/internal/action"
	"github.com/mattermost/fleetgen/internal/charts"
	"github.com/mattermost/fleetgen/internal/rendercache"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/layout"
)

// Exit codes of every command.
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
		printError(stderr, root, err)
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
	pf.StringVar(&g.outDir, "out", layout.CommittedDir, "folder of the rendered tree")
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
		newServeCommand(g),
		newVerifyRegistrationCommand(g),
		newPRSummaryCommand(g),
	)
	setUpCompletion(root, g)
	root.AddCommand(newDocsCommand(root))
	strictUsage(root)
	return root
}

// config is the action layer's view of the global flags; diagnostics go
// to the command's stderr.
func (g *globalOptions) config(cmd *cobra.Command) *action.Config {
	return &action.Config{
		InventoryDir: g.inventoryDir,
		OutDir:       g.outDir,
		ChartsDir:    g.chartsDir,
		Envs:         g.envs,
		Strict:       g.strict,
		Cache:        renderCache(),
		Report: func(files inventory.Files, diags hcl.Diagnostics) {
			writeDiagnostics(cmd.ErrOrStderr(), files, diags)
		},
	}
}

// renderCache is the render cache of this process (rendercache.FromEnv),
// or nil when it is off or cannot be opened: the run renders everything,
// as it would with an empty cache, so there is nothing to report.
var renderCache = sync.OnceValue(func() *rendercache.Cache {
	c, err := rendercache.FromEnv()
	if err != nil {
		return nil
	}
	return c
})

// failed turns an action's error into the command's: diagnostics already
// printed become exit code 1 without another message.
func failed(err error) error {
	if errors.Is(err, action.ErrReported) {
		return exitCode(exitError)
	}
	return err
}
