package inventory

import (
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/crypto/ssh"
)

func TestParseVersion(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Version
		ok   bool
	}{
		{"10.11.2", Version{10, 11, 2}, true},
		{"v9.11.5", Version{9, 11, 5}, true},
		{"5.31.0", Version{5, 31, 0}, true},
		{"0.0.0", Version{}, true},
		{"10.11", Version{}, false},
		{"10.11.2.1", Version{}, false},
		{"10.011.2", Version{}, false},
		{"10.11.2-rc1", Version{}, false},
		{"10.11.+2", Version{}, false},
		{"10.-1.2", Version{}, false},
		{"10..2", Version{}, false},
		{"", Version{}, false},
		{"vv1.2.3", Version{}, false},
	} {
		got, err := ParseVersion(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestTunnelSupervision: supervised tunnels unless the inventory asks
// for the published recipe's.
func TestTunnelSupervision(t *testing.T) {
	for dir, want := range map[string]map[string]string{
		"testdata/valid/full":  {"recipe": SupervisionRecipe},
		"testdata/valid/split": {"acme": SupervisionSystemd, "globex": SupervisionSystemd},
	} {
		inv, _, diags := Load(dir)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", dir, diags)
		}
		got := map[string]string{}
		for _, env := range inv.Environments {
			for _, c := range env.HAClusters {
				got[c.Name] = c.TunnelSupervision
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: tunnel_supervision (-want +got):\n%s", dir, diff)
		}
	}
}

func TestVersionFeatures(t *testing.T) {
	for _, tt := range []struct {
		v                    Version
		streaming, effective bool
		key, compression     string
		known                bool
	}{
		{Version{4, 10, 0}, true, false, "", "", false},
		{Version{5, 25, 0}, true, false, "", "", true},
		{Version{5, 26, 0}, true, false, "EnableExperimentalGossipEncryption", "", true},
		{Version{5, 31, 9}, true, false, "EnableExperimentalGossipEncryption", "", true},
		{Version{5, 33, 0}, true, false, "EnableExperimentalGossipEncryption", "EnableGossipCompression", true},
		{Version{5, 36, 0}, true, true, "EnableExperimentalGossipEncryption", "EnableGossipCompression", true},
		{Version{6, 0, 0}, false, true, "EnableExperimentalGossipEncryption", "EnableGossipCompression", true},
		{Version{10, 10, 3}, false, true, "EnableExperimentalGossipEncryption", "EnableGossipCompression", true},
		{Version{10, 11, 0}, false, true, "EnableGossipEncryption", "EnableGossipCompression", true},
		{Version{11, 4, 0}, false, true, "EnableGossipEncryption", "EnableGossipCompression", true},
		{Version{12, 0, 0}, false, true, "EnableGossipEncryption", "EnableGossipCompression", false},
	} {
		got := []any{tt.v.UsesStreamingPort(), tt.v.EncryptionEffective(), tt.v.GossipEncryptionKey(), tt.v.GossipCompressionKey(), tt.v.Known()}
		want := []any{tt.streaming, tt.effective, tt.key, tt.compression, tt.known}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%v: streaming, effective, key, compression key, known (-want +got):\n%s", tt.v, diff)
		}
	}
}

// recipeCluster is the published recipe's cluster.
func recipeCluster(layout string, version Version) *HACluster {
	return &HACluster{
		Name: "recipe", Version: version, TunnelPorts: layout, TunnelPortBase: 18000,
		GossipPort: 8074, StreamingPort: 8075, SSHPort: 22,
		Nodes: []*Node{
			{Name: "mm1", Address: "10.10.250.146", Ordinal: 1},
			{Name: "mm2", Address: "10.10.250.231", Ordinal: 2},
			{Name: "mm3", Address: "10.10.250.165", Ordinal: 3},
		},
	}
}

// tunnelMap renders a node's tunnels as "local->address:remote".
func tunnelMap(c *HACluster, n *Node) []string {
	var got []string
	for _, t := range c.Tunnels(n) {
		got = append(got, fmt.Sprintf("%d->%s:%d", t.LocalPort, t.Peer.Address, t.RemotePort))
	}
	return got
}

func TestTunnelsDocLayout(t *testing.T) {
	c := recipeCluster(PortsDoc, Version{5, 31, 9})
	want := map[string][]string{
		"mm1": {"18075->10.10.250.231:8075", "18074->10.10.250.231:8074", "28075->10.10.250.165:8075", "28074->10.10.250.165:8074"},
		"mm2": {"18075->10.10.250.146:8075", "18074->10.10.250.146:8074", "28075->10.10.250.165:8075", "28074->10.10.250.165:8074"},
		"mm3": {"18075->10.10.250.146:8075", "18074->10.10.250.146:8074", "28075->10.10.250.231:8075", "28074->10.10.250.231:8074"},
	}
	for _, n := range c.Nodes {
		if diff := cmp.Diff(want[n.Name], tunnelMap(c, n)); diff != "" {
			t.Errorf("node %s (-want +got):\n%s", n.Name, diff)
		}
	}
}

func TestTunnelsOrdinalLayout(t *testing.T) {
	c := recipeCluster(PortsOrdinal, Version{10, 11, 2})
	want := map[string][]string{
		"mm1": {"18020->10.10.250.231:8074", "18030->10.10.250.165:8074"},
		"mm2": {"18010->10.10.250.146:8074", "18030->10.10.250.165:8074"},
		"mm3": {"18010->10.10.250.146:8074", "18020->10.10.250.231:8074"},
	}
	for _, n := range c.Nodes {
		if diff := cmp.Diff(want[n.Name], tunnelMap(c, n)); diff != "" {
			t.Errorf("node %s (-want +got):\n%s", n.Name, diff)
		}
	}
	// Before 6.0 the streaming port is forwarded too, at k = 1, listed first
	// as in the published recipe.
	c = recipeCluster(PortsOrdinal, Version{5, 37, 0})
	if diff := cmp.Diff([]string{"18021->10.10.250.231:8075", "18020->10.10.250.231:8074", "18031->10.10.250.165:8075", "18030->10.10.250.165:8074"}, tunnelMap(c, c.Nodes[0])); diff != "" {
		t.Errorf("node mm1 before 6.0 (-want +got):\n%s", diff)
	}
}

// writeHAInventory writes a valid environment with one HA cluster of n
// nodes in the given layout and returns the inventory folder.
func writeHAInventory(t *testing.T, layout string, n int) string {
	t.Helper()
	env, err := os.ReadFile("testdata/valid/minimal/qa/qa.hcl")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ha_cluster \"big\" {\n  mattermost_version = \"10.11.2\"\n  tunnel_ports = %q\n", layout)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  node \"n%d\" {\n    address = \"10.40.%d.%d\"\n    host_key = %q\n    tunnel_key = %q\n  }\n",
			i, i/200, 1+i%200, testKey(t, 2*i), testKey(t, 2*i+1))
	}
	b.WriteString("}\n")
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "qa", "qa.hcl"), env)
	mustWrite(t, filepath.Join(dir, "qa", "ha-big.hcl"), []byte(b.String()))
	return dir
}

