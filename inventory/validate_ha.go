package inventory

import (
	"cmp"
	"crypto/rsa"
	"fmt"
	"net/netip"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"golang.org/x/crypto/ssh"

	"github.com/mattermost/fleetgen/internal/suggest"
)

// haClusters checks each HA cluster and the addresses they share.
func (c *checker) haClusters(env *Environment) {
	seen := firstSeen{}
	type owner struct {
		cluster, node string
		rng           hcl.Range
	}
	addresses := map[string]owner{}
	for _, hc := range env.HAClusters {
		if earlier, dup := seen.dup(hc.Name, hc.NameRange); dup {
			c.errorf(hc.NameRange, "Duplicate HA cluster",
				"The HA cluster %q was already declared at %s; each cluster is declared once per environment.", hc.Name, earlier)
			continue
		}
		c.haCluster(hc)
		for _, n := range declOrder(hc.Nodes) {
			a, err := netip.ParseAddr(n.Address)
			if err != nil {
				continue
			}
			o, ok := addresses[a.String()]
			switch {
			case !ok:
				addresses[a.String()] = owner{hc.Name, n.Name, n.AddressRange}
			case o.cluster != hc.Name:
				c.errorf(n.AddressRange, "Duplicate node address",
					"The address %q of node %q is already used by node %q of HA cluster %q at %s; a server belongs to one HA cluster.",
					n.Address, n.Name, o.node, o.cluster, o.rng)
			}
		}
	}
}

// haClusterNames checks that no two HA clusters of the inventory share a
// ClusterSettings.ClusterName: Mattermost keeps clusters apart by that
// name only, so the same cluster copied into two environments would let
// their nodes join each other wherever they can reach each other.
func (c *checker) haClusterNames(inv *Inventory) {
	type owner struct {
		env, cluster string
		rng          hcl.Range
	}
	seen := map[string]owner{}
	for _, env := range inv.Environments {
		for _, hc := range env.HAClusters {
			rng := at(hc.ClusterNameRange, hc.NameRange)
			o, dup := seen[hc.ClusterName]
			if !dup {
				seen[hc.ClusterName] = owner{env.Name, hc.Name, rng}
				continue
			}
			if o.env == env.Name {
				continue // the same environment: Duplicate HA cluster says it
			}
			c.errorf(rng, "Duplicate Mattermost cluster name",
				"HA cluster %q of environment %q has the cluster name %q (ClusterSettings.ClusterName), already used by HA cluster %q of environment %q at %s; set a distinct cluster_name on one of them.",
				hc.Name, env.Name, hc.ClusterName, o.cluster, o.env, o.rng)
		}
	}
}

// canonicalAddress is the address in its canonical form, or as written
// when it is not one, so duplicates are found however they are spelt.
func canonicalAddress(s string) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.String()
	}
	return s
}

// declOrder returns nodes in the order they were written: Load sorts them
// by ordinal, but "earlier" in a duplicate diagnostic means earlier in the file.
func declOrder(nodes []*Node) []*Node {
	return slices.SortedStableFunc(slices.Values(nodes), func(a, b *Node) int {
		return cmp.Or(strings.Compare(a.DeclRange.Filename, b.DeclRange.Filename), cmp.Compare(a.DeclRange.Start.Byte, b.DeclRange.Start.Byte))
	})
}

