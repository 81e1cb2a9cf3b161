package ha

import (
	"cmp"
	"encoding/json"
	"fmt"
	"path"
	"slices"

	"github.com/hashicorp/hcl/v2"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/layout"
	"github.com/mattermost/fleetgen/templates"
)

// Render renders the files of HA cluster c of env (layout.HACluster): a
// README for the operators, the cluster's known_hosts (every node's own
// host key, for the machine that applies the nodes over SSH, and the node
// names in ordinal order; ReadKnownHosts reads it back) and, per node, a
// folder laid out as the node's disk plus the apply.sh that installs it.
// The files come back sorted by path.
//
// Validation refuses every mistake of the inventory that would make a
// rendered file wrong, so Render reports none: an inventory it cannot
// render anyway is a bug of fleetgen and panics.
func Render(env *inventory.Environment, c *inventory.HACluster) ([]layout.File, hcl.Diagnostics) {
	files := renderCluster(newClusterView(env.Name, c))
	slices.SortFunc(files, func(a, b layout.File) int { return cmp.Compare(a.Path, b.Path) })
	return files, nil
}

// renderCluster renders the cluster README, the cluster's known_hosts and
// every node's folder.
func renderCluster(c *clusterView) []layout.File {
	files := []layout.File{
		{Path: layout.HAClusterReadme(c.Env, c.Name), Mode: layout.ModeFile, Data: execute(c.Name, "ha/README.md.tmpl", c)},
		{Path: layout.HAClusterKnownHosts(c.Env, c.Name), Mode: layout.ModeFile, Data: execute(c.Name, "ha/cluster_known_hosts.tmpl", c)},
	}
	for _, n := range c.Nodes {
		files = append(files, renderNode(n)...)
	}
	return files
}

// renderNode renders the files a node installs (n.Files) and the apply.sh
// that installs them.
func renderNode(n *nodeView) []layout.File {
	var files []layout.File
	for _, f := range n.Files {
		var data []byte
		if f.Template != "" {
			data = execute(n.Cluster.Name, f.Template, n)
		} else {
			data = clusterSettings(n)
		}
		files = append(files, layout.File{Path: layout.HANodeFile(n.Env, n.Cluster.Name, n.Name, f.Dest), Mode: f.OutMode, Data: data})
	}
	apply := execute(n.Cluster.Name, "ha/apply.sh.tmpl", n)
	return append(files, layout.File{Path: path.Join(n.Dir, layout.HAApply), Mode: layout.ModeScript, Data: apply})
}

// execute runs an HA template. The templates refuse a value that would
// escape its place (a control character, a quote in an authorized_keys
// option); validation refuses every such value first, so an error here is
// our bug.
func execute(cluster, name string, data any) []byte {
	b, err := templates.Execute(name, data)
	if err != nil {
		panic(fmt.Sprintf("ha: cluster %q: %s: %v (validation let the value through)", cluster, name, err))
	}
	return b
}

// clusterSettings is the node's ClusterSettings as an `mmctl config patch`
// document. A map keeps the keys sorted (encoding/json sorts map keys) and
// lets each key exist only for the versions that have it.
func clusterSettings(n *nodeView) []byte {
	c := n.Cluster
	s := map[string]any{
		"Enable":           true,
		"ClusterName":      c.ClusterName,
		"OverrideHostname": n.Name,
		"UseIPAddress":     true,
		"AdvertiseAddress": n.Address,
		"GossipPort":       c.GossipPort,
	}
	if c.UsesStreamingPort {
		s["StreamingPort"] = c.StreamingPort
	}
	if c.HasGossipSettings {
		s["EnableGossipCompression"] = c.GossipCompression
	}
	if c.GossipEncryptionKey != "" {
		s[c.GossipEncryptionKey] = c.GossipEncryption
	}
	b, err := json.MarshalIndent(map[string]any{"ClusterSettings": s}, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("ha: cluster-settings.json: %v", err)) // strings, numbers and booleans: cannot happen
	}
	return append(b, '\n')
}
