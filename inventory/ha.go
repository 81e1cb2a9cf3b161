package inventory

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a Mattermost server version, MAJOR.MINOR.PATCH.
type Version struct{ Major, Minor, Patch int }

// ParseVersion accepts "10.11.2" (a leading "v" too); pre-release and build
// suffixes are not Mattermost release names and are refused.
func ParseVersion(s string) (Version, error) {
	parts := strings.Split(strings.TrimPrefix(s, "v"), ".")
	if len(parts) != 3 {
		return Version{}, fmt.Errorf("%q is not a version of the form MAJOR.MINOR.PATCH", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || p == "" || (len(p) > 1 && p[0] == '0') || strings.ContainsAny(p, "+-") {
			return Version{}, fmt.Errorf("%q is not a version of the form MAJOR.MINOR.PATCH", s)
		}
		n[i] = v
	}
	return Version{n[0], n[1], n[2]}, nil
}

// Less reports whether v is older than major.minor.
func (v Version) Less(major, minor int) bool {
	return v.Major < major || (v.Major == major && v.Minor < minor)
}

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// UsesStreamingPort reports whether the version still has the separate
// streaming port (8075), which 6.0 removed.
func (v Version) UsesStreamingPort() bool { return v.Less(6, 0) }

// The Mattermost versions whose ClusterSettings fleetgen has checked: a
// setting renamed in a newer release would otherwise be set under a name
// Mattermost ignores, and gossip would run in clear text unnoticed.
const (
	OldestKnownMajor = 5
	NewestKnownMajor = 11
)

// Known reports whether fleetgen knows the ClusterSettings names of v.
func (v Version) Known() bool {
	return v.Major >= OldestKnownMajor && v.Major <= NewestKnownMajor
}

// GossipEncryptionKey is the ClusterSettings key of gossip encryption, ""
// when the version has none: added in 5.26 as
// EnableExperimentalGossipEncryption, renamed EnableGossipEncryption in 10.11.
func (v Version) GossipEncryptionKey() string {
	switch {
	case v.Less(5, 26):
		return ""
	case v.Less(10, 11):
		return "EnableExperimentalGossipEncryption"
	default:
		return "EnableGossipEncryption"
	}
}

// EncryptionEffective reports whether gossip encryption works without
// experimental gossip (UseExperimentalGossip), which 5.36 made the only
// gossip: before, the setting exists but fleetgen's clusters ignore it.
func (v Version) EncryptionEffective() bool { return !v.Less(5, 36) }

// GossipCompressionKey is the ClusterSettings key of gossip compression,
// added in 5.33; "" before.
func (v Version) GossipCompressionKey() string {
	if v.Less(5, 33) {
		return ""
	}
	return "EnableGossipCompression"
}

// ForwardedPorts are the remote ports each tunnel carries: the gossip port,
// and before 6.0 the streaming port, listed first as the published recipe
// does, so its example renders line for line.
func (c *HACluster) ForwardedPorts() []int {
	if c.Version.UsesStreamingPort() {
		return []int{c.StreamingPort, c.GossipPort}
	}
	return []int{c.GossipPort}
}

// Peers are the other nodes of the cluster, in ordinal order.
func (c *HACluster) Peers(n *Node) []*Node {
	peers := make([]*Node, 0, len(c.Nodes)-1)
	for _, p := range c.Nodes {
		if p != n {
			peers = append(peers, p)
		}
	}
	return peers
}

// A Tunnel is one SSH local forward opened by a node: LocalPort on the
// node's loopback reaches RemotePort on Peer's address.
type Tunnel struct {
	Peer       *Node
	LocalPort  int
	RemotePort int
}

// Tunnels lists the forwards node n opens, by peer ordinal then port, with
// local ports from the cluster's tunnel_ports layout. Ports are not checked
// here: validation does that and names the offender.
func (c *HACluster) Tunnels(n *Node) []Tunnel {
	ports := c.ForwardedPorts()
	var ts []Tunnel
	for i, p := range c.Peers(n) {
		for _, remote := range ports {
			k := 0 // the gossip port
			if remote != c.GossipPort {
				k = 1 // the streaming port
			}
			local := c.TunnelPortBase + 10*p.Ordinal + k
			if c.TunnelPorts == PortsDoc {
				local = (i+1)*10000 + remote
			}
			ts = append(ts, Tunnel{Peer: p, LocalPort: local, RemotePort: remote})
		}
	}
	return ts
}

// Node looks a node up by name.
func (c *HACluster) Node(name string) *Node {
	for _, n := range c.Nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}