func (c *checker) haCluster(hc *HACluster) {
	c.check(haClusterName, hc.Name, hc.NameRange)
	_, err := ParseVersion(hc.MattermostVersion)
	versionOK := err == nil
	switch {
	case !versionOK:
		c.errorf(hc.MattermostVersionRange, "Invalid Mattermost version",
			"The mattermost_version %q is not valid: it must be a Mattermost release MAJOR.MINOR.PATCH, such as \"10.11.2\".", hc.MattermostVersion)
	case !hc.Version.Known():
		c.errorf(hc.MattermostVersionRange, "Unknown Mattermost version",
			"fleetgen knows the ClusterSettings of Mattermost %d.x to %d.x; mattermost_version %q is not among them, so the names of its settings (gossip encryption above all) are not checked. Use a known version or a fleetgen that knows this one.",
			OldestKnownMajor, NewestKnownMajor, hc.MattermostVersion)
		versionOK = false
	}
	if set(hc.ClusterNameRange) {
		c.check(clusterName, hc.ClusterName, hc.ClusterNameRange)
	}
	portsOK := c.haPorts(hc)
	c.haAccounts(hc)
	layoutOK := c.enum("Invalid tunnel port layout", "tunnel_ports", hc.TunnelPorts, hc.TunnelPortsRange, PortsOrdinal, PortsDoc)
	c.enum("Invalid tunnel supervision", "tunnel_supervision", hc.TunnelSupervision, hc.TunnelSupervisionRange, SupervisionSystemd, SupervisionRecipe)
	if hc.TunnelPortBase < 1024 || hc.TunnelPortBase > 65535 {
		c.errorf(hc.TunnelPortBaseRange, "Invalid tunnel port base",
			"The tunnel_port_base must be from 1024 to 65535; it is %d.", hc.TunnelPortBase)
		layoutOK = layoutOK && hc.TunnelPorts != PortsOrdinal
	}
	if hc.TunnelPorts == PortsDoc && len(hc.Nodes) > 6 {
		c.errorf(at(hc.TunnelPortsRange, hc.DeclRange), "Too many nodes for the doc layout",
			"The HA cluster %q has %d nodes, but tunnel_ports = %q only fits six (its local ports are 10000 apart). Use tunnel_ports = %q.",
			hc.Name, len(hc.Nodes), PortsDoc, PortsOrdinal)
		layoutOK = false
	}
	ordinalsOK := c.haNodes(hc)
	if versionOK {
		c.gossip(hc)
	}
	if hc.SSHTunnels && versionOK && portsOK && layoutOK && ordinalsOK {
		c.tunnelPorts(hc)
	}
}

// haPorts checks the cluster's ports: each in range, no two the same.
func (c *checker) haPorts(hc *HACluster) bool {
	ports := []struct {
		attr  string
		value int
		rng   hcl.Range
	}{
		{"ssh_port", hc.SSHPort, hc.SSHPortRange},
		{"gossip_port", hc.GossipPort, hc.GossipPortRange},
		{"streaming_port", hc.StreamingPort, hc.StreamingPortRange},
	}
	ok := true
	for i, p := range ports {
		if p.value < 1 || p.value > 65535 {
			c.errorf(at(p.rng, hc.DeclRange), "Invalid port", "The %s must be from 1 to 65535; it is %d.", p.attr, p.value)
			ok = false
			continue
		}
		for _, q := range ports[:i] {
			if q.value == p.value {
				c.errorf(at(p.rng, at(q.rng, hc.DeclRange)), "Conflicting ports",
					"The %s and the %s are both %d; each needs its own port.", p.attr, q.attr, p.value)
				ok = false
			}
		}
	}
	return ok
}

var pathChars = regexp.MustCompile(`^/[A-Za-z0-9._/-]*$`)

// haAccounts checks the user, path and unit names that land in shell,
// systemd and sshd files on the nodes.
func (c *checker) haAccounts(hc *HACluster) {
	if c.check(posixUser, hc.TunnelUser, at(hc.TunnelUserRange, hc.DeclRange)) && hc.TunnelUser == "root" {
		c.errorf(hc.TunnelUserRange, "Root tunnel user",
			"The tunnel_user accepts SSH logins from every peer; it must be an unprivileged account, never \"root\".")
	}
	c.check(posixUser, hc.ServiceUser, at(hc.ServiceUserRange, hc.DeclRange))
	if set(hc.TunnelUserHomeRange) {
		c.absPath("tunnel_user_home", hc.TunnelUserHome, hc.TunnelUserHomeRange)
	}
	c.controlSockets(hc)
	c.absPath("install_dir", hc.InstallDir, at(hc.InstallDirRange, hc.DeclRange))
	c.serviceName(hc)
}

