package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/mattermost/fleetgen/internal/action"
	"github.com/mattermost/fleetgen/internal/atomicfile"
	"github.com/mattermost/fleetgen/internal/suggest"
	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/inventory/edit"
)

func newAddCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add",
		Short: "Add a block to the inventory, in place",
		Long: `add writes a new block into an environment's inventory files, keeping every
other byte of them (comments, layout). The edited inventory is validated
before anything is written; out/ is not rendered: run fleetgen render next.
See docs/editing.md.`,
		Example: `  fleetgen add workload-cluster c5ge4ktqubdnzp7rxw8gay1pqe --env prod --label tier=shared
  fleetgen add node acme/app9 --env prod --address 10.20.0.19 --host-key-file host.pub --tunnel-key-file tunnel.pub`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newAddWorkloadClusterCommand(g), newAddNodeCommand(g))
	return cmd
}

func newRemoveCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "remove",
		Short: "Remove a block from the inventory, in place",
		Long: `remove deletes a block, with the comment lines directly above it, from an
environment's inventory files, keeping every other byte of them. The edited
inventory is validated before anything is written; out/ is not rendered: run
fleetgen render next. See docs/editing.md.`,
		Example: `  fleetgen remove workload-cluster zq3mfs8a4hbtkwe1x9c6r5gu7y --env dev
  fleetgen remove node acme/app8 --env prod`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newRemoveWorkloadClusterCommand(g), newRemoveNodeCommand(g))
	return cmd
}

type addWorkloadOptions struct {
	*globalOptions
	labels        []string
	prometheusURL string
	noFederate    bool
}

func newAddWorkloadClusterCommand(g *globalOptions) *cobra.Command {
	o := &addWorkloadOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "workload-cluster <id> --env ENV",
		Short: "Add a workload cluster, a federation target of the environment's Prometheus",
		Long: `add workload-cluster adds a workload_cluster block after the environment's last
one, in that block's file; the first goes into <env>/workload-clusters.hcl,
created if needed. Labels are written as one object, keys sorted. The edited
inventory is validated (and rendered in memory) before it is written; an
error writes nothing. Exit codes: 0 written, 1 refused.`,
		Example: `  fleetgen add workload-cluster c5ge4ktqubdnzp7rxw8gay1pqe --env prod --label tier=shared
  fleetgen add workload-cluster h3n8c1v6b9m2x5z7l4k0j8g6f1 --env prod --label tier=dedicated --label customer=globex
  fleetgen add workload-cluster zq3mfs8a4hbtkwe1x9c6r5gu7y --env dev --no-federate`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: cobra.NoFileCompletions, // a new ID
		RunE: func(cmd *cobra.Command, args []string) error {
			labels, err := parseLabels(o.labels)
			if err != nil {
				return err
			}
			return o.edit(cmd, func(f *edit.Folder) (edit.Change, error) {
				return edit.AddWorkloadCluster(f, edit.WorkloadCluster{ID: args[0], PrometheusURL: o.prometheusURL, Labels: labels, NoFederate: o.noFederate})
			})
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.labels, "label", nil, "an extra target label, name=value (repeatable)")
	f.StringVar(&o.prometheusURL, "prometheus-url", "", "the cluster's Prometheus URL (default http://<id>.prometheus.<private domain>:80)")
	f.BoolVar(&o.noFederate, "no-federate", false, "list the cluster but do not scrape it (federate = false)")
	return cmd
}

func newRemoveWorkloadClusterCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "workload-cluster <id> --env ENV",
		Short: "Remove a workload cluster",
		Long: `remove workload-cluster removes the workload_cluster block of that ID, with
the comment lines directly above it. The edited inventory is validated before
it is written. Exit codes: 0 written, 1 refused.`,
		Example:           `  fleetgen remove workload-cluster zq3mfs8a4hbtkwe1x9c6r5gu7y --env dev`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: g.completeNames(func(wcs, _ []string) []string { return wcs }),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.edit(cmd, func(f *edit.Folder) (edit.Change, error) {
				return edit.RemoveWorkloadCluster(f, args[0])
			})
		},
	}
}

type addNodeOptions struct {
	*globalOptions
	node                       edit.Node
	hostKeyFile, tunnelKeyFile string
}

