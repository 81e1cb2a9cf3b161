package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render"
)

// The test's HA cluster: a version below 6.0, so both the gossip port and
// the streaming port go through the tunnels, and an unprivileged tunnel
// account that is also the service account (as in the default inventory).
const (
	tunnelUser = "fgtunnel"
	version    = "5.37.9"
	home       = "/home/" + tunnelUser
	binDir     = "/usr/local/lib/fleetgen/e2e" // fleetgen's scripts: outside Mattermost's install folder
)

// newNodes makes count hosts with their SSH host key and tunnel key
// (ssh-keygen, as an operator would) and the user files with the tunnel user.
func newNodes(t *testing.T, l *lab, count int) []*node {
	t.Helper()
	dir := t.TempDir()
	users := filepath.Join(dir, "users")
	writeUsers(t, users)
	var nodes []*node
	for i := 1; i <= count; i++ {
		ns, address := l.addHost(i)
		n := &node{lab: l, name: fmt.Sprintf("mm%d", i), ns: ns, address: address,
			root: filepath.Join(dir, fmt.Sprintf("mm%d", i)), users: users, tunnels: map[string]*tunnel{}}
		n.hostKey = keygen(t, filepath.Join(dir, n.name+"-host"), "")
		n.tunnelKey = keygen(t, filepath.Join(dir, n.name+"-tunnel"), tunnelUser+"@"+n.name)
		n.installLayout(t)
		nodes = append(nodes, n)
	}
	return nodes
}

// writeUsers copies the host's passwd, group and shadow and adds the
// tunnel user, with a uid the host does not use and a locked password.
func writeUsers(t *testing.T, dir string) {
	t.Helper()
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	uid := 64231
	for strings.Contains(string(passwd), fmt.Sprintf(":%d:", uid)) {
		uid++
	}
	add := map[string]string{
		"passwd": fmt.Sprintf("%s:x:%d:%d::%s:/bin/bash\n", tunnelUser, uid, uid, home),
		"group":  fmt.Sprintf("%s:x:%d:\n", tunnelUser, uid),
		"shadow": tunnelUser + ":*:20000:0:99999:7:::\n",
	}
	for name, line := range add {
		b, err := os.ReadFile("/etc/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "\n"+tunnelUser+":") || strings.HasPrefix(string(b), tunnelUser+":") {
			t.Fatalf("the host already has a %s entry for %s", name, tunnelUser)
		}
		mode := os.FileMode(0o644)
		if name == "shadow" {
			mode = 0o640
		}
		writeFile(t, filepath.Join(dir, name), string(b)+line, mode)
	}
}

// keygen makes an ed25519 key pair and returns the private key's path.
func keygen(t *testing.T, path, comment string) string {
	t.Helper()
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	return path
}

func publicKey(t *testing.T, private string) string {
	t.Helper()
	b, err := os.ReadFile(private + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// renderCluster writes an inventory with the given nodes and tunnel_supervision, renders it with
// fleetgen's renderer and returns each node's folder (path in the folder
// -> content), and the cluster's own files under "".
func renderCluster(t *testing.T, supervision string, nodes []*node) map[string]map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	fmt.Fprintf(&b, "ha_cluster \"e2e\" {\n  mattermost_version = %q\n  tunnel_user = %q\n  service_user = %q\n  tunnel_supervision = %q\n",
		version, tunnelUser, tunnelUser, supervision)
	for _, n := range nodes {
		ordinal := strings.TrimPrefix(n.name, "mm")
		fmt.Fprintf(&b, "  node %q {\n    address = %q\n    ordinal = %s\n    host_key = %q\n    tunnel_key = %q\n  }\n",
			n.name, n.address, ordinal, hostKeyOnly(publicKey(t, n.hostKey)), publicKey(t, n.tunnelKey))
	}
	b.WriteString("}\n")
	// An HA-only environment, as a self-hosted operator has: no environment block.
	writeFile(t, filepath.Join(dir, "lab/ha-e2e.hcl"), b.String(), 0o644)
	inv, _, diags := inventory.Load(dir)
	if diags.HasErrors() {
		t.Fatalf("the test inventory does not load: %v\n%s", diags, b.String())
	}
	files, rdiags := render.Render(inv, render.Options{})
	if len(rdiags) > 0 {
		t.Fatal(rdiags)
	}
	folders := map[string]map[string][]byte{}
	for _, f := range files {
		rest, ok := strings.CutPrefix(f.Path, "lab/ha/e2e/")
		if !ok {
			continue
		}
		name, rel, ok := strings.Cut(rest, "/")
		if !ok {
			name, rel = "", rest // the cluster's README and known_hosts
		}
		if folders[name] == nil {
			folders[name] = map[string][]byte{}
		}
		folders[name][rel] = f.Data
	}
	return folders
}

// hostKeyOnly drops the comment of a public key line.
func hostKeyOnly(line string) string {
	f := strings.Fields(line)
	return f[0] + " " + f[1]
}
