package affected

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseKnownHosts reads the cluster known_hosts forms the HA renderer
// writes (port 22, another port, a node without host_key) and refuses
// lines it could misread.
func TestParseKnownHosts(t *testing.T) {
	const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfpnB5+/KpQiWsdCiOCttATb6nWZUFMt8jgamsOFemr"
	got, err := parseKnownHosts([]byte("# header\n#\n" +
		"10.0.0.1 " + key + " n1\n" +
		"[10.0.0.2]:2222 " + key + " n2\n" +
		"# n3 (10.0.0.3): no host_key in the inventory, so it cannot be reached with a pinned key\n" +
		"# n4 ([10.0.0.4]:2200): no host_key in the inventory, so it cannot be reached with a pinned key\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []knownNode{
		{name: "n1", address: "10.0.0.1", port: 22, pinned: true},
		{name: "n2", address: "10.0.0.2", port: 2222, pinned: true},
		{name: "n3", address: "10.0.0.3", port: 22},
		{name: "n4", address: "10.0.0.4", port: 2200},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(knownNode{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range []string{
		"10.0.0.1 " + key,                 // no node name
		"10.0.0.1,10.0.0.9 " + key + " n", // two host patterns
		"10.0.0.1 ssh-ed25519 !!! n1",     // not a key
		"[10.0.0.1]:ssh " + key + " n1",   // not a port
	} {
		if _, err := parseKnownHosts([]byte(bad + "\n")); err == nil || !strings.HasPrefix(err.Error(), "line 1: ") {
			t.Errorf("%q: want an error at line 1, got %v", bad, err)
		}
	}
}