// testKey is a distinct, deterministic SSH public key.
func testKey(t *testing.T, i int) string {
	t.Helper()
	seed := make([]byte, ed25519.SeedSize)
	seed[0], seed[1] = byte(i), byte(i>>8)
	pub, err := ssh.NewPublicKey(ed25519.NewKeyFromSeed(seed).Public())
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
}

func mustWrite(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDocLayoutSevenNodes(t *testing.T) {
	dir := writeHAInventory(t, PortsDoc, 7)
	inv, _, diags := Load(dir)
	if inv != nil || len(diags) != 1 || diags[0].Summary != "Too many nodes for the doc layout" {
		t.Fatalf("want one error about the doc layout, got:\n%s", strings.Join(diagnosticKeys(dir, diags, true), "\n"))
	}
	if !strings.Contains(diags[0].Detail, `tunnel_ports = "ordinal"`) {
		t.Errorf("the error should say to use \"ordinal\": %s", diags[0].Detail)
	}
	if diags[0].Subject.Start.Line != 3 {
		t.Errorf("the error should point at tunnel_ports, line 3, not %s", diags[0].Subject)
	}
}

func TestOrdinalLayoutFortyNodes(t *testing.T) {
	dir := writeHAInventory(t, PortsOrdinal, 40)
	inv, _, diags := Load(dir)
	if len(diags) > 0 {
		t.Fatalf("want no diagnostics, got:\n%s", strings.Join(diagnosticKeys(dir, diags, true), "\n"))
	}
	c := inv.Environments[0].HAClusters[0]
	if len(c.Nodes) != 40 {
		t.Fatalf("want 40 nodes, got %d", len(c.Nodes))
	}
	reserved := map[int]bool{c.SSHPort: true, c.GossipPort: true, c.StreamingPort: true, 8065: true, 8067: true}
	for _, n := range c.Nodes {
		tunnels := c.Tunnels(n)
		if len(tunnels) != 39 {
			t.Errorf("node %s opens %d tunnels, want 39", n.Name, len(tunnels))
		}
		seen := map[int]bool{}
		for _, tun := range tunnels {
			p := tun.LocalPort
			if p < 1024 || p > 65535 || reserved[p] || seen[p] {
				t.Errorf("node %s: local port %d to %s is out of range, reserved or repeated", n.Name, p, tun.Peer.Name)
			}
			seen[p] = true
		}
	}
}