func newAddNodeCommand(g *globalOptions) *cobra.Command {
	o := &addNodeOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "node <cluster>/<node> --env ENV --address IP [--host-key KEY] [--tunnel-key KEY]",
		Short: "Add a node to an HA cluster",
		Long: `add node adds a node block after the last node of the ha_cluster. With
ssh_tunnels (the default) the node's SSH host key and its tunnel user's public
key are required, as text or as .pub files. The edited inventory is validated
(and rendered in memory) before it is written: a duplicate address, a bad key,
a port clash writes nothing. Exit codes: 0 written, 1 refused.`,
		Example: `  fleetgen add node acme/app9 --env prod --address 10.20.0.19 --host-key-file app9/ssh_host_ed25519_key.pub --tunnel-key-file app9/id_ed25519.pub
  fleetgen add node legacy/mm3 --env dev --address 10.10.250.148 --ordinal 3 --host-key "$HOST_KEY" --tunnel-key "$TUNNEL_KEY"`,
		Args: cobra.ExactArgs(1),
		// The cluster part: the node's name is new.
		ValidArgsFunction: g.completeNames(func(_, nodes []string) []string {
			var clusters []string
			for _, n := range nodes {
				c, _, _ := strings.Cut(n, "/")
				if !slices.Contains(clusters, c+"/") {
					clusters = append(clusters, c+"/")
				}
			}
			return clusters
		}),
		RunE: func(cmd *cobra.Command, args []string) error {
			n := o.node
			var err error
			if n.Cluster, n.Name, err = splitNode(args[0]); err != nil {
				return err
			}
			if n.HostKey, err = keyFlag("host-key", n.HostKey, o.hostKeyFile); err != nil {
				return err
			}
			if n.TunnelKey, err = keyFlag("tunnel-key", n.TunnelKey, o.tunnelKeyFile); err != nil {
				return err
			}
			return o.edit(cmd, func(f *edit.Folder) (edit.Change, error) { return edit.AddNode(f, n) })
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.node.Address, "address", "", "the IP address cluster traffic uses (required)")
	f.IntVar(&o.node.Ordinal, "ordinal", 0, "the node's ordinal (default: one more than the cluster's highest; always written, so it never changes)")
	f.StringVar(&o.node.HostKey, "host-key", "", "the node's SSH host public key")
	f.StringVar(&o.node.TunnelKey, "tunnel-key", "", "the public key of the node's tunnel user")
	f.StringVar(&o.hostKeyFile, "host-key-file", "", "read --host-key from this .pub file")
	f.StringVar(&o.tunnelKeyFile, "tunnel-key-file", "", "read --tunnel-key from this .pub file")
	_ = cmd.MarkFlagRequired("address")
	cmd.MarkFlagsMutuallyExclusive("host-key", "host-key-file")
	cmd.MarkFlagsMutuallyExclusive("tunnel-key", "tunnel-key-file")
	return cmd
}

func newRemoveNodeCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "node <cluster>/<node> --env ENV",
		Short: "Remove a node from an HA cluster",
		Long: `remove node removes the node block, with the comment lines directly above it,
from its ha_cluster. The edited inventory is validated before it is written:
an HA cluster keeps at least two nodes. After fleetgen render the remaining
nodes no longer trust the removed one. Exit codes: 0 written, 1 refused.`,
		Example:           `  fleetgen remove node acme/app8 --env prod`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: g.completeNames(func(_, nodes []string) []string { return nodes }),
		RunE: func(cmd *cobra.Command, args []string) error {
			cluster, node, err := splitNode(args[0])
			if err != nil {
				return err
			}
			return g.edit(cmd, func(f *edit.Folder) (edit.Change, error) { return edit.RemoveNode(f, cluster, node) })
		},
	}
}

// completeNames completes the first argument from the names of the --env
// environment's folder that pick returns; without exactly one --env, or
// with an unreadable folder, it offers nothing.
func (g *globalOptions) completeNames(pick func(workloadClusters, nodes []string) []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		// Completion parses the flags twice, so --env holds its value twice.
		envs := slices.Compact(slices.Sorted(slices.Values(g.envs)))
		if len(args) > 0 || len(envs) != 1 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		folder, err := edit.ReadFolder(filepath.Join(g.inventoryDir, envs[0]))
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []cobra.Completion
		for _, n := range pick(edit.Names(folder)) {
			if strings.HasPrefix(n, prefix) {
				names = append(names, n)
			}
		}
		directive := cobra.ShellCompDirectiveNoFileComp
		if len(names) > 0 && strings.HasSuffix(names[0], "/") {
			directive |= cobra.ShellCompDirectiveNoSpace
		}
		return names, directive
	}
}