// serviceName checks the name of Mattermost's systemd service: the node
// files name it as <service_name>.service and its drop-in folder as
// <service_name>.service.d.
func (c *checker) serviceName(hc *HACluster) {
	rng := at(hc.ServiceNameRange, hc.DeclRange)
	if !c.check(systemdUnit, hc.ServiceName, rng) {
		return
	}
	switch {
	case strings.HasSuffix(hc.ServiceName, ".service"):
		c.errorf(rng, "Invalid systemd unit name",
			"The service_name %q names the unit without its \".service\" suffix. Did you mean %q?", hc.ServiceName, strings.TrimSuffix(hc.ServiceName, ".service"))
	case hc.ServiceName == "." || hc.ServiceName == "..":
		c.errorf(rng, "Invalid systemd unit name",
			"The service_name %q is not valid: %s, and it must not be \".\" or \"..\", which name folders.", hc.ServiceName, systemdUnit.rule)
	}
}

// absPath checks a path that lands in shell scripts, systemd units and
// sshd files unquoted-safe: absolute, clean, of plain characters, and not
// the root folder, since each names a folder of its own on the node.
func (c *checker) absPath(attr, p string, rng hcl.Range) {
	switch {
	case !pathChars.MatchString(p):
		c.errorf(rng, "Invalid path",
			"The %s %q is not valid: it must be an absolute path of letters, digits, \".\", \"_\", \"-\" and \"/\" only, because it is written into shell scripts, systemd units and sshd files.", attr, p)
	case path.Clean(p) != p:
		c.errorf(rng, "Invalid path", "The %s %q is not a clean path. Did you mean %q?", attr, p, path.Clean(p))
	case p == "/":
		c.errorf(rng, "Invalid path",
			"The %s is \"/\", the root folder: it must name a folder of its own, because fleetgen installs files under it on every node.", attr)
	}
}

// ControlSocketRoom is how many bytes a cluster's tunnel_user_home and a
// node's ordinal may take together. The recipe's tunnels keep an ssh
// control socket at <home>/.ssh/fleetgen-tunnel-<ordinal>.ctl; a Unix
// socket path holds 107 bytes, and ssh first binds it with a 17-byte
// random suffix.
const ControlSocketRoom = 107 - 17 - len("/.ssh/fleetgen-tunnel-.ctl")

// controlSockets checks that the recipe's control sockets fit their path
// limit: ssh would fail on every start, far from the inventory's mistake.
func (c *checker) controlSockets(hc *HACluster) {
	if !hc.SSHTunnels || hc.TunnelSupervision != SupervisionRecipe {
		return
	}
	for _, n := range hc.Nodes {
		if room := len(hc.TunnelUserHome) + len(strconv.Itoa(n.Ordinal)); room > ControlSocketRoom {
			c.errorf(at(hc.TunnelUserHomeRange, hc.DeclRange), "Tunnel user home too long",
				"The tunnel_user_home %q is %d bytes long: with node %q's ordinal %d, the ssh control socket "+
					"%s/.ssh/fleetgen-tunnel-%d.ctl would not fit a Unix socket path. tunnel_user_home and the ordinal "+
					"may take %d bytes together when tunnel_supervision is %q.",
				hc.TunnelUserHome, len(hc.TunnelUserHome), n.Name, n.Ordinal, hc.TunnelUserHome, n.Ordinal, ControlSocketRoom, SupervisionRecipe)
			return
		}
	}
}

