package affected

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

// knownNode is one node of a cluster's rendered known_hosts.
type knownNode struct {
	name, address string
	port          int
	pinned        bool
}

// unpinned is the comment the HA renderer writes for a node without a
// host_key: "# <node> (<host pattern>): no host_key …".
var unpinned = regexp.MustCompile(`^# (\S+) \((\S+)\): no host_key`)

// parseKnownHosts reads a cluster's known_hosts as render/ha.go writes it:
// one "<host pattern> <key> <node>" line per node, in ordinal order, or
// the comment above for a node without a host key.
func parseKnownHosts(data []byte) ([]knownNode, error) {
	var nodes []knownNode
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if m := unpinned.FindStringSubmatch(line); m != nil {
			addr, port, err := hostPort(m[2])
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			nodes = append(nodes, knownNode{name: m[1], address: addr, port: port})
			continue
		}
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		_, hosts, _, comment, _, err := ssh.ParseKnownHosts([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if len(hosts) != 1 || comment == "" {
			return nil, fmt.Errorf("line %d: want one host pattern and the node's name after the key", n)
		}
		addr, port, err := hostPort(hosts[0])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		nodes = append(nodes, knownNode{name: comment, address: addr, port: port, pinned: true})
	}
	return nodes, sc.Err()
}

// hostPort splits a known_hosts host pattern: "address" (port 22) or
// "[address]:port".
func hostPort(pattern string) (string, int, error) {
	if !strings.HasPrefix(pattern, "[") {
		return pattern, 22, nil
	}
	host, port, err := net.SplitHostPort(pattern)
	if err != nil {
		return "", 0, fmt.Errorf("host pattern %q: %w", pattern, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return "", 0, fmt.Errorf("host pattern %q: bad port", pattern)
	}
	return host, p, nil
}
