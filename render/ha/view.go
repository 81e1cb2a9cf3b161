package ha

import (
	"cmp"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/layout"
	"github.com/mattermost/fleetgen/templates"
)

// The view model of the HA templates: plain values with every port, path
// and address precomputed, so templates only lay text out.

// clusterView is one HA cluster as its README and node files need it.
type clusterView struct {
	Env         string // environment name, for the header
	Name        string // ha_cluster label
	Dir         string // layout.HACluster, relative to out/
	ClusterName string // ClusterSettings.ClusterName
	Version     string

	SSHTunnels           bool
	GossipEncryption     bool
	GossipCompression    bool
	GossipEncryptionKey  string // ClusterSettings key; "" when the version has none
	GossipCompressionKey string // ClusterSettings key; "" when the version has none
	UsesStreamingPort    bool
	// Settings are the cluster-wide ClusterSettings, set once for the
	// whole cluster (README, cluster-settings.json), sorted by key.
	Settings []setting
	// FullStop are the settings nodes must agree on to talk to each
	// other at all: changing one needs every node stopped.
	FullStop []string
	// HealthURL is what the health gate asks Mattermost on each node.
	HealthURL string
	// HealthTimeout is how long, in seconds, apply.sh --restart waits by
	// default for a node to be healthy before it fails.
	HealthTimeout int

	SSHPort       int
	GossipPort    int
	StreamingPort int
	Ports         []clusterPort // the ports a tunnel carries, gossip first
	TunnelPorts   string        // layout of local ports: "ordinal" or "doc"
	// Supervised: one systemd unit per peer keeps its tunnel open
	// (tunnel_supervision = "systemd"); otherwise pre_start.sh opens the
	// tunnels once, as the published recipe does.
	Supervised bool
	// SSHArgs are the options of every tunnel's ssh, values included, one
	// option and its value per entry so the scripts list them readably.
	SSHArgs [][]string
	// TunnelWait is how long pre_start.sh waits for the supervised
	// tunnels before it lets Mattermost start without the missing ones.
	TunnelWait int

	TunnelUser  string
	ServiceUser string
	ServiceName string
	Paths       nodePaths

	Nodes []*nodeView
}

// clusterPort is one port Mattermost nodes talk to each other on.
type clusterPort struct {
	Name string // "gossip" or "streaming"
	Port int
}

// nodePaths are absolute paths on a node.
type nodePaths struct {
	InstallDir     string // Mattermost's; fleetgen installs nothing under it
	LibDir         string // fleetgen's scripts on the node
	PreStart       string
	Health         string // the health gate, run by apply.sh and the roll
	Peers          string // the peers the node's files were installed for
	PeersSrc       string // Peers in the node folder
	ClusterDropIn  string // the node's own ClusterSettings, as MM_ environment variables
	Home           string // tunnel user's home
	SSHDir         string
	AuthorizedKeys string // root-owned, named by the sshd drop-in
	LegacyKeys     string // ~/.ssh/authorized_keys, where earlier fleetgen versions put the keys
	SSHDDropIn     string // makes sshd read AuthorizedKeys for the tunnel user
	KnownHosts     string
	Identity       string // private key the tunnels authenticate with
	AfterRules     string
	DropIn         string
	TunnelScript   string // supervised: runs and reconnects one peer's tunnel
	TunnelUnit     string // supervised: template unit, one instance per peer
}

// nodeView is one node and everything its files say about its peers.
type nodeView struct {
	Cluster *clusterView
	Env     string
	Name    string
	Address string
	Ordinal int
	Dir     string // layout.HANode, relative to out/
	// KnownHost and HostKey are the node's own known_hosts line, for the
	// cluster's known_hosts: host pattern, and the host_key's type and
	// base64 body ("" when the inventory gives no host_key).
	KnownHost string
	HostKey   string

	Peers      []*peerView // in ordinal order
	Allows     []allowRule // ufw ACCEPT rules, in peer order
	PermitOpen []string    // "<own address>:<port>" peers may forward to
	Files      []nodeFile  // what apply.sh installs, sorted by Src
	// OwnSettings are the node's own ClusterSettings, installed as
	// Mattermost's environment variables (MM_CLUSTERSETTINGS_<KEY>), which
	// override the stored configuration; sorted by key.
	OwnSettings []setting
	// Guarded are the node's cluster ports, by protocol: only peers may
	// send to them or receive from them, whatever the connection state.
	Guarded []guardedPort
	SSHDirs []nodeFile // directories apply.sh enforces mode and owner of
}

