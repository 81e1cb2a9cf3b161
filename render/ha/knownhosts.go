package ha

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"
)

// A KnownNode is one node of a cluster's rendered known_hosts
// (layout.HAClusterKnownHosts), as ReadKnownHosts reads it back.
type KnownNode struct {
	Name    string // the node's name
	Address string // its IPv4 address
	Port    int    // its SSH port
	// HostKey is the node's pinned host key, its type and base64 body
	// ("ssh-ed25519 AAAA…"), or "" when the inventory gives none: then
	// the node cannot be reached with a pinned key.
	HostKey string
}

// Pinned reports whether the file pins the node's host key.
func (k KnownNode) Pinned() bool { return k.HostKey != "" }

// unpinned is the comment Render writes for a node without a host_key:
// "# <node> (<host pattern>): no host_key …".
var unpinned = regexp.MustCompile(`^# (\S+) \((\S+)\): no host_key`)

// ReadKnownHosts reads a cluster's known_hosts as Render writes it
// (templates/ha/cluster_known_hosts.tmpl): one "<host pattern> <key type>
// <key> <node>" line per node, in ordinal order, or the comment above for
// a node without a host key; other comments and blank lines are skipped.
// The nodes come back in the file's order. A line it could misread (not a
// key, several host patterns, no node name, a bad port) is an error
// naming its line.
func ReadKnownHosts(data []byte) ([]KnownNode, error) {
	var nodes []KnownNode
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if m := unpinned.FindStringSubmatch(line); m != nil {
			addr, port, err := hostPort(m[2])
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			nodes = append(nodes, KnownNode{Name: m[1], Address: addr, Port: port})
			continue
		}
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		marker, hosts, _, comment, _, err := ssh.ParseKnownHosts([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		fields := strings.Fields(line)
		if marker != "" || len(hosts) != 1 || comment == "" || len(fields) != 4 || fields[3] != comment {
			return nil, fmt.Errorf("line %d: want one host pattern, the key and the node's name after it", n)
		}
		addr, port, err := hostPort(hosts[0])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		nodes = append(nodes, KnownNode{Name: comment, Address: addr, Port: port, HostKey: fields[1] + " " + fields[2]})
	}
	return nodes, sc.Err()
}

// hostPort splits a known_hosts host pattern: "address" (port 22) or
// "[address]:port", the two forms knownHost writes.
func hostPort(pattern string) (string, int, error) {
	if !strings.HasPrefix(pattern, "[") {
		return pattern, 22, nil
	}
	host, port, err := net.SplitHostPort(pattern)
	if err != nil {
		return "", 0, fmt.Errorf("host pattern %q: %w", pattern, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return "", 0, fmt.Errorf("host pattern %q: bad port", pattern)
	}
	return host, p, nil
}