// haNodes checks the nodes of a cluster. It returns whether the ordinals
// are valid and unique, which the tunnel port layout relies on.
func (c *checker) haNodes(hc *HACluster) bool {
	if len(hc.Nodes) < 2 {
		c.errorf(hc.DeclRange, "Too few nodes",
			"The HA cluster %q has %d node; a High Availability cluster needs at least two.", hc.Name, len(hc.Nodes))
	}
	names, addresses, ordinals := firstSeen{}, firstSeen{}, firstSeen{}
	hostKeys, tunnelKeys := firstSeen{}, firstSeen{}
	ordinalsOK := true
	for _, n := range declOrder(hc.Nodes) {
		if c.check(nodeName, n.Name, n.NameRange) {
			if earlier, dup := names.dup(n.Name, n.NameRange); dup {
				c.errorf(n.NameRange, "Duplicate node name",
					"The HA cluster %q already has a node %q, declared at %s.", hc.Name, n.Name, earlier)
			}
		}

		ordRange := at(n.OrdinalRange, n.DeclRange)
		if n.Ordinal < 1 {
			c.errorf(ordRange, "Invalid node ordinal", "The ordinal of node %q must be 1 or more; it is %d.", n.Name, n.Ordinal)
			ordinalsOK = false
		} else if earlier, dup := ordinals.dup(fmt.Sprint(n.Ordinal), ordRange); dup {
			c.errorf(ordRange, "Duplicate node ordinal",
				"The ordinal %d of node %q (written, or its position when not written) is already used at %s; ordinals are unique within a cluster.", n.Ordinal, n.Name, earlier)
			ordinalsOK = false
		}

		if c.nodeAddress(hc, n) {
			if earlier, dup := addresses.dup(canonicalAddress(n.Address), n.AddressRange); dup {
				c.errorf(n.AddressRange, "Duplicate node address",
					"The address %q of node %q is already used in HA cluster %q at %s.", n.Address, n.Name, hc.Name, earlier)
			}
		}

		c.nodeKey(hc, n, "host_key", "SSH host key", n.HostKey, n.HostKeyRange, hostKeys)
		c.nodeKey(hc, n, "tunnel_key", "SSH tunnel key", n.TunnelKey, n.TunnelKeyRange, tunnelKeys)
		if set(n.OSRange) {
			c.nodeOS(n)
		}
	}
	// A host key that is also a tunnel key: whoever holds the node's host
	// private key could log in to the peers, and the reverse.
	for _, n := range declOrder(hc.Nodes) {
		if !set(n.TunnelKeyRange) {
			continue
		}
		key, problem := parseSSHKey(n.TunnelKey)
		if problem != "" {
			continue
		}
		if host, ok := hostKeys[string(key.Marshal())]; ok {
			c.errorf(n.TunnelKeyRange, "Tunnel key equals a host key",
				"The tunnel_key of node %q is the host key given at %s; a tunnel key is a key pair of its own, made for the tunnel user (see the cluster README).", n.Name, host)
		}
	}
	return ordinalsOK
}

// SupportedOS are the operating systems the rendered node files are
// tested for, with what each needs: OpenSSH 8.2 or newer (sshd reads
// sshd_config.d and knows permitlisten), systemd 240 or newer (Type=exec),
// ufw with iptables-restore -n, and conntrack.
var SupportedOS = []string{"debian-11", "debian-12", "debian-13", "ubuntu-20.04", "ubuntu-22.04", "ubuntu-24.04"}

// nodeOS checks a node's operating system against SupportedOS.
func (c *checker) nodeOS(n *Node) {
	if slices.Contains(SupportedOS, n.OS) {
		return
	}
	// An old release is not a typo: say why it is refused rather than
	// suggest the supported release nearest in spelling.
	why, meant := "", suggest.DidYouMean(n.OS, SupportedOS)
	switch n.OS {
	case "ubuntu-18.04", "ubuntu-16.04", "debian-10", "debian-9":
		why, meant = " It ships OpenSSH older than 8.2: its sshd does not read /etc/ssh/sshd_config.d, where the tunnel user's restrictions go, and ignores permitlisten.", ""
	}
	c.errorf(n.OSRange, "Unsupported operating system",
		"The os %q of node %q is not one the rendered files support.%s Supported: %s.%s", n.OS, n.Name, why, strings.Join(SupportedOS, ", "), meant)
}

