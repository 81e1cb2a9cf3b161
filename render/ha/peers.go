package ha

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// A Peer is one line of a node's peers file (/etc/fleetgen/<cluster>/peers):
// a peer the node's files were installed for.
type Peer struct {
	Name    string
	Address string
	Ordinal int
}

// ReadPeers reads a peers file as ha/peers.tmpl writes it and apply.sh
// reads it: comment lines, then "name address ordinal" per peer.
func ReadPeers(data []byte) ([]Peer, error) {
	var peers []Peer
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, fmt.Errorf("peers line %d: want name, address and ordinal, got %q", n, line)
		}
		ord, err := strconv.Atoi(f[2])
		if _, aerr := netip.ParseAddr(f[1]); aerr != nil || err != nil || ord < 1 {
			return nil, fmt.Errorf("peers line %d: %q is not an address and an ordinal", n, line)
		}
		peers = append(peers, Peer{Name: f[0], Address: f[1], Ordinal: ord})
	}
	return peers, sc.Err()
}