// edit runs one edit of the --env environment's folder: it validates the
// result from an overlay and writes the one changed file only when the
// inventory stays valid (and, with --strict, free of warnings).
func (g *globalOptions) edit(cmd *cobra.Command, change func(*edit.Folder) (edit.Change, error)) error {
	if len(g.envs) != 1 {
		return errors.New("name the environment to edit with exactly one --env")
	}
	dir := action.Relative(g.inventoryDir)
	folder, err := g.readFolder(dir, g.envs[0])
	if err != nil {
		return err
	}
	c, err := change(folder)
	if err != nil {
		return g.editError(cmd, folder, err)
	}
	inv, files, diags := inventory.LoadWith(dir, inventory.LoadOptions{Only: g.envs, Overlay: map[string][]byte{c.Path: c.Data}})
	if g.strict {
		diags = action.PromoteWarnings(diags)
		if diags.HasErrors() {
			inv = nil
		}
	}
	writeDiagnostics(cmd.ErrOrStderr(), files, diags)
	refused := fmt.Errorf("%s not changed: the edited inventory is not valid", c.Path)
	if inv == nil {
		return refused
	}
	if _, err := g.config(cmd).Render(inv, files); err != nil {
		if errors.Is(err, action.ErrReported) {
			return refused
		}
		return fmt.Errorf("%s not changed: %w", c.Path, err)
	}
	if err := writeThrough(c.Path, c.Data, c.Mode); err != nil {
		return err
	}
	created := ""
	if c.Created {
		created = " (new file)"
	}
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "%s: %s%s\n", c.Path, c.Summary, created)
	fmt.Fprintf(w, "Next: run fleetgen render, then commit %s and %s/.\n", filepath.ToSlash(c.Path), filepath.ToSlash(g.outDir))
	return nil
}

// writeThrough writes an inventory file atomically; when the file is a
// symbolic link, the file it points to is replaced and the link kept.
func writeThrough(path string, data []byte, mode fs.FileMode) error {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	return atomicfile.WriteFile(path, data, mode)
}

// editError prints a syntax error of the folder as diagnostics, or returns
// the edit's refusal.
func (g *globalOptions) editError(cmd *cobra.Command, folder *edit.Folder, err error) error {
	var syntax *edit.SyntaxError
	if !errors.As(err, &syntax) {
		return err
	}
	files := inventory.Files{}
	for path, src := range syntax.Sources {
		files[path] = &hcl.File{Bytes: src}
	}
	writeDiagnostics(cmd.ErrOrStderr(), files, syntax.Diags)
	return fmt.Errorf("%s not changed: fix the errors above first", folder.Dir)
}

// readFolder reads an existing environment folder, or says which one the
// operator probably meant.
func (g *globalOptions) readFolder(dir, env string) (*edit.Folder, error) {
	path := filepath.Join(dir, env)
	if info, err := os.Stat(path); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("unknown environment %q: there is no folder %s.%s", env, path, suggest.DidYouMean(env, environmentNames(dir)))
	}
	return edit.ReadFolder(path)
}

func environmentNames(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	return names
}

// parseLabels reads name=value flags.
func parseLabels(flags []string) (map[string]string, error) {
	labels := map[string]string{}
	for _, l := range flags {
		name, value, ok := strings.Cut(l, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--label %q: want name=value", l)
		}
		if _, dup := labels[name]; dup {
			return nil, fmt.Errorf("--label %q: the label %q is given twice", l, name)
		}
		labels[name] = value
	}
	return labels, nil
}

// splitNode reads <cluster>/<node>.
func splitNode(arg string) (cluster, node string, err error) {
	cluster, node, ok := strings.Cut(arg, "/")
	if !ok || cluster == "" || node == "" || strings.Contains(node, "/") {
		return "", "", fmt.Errorf("%q: want <cluster>/<node>, such as acme/app9", arg)
	}
	return cluster, node, nil
}

// keyFlag is a key given as text or read from a .pub file. A private key
// is refused without being echoed: it must never reach the inventory.
func keyFlag(name, text, file string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("--%s-file: %w", name, err)
		}
		text = string(b)
		if strings.Contains(text, "PRIVATE KEY") {
			return "", fmt.Errorf("--%s-file %s holds a private key; give the public key (the .pub file)", name, file)
		}
	}
	return strings.TrimSpace(text), nil
}
