package explain

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/mattermost/fleetgen/render/ha"
	"github.com/mattermost/fleetgen/render/layout"
)

// haFacts is what the HA renderer says about a cluster besides its
// nodes: its Mattermost version and whether SSH tunnels carry its
// traffic, read from its cluster.json (ha.ReadFacts). Everything about its
// nodes comes from the cluster's known_hosts.
type haFacts struct {
	version string
	tunnels bool
}

// parseFacts reads a cluster.json.
func parseFacts(data []byte) (*haFacts, bool) {
	f, err := ha.ReadFacts(data)
	if err != nil || f.MattermostVersion == "" {
		return nil, false
	}
	return &haFacts{version: f.MattermostVersion, tunnels: f.SSHTunnels}, true
}

// haMembers are the nodes of a cluster as its known_hosts lists them.
type haMembers struct {
	nodes map[string]string // name -> address
	order []string          // names in ordinal order
}

// readMembers reads the nodes of a cluster's known_hosts (ha.ReadKnownHosts,
// the reader of what the HA renderer writes).
func readMembers(data []byte) (*haMembers, bool) {
	known, err := ha.ReadKnownHosts(data)
	if err != nil || len(known) == 0 {
		return nil, false
	}
	m := &haMembers{nodes: map[string]string{}}
	for _, k := range known {
		m.nodes[k.Name] = k.Address
		m.order = append(m.order, k.Name)
	}
	return m, true
}

// hostKeys reads a cluster's known_hosts: node name -> pinned host key.
// A file that does not read has no keys to compare.
func hostKeys(data []byte) map[string]string {
	keys := map[string]string{}
	nodes, _ := ha.ReadKnownHosts(data)
	for _, n := range nodes {
		if n.Pinned() {
			keys[n.Name] = n.HostKey
		}
	}
	return keys
}

// tunnelFile reports whether a file of a node's folder is part of its
// firewall or its SSH tunnels.
func tunnelFile(rel string) bool {
	if strings.HasSuffix(rel, "/"+ownSettingsFile) {
		return false // the node's own settings: its address, not its tunnels
	}
	return rel == "etc/ufw/after.rules" || strings.HasPrefix(rel, "etc/ssh/") || strings.HasPrefix(rel, "etc/systemd/system/") ||
		strings.HasPrefix(rel, "etc/fleetgen/") || strings.HasPrefix(rel, "usr/local/lib/fleetgen/") ||
		strings.HasSuffix(rel, "/bin/tunnel.sh") || strings.HasSuffix(rel, "/bin/pre_start.sh") || strings.HasSuffix(rel, "/.ssh/known_hosts")
}

