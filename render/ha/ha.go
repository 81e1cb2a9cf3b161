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

// renderCluster renders the cluster README, the cluster's known_hosts,
// the cluster-wide ClusterSettings and every node's folder.
func renderCluster(c *clusterView) []layout.File {
	files := []layout.File{
		{Path: layout.HAClusterReadme(c.Env, c.Name), Mode: layout.ModeFile, Data: execute(c.Name, "ha/README.md.tmpl", c)},
		{Path: layout.HAClusterKnownHosts(c.Env, c.Name), Mode: layout.ModeFile, Data: execute(c.Name, "ha/cluster_known_hosts.tmpl", c)},
		{Path: path.Join(c.Dir, SettingsFile), Mode: layout.ModeFile, Data: settingsPatch(c)},
		{Path: path.Join(c.Dir, FactsFile), Mode: layout.ModeFile, Data: facts(c)},
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
		files = append(files, layout.File{Path: layout.HANodeFile(n.Env, n.Cluster.Name, n.Name, f.Dest), Mode: f.OutMode, Data: execute(n.Cluster.Name, f.Template, n)})
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

// SettingsFile is the cluster's ClusterSettings as an `mmctl config
// patch` document, applied once for the whole cluster; FactsFile is what
// fleetgen's own readers (explain, affected) need to know about the
// cluster, as JSON.
const (
	SettingsFile = "cluster-settings.json"
	FactsFile    = "cluster.json"
)

// settingsPatch is the cluster-wide ClusterSettings as an `mmctl config
// patch` document. A map keeps the keys sorted (encoding/json sorts map
// keys).
func settingsPatch(c *clusterView) []byte {
	s := map[string]any{}
	for _, st := range c.Settings {
		s[st.Key] = st.JSON
	}
	return marshal(map[string]any{"ClusterSettings": s})
}

// Facts is what cluster.json says about an HA cluster.
type Facts struct {
	MattermostVersion string `json:"mattermost_version"`
	SSHTunnels        bool   `json:"ssh_tunnels"`
	// ClusterSettings are the cluster-wide settings (cluster-settings.json).
	ClusterSettings map[string]any `json:"cluster_settings"`
	// FullStop are the ClusterSettings keys, and "ssh_tunnels", whose
	// change needs every node stopped: nodes that disagree on them cannot
	// talk to each other.
	FullStop []string `json:"full_stop"`
}

func facts(c *clusterView) []byte {
	f := Facts{MattermostVersion: c.Version, SSHTunnels: c.SSHTunnels, ClusterSettings: map[string]any{},
		FullStop: append(slices.Clone(c.FullStop), "ssh_tunnels")}
	for _, st := range c.Settings {
		f.ClusterSettings[st.Key] = st.JSON
	}
	return marshal(f)
}

// ReadFacts reads a cluster.json.
func ReadFacts(data []byte) (*Facts, error) {
	var f Facts
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("cluster.json: %w", err)
	}
	return &f, nil
}

func marshal(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("ha: %v", err)) // strings, numbers and booleans: cannot happen
	}
	return append(b, '\n')
}