// peerView is a peer of a node: where to reach it and which of its ports
// the node forwards through its tunnel.
type peerView struct {
	Name          string
	Address       string
	Ordinal       int
	HostKey       string
	TunnelKey     string
	KnownHost     string // known_hosts host pattern: address, or [address]:port
	ControlSocket string // ssh control socket of the tunnel to this peer
	Unit          string // supervised: systemd unit of the tunnel to this peer
	LocalPorts    string // the forwards' local ports, space separated
	Forwards      []forward
}

// forward is one SSH local forward and its DNAT redirect.
type forward struct {
	Name   string // port name: "gossip" or "streaming"
	Local  int    // port on the node's loopback
	Remote int    // port on the peer
	Spec   string // ssh -L argument
}

// allowRule is one ufw ACCEPT rule for traffic from a peer.
type allowRule struct {
	Peer    string
	Address string
	Proto   string
	Port    int
	What    string
}

// nodeFile is one file a node folder holds and apply.sh installs.
type nodeFile struct {
	Src      string      // path in the node folder
	Dest     string      // absolute path on the node
	OutMode  fs.FileMode // mode in out/
	Mode     string      // mode on the node, as `stat -c %a` prints it
	Owner    string      // owner on the node; group is the owner's login group
	Effect   string      // what a change needs: see Effects
	Template string      // templates/ name
}

// setting is one ClusterSettings value.
type setting struct {
	Key   string // ClusterSettings key, such as GossipPort
	Env   string // its environment variable, MM_CLUSTERSETTINGS_<KEY>
	Value string // as Mattermost parses it from the environment
	JSON  any    // as config.json holds it
}

// guardedPort is a cluster port the peer-only chains guard.
type guardedPort struct {
	Proto string
	Port  int
	What  string
}

// What a change of a node file needs, named in apply.sh's file list and
// read back by ReadNodeFiles (package affected).
const (
	EffectNone         = "none"          // read on use: nothing to do
	EffectUFW          = "ufw"           // ufw reload
	EffectSSHD         = "sshd"          // sshd -t, then reload
	EffectDaemonReload = "daemon-reload" // systemctl daemon-reload
	EffectPeers        = "peers"         // the peer set changed: revoke removed peers, start and stop tunnel units
	EffectTunnels      = "tunnels"       // restart the tunnel units
	EffectRestart      = "restart"       // daemon-reload, then restart Mattermost
)

// keysDir holds the tunnel user's authorized_keys, outside its home and
// owned by root: the tunnel user is usually the Mattermost service user,
// and a file it owns would let a compromised Mattermost loosen its own
// keys' restrictions.
const keysDir = "/etc/ssh/fleetgen"

// Where a tunnel's private key lives; the README tells operators to create it there.
const identityName = "fleetgen_tunnel"

// The health gate's defaults: Mattermost's own health endpoint on the
// node, and two minutes, enough for a node to start and join.
const (
	healthURL     = "http://127.0.0.1:8065/api/v4/system/ping"
	healthTimeout = 120
)

// The supervised tunnels' template unit; its instance is the peer's name.
const tunnelUnitPrefix = "fleetgen-tunnel@"

// tunnelWait bounds, in seconds, how long pre_start.sh waits for the
// supervised tunnels: ssh connects in well under a second, and a peer that
// is down must not hold Mattermost's start (TimeoutStartSec is 90 s).
const tunnelWait = 15

// sun_path holds 108 bytes with its NUL, and ssh first binds the control
// socket at its path plus a 17-byte random suffix.
const maxControlSocketPath = 107 - 17