// ha explains each changed HA cluster.
func (a *analysis) ha() {
	clusters := map[string][]*Change{}
	for _, c := range a.under("ha") {
		if loc := layout.Locate(c.Path); loc.Cluster != "" {
			clusters[loc.Cluster] = append(clusters[loc.Cluster], c)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(clusters)) {
		a.haCluster(name, clusters[name])
	}
}

func (a *analysis) haCluster(name string, cs []*Change) {
	dir := "ha/" + name + "/"
	all := make([]string, 0, len(cs))
	for _, c := range cs {
		all = append(all, c.Path)
	}
	var old, cur *haFacts
	var oldNodes, curNodes *haMembers
	if kh := a.change(dir + layout.HAKnownHosts); kh != nil {
		if kh.OldExists {
			oldNodes, _ = readMembers(kh.Old)
		}
		if kh.NewExists {
			curNodes, _ = readMembers(kh.New)
		}
	}
	// The README's presence says whether the cluster is new or gone; what
	// it is comes from cluster.json, never from the README's prose.
	readme := a.change(dir + "README.md")
	factsFile := a.change(dir + ha.FactsFile)
	if factsFile != nil {
		if factsFile.OldExists {
			old, _ = parseFacts(factsFile.Old)
		}
		if factsFile.NewExists {
			cur, _ = parseFacts(factsFile.New)
		}
	}
	if readme != nil {
		switch {
		case !readme.OldExists && cur != nil && curNodes != nil:
			a.say(KindHA, false, nil, "HA %s: new cluster of %s (%s), Mattermost %s", name, count(len(curNodes.order), "node"), strings.Join(curNodes.order, ", "), cur.version)
			a.explain(all...)
			return
		case !readme.NewExists:
			a.say(KindHA, true, nil, "HA %s: cluster removed → its nodes keep their files and tunnels: stop Mattermost on them and clean them up by hand", name)
			a.explain(all...)
			return
		}
	}
	// Which nodes changed, and how.
	byNode := map[string][]*Change{}
	for _, c := range cs {
		if loc := layout.Locate(c.Path); loc.Node != "" {
			byNode[loc.Node] = append(byNode[loc.Node], c)
		}
	}
	added, removed := map[string]bool{}, map[string]bool{}
	addresses := map[string]string{}
	if oldNodes != nil && curNodes != nil {
		for n, addr := range curNodes.nodes {
			addresses[n] = addr
			if _, ok := oldNodes.nodes[n]; !ok {
				added[n] = true
			}
		}
		for n := range oldNodes.nodes {
			if _, ok := curNodes.nodes[n]; !ok {
				removed[n] = true
			}
		}
	} else {
		for n, files := range byNode { // no known_hosts to read: a node all of whose files appear or go
			if !slices.ContainsFunc(files, func(c *Change) bool { return c.OldExists }) {
				added[n] = true
			}
			if !slices.ContainsFunc(files, func(c *Change) bool { return c.NewExists }) {
				removed[n] = true
			}
		}
	}
	var members []string
	for _, n := range slices.Sorted(maps.Keys(added)) {
		if addr := addresses[n]; addr != "" {
			members = append(members, fmt.Sprintf("node %s added (%s)", n, addr))
		} else {
			members = append(members, fmt.Sprintf("node %s added", n))
		}
		a.explain(pathsOfPtr(byNode[n])...)
	}
	if oldNodes != nil && curNodes != nil {
		for _, n := range curNodes.order {
			if o, ok := oldNodes.nodes[n]; ok && o != curNodes.nodes[n] {
				members = append(members, fmt.Sprintf("node %s address %s → %s", n, o, curNodes.nodes[n]))
				// apply.sh and the node's own ClusterSettings name its address.
				a.explain(a.rel(dir + n + "/apply.sh"))
				for _, c := range byNode[n] {
					if strings.HasSuffix(c.Path, "/"+ownSettingsFile) {
						a.explain(c.Path)
					}
				}
			}
		}
	}
	if kh := a.change(dir + layout.HAKnownHosts); kh != nil && kh.OldExists && kh.NewExists {
		o, n := hostKeys(kh.Old), hostKeys(kh.New)
		for _, node := range slices.Sorted(maps.Keys(n)) {
			if k, ok := o[node]; ok && k != n[node] {
				members = append(members, fmt.Sprintf("host key of %s changes", node))
			}
		}
		if len(members) > 0 || len(removed) > 0 {
			a.explain(kh.Path)
		}
	}
	// Nodes whose firewall or tunnel files change.
	var tunnelNodes, tunnelFiles []string
	for _, n := range slices.Sorted(maps.Keys(byNode)) {
		if removed[n] {
			continue
		}
		hit := false
		for _, c := range byNode[n] {
			rel := strings.TrimPrefix(c.Path, a.rel(dir+n+"/"))
			if tunnelFile(rel) {
				hit = true
				a.explain(c.Path)
				if base := rel[strings.LastIndex(rel, "/")+1:]; !slices.Contains(tunnelFiles, base) {
					tunnelFiles = append(tunnelFiles, base)
				}
			}
		}
		if hit {
			tunnelNodes = append(tunnelNodes, n)
		}
		// apply.sh lists the files it installs: it changes with them.
		if slices.ContainsFunc(byNode[n], func(c *Change) bool { return c.OldExists != c.NewExists }) {
			a.explain(a.rel(dir + n + "/apply.sh"))
		}
	}
	slices.Sort(tunnelFiles)
	consequence := ""
	if len(tunnelNodes) > 0 {
		consequence = fmt.Sprintf(" → %s' firewall and tunnels change", count(len(tunnelNodes), "node"))
		if len(tunnelNodes) == 1 {
			consequence = fmt.Sprintf(" → the firewall and tunnels of %s change", tunnelNodes[0])
		}
	}
	switch {
	case len(members) > 0:
		a.say(KindHA, false, nil, "HA %s: %s%s", name, strings.Join(members, ", "), consequence)
	case len(tunnelNodes) > 0:
		a.say(KindHA, false, nil, "HA %s: firewall and tunnels change on %s (%s)", name, count(len(tunnelNodes), "node"), list(tunnelFiles))
	}
	for _, n := range slices.Sorted(maps.Keys(removed)) {
		a.say(KindHA, true, nil, "HA %s: node %s removed → each other node cuts it off when applied (its established connections too, without restarting Mattermost); stop Mattermost on it afterwards", name, n)
		a.explain(pathsOfPtr(byNode[n])...)
	}
	if old != nil && cur != nil {
		if old.version != cur.version {
			a.say(KindHA, false, nil, "HA %s: Mattermost %s → %s", name, old.version, cur.version)
		}
		if old.tunnels != cur.tunnels {
			a.say(KindHA, true, nil, "HA %s: SSH tunnels turned %s → needs a full cluster stop (all nodes stopped, apply.sh without --restart on each, then started; see its README)", name, onOff(cur.tunnels))
		}
	}
	a.clusterSettings(name, len(members) > 0)
	if readme != nil {
		a.explain(readme.Path) // it describes the cluster: it changes with it
	}
	if factsFile != nil {
		a.explain(factsFile.Path)
	}
}

// ownSettingsFile is the drop-in holding a node's own ClusterSettings.
const ownSettingsFile = "fleetgen-cluster.conf"

// clusterSettings explains a change of the cluster-wide ClusterSettings
// (the cluster's cluster-settings.json), which every node must agree on.
func (a *analysis) clusterSettings(name string, membersChanged bool) {
	c := a.change("ha/" + name + "/" + ha.SettingsFile)
	if c == nil {
		return
	}
	var parts []string
	if c.OldExists && c.NewExists {
		o, ok1 := parseJSON(c.Old)
		n, ok2 := parseJSON(c.New)
		om, _ := dig(o, "ClusterSettings").(map[string]any)
		nm, _ := dig(n, "ClusterSettings").(map[string]any)
		if !ok1 || !ok2 || om == nil || nm == nil {
			return
		}
		keys := maps.Clone(om)
		maps.Copy(keys, nm)
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			if !reflect.DeepEqual(om[k], nm[k]) {
				parts = append(parts, describeSetting(k, om[k], nm[k]))
			}
		}
	}
	if len(parts) > 0 {
		a.say(KindHA, true, []string{c.Path}, "HA %s: %s → needs a full cluster stop (all nodes stopped, then started)", name, strings.Join(parts, ", "))
	}
	if len(parts) > 0 || membersChanged || !c.OldExists {
		a.explain(c.Path)
	}
}

// describeSetting says how one ClusterSettings value changed.
func describeSetting(k string, o, n any) string {
	ob, oIsBool := o.(bool)
	nb, nIsBool := n.(bool)
	words := map[string]string{
		"EnableGossipEncryption":             "gossip encryption",
		"EnableExperimentalGossipEncryption": "gossip encryption (experimental name)",
		"EnableGossipCompression":            "gossip compression",
		"Enable":                             "clustering",
		"UseIPAddress":                       "UseIPAddress",
		"GossipPort":                         "gossip port",
		"StreamingPort":                      "streaming port",
		"ClusterName":                        "cluster name",
	}
	w, ok := words[k]
	if !ok {
		w = "ClusterSettings." + k
	}
	switch {
	case oIsBool && nIsBool && ob != nb:
		return w + " turned " + onOff(nb)
	case o == nil:
		return fmt.Sprintf("%s set to %v", w, n)
	case n == nil:
		return fmt.Sprintf("%s no longer set (was %v)", w, o)
	default:
		return fmt.Sprintf("%s %v → %v", w, o, n)
	}
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

func pathsOfPtr(cs []*Change) []string {
	ps := make([]string, 0, len(cs))
	for _, c := range cs {
		ps = append(ps, c.Path)
	}
	return ps
}
