package render

import (
	"cmp"
	"fmt"
	"io/fs"
	"net/netip"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mattermost/fleetgen/inventory"
)

// The view model of the HA templates: plain values with every port, path
// and address precomputed, so templates only lay text out.

// haClusterView is one HA cluster as its README and node files need it.
type haClusterView struct {
	Env         string // environment name, for the header
	Name        string // ha_cluster label
	Dir         string // <env>/ha/<cluster>, relative to out/
	ClusterName string // ClusterSettings.ClusterName
	Version     string

	SSHTunnels          bool
	GossipEncryption    bool
	GossipCompression   bool
	HasGossipSettings   bool
	GossipEncryptionKey string // ClusterSettings key; "" when the version has none
	UsesStreamingPort   bool

	SSHPort       int
	GossipPort    int
	StreamingPort int
	Ports         []haPort // the ports a tunnel carries, gossip first
	TunnelPorts   string   // layout of local ports: "ordinal" or "doc"
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
	Paths       haPaths

	Nodes []*haNodeView
}

// haPort is one port Mattermost nodes talk to each other on.
type haPort struct {
	Name string // "gossip" or "streaming"
	Port int
}

// haPaths are absolute paths on a node.
type haPaths struct {
	InstallDir     string
	PreStart       string
	Settings       string
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

// haNodeView is one node and everything its files say about its peers.
type haNodeView struct {
	Cluster *haClusterView
	Env     string
	Name    string
	Address string
	Ordinal int
	Dir     string // <env>/ha/<cluster>/<node>, relative to out/
	// KnownHost and HostKey are the node's own known_hosts line, for the
	// cluster's known_hosts: host pattern, and the host_key's type and
	// base64 body ("" when the inventory gives no host_key).
	KnownHost string
	HostKey   string

	Peers      []*haPeerView // in ordinal order
	Allows     []haAllow     // ufw ACCEPT rules, in peer order
	PermitOpen []string      // "<own address>:<port>" peers may forward to
	Files      []haNodeFile  // what apply.sh installs, sorted by Src
	SSHDirs    []haNodeFile  // directories apply.sh enforces mode and owner of
}

// haPeerView is a peer of a node: where to reach it and which of its ports
// the node forwards through its tunnel.
type haPeerView struct {
	Name          string
	Address       string
	Ordinal       int
	HostKey       string
	TunnelKey     string
	KnownHost     string // known_hosts host pattern: address, or [address]:port
	ControlSocket string // ssh control socket of the tunnel to this peer
	Unit          string // supervised: systemd unit of the tunnel to this peer
	LocalPorts    string // the forwards' local ports, space separated
	Forwards      []haForward
}

// haForward is one SSH local forward and its DNAT redirect.
type haForward struct {
	Name   string // port name: "gossip" or "streaming"
	Local  int    // port on the node's loopback
	Remote int    // port on the peer
	Spec   string // ssh -L argument
}

// haAllow is one ufw ACCEPT rule for traffic from a peer.
type haAllow struct {
	Peer    string
	Address string
	Proto   string
	Port    int
	What    string
}

// haNodeFile is one file a node folder holds and apply.sh installs.
type haNodeFile struct {
	Src      string      // path in the node folder
	Dest     string      // absolute path on the node
	OutMode  fs.FileMode // mode in out/
	Mode     string      // mode on the node, as `stat -c %a` prints it
	Owner    string      // owner on the node; group is the owner's login group
	Effect   string      // what a change needs: ufw, daemon-reload, restart, settings, none
	Template string      // templates/ name; "" for cluster-settings.json
}

// haKeysDir holds the tunnel user's authorized_keys, outside its home and
// owned by root: the tunnel user is usually the Mattermost service user,
// and a file it owns would let a compromised Mattermost loosen its own
// keys' restrictions.
const haKeysDir = "/etc/ssh/fleetgen"

// Where a tunnel's private key lives; the README tells operators to create it there.
const haIdentityName = "fleetgen_tunnel"

// The supervised tunnels' template unit; its instance is the peer's name.
const haTunnelUnitPrefix = "fleetgen-tunnel@"

// haTunnelWait bounds, in seconds, how long pre_start.sh waits for the
// supervised tunnels: ssh connects in well under a second, and a peer that
// is down must not hold Mattermost's start (TimeoutStartSec is 90 s).
const haTunnelWait = 15

// sun_path holds 108 bytes with its NUL, and ssh first binds the control
// socket at its path plus a 17-byte random suffix.
const maxControlSocketPath = 107 - 17

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
var unitName = regexp.MustCompile(`^[A-Za-z0-9:_.@-]+$`)

// newHAClusterView checks what the rendered files rely on (defense in
// depth: validation should already have refused it) and precomputes the view.
func newHAClusterView(env string, c *inventory.HACluster) (*haClusterView, error) {
	if err := checkHACluster(env, c); err != nil {
		return nil, err
	}
	home := path.Clean(c.TunnelUserHome)
	sshDir := path.Join(home, ".ssh")
	dropInDir := path.Join("/etc/systemd/system", c.ServiceName+".service.d")
	v := &haClusterView{
		Env:                 env,
		Name:                c.Name,
		Dir:                 env + "/ha/" + c.Name,
		ClusterName:         c.ClusterName,
		Version:             c.Version.String(),
		SSHTunnels:          c.SSHTunnels,
		GossipEncryption:    c.GossipEncryption,
		GossipCompression:   c.GossipCompression,
		HasGossipSettings:   c.Version.HasGossipSettings(),
		GossipEncryptionKey: c.Version.GossipEncryptionKey(),
		UsesStreamingPort:   c.Version.UsesStreamingPort(),
		SSHPort:             c.SSHPort,
		GossipPort:          c.GossipPort,
		StreamingPort:       c.StreamingPort,
		TunnelPorts:         c.TunnelPorts,
		TunnelUser:          c.TunnelUser,
		ServiceUser:         c.ServiceUser,
		ServiceName:         c.ServiceName,
		Paths: haPaths{
			InstallDir:     path.Clean(c.InstallDir),
			PreStart:       path.Join(c.InstallDir, "bin", "pre_start.sh"),
			Settings:       path.Join(c.InstallDir, "config", "cluster-settings.json"),
			Home:           home,
			SSHDir:         sshDir,
			AuthorizedKeys: path.Join(haKeysDir, c.TunnelUser+".authorized_keys"),
			LegacyKeys:     path.Join(sshDir, "authorized_keys"),
			SSHDDropIn:     "/etc/ssh/sshd_config.d/fleetgen-tunnel.conf",
			KnownHosts:     path.Join(sshDir, "known_hosts"),
			Identity:       path.Join(sshDir, haIdentityName),
			AfterRules:     "/etc/ufw/after.rules",
			DropIn:         path.Join(dropInDir, "fleetgen-tunnels.conf"),
			TunnelScript:   path.Join(c.InstallDir, "bin", "tunnel.sh"),
			TunnelUnit:     path.Join("/etc/systemd/system", haTunnelUnitPrefix+".service"),
		},
		Supervised: c.TunnelSupervision == inventory.SupervisionSystemd,
		TunnelWait: haTunnelWait,
	}
	v.SSHArgs = sshArgs(v)
	for _, p := range c.ForwardedPorts() {
		v.Ports = append(v.Ports, haPort{Name: portName(c, p), Port: p})
	}
	for _, n := range c.Nodes {
		v.Nodes = append(v.Nodes, newHANodeView(v, c, n))
	}
	return v, nil
}

// portName names a forwarded port of cluster c.
func portName(c *inventory.HACluster, port int) string {
	if port == c.GossipPort {
		return "gossip"
	}
	return "streaming"
}

func newHANodeView(c *haClusterView, ic *inventory.HACluster, n *inventory.Node) *haNodeView {
	v := &haNodeView{
		Cluster: c,
		Env:     c.Env,
		Name:    n.Name,
		Address: n.Address,
		Ordinal: n.Ordinal,
		Dir:     c.Dir + "/" + n.Name,

		KnownHost: knownHost(n.Address, c.SSHPort),
		HostKey:   strings.Join(firstN(strings.Fields(n.HostKey), 2), " "),
	}
	byPeer := map[*inventory.Node]*haPeerView{}
	for _, p := range ic.Peers(n) {
		pv := &haPeerView{
			Name:          p.Name,
			Address:       p.Address,
			Ordinal:       p.Ordinal,
			HostKey:       p.HostKey,
			TunnelKey:     p.TunnelKey,
			KnownHost:     knownHost(p.Address, c.SSHPort),
			ControlSocket: controlSocket(c.Paths.SSHDir, p.Ordinal),
			Unit:          haTunnelUnitPrefix + p.Name + ".service",
		}
		byPeer[p] = pv
		v.Peers = append(v.Peers, pv)
		v.Allows = append(v.Allows, peerAllows(c, p)...)
	}
	for _, t := range ic.Tunnels(n) {
		pv := byPeer[t.Peer]
		pv.Forwards = append(pv.Forwards, haForward{
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
	return v
}

// peerAllows are the ufw rules that let peer p reach this node. Through
// tunnels only SSH and gossip's UDP (which ssh cannot forward) come in;
// without tunnels every cluster port does.
func peerAllows(c *haClusterView, p *inventory.Node) []haAllow {
	allow := func(proto string, port int, what string) haAllow {
		return haAllow{Peer: p.Name, Address: p.Address, Proto: proto, Port: port, What: what}
	}
	if c.SSHTunnels {
		return []haAllow{allow("tcp", c.SSHPort, "ssh"), allow("udp", c.GossipPort, "gossip")}
	}
	as := []haAllow{allow("tcp", c.GossipPort, "gossip"), allow("udp", c.GossipPort, "gossip")}
	if c.UsesStreamingPort {
		as = append(as, allow("tcp", c.StreamingPort, "streaming"))
	}
	return as
}

// nodeFiles lists the files of a node folder (apply.sh aside) with their
// owner and mode on the node. after.rules is 0640 because Debian ships it so.
func nodeFiles(c *haClusterView) (files, dirs []haNodeFile) {
	p := c.Paths
	file := func(dest string, out fs.FileMode, mode, owner, effect, tmpl string) haNodeFile {
		return haNodeFile{Src: nodePath(dest), Dest: dest, OutMode: out, Mode: mode, Owner: owner, Effect: effect, Template: tmpl}
	}
	files = []haNodeFile{
		file(p.AfterRules, ModeFile, "640", "root", "ufw", "ha/after.rules.tmpl"),
		file(p.Settings, ModeFile, "640", c.ServiceUser, "settings", ""),
	}
	if c.SSHTunnels {
		files = append(files,
			file(p.PreStart, ModeScript, "755", "root", "restart", preStartTemplate(c)),
			file(p.DropIn, ModeFile, "644", "root", "daemon-reload", "ha/fleetgen-tunnels.conf.tmpl"),
			// sshd reads authorized_keys on every login: a change needs nothing.
			file(p.AuthorizedKeys, ModeFile, "644", "root", "none", "ha/authorized_keys.tmpl"),
			file(p.SSHDDropIn, ModeFile, "644", "root", "sshd", "ha/sshd_config.tmpl"),
			file(p.KnownHosts, ModeFile, "600", c.TunnelUser, "restart", "ha/known_hosts.tmpl"),
		)
		dirs = []haNodeFile{
			{Dest: haKeysDir, Mode: "755", Owner: "root"},
			{Dest: p.SSHDir, Mode: "700", Owner: c.TunnelUser},
		}
		if c.Supervised {
			files = append(files,
				file(p.TunnelScript, ModeScript, "755", "root", "restart", "ha/tunnel.sh.tmpl"),
				file(p.TunnelUnit, ModeFile, "644", "root", "daemon-reload", "ha/fleetgen-tunnel@.service.tmpl"),
			)
		}
	}
	slices.SortFunc(files, func(a, b haNodeFile) int { return cmp.Compare(a.Src, b.Src) })
	return files, dirs
}

// preStartTemplate chooses pre_start.sh: waiting for the supervised
// tunnels, or opening them itself as the published recipe does.
func preStartTemplate(c *haClusterView) string {
	if c.Supervised {
		return "ha/pre_start.sh.tmpl"
	}
	return "ha/pre_start_recipe.sh.tmpl"
}

// sshArgs are the options every tunnel's ssh runs with: no ssh_config
// file, the pinned host keys only (an unknown key is never accepted), a
// fixed identity, no prompt, failure when a forward cannot listen, and
// keepalives so a dead peer is noticed within 45 s.
func sshArgs(c *haClusterView) [][]string {
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

// knownHost is the known_hosts host pattern ssh looks a peer up by.
// firstN is s without what follows its first n elements.
func firstN(s []string, n int) []string { return s[:min(n, len(s))] }

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

// checkHACluster refuses what would make a rendered file wrong or let a
// value escape its place: names that become paths, paths that are not
// absolute and clean, and addresses that are not IPv4 (after.rules and
// the DNAT rules are iptables, IPv4 only).
func checkHACluster(env string, c *inventory.HACluster) error {
	for _, name := range []string{env, c.Name} {
		if !dnsLabel.MatchString(name) {
			return fmt.Errorf("name %q is not a DNS label", name)
		}
	}
	for _, p := range []struct{ attr, val string }{{"install_dir", c.InstallDir}, {"tunnel_user_home", c.TunnelUserHome}} {
		if !path.IsAbs(p.val) || path.Clean(p.val) != p.val || p.val == "/" {
			return fmt.Errorf("%s %q must be a clean absolute path other than /", p.attr, p.val)
		}
	}
	if !unitName.MatchString(c.ServiceName) || c.ServiceName == "." || c.ServiceName == ".." {
		return fmt.Errorf("service_name %q is not a systemd unit name", c.ServiceName)
	}
	for _, n := range c.Nodes {
		// Validation refuses a tunnel_user_home that leaves no room for
		// the control sockets (inventory.ControlSocketRoom).
		if sock := controlSocket(path.Join(c.TunnelUserHome, ".ssh"), n.Ordinal); c.SSHTunnels && c.TunnelSupervision == inventory.SupervisionRecipe && len(sock) > maxControlSocketPath {
			panic(fmt.Sprintf("tunnel_user_home %q passed validation but the ssh control socket %q exceeds %d bytes", c.TunnelUserHome, sock, maxControlSocketPath))
		}
		if !dnsLabel.MatchString(n.Name) {
			return fmt.Errorf("node name %q is not a DNS label", n.Name)
		}
		a, err := netip.ParseAddr(n.Address)
		if err != nil || !a.Is4() || a.String() != n.Address {
			return fmt.Errorf("node %q: address %q is not an IPv4 address; fleetgen renders HA clusters over IPv4 only (ufw's after.rules and the DNAT rules are IPv4)", n.Name, n.Address)
		}
	}
	return nil
}