// newClusterView precomputes the view of cluster c of environment env.
// Every name, path and address it uses was checked by validation (package
// inventory), the one place the rules of the rendered files live.
func newClusterView(env string, c *inventory.HACluster) *clusterView {
	checkControlSockets(c)
	home := path.Clean(c.TunnelUserHome)
	libDir, etcDir := path.Join("/usr/local/lib/fleetgen", c.Name), path.Join("/etc/fleetgen", c.Name)
	sshDir := path.Join(home, ".ssh")
	dropInDir := path.Join("/etc/systemd/system", c.ServiceName+".service.d")
	v := &clusterView{
		Env:                  env,
		Name:                 c.Name,
		Dir:                  layout.HACluster(env, c.Name),
		ClusterName:          c.ClusterName,
		Version:              c.Version.String(),
		SSHTunnels:           c.SSHTunnels,
		GossipEncryption:     c.GossipEncryption,
		GossipCompression:    c.GossipCompression,
		GossipEncryptionKey:  c.Version.GossipEncryptionKey(),
		GossipCompressionKey: c.Version.GossipCompressionKey(),
		UsesStreamingPort:    c.Version.UsesStreamingPort(),
		SSHPort:              c.SSHPort,
		GossipPort:           c.GossipPort,
		StreamingPort:        c.StreamingPort,
		TunnelPorts:          c.TunnelPorts,
		TunnelUser:           c.TunnelUser,
		ServiceUser:          c.ServiceUser,
		ServiceName:          c.ServiceName,
		Paths: nodePaths{
			InstallDir:     path.Clean(c.InstallDir),
			LibDir:         libDir,
			PreStart:       path.Join(libDir, "pre_start.sh"),
			Health:         path.Join(libDir, "health.sh"),
			Peers:          path.Join(etcDir, "peers"),
			PeersSrc:       layout.NodePath(path.Join(etcDir, "peers")),
			ClusterDropIn:  path.Join(dropInDir, "fleetgen-cluster.conf"),
			Home:           home,
			SSHDir:         sshDir,
			AuthorizedKeys: path.Join(keysDir, c.TunnelUser+".authorized_keys"),
			LegacyKeys:     path.Join(sshDir, "authorized_keys"),
			SSHDDropIn:     "/etc/ssh/sshd_config.d/fleetgen-tunnel.conf",
			KnownHosts:     path.Join(sshDir, "known_hosts"),
			Identity:       path.Join(sshDir, identityName),
			AfterRules:     "/etc/ufw/after.rules",
			DropIn:         path.Join(dropInDir, "fleetgen-tunnels.conf"),
			TunnelScript:   path.Join(libDir, "tunnel.sh"),
			TunnelUnit:     path.Join("/etc/systemd/system", tunnelUnitPrefix+".service"),
		},
		Supervised:    c.TunnelSupervision == inventory.SupervisionSystemd,
		TunnelWait:    tunnelWait,
		HealthURL:     healthURL,
		HealthTimeout: healthTimeout,
	}
	v.Settings, v.FullStop = clusterSettings(c)
	v.SSHArgs = sshArgs(v)
	for _, p := range c.ForwardedPorts() {
		v.Ports = append(v.Ports, clusterPort{Name: portName(c, p), Port: p})
	}
	for _, n := range c.Nodes {
		v.Nodes = append(v.Nodes, newNodeView(v, c, n))
	}
	checkLines(v)
	return v
}

// portName names a forwarded port of cluster c.
func portName(c *inventory.HACluster, port int) string {
	if port == c.GossipPort {
		return "gossip"
	}
	return "streaming"
}