// cgnat is the shared address space of RFC 6598: not public, not private.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// nodeAddress checks that a node has a usable IPv4 address: one of a
// single host, on a private network unless the cluster opts in to public
// addresses.
func (c *checker) nodeAddress(hc *HACluster, n *Node) bool {
	a, err := netip.ParseAddr(n.Address)
	problem := ""
	switch {
	case err != nil:
		problem = "it must be an IPv4 address, such as \"10.10.250.146\""
	case a.Is6():
		c.errorf(n.AddressRange, "Unsupported node address",
			"The address %q of node %q is an IPv6 address. IPv6 node addresses are not supported yet; give the node's IPv4 address.", n.Address, n.Name)
		return false
	case a.IsUnspecified():
		problem = "the unspecified address does not reach a node"
	case a.IsLoopback():
		problem = "a loopback address does not reach another node"
	case a.IsMulticast():
		problem = "a multicast address is not a node's address"
	case a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		problem = "the broadcast address reaches every host of the network, not one node"
	case a.IsLinkLocalUnicast():
		problem = "a link-local address (169.254.0.0/16) changes when the interface comes up again and is not routed"
	}
	if problem != "" {
		c.errorf(n.AddressRange, "Invalid node address", "The address %q of node %q is not valid: %s.", n.Address, n.Name, problem)
		return false
	}
	if !a.IsPrivate() && !cgnat.Contains(a) && !hc.PublicAddresses {
		c.errorf(n.AddressRange, "Public node address",
			"The address %q of node %q is a public address: the cluster ports would be one firewall mistake away from the Internet. Use the node's private address, or set public_addresses = true on HA cluster %q when the nodes have no other.",
			n.Address, n.Name, hc.Name)
	}
	return true
}

// nodeKey checks one of a node's pinned SSH public keys.
func (c *checker) nodeKey(hc *HACluster, n *Node, attr, what, value string, rng hcl.Range, seen firstSeen) {
	if !set(rng) {
		if hc.SSHTunnels {
			c.errorf(n.DeclRange, "Missing "+what,
				"The node %q needs %s: with ssh_tunnels the peers pin each node's keys.", n.Name, attr)
		}
		return
	}
	key, problem := parseSSHKey(value)
	if problem != "" {
		c.errorf(rng, "Invalid "+what,
			"The %s of node %q is not valid: %s. Give the public key as in a .pub file: its type and base64 body, such as \"ssh-ed25519 AAAAC3Nza…\".", attr, n.Name, problem)
		return
	}
	if earlier, dup := seen.dup(string(key.Marshal()), rng); dup {
		c.errorf(rng, "Duplicate "+what,
			"The %s of node %q is the same key as at %s; each node has its own key.", attr, n.Name, earlier)
	}
}

// parseSSHKey parses one public key in authorized_keys form, without
// options; a comment is allowed.
func parseSSHKey(s string) (ssh.PublicKey, string) {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, "\r\n") {
		return nil, "it must be a single key on one line"
	}
	// The comment is free text that lands in authorized_keys and
	// known_hosts: a NUL or escape sequence there is never meant.
	if strings.ContainsFunc(s, unicode.IsControl) {
		return nil, "it holds a control character"
	}
	key, _, options, _, err := ssh.ParseAuthorizedKey([]byte(s))
	switch {
	case err != nil:
		return nil, "it is not an SSH public key"
	case len(options) > 0:
		return nil, "it must be the key alone, without authorized_keys options"
	case key.Type() == ssh.KeyAlgoDSA:
		return nil, "it is a DSA key, which OpenSSH no longer accepts; use an ed25519 key"
	}
	if ck, ok := key.(ssh.CryptoPublicKey); ok {
		if r, ok := ck.CryptoPublicKey().(*rsa.PublicKey); ok && r.N.BitLen() < MinRSABits {
			return nil, fmt.Sprintf("it is an RSA key of %d bits; RSA keys need at least %d bits (or use an ed25519 key)", r.N.BitLen(), MinRSABits)
		}
	}
	return key, ""
}

// MinRSABits is the smallest RSA key accepted: 3072 bits, NIST's floor
// for keys used beyond 2030.
const MinRSABits = 3072

