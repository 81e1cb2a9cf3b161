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

// A NodeFile is one file apply.sh installs and what a change of it needs
// (one of the Effect constants).
type NodeFile struct {
	Src, Dest, Effect string
}

// ReadNodeFiles reads the file list of a rendered apply.sh: its
// "add_file 'src' 'dest' mode 'owner' effect" lines (ha/apply.sh.tmpl).
func ReadNodeFiles(applySh []byte) ([]NodeFile, error) {
	var files []NodeFile
	for line := range strings.Lines(string(applySh)) {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "add_file '")
		if !ok {
			continue
		}
		f := strings.Fields(strings.ReplaceAll(rest, "'", ""))
		if len(f) != 5 {
			return nil, fmt.Errorf("apply.sh: cannot read %q", strings.TrimSpace(line))
		}
		files = append(files, NodeFile{Src: f[0], Dest: f[1], Effect: f[4]})
	}
	return files, nil
}

// RestartsMattermost reports whether a change of a file with this effect
// restarts Mattermost on the node.
func RestartsMattermost(effect string) bool { return effect == EffectRestart }