func newNodeView(c *clusterView, ic *inventory.HACluster, n *inventory.Node) *nodeView {
	v := &nodeView{
		Cluster: c,
		Env:     c.Env,
		Name:    n.Name,
		Address: n.Address,
		Ordinal: n.Ordinal,
		Dir:     layout.HANode(c.Env, c.Name, n.Name),

		KnownHost: knownHost(n.Address, c.SSHPort),
		HostKey:   strings.Join(firstN(strings.Fields(n.HostKey), 2), " "),
	}
	byPeer := map[*inventory.Node]*peerView{}
	for _, p := range ic.Peers(n) {
		pv := &peerView{
			Name:          p.Name,
			Address:       p.Address,
			Ordinal:       p.Ordinal,
			HostKey:       p.HostKey,
			TunnelKey:     p.TunnelKey,
			KnownHost:     knownHost(p.Address, c.SSHPort),
			ControlSocket: controlSocket(c.Paths.SSHDir, p.Ordinal),
			Unit:          tunnelUnitPrefix + p.Name + ".service",
		}
		byPeer[p] = pv
		v.Peers = append(v.Peers, pv)
		v.Allows = append(v.Allows, peerAllows(c, p)...)
	}
	for _, t := range ic.Tunnels(n) {
		pv := byPeer[t.Peer]
		pv.Forwards = append(pv.Forwards, forward{
			Name:   portName(ic, t.RemotePort),
			Local:  t.LocalPort,
			Remote: t.RemotePort,
			Spec:   fmt.Sprintf("127.0.0.1:%d:%s:%d", t.LocalPort, t.Peer.Address, t.RemotePort),
		})
		pv.LocalPorts = strings.TrimSpace(pv.LocalPorts + " " + strconv.Itoa(t.LocalPort))
	}
	for _, p := range c.Ports {
		v.PermitOpen = append(v.PermitOpen, n.Address+":"+strconv.Itoa(p.Port))
	}
	v.Files, v.SSHDirs = nodeFiles(c)
	v.OwnSettings = []setting{
		newSetting("AdvertiseAddress", n.Address),
		newSetting("OverrideHostname", n.Name),
	}
	v.Guarded = []guardedPort{{"tcp", c.GossipPort, "gossip"}, {"udp", c.GossipPort, "gossip"}}
	if c.UsesStreamingPort {
		v.Guarded = append(v.Guarded, guardedPort{"tcp", c.StreamingPort, "streaming"})
	}
	return v
}

// clusterSettings are the cluster-wide ClusterSettings of cluster c,
// under the names its version has, and those of them a rolling change
// would split the cluster on.
func clusterSettings(c *inventory.HACluster) (all []setting, fullStop []string) {
	all = []setting{
		newSetting("Enable", true),
		newSetting("ClusterName", c.ClusterName),
		// Peers are found by the address each node advertises (its own,
		// which the DNAT rules catch), not by a hostname.
		newSetting("UseIPAddress", true),
		newSetting("GossipPort", c.GossipPort),
	}
	fullStop = []string{"Enable", "ClusterName", "GossipPort"}
	if c.Version.UsesStreamingPort() {
		all = append(all, newSetting("StreamingPort", c.StreamingPort))
		fullStop = append(fullStop, "StreamingPort")
	}
	if k := c.Version.GossipEncryptionKey(); k != "" {
		all = append(all, newSetting(k, c.GossipEncryption))
		fullStop = append(fullStop, k)
	}
	if k := c.Version.GossipCompressionKey(); k != "" {
		all = append(all, newSetting(k, c.GossipCompression))
		fullStop = append(fullStop, k)
	}
	slices.SortFunc(all, func(a, b setting) int { return cmp.Compare(a.Key, b.Key) })
	slices.Sort(fullStop)
	return all, fullStop
}

func newSetting(key string, value any) setting {
	return setting{Key: key, Env: "MM_CLUSTERSETTINGS_" + strings.ToUpper(key), Value: fmt.Sprint(value), JSON: value}
}

// peerAllows are the ufw rules that let peer p reach this node. Through
// tunnels only SSH and gossip's UDP (which ssh cannot forward) come in;
// without tunnels every cluster port does.
func peerAllows(c *clusterView, p *inventory.Node) []allowRule {
	allow := func(proto string, port int, what string) allowRule {
		return allowRule{Peer: p.Name, Address: p.Address, Proto: proto, Port: port, What: what}
	}
	if c.SSHTunnels {
		return []allowRule{allow("tcp", c.SSHPort, "ssh"), allow("udp", c.GossipPort, "gossip")}
	}
	as := []allowRule{allow("tcp", c.GossipPort, "gossip"), allow("udp", c.GossipPort, "gossip")}
	if c.UsesStreamingPort {
		as = append(as, allow("tcp", c.StreamingPort, "streaming"))
	}
	return as
}

