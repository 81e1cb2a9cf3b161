package render

import (
	"cmp"
	"encoding/json"
	"fmt"
	"path"
	"slices"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/templates"
)

// HA renders the files of every HA cluster of env under
// <env>/ha/<cluster>/: a README for the operators and, per node, a folder
// laid out as the node's disk plus the apply.sh that installs it. The files
// come back sorted by path.
func HA(env *inventory.Environment) ([]File, error) {
	var files []File
	for _, c := range env.HAClusters {
		fs, err := haCluster(env, c)
		if err != nil {
			return nil, err
		}
		files = append(files, fs...)
	}
	slices.SortFunc(files, func(a, b File) int { return cmp.Compare(a.Path, b.Path) })
	return files, nil
}

// haCluster renders the files of one HA cluster of env: HA's share of
// work that RenderWith runs as a job of its own.
func haCluster(env *inventory.Environment, c *inventory.HACluster) ([]File, error) {
	view, err := newHAClusterView(env.Name, c)
	if err == nil {
		var files []File
		if files, err = renderHACluster(view); err == nil {
			return files, nil
		}
	}
	return nil, fmt.Errorf("ha_cluster %q: %w", c.Name, err)
}

// renderHACluster renders the cluster README, the cluster's known_hosts
// (every node's own host key, for the machine that applies the nodes over
// SSH, and the node names in ordinal order for `fleetgen affected`) and
// every node's folder.
func renderHACluster(c *haClusterView) ([]File, error) {
	readme, err := templates.Execute("ha/README.md.tmpl", c)
	if err != nil {
		return nil, err
	}
	knownHosts, err := templates.Execute("ha/cluster_known_hosts.tmpl", c)
	if err != nil {
		return nil, err
	}
	files := []File{
		{Path: c.Dir + "/README.md", Mode: ModeFile, Data: readme},
		{Path: c.Dir + "/" + HAKnownHosts, Mode: ModeFile, Data: knownHosts},
	}
	for _, n := range c.Nodes {
		fs, err := renderHANode(n)
		if err != nil {
			return nil, fmt.Errorf("node %q: %w", n.Name, err)
		}
		files = append(files, fs...)
	}
	return files, nil
}

// renderHANode renders the files a node installs (n.Files) and the apply.sh
// that installs them.
func renderHANode(n *haNodeView) ([]File, error) {
	var files []File
	for _, f := range n.Files {
		var data []byte
		var err error
		if f.Template != "" {
			data, err = templates.Execute(f.Template, n)
		} else {
			data, err = haClusterSettings(n)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Src, err)
		}
		files = append(files, File{Path: n.Dir + "/" + f.Src, Mode: f.OutMode, Data: data})
	}
	apply, err := templates.Execute("ha/apply.sh.tmpl", n)
	if err != nil {
		return nil, fmt.Errorf("apply.sh: %w", err)
	}
	return append(files, File{Path: n.Dir + "/apply.sh", Mode: ModeScript, Data: apply}), nil
}

// haClusterSettings is the node's ClusterSettings as an `mmctl config patch`
// document. A map keeps the keys sorted (encoding/json sorts map keys) and
// lets each key exist only for the versions that have it.
func haClusterSettings(n *haNodeView) ([]byte, error) {
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
		return nil, err
	}
	return append(b, '\n'), nil
}

// nodePath turns an absolute path on the node into its place in the node
// folder: the folder mirrors the node's disk.
func nodePath(abs string) string { return path.Clean(abs)[1:] }