// gossip checks the gossip settings against what the version has.
func (c *checker) gossip(hc *HACluster) {
	v := hc.Version
	switch {
	case v.EncryptionEffective():
		if hc.SSHTunnels && !hc.GossipEncryption {
			c.warnf(at(hc.GossipEncryptionRange, hc.DeclRange), "Gossip traffic not encrypted",
				"The HA cluster %q has gossip_encryption = false; gossip's UDP traffic does not go through the SSH tunnels, so it crosses the network in clear text.", hc.Name)
		}
	case set(hc.GossipEncryptionRange) && hc.GossipEncryption && v.GossipEncryptionKey() == "":
		c.errorf(hc.GossipEncryptionRange, "Unsupported gossip encryption",
			"Mattermost %s has no gossip encryption setting; it was added in 5.26 and works without experimental gossip from 5.36. Remove gossip_encryption or upgrade.", v)
	case set(hc.GossipEncryptionRange) && hc.GossipEncryption:
		c.errorf(hc.GossipEncryptionRange, "Unsupported gossip encryption",
			"Mattermost %s has %s, but before 5.36 it only works with experimental gossip (UseExperimentalGossip), which fleetgen does not turn on: gossip would stay in clear text. Remove gossip_encryption or upgrade to 5.36 or newer.", v, v.GossipEncryptionKey())
	}
	if set(hc.GossipCompressionRange) && hc.GossipCompression && v.GossipCompressionKey() == "" {
		c.errorf(hc.GossipCompressionRange, "Unsupported gossip compression",
			"Mattermost %s has no gossip compression setting; it was added in 5.33. Remove gossip_compression or upgrade.", v)
	}
	if !hc.SSHTunnels && !hc.GossipEncryption {
		c.warnf(at(hc.SSHTunnelsRange, hc.DeclRange), "Cluster traffic in clear text",
			"The HA cluster %q has neither SSH tunnels nor gossip encryption, so its inter-node traffic crosses the network in clear text.", hc.Name)
	}
}

// tunnelPorts checks every local port of every node's tunnels: in range,
// clear of the node's own ports, and unique on the node. Each problem is
// reported once per node and port.
func (c *checker) tunnelPorts(hc *HACluster) {
	reserved := []struct {
		port int
		what string
	}{
		{hc.SSHPort, "the ssh_port"},
		{hc.GossipPort, "the gossip_port"},
		{hc.StreamingPort, "the streaming_port"},
		{8065, "Mattermost's HTTP port"},
		{8067, "Mattermost's metrics port"},
	}
	fix := fmt.Sprintf("Choose a tunnel_port_base that keeps every port clear of it (local port = tunnel_port_base + 10 * peer ordinal, + 1 for the streaming port), or use tunnel_ports = %q.", PortsOrdinal)
	if hc.TunnelPorts == PortsDoc {
		fix = fmt.Sprintf("The %q layout derives local ports from the forwarded ports; change gossip_port/streaming_port or use tunnel_ports = %q.", PortsDoc, PortsOrdinal)
	}
	for _, n := range hc.Nodes {
		opened := map[int]*Node{}
		reported := map[string]bool{}
		report := func(summary string, port int, format string, args ...any) {
			key := fmt.Sprint(summary, port)
			if !reported[key] {
				reported[key] = true
				c.errorf(n.DeclRange, summary, format, args...)
			}
		}
		for _, t := range hc.Tunnels(n) {
			what := fmt.Sprintf("In HA cluster %q, node %q would open local port %d for its tunnel to peer %q (%s:%d)",
				hc.Name, n.Name, t.LocalPort, t.Peer.Name, t.Peer.Address, t.RemotePort)
			if t.LocalPort < 1024 || t.LocalPort > 65535 {
				report("Invalid tunnel port", t.LocalPort, "%s, but tunnel ports must be from 1024 to 65535. %s", what, fix)
				continue
			}
			for _, r := range reserved {
				if t.LocalPort == r.port {
					report("Tunnel port conflict", t.LocalPort, "%s, but port %d is %s. %s", what, t.LocalPort, r.what, fix)
				}
			}
			if other, dup := opened[t.LocalPort]; dup {
				report("Duplicate tunnel port", t.LocalPort, "%s, but it already uses that port for its tunnel to peer %q. %s", what, other.Name, fix)
				continue
			}
			opened[t.LocalPort] = t.Peer
		}
	}
}