// nodeFiles lists the files of a node folder (apply.sh aside) with their
// owner and mode on the node and what a change needs. after.rules is 0640
// because Debian ships it so. Everything lives outside Mattermost's
// install_dir, which an upgrade replaces.
//
// Only the node's own ClusterSettings restart Mattermost: a peer that
// comes or goes changes the firewall, the keys and the tunnel units,
// which apply.sh updates while Mattermost runs. The recipe's tunnels are
// opened by pre_start.sh, so there a new peer needs a restart.
func nodeFiles(c *clusterView) (files, dirs []nodeFile) {
	p := c.Paths
	file := func(dest string, out fs.FileMode, mode, owner, effect, tmpl string) nodeFile {
		return nodeFile{Src: layout.NodePath(dest), Dest: dest, OutMode: out, Mode: mode, Owner: owner, Effect: effect, Template: tmpl}
	}
	files = []nodeFile{
		file(p.AfterRules, layout.ModeFile, "640", "root", EffectUFW, "ha/after.rules.tmpl"),
		file(p.ClusterDropIn, layout.ModeFile, "644", "root", EffectRestart, "ha/fleetgen-cluster.conf.tmpl"),
		file(p.Peers, layout.ModeFile, "644", "root", EffectPeers, "ha/peers.tmpl"),
		file(p.Health, layout.ModeScript, "755", "root", EffectNone, "ha/health.sh.tmpl"),
	}
	dirs = []nodeFile{
		{Dest: "/etc/fleetgen", Mode: "755", Owner: "root"},
		{Dest: path.Dir(p.Peers), Mode: "755", Owner: "root"},
		{Dest: "/usr/local/lib/fleetgen", Mode: "755", Owner: "root"},
		{Dest: p.LibDir, Mode: "755", Owner: "root"},
	}
	if c.SSHTunnels {
		preStartEffect := EffectNone // read on the next start
		if !c.Supervised {
			preStartEffect = EffectRestart // it opens the tunnels
		}
		files = append(files,
			file(p.PreStart, layout.ModeScript, "755", "root", preStartEffect, preStartTemplate(c)),
			file(p.DropIn, layout.ModeFile, "644", "root", EffectDaemonReload, "ha/fleetgen-tunnels.conf.tmpl"),
			// sshd reads authorized_keys on every login, ssh known_hosts on every connection.
			file(p.AuthorizedKeys, layout.ModeFile, "644", "root", EffectNone, "ha/authorized_keys.tmpl"),
			file(p.SSHDDropIn, layout.ModeFile, "644", "root", EffectSSHD, "ha/sshd_config.tmpl"),
			file(p.KnownHosts, layout.ModeFile, "600", c.TunnelUser, EffectNone, "ha/known_hosts.tmpl"),
		)
		dirs = append(dirs,
			nodeFile{Dest: keysDir, Mode: "755", Owner: "root"},
			nodeFile{Dest: p.SSHDir, Mode: "700", Owner: c.TunnelUser},
		)
		if c.Supervised {
			files = append(files,
				file(p.TunnelScript, layout.ModeScript, "755", "root", EffectTunnels, "ha/tunnel.sh.tmpl"),
				file(p.TunnelUnit, layout.ModeFile, "644", "root", EffectTunnels, "ha/fleetgen-tunnel@.service.tmpl"),
			)
		}
	}
	slices.SortFunc(files, func(a, b nodeFile) int { return cmp.Compare(a.Src, b.Src) })
	return files, dirs
}

// preStartTemplate chooses pre_start.sh: waiting for the supervised
// tunnels, or opening them itself as the published recipe does.
func preStartTemplate(c *clusterView) string {
	if c.Supervised {
		return "ha/pre_start.sh.tmpl"
	}
	return "ha/pre_start_recipe.sh.tmpl"
}

