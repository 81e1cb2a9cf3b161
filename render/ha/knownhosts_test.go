package ha

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mattermost/fleetgen/inventory"
	"github.com/mattermost/fleetgen/render/internal/rendertest"
	"github.com/mattermost/fleetgen/render/layout"
)

// TestReadKnownHostsRoundTrip reads back the known_hosts Render writes for
// every cluster of the example environments and of the fixtures (port 22
// and 2222, nodes with and without host_key): every node, in ordinal
// order, with its address, SSH port and host key as the inventory gives it.
func TestReadKnownHostsRoundTrip(t *testing.T) {
	var envs []*inventory.Environment
	envs = append(envs, rendertest.LoadInventory(t, rendertest.Examples()).Environments...)
	for _, dir := range haFixtures {
		envs = append(envs, rendertest.LoadEnv(t, dir))
	}
	clusters, pinned, unpinned, port22, other := 0, 0, 0, 0, 0
	for _, env := range envs {
		for _, c := range env.HAClusters {
			clusters++
			files, _ := Render(env, c)
			got, err := ReadKnownHosts(rendertest.FileData(t, files, layout.HAClusterKnownHosts(env.Name, c.Name)))
			if err != nil {
				t.Fatalf("%s %s: %v", env.Name, c.Name, err)
			}
			var want []KnownNode
			for _, n := range c.Nodes {
				key := ""
				if f := strings.Fields(n.HostKey); len(f) >= 2 {
					key = f[0] + " " + f[1]
					pinned++
				} else {
					unpinned++
				}
				want = append(want, KnownNode{Name: n.Name, Address: n.Address, Port: c.SSHPort, HostKey: key})
			}
			if c.SSHPort == 22 {
				port22++
			} else {
				other++
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s %s: known_hosts read back (-want +got):\n%s", env.Name, c.Name, diff)
			}
		}
	}
	// The inputs must cover every form the file has for this to mean anything.
	if clusters < 3 || pinned == 0 || unpinned == 0 || port22 == 0 || other == 0 {
		t.Errorf("clusters %d, pinned nodes %d, unpinned %d, on port 22 %d, on another port %d: want every form covered",
			clusters, pinned, unpinned, port22, other)
	}
}

// TestReadKnownHosts reads each form by hand and refuses lines it could
// misread.
func TestReadKnownHosts(t *testing.T) {
	const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfpnB5+/KpQiWsdCiOCttATb6nWZUFMt8jgamsOFemr"
	got, err := ReadKnownHosts([]byte("# header\n#\n" +
		"10.0.0.1 " + key + " n1\n" +
		"[10.0.0.2]:2222 " + key + " n2\n" +
		"# n3 (10.0.0.3): no host_key in the inventory, so it cannot be reached with a pinned key\n" +
		"\n" +
		"# n4 ([10.0.0.4]:2200): no host_key in the inventory, so it cannot be reached with a pinned key\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []KnownNode{
		{Name: "n1", Address: "10.0.0.1", Port: 22, HostKey: key},
		{Name: "n2", Address: "10.0.0.2", Port: 2222, HostKey: key},
		{Name: "n3", Address: "10.0.0.3", Port: 22},
		{Name: "n4", Address: "10.0.0.4", Port: 2200},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for i, k := range got {
		if k.Pinned() != (i < 2) {
			t.Errorf("%s: Pinned() = %v", k.Name, k.Pinned())
		}
	}
	for _, bad := range []string{
		"10.0.0.1 " + key,                    // no node name
		"10.0.0.1 " + key + " n1 extra",      // more than the node's name
		"10.0.0.1,10.0.0.9 " + key + " n",    // two host patterns
		"10.0.0.1 ssh-ed25519 !!! n1",        // not a key
		"[10.0.0.1]:ssh " + key + " n1",      // not a port
		"[10.0.0.1]:0 " + key + " n1",        // no port
		"@revoked 10.0.0.1 " + key + " n1",   // a marker
		"# n1 ([10.0.0.1]:x): no host_key …", // an unpinned node with a bad port
	} {
		if _, err := ReadKnownHosts([]byte(bad + "\n")); err == nil || !strings.HasPrefix(err.Error(), "line 1: ") {
			t.Errorf("%q: want an error at line 1, got %v", bad, err)
		}
	}
	if _, err := ReadKnownHosts([]byte("# header\n10.0.0.1 " + key + "\n")); err == nil || !strings.HasPrefix(err.Error(), "line 2: ") {
		t.Errorf("want the error at line 2, got %v", err)
	}
}