// sshArgs are the options every tunnel's ssh runs with: no ssh_config
// file, the pinned host keys only (an unknown key is never accepted), a
// fixed identity, no prompt, failure when a forward cannot listen, and
// keepalives so a dead peer is noticed within 45 s.
func sshArgs(c *clusterView) [][]string {
	return [][]string{
		{"-F", "/dev/null"}, {"-N"},
		{"-o", "BatchMode=yes"},
		{"-o", "StrictHostKeyChecking=yes"},
		{"-o", "UserKnownHostsFile=" + c.Paths.KnownHosts},
		{"-o", "GlobalKnownHostsFile=/dev/null"},
		{"-o", "IdentitiesOnly=yes"}, {"-i", c.Paths.Identity},
		{"-o", "ExitOnForwardFailure=yes"},
		{"-o", "ServerAliveInterval=15"}, {"-o", "ServerAliveCountMax=3"},
		{"-o", "ConnectTimeout=10"},
		{"-p", strconv.Itoa(c.SSHPort)},
	}
}

// firstN is s without what follows its first n elements.
func firstN(s []string, n int) []string { return s[:min(n, len(s))] }

// knownHost is the known_hosts host pattern ssh looks a peer up by.
func knownHost(address string, port int) string {
	if port == 22 {
		return address
	}
	return fmt.Sprintf("[%s]:%d", address, port)
}

// controlSocket names the ssh control socket of the tunnel to a peer. It
// lets pre_start.sh find and stop exactly the tunnels it opened before.
func controlSocket(sshDir string, ordinal int) string {
	return path.Join(sshDir, fmt.Sprintf("fleetgen-tunnel-%d.ctl", ordinal))
}

// checkControlSockets panics when a control socket of the recipe's
// tunnels would not fit its path limit: validation refuses such a
// tunnel_user_home (inventory.ControlSocketRoom), so it cannot happen.
func checkControlSockets(c *inventory.HACluster) {
	if !c.SSHTunnels || c.TunnelSupervision != inventory.SupervisionRecipe {
		return
	}
	for _, n := range c.Nodes {
		if sock := controlSocket(path.Join(c.TunnelUserHome, ".ssh"), n.Ordinal); len(sock) > maxControlSocketPath {
			panic(fmt.Sprintf("ha: tunnel_user_home %q passed validation but the ssh control socket %q exceeds %d bytes", c.TunnelUserHome, sock, maxControlSocketPath))
		}
	}
}

// checkLines panics when a string of view v holds a control character.
// Every HA file is line-oriented (rules, authorized_keys, known_hosts,
// units, scripts), so such a value could add a line of its own to one.
// Validation refuses every such value first (package inventory); this is
// the renderer's own guard, run once per cluster rather than at each of
// the values' uses in the templates, which then print them as they are.
func checkLines(v *clusterView) {
	type step struct {
		field string // a struct field, or "" for an element
		index int
	}
	seen := map[uintptr]bool{}
	var at []step // the path walked, formatted only to say where a value failed
	var walk func(r reflect.Value)
	walk = func(r reflect.Value) {
		switch r.Kind() {
		case reflect.Pointer:
			if r.IsNil() || seen[r.Pointer()] {
				return
			}
			seen[r.Pointer()] = true
			walk(r.Elem())
		case reflect.Struct:
			for i := range r.NumField() {
				at = append(at, step{field: r.Type().Field(i).Name})
				walk(r.Field(i))
				at = at[:len(at)-1]
			}
		case reflect.Slice:
			for i := range r.Len() {
				at = append(at, step{index: i})
				walk(r.Index(i))
				at = at[:len(at)-1]
			}
		case reflect.Interface:
			if !r.IsNil() {
				walk(r.Elem())
			}
		case reflect.String:
			if err := templates.CheckLine(r.String()); err != nil {
				where := "view"
				for _, s := range at {
					if s.field != "" {
						where += "." + s.field
					} else {
						where += fmt.Sprintf("[%d]", s.index)
					}
				}
				panic(fmt.Sprintf("ha: cluster %q: %s: %v (validation let the value through)", v.Name, where, err))
			}
		}
	}
	walk(reflect.ValueOf(v))
}
